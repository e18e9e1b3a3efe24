/**
 * @module test/events — the events API and the one-statement auth-share read (issue 8
 * item 6, issue 13 item 1), on PGlite and PostgreSQL: security events apart from routine
 * reads (no number of reads removes one; the request role cannot delete them), paginated
 * pages of each kind, the read's limits counted in its own statement (a limited read
 * releases and audits nothing), and row-level security still applied inside
 * trine_read_auth_share.
 */

import { userKeyOf } from '@trine/server-kit/token';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withUser } from '../src/db/open.ts';
import { createWalletStore } from '../src/db/wallet-store.ts';
import { resultRows, sweep } from '../src/limits/rate-limit.ts';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  createBody,
  expectProblem,
  GENEROUS,
  makeVault,
  openBackend,
  PUBLIC_URL,
  reshareBody,
  snapshot,
  type TestVault,
} from './helpers.ts';

const W = '/v1/apps/dev/wallet';
const keyOf = (sub: string) => userKeyOf(`${PUBLIC_URL}/dev`, sub);
type Ev = { id: number; action: string; epoch: number | null; at: string; ip: string | null };

describe.each(BACKENDS)(`events and the fast read on %s${BACKEND_NOTE}`, (kind) => {
  let be: Backend;
  let v: TestVault;
  let alice: string;
  beforeAll(async () => {
    be = await openBackend(kind);
  });
  afterAll(async () => be.close());
  beforeEach(async () => {
    await be.reset();
    v = await makeVault(be.database);
    alice = await v.token('alice');
  });
  const events = async (query = '', token = alice) => {
    const r = await call(v.app, 'GET', `${W}/events${query}`, { token });
    expect(r.status).toBe(200);
    return r.json as { events: Ev[]; next: number | null };
  };
  const readAll = async (k: 'security' | 'reads', limit: number) => {
    const all: Ev[] = [];
    let before: number | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page = await events(
        `?kind=${k}&limit=${limit}${before === null ? '' : `&before=${before}`}`,
      );
      expect(page.events.length).toBeLessThanOrEqual(limit);
      all.push(...page.events);
      if (page.next === null) return all;
      expect(page.next).toBe(page.events.at(-1)?.id);
      before = page.next;
    }
    throw new Error('no end of pages');
  };

  it('security events and routine reads are two kinds, newest first, each paginated', async () => {
    const body = createBody();
    expect((await call(v.app, 'POST', W, { token: alice, body })).status).toBe(201);
    for (let i = 0; i < 7; i++) {
      expect((await call(v.app, 'GET', `${W}/auth-share`, { token: alice })).status).toBe(200);
    }
    const re = await call(v.app, 'PUT', `${W}/shares`, {
      token: alice,
      body: reshareBody({ walletId: body.walletId, keyId: body.keyId }, 1),
    });
    expect(re.status).toBe(200);
    expect((await call(v.app, 'GET', `${W}/auth-share?epoch=1`, { token: alice })).status).toBe(
      200,
    );
    expect((await call(v.app, 'POST', `${W}/recovery`, { token: alice })).status).toBe(200);
    expect(
      (
        await call(v.app, 'POST', `${W}/commit`, {
          token: alice,
          body: { epoch: 2 },
          sign: body.walletId,
        })
      ).status,
    ).toBe(200);
    expect((await call(v.app, 'DELETE', W, { token: alice, sign: body.walletId })).status).toBe(
      204,
    );

    const security = await events();
    expect(security.next).toBeNull();
    expect(security.events.map((e) => [e.action, e.epoch])).toEqual([
      ['wallet.delete', 2],
      ['wallet.commit', 2],
      ['recovery.read', 2],
      ['auth_share.read_previous', 1],
      ['shares.reshare', 2],
      ['wallet.create', 1],
    ]);
    for (const e of security.events) {
      expect(Object.keys(e).sort()).toEqual(
        ['action', 'at', 'createdAt', 'epoch', 'id', 'ip', 'walletId'].sort(),
      );
      expect(new Date(e.at).toISOString()).toBe(e.at);
      expect(e.ip).toBe('198.51.100.7'); // the helper's client address
    }
    expect(await events('?kind=security')).toEqual(security);
    const reads = await events('?kind=reads');
    expect(reads.events.map((e) => [e.action, e.epoch])).toEqual(
      Array.from({ length: 7 }, () => ['auth_share.read', 1]),
    );
    const ids = reads.events.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    // pages of 3 (and of 1) give the same events, none twice, none left out
    expect(await readAll('reads', 3)).toEqual(reads.events);
    expect(await readAll('reads', 1)).toEqual(reads.events);
    expect(await readAll('security', 4)).toEqual(security.events);
    // a page past the oldest is empty
    expect(await events(`?kind=reads&before=${Math.min(...ids)}`)).toEqual({
      events: [],
      next: null,
    });
  });

  it('limit defaults to 50 and is at most 100; bad queries → 400 invalid_body, nothing changes', async () => {
    expect((await call(v.app, 'POST', W, { token: alice, body: createBody() })).status).toBe(201);
    for (let i = 0; i < 55; i++) {
      expect((await call(v.app, 'GET', `${W}/auth-share`, { token: alice })).status).toBe(200);
    }
    const first = await events('?kind=reads');
    expect(first.events).toHaveLength(50);
    expect(first.next).toBe(first.events[49]?.id);
    const rest = await events(`?kind=reads&before=${first.next}`);
    expect(rest.events).toHaveLength(5);
    expect(rest.next).toBeNull();
    expect((await events('?kind=reads&limit=100')).events).toHaveLength(55);
    const before = await snapshot(be.database);
    for (const q of [
      '?kind=all',
      '?kind=',
      '?limit=0',
      '?limit=101',
      '?limit=5x',
      '?before=0',
      '?before=-3',
      '?before=abc',
      '?before=99999999999999999999',
    ]) {
      expectProblem(
        await call(v.app, 'GET', `${W}/events${q}`, { token: alice }),
        400,
        'invalid_body',
      );
    }
    expect(await snapshot(be.database)).toBe(before);
  });

  it('another user sees none of alice’s events of either kind', async () => {
    expect((await call(v.app, 'POST', W, { token: alice, body: createBody() })).status).toBe(201);
    expect((await call(v.app, 'GET', `${W}/auth-share`, { token: alice })).status).toBe(200);
    const bob = await v.token('bob');
    expect(await events('', bob)).toEqual({ events: [], next: null });
    expect(await events('?kind=reads', bob)).toEqual({ events: [], next: null });
    // paging with one of alice's ids shows bob nothing of hers either
    const aliceRead = (await events('?kind=reads')).events[0]?.id as number;
    expect(await events(`?kind=reads&before=${aliceRead + 1}`, bob)).toEqual({
      events: [],
      next: null,
    });
  });

  it('no number of reads removes a security event; the sweep prunes only old reads; the request role cannot delete security events', async () => {
    const body = createBody();
    expect((await call(v.app, 'POST', W, { token: alice, body })).status).toBe(201);
    expect((await call(v.app, 'POST', `${W}/recovery`, { token: alice })).status).toBe(200);
    await Promise.all(
      Array.from({ length: 300 }, () => call(v.app, 'GET', `${W}/auth-share`, { token: alice })),
    );
    await sweep(be.database.db);
    const security = (await events()).events.map((e) => e.action);
    expect(security).toEqual(['recovery.read', 'wallet.create']);
    expect(await readAll('reads', 100)).toHaveLength(300);
    // age the security events and most reads far beyond the reads' retention
    const db = be.database.db;
    await db.execute(sql`update audit_events set created_at = now() - interval '3000 days'`);
    await db.execute(
      sql`update read_events set created_at = now() - interval '91 days' where id in (select id from read_events order by id limit 290)`,
    );
    await db.execute(
      sql`update read_events set created_at = now() - interval '3 days' where id in (select id from read_events order by id desc limit 5)`,
    );
    await sweep(db);
    expect((await events()).events.map((e) => e.action)).toEqual(security);
    expect(await readAll('reads', 100)).toHaveLength(10);
    // the retention has a floor of 7 days whatever the caller asks
    const pruned = await withUser(db, { appId: 'dev', userKey: keyOf('alice') }, async (tx) =>
      resultRows<{ n: string | number }>(await tx.execute(sql`select trine_prune_reads(0) as n`)),
    );
    expect(Number(pruned[0]?.n)).toBe(0);
    expect(await readAll('reads', 100)).toHaveLength(10);
    // the attacker with the request role: no DELETE or UPDATE on security events
    for (const q of [
      sql`delete from audit_events`,
      sql`update audit_events set action = 'x'`,
      sql`delete from read_events`,
    ]) {
      await expect(
        withUser(db, { appId: 'dev', userKey: keyOf('alice') }, (tx) => tx.execute(q)),
      ).rejects.toThrow();
    }
    expect((await events()).events.map((e) => e.action)).toEqual(security);
  });

  it('the read counts the IP and the user limit in its own statement; a limited read releases and audits nothing', async () => {
    const lv = await makeVault(be.database, {
      limits: { ...GENEROUS, ip: { limit: 4, windowSec: 60 }, user: { limit: 2, windowSec: 60 } },
    });
    const t = await lv.token('dora');
    expect(
      (await call(lv.app, 'POST', W, { token: t, body: createBody(), ip: '192.0.2.50' })).status,
    ).toBe(201);
    // user limit: the create counted 1, one read more, then 429 from another IP
    expect(
      (await call(lv.app, 'GET', `${W}/auth-share`, { token: t, ip: '192.0.2.51' })).status,
    ).toBe(200);
    const before = await snapshot(be.database);
    const limited = await call(lv.app, 'GET', `${W}/auth-share`, { token: t, ip: '192.0.2.52' });
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).not.toContain('share');
    expect(await snapshot(be.database)).toBe(before);
    // IP limit: refused requests (bad token, unknown app, bad query) count before the read
    const ip = '192.0.2.60';
    const erin = await lv.token('erin');
    expectProblem(
      await call(lv.app, 'GET', `${W}/auth-share`, { token: 'x.y.z', ip }),
      401,
      'unauthorized',
    );
    expectProblem(
      await call(lv.app, 'GET', '/v1/apps/nope/wallet/auth-share', { token: erin, ip }),
      404,
      'app_not_found',
    );
    expectProblem(
      await call(lv.app, 'GET', `${W}/auth-share?epoch=0`, { token: erin, ip }),
      400,
      'invalid_body',
    );
    expectProblem(
      await call(lv.app, 'GET', `${W}/auth-share`, { token: erin, ip }),
      404,
      'not_found',
    );
    // the 5th request from this IP: 429 whatever it carries (a good token or a bad one)
    expectProblem(
      await call(lv.app, 'GET', `${W}/auth-share`, { token: erin, ip }),
      429,
      'rate_limited',
    );
    expectProblem(
      await call(lv.app, 'GET', `${W}/auth-share`, { token: 'x.y.z', ip }),
      429,
      'rate_limited',
    );
  });

  it('the per-user read limit holds across two vault instances with separate pools', async () => {
    const limits = { ...GENEROUS, user: { limit: 6, windowSec: 60 } };
    const v1 = await makeVault(be.database, { limits });
    const second = await be.openSecond();
    const v2 = await makeVault(second, { limits, keyring: v1.keyring });
    const t = await v1.token('frank');
    expect((await call(v1.app, 'POST', W, { token: t, body: createBody() })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(i % 2 ? v2.app : v1.app, 'GET', `${W}/auth-share`, { token: t }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
    // every released share is audited, and only those
    const reads = resultRows(
      await be.database.db.execute(
        sql`select id from read_events where user_key = ${keyOf('frank')}`,
      ),
    );
    expect(reads).toHaveLength(5);
  });

  it('row-level security still applies inside trine_read_auth_share and to read_events', async () => {
    const aliceBody = createBody();
    expect((await call(v.app, 'POST', W, { token: alice, body: aliceBody })).status).toBe(201);
    const bob = await v.token('bob');
    expect((await call(v.app, 'POST', W, { token: bob, body: createBody() })).status).toBe(201);
    for (const t of [alice, bob]) {
      expect((await call(v.app, 'GET', `${W}/auth-share`, { token: t })).status).toBe(200);
    }
    const db = be.database.db;
    // the request role with alice's subject sees her rows only, in every user table
    await withUser(db, { appId: 'dev', userKey: keyOf('alice') }, async (tx) => {
      for (const table of ['wallets', 'read_events', 'audit_events']) {
        const rows = resultRows<{ user_key: string }>(
          await tx.execute(sql`select user_key from ${sql.identifier(table)}`),
        );
        expect(rows.length).toBeGreaterThan(0);
        expect(new Set(rows.map((r) => r.user_key))).toEqual(new Set([keyOf('alice')]));
      }
    });
    // and cannot write a read event for bob
    await expect(
      withUser(db, { appId: 'dev', userKey: keyOf('alice') }, (tx) =>
        tx.execute(
          sql`insert into read_events (app_id, user_key, epoch) values ('dev', ${keyOf('bob')}, 1)`,
        ),
      ),
    ).rejects.toThrow();
    // the same subject under another app sees nothing
    await withUser(db, { appId: 'other', userKey: keyOf('alice') }, async (tx) => {
      expect(resultRows(await tx.execute(sql`select 1 from read_events`))).toHaveLength(0);
    });
    const policies = resultRows<{ qual: string }>(
      await db.execute(sql`select qual from pg_policies where tablename = 'read_events'`),
    );
    expect(policies).toHaveLength(1);
    expect(String(policies[0]?.qual)).toContain('trine.app_id');
    expect(String(policies[0]?.qual)).toContain('trine.user_key');
    // the function reads through the policy (as trine_app, not as the caller): with a
    // policy that hides every row, alice's own row is not found. The test runs as the
    // table owner (a superuser on PGlite), whom RLS would not stop.
    const store = createWalletStore(db, v.keyring);
    const aliceWho = { appId: 'dev', userKey: keyOf('alice'), ip: '-', requestId: '-' };
    expect((await store.authShare(aliceWho)).authShare).toContain(aliceBody.authShare.share);
    let seen: unknown = null;
    await db
      .transaction(async (tx) => {
        await tx.execute(sql`drop policy wallets_own on wallets`);
        await tx.execute(sql`create policy wallets_own on wallets to trine_app using (false)`);
        seen = resultRows<{ outcome: string; cu: string }>(
          await tx.execute(
            sql`select f.outcome, current_user as cu from trine_read_auth_share('dev', ${keyOf('alice')}, null, '-', '-', null, null, null, null, null, null) f`,
          ),
        )[0];
        throw new Error('rollback');
      })
      .catch(() => {});
    expect(seen).toEqual({ outcome: 'not_found', cu: 'trine_app' });
    // rolled back: the real policy is back and alice reads again
    expect((await store.authShare(aliceWho)).authShare).toContain(aliceBody.authShare.share);
  });
});
