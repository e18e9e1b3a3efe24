/**
 * @module test/helpers — real databases for the realm suite (PGlite always; the
 * PostgreSQL of TRINE_TEST_DATABASE_URL when set, one fresh database per backend), test
 * issuers, a configured realm, the client's side of docs/realms.md done with noble
 * directly (blind / finalize / pad / tag), management signatures and a request helper.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase64Url } from '@trine/core/bytes';
import {
  deriveManagementKey,
  type ManagementKey,
  managementHeaders,
  signManagementRequest,
} from '@trine/core/management-key';
import { sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose';
import postgres from 'postgres';
import type { RealmApp } from '../src/apps/registry.ts';
import { poprfInfo } from '../src/crypto/oprf.ts';
import { type Database, openDatabase } from '../src/db/open.ts';
import type { LimitsConfig } from '../src/limits/rate-limit.ts';
import { createLogger } from '../src/logger.ts';
import { createRealm, type Realm, type RealmOptions } from '../src/realm.ts';

export const PG_URL = process.env.TRINE_TEST_DATABASE_URL ?? '';
/** The backends every storage test runs on. */
export const BACKENDS: ('PGlite' | 'PostgreSQL')[] = PG_URL ? ['PGlite', 'PostgreSQL'] : ['PGlite'];
/** Appended to describe names so a PGlite-only run says so. */
export const BACKEND_NOTE = PG_URL ? '' : ' (PGlite only: TRINE_TEST_DATABASE_URL not set)';

