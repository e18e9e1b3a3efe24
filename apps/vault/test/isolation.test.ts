/**
 * @module test/isolation — app isolation in the database (issue 8, item 4): row-level
 * security and the at-rest additional data bind app_id; two apps with one (issuer,
 * audience) pair are refused at load; the app realm configuration; and the migration of
 * a wallet written before this change (a real database migrated from 0001 to the
 * latest), on PGlite and PostgreSQL.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { userKeyOf } from '@trine/server-kit/token';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AppConfig,
  assertDistinctIssuers,
  createRegistry,
  loadAppsFile,
} from '../src/apps/registry.ts';
import { loadConfig } from '../src/config.ts';
import {
  generateMasterKey,
  type Keyring,
  openColumn,
  parseMasterKeys,
  sealRow,
} from '../src/crypto/at-rest.ts';
import { rotateMasterKeys } from '../src/crypto/rotate.ts';
import { type Database, MIGRATIONS_FOLDER, openDatabase, withUser } from '../src/db/open.ts';
import { wallets } from '../src/db/schema.ts';
import { createWalletStore, legacyWalletCount } from '../src/db/wallet-store.ts';
import { buildVault } from '../src/vault.ts';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  createBody,
  expectProblem,
  makeIssuer,
  makeVault,
  mgmtPublic,
  newIds,
  openBackend,
  PG_URL,
  PUBLIC_URL,
  reshareBody,
  sealedV2,
  snapshot,
  type TestVault,
} from './helpers.ts';

const W = '/v1/apps/dev/wallet';
const rowsOf = (r: unknown): Record<string, unknown>[] =>
  Array.isArray(r) ? r : (r as { rows: Record<string, unknown>[] }).rows;
const aliceKey = userKeyOf(`${PUBLIC_URL}/dev`, 'alice');
const who = (appId: string, userKey = aliceKey) => ({ appId, userKey, ip: '-', requestId: '-' });

/**
 * The at-rest format before app_id was bound (additional data version 1), exactly as
 * crypto/at-rest.ts wrote it until migration 0002: what a legacy row holds.
 */
function sealRowV1(
  keyring: Keyring,
  row: { userKey: string; walletId: string },
  values: { authShare: string; sealed: string },
) {
  const gcm = (key: Uint8Array, pt: Uint8Array, aad: string) => {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
    return `v1.${nonce.toString('base64url')}.${ct.toString('base64url')}`;
  };
  const dek = randomBytes(32);
  const col = (column: string, text: string) =>
    gcm(
      dek,
      Buffer.from(text, 'utf8'),
      JSON.stringify(['trine/at-rest/v1/column', column, row.userKey, row.walletId]),
    );
  return {
    dataKey: gcm(
      keyring.current.key,
      dek,
      JSON.stringify(['trine/at-rest/v1/data-key', keyring.current.kid, row.userKey, row.walletId]),
    ),
    masterKid: keyring.current.kid,
    authShareCt: col('auth_share', values.authShare),
    sealedCt: col('sealed', values.sealed),
  };
}

