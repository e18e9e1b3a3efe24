/**
 * @module envelope — the versioned, canonical share envelope (DESIGN.md §3).
 *
 * Version 1, as a JSON value with its keys in exactly this order:
 *
 *   {"v":1,"walletId":"<uuid>","keyId":"<hex>","epoch":1,"role":2,"threshold":2,
 *    "share":"<base64url>","tag":"<base64url>"}
 *
 * - `walletId`: lower-case RFC 4122 UUID chosen at creation.
 * - `keyId`: lower-case hex of a hash of the account public key (the Cardano package
 *   uses blake2b-224 of the account xpub: 56 hex chars); opaque to core.
 * - `epoch`: 1 at creation, +1 at each re-share.
 * - `role`: 1 device, 2 auth, 3 recovery.  `threshold`: always 2 in version 1.
 * - `share`: the shamir-secret-sharing share bytes (secret length + 1).
 * - `tag`: 16-byte HMAC-SHA256 over the canonical header and the share, keyed from the
 *   shared secret (see shamir.ts). It is checked after combining, so a share or header
 *   altered anywhere fails with `SHARES_AUTH_FAILED` instead of yielding a wrong key.
 *   (`tag` is our addition to the DESIGN field list: it makes the envelope
 *   authenticated without a chain-specific key check.)
 *
 * The encoding is canonical: `encodeEnvelope(parseEnvelope(x))` is byte-identical to x
 * for every accepted x, and parseEnvelope refuses extra keys, missing keys, wrong types,
 * non-canonical base64url and out-of-range numbers with `ENVELOPE_MALFORMED`.
 */
import { fromBase64Url, utf8 } from './bytes.ts';
import { TrineError } from './errors.ts';

export const ENVELOPE_VERSION = 1 as const;
export const THRESHOLD = 2 as const;

/** Share roles (DESIGN.md §3). */
export const ROLE = { device: 1, auth: 2, recovery: 3 } as const;
export type ShareRole = (typeof ROLE)[keyof typeof ROLE];
export const ROLE_NAME: Readonly<Record<ShareRole, 'device' | 'auth' | 'recovery'>> = {
  1: 'device',
  2: 'auth',
  3: 'recovery',
};

/** The public, authenticated part of an envelope (everything but `share` and `tag`). */
export interface ShareHeader {
  v: typeof ENVELOPE_VERSION;
  walletId: string;
  keyId: string;
  epoch: number;
  role: ShareRole;
  threshold: typeof THRESHOLD;
}

export interface ShareEnvelope extends ShareHeader {
  /** base64url of the Shamir share bytes. Secret. */
  share: string;
  /** base64url of the 16-byte authentication tag. */
  tag: string;
}

export const MAX_EPOCH = 2_147_483_647;
/** Shares of 16..32-byte secrets are 17..33 bytes; allow up to 64-byte secrets. */
export const MIN_SHARE_BYTES = 17;
export const MAX_SHARE_BYTES = 65;
export const TAG_BYTES = 16;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_ID = /^(?:[0-9a-f]{2}){8,64}$/;
const HEADER_KEYS = ['v', 'walletId', 'keyId', 'epoch', 'role', 'threshold'] as const;
const ENVELOPE_KEYS = [...HEADER_KEYS, 'share', 'tag'] as const;

