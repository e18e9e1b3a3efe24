/**
 * @module test/helpers — real databases for the vault suite (PGlite always; the
 * PostgreSQL of TRINE_TEST_DATABASE_URL when set, one fresh database per test file),
 * a configured vault, valid share values in @trine/core's formats, and a request helper.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import {
  deriveManagementKey,
  type ManagementKey,
  managementHeaders,
  signManagementRequest,
} from '@trine/core/management-key';
import { createVerifier } from '@trine/server-kit/token';
import { sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose';
import postgres from 'postgres';
import type { AppConfig } from '../src/apps/registry.ts';
import { createRegistry } from '../src/apps/registry.ts';
import { generateMasterKey, type Keyring, parseMasterKeys } from '../src/crypto/at-rest.ts';
import { type Database, openDatabase } from '../src/db/open.ts';
import { wallets } from '../src/db/schema.ts';
import { createApp, type VaultApp } from '../src/http/app.ts';
import type { AppDeps } from '../src/http/context.ts';
import { type DevIssuer, loadDevIssuer } from '../src/identity/dev-issuer.ts';
import type { LimitsConfig } from '../src/limits/rate-limit.ts';
import { createLogger } from '../src/logger.ts';

export const PG_URL = process.env.TRINE_TEST_DATABASE_URL ?? '';
/** The backends every storage test runs on. */
export const BACKENDS: ('PGlite' | 'PostgreSQL')[] = PG_URL ? ['PGlite', 'PostgreSQL'] : ['PGlite'];
/** Appended to describe names so a PGlite-only run says so. */
export const BACKEND_NOTE = PG_URL ? '' : ' (PGlite only: TRINE_TEST_DATABASE_URL not set)';