export interface Backend {
  database: Database;
  /** A URL for a second process or pool (PostgreSQL), else null. */
  url: string | null;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database on the test cluster; returns its URL and a dropper. */
export async function freshPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `trine_realm_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export async function openBackend(kind: 'PGlite' | 'PostgreSQL'): Promise<Backend> {
  if (kind === 'PGlite') {
    const pglite = new PGlite();
    const database = await openDatabase({ pglite, closeWithRealm: true });
    return { database, url: null, reset: () => truncate(database), close: () => database.close() };
  }
  const fresh = await freshPgDatabase();
  const database = await openDatabase({ url: fresh.url, max: 16 });
  return {
    database,
    url: fresh.url,
    reset: () => truncate(database),
    close: async () => {
      await database.close();
      await fresh.drop();
    },
  };
}

async function truncate(database: Database) {
  await database.db.execute(
    sql`truncate realm_epochs, realm_registrations, realm_used_nonces, realm_rate_buckets`,
  );
}

const rowsOf = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows);

/** Every row of the realm's state tables (to prove a refused request changed nothing). */
export async function snapshot(database: Database): Promise<string> {
  const reg = await database.db.execute(
    sql`select * from realm_registrations order by app_id, user_key`,
  );
  const ep = await database.db.execute(
    sql`select * from realm_epochs order by app_id, user_key, epoch`,
  );
  const nonces = await database.db.execute(sql`select * from realm_used_nonces order by nonce`);
  return JSON.stringify({ reg: rowsOf(reg), ep: rowsOf(ep), nonces: rowsOf(nonces) });
}

/** One registration row, as the owner sees it. */
export async function registrationRow(database: Database, appId: string, sub: string, iss: string) {
  const r = await database.db.execute(
    sql`select * from realm_registrations where app_id = ${appId} and user_key = ${JSON.stringify([iss, sub])}`,
  );
  return rowsOf(r)[0] as Record<string, unknown> | undefined;
}

export const GENEROUS: LimitsConfig = {
  ip: { limit: 1_000_000, windowSec: 60 },
  user: { limit: 1_000_000, windowSec: 60 },
  freeEvaluations: { limit: 1_000_000, windowSec: 3600 },
};

export interface TestIssuer {
  iss: string;
  aud: string;
  jwks: JSONWebKeySet;
  privateKey: CryptoKey;
  kid: string;
  sign(sub: string, opts?: { exp?: string; claims?: Record<string, unknown> }): Promise<string>;
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
    sign: (sub, o = {}) =>
      new SignJWT(o.claims ?? {})
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(iss)
        .setAudience(aud)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(o.exp ?? '1h')
        .sign(privateKey),
  };
}

let issuers: { dev: TestIssuer; other: TestIssuer } | null = null;
/** The dev issuer (as the vault's would be) and a second app's issuer. */
export async function testIssuers() {
  issuers ??= {
    dev: await makeIssuer('http://vault.test/dev', 'dev'),
    other: await makeIssuer('https://idp.other.test/', 'other-app'),
  };
  return issuers;
}

export const WALLET_ORIGIN = 'http://vault.test';

export interface TestRealm extends Realm {
  seed: Uint8Array;
  logs: string[];
}

/** A realm on `database`: app `dev` (the dev issuer, limit 10) and app `other`. */
export async function makeRealm(
  database: Database,
  over: Partial<RealmOptions> = {},
): Promise<TestRealm> {
  const { dev, other } = await testIssuers();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const seed = over.keySeed ?? randomBytes(32);
  const apps: RealmApp[] = [
    { id: 'other', issuers: [{ iss: other.iss, aud: other.aud, jwks: other.jwks }], guessLimit: 5 },
  ];
  const realm = await createRealm({
    database,
    keySeed: seed,
    realmId: 'realm-test-a',
    apps,
    devIssuer: { iss: dev.iss, aud: dev.aud, jwks: dev.jwks },
    walletOrigins: [WALLET_ORIGIN],
    logger: createLogger('info', sink),
    limits: GENEROUS,
    ...over,
  });
  return Object.assign(realm, { seed, logs });
}

// ---- requests ------------------------------------------------------------------------

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  ip?: string;
}

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON reply, read by tests field by field
  json: any;
  text: string;
}

type Fetchable = {
  request(path: string, init: RequestInit, env?: unknown): Response | Promise<Response>;
};

export async function call(
  app: Fetchable,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: string | undefined;
  if (o.rawBody !== undefined) body = o.rawBody;
  else if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
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
export function expectProblem(r: Reply, status: number, code: string): void {
  if (r.status !== status || r.json?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${r.status} ${r.text.slice(0, 300)}`);
  }
  if (!r.headers.get('content-type')?.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${r.headers.get('content-type')}`);
  }
  for (const k of ['type', 'title', 'status', 'detail', 'code']) {
    if (!(k in r.json)) throw new Error(`problem lacks ${k}`);
  }
}

// ---- the wallet's side (docs/realms.md "Crypto"), with noble directly --------------

const enc = new TextEncoder();

/** Stand-in for `h = Argon2id(answer, salt)`: the realm never sees h, only blinded x. */
export function hOf(answer: string, salt: string): Uint8Array {
  return sha256(enc.encode(`${salt}|${answer}`));
}

/** `x = HKDF(h, info "trine/realm/oprf-input/v1", 32)`. */
export function oprfInput(h: Uint8Array): Uint8Array {
  return hkdf(sha256, h, undefined, enc.encode('trine/realm/oprf-input/v1'), 32);
}

/** `pad_i = HKDF(o_i, info "trine/realm/mask/v1" ‖ realmId ‖ epoch, 33)`. */
export function padOf(o: Uint8Array, realmId: string, epoch: number): Uint8Array {
  return hkdf(sha256, o, undefined, enc.encode(`trine/realm/mask/v1${realmId}${epoch}`), 33);
}

/** `tag_i = HMAC-SHA256(U, "trine/realm/unlock-tag/v1" ‖ realmId ‖ epoch)`. */
export function tagOf(U: Uint8Array, realmId: string, epoch: number): Uint8Array {
  return hmac(sha256, U, enc.encode(`trine/realm/unlock-tag/v1${realmId}${epoch}`));
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((v, i) => v ^ b[i]!);
}

export interface UserCtx {
  appId: string;
  iss: string;
  sub: string;
  walletId: string;
  token: string;
}

export async function user(sub = `u-${randomUUID()}`, appId = 'dev'): Promise<UserCtx> {
  const { dev, other } = await testIssuers();
  const issuer = appId === 'other' ? other : dev;
  return { appId, iss: issuer.iss, sub, walletId: randomUUID(), token: await issuer.sign(sub) };
}

/**
 * Blind, evaluate at the realm over HTTP, verify the proof against the pinned key and
 * finalise: the 64-byte output `o`, and the realm's reply.
 */
export async function evaluateAt(
  realm: { app: Fetchable; publicKey: string },
  u: UserCtx,
  input: Uint8Array,
  epoch: number,
  o: { prefix?: string; headers?: Record<string, string>; body?: Record<string, unknown> } = {},
): Promise<{ output: Uint8Array | null; reply: Reply }> {
  const poprf = ristretto255_oprf.poprf(poprfInfo(u.appId, u.iss, u.sub, u.walletId));
  const b = poprf.blind(input, fromBase64Url(realm.publicKey));
  const body = { walletId: u.walletId, epoch, blinded: toBase64Url(b.blinded), ...o.body };
  const reply = await call(realm.app, 'POST', `${o.prefix ?? ''}/v1/apps/${u.appId}/evaluate`, {
    token: u.token,
    body,
    ...(o.headers ? { headers: o.headers } : {}),
  });
  if (reply.status !== 200) return { output: null, reply };
  const output = poprf.finalize(
    input,
    b.blind,
    fromBase64Url(reply.json.evaluated),
    b.blinded,
    fromBase64Url(reply.json.proof),
    b.tweakedKey,
  );
  return { output, reply };
}

export function mgmtKey(walletId: string): ManagementKey {
  return deriveManagementKey(randomBytes(32), walletId);
}

/** The management headers for a request (path below the realm's base unless given). */
export function signed(
  key: ManagementKey,
  r: {
    method: string;
    path: string;
    appId: string;
    walletId: string;
    expectedEpoch: number | null;
    body?: string;
    now?: number;
  },
): Record<string, string> {
  return managementHeaders(
    signManagementRequest(
      key.secretKey,
      {
        method: r.method,
        path: r.path,
        appId: r.appId,
        walletId: r.walletId,
        expectedEpoch: r.expectedEpoch,
        body: enc.encode(r.body ?? ''),
      },
      r.now !== undefined ? { now: r.now } : {},
    ),
  );
}

/** A registration body with random masked share and tag (the realm cannot tell). */
export function regBody(u: UserCtx, key: ManagementKey, epoch: number, extra = {}) {
  return {
    walletId: u.walletId,
    epoch,
    maskedShare: toBase64Url(randomBytes(33)),
    unlockTag: toBase64Url(randomBytes(32)),
    managementKey: toBase64Url(key.publicKey),
    ...extra,
  };
}

/** A signed PUT registration (expectedEpoch = the latest epoch the realm holds). */
export async function putSigned(
  realm: { app: Fetchable },
  u: UserCtx,
  key: ManagementKey,
  body: Record<string, unknown>,
  expectedEpoch: number,
): Promise<Reply> {
  const raw = JSON.stringify(body);
  const path = `/v1/apps/${u.appId}/registration`;
  return call(realm.app, 'PUT', path, {
    token: u.token,
    rawBody: raw,
    headers: signed(key, {
      method: 'PUT',
      path,
      appId: u.appId,
      walletId: u.walletId,
      expectedEpoch,
      body: raw,
    }),
  });
}
