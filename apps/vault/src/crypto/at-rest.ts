/**
 * @module crypto/at-rest — envelope encryption of shares at rest (DESIGN.md §5).
 *
 * Each wallet row gets a fresh random 256-bit data key per write. The data key is
 * wrapped (AES-256-GCM) by the current master key, whose id is stored beside it, so
 * master keys can rotate: `rewrapDataKey` re-wraps a row's data key under the current
 * master key without touching the share ciphertexts. Every ciphertext's additional
 * data binds the row's app id, user key, walletId and column name, so a ciphertext copied
 * to another row, app or column fails to open instead of releasing a share to the wrong
 * user or app.
 *
 * Additional-data versions (the row's `at_rest_v`): 2 binds app_id (every write since
 * migration 0002); 1 is the earlier form without app_id. Version-1 rows still open (with
 * their own additional data) and become version 2 on their next write (a re-share) or
 * with `admin keys rotate` (crypto/rotate.ts re-encrypts them); until then a version-1
 * ciphertext is bound to user and wallet but not to the app.
 *
 * Text format of a ciphertext: `v1.<base64url nonce>.<base64url ciphertext||tag>`.
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

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

/**
 * Each master key imported once as a KeyObject (held beside the raw bytes the keyring
 * already keeps for the life of the process, so nothing secret lives longer or in more
 * places than before). Data keys are NOT cached: each is a per-row secret, unwrapping it
 * is one AES-GCM open of 32 bytes (microseconds), and keeping them would put every
 * recently read row's key in memory; they are zeroed right after use instead.
 */
const imported = new WeakMap<MasterKey, KeyObject>();
function masterKeyObject(mk: MasterKey): KeyObject {
  let k = imported.get(mk);
  if (!k) {
    k = createSecretKey(mk.key);
    imported.set(mk, k);
  }
  return k;
}

function gcmSeal(key: Uint8Array | KeyObject, plaintext: Uint8Array, aad: string): string {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  return `v1.${nonce.toString('base64url')}.${ct.toString('base64url')}`;
}

function gcmOpen(key: Uint8Array | KeyObject, text: string, aad: string): Buffer {
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
  appId: string;
  userKey: string;
  walletId: string;
}

export type Column = 'auth_share' | 'sealed' | 'prev_auth_share' | 'prev_sealed';

/** The additional-data version every write uses. */
export const AT_REST_V = 2;

const dekAad = (kid: string, row: RowContext, v: number) =>
  v === 1
    ? JSON.stringify(['trine/at-rest/v1/data-key', kid, row.userKey, row.walletId])
    : JSON.stringify(['trine/at-rest/v2/data-key', kid, row.appId, row.userKey, row.walletId]);
const colAad = (column: Column, row: RowContext, v: number) =>
  v === 1
    ? JSON.stringify(['trine/at-rest/v1/column', column, row.userKey, row.walletId])
    : JSON.stringify(['trine/at-rest/v2/column', column, row.appId, row.userKey, row.walletId]);

function version(v: number): number {
  if (v !== 1 && v !== 2) throw new AtRestError(`unknown at-rest version ${v}`);
  return v;
}

export interface SealedRow {
  dataKey: string;
  masterKid: string;
  atRestV: number;
  authShareCt: string;
  sealedCt: string;
  prevAuthShareCt: string | null;
  prevSealedCt: string | null;
}

/** The secret columns of a row, in clear (UTF-8 JSON texts). */
export interface RowSecrets {
  authShare: string;
  sealed: string;
  /** The kept previous epoch's values; both or neither. */
  prev?: { authShare: string; sealed: string } | null;
}

/** Encrypts a row's secret columns under a fresh data key (additional data version 2). */
export function sealRow(keyring: Keyring, row: RowContext, values: RowSecrets): SealedRow {
  const dek = randomBytes(32);
  const v = AT_REST_V;
  const col = (column: Column, text: string) =>
    gcmSeal(dek, Buffer.from(text, 'utf8'), colAad(column, row, v));
  try {
    return {
      dataKey: gcmSeal(masterKeyObject(keyring.current), dek, dekAad(keyring.current.kid, row, v)),
      masterKid: keyring.current.kid,
      atRestV: v,
      authShareCt: col('auth_share', values.authShare),
      sealedCt: col('sealed', values.sealed),
      prevAuthShareCt: values.prev ? col('prev_auth_share', values.prev.authShare) : null,
      prevSealedCt: values.prev ? col('prev_sealed', values.prev.sealed) : null,
    };
  } finally {
    dek.fill(0);
  }
}

function unwrap(
  keyring: Keyring,
  row: RowContext,
  stored: { dataKey: string; masterKid: string; atRestV: number },
) {
  const mk = keyring.byKid.get(stored.masterKid);
  if (!mk) throw new AtRestError(`master key "${stored.masterKid}" is not configured`);
  return gcmOpen(masterKeyObject(mk), stored.dataKey, dekAad(mk.kid, row, version(stored.atRestV)));
}

function columnText(stored: SealedRow, column: Column): string | null {
  if (column === 'auth_share') return stored.authShareCt;
  if (column === 'sealed') return stored.sealedCt;
  if (column === 'prev_auth_share') return stored.prevAuthShareCt;
  return stored.prevSealedCt;
}

/** Decrypts one column of a stored row (UTF-8 JSON text). */
export function openColumn(
  keyring: Keyring,
  row: RowContext,
  stored: SealedRow,
  column: Column,
): string {
  const ct = columnText(stored, column);
  if (ct === null) throw new AtRestError(`column ${column} is empty`);
  const dek = unwrap(keyring, row, stored);
  try {
    const pt = gcmOpen(dek, ct, colAad(column, row, version(stored.atRestV)));
    const text = pt.toString('utf8');
    pt.fill(0);
    return text;
  } finally {
    dek.fill(0);
  }
}

/** Decrypts every secret column of a row (a re-share or an upgrade re-encrypts them). */
export function openRow(keyring: Keyring, row: RowContext, stored: SealedRow): RowSecrets {
  const prev =
    stored.prevAuthShareCt !== null && stored.prevSealedCt !== null
      ? {
          authShare: openColumn(keyring, row, stored, 'prev_auth_share'),
          sealed: openColumn(keyring, row, stored, 'prev_sealed'),
        }
      : null;
  return {
    authShare: openColumn(keyring, row, stored, 'auth_share'),
    sealed: openColumn(keyring, row, stored, 'sealed'),
    prev,
  };
}

/** Re-wraps a row's data key under the current master key (rotation). */
export function rewrapDataKey(
  keyring: Keyring,
  row: RowContext,
  stored: { dataKey: string; masterKid: string; atRestV: number },
): { dataKey: string; masterKid: string } {
  const dek = unwrap(keyring, row, stored);
  try {
    return {
      dataKey: gcmSeal(
        masterKeyObject(keyring.current),
        dek,
        dekAad(keyring.current.kid, row, stored.atRestV),
      ),
      masterKid: keyring.current.kid,
    };
  } finally {
    dek.fill(0);
  }
}
