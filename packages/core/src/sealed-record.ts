/**
 * @module sealed-record — the format of a sealed share (device share under the
 * password, recovery share under the answer): DESIGN.md §3.
 *
 * Version 1, a JSON value with keys in exactly this order:
 *
 *   {"v":1,"alg":"A256GCM",
 *    "kdf":{"name":"argon2id","m":65536,"t":3,"p":1,"salt":"<16 bytes b64url>"},
 *    "header":{"v":1,"walletId":"…","keyId":"…","epoch":1,"role":1,"threshold":2},
 *    "nonce":"<12 bytes b64url>","ciphertext":"<b64url>"}
 *
 * - `kdf.m` is Argon2id memory in KiB; `t` iterations; `p` lanes. Stored with the record
 *   so parameters can be raised later without breaking old records.
 * - `header` is the envelope header of the sealed share (public: the vault stores it).
 *   Only roles 1 (device) and 3 (recovery) are ever sealed.
 * - `ciphertext` is AES-256-GCM over `share bytes || tag bytes` of the envelope, with
 *   the 16-byte GCM tag appended; additional data = `additionalData(record)`: the UTF-8
 *   canonical JSON of `{v, alg, kdf, header}`, so every field but the nonce and the
 *   ciphertext itself is authenticated (and those two are covered by GCM).
 *
 * Version 2 (recovery shares only, docs/realms.md): the same, plus the realm parameters,
 * sealed under `K = HKDF(h ‖ U)` (seal.ts `sealShareV2`) — the answer alone opens nothing:
 *
 *   {"v":2,"alg":"A256GCM","kdf":{…},"header":{… "role":3 …},
 *    "realms":{"scheme":"trine-realm/v1","threshold":2,"ids":["r1","r2","r3"],"epoch":4},
 *    "nonce":"…","ciphertext":"…"}
 *
 * The envelope header stays a field in v2 (docs/realms.md lists it inside the additional
 * data): the vault checks it against the auth share, and opening needs it. Additional data
 * of v2 = canonical JSON of `{v, alg, kdf, header, realms}`. v1 records still parse and
 * open (migration).
 *
 * This module only parses and encodes; `seal.ts` does the cryptography.
 */
import { fromBase64Url, utf8 } from './bytes.ts';
import {
  encodeHeader,
  MAX_SHARE_BYTES,
  MIN_SHARE_BYTES,
  parseHeader,
  type ShareHeader,
  TAG_BYTES,
} from './envelope.ts';
import { TrineError } from './errors.ts';

export const SEALED_VERSION = 1 as const;
/** Recovery records sealed with the realms' unlock key too (docs/realms.md). */
export const SEALED_VERSION_REALMS = 2 as const;
export const REALMS_SCHEME = 'trine-realm/v1' as const;
/** Most realms a record names (realm-crypto's MAX_REALMS). */
export const MAX_RECORD_REALMS = 7;
export const SEALED_ALG = 'A256GCM' as const;
export const SALT_BYTES = 16;
export const NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Argon2id parameters (memory `m` in KiB). */
export interface KdfParams {
  m: number;
  t: number;
  p: number;
}

export interface SealedKdf extends KdfParams {
  name: 'argon2id';
  /** base64url of the 16-byte random salt. */
  salt: string;
}

export interface SealedRecordV1 {
  v: typeof SEALED_VERSION;
  alg: typeof SEALED_ALG;
  kdf: SealedKdf;
  header: ShareHeader;
  nonce: string;
  ciphertext: string;
}

/** Which realms hold the unlock key of a v2 record, and for which realm epoch. */
export interface SealedRealms {
  scheme: typeof REALMS_SCHEME;
  threshold: number;
  /** Realm ids in the order their shares of U were assigned (app config order). */
  ids: string[];
  /** The realm registration epoch (the share epoch it was made for). */
  epoch: number;
}

export interface SealedRecordV2 extends Omit<SealedRecordV1, 'v'> {
  v: typeof SEALED_VERSION_REALMS;
  realms: SealedRealms;
}

/** A sealed record of either version (device shares are always v1). */
export type SealedRecord = SealedRecordV1 | SealedRecordV2;

/**
 * Structural bounds only (any positive integers up to generous caps); the security
 * floor and the cost ceiling are policy, checked in kdf.ts (`KDF_PARAMS_TOO_WEAK`,
 * `KDF_PARAMS_TOO_COSTLY`) before any work is done.
 */
