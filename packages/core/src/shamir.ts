/**
 * @module shamir — 2-of-3 split of the wallet entropy into authenticated share
 * envelopes, and their checked recombination (DESIGN.md §2.4, §2.5, §3).
 *
 * Splitting is shamir-secret-sharing's `split(secret, 3, 2)` (GF(2^8), the x-coordinate
 * is the last byte of each share). Each envelope carries a 16-byte `tag`:
 *
 *   tagKey = HKDF-SHA256(ikm = secret, salt = utf8('trine/v1'),
 *                        info = utf8('trine/v1/envelope-tag'), L = 32)
 *   tag    = HMAC-SHA256(tagKey, canonicalHeaderBytes || shareBytes)[0..16)
 *
 * The canonical header JSON is self-delimiting (it ends at its closing brace and has
 * a fixed key order), so the concatenation is unambiguous. The key comes from the
 * secret itself, so only someone who can reconstruct the secret can check or forge a
 * tag: a single share holder (the vault) learns nothing from it. After combining, every
 * given envelope's tag is checked; a share, a header field or a tag altered anywhere —
 * or shares of different secrets mixed — fails with `SHARES_AUTH_FAILED`, never a
 * wrong key.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { combine, split } from 'shamir-secret-sharing';
import { abytes, equalBytes, fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import {
  ENVELOPE_VERSION,
  headerBytes,
  headerOf,
  MAX_SHARE_BYTES,
  MIN_SHARE_BYTES,
  parseEnvelope,
  parseHeader,
  ROLE,
  type ShareEnvelope,
  type ShareHeader,
  type ShareRole,
  TAG_BYTES,
  THRESHOLD,
} from './envelope.ts';
import { TrineError } from './errors.ts';

/** HKDF parameters of the envelope tag key (documented in the README). */
export const TAG_KEY_SALT = 'trine/v1';
export const TAG_KEY_INFO = 'trine/v1/envelope-tag';
/** Secrets from 16 bytes (128-bit BIP39 entropy) to 64 bytes. */
export const MIN_SECRET_BYTES = MIN_SHARE_BYTES - 1;
export const MAX_SECRET_BYTES = MAX_SHARE_BYTES - 1;

/** The public identity of a split: which wallet, which key, which epoch. */
export interface SplitContext {
  walletId: string;
  keyId: string;
  epoch: number;
}

/** The three envelopes of one split, by role (1 device, 2 auth, 3 recovery). */
export interface SplitShares {
  device: ShareEnvelope;
  auth: ShareEnvelope;
  recovery: ShareEnvelope;
}

/** What the caller expects combined shares to be (e.g. from the vault's metadata). */
export interface CombineExpectation {
  walletId?: string;
  keyId?: string;
  epoch?: number;
}

function tagKey(secret: Uint8Array): Uint8Array {
  return hkdf(sha256, secret, utf8(TAG_KEY_SALT), utf8(TAG_KEY_INFO), 32);
}

function tagWithKey(key: Uint8Array, header: ShareHeader, shareBytes: Uint8Array): Uint8Array {
  const h = headerBytes(header);
  const msg = new Uint8Array(h.length + shareBytes.length);
  msg.set(h, 0);
  msg.set(shareBytes, h.length);
  const mac = hmac(sha256, key, msg);
  const tag = mac.slice(0, TAG_BYTES);
  msg.fill(0);
  mac.fill(0);
  return tag;
}

/**
 * The 16-byte envelope tag of `shareBytes` under `header`, keyed from `secret` (see the
 * module comment). Exposed for tests and for tools that re-tag after re-sharing.
 *
 * @example
 * const tag = shareTag(entropy, headerOf(env), fromBase64Url(env.share));
 */
export function shareTag(
  secret: Uint8Array,
  header: ShareHeader,
  shareBytes: Uint8Array,
): Uint8Array {
  abytes(secret, undefined, 'secret');
  abytes(shareBytes, undefined, 'shareBytes');
  const h = parseHeader(pickHeader(header));
  const key = tagKey(secret);
  try {
    return tagWithKey(key, h, shareBytes);
  } finally {
    key.fill(0);
  }
}

function pickHeader(header: unknown): unknown {
  if (typeof header !== 'object' || header === null) return header;
  const { v, walletId, keyId, epoch, role, threshold } = header as Record<string, unknown>;
  return { v, walletId, keyId, epoch, role, threshold };
}