function malformed(message: string): TrineError {
  return new TrineError('ENVELOPE_MALFORMED', message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkKeys(obj: Record<string, unknown>, keys: readonly string[], what: string): void {
  const own = Object.keys(obj);
  for (const key of own) {
    if (!keys.includes(key))
      throw malformed(`${what} has an unexpected field "${key.slice(0, 32)}"`);
  }
  for (const key of keys) {
    if (!Object.hasOwn(obj, key)) throw malformed(`${what} is missing the field "${key}"`);
  }
}

/** Validates and returns a share header (no `share`/`tag`). Throws `ENVELOPE_*`. */
export function parseHeader(value: unknown): ShareHeader {
  if (!isPlainObject(value)) throw malformed('share header must be a JSON object');
  checkKeys(value, HEADER_KEYS, 'share header');
  return checkHeaderFields(value);
}

function checkHeaderFields(value: Record<string, unknown>): ShareHeader {
  const { v, walletId, keyId, epoch, role, threshold } = value;
  if (typeof v !== 'number') throw malformed('v must be a number');
  if (v !== ENVELOPE_VERSION) {
    throw new TrineError(
      'ENVELOPE_UNSUPPORTED_VERSION',
      `envelope version ${String(v).slice(0, 16)} is not supported (expected 1)`,
    );
  }
  if (typeof walletId !== 'string' || !UUID.test(walletId)) {
    throw malformed('walletId must be a lower-case UUID');
  }
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) {
    throw malformed('keyId must be lower-case hex of 8 to 64 bytes');
  }
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 1 || epoch > MAX_EPOCH) {
    throw malformed(`epoch must be an integer from 1 to ${MAX_EPOCH}`);
  }
  if (role !== 1 && role !== 2 && role !== 3)
    throw malformed('role must be 1 (device), 2 (auth) or 3 (recovery)');
  if (threshold !== THRESHOLD) throw malformed('threshold must be 2');
  return { v, walletId, keyId, epoch, role, threshold };
}

/**
 * Validates an envelope given as a JSON value (object) or as its JSON text.
 *
 * @example
 * const env = parseEnvelope(JSON.parse(text)); // throws TrineError('ENVELOPE_MALFORMED', …)
 */
export function parseEnvelope(value: unknown): ShareEnvelope {
  let obj: unknown = value;
  if (typeof value === 'string') {
    if (value.length > 4096) throw malformed('envelope text is too long');
    try {
      obj = JSON.parse(value);
    } catch {
      throw malformed('envelope is not valid JSON');
    }
  }
  if (!isPlainObject(obj)) throw malformed('envelope must be a JSON object');
  checkKeys(obj, ENVELOPE_KEYS, 'envelope');
  const header = checkHeaderFields(obj);
  const { share, tag } = obj;
  if (typeof share !== 'string' || share.length > 100)
    throw malformed('share must be a base64url string');
  if (typeof tag !== 'string' || tag.length > 32) throw malformed('tag must be a base64url string');
  let shareBytes: Uint8Array;
  let tagBytes: Uint8Array;
  try {
    shareBytes = fromBase64Url(share, 'share');
    tagBytes = fromBase64Url(tag, 'tag');
  } catch {
    throw malformed('share and tag must be canonical base64url');
  }
  if (shareBytes.length < MIN_SHARE_BYTES || shareBytes.length > MAX_SHARE_BYTES) {
    throw malformed(`share must be ${MIN_SHARE_BYTES} to ${MAX_SHARE_BYTES} bytes`);
  }
  shareBytes.fill(0);
  if (tagBytes.length !== TAG_BYTES) throw malformed(`tag must be ${TAG_BYTES} bytes`);
  return { ...header, share, tag };
}

/** The canonical JSON text of a header (fixed key order, no whitespace). */
export function encodeHeader(header: ShareHeader): string {
  const h = parseHeader(pick(header, HEADER_KEYS));
  return JSON.stringify({
    v: h.v,
    walletId: h.walletId,
    keyId: h.keyId,
    epoch: h.epoch,
    role: h.role,
    threshold: h.threshold,
  });
}

/** The canonical JSON text of an envelope (fixed key order, no whitespace). */
export function encodeEnvelope(envelope: ShareEnvelope): string {
  const e = parseEnvelope(envelope);
  return JSON.stringify({
    v: e.v,
    walletId: e.walletId,
    keyId: e.keyId,
    epoch: e.epoch,
    role: e.role,
    threshold: e.threshold,
    share: e.share,
    tag: e.tag,
  });
}

/** The header of an envelope. */
export function headerOf(envelope: ShareEnvelope): ShareHeader {
  return parseHeader(pick(envelope, HEADER_KEYS));
}

/** UTF-8 bytes of the canonical header: the additional data bound by seal and tag. */
export function headerBytes(header: ShareHeader): Uint8Array {
  return utf8(encodeHeader(header));
}

function pick<T extends object>(obj: T, keys: readonly string[]): Record<string, unknown> {
  // A non-object would make the property reads below throw an engine TypeError.
  if (typeof obj !== 'object' || obj === null) throw malformed('expected a JSON object');
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = (obj as Record<string, unknown>)[key];
  return out;
}
