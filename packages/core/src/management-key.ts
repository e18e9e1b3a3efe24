/**
 * @module management-key — the wallet's management key (DESIGN.md §8, docs/realms.md):
 * an Ed25519 key derived from the wallet secret with its own HKDF label. Its public key is
 * registered with the vault and every realm at create; replacing or deleting a wallet's
 * records needs its signature over the request (invariant 11: a JWT reads, it never
 * destroys). Only someone who can rebuild the secret can sign.
 *
 * @example
 * const k = deriveManagementKey(entropy, walletId);
 * const headers = signManagementRequest(k.secretKey, { method: 'PUT', path, appId, walletId,
 *   expectedEpoch: 3, body });
 * wipe(k.secretKey);
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, fromBase64Url, toBase64Url, toHex, utf8 } from './bytes.ts';
import { TrineError } from './errors.ts';

/** HKDF info prefix; the wallet id follows it. */
export const MANAGEMENT_KEY_INFO = 'trine/management-key/v1';
/** First line of every signed message (docs/realms.md "Signed management requests"). */
export const MANAGEMENT_MESSAGE_PREFIX = 'trine-mgmt/v1';
/** A signed request older or newer than this (seconds, vs the server clock) is refused. */
export const MANAGEMENT_MAX_SKEW_S = 300;

export const MANAGEMENT_HEADERS = {
  time: 'trine-mgmt-time',
  nonce: 'trine-mgmt-nonce',
  signature: 'trine-mgmt-signature',
} as const;

export interface ManagementKey {
  /** 32-byte Ed25519 seed. Secret: wipe after use. */
  secretKey: Uint8Array;
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

/** Derives the management key from the wallet's BIP39 entropy (16–32 bytes). */
export function deriveManagementKey(entropy: Uint8Array, walletId: string): ManagementKey {
  abytes(entropy, undefined, 'entropy');
  if (entropy.length < 16 || entropy.length > 32) {
    throw new RangeError('entropy must be 16..32 bytes');
  }
  if (typeof walletId !== 'string' || walletId.length === 0) {
    throw new TypeError('walletId must be a non-empty string');
  }
  const secretKey = hkdf(sha256, entropy, undefined, utf8(`${MANAGEMENT_KEY_INFO}${walletId}`), 32);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

/** What a management signature covers. */
export interface ManagementRequest {
  method: string;
  /** The request path, e.g. `/v1/apps/dev/wallet/shares` (no origin, no query). */
  path: string;
  appId: string;
  walletId: string;
  /** The epoch the request expects to replace, or null (delete). */
  expectedEpoch: number | null;
  /** The exact body bytes (empty for none). */
  body: Uint8Array;
}

export interface ManagementProof {
  /** Unix seconds. */
  time: number;
  /** base64url of 16 random bytes. */
  nonce: string;
  /** base64url Ed25519 signature (64 bytes). */
  signature: string;
}

function field(value: unknown, title: string): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 2048 ||
    /[\n\r]/.test(value)
  ) {
    throw new TypeError(`${title} must be a non-empty one-line string`);
  }
  return value;
}

/** The exact bytes that are signed (lines joined by `\n`). */
export function managementMessage(
  req: ManagementRequest,
  proof: Pick<ManagementProof, 'time' | 'nonce'>,
): Uint8Array {
  abytes(req.body, undefined, 'body');
  if (
    req.expectedEpoch !== null &&
    !(Number.isSafeInteger(req.expectedEpoch) && req.expectedEpoch >= 0)
  ) {
    throw new RangeError('expectedEpoch must be a non-negative integer or null');
  }
  if (!Number.isSafeInteger(proof.time) || proof.time < 0) {
    throw new RangeError('time must be a non-negative integer (unix seconds)');
  }
  return utf8(
    [
      MANAGEMENT_MESSAGE_PREFIX,
      field(req.method, 'method').toUpperCase(),
      field(req.path, 'path'),
      field(req.appId, 'appId'),
      field(req.walletId, 'walletId'),
      req.expectedEpoch === null ? '-' : String(req.expectedEpoch),
      String(proof.time),
      field(proof.nonce, 'nonce'),
      toHex(sha256(req.body)),
    ].join('\n'),
  );
}

/** Signs a request; `now` (unix seconds) and `nonce` are injectable for tests. */
export function signManagementRequest(
  secretKey: Uint8Array,
  req: ManagementRequest,
  opts: { now?: number; nonce?: Uint8Array } = {},
): ManagementProof {
  abytes(secretKey, 32, 'secretKey');
  const nonceBytes = opts.nonce ?? crypto.getRandomValues(new Uint8Array(16));
  abytes(nonceBytes, 16, 'nonce');
  const time = opts.now ?? Math.floor(Date.now() / 1000);
  const nonce = toBase64Url(nonceBytes);
  const signature = toBase64Url(ed25519.sign(managementMessage(req, { time, nonce }), secretKey));
  return { time, nonce, signature };
}

/** The proof as HTTP headers (lower-case names). */
export function managementHeaders(proof: ManagementProof): Record<string, string> {
  return {
    [MANAGEMENT_HEADERS.time]: String(proof.time),
    [MANAGEMENT_HEADERS.nonce]: proof.nonce,
    [MANAGEMENT_HEADERS.signature]: proof.signature,
  };
}

export type ManagementCheck =
  | { ok: true; nonce: string; time: number }
  | {
      ok: false;
      code:
        | 'management_signature_required'
        | 'management_signature_invalid'
        | 'management_signature_expired';
    };

/**
 * Checks a request's proof headers against a registered public key and the server clock.
 * Replay (a nonce seen before) is the caller's check: it must record `nonce` atomically
 * (insert-or-fail) and refuse with `management_signature_replayed`.
 */
export function verifyManagementRequest(
  publicKey: Uint8Array,
  req: ManagementRequest,
  headers: { time?: string | null; nonce?: string | null; signature?: string | null },
  nowS = Math.floor(Date.now() / 1000),
): ManagementCheck {
  const { time: timeText, nonce, signature } = headers;
  if (!timeText || !nonce || !signature)
    return { ok: false, code: 'management_signature_required' };
  if (!/^\d{1,12}$/.test(timeText) || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
    return { ok: false, code: 'management_signature_invalid' };
  }
  const time = Number(timeText);
  if (Math.abs(nowS - time) > MANAGEMENT_MAX_SKEW_S) {
    return { ok: false, code: 'management_signature_expired' };
  }
  let sig: Uint8Array;
  let message: Uint8Array;
  try {
    abytes(publicKey, 32, 'publicKey');
    sig = fromBase64Url(signature, 'signature');
    if (sig.length !== 64) return { ok: false, code: 'management_signature_invalid' };
    message = managementMessage(req, { time, nonce });
  } catch (e) {
    if (e instanceof TrineError || e instanceof TypeError || e instanceof RangeError) {
      return { ok: false, code: 'management_signature_invalid' };
    }
    throw e;
  }
  let valid = false;
  try {
    // zip215: false — RFC 8032 strict verification (no malleable encodings).
    valid = ed25519.verify(sig, message, publicKey, { zip215: false });
  } catch {
    valid = false;
  }
  return valid ? { ok: true, nonce, time } : { ok: false, code: 'management_signature_invalid' };
}