function checkContext(ctx: SplitContext): void {
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
    throw new TypeError('split context must be an object {walletId, keyId, epoch}');
  }
  for (const key of Object.keys(ctx)) {
    if (key !== 'walletId' && key !== 'keyId' && key !== 'epoch') {
      throw new TypeError(`split context has an unknown field "${key.slice(0, 32)}"`);
    }
  }
}

function asArgumentError(e: unknown): unknown {
  return e instanceof TrineError && e.code === 'ENVELOPE_MALFORMED'
    ? new TrineError('INVALID_ARGUMENT', e.message, { cause: e })
    : e;
}

/**
 * Splits `secret` (the BIP39 entropy, 16–64 bytes) 2-of-3 into tagged envelopes of
 * threshold 2: device (role 1), auth (role 2), recovery (role 3). Any two recombine.
 * Throws INVALID_ARGUMENT for a bad walletId/keyId/epoch (same rules as the envelope),
 * TypeError/RangeError for a bad secret. `secret` is not modified.
 *
 * @example
 * const { device, auth, recovery } = await splitSecret(entropy, {
 *   walletId: crypto.randomUUID(), keyId, epoch: 1,
 * });
 */
export async function splitSecret(secret: Uint8Array, ctx: SplitContext): Promise<SplitShares> {
  abytes(secret, undefined, 'secret');
  if (secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
    throw new RangeError(
      `secret must be ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes, got ${secret.length}`,
    );
  }
  checkContext(ctx);
  const headers: ShareHeader[] = [];
  try {
    for (const role of [ROLE.device, ROLE.auth, ROLE.recovery] as const) {
      headers.push(
        parseHeader({
          v: ENVELOPE_VERSION,
          walletId: ctx.walletId,
          keyId: ctx.keyId,
          epoch: ctx.epoch,
          role,
          threshold: THRESHOLD,
        }),
      );
    }
  } catch (e) {
    throw asArgumentError(e);
  }
  // The library insists on a plain Uint8Array (not a Buffer or subclass): copy.
  const copy = Uint8Array.from(secret);
  const key = tagKey(copy);
  let shares: Uint8Array[] = [];
  try {
    shares = await split(copy, 3, THRESHOLD);
    const envelopes = headers.map((header, i) => {
      const share = shares[i]!;
      const tag = tagWithKey(key, header, share);
      return { ...header, share: toBase64Url(share), tag: toBase64Url(tag) };
    });
    return { device: envelopes[0]!, auth: envelopes[1]!, recovery: envelopes[2]! };
  } finally {
    copy.fill(0);
    key.fill(0);
    for (const s of shares) s.fill(0);
  }
}

function checkExpectation(expect: CombineExpectation | undefined): CombineExpectation {
  if (expect === undefined) return {};
  if (typeof expect !== 'object' || expect === null || Array.isArray(expect)) {
    throw new TypeError('expect must be an object {walletId?, keyId?, epoch?}');
  }
  for (const key of Object.keys(expect)) {
    if (key !== 'walletId' && key !== 'keyId' && key !== 'epoch') {
      throw new TypeError(`expect has an unknown field "${key.slice(0, 32)}"`);
    }
  }
  const probe = { v: 1, walletId: expect.walletId, keyId: expect.keyId, epoch: expect.epoch };
  // Reuse the header rules for each given field.
  try {
    parseHeader({
      ...probe,
      walletId: probe.walletId ?? '00000000-0000-0000-0000-000000000000',
      keyId: probe.keyId ?? '0000000000000000',
      epoch: probe.epoch ?? 1,
      role: 1,
      threshold: 2,
    });
  } catch (e) {
    throw asArgumentError(e);
  }
  return expect;
}