const MAX_M = 4 * 1024 * 1024;
const MAX_T = 64;
const MAX_P = 64;
const RECORD_KEYS = ['v', 'alg', 'kdf', 'header', 'nonce', 'ciphertext'] as const;
const RECORD_KEYS_V2 = ['v', 'alg', 'kdf', 'header', 'realms', 'nonce', 'ciphertext'] as const;
const REALMS_KEYS = ['scheme', 'threshold', 'ids', 'epoch'] as const;
const KDF_KEYS = ['name', 'm', 't', 'p', 'salt'] as const;

function malformed(message: string): TrineError {
  return new TrineError('SEALED_MALFORMED', message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function exactKeys(obj: Record<string, unknown>, keys: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!keys.includes(key))
      throw malformed(`${what} has an unexpected field "${key.slice(0, 32)}"`);
  }
  for (const key of keys) {
    if (!Object.hasOwn(obj, key)) throw malformed(`${what} is missing the field "${key}"`);
  }
}

function b64(value: unknown, field: string, min: number, max: number): Uint8Array {
  if (typeof value !== 'string' || value.length > Math.ceil((max * 4) / 3) + 4) {
    throw malformed(`${field} must be a base64url string`);
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(value, field);
  } catch {
    throw malformed(`${field} must be canonical base64url`);
  }
  if (bytes.length < min || bytes.length > max) {
    throw malformed(
      min === max ? `${field} must be ${min} bytes` : `${field} must be ${min} to ${max} bytes`,
    );
  }
  return bytes;
}

function int(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw malformed(`${field} must be an integer from 1 to ${max}`);
  }
  return value;
}

/**
 * Validates a sealed record given as a JSON value or its JSON text. Throws
 * `SEALED_MALFORMED`, or `SEALED_UNSUPPORTED` for an unknown version/algorithm/KDF.
 */
export function parseSealedRecord(value: unknown): SealedRecord {
  let obj: unknown = value;
  if (typeof value === 'string') {
    if (value.length > 8192) throw malformed('sealed record text is too long');
    try {
      obj = JSON.parse(value);
    } catch {
      throw malformed('sealed record is not valid JSON');
    }
  }
  if (!isPlainObject(obj)) throw malformed('sealed record must be a JSON object');
  if (typeof obj.v !== 'number') throw malformed('v must be a number');
  if (obj.v !== SEALED_VERSION && obj.v !== SEALED_VERSION_REALMS) {
    throw new TrineError(
      'SEALED_UNSUPPORTED',
      `sealed record version ${String(obj.v).slice(0, 16)} is not supported`,
    );
  }
  exactKeys(obj, obj.v === SEALED_VERSION ? RECORD_KEYS : RECORD_KEYS_V2, 'sealed record');
  if (typeof obj.alg !== 'string') throw malformed('alg must be a string');
  if (obj.alg !== SEALED_ALG) {
    throw new TrineError(
      'SEALED_UNSUPPORTED',
      `sealing algorithm "${obj.alg.slice(0, 32)}" is not supported`,
    );
  }
  const { m, t, p, salt } = parseKdf(obj.kdf);
  let header: ShareHeader;
  try {
    header = parseHeader(obj.header);
  } catch (e) {
    throw malformed(`header: ${(e as Error).message}`);
  }
  if (header.role === 2)
    throw malformed('header.role must be 1 (device) or 3 (recovery): auth shares are never sealed');
  const realms = obj.v === SEALED_VERSION_REALMS ? parseRealms(obj.realms) : undefined;
  if (realms && header.role !== 3) {
    throw malformed('a v2 record seals a recovery share: header.role must be 3');
  }
  b64(obj.nonce, 'nonce', NONCE_BYTES, NONCE_BYTES);
  b64(
    obj.ciphertext,
    'ciphertext',
    MIN_SHARE_BYTES + TAG_BYTES + GCM_TAG_BYTES,
    MAX_SHARE_BYTES + TAG_BYTES + GCM_TAG_BYTES,
  );
  const common = {
    alg: SEALED_ALG,
    kdf: { name: 'argon2id' as const, m, t, p, salt },
    header,
    nonce: obj.nonce as string,
    ciphertext: obj.ciphertext as string,
  };
  if (realms) return { v: SEALED_VERSION_REALMS, ...common, realms };
  return { v: SEALED_VERSION, ...common };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const REALM_ID = /^[^\u0000-\u001f\u007f]{1,128}$/u;

function parseRealms(value: unknown): SealedRealms {
  if (!isPlainObject(value)) throw malformed('realms must be a JSON object');
  exactKeys(value, REALMS_KEYS, 'realms');
  if (value.scheme !== REALMS_SCHEME) {
    throw new TrineError(
      'SEALED_UNSUPPORTED',
      `realm scheme "${String(value.scheme).slice(0, 32)}" is not supported`,
    );
  }
  const ids = value.ids;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_RECORD_REALMS) {
    throw malformed(`realms.ids must list 1 to ${MAX_RECORD_REALMS} realm ids`);
  }
  for (const id of ids) {
    if (typeof id !== 'string' || !REALM_ID.test(id)) {
      throw malformed('realms.ids must be 1 to 128 printable characters each');
    }
  }
  if (new Set(ids).size !== ids.length) throw malformed('realms.ids must be distinct');
  const threshold = int(value.threshold, 'realms.threshold', ids.length);
  const epoch = int(value.epoch, 'realms.epoch', 2_147_483_647);
  return { scheme: REALMS_SCHEME, threshold, ids: [...(ids as string[])], epoch };
}

