/**
 * @module http/shares — checks the share values of a request with @trine/core's
 * parsers and that they agree with each other and with the body (DESIGN.md §2.5:
 * shares of different wallets or epochs are never combined, so never stored together).
 *
 * Sealed recovery records come in two versions: v1 (`{v:1, alg, kdf, header, nonce,
 * ciphertext}`, @trine/core's parser) and v2 (docs/realms.md: `{v:2, alg, kdf, header,
 * realms:{scheme, threshold, ids, epoch}, nonce, ciphertext}`, sealed under the answer
 * *and* the realms' unlock key; the envelope header stays in v2, as in core's v2 encoder,
 * because it is part of the additional data and the vault checks it against the auth
 * share). The vault cannot open either; for v2 it checks the shape strictly here (exact
 * fields at every level, canonical base64url, bounds), the header like v1's, and that
 * `realms.epoch` is the epoch of the request, then stores a canonical encoding.
 */
import {
  encodeEnvelope,
  encodeHeader,
  MAX_SHARE_BYTES,
  MIN_SHARE_BYTES,
  parseEnvelope,
  parseHeader,
  ROLE,
  type ShareHeader,
  TAG_BYTES,
} from '@trine/core/envelope';
import { encodeSealedRecord, parseSealedRecord } from '@trine/core/sealed-record';
import { ApiError } from './problem.ts';

export interface CheckedShares {
  /** Canonical JSON text of the auth-share envelope. */
  authShare: string;
  /** Canonical JSON text of the sealed recovery record, when one was given. */
  sealed?: string;
  /** Its version (1 or 2), when one was given. */
  sealedV?: number;
  walletId: string;
  keyId: string;
}

/** Core error messages name the field, never its value, so they are safe to return. */
function coreMessage(e: unknown): string {
  return e instanceof Error ? e.message.slice(0, 200) : 'invalid';
}

export function checkShares(body: {
  walletId?: string;
  keyId?: string;
  epoch: number;
  authShare: unknown;
  sealed?: unknown;
}): CheckedShares {
  let env: ReturnType<typeof parseEnvelope>;
  try {
    env = parseEnvelope(body.authShare);
  } catch (e) {
    throw new ApiError('invalid_share', `authShare: ${coreMessage(e)}`);
  }
  if (env.role !== ROLE.auth) {
    throw new ApiError('share_mismatch', `authShare.role must be ${ROLE.auth} (auth)`);
  }
  if (env.epoch !== body.epoch)
    throw new ApiError('share_mismatch', 'authShare.epoch must equal epoch');
  if (body.walletId !== undefined && env.walletId !== body.walletId) {
    throw new ApiError('share_mismatch', 'authShare.walletId must equal walletId');
  }
  if (body.keyId !== undefined && env.keyId !== body.keyId) {
    throw new ApiError('share_mismatch', 'authShare.keyId must equal keyId');
  }
  const out: CheckedShares = {
    authShare: encodeEnvelope(env),
    walletId: env.walletId,
    keyId: env.keyId,
  };
  if (body.sealed !== undefined && isV2(body.sealed)) {
    const rec = parseSealedV2(body.sealed);
    checkSealedHeader(rec.header, body.epoch, env);
    if (rec.realms.epoch !== body.epoch) {
      throw new ApiError('share_mismatch', 'recovery.sealed.realms.epoch must equal epoch');
    }
    out.sealed = encodeSealedV2(rec);
    out.sealedV = 2;
  } else if (body.sealed !== undefined) {
    let rec: ReturnType<typeof parseSealedRecord>;
    try {
      rec = parseSealedRecord(body.sealed);
    } catch (e) {
      throw new ApiError('invalid_sealed', `recovery.sealed: ${coreMessage(e)}`);
    }
    checkSealedHeader(rec.header, body.epoch, env);
    out.sealed = encodeSealedRecord(rec);
    out.sealedV = 1;
  }
  return out;
}

function checkSealedHeader(h: ShareHeader, epoch: number, env: ShareHeader): void {
  if (h.role !== ROLE.recovery) {
    throw new ApiError('share_mismatch', `recovery.sealed.header.role must be ${ROLE.recovery}`);
  }
  if (h.epoch !== epoch || h.walletId !== env.walletId || h.keyId !== env.keyId) {
    throw new ApiError(
      'share_mismatch',
      'recovery.sealed.header must have the walletId, keyId and epoch of the auth share',
    );
  }
}

function isV2(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { v?: unknown }).v === 2;
}

