/**
 * @module kdf — the sealing key derivation (DESIGN.md §3): key = HKDF-SHA256 over
 * Argon2id(secret, random 16-byte salt, params) with a per-role `info` string.
 *
 * Argon2id is hash-wasm's WebAssembly implementation, chosen by measurement (see
 * bench/kdf-measure.ts and the README: ~3–4× faster than pure JS in Node and Chromium,
 * so the same wait buys 3–4× more memory-hardness). Parameters are policy-checked
 * before any work: never below the OWASP floor, never above a ceiling that bounds how
 * long a hostile record can make us compute.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { argon2id } from 'hash-wasm';
import { normalizeAnswer } from './answer.ts';
import { abytes, utf8 } from './bytes.ts';
import { TrineError } from './errors.ts';
import { type KdfParams, SALT_BYTES } from './sealed-record.ts';

export type { KdfParams } from './sealed-record.ts';

/** Default for new records: m = 64 MiB, t = 3, p = 1 (DESIGN.md §3). */
export const DEFAULT_KDF: Readonly<KdfParams> = Object.freeze({ m: 65536, t: 3, p: 1 });
/** OWASP Password Storage Cheat Sheet minimum for Argon2id: m = 19 MiB, t = 2, p = 1. */
export const KDF_FLOOR: Readonly<KdfParams> = Object.freeze({ m: 19456, t: 2, p: 1 });
/** Largest accepted single parameters: m = 1 GiB, t = 16, p = 8. */
export const KDF_CEILING: Readonly<KdfParams> = Object.freeze({ m: 1048576, t: 16, p: 8 });
/**
 * Largest accepted total work m × t (KiB·passes): 4 GiB·passes, i.e. 1 GiB × 4 or
 * 256 MiB × 16 — roughly 5–8 s with hash-wasm on this class of machine. Without it,
 * m and t both at their ceilings would cost over a minute per attempt.
 */
export const KDF_MAX_WORK = 4 * 1024 * 1024;

/** Which sealed share a key is for; selects the HKDF `info`. */
export type SealRole = 'device' | 'recovery';

/** HKDF `info` strings (domain separation between the two sealed roles). */
export const SEAL_INFO: Readonly<Record<SealRole, string>> = Object.freeze({
  device: 'trine/v1/seal/device',
  recovery: 'trine/v1/seal/recovery',
});

function int(value: unknown, field: string): number {
  if (typeof value !== 'number') throw new TypeError(`kdf.${field} must be a number`);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`kdf.${field} must be a positive integer`);
  }
  return value;
}

/**
 * Checks Argon2id parameters against the floor and the ceiling, before any work is
 * done. Returns a clean copy `{m, t, p}`.
 * Throws `KDF_PARAMS_TOO_WEAK` (m < 19456 KiB or t < 2), `KDF_PARAMS_TOO_COSTLY`
 * (m > 1 GiB, t > 16, p > 8 or m × t > `KDF_MAX_WORK`), TypeError/RangeError when a
 * field is not a positive integer.
 *
 * @example
 * checkKdfParams({ m: 65536, t: 3, p: 1 }); // ok
 * checkKdfParams({ m: 1024, t: 1, p: 1 });  // throws KDF_PARAMS_TOO_WEAK
 */
export function checkKdfParams(params: KdfParams): KdfParams {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new TypeError('kdf params must be an object {m, t, p}');
  }
  const m = int(params.m, 'm');
  const t = int(params.t, 't');
  const p = int(params.p, 'p');
  if (m < KDF_FLOOR.m || t < KDF_FLOOR.t || p < KDF_FLOOR.p) {
    throw new TrineError(
      'KDF_PARAMS_TOO_WEAK',
      `Argon2id parameters m=${m} KiB, t=${t} are below the floor m=${KDF_FLOOR.m} KiB, t=${KDF_FLOOR.t}`,
      { details: { m, t, p } },
    );
  }
  if (m > KDF_CEILING.m || t > KDF_CEILING.t || p > KDF_CEILING.p || m * t > KDF_MAX_WORK) {
    throw new TrineError(
      'KDF_PARAMS_TOO_COSTLY',
      `Argon2id parameters m=${m} KiB, t=${t}, p=${p} exceed the ceiling (m ≤ ${KDF_CEILING.m} KiB, t ≤ ${KDF_CEILING.t}, p ≤ ${KDF_CEILING.p}, m×t ≤ ${KDF_MAX_WORK})`,
      { details: { m, t, p } },
    );
  }
  return { m, t, p };
}

/**
 * Derives a 32-byte AES-256-GCM key for a sealed share:
 * `HKDF-SHA256(ikm = Argon2id(secret, salt, m, t, p, 32 bytes), salt = salt,
 * info = utf8('trine/v1/seal/' + role), 32)`. The Argon2id output is zeroed; the
 * caller owns (and should `wipe`) the returned key. Run it in a Worker in the browser:
 * at DEFAULT_KDF it blocks for ~¼ s.
 *
 * @example
 * const key = await deriveSealKey(utf8('pw'), salt, DEFAULT_KDF, 'device');
 */
export async function deriveSealKey(
  secret: Uint8Array,
  salt: Uint8Array,
  params: KdfParams,
  role: SealRole,
): Promise<Uint8Array> {
  abytes(secret, undefined, 'secret');
  if (secret.length === 0) throw new TrineError('SECRET_EMPTY', 'the secret is empty');
  abytes(salt, SALT_BYTES, 'salt');
  const { m, t, p } = checkKdfParams(params);
  if (role !== 'device' && role !== 'recovery') {
    throw new TypeError("role must be 'device' or 'recovery'");
  }
  const stretched = await argon2id({
    password: secret,
    salt,
    parallelism: p,
    iterations: t,
    memorySize: m,
    hashLength: 32,
    outputType: 'binary',
  });
  try {
    return hkdf(sha256, stretched, salt, utf8(SEAL_INFO[role]), 32);
  } finally {
    stretched.fill(0);
  }
}

/**
 * The answer hash of the realm scheme (docs/realms.md): `h = Argon2id(utf8(
 * normalizeAnswer(answer)), salt, params)`, 32 bytes, with no HKDF (realm-crypto derives
 * the OPRF input and, with U, the seal key from it). Run it in a Worker. The caller wipes
 * the result.
 *
 * @example
 * const h = await hashAnswer('Rex', salt, DEFAULT_KDF);
 */
export async function hashAnswer(
  answer: string,
  salt: Uint8Array,
  params: KdfParams,
): Promise<Uint8Array> {
  const secret = utf8(normalizeAnswer(answer));
  abytes(salt, SALT_BYTES, 'salt');
  const { m, t, p } = checkKdfParams(params);
  try {
    return await argon2id({
      password: secret,
      salt,
      parallelism: p,
      iterations: t,
      memorySize: m,
      hashLength: 32,
      outputType: 'binary',
    });
  } finally {
    secret.fill(0);
  }
}