/**
 * Validates envelopes and recombines the secret. Checks, each with its own code:
 * every envelope parses (`ENVELOPE_MALFORMED` / `ENVELOPE_UNSUPPORTED_VERSION`); at
 * least two (`SHARES_TOO_FEW`); one walletId and keyId (`SHARES_MIXED_WALLETS`); one
 * epoch (`SHARES_MIXED_EPOCHS`); distinct roles (`SHARES_DUPLICATE_ROLE`); `expect`
 * met (`SHARES_MIXED_WALLETS` for walletId, `KEY_ID_MISMATCH` for keyId,
 * `SHARES_MIXED_EPOCHS` for epoch); equal share lengths and distinct non-zero
 * x-coordinates (`SHARE_MALFORMED`). It combines the first two and then verifies every
 * envelope's tag in constant time (`SHARES_AUTH_FAILED`, after zeroing the secret).
 * The caller owns the returned secret and should `wipe` it.
 *
 * @example
 * const entropy = await combineShares([device, auth], { walletId, epoch: 3 });
 */
export async function combineShares(
  envelopes: readonly unknown[],
  expect?: CombineExpectation,
): Promise<Uint8Array> {
  if (!Array.isArray(envelopes)) throw new TypeError('envelopes must be an array');
  if (envelopes.length > 3) {
    throw new TrineError(
      'SHARES_DUPLICATE_ROLE',
      `there are only 3 roles, got ${envelopes.length} shares`,
    );
  }
  const want = checkExpectation(expect);
  const parsed = envelopes.map((e) => parseEnvelope(e));
  if (parsed.length < THRESHOLD) {
    throw new TrineError(
      'SHARES_TOO_FEW',
      `combining needs ${THRESHOLD} shares, got ${parsed.length}`,
    );
  }
  const first = parsed[0]!;
  if (parsed.some((e) => e.walletId !== first.walletId || e.keyId !== first.keyId)) {
    throw new TrineError('SHARES_MIXED_WALLETS', 'the shares belong to different wallets');
  }
  if (parsed.some((e) => e.epoch !== first.epoch)) {
    throw new TrineError(
      'SHARES_MIXED_EPOCHS',
      `the shares are of different epochs (${[...new Set(parsed.map((e) => e.epoch))].join(', ')})`,
    );
  }
  const roles = new Set<ShareRole>(parsed.map((e) => e.role));
  if (roles.size !== parsed.length) {
    throw new TrineError('SHARES_DUPLICATE_ROLE', 'two shares have the same role');
  }
  if (want.walletId !== undefined && want.walletId !== first.walletId) {
    throw new TrineError('SHARES_MIXED_WALLETS', 'the shares belong to another wallet');
  }
  if (want.keyId !== undefined && want.keyId !== first.keyId) {
    throw new TrineError('KEY_ID_MISMATCH', 'the shares are for another key id');
  }
  if (want.epoch !== undefined && want.epoch !== first.epoch) {
    throw new TrineError(
      'SHARES_MIXED_EPOCHS',
      `the shares are of epoch ${first.epoch}, expected epoch ${want.epoch}`,
    );
  }

  const shareBytes = parsed.map((e) => fromBase64Url(e.share, 'share'));
  let secret: Uint8Array | undefined;
  let key: Uint8Array | undefined;
  try {
    const len = shareBytes[0]!.length;
    if (shareBytes.some((s) => s.length !== len)) {
      throw new TrineError('SHARE_MALFORMED', 'the shares have different lengths');
    }
    const xs = new Set<number>();
    for (const s of shareBytes) {
      const x = s[len - 1]!;
      // split() never uses x = 0 (that point is the secret itself) nor repeats an x.
      if (x === 0 || xs.has(x)) {
        throw new TrineError(
          'SHARE_MALFORMED',
          x === 0 ? 'a share has x-coordinate 0' : 'two shares have the same x-coordinate',
        );
      }
      xs.add(x);
    }
    secret = await combine([shareBytes[0]!, shareBytes[1]!]);
    key = tagKey(secret);
    let ok = true;
    for (let i = 0; i < parsed.length; i++) {
      const env = parsed[i]!;
      const expected = tagWithKey(key, headerOf(env), shareBytes[i]!);
      const given = fromBase64Url(env.tag, 'tag');
      // Check every tag; no early exit (constant time in the tag contents).
      ok = equalBytes(expected, given) && ok;
      expected.fill(0);
    }
    if (!ok) {
      secret.fill(0);
      throw new TrineError(
        'SHARES_AUTH_FAILED',
        'the shares failed authentication: a share or its header was altered, or shares of different splits were mixed',
      );
    }
    return secret;
  } finally {
    key?.fill(0);
    for (const s of shareBytes) s.fill(0);
  }
}