/** A sealed recovery record v2 (docs/realms.md), in its canonical field order. */
export interface SealedV2 {
  v: 2;
  alg: 'A256GCM';
  kdf: { name: 'argon2id'; m: number; t: number; p: number; salt: string };
  header: ShareHeader;
  realms: { scheme: 'trine-realm/v1'; threshold: number; ids: string[]; epoch: number };
  nonce: string;
  ciphertext: string;
}

/** At most 7 realms (the app configuration's bound, apps/registry.ts). */
export const MAX_REALMS = 7;
/** As core's v2 parser: 1..128 printable characters. */
const REALM_ID = /^\P{Cc}{1,128}$/u;

const bad = (message: string) => new ApiError('invalid_sealed', `recovery.sealed: ${message}`);

function plain(value: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`${what} must be an object`);
  }
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) throw bad(`${what} has an unexpected field "${k.slice(0, 32)}"`);
  }
  for (const k of keys) if (!Object.hasOwn(obj, k)) throw bad(`${what} lacks "${k}"`);
  return obj;
}

function int(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw bad(`${what} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function b64(value: unknown, what: string, min: number, max: number): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(value)) {
    throw bad(`${what} must be base64url`);
  }
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.toString('base64url') !== value) throw bad(`${what} must be canonical base64url`);
  if (bytes.length < min || bytes.length > max) {
    throw bad(
      min === max ? `${what} must be ${min} bytes` : `${what} must be ${min}..${max} bytes`,
    );
  }
  return value;
}

/**
 * Validates a v2 sealed record's shape (unknown fields refused at every level). Bounds:
 * Argon2id m ≤ 4 GiB (KiB units), t, p ≤ 64 (as core's v1 parser); salt 16 bytes, nonce
 * 12 bytes; ciphertext = share bytes ‖ tag ‖ GCM tag, as v1; header as core's envelope
 * header; 1..7 distinct realm ids, 1 ≤ threshold ≤ ids.
 */
export function parseSealedV2(value: unknown): SealedV2 {
  const r = plain(value, 'the record', [
    'v',
    'alg',
    'kdf',
    'header',
    'realms',
    'nonce',
    'ciphertext',
  ]);
  if (r.v !== 2) throw bad('v must be 2');
  if (r.alg !== 'A256GCM') throw bad('alg must be A256GCM');
  const k = plain(r.kdf, 'kdf', ['name', 'm', 't', 'p', 'salt']);
  if (k.name !== 'argon2id') throw bad('kdf.name must be argon2id');
  const realms = plain(r.realms, 'realms', ['scheme', 'threshold', 'ids', 'epoch']);
  if (realms.scheme !== 'trine-realm/v1') throw bad('realms.scheme must be trine-realm/v1');
  const ids = realms.ids;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_REALMS) {
    throw bad(`realms.ids must be an array of 1..${MAX_REALMS} realm ids`);
  }
  for (const id of ids) {
    if (typeof id !== 'string' || !REALM_ID.test(id)) {
      throw bad('realms.ids entries must be 1 to 128 printable characters');
    }
  }
  if (new Set(ids).size !== ids.length) throw bad('realms.ids must be distinct');
  let header: ShareHeader;
  try {
    header = parseHeader(r.header);
  } catch (e) {
    throw bad(`header: ${e instanceof Error ? e.message.slice(0, 200) : 'invalid'}`);
  }
  return {
    v: 2,
    alg: 'A256GCM',
    kdf: {
      name: 'argon2id',
      m: int(k.m, 'kdf.m', 1, 4 * 1024 * 1024),
      t: int(k.t, 'kdf.t', 1, 64),
      p: int(k.p, 'kdf.p', 1, 64),
      salt: b64(k.salt, 'kdf.salt', 16, 16),
    },
    header,
    realms: {
      scheme: 'trine-realm/v1',
      threshold: int(realms.threshold, 'realms.threshold', 1, ids.length),
      ids: [...(ids as string[])],
      epoch: int(realms.epoch, 'realms.epoch', 1, 2_147_483_647),
    },
    nonce: b64(r.nonce, 'nonce', 12, 12),
    ciphertext: b64(
      r.ciphertext,
      'ciphertext',
      MIN_SHARE_BYTES + TAG_BYTES + 16,
      MAX_SHARE_BYTES + TAG_BYTES + 16,
    ),
  };
}

/** Canonical text of a v2 record (the field order of core's encoder). */
export function encodeSealedV2(r: SealedV2): string {
  const kdf = JSON.stringify(r.kdf);
  const realms = JSON.stringify(r.realms);
  return `{"v":2,"alg":"A256GCM","kdf":${kdf},"header":${encodeHeader(r.header)},"realms":${realms},"nonce":"${r.nonce}","ciphertext":"${r.ciphertext}"}`;
}
