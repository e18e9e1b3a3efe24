/**
 * @module test/realm-world — what the realm tests share: an in-process KDF (the worker's
 * code, run on the test thread at the floor cost), n REAL recovery realms (`createRealm`
 * of apps/realm, each with its own temporary PGlite and its own OPRF key) reached through
 * the wallet's real realm client (the one seam: the `fetch` given to createRealmClient
 * calls `realm.app.fetch`), a real ES256 issuer (the vault's dev issuer code) whose tokens
 * the realms verify, and the smallest Ctx the realm steps read.
 *
 * The realms of one (n, guess limit) are started once per test file and shared; every
 * world is a fresh user (a new `sub`), so worlds never see each other's registrations.
 * Faults are injected in the fetch, not in the realm: `down` (a killed process: the
 * network fails), `crashAfter` (the request takes effect, its answer is lost), `impostor`
 * (the realm's host answers with another OPRF key on the same database: a lying operator).
 * Inspecting or tampering with a realm's state is SQL on its own database.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShareEnvelope } from '@trine/core/envelope';
import { hashAnswer, KDF_FLOOR } from '@trine/core/kdf';
import { openShare, sealShare } from '@trine/core/seal';
import type { SealedRecord } from '@trine/core/sealed-record';
import { createRealm, type Realm } from '@trine/realm';
import { type DevIssuer, loadDevIssuer } from '@trine/vault/src/identity/dev-issuer.ts';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import type { Ctx } from '../src/context.ts';
import type { Kdf } from '../src/kdf-client.ts';
import { createRealmClient, type RealmConfig } from '../src/realm-client.ts';

/** The vault's public URL the dev issuer is named after (iss = `${VAULT_URL}/dev`). */
export const VAULT_URL = 'http://127.0.0.1:8787';
export const ISS = `${VAULT_URL}/dev`;

export const nodeKdf: Kdf = {
  seal: (env: ShareEnvelope, secret: string) => sealShare(env, secret, { kdf: KDF_FLOOR }),
  open: (record: SealedRecord, secret: string) => openShare(record, secret),
  hash: (answer, salt, params) => hashAnswer(answer, salt, params),
  warm: () => undefined,
  close: () => undefined,
  params: KDF_FLOOR,
};

/** Rate limits that never get in a test's way (the realm suite tests the limits). */
export const GENEROUS_LIMITS = {
  ip: { limit: 1_000_000, windowSec: 60 },
  user: { limit: 1_000_000, windowSec: 60 },
  freeEvaluations: { limit: 1_000_000, windowSec: 3600 },
};

const rowsOf = (r: unknown) =>
  (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];

/** A started realm: its config as an app lists it, the realm, its key seed and data folder. */
export interface StartedRealm {
  config: RealmConfig;
  realm: Realm;
  /** The OPRF key seed (TRINE_REALM_KEY): what a thief of this realm would also take. */
  keySeed: Uint8Array;
  dataDir: string;
}