describe.each(BACKENDS)(`app isolation on %s${BACKEND_NOTE}`, (kind) => {
  let be: Backend;
  let v: TestVault;
  let alice: string;
  beforeAll(async () => {
    be = await openBackend(kind);
    v = await makeVault(be.database);
    alice = await v.token('alice');
  });
  afterAll(async () => be.close());
  beforeEach(async () => be.reset());

  it('RLS binds app_id: the app role with the right user but another app sees and changes 0 rows', async () => {
    expect((await call(v.app, 'POST', W, { token: alice, body: createBody() })).status).toBe(201);
    const db = be.database.db;
    const right = await withUser(db, { appId: 'dev', userKey: aliceKey }, (tx) =>
      tx.select().from(wallets),
    );
    expect(right).toHaveLength(1);
    const as = (appId: string) => ({ appId, userKey: aliceKey });
    for (const appId of ['other', 'DEV', '', 'dev ']) {
      expect(await withUser(db, as(appId), (tx) => tx.select().from(wallets))).toHaveLength(0);
      const audits = await withUser(db, as(appId), (tx) =>
        tx.execute(sql`select count(*)::int as n from audit_events`),
      );
      expect(rowsOf(audits)[0]!.n).toBe(0);
      const upd = await withUser(db, as(appId), (tx) =>
        tx.update(wallets).set({ epoch: 99 }).returning(),
      );
      expect(upd).toHaveLength(0);
      const del = await withUser(db, as(appId), (tx) => tx.delete(wallets).returning());
      expect(del).toHaveLength(0);
    }
    // WITH CHECK: under app "other" a row of app "dev" cannot be written, nor moved there
    await expect(
      withUser(db, as('other'), (tx) =>
        tx.execute(
          sql`insert into audit_events (app_id, user_key, action) values ('dev', ${aliceKey}, 'x')`,
        ),
      ),
    ).rejects.toThrow();
    await expect(
      withUser(db, as('dev'), (tx) => tx.execute(sql`update wallets set app_id = 'other'`)),
    ).rejects.toThrow();
    expect(await db.select().from(wallets)).toHaveLength(1);
    const policies = rowsOf(
      await db.execute(
        sql`select policyname, qual from pg_policies where tablename in ('wallets', 'audit_events') order by policyname`,
      ),
    );
    expect(policies).toHaveLength(2);
    for (const p of policies) expect(String(p.qual)).toContain('trine.app_id');
  });

  it('at-rest additional data binds app_id: a row copied to another app (same user, wallet) fails to open', async () => {
    const body = createBody();
    expect((await call(v.app, 'POST', W, { token: alice, body })).status).toBe(201);
    const db = be.database.db;
    // the operator (owner) copies alice's dev row into app "other" under the same user key
    await db.execute(sql`insert into wallets
      select 'other', user_key, wallet_id, key_id, network, base_address, reward_address, epoch,
        recovery_epoch, question, data_key, master_kid, auth_share_ct, sealed_ct, created_at,
        updated_at, at_rest_v, management_key, sealed_v, prev_epoch, prev_question,
        prev_auth_share_ct, prev_sealed_ct
      from wallets where app_id = 'dev'`);
    const store = createWalletStore(db, v.keyring);
    expect((await store.authShare(who('dev'))).authShare).toContain(body.authShare.share);
    await expect(store.authShare(who('other'))).rejects.toThrow(
      'stored ciphertext failed authentication',
    );
    await expect(store.recovery(who('other'))).rejects.toThrow(
      'stored ciphertext failed authentication',
    );
    // unit level: each column's additional data names the app
    const ctx = { appId: 'dev', userKey: aliceKey, walletId: body.walletId };
    const row = sealRow(v.keyring, ctx, { authShare: 'a', sealed: 's' });
    expect(openColumn(v.keyring, ctx, row, 'auth_share')).toBe('a');
    expect(() => openColumn(v.keyring, { ...ctx, appId: 'other' }, row, 'auth_share')).toThrow(
      'stored ciphertext failed authentication',
    );
    expect(() => openColumn(v.keyring, ctx, { ...row, atRestV: 1 }, 'auth_share')).toThrow(
      'stored ciphertext failed authentication',
    );
    expect(() => openColumn(v.keyring, ctx, { ...row, atRestV: 3 }, 'auth_share')).toThrow(
      'unknown at-rest version 3',
    );
    expect(() =>
      openColumn(v.keyring, ctx, { ...row, prevAuthShareCt: row.authShareCt }, 'prev_auth_share'),
    ).toThrow('stored ciphertext failed authentication');
  });

  it('two apps with one (issuer, audience) pair are refused: apps file, static list, table apps, vault start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-apps-'));
    try {
      const idp = await makeIssuer('https://idp.shared.test/', 'shop');
      const app = (id: string, aud: string | string[]) => ({
        id,
        name: id,
        allowedOrigins: [],
        issuers: [{ iss: idp.iss, aud, jwks: idp.jwks }],
        networks: ['preprod'],
      });
      const file = (apps: unknown[]) => {
        const p = join(dir, `apps-${randomBytes(4).toString('hex')}.json`);
        writeFileSync(p, JSON.stringify({ apps }));
        return p;
      };
      expect(loadAppsFile(file([app('a', 'shop'), app('b', 'blog')]))).toHaveLength(2);
      expect(() => loadAppsFile(file([app('a', 'shop'), app('b', ['blog', 'shop'])]))).toThrow(
        'apps "a" and "b" both trust issuer https://idp.shared.test/ with audience shop',
      );
      expect(() => loadAppsFile(file([app('a', 'shop'), app('a', 'blog')]))).toThrow(
        'app id "a" appears twice',
      );
      // one app may list the same pair twice (harmless), another app may not
      expect(() =>
        assertDistinctIssuers([app('a', ['shop', 'shop']) as unknown as AppConfig]),
      ).not.toThrow();
      const statics = loadAppsFile(file([app('a', 'shop')]));
      expect(() =>
        createRegistry([...statics, ...loadAppsFile(file([app('b', 'shop')]))], be.database.db),
      ).toThrow('both trust issuer');
      // a table app colliding with a static one: refused when read, with a message
      await be.database.db.execute(
        sql`insert into apps (id, name, allowed_origins, issuers, networks) values ('tbl', 'T', '[]', ${JSON.stringify([{ iss: idp.iss, aud: 'shop', jwks: idp.jwks }])}, '["preprod"]')`,
      );
      const heard: string[] = [];
      const reg = createRegistry(statics, be.database.db, (m) => heard.push(m));
      expect(await reg.get('tbl')).toBeNull();
      expect(heard).toEqual([
        'app tbl refused: apps "a" and "tbl" both trust issuer https://idp.shared.test/ with audience shop: a token for one would be accepted by the other; give each app its own audience',
      ]);
      expect(await reg.get('a')).not.toBeNull();
      // the vault refuses to start with the file + table together
      const config = loadConfig(
        {
          TRINE_ENV: 'development',
          TRINE_DATA_DIR: join(dir, 'data'),
          TRINE_APPS_FILE: file([app('a', 'shop')]),
        },
        dir,
      );
      await expect(buildVault(config, { database: be.database })).rejects.toThrow(
        'app configuration: apps "a" and "tbl" both trust issuer',
      );
      await be.database.db.execute(sql`delete from apps`);
      const ok = await buildVault(config, { database: be.database });
      expect((await call(ok.app, 'GET', '/v1/apps/a')).status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('app realms: validated at load (1 ≤ t ≤ n ≤ 7, unique ids, 32-byte keys) and served publicly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-apps-'));
    try {
      const idp = await makeIssuer('https://idp.realms.test/', 'realms');
      const key = () => randomBytes(32).toString('base64url');
      const realm = (id: string) => ({ id, url: `https://${id}.example/realm`, publicKey: key() });
      const app = (over: Record<string, unknown>) => ({
        id: 'r',
        name: 'R',
        allowedOrigins: [],
        issuers: [{ iss: idp.iss, aud: idp.aud, jwks: idp.jwks }],
        networks: ['preprod'],
        ...over,
      });
      const load = (over: Record<string, unknown>) => {
        const p = join(dir, `a-${randomBytes(4).toString('hex')}.json`);
        writeFileSync(p, JSON.stringify({ apps: [app(over)] }));
        return loadAppsFile(p);
      };
      const three = [realm('r1'), realm('r2'), realm('r3')];
      const [good] = load({ realms: three, realmThreshold: 2 });
      expect(good!.realms).toEqual(three);
      expect(load({})[0]).toMatchObject({ realms: [], realmThreshold: 0 });
      const short = Buffer.from(randomBytes(31)).toString('base64url');
      const bad: [Record<string, unknown>, string][] = [
        [{ realms: three, realmThreshold: 0 }, 'realmThreshold: must be 1..3'],
        [{ realms: three, realmThreshold: 4 }, 'realmThreshold'],
        [{ realms: three }, 'realmThreshold: must be 1..3'],
        [{ realms: [], realmThreshold: 1 }, 'must be 0 (or absent) without realms'],
        [
          { realms: Array.from({ length: 8 }, (_, i) => realm(`r${i}`)), realmThreshold: 2 },
          'realms',
        ],
        [{ realms: [realm('r1'), realm('r1')], realmThreshold: 1 }, 'realm ids must be unique'],
        [
          {
            realms: [three[0], { ...three[1], publicKey: three[0]!.publicKey }],
            realmThreshold: 1,
          },
          'realm public keys must be distinct',
        ],
        [{ realms: [{ ...three[0], publicKey: short }], realmThreshold: 1 }, 'publicKey'],
        [{ realms: [{ ...three[0], publicKey: `${key()}=` }], realmThreshold: 1 }, 'publicKey'],
        [{ realms: [{ ...three[0], url: 'https://r.example/' }], realmThreshold: 1 }, 'url'],
        [{ realms: [{ ...three[0], url: 'javascript:alert(1)' }], realmThreshold: 1 }, 'url'],
        [{ realms: [{ ...three[0], extra: 1 }], realmThreshold: 1 }, 'realms.0'],
        [{ realms: three, realmThreshold: 1.5 }, 'realmThreshold'],
      ];
      for (const [over, message] of bad) expect(() => load(over)).toThrow(message);
      const served = await makeVault(be.database, {
        registry: createRegistry([good!], be.database.db),
      });
      const r = await call(served.app, 'GET', '/v1/apps/r');
      expect(r.json).toEqual({
        id: 'r',
        name: 'R',
        allowedOrigins: [],
        networks: ['preprod'],
        realms: three,
        realmThreshold: 2,
      });
      // the dev app's realms come from the build options (default: none)
      const config = loadConfig(
        { TRINE_ENV: 'development', TRINE_DATA_DIR: join(dir, 'data') },
        dir,
      );
      const plain = await buildVault(config, { database: be.database });
      expect((await call(plain.app, 'GET', '/v1/apps/dev')).json.realms).toEqual([]);
      const wired = await buildVault(config, {
        database: be.database,
        devRealms: { realms: [three[0]!], realmThreshold: 1 },
      });
      expect((await call(wired.app, 'GET', '/v1/apps/dev')).json).toMatchObject({
        realms: [three[0]],
        realmThreshold: 1,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A database migrated only up to 0001 (the schema before this change). */
async function openAtMigration0001(kind: 'PGlite' | 'PostgreSQL'): Promise<{
  upgrade(): Promise<Database>;
  owner: (q: ReturnType<typeof sql>) => Promise<unknown>;
  close(): Promise<void>;
}> {
  const folder = mkdtempSync(join(tmpdir(), 'trine-mig-'));
  mkdirSync(join(folder, 'meta'));
  for (const f of ['0000_init.sql', '0001_rls.sql'])
    copyFileSync(join(MIGRATIONS_FOLDER, f), join(folder, f));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, 2);
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  if (kind === 'PGlite') {
    const pg = new PGlite();
    const db = drizzlePglite(pg);
    await migratePglite(db, { migrationsFolder: folder });
    let opened: Database | null = null;
    return {
      owner: (q) => db.execute(q),
      upgrade: async () => {
        opened = await openDatabase({ pglite: pg });
        return opened;
      },
      close: async () => {
        rmSync(folder, { recursive: true, force: true });
        await (opened ? opened.close() : pg.close());
      },
    };
  }
  const name = `trine_mig_${randomBytes(6).toString('hex')}`;
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const db = drizzlePostgres(client);
  await migratePostgres(db, { migrationsFolder: folder });
  let opened: Database | null = null;
  return {
    owner: (q) => db.execute(q),
    upgrade: async () => {
      opened = await openDatabase({ url: url.toString(), max: 4 });
      return opened;
    },
    close: async () => {
      rmSync(folder, { recursive: true, force: true });
      await client.end();
      await opened?.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

describe.each(BACKENDS)(`migration of pre-management-key wallets on %s${BACKEND_NOTE}`, (kind) => {
  it('old rows keep working, the next re-share registers the key and moves them on; legacyWalletCount sees them', async () => {
    const at = await openAtMigration0001(kind);
    try {
      const keyring = parseMasterKeys(generateMasterKey('old1'));
      // three wallets written by the vault as it was: no management key, v1 AAD, v1 record
      const legacy: Record<string, ReturnType<typeof createBody>> = {};
      for (const sub of ['alice', 'bob', 'carol']) {
        const ids = newIds();
        const body = createBody(ids);
        legacy[sub] = body;
        const userKey = userKeyOf(`${PUBLIC_URL}/dev`, sub);
        const cols = sealRowV1(
          keyring,
          { userKey, walletId: ids.walletId },
          {
            authShare: JSON.stringify(body.authShare),
            sealed: JSON.stringify(body.recovery.sealed),
          },
        );
        await at.owner(sql`insert into wallets (app_id, user_key, wallet_id, key_id, network,
          base_address, reward_address, epoch, recovery_epoch, question, data_key, master_kid,
          auth_share_ct, sealed_ct) values ('dev', ${userKey}, ${ids.walletId}, ${ids.keyId},
          'preprod', ${body.addresses.base}, ${body.addresses.reward}, 1, 1,
          ${body.recovery.question}, ${cols.dataKey}, ${cols.masterKid}, ${cols.authShareCt},
          ${cols.sealedCt})`);
      }
      const database = await at.upgrade();
      const v = await makeVault(database, { keyring });
      const token = (sub: string) => v.token(sub);
      expect(await legacyWalletCount(database.db)).toBe(3);
      const a = legacy.alice!;
      const alice = await token('alice');
      const meta = (await call(v.app, 'GET', W, { token: alice })).json;
      expect(meta).toMatchObject({ epoch: 1, managementKey: null, previousEpoch: null });
      // reads open the version-1 ciphertexts
      expect(
        (await call(v.app, 'GET', `${W}/auth-share`, { token: alice })).json.authShare,
      ).toEqual(a.authShare);
      expect((await call(v.app, 'POST', `${W}/recovery`, { token: alice })).json.sealed).toEqual(
        a.recovery.sealed,
      );
      // re-share without registering a key: refused; with a bad signature: refused
      const ids = { walletId: a.walletId, keyId: a.keyId };
      const before = await snapshot(database);
      expectProblem(
        await call(v.app, 'PUT', `${W}/shares`, { token: alice, body: reshareBody(ids, 1) }),
        422,
        'management_key_required',
      );
      const withKey = {
        ...reshareBody(ids, 1),
        recovery: { question: 'Q?', sealed: sealedV2(ids, 2) },
        managementKey: mgmtPublic(ids.walletId),
      };
      expectProblem(
        await call(v.app, 'PUT', `${W}/shares`, {
          token: alice,
          body: withKey,
          sign: newIds().walletId,
        }),
        401,
        'management_signature_invalid',
      );
      expect(await snapshot(database)).toBe(before);
      // the one unsigned re-share that registers the key
      const r = await call(v.app, 'PUT', `${W}/shares`, {
        token: alice,
        body: withKey,
        sign: false,
      });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        epoch: 2,
        previousEpoch: 1,
        managementKey: withKey.managementKey,
      });
      expect(await legacyWalletCount(database.db)).toBe(2);
      // the kept legacy epoch is still readable (re-encrypted under the app-bound form)
      expect(
        (await call(v.app, 'GET', `${W}/auth-share?epoch=1`, { token: alice })).json.authShare,
      ).toEqual(a.authShare);
      const row = rowsOf(
        await database.db.execute(
          sql`select at_rest_v, sealed_v from wallets where wallet_id = ${a.walletId}`,
        ),
      )[0]!;
      expect(row).toEqual({ at_rest_v: 2, sealed_v: 2 });
      // from now on it is a managed wallet: unsigned re-share and delete are refused
      expectProblem(
        await call(v.app, 'PUT', `${W}/shares`, {
          token: alice,
          body: { ...reshareBody(ids, 2), managementKey: withKey.managementKey },
          sign: false,
        }),
        401,
        'management_signature_required',
      );
      expectProblem(
        await call(v.app, 'DELETE', W, { token: alice }),
        401,
        'management_signature_required',
      );
      // the legacy exposure: a legacy wallet is deleted with the JWT alone
      expect((await call(v.app, 'DELETE', W, { token: await token('bob') })).status).toBe(204);
      expect(await legacyWalletCount(database.db)).toBe(1);
      // `admin keys rotate` re-encrypts the remaining version-1 row under the app-bound form
      const rot = await rotateMasterKeys(database.db, keyring);
      expect(rot).toEqual({ rewrapped: 1, skipped: 0 });
      const carol = await token('carol');
      expect(
        (await call(v.app, 'GET', `${W}/auth-share`, { token: carol })).json.authShare,
      ).toEqual(legacy.carol!.authShare);
      const left = rowsOf(
        await database.db.execute(sql`select at_rest_v from wallets order by at_rest_v`),
      );
      expect(left.map((x) => x.at_rest_v)).toEqual([2, 2]);
    } finally {
      await at.close();
    }
  });
});
