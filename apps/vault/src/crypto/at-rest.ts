/**
 * @module crypto/at-rest — envelope encryption of shares at rest (DESIGN.md §5).
 *
 * Each wallet row gets a fresh random 256-bit data key per write. The data key is
 * wrapped (AES-256-GCM) by the current master key, whose id is stored beside it, so
 * master keys can rotate: `rewrapDataKey` re-wraps a row's data key under the current
 * master key without touching the share ciphertexts. Every ciphertext's additional
 * data binds the row's user key, walletId and column name, so a ciphertext copied to
 * another row or column fails to open instead of releasing a share to the wrong user.
 *
 * Text format of a ciphertext: `v1.<base64url nonce>.<base64url ciphertext||tag>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface MasterKey {
  kid: string;
  key: Uint8Array;
}

/** The master keys; the first is current (new rows and rotation wrap under it). */
export interface Keyring {
  current: MasterKey;
  byKid: ReadonlyMap<string, MasterKey>;
}

export class AtRestError extends Error {
  override readonly name = 'AtRestError';
}

const KID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `TRINE_MASTER_KEYS`: `kid:base64url32,kid2:base64url32` (first = current).
 * Errors name the entry position, never the key text.
 */
export function parseMasterKeys(text: string): Keyring {
  const keys: MasterKey[] = [];
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  parts.forEach((part, i) => {
    const sep = part.indexOf(':');
    const kid = part.slice(0, sep);
    const b64 = part.slice(sep + 1);
    if (sep < 1 || !KID.test(kid)) {
      throw new AtRestError(
        `master key #${i + 1}: expected kid:base64url (kid [A-Za-z0-9_-]{1,32})`,
      );
    }
    const key = Buffer.from(b64, 'base64url');
    if (key.length !== 32 || key.toString('base64url') !== b64.replace(/=+$/, '')) {
      throw new AtRestError(`master key #${i + 1} (${kid}): must be 32 bytes of base64url`);
    }
    keys.push({ kid, key: new Uint8Array(key) });
  });
  return makeKeyring(keys);
}

export function makeKeyring(keys: MasterKey[]): Keyring {
  const current = keys[0];
  if (!current) throw new AtRestError('at least one master key is required');
  const byKid = new Map<string, MasterKey>();
  for (const k of keys) {
    if (byKid.has(k.kid)) throw new AtRestError(`master key id "${k.kid}" appears twice`);
    byKid.set(k.kid, k);
  }
  return { current, byKid };
}

/** A new random master key in the `kid:base64url` format. */
export function generateMasterKey(kid: string): string {
  return `${kid}:${randomBytes(32).toString('base64url')}`;
}

function gcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: string): string {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  return `v1.${nonce.toString('base64url')}.${ct.toString('base64url')}`;
}

function gcmOpen(key: Uint8Array, text: string, aad: string): Buffer {
  const [v, n, ct] = text.split('.');
  if (v !== 'v1' || !n || !ct) throw new AtRestError('stored ciphertext has an unknown format');
  const nonce = Buffer.from(n, 'base64url');
  const body = Buffer.from(ct, 'base64url');
  if (nonce.length !== 12 || body.length < 16)
    throw new AtRestError('stored ciphertext is malformed');
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
  } catch {
    throw new AtRestError('stored ciphertext failed authentication');
  }
}

/** Identifies the row a ciphertext belongs to (bound as additional data). */
export interface RowContext {
  userKey: string;
  walletId: string;
}

export type Column = 'auth_share' | 'sealed';

const dekAad = (kid: string, row: RowContext) =>
  JSON.stringify(['trine/at-rest/v1/data-key', kid, row.userKey, row.walletId]);
const colAad = (column: Column, row: RowContext) =>
  JSON.stringify(['trine/at-rest/v1/column', column, row.userKey, row.walletId]);

export interface SealedRow {
  dataKey: string;
  masterKid: string;
  authShareCt: string;
  sealedCt: string;
}

/** Encrypts a row's two secret columns under a fresh data key. */
export function sealRow(
  keyring: Keyring,
  row: RowContext,
  values: { authShare: string; sealed: string },
): SealedRow {
  const dek = randomBytes(32);
  try {
    return {
      dataKey: gcmSeal(keyring.current.key, dek, dekAad(keyring.current.kid, row)),
      masterKid: keyring.current.kid,
      authShareCt: gcmSeal(dek, Buffer.from(values.authShare, 'utf8'), colAad('auth_share', row)),
      sealedCt: gcmSeal(dek, Buffer.from(values.sealed, 'utf8'), colAad('sealed', row)),
    };
  } finally {
    dek.fill(0);
  }
}

function unwrap(keyring: Keyring, row: RowContext, stored: { dataKey: string; masterKid: string }) {
  const mk = keyring.byKid.get(stored.masterKid);
  if (!mk) throw new AtRestError(`master key "${stored.masterKid}" is not configured`);
  return gcmOpen(mk.key, stored.dataKey, dekAad(mk.kid, row));
}

/** Decrypts one column of a stored row (UTF-8 JSON text). */
export function openColumn(
  keyring: Keyring,
  row: RowContext,
  stored: SealedRow,
  column: Column,
): string {
  const dek = unwrap(keyring, row, stored);
  try {
    const ct = column === 'auth_share' ? stored.authShareCt : stored.sealedCt;
    const pt = gcmOpen(dek, ct, colAad(column, row));
    const text = pt.toString('utf8');
    pt.fill(0);
    return text;
  } finally {
    dek.fill(0);
  }
}

/** Re-wraps a row's data key under the current master key (rotation). */
export function rewrapDataKey(
  keyring: Keyring,
  row: RowContext,
  stored: { dataKey: string; masterKid: string },
): { dataKey: string; masterKid: string } {
  const dek = unwrap(keyring, row, stored);
  try {
    return {
      dataKey: gcmSeal(keyring.current.key, dek, dekAad(keyring.current.kid, row)),
      masterKid: keyring.current.kid,
    };
  } finally {
    dek.fill(0);
  }
}