const dirs: string[] = [];
process.once('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Where the dev issuer's key lives (`dev-issuer.jwk.json`): a real vault built on another
 * data folder is given a copy, so it signs and verifies with the key the realms trust.
 */
export const ISSUER_DIR = mkdtempSync(join(tmpdir(), 'trine-issuer-'));
dirs.push(ISSUER_DIR);

let issuer: Promise<DevIssuer> | null = null;
/** The dev issuer (the vault's own code; key in ISSUER_DIR) every realm and vault trust. */
export function devIssuer(): Promise<DevIssuer> {
  issuer ??= loadDevIssuer(VAULT_URL, ISSUER_DIR);
  return issuer;
}

/** Starts a real realm on a temporary PGlite with a fresh key (or `keySeed`). */
export async function startRealm(
  id: string,
  o: { guessLimit?: number; keySeed?: Uint8Array; database?: Realm['database'] } = {},
): Promise<StartedRealm> {
  const dev = await devIssuer();
  const dataDir = mkdtempSync(join(tmpdir(), `trine-${id}-`));
  dirs.push(dataDir);
  const keySeed = o.keySeed ?? randomBytes(32);
  const realm = await createRealm({
    keySeed,
    realmId: id,
    dataDir,
    ...(o.database ? { database: o.database } : {}),
    devIssuer: { iss: dev.iss, aud: dev.aud, jwks: dev.jwks },
    devGuessLimit: o.guessLimit ?? 10,
    // The wallet iframe is served by the vault: its origin is the one a realm allows.
    walletOrigins: [VAULT_URL],
    limits: GENEROUS_LIMITS,
    logger: pino({ level: 'silent' }),
  });
  return {
    config: { id, url: `https://${id}.realm.test`, publicKey: realm.publicKey },
    realm,
    keySeed,
    dataDir,
  };
}

/** One realm as a world sees it: the shared realm, this world's faults and request log. */
export interface WorldRealm extends StartedRealm {
  /** A killed realm process: every request fails at the network. */
  down: boolean;
  /** Make the next request of this "METHOD /suffix" take effect, then lose its answer. */
  crashAfter: string | null;
  /** When set, this realm's host answers with that realm (another key, same database). */
  impostor: Realm | null;
  /** Every request this world sent here (METHOD + path). */
  log: string[];
  /** This world's user's registration at the realm (SQL), or null. */
  registration(): Promise<{
    walletId: string;
    managementKey: string;
    guesses: number;
    epochs: number[];
  } | null>;
  /** Sets this user's guess counter (someone else guessed here). */
  setGuesses(n: number): Promise<void>;
  /** Overwrites this user's stored masked share of `epoch` (the realm lies). */
  setMaskedShare(epoch: number, maskedShare: string): Promise<void>;
}

export interface RealmWorld {
  realms: WorldRealm[];
  ctx: Ctx;
  token: string;
  sub: string;
  /** The user key the realms store: JSON ["iss","sub"]. */
  userKey: string;
  /** One fetch that reaches every realm of the world (routes by origin). */
  fetch: typeof fetch;
  /** What the vault would return from POST …/wallet/recovery. */
  vaultRecovery: { epoch: number; question: string; sealed: SealedRecord } | undefined;
}

const pools = new Map<string, Promise<StartedRealm[]>>();
/**
 * n realms with one guess limit, started once per test file (ids realm-a, realm-b, …).
 * Call it in `beforeAll` so the start-up counts against the hook timeout, not a test's.
 */
export function realmPool(n: number, guessLimit: number): Promise<StartedRealm[]> {
  const key = `${n}/${guessLimit}`;
  let p = pools.get(key);
  if (!p) {
    p = Promise.all(
      Array.from({ length: n }, (_, i) =>
        startRealm(`realm-${String.fromCharCode(97 + i)}`, { guessLimit }),
      ),
    );
    pools.set(key, p);
  }
  return p;
}

/** A fetch that reaches `realms` in process through `realm.app.fetch`, with their faults. */
export function realmsFetch(realms: readonly WorldRealm[]): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    const r = realms.find((x) => url.startsWith(`${x.config.url}/`));
    if (!r || r.down) throw new TypeError('fetch failed');
    const u = new URL(url);
    const method = String(init.method ?? 'GET').toUpperCase();
    r.log.push(`${method} ${u.pathname}`);
    // A browser sends the wallet's Origin on every cross-origin request; the realm checks it.
    const headers = new Headers(init.headers);
    headers.set('origin', VAULT_URL);
    const res = await (r.impostor ?? r.realm).app.fetch(new Request(url, { ...init, headers }));
    const key = `${method} ${u.pathname.replace(/^\/v1\/apps\/[^/]+/, '')}`;
    if (r.crashAfter === key) {
      r.crashAfter = null;
      throw new TypeError('connection reset');
    }
    return res;
  }) as typeof fetch;
}

/** Wraps started realms for one user (`userKey`): faults, log and SQL views. */
export function worldRealms(started: readonly StartedRealm[], userKey: string): WorldRealm[] {
  return started.map((s) => {
    const db = s.realm.database.db;
    const w: WorldRealm = {
      ...s,
      down: false,
      crashAfter: null,
      impostor: null,
      log: [],
      async registration() {
        const reg = rowsOf(
          await db.execute(
            sql`select wallet_id, management_key, guesses from realm_registrations where app_id = 'dev' and user_key = ${userKey}`,
          ),
        )[0];
        if (!reg) return null;
        const eps = rowsOf(
          await db.execute(
            sql`select epoch from realm_epochs where app_id = 'dev' and user_key = ${userKey} order by epoch`,
          ),
        );
        return {
          walletId: String(reg.wallet_id),
          managementKey: String(reg.management_key),
          guesses: Number(reg.guesses),
          epochs: eps.map((e) => Number(e.epoch)),
        };
      },
      async setGuesses(n) {
        await db.execute(
          sql`update realm_registrations set guesses = ${n} where app_id = 'dev' and user_key = ${userKey}`,
        );
      },
      async setMaskedShare(epoch, maskedShare) {
        await db.execute(
          sql`update realm_epochs set masked_share = ${maskedShare} where app_id = 'dev' and user_key = ${userKey} and epoch = ${epoch}`,
        );
      },
    };
    return w;
  });
}

/** A fresh user against n real realms (threshold t, one guess limit). */
export async function realmWorld(n = 3, t = 2, guessLimit = 10): Promise<RealmWorld> {
  const dev = await devIssuer();
  const sub = `user-${randomUUID()}`;
  const token = await dev.issue(sub);
  const userKey = JSON.stringify([ISS, sub]);
  const realms = worldRealms(await realmPool(n, guessLimit), userKey);
  const fetch = realmsFetch(realms);
  const w: RealmWorld = {
    realms,
    ctx: undefined as unknown as Ctx,
    token,
    sub,
    userKey,
    fetch,
    vaultRecovery: undefined,
  };
  const getToken = async () => token;
  w.ctx = {
    appId: 'dev',
    app: {
      appId: 'dev',
      name: 'Dev',
      allowedOrigins: [],
      networks: ['preprod'],
      realms: realms.map((d) => d.config),
      realmThreshold: t,
    },
    getToken,
    kdf: nodeKdf,
    realms: createRealmClient({ appId: 'dev', getToken, fetch }),
    vault: {
      async getRecovery() {
        if (!w.vaultRecovery) throw new Error('test vault: no recovery record');
        return w.vaultRecovery;
      },
    },
  } as unknown as Ctx;
  return w;
}
