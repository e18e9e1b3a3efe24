/**
 * @module test/management — signed management requests (docs/realms.md, invariant 11:
 * a JWT reads, it never destroys), previous-epoch retention until commit (invariant 8),
 * and hostile bodies for the new fields — on PGlite and PostgreSQL. Every refusal is
 * checked against a snapshot of every wallet and audit row (state unchanged).
 */
import { randomBytes } from 'node:crypto';
import { combineShares, splitSecret } from '@trine/core/shamir';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { legacyWalletCount } from '../src/db/wallet-store.ts';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  type CallOptions,
  call,
  createBody,
  expectProblem,
  makeVault,
  mgmtKey,
  mgmtPublic,
  newIds,
  openBackend,
  reshareBody,
  sealed,
  sealedV2,
  snapshot,
  type TestVault,
} from './helpers.ts';

const W = '/v1/apps/dev/wallet';
const rowsOf = (r: unknown): Record<string, unknown>[] =>
  Array.isArray(r) ? r : (r as { rows: Record<string, unknown>[] }).rows;

describe.each(BACKENDS)(`management key and epochs on %s${BACKEND_NOTE}`, (kind) => {
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

  async function create(body = createBody()) {
    const r = await call(v.app, 'POST', W, { token: alice, body });
    expect(r.status).toBe(201);
    return body;
  }

  /** Calls and asserts the problem, and that no wallet or audit row changed. */
  async function refusedUnchanged(
    method: string,
    path: string,
    o: CallOptions,
    status: number,
    code: string,
  ) {
    const before = await snapshot(be.database);
    expectProblem(await call(v.app, method, path, o), status, code);
    expect(await snapshot(be.database)).toBe(before);
  }

  it('create registers the management key and returns it; it is required and checked', async () => {
    const body = createBody();
    const { managementKey: _, ...noKey } = body;
    await refusedUnchanged(
      'POST',
      W,
      { token: alice, body: noKey },
      422,
      'management_key_required',
    );
    const r = await call(v.app, 'POST', W, { token: alice, body });
    expect(r.status).toBe(201);
    expect(r.json.managementKey).toBe(mgmtPublic(body.walletId));
    expect(r.json.previousEpoch).toBeNull();
    expect((await call(v.app, 'GET', W, { token: alice })).json.managementKey).toBe(
      body.managementKey,
    );
  });

  it('PUT shares with a valid JWT but no, a wrong, a replayed, an expired or another wallet’s signature → 401, state unchanged', async () => {
    const body = await create();
    const ids = { walletId: body.walletId, keyId: body.keyId };
    const rb = reshareBody(ids, 1);
    const put = (o: Omit<CallOptions, 'token' | 'body'>, code: string) =>
      refusedUnchanged('PUT', `${W}/shares`, { token: alice, body: rb, ...o }, 401, code);
    await put({ sign: false }, 'management_signature_required');
    // another wallet's key (one the attacker made), and the right key over another walletId
    const mallory = newIds();
    const malloryKey = mgmtKey(mallory.walletId).secretKey;
    await put(
      { sign: ids.walletId, signWith: { key: malloryKey } },
      'management_signature_invalid',
    );
    await put(
      { sign: mallory.walletId, signWith: { key: mgmtKey(ids.walletId).secretKey } },
      'management_signature_invalid',
    );
    // right key, wrong fields signed: path, app, expected epoch
    for (const signWith of [
      { path: `${W}/shares/` },
      { appId: 'other' },
      { expectedEpoch: 2 },
      { expectedEpoch: null },
    ]) {
      await put({ signWith }, 'management_signature_invalid');
    }
    // expired, and too far in the future (more than 300 s either way; the exact boundary
    // is core's unit test — here a margin, as a loaded machine can take seconds per call)
    const now = () => Math.floor(Date.now() / 1000);
    await put({ signWith: { now: now() - 330 } }, 'management_signature_expired');
    await put({ signWith: { now: now() + 330 } }, 'management_signature_expired');
    // the same JSON value in other bytes: the signature covers the exact bytes
    const overCompact = await signedHeaders('PUT', `${W}/shares`, rb, ids.walletId, 1);
    await refusedUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, rawBody: JSON.stringify(rb, null, 1), sign: false, headers: overCompact },
      401,
      'management_signature_invalid',
    );
    // control: those headers with the bytes they were made for are accepted
    expect(
      (
        await call(v.app, 'PUT', `${W}/shares`, {
          token: alice,
          rawBody: JSON.stringify(rb),
          sign: false,
          headers: overCompact,
        })
      ).status,
    ).toBe(200);
    // a signed body swapped for another one after signing
    const rb2 = reshareBody(ids, 2);
    const good = await signedHeaders('PUT', `${W}/shares`, rb2, ids.walletId, 2);
    const swapped = { ...reshareBody(ids, 2) };
    await refusedUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: swapped, sign: false, headers: good },
      401,
      'management_signature_invalid',
    );
    // malformed headers
    for (const h of [
      { ...good, 'trine-mgmt-time': 'soon' },
      { ...good, 'trine-mgmt-nonce': 'short' },
      { ...good, 'trine-mgmt-signature': 'AAAA' },
    ]) {
      await refusedUnchanged(
        'PUT',
        `${W}/shares`,
        { token: alice, body: rb2, sign: false, headers: h },
        401,
        'management_signature_invalid',
      );
    }
    // the genuine request succeeds once, and its replay is refused
    const ok = await call(v.app, 'PUT', `${W}/shares`, {
      token: alice,
      body: rb2,
      sign: false,
      headers: good,
    });
    expect(ok.status).toBe(200);
    await refusedUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: rb2, sign: false, headers: good },
      401,
      'management_signature_replayed',
    );
  });

  /** The headers the helper would send, to replay or tamper with. */
  async function signedHeaders(
    method: string,
    path: string,
    body: unknown,
    walletId: string,
    expectedEpoch: number | null,
  ): Promise<Record<string, string>> {
    const { managementHeaders, signManagementRequest } = await import('@trine/core/management-key');
    return managementHeaders(
      signManagementRequest(mgmtKey(walletId).secretKey, {
        method,
        path,
        appId: 'dev',
        walletId,
        expectedEpoch,
        body: new TextEncoder().encode(body === undefined ? '' : JSON.stringify(body)),
      }),
    );
  }

  it('a signed re-share replayed concurrently: exactly one applies, the rest are replays', async () => {
    const body = await create();
    const ids = { walletId: body.walletId, keyId: body.keyId };
    const rb = reshareBody(ids, 1);
    const h = await signedHeaders('PUT', `${W}/shares`, rb, ids.walletId, 1);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(v.app, 'PUT', `${W}/shares`, { token: alice, body: rb, sign: false, headers: h }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results)
      if (r.status !== 200) expectProblem(r, 401, 'management_signature_replayed');
  });

  it('a refused change does not consume its nonce; a used nonce is swept after expiry', async () => {
    const body = await create();
    const ids = { walletId: body.walletId, keyId: body.keyId };
    // signed, but for a stale epoch: 409, and the nonce stays unused (transaction rolled back)
    const stale = reshareBody(ids, 5);
    await refusedUnchanged('PUT', `${W}/shares`, { token: alice, body: stale }, 409, 'stale_epoch');
    const n = rowsOf(await be.database.db.execute(sql`select count(*)::int as n from used_nonces`));
    expect(n[0]!.n).toBe(0);
    await be.database.db.execute(
      sql`insert into used_nonces (nonce, expires_at) values ('old-nonce', now() - interval '1 second')`,
    );
    expect(
      (await call(v.app, 'PUT', `${W}/shares`, { token: alice, body: reshareBody(ids, 1) })).status,
    ).toBe(200);
    const left = rowsOf(
      await be.database.db.execute(
        sql`select nonce, expires_at > now() + interval '10 minutes' as long from used_nonces`,
      ),
    );
    expect(left).toHaveLength(1);
    expect(left[0]!.nonce).not.toBe('old-nonce');
    expect(left[0]!.long).toBe(true);
  });

  it('DELETE with a valid JWT but no, a wrong, a replayed or an expired signature → 401, state unchanged', async () => {
    const body = await create();
    const other = newIds();
    await refusedUnchanged('DELETE', W, { token: alice }, 401, 'management_signature_required');
    await refusedUnchanged(
      'DELETE',
      W,
      { token: alice, sign: other.walletId },
      401,
      'management_signature_invalid',
    );
    await refusedUnchanged(
      'DELETE',
      W,
      { token: alice, sign: body.walletId, signWith: { expectedEpoch: 1 } },
      401,
      'management_signature_invalid',
    );
    await refusedUnchanged(
      'DELETE',
      W,
      { token: alice, sign: body.walletId, signWith: { now: Math.floor(Date.now() / 1000) - 400 } },
      401,
      'management_signature_expired',
    );
    // a signed PUT's headers do not delete
    const put = await signedHeaders('PUT', `${W}/shares`, reshareBody(body, 1), body.walletId, 1);
    await refusedUnchanged(
      'DELETE',
      W,
      { token: alice, headers: put },
      401,
      'management_signature_invalid',
    );
    const h = await signedHeaders('DELETE', W, undefined, body.walletId, null);
    expect((await call(v.app, 'DELETE', W, { token: alice, headers: h })).status).toBe(204);
    // recreated wallet, same signed delete replayed: refused
    const again = await create(createBody({ walletId: body.walletId, keyId: body.keyId }));
    expect(again.walletId).toBe(body.walletId);
    await refusedUnchanged(
      'DELETE',
      W,
      { token: alice, headers: h },
      401,
      'management_signature_replayed',
    );
  });

  it('re-share keeps the previous epoch readable until commit; commit is signed and drops it', async () => {
    const body = await create();
    const ids = { walletId: body.walletId, keyId: body.keyId };
    const rb = reshareBody(ids, 1);
    const r = await call(v.app, 'PUT', `${W}/shares`, { token: alice, body: rb });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ epoch: 2, previousEpoch: 1, managementKey: body.managementKey });
    // both epochs' shares, each alone per request
    expect((await call(v.app, 'GET', `${W}/auth-share`, { token: alice })).json).toEqual({
      epoch: 2,
      authShare: rb.authShare,
    });
    expect((await call(v.app, 'GET', `${W}/auth-share?epoch=1`, { token: alice })).json).toEqual({
      epoch: 1,
      authShare: body.authShare,
    });
    expect((await call(v.app, 'GET', `${W}/auth-share?epoch=2`, { token: alice })).json.epoch).toBe(
      2,
    );
    expect(
      (await call(v.app, 'POST', `${W}/recovery`, { token: alice, body: { epoch: 1 } })).json,
    ).toEqual({
      epoch: 1,
      question: body.recovery.question,
      sealed: body.recovery.sealed,
    });
    expect(
      (await call(v.app, 'POST', `${W}/recovery`, { token: alice, body: {} })).json.epoch,
    ).toBe(2);
    await refusedUnchanged(
      'GET',
      `${W}/auth-share?epoch=3`,
      { token: alice },
      404,
      'epoch_not_found',
    );
    await refusedUnchanged(
      'POST',
      `${W}/recovery`,
      { token: alice, body: { epoch: 7 } },
      404,
      'epoch_not_found',
    );
    // reads of the previous epoch are audited like the current
    const ev = (await call(v.app, 'GET', `${W}/events`, { token: alice })).json.events as {
      action: string;
      epoch: number;
    }[];
    const reads = (await call(v.app, 'GET', `${W}/events?kind=reads`, { token: alice })).json
      .events as { action: string; epoch: number }[];
    expect(reads.filter((e) => e.action === 'auth_share.read').map((e) => e.epoch)).toEqual([2, 2]);
    // a read of the kept epoch is a security event of its own
    expect(ev.filter((e) => e.action === 'auth_share.read_previous').map((e) => e.epoch)).toEqual([
      1,
    ]);
    expect(ev.some((e) => e.action === 'auth_share.read')).toBe(false);
    expect(ev.filter((e) => e.action === 'recovery.read').map((e) => e.epoch)).toEqual([2, 1]);
    // commit: unsigned, wrong epoch signed → refused, nothing dropped
    await refusedUnchanged(
      'POST',
      `${W}/commit`,
      { token: alice, body: { epoch: 2 } },
      401,
      'management_signature_required',
    );
    await refusedUnchanged(
      'POST',
      `${W}/commit`,
      { token: alice, body: { epoch: 2 }, sign: ids.walletId, signWith: { expectedEpoch: 1 } },
      401,
      'management_signature_invalid',
    );
    await refusedUnchanged(
      'POST',
      `${W}/commit`,
      { token: alice, body: { epoch: 1 }, sign: ids.walletId },
      409,
      'stale_epoch',
    );
    const c = await call(v.app, 'POST', `${W}/commit`, {
      token: alice,
      body: { epoch: 2 },
      sign: ids.walletId,
    });
    expect(c.status).toBe(200);
    expect(c.json.previousEpoch).toBeNull();
    await refusedUnchanged(
      'GET',
      `${W}/auth-share?epoch=1`,
      { token: alice },
      404,
      'epoch_not_found',
    );
    await refusedUnchanged(
      'POST',
      `${W}/recovery`,
      { token: alice, body: { epoch: 1 } },
      404,
      'epoch_not_found',
    );
    const dump = await snapshot(be.database);
    expect(dump).not.toContain('prev_auth_share_ct":"v1');
    const row = rowsOf(
      await be.database.db.execute(
        sql`select prev_epoch, prev_auth_share_ct, prev_sealed_ct, prev_question from wallets`,
      ),
    )[0]!;
    expect(row).toEqual({
      prev_epoch: null,
      prev_auth_share_ct: null,
      prev_sealed_ct: null,
      prev_question: null,
    });
    // committing again: a signed no-op
    expect(
      (
        await call(v.app, 'POST', `${W}/commit`, {
          token: alice,
          body: { epoch: 2 },
          sign: ids.walletId,
        })
      ).status,
    ).toBe(200);
    const commits = (await call(v.app, 'GET', `${W}/events`, { token: alice })).json.events.filter(
      (e: { action: string }) => e.action === 'wallet.commit',
    );
    expect(commits).toHaveLength(1);
  });

  it('a crash after any step of a re-share leaves two shares of one epoch readable (real shares, combined)', async () => {
    const secret = new Uint8Array(randomBytes(32));
    const ids = newIds();
    const s1 = await splitSecret(secret, { ...ids, epoch: 1 });
    const body = createBody(ids);
    await create({ ...body, authShare: s1.auth });
    // the device holds s1.device. Step 1: the vault's signed swap to epoch 2.
    const s2 = await splitSecret(secret, { ...ids, epoch: 2 });
    const rb = { ...reshareBody(ids, 1), authShare: s2.auth };
    expect((await call(v.app, 'PUT', `${W}/shares`, { token: alice, body: rb })).status).toBe(200);
    // crash here: the device still has epoch 1; the vault still serves epoch 1's auth share
    const a1 = (await call(v.app, 'GET', `${W}/auth-share?epoch=1`, { token: alice })).json;
    expect(await combineShares([s1.device, a1.authShare], { ...ids, epoch: 1 })).toEqual(secret);
    // step 2: device share written (epoch 2); crash before commit: the current pair works
    const a2 = (await call(v.app, 'GET', `${W}/auth-share`, { token: alice })).json;
    expect(await combineShares([s2.device, a2.authShare], { ...ids, epoch: 2 })).toEqual(secret);
    // a re-share retried after a crash at step 1 (device on 1, vault on 2) moves on from 2
    const s3 = await splitSecret(secret, { ...ids, epoch: 3 });
    const rb3 = { ...reshareBody(ids, 2), authShare: s3.auth };
    expect((await call(v.app, 'PUT', `${W}/shares`, { token: alice, body: rb3 })).status).toBe(200);
    const kept = (await call(v.app, 'GET', `${W}/auth-share?epoch=2`, { token: alice })).json;
    expect(await combineShares([s2.device, kept.authShare], { ...ids, epoch: 2 })).toEqual(secret);
    // step 3: commit; only epoch 3 remains, and it combines with the new device share
    expect(
      (
        await call(v.app, 'POST', `${W}/commit`, {
          token: alice,
          body: { epoch: 3 },
          sign: ids.walletId,
        })
      ).status,
    ).toBe(200);
    const a3 = (await call(v.app, 'GET', `${W}/auth-share`, { token: alice })).json;
    expect(await combineShares([s3.device, a3.authShare], { ...ids, epoch: 3 })).toEqual(secret);
  });

  it('re-share: the management key is fixed (a different one → 422), the same one is accepted', async () => {
    const body = await create();
    const ids = { walletId: body.walletId, keyId: body.keyId };
    const other = newIds();
    await refusedUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: { ...reshareBody(ids, 1), managementKey: mgmtPublic(other.walletId) } },
      422,
      'management_key_mismatch',
    );
    const r = await call(v.app, 'PUT', `${W}/shares`, {
      token: alice,
      body: { ...reshareBody(ids, 1), managementKey: body.managementKey },
    });
    expect(r.status).toBe(200);
  });

  it('sealed records v2 are accepted beside v1 and counted as the new scheme', async () => {
    const ids = newIds();
    const body = { ...createBody(ids), recovery: { question: 'Q?', sealed: sealedV2(ids, 1) } };
    expect(await legacyWalletCount(be.database.db)).toBe(0);
    await create(body);
    expect(await legacyWalletCount(be.database.db)).toBe(0);
    const rec = (await call(v.app, 'POST', `${W}/recovery`, { token: alice })).json;
    expect(rec.sealed).toEqual(body.recovery.sealed);
    expect(Object.keys(rec.sealed)).toEqual([
      'v',
      'alg',
      'kdf',
      'header',
      'realms',
      'nonce',
      'ciphertext',
    ]);
    // a v1 re-share makes it count as old-scheme again (answer-only record)
    expect(
      (await call(v.app, 'PUT', `${W}/shares`, { token: alice, body: reshareBody(ids, 1) })).status,
    ).toBe(200);
    expect(await legacyWalletCount(be.database.db)).toBe(1);
    const v2 = { ...reshareBody(ids, 2), recovery: { question: 'Q?', sealed: sealedV2(ids, 3) } };
    expect((await call(v.app, 'PUT', `${W}/shares`, { token: alice, body: v2 })).status).toBe(200);
    expect(await legacyWalletCount(be.database.db)).toBe(0);
  });

  it('hostile bodies for the new fields → 4xx problems, state unchanged', async () => {
    const ids = newIds();
    const base = createBody(ids);
    const zero = Buffer.alloc(32);
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    const yTooBig = Buffer.alloc(32, 0xff);
    yTooBig[31] = 0x7f;
    const k = base.managementKey;
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // same leading bits, non-zero padding bits: decodes to the same bytes, not canonical
    const nonCanonical = k.slice(0, -1) + B64[(B64.indexOf(k.at(-1)!) & ~3) | 1];
    const badKeys: [unknown, number, string][] = [
      [k.slice(0, 42), 422, 'invalid_management_key'],
      [`${k}A`, 422, 'invalid_management_key'],
      [`${k}=`, 422, 'invalid_management_key'],
      [nonCanonical, 422, 'invalid_management_key'],
      [Buffer.from(k, 'base64url').toString('base64'), 422, 'invalid_management_key'],
      [zero.toString('base64url'), 422, 'invalid_management_key'],
      [identity.toString('base64url'), 422, 'invalid_management_key'],
      [yTooBig.toString('base64url'), 422, 'invalid_management_key'],
      ['', 422, 'invalid_management_key'],
      ['x'.repeat(65), 400, 'invalid_body'],
      [42, 400, 'invalid_body'],
      [null, 400, 'invalid_body'],
      [[k], 400, 'invalid_body'],
    ];
    for (const [managementKey, status, code] of badKeys) {
      await refusedUnchanged(
        'POST',
        W,
        { token: alice, body: { ...base, managementKey } },
        status,
        code,
      );
    }
    const v2 = sealedV2(ids, 1);
    const badSealed: [unknown, string][] = [
      [{ ...v2, extra: 1 }, 'invalid_body'],
      [{ ...v2, realms: { ...v2.realms, extra: 1 } }, 'invalid_body'],
      [{ ...v2, realms: undefined }, 'invalid_sealed'],
      [{ ...v2, realms: { ...v2.realms, threshold: 0 } }, 'invalid_sealed'],
      [{ ...v2, realms: { ...v2.realms, threshold: 4 } }, 'invalid_sealed'],
      [{ ...v2, realms: { ...v2.realms, threshold: 1.5 } }, 'invalid_body'],
      [{ ...v2, realms: { ...v2.realms, ids: ['r1', 'r1'] } }, 'invalid_sealed'],
      [{ ...v2, realms: { ...v2.realms, ids: [] } }, 'invalid_sealed'],
      [
        { ...v2, realms: { ...v2.realms, ids: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] } },
        'invalid_body',
      ],
      [{ ...v2, realms: { ...v2.realms, ids: ['r1\n'] } }, 'invalid_sealed'],
      [{ ...v2, realms: { ...v2.realms, scheme: 'trine-realm/v0' } }, 'invalid_sealed'],
      [{ ...v2, realms: { ...v2.realms, epoch: 2 } }, 'share_mismatch'],
      [{ ...v2, alg: 'A128GCM' }, 'invalid_sealed'],
      [{ ...v2, kdf: { ...v2.kdf, name: 'scrypt' } }, 'invalid_sealed'],
      [{ ...v2, kdf: { ...v2.kdf, m: 0 } }, 'invalid_sealed'],
      [{ ...v2, kdf: { ...v2.kdf, salt: `${v2.kdf.salt.slice(0, -1)}B` } }, 'invalid_sealed'],
      [{ ...v2, nonce: randomBytes(11).toString('base64url') }, 'invalid_sealed'],
      [{ ...v2, ciphertext: randomBytes(16).toString('base64url') }, 'invalid_sealed'],
      [{ ...v2, ciphertext: randomBytes(120).toString('base64url') }, 'invalid_sealed'],
      [{ ...v2, header: { ...v2.header, role: 2 } }, 'share_mismatch'],
      [{ ...v2, header: { ...v2.header, epoch: 2 } }, 'share_mismatch'],
      [{ ...v2, header: { ...v2.header, walletId: newIds().walletId } }, 'share_mismatch'],
      [{ ...v2, v: 3 }, 'invalid_body'],
    ];
    for (const [s, code] of badSealed) {
      const status = code === 'invalid_body' ? 400 : 422;
      await refusedUnchanged(
        'POST',
        W,
        { token: alice, body: { ...base, recovery: { question: 'Q?', sealed: s } } },
        status,
        code,
      );
    }
    await create(base);
    const ok = reshareBody(ids, 1);
    for (const b of [
      { epoch: '2' },
      { epoch: 2, x: 1 },
      { epoch: 0 },
      { epoch: -1 },
      [],
      'x',
      null,
    ]) {
      await refusedUnchanged(
        'POST',
        `${W}/commit`,
        { token: alice, body: b, sign: ids.walletId },
        400,
        'invalid_body',
      );
    }
    for (const b of [{ epoch: -1 }, { epoch: 1.5 }, { foo: 1 }, [1]]) {
      await refusedUnchanged(
        'POST',
        `${W}/recovery`,
        { token: alice, body: b },
        400,
        'invalid_body',
      );
    }
    await refusedUnchanged(
      'POST',
      `${W}/recovery`,
      { token: alice, rawBody: '{"epoch":' },
      400,
      'invalid_body',
    );
    await refusedUnchanged(
      'POST',
      `${W}/recovery`,
      { token: alice, rawBody: 'epoch=1', headers: { 'content-type': 'text/plain' } },
      400,
      'invalid_body',
    );
    // what older wallets send: nothing, or a JSON content type with no body, or {}
    for (const rawBody of ['', '{}', ' ']) {
      const r = await call(v.app, 'POST', `${W}/recovery`, {
        token: alice,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(r.json.epoch).toBe(1);
    }
    for (const q of ['abc', '0', '-1', '1.5', '99999999999', '']) {
      await refusedUnchanged(
        'GET',
        `${W}/auth-share?epoch=${q}`,
        { token: alice },
        400,
        'invalid_body',
      );
    }
    await refusedUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: { ...ok, managementKey: 7 } },
      400,
      'invalid_body',
    );
    await refusedUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: { ...ok, managementKey: 'AAAA' } },
      422,
      'invalid_management_key',
    );
    // a huge signature header is refused as invalid, not a crash
    await refusedUnchanged(
      'PUT',
      `${W}/shares`,
      {
        token: alice,
        body: ok,
        sign: false,
        headers: {
          'trine-mgmt-time': '1',
          'trine-mgmt-nonce': 'A'.repeat(22),
          'trine-mgmt-signature': 'A'.repeat(5000),
        },
      },
      401,
      'management_signature_expired',
    );
    // the unchanged wallet still re-shares normally
    expect((await call(v.app, 'PUT', `${W}/shares`, { token: alice, body: ok })).status).toBe(200);
    // and an old sealed v1 header check still applies
    await refusedUnchanged(
      'PUT',
      `${W}/shares`,
      {
        token: alice,
        body: { ...reshareBody(ids, 2), recovery: { question: 'Q', sealed: sealed(ids, 2) } },
      },
      422,
      'share_mismatch',
    );
  });
});