export interface Backend {
  database: Database;
  /** Another pool on the same database (PostgreSQL), or the same handle (PGlite). */
  openSecond(): Promise<Database>;
  /** Empties every table (as the owner). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

let pgliteTemplate: PGlite | null = null;

export async function openBackend(kind: 'PGlite' | 'PostgreSQL'): Promise<Backend> {
  if (kind === 'PGlite') {
    pgliteTemplate ??= new PGlite();
    const database = await openDatabase({ pglite: pgliteTemplate });
    return {
      database,
      openSecond: async () => database,
      reset: () => truncate(database),
      close: async () => {
        await database.close();
        pgliteTemplate = null;
      },
    };
  }
  const name = `trine_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), max: 12 });
  const others: Database[] = [];
  return {
    database,
    openSecond: async () => {
      const d = await openDatabase({ url: url.toString(), max: 4 });
      others.push(d);
      return d;
    },
    reset: () => truncate(database),
    close: async () => {
      for (const d of others) await d.close();
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function truncate(database: Database) {
  await database.db.execute(
    sql`truncate wallets, audit_events, read_events, rate_buckets, apps, used_nonces`,
  );
}

/** All wallet rows, audit rows and read rows, as the owner (to prove an error changed nothing). */
export async function snapshot(database: Database) {
  const w = await database.db.select().from(wallets).orderBy(wallets.appId, wallets.userKey);
  const a = await database.db.execute(
    sql`select id, app_id, user_key, action, epoch from audit_events order by id`,
  );
  const r = await database.db.execute(
    sql`select id, app_id, user_key, action, epoch from read_events order by id`,
  );
  const rows = (x: unknown) => (Array.isArray(x) ? x : (x as { rows: unknown[] }).rows);
  return JSON.stringify({ w, a: rows(a), r: rows(r) });
}

export const GENEROUS: LimitsConfig = {
  ip: { limit: 1_000_000, windowSec: 60 },
  user: { limit: 1_000_000, windowSec: 60 },
  recoveryUser: { limit: 1_000_000, windowSec: 3600 },
  recoveryIp: { limit: 1_000_000, windowSec: 3600 },
};

/** A second, independent issuer (for the app `other`). */
export interface TestIssuer {
  iss: string;
  aud: string;
  jwks: JSONWebKeySet;
  privateKey: CryptoKey;
  kid: string;
  sign(sub: string, claims?: Record<string, unknown>): Promise<string>;
}

export async function makeIssuer(iss: string, aud: string): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const pub = { ...(await exportJWK(publicKey)), kid, alg: 'ES256' };
  return {
    iss,
    aud,
    jwks: { keys: [pub] },
    privateKey,
    kid,
    sign: (sub, claims = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(iss)
        .setAudience(aud)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
  };
}

export interface TestVault {
  app: VaultApp;
  dev: DevIssuer;
  other: TestIssuer;
  keyring: Keyring;
  logs: string[];
  /** A dev-issuer token for `sub`. */
  token(sub: string): Promise<string>;
}

export const PUBLIC_URL = 'http://vault.test';
export const WALLET_ORIGIN = 'http://vault.test';
export const HOST_ORIGIN = 'http://localhost:5173';

let sharedDev: DevIssuer | null = null;
let sharedOther: TestIssuer | null = null;

export async function makeVault(
  database: Database,
  over: Partial<AppDeps> = {},
): Promise<TestVault> {
  sharedDev ??= await loadDevIssuer(PUBLIC_URL, null);
  sharedOther ??= await makeIssuer('https://idp.other.test/', 'other-app');
  const dev = sharedDev;
  const other = sharedOther;
  const apps: AppConfig[] = [
    {
      id: 'dev',
      name: 'Dev',
      allowedOrigins: [HOST_ORIGIN],
      issuers: [{ iss: dev.iss, aud: 'dev', jwks: dev.jwks }],
      networks: ['preprod', 'preview'],
      realms: [],
      realmThreshold: 0,
    },
    {
      id: 'other',
      name: 'Other',
      allowedOrigins: ['https://other.example'],
      issuers: [{ iss: other.iss, aud: other.aud, jwks: other.jwks }],
      networks: ['mainnet', 'preprod'],
      realms: [],
      realmThreshold: 0,
    },
  ];
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const keyring = over.keyring ?? parseMasterKeys(generateMasterKey('test1'));
  const app = createApp({
    database,
    keyring,
    registry: createRegistry(apps, database.db),
    verifier: createVerifier(),
    logger: createLogger('info', sink),
    limits: GENEROUS,
    mode: 'development',
    publicUrl: PUBLIC_URL,
    walletOrigins: [WALLET_ORIGIN],
    trustedProxies: [],
    devIssuer: dev,
    ...over,
  });
  return { app, dev, other, keyring, logs, token: (sub) => dev.issue(sub) };
}

// ---- share values in @trine/core's formats -------------------------------------------

const b64 = (n: number) => randomBytes(n).toString('base64url');

export interface WalletIds {
  walletId: string;
  keyId: string;
}

export function newIds(): WalletIds {
  return { walletId: randomUUID(), keyId: randomBytes(28).toString('hex') };
}

/**
 * The management key of each test wallet, derived as the wallet does (from random
 * "entropy" and the walletId), so `call` can sign for it like the wallet would.
 */
const managementKeys = new Map<string, ManagementKey>();

/** The test wallet's management key (created on first use). */
export function mgmtKey(walletId: string): ManagementKey {
  let k = managementKeys.get(walletId);
  if (!k) {
    k = deriveManagementKey(randomBytes(32), walletId);
    managementKeys.set(walletId, k);
  }
  return k;
}

export const mgmtPublic = (walletId: string) =>
  Buffer.from(mgmtKey(walletId).publicKey).toString('base64url');

export function envelope(ids: WalletIds, epoch: number, role = 2) {
  return { v: 1, ...ids, epoch, role, threshold: 2, share: b64(33), tag: b64(16) };
}

export function sealed(ids: WalletIds, epoch: number, role = 3) {
  return {
    v: 1,
    alg: 'A256GCM',
    kdf: { name: 'argon2id', m: 65536, t: 3, p: 1, salt: b64(16) },
    header: { v: 1, ...ids, epoch, role, threshold: 2 },
    nonce: b64(12),
    ciphertext: b64(33 + 16 + 16),
  };
}

const BECH = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const bech = (n: number) => Array.from(randomBytes(n), (x) => BECH[x % 32]).join('');

export function createBody(ids: WalletIds = newIds(), network = 'preprod') {
  const t = network === 'mainnet' ? '' : '_test';
  return {
    ...ids,
    network,
    addresses: { base: `addr${t}1${bech(98)}`, reward: `stake${t}1${bech(53)}` },
    epoch: 1,
    authShare: envelope(ids, 1),
    recovery: { question: 'Name of your first teacher?', sealed: sealed(ids, 1) },
    managementKey: mgmtPublic(ids.walletId),
  };
}

/** A v2 sealed recovery record (docs/realms.md) in the shape core's v2 sealer writes. */
export function sealedV2(ids: WalletIds, epoch: number, realmIds = ['r1', 'r2', 'r3']) {
  const { header, ...v1 } = sealed(ids, epoch);
  return {
    ...v1,
    v: 2,
    header,
    realms: { scheme: 'trine-realm/v1', threshold: 2, ids: realmIds, epoch },
  };
}

export function reshareBody(ids: WalletIds, expectedEpoch: number, withRecovery = true) {
  const epoch = expectedEpoch + 1;
  return {
    expectedEpoch,
    epoch,
    authShare: envelope(ids, epoch),
    ...(withRecovery
      ? { recovery: { question: 'Favourite river?', sealed: sealed(ids, epoch) } }
      : {}),
  };
}

// ---- requests ------------------------------------------------------------------------

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  ip?: string;
  /**
   * Management signature (docs/realms.md). `PUT …/wallet/shares` is signed by default
   * with the key of the body's `authShare.walletId` when the helper knows it; `false`
   * sends none; a walletId signs with that wallet's key (DELETE, commit, or another
   * wallet's key on purpose).
   */
  sign?: string | false;
  /** Overrides of the signed request: clock, nonce, signed path / epoch. */
  signWith?: {
    now?: number;
    nonce?: Uint8Array;
    path?: string;
    appId?: string;
    expectedEpoch?: number | null;
    key?: Uint8Array;
  };
}

