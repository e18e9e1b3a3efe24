/**
 * Storage guarantees: re-share compare-and-swap under concurrency, row-level security
 * as the app role, and master-key rotation — on PGlite and PostgreSQL.
 */

import { userKeyOf } from '@trine/server-kit/token';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateMasterKey, makeKeyring, parseMasterKeys } from '../src/crypto/at-rest.ts';
import { rotateMasterKeys } from '../src/crypto/rotate.ts';
import { withAppRole, withUser } from '../src/db/open.ts';
import { wallets } from '../src/db/schema.ts';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  createBody,
  expectProblem,
  makeVault,
  openBackend,
  PUBLIC_URL,
  reshareBody,
  type TestVault,
} from './helpers.ts';

const rowsOf = (r: unknown): Record<string, unknown>[] =>
  Array.isArray(r) ? r : (r as { rows: Record<string, unknown>[] }).rows;

describe.each(BACKENDS)(`storage on %s${BACKEND_NOTE}`, (kind) => {
  let be: Backend;
  let v: TestVault;
  let alice: string;
  const W = '/v1/apps/dev/wallet';
  beforeAll(async () => {
    be = await openBackend(kind);
    v = await makeVault(be.database);
    alice = await v.token('alice');
  });
  afterAll(async () => be.close());
  beforeEach(async () => be.reset());

  it('N concurrent re-shares on one epoch: exactly one 200, the rest 409, one consistent epoch stored', async () => {
    const body = createBody();
    expect((await call(v.app, 'POST', W, { token: alice, body })).status).toBe(201);
    const ids = { walletId: body.walletId, keyId: body.keyId };
    for (let round = 1; round <= 3; round++) {
      const bodies = Array.from({ length: 12 }, () => reshareBody(ids, round));
      const results = await Promise.all(
        bodies.map((b) => call(v.app, 'PUT', `${W}/shares`, { token: alice, body: b })),
      );
      const ok = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
      expect(ok).toHaveLength(1);
      for (const r of results) if (r.status !== 200) expectProblem(r, 409, 'stale_epoch');
      const winner = bodies[ok[0]!]!;
      const a = await call(v.app, 'GET', `${W}/auth-share`, { token: alice });
      const s = await call(v.app, 'POST', `${W}/recovery`, { token: alice });
      expect(a.json).toEqual({ epoch: round + 1, authShare: winner.authShare });
      expect(s.json).toEqual({
        epoch: round + 1,
        question: winner.recovery!.question,
        sealed: winner.recovery!.sealed,
      });
      expect(a.json.authShare.epoch).toBe(s.json.sealed.header.epoch);
    }
    const ev = await call(v.app, 'GET', `${W}/events`, { token: alice });
    expect(
      ev.json.events.filter((e: { action: string }) => e.action === 'shares.reshare'),
    ).toHaveLength(3);
  });

  it('re-shares racing across two pools (two vault instances on one database)', async () => {
    const second = await be.openSecond();
    const v2 = await makeVault(second, { keyring: v.keyring });
    const body = createBody();
    expect((await call(v.app, 'POST', W, { token: alice, body })).status).toBe(201);
    const ids = { walletId: body.walletId, keyId: body.keyId };
    const bodies = Array.from({ length: 10 }, () => reshareBody(ids, 1));
    const results = await Promise.all(
      bodies.map((b, i) =>
        call(i % 2 ? v2.app : v.app, 'PUT', `${W}/shares`, { token: alice, body: b }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
  });

  it('row-level security: the app role sees no rows without trine.user_key, only its own with it', async () => {
    const bob = await v.token('bob');
    expect((await call(v.app, 'POST', W, { token: alice, body: createBody() })).status).toBe(201);
    expect((await call(v.app, 'POST', W, { token: bob, body: createBody() })).status).toBe(201);
    const db = be.database.db;
    // the owner (migration role) sees both: the test below can fail
    expect(await db.select().from(wallets)).toHaveLength(2);
    const noKey = await withAppRole(db, (tx) => tx.select().from(wallets));
    expect(noKey).toHaveLength(0);
    const rawNoKey = await withAppRole(db, (tx) =>
      tx.execute(sql`select count(*)::int as n from wallets`),
    );
    expect(rowsOf(rawNoKey)[0]!.n).toBe(0);
    const audits = await withAppRole(db, (tx) =>
      tx.execute(sql`select count(*)::int as n from audit_events`),
    );
    expect(rowsOf(audits)[0]!.n).toBe(0);
    const aliceKey = userKeyOf(`${PUBLIC_URL}/dev`, 'alice');
    const mine = await withUser(db, { appId: 'dev', userKey: aliceKey }, (tx) =>
      tx.select().from(wallets),
    );
    expect(mine.map((w) => w.userKey)).toEqual([aliceKey]);
    const stranger = await withUser(
      db,
      { appId: 'dev', userKey: userKeyOf(`${PUBLIC_URL}/dev`, 'mallory') },
      (tx) => tx.select().from(wallets),
    );
    expect(stranger).toHaveLength(0);
    // updates and deletes without the key touch nothing
    const upd = await withAppRole(db, (tx) => tx.update(wallets).set({ epoch: 99 }).returning());
    expect(upd).toHaveLength(0);
    const del = await withAppRole(db, (tx) => tx.delete(wallets).returning());
    expect(del).toHaveLength(0);
    expect(await db.select().from(wallets)).toHaveLength(2);
    // WITH CHECK: a row for another user cannot be written
    await expect(
      withUser(db, { appId: 'dev', userKey: aliceKey }, (tx) =>
        tx.execute(sql`update wallets set user_key = 'x' where user_key = ${aliceKey}`),
      ),
    ).rejects.toThrow();
    // the role is not the owner, not a superuser and does not bypass RLS
    const role = rowsOf(
      await db.execute(
        sql`select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = 'trine_app'`,
      ),
    )[0]!;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false });
    const owner = rowsOf(
      await db.execute(sql`select tableowner from pg_tables where tablename = 'wallets'`),
    )[0]!;
    expect(owner.tableowner).not.toBe('trine_app');
    const rls = rowsOf(
      await db.execute(
        sql`select relname, relrowsecurity from pg_class where relname in ('wallets', 'audit_events') order by relname`,
      ),
    );
    expect(rls.map((r) => r.relrowsecurity)).toEqual([true, true]);
  });

  it('master-key rotation re-wraps every row; old rows stay readable during it', async () => {
    const k1 = generateMasterKey('k1');
    const k2 = generateMasterKey('k2');
    const va = await makeVault(be.database, { keyring: parseMasterKeys(k1) });
    const body = createBody();
    expect((await call(va.app, 'POST', W, { token: alice, body })).status).toBe(201);
    // k2 current, k1 still known: reads work before rotation
    const both = parseMasterKeys(`${k2},${k1}`);
    const vb = await makeVault(be.database, { keyring: both });
    expect((await call(vb.app, 'GET', `${W}/auth-share`, { token: alice })).json.authShare).toEqual(
      body.authShare,
    );
    expect(await rotateMasterKeys(be.database.db, both)).toEqual({ rewrapped: 1, skipped: 0 });
    const rows = await be.database.db.select().from(wallets);
    expect(rows.map((r) => r.masterKid)).toEqual(['k2']);
    // now k1 can be dropped
    const only2 = makeKeyring([both.current]);
    const vc = await makeVault(be.database, { keyring: only2 });
    expect((await call(vc.app, 'GET', `${W}/auth-share`, { token: alice })).json.authShare).toEqual(
      body.authShare,
    );
    expect((await call(vc.app, 'POST', `${W}/recovery`, { token: alice })).json.sealed).toEqual(
      body.recovery.sealed,
    );
    // a vault with only k1 can no longer read: 500 without leaking anything
    const r = await call(va.app, 'GET', `${W}/auth-share`, { token: alice });
    expectProblem(r, 500, 'internal');
    expect(r.text).not.toContain(body.authShare.share);
    expect(await rotateMasterKeys(be.database.db, both)).toEqual({ rewrapped: 0, skipped: 0 });
  });

  it('a ciphertext moved to another user’s row does not open', async () => {
    const bob = await v.token('bob');
    expect((await call(v.app, 'POST', W, { token: alice, body: createBody() })).status).toBe(201);
    expect((await call(v.app, 'POST', W, { token: bob, body: createBody() })).status).toBe(201);
    const db = be.database.db;
    const aliceKey = userKeyOf(`${PUBLIC_URL}/dev`, 'alice');
    const bobKey = userKeyOf(`${PUBLIC_URL}/dev`, 'bob');
    // an attacker with write access copies Alice's encrypted columns into Bob's row
    await db.execute(sql`update wallets b set data_key = a.data_key, auth_share_ct = a.auth_share_ct,
      wallet_id = a.wallet_id from wallets a where a.user_key = ${aliceKey} and b.user_key = ${bobKey}`);
    const r = await call(v.app, 'GET', `${W}/auth-share`, { token: bob });
    expectProblem(r, 500, 'internal');
  });
});