function encodeRealms(r: SealedRealms): string {
  return JSON.stringify({ scheme: r.scheme, threshold: r.threshold, ids: r.ids, epoch: r.epoch });
}

function parseKdf(kdf: unknown): SealedKdf {
  if (!isPlainObject(kdf)) throw malformed('kdf must be a JSON object');
  exactKeys(kdf, KDF_KEYS, 'kdf');
  if (typeof kdf.name !== 'string') throw malformed('kdf.name must be a string');
  if (kdf.name !== 'argon2id') {
    throw new TrineError('SEALED_UNSUPPORTED', `KDF "${kdf.name.slice(0, 32)}" is not supported`);
  }
  const m = int(kdf.m, 'kdf.m', MAX_M);
  const t = int(kdf.t, 'kdf.t', MAX_T);
  const p = int(kdf.p, 'kdf.p', MAX_P);
  b64(kdf.salt, 'kdf.salt', SALT_BYTES, SALT_BYTES);
  return { name: 'argon2id', m, t, p, salt: kdf.salt as string };
}

/** Canonical JSON text of a sealed record (fixed key order, no whitespace). */
export function encodeSealedRecord(record: SealedRecord): string {
  const r = parseSealedRecord(record);
  const realms = r.v === SEALED_VERSION_REALMS ? `,"realms":${encodeRealms(r.realms)}` : '';
  return `{"v":${r.v},"alg":"${r.alg}","kdf":${encodeKdf(r.kdf)},"header":${encodeHeader(r.header)}${realms},"nonce":"${r.nonce}","ciphertext":"${r.ciphertext}"}`;
}

function encodeKdf(k: SealedKdf): string {
  return JSON.stringify({ name: k.name, m: k.m, t: k.t, p: k.p, salt: k.salt });
}

/**
 * The AES-GCM additional data of a record: UTF-8 canonical JSON of {v, alg, kdf, header}
 * (v1) or {v, alg, kdf, header, realms} (v2).
 */
export function additionalData(
  record:
    | Pick<SealedRecordV1, 'v' | 'alg' | 'kdf' | 'header'>
    | Pick<SealedRecordV2, 'v' | 'alg' | 'kdf' | 'header' | 'realms'>,
): Uint8Array {
  // Validate what goes into the AAD, so hostile input fails with a coded error.
  if (typeof record !== 'object' || record === null) throw malformed('record must be an object');
  if (
    (record.v !== SEALED_VERSION && record.v !== SEALED_VERSION_REALMS) ||
    record.alg !== SEALED_ALG
  ) {
    throw new TrineError('SEALED_UNSUPPORTED', 'only v 1 or 2 with alg A256GCM is supported');
  }
  const kdf = parseKdf(record.kdf);
  const realms =
    record.v === SEALED_VERSION_REALMS
      ? `,"realms":${encodeRealms(parseRealms(record.realms))}`
      : '';
  return utf8(
    `{"v":${record.v},"alg":"${record.alg}","kdf":${encodeKdf(kdf)},"header":${encodeHeader(record.header)}${realms}}`,
  );
}
