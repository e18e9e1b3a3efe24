/**
 * @module seal — sealing a share envelope under a password (device share, role 1) or a
 * recovery answer (recovery share, role 3), and opening it again (DESIGN.md §3).
 *
 *   key        = deriveSealKey(secret, salt, kdf, role)   (Argon2id → HKDF-SHA256, kdf.ts)
 *   ciphertext = AES-256-GCM(key, nonce, AAD = additionalData(record))
 *                  .encrypt(shareBytes || envelopeTagBytes)
 *
 * with a random 16-byte salt and a random 96-bit nonce per record (a new key per record
 * too, since the salt is fresh, so nonce reuse is not a concern). The AAD binds the
 * version, algorithm, KDF parameters, salt and envelope header (sealed-record.ts), so
 * changing any of them fails to open. @noble/ciphers' `gcm` checks the tag before it
 * returns a byte of plaintext.
 *
 * Secrets: the password is used as UTF-8 after NFKC (so the same password typed on two
 * keyboards that produce different code points for it still opens); the answer always
 * goes through `normalizeAnswer` here, so creation and recovery cannot disagree.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { normalizeAnswer } from './answer.ts';
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { headerOf, parseEnvelope, ROLE, type ShareEnvelope, TAG_BYTES } from './envelope.ts';
import { TrineError } from './errors.ts';
import { checkKdfParams, DEFAULT_KDF, deriveSealKey, type SealRole } from './kdf.ts';
import {
  additionalData,
  type KdfParams,
  NONCE_BYTES,
  parseSealedRecord,
  SALT_BYTES,
  SEALED_ALG,
  SEALED_VERSION,
  SEALED_VERSION_REALMS,
  type SealedRecordV1,
} from './sealed-record.ts';

/** Progress stages reported while sealing or opening (for a UI spinner). */
export type SealStage = 'kdf' | 'encrypt' | 'done';

export interface SealOptions {
  /** Argon2id parameters; default `DEFAULT_KDF`. Checked against floor and ceiling. */
  kdf?: KdfParams;
  /** Called at the start of each stage. An exception from it aborts the operation. */
  onProgress?: (stage: SealStage) => void;
}

export interface OpenOptions {
  /** Called at the start of each stage. An exception from it aborts the operation. */
  onProgress?: (stage: SealStage) => void;
}

/** Longest accepted password, in UTF-16 code units (answers: `MAX_ANSWER_CHARS`). */
export const MAX_PASSWORD_CHARS = 4096;

/** The exact message of every `SEAL_OPEN_FAILED` (GCM cannot tell the causes apart). */
export const SEAL_OPEN_FAILED_MESSAGE = 'wrong password/answer, or the record was altered';

function sealRole(role: number): SealRole {
  if (role === ROLE.device) return 'device';
  if (role === ROLE.recovery) return 'recovery';
  throw new TrineError(
    'INVALID_ARGUMENT',
    'only device (role 1) and recovery (role 3) shares are sealed; auth shares never are',
  );
}

/** The secret bytes for a role: NFKC password, or the normalised answer. */
function secretBytes(role: SealRole, secret: string): Uint8Array {
  if (typeof secret !== 'string') {
    throw new TypeError(
      role === 'device' ? 'password must be a string' : 'answer must be a string',
    );
  }
  if (role === 'recovery') return utf8(normalizeAnswer(secret));
  if (secret.length > MAX_PASSWORD_CHARS) {
    throw new RangeError(`password must be at most ${MAX_PASSWORD_CHARS} characters`);
  }
  if (secret.length === 0) throw new TrineError('SECRET_EMPTY', 'the password is empty');
  return utf8(secret.normalize('NFKC'));
}

function checkOptions(opts: unknown, allowKdf: boolean): SealOptions {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new TypeError('options must be an object');
  }
  for (const key of Object.keys(opts)) {
    if (key !== 'onProgress' && !(allowKdf && key === 'kdf')) {
      throw new TypeError(`unknown option "${key.slice(0, 32)}"`);
    }
  }
  const { kdf, onProgress } = opts as SealOptions;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new TypeError('onProgress must be a function');
  }
  const out: SealOptions = {};
  if (kdf !== undefined) out.kdf = checkKdfParams(kdf);
  if (onProgress !== undefined) out.onProgress = onProgress;
  return out;
}