/** The walletId and expected epoch a request signs, as the wallet would compute them. */
function signedFields(
  method: string,
  path: string,
  body: unknown,
): { walletId?: string; expectedEpoch: number | null } {
  const epochOf = (x: unknown) =>
    Number.isSafeInteger(x) && (x as number) >= 0 ? (x as number) : 0;
  const b = (body ?? {}) as {
    expectedEpoch?: unknown;
    epoch?: unknown;
    authShare?: { walletId?: unknown };
  };
  if (method === 'PUT') {
    return {
      ...(typeof b.authShare?.walletId === 'string' ? { walletId: b.authShare.walletId } : {}),
      expectedEpoch: epochOf(b.expectedEpoch),
    };
  }
  if (path.endsWith('/commit')) return { expectedEpoch: epochOf(b.epoch) };
  return { expectedEpoch: null };
}

export async function call(
  app: VaultApp,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: string | undefined;
  if (o.rawBody !== undefined) body = o.rawBody;
  else if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  const fields = signedFields(method, path, o.body);
  const signer =
    o.sign === false
      ? undefined
      : (o.sign ??
        (method === 'PUT' && fields.walletId && managementKeys.has(fields.walletId)
          ? fields.walletId
          : undefined));
  if (signer !== undefined) {
    const w = o.signWith ?? {};
    const proof = signManagementRequest(
      w.key ?? mgmtKey(signer).secretKey,
      {
        method,
        path: w.path ?? path.split('?')[0]!,
        appId: w.appId ?? /^\/v1\/apps\/([^/]+)/.exec(path)?.[1] ?? '',
        walletId: signer,
        expectedEpoch: w.expectedEpoch !== undefined ? w.expectedEpoch : fields.expectedEpoch,
        body: new TextEncoder().encode(body ?? ''),
      },
      { ...(w.now !== undefined ? { now: w.now } : {}), ...(w.nonce ? { nonce: w.nonce } : {}) },
    );
    Object.assign(headers, managementHeaders(proof));
  }
  const res = await app.request(
    path,
    { method, headers, ...(body !== undefined ? { body } : {}) },
    { incoming: { socket: { remoteAddress: o.ip ?? '198.51.100.7' } } },
  );
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, headers: res.headers, json, text };
}

/** Asserts an RFC 9457 problem with the code. */
export function expectProblem(
  r: { status: number; headers: Headers; json: any },
  status: number,
  code: string,
) {
  if (r.status !== status || r.json?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${r.status} ${JSON.stringify(r.json)}`);
  }
  if (!r.headers.get('content-type')?.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${r.headers.get('content-type')}`);
  }
  for (const k of ['type', 'title', 'status', 'detail', 'code']) {
    if (!(k in r.json)) throw new Error(`problem lacks ${k}`);
  }
}