/**
 * Seals a device (role 1) or recovery (role 3) envelope. Role 1: `secret` is the
 * password (non-empty, else `SECRET_EMPTY`). Role 3: `secret` is the answer, normalised
 * with `normalizeAnswer` (`ANSWER_EMPTY`). Role 2 → `INVALID_ARGUMENT`.
 *
 * @example
 * const sealed = await sealShare(shares.device, password, { onProgress: show });
 * const json = encodeSealedRecord(sealed);
 */
export async function sealShare(
  envelope: ShareEnvelope,
  secret: string,
  opts?: SealOptions,
): Promise<SealedRecordV1> {
  const env = parseEnvelope(envelope);
  const role = sealRole(env.role);
  const options = checkOptions(opts, true);
  const params = options.kdf ?? { ...DEFAULT_KDF };
  const pw = secretBytes(role, secret);
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const head = {
    v: SEALED_VERSION,
    alg: SEALED_ALG,
    kdf: { name: 'argon2id' as const, ...params, salt: toBase64Url(salt) },
    header: headerOf(env),
  };
  let key: Uint8Array | undefined;
  let plaintext: Uint8Array | undefined;
  try {
    options.onProgress?.('kdf');
    key = await deriveSealKey(pw, salt, params, role);
    pw.fill(0);
    options.onProgress?.('encrypt');
    const share = fromBase64Url(env.share, 'share');
    const tag = fromBase64Url(env.tag, 'tag');
    plaintext = new Uint8Array(share.length + tag.length);
    plaintext.set(share, 0);
    plaintext.set(tag, share.length);
    share.fill(0);
    const ciphertext = gcm(key, nonce, additionalData(head)).encrypt(plaintext);
    const record: SealedRecordV1 = {
      ...head,
      nonce: toBase64Url(nonce),
      ciphertext: toBase64Url(ciphertext),
    };
    options.onProgress?.('done');
    return record;
  } finally {
    pw.fill(0);
    key?.fill(0);
    plaintext?.fill(0);
  }
}

/**
 * Opens a sealed record (a JSON value or its text) with the password (role 1) or the
 * answer (role 3, normalised with `normalizeAnswer`), returning the share envelope.
 * Checks the record's format (`SEALED_MALFORMED`, `SEALED_UNSUPPORTED`) and its KDF
 * parameters (`KDF_PARAMS_TOO_WEAK`, `KDF_PARAMS_TOO_COSTLY`) before running the KDF.
 * A wrong secret or any altered byte → `SEAL_OPEN_FAILED`.
 *
 * @example
 * const device = await openShare(JSON.parse(stored), password);
 */
export async function openShare(
  record: unknown,
  secret: string,
  opts?: OpenOptions,
): Promise<ShareEnvelope> {
  const r = parseSealedRecord(record);
  if (r.v === SEALED_VERSION_REALMS) {
    throw new TrineError(
      'SEALED_UNSUPPORTED',
      'this recovery record is sealed with the recovery realms too (v2): open it with seal-v2 openShareV2',
    );
  }
  const role = sealRole(r.header.role);
  const params = checkKdfParams(r.kdf);
  const options = checkOptions(opts, false);
  const pw = secretBytes(role, secret);
  const salt = fromBase64Url(r.kdf.salt, 'kdf.salt');
  const nonce = fromBase64Url(r.nonce, 'nonce');
  const ciphertext = fromBase64Url(r.ciphertext, 'ciphertext');
  let key: Uint8Array | undefined;
  let plaintext: Uint8Array | undefined;
  try {
    options.onProgress?.('kdf');
    key = await deriveSealKey(pw, salt, params, role);
    pw.fill(0);
    options.onProgress?.('encrypt');
    try {
      plaintext = gcm(key, nonce, additionalData(r)).decrypt(ciphertext);
    } catch {
      // GCM tag mismatch: a wrong secret and tampering are indistinguishable by design.
      throw new TrineError('SEAL_OPEN_FAILED', SEAL_OPEN_FAILED_MESSAGE);
    }
    const split = plaintext.length - TAG_BYTES;
    const envelope = parseEnvelope({
      ...r.header,
      share: toBase64Url(plaintext.subarray(0, split)),
      tag: toBase64Url(plaintext.subarray(split)),
    });
    options.onProgress?.('done');
    return envelope;
  } finally {
    pw.fill(0);
    key?.fill(0);
    plaintext?.fill(0);
  }
}
