/**
 * Every endpoint of DESIGN.md §5: success, each error code, and stored state unchanged
 * after each error — on PGlite and (when configured) PostgreSQL.
 */

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  createBody,
  envelope,
  expectProblem,
  HOST_ORIGIN,
  makeIssuer,
  makeVault,
  newIds,
  openBackend,
  reshareBody,
  sealed,
  snapshot,
  type TestVault,
  WALLET_ORIGIN,
} from './helpers.ts';

describe.each(BACKENDS)(`vault API on %s${BACKEND_NOTE}`, (kind) => {
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

  const W = '/v1/apps/dev/wallet';

  /** Runs a request that must fail with `code` and asserts nothing stored changed. */
  async function failsUnchanged(
    method: string,
    path: string,
    o: Parameters<typeof call>[3],
    status: number,
    code: string,
  ) {
    const before = await snapshot(be.database);
    const r = await call(v.app, method, path, o);
    expectProblem(r, status, code);
    expect(await snapshot(be.database)).toBe(before);
    return r;
  }

  async function create(token = alice, body = createBody()) {
    const r = await call(v.app, 'POST', W, { token, body });
    expect(r.status).toBe(201);
    return body;
  }

  it('GET /v1/apps/{appId}: public config; unknown app → 404 app_not_found', async () => {
    const r = await call(v.app, 'GET', '/v1/apps/dev');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      id: 'dev',
      name: 'Dev',
      allowedOrigins: [HOST_ORIGIN],
      networks: ['preprod', 'preview'],
      realms: [],
      realmThreshold: 0,
    });
    // Readable from any page (the host SDK's early check); the wallet routes are not.
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const missing = await call(v.app, 'GET', '/v1/apps/nope');
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    expect(
      (
        await call(v.app, 'GET', '/v1/apps/dev/wallet', {
          headers: { origin: 'https://evil.example' },
        })
      ).headers.get('access-control-allow-origin'),
    ).toBeNull();
    expectProblem(await call(v.app, 'GET', '/v1/apps/nope'), 404, 'app_not_found');
    expectProblem(await call(v.app, 'GET', '/v1/apps/NOPE%2F..'), 404, 'app_not_found');
  });

  it('apps added to the apps table are served', async () => {
    const idp = await makeIssuer('https://idp.tbl.test/', 'tbl');
    await be.database.db.execute(
      sql`insert into apps (id, name, allowed_origins, issuers, networks) values ('tbl', 'Table app', '["https://t.example"]', ${JSON.stringify([{ iss: idp.iss, aud: idp.aud, jwks: idp.jwks }])}, '["preprod"]')`,
    );
    const r = await call(v.app, 'GET', '/v1/apps/tbl');
    // A row from before migration 0002 (no realms given) serves "no realms".
    expect(r.json).toMatchObject({
      id: 'tbl',
      allowedOrigins: ['https://t.example'],
      realms: [],
      realmThreshold: 0,
    });
    const t = await idp.sign('zoe');
    expectProblem(await call(v.app, 'GET', '/v1/apps/tbl/wallet', { token: t }), 404, 'not_found');
  });

  it('healthz, readyz, openapi.json, unknown route', async () => {
    expect((await call(v.app, 'GET', '/healthz')).json).toEqual({ ok: true });
    expect((await call(v.app, 'GET', '/readyz')).json).toEqual({ ok: true });
    const doc = (await call(v.app, 'GET', '/v1/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/dev/jwks.json',
        '/dev/token',
        '/healthz',
        '/readyz',
        '/v1/apps/{appId}',
        '/v1/apps/{appId}/wallet',
        '/v1/apps/{appId}/wallet/auth-share',
        '/v1/apps/{appId}/wallet/commit',
        '/v1/apps/{appId}/wallet/events',
        '/v1/apps/{appId}/wallet/recovery',
        '/v1/apps/{appId}/wallet/shares',
      ].sort(),
    );
    expect(Object.keys(doc.paths['/v1/apps/{appId}/wallet']).sort()).toEqual([
      'delete',
      'get',
      'post',
    ]);
    expectProblem(await call(v.app, 'GET', '/v2/nothing'), 404, 'not_found');
  });

  it('POST wallet → 201 metadata without shares; a second → 409 wallet_exists', async () => {
    const body = createBody();
    const r = await call(v.app, 'POST', W, { token: alice, body });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      walletId: body.walletId,
      keyId: body.keyId,
      network: 'preprod',
      addresses: body.addresses,
      epoch: 1,
      recoveryEpoch: 1,
      question: body.recovery.question,
    });
    expect(r.text).not.toContain(body.authShare.share);
    expect(r.text).not.toContain(body.recovery.sealed.ciphertext);
    await failsUnchanged('POST', W, { token: alice, body: createBody() }, 409, 'wallet_exists');
    // the stored auth share is still the first one
    const a = await call(v.app, 'GET', `${W}/auth-share`, { token: alice });
    expect(a.json.authShare).toEqual(body.authShare);
  });

  it('POST wallet errors: 422 share/sealed/network, 400 body, 401, 403, 404, 413, 415', async () => {
    const ids = newIds();
    const good = createBody(ids);
    const cases: [unknown, number, string][] = [
      [{ ...good, authShare: envelope(ids, 1, 3) }, 422, 'share_mismatch'],
      [{ ...good, authShare: envelope(newIds(), 1) }, 422, 'share_mismatch'],
      [{ ...good, authShare: envelope(ids, 2) }, 422, 'share_mismatch'],
      [{ ...good, authShare: { ...good.authShare, share: 'AAAA' } }, 422, 'invalid_share'],
      [{ ...good, authShare: { ...good.authShare, share: 'ab+/' } }, 400, 'invalid_body'],
      [
        { ...good, recovery: { ...good.recovery, sealed: sealed(ids, 1, 1) } },
        422,
        'share_mismatch',
      ],
      [{ ...good, recovery: { ...good.recovery, sealed: sealed(ids, 2) } }, 422, 'share_mismatch'],
      [
        { ...good, recovery: { ...good.recovery, sealed: sealed(newIds(), 1) } },
        422,
        'share_mismatch',
      ],
      [
        { ...good, recovery: { ...good.recovery, sealed: sealed(ids, 1, 2) } },
        422,
        'invalid_sealed',
      ],
      [
        { ...good, recovery: { ...good.recovery, sealed: { ...sealed(ids, 1), alg: 'XX' } } },
        422,
        'invalid_sealed',
      ],
      [
        { ...good, network: 'mainnet', addresses: createBody(ids, 'mainnet').addresses },
        422,
        'network_not_allowed',
      ],
      [
        { ...good, network: 'preview', addresses: createBody(ids, 'mainnet').addresses },
        400,
        'invalid_body',
      ],
      [{ ...good, epoch: 2 }, 400, 'invalid_body'],
      [{ ...good, extra: 1 }, 400, 'invalid_body'],
      [{ ...good, walletId: 'NOT-A-UUID' }, 400, 'invalid_body'],
      [{ ...good, recovery: { ...good.recovery, question: ' ' } }, 400, 'invalid_body'],
      [{ ...good, recovery: { ...good.recovery, question: 'a\u0000b' } }, 400, 'invalid_body'],
      [[good], 400, 'invalid_body'],
      [null, 400, 'invalid_body'],
    ];
    for (const [body, status, code] of cases) {
      await failsUnchanged('POST', W, { token: alice, body }, status, code);
    }
    await failsUnchanged('POST', W, { token: alice, rawBody: '{"walletId":' }, 400, 'invalid_body');
    await failsUnchanged('POST', W, { body: good }, 401, 'unauthorized');
    await failsUnchanged(
      'POST',
      '/v1/apps/nope/wallet',
      { token: alice, body: good },
      404,
      'app_not_found',
    );
    await failsUnchanged(
      'POST',
      W,
      { token: alice, body: good, headers: { origin: HOST_ORIGIN } },
      403,
      'forbidden_origin',
    );
    await failsUnchanged(
      'POST',
      W,
      { token: alice, rawBody: JSON.stringify({ ...good, pad: 'x'.repeat(40_000) }) },
      413,
      'body_too_large',
    );
    await failsUnchanged(
      'POST',
      W,
      { token: alice, rawBody: JSON.stringify(good), headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    );
    // and the good body still works afterwards, from the wallet origin with CORS
    const r = await call(v.app, 'POST', W, {
      token: alice,
      body: good,
      headers: { origin: WALLET_ORIGIN },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('access-control-allow-origin')).toBe(WALLET_ORIGIN);
  });

  it('CORS preflight: the wallet origin only', async () => {
    const ok = await call(v.app, 'OPTIONS', W, { headers: { origin: WALLET_ORIGIN } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(WALLET_ORIGIN);
    // the wallet's signed requests may carry the management-signature headers
    expect(ok.headers.get('access-control-allow-headers')?.split(', ')).toEqual([
      'authorization',
      'content-type',
      'trine-mgmt-time',
      'trine-mgmt-nonce',
      'trine-mgmt-signature',
    ]);
    expectProblem(
      await call(v.app, 'OPTIONS', W, { headers: { origin: HOST_ORIGIN } }),
      403,
      'forbidden_origin',
    );
  });

  it('GET wallet: metadata, no share; 404 not_found without a wallet', async () => {
    await failsUnchanged('GET', W, { token: alice }, 404, 'not_found');
    const body = await create();
    const r = await call(v.app, 'GET', W, { token: alice });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual([
      'addresses',
      'createdAt',
      'epoch',
      'keyId',
      'managementKey',
      'network',
      'previousEpoch',
      'question',
      'recoveryEpoch',
      'updatedAt',
      'walletId',
    ]);
    expect(r.text).not.toContain(body.authShare.share);
    await failsUnchanged('GET', W, {}, 401, 'unauthorized');
    await failsUnchanged('GET', '/v1/apps/nope/wallet', { token: alice }, 404, 'app_not_found');
  });

  it('GET auth-share: {epoch, authShare} only, audited, no-store', async () => {
    await failsUnchanged('GET', `${W}/auth-share`, { token: alice }, 404, 'not_found');
    const body = await create();
    const r = await call(v.app, 'GET', `${W}/auth-share`, { token: alice });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ epoch: 1, authShare: body.authShare });
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.text).not.toContain(body.recovery.sealed.ciphertext);
    // the read is audited among the routine reads, apart from the security events
    const reads = await call(v.app, 'GET', `${W}/events?kind=reads`, { token: alice });
    expect(reads.json.events.map((e: { action: string }) => e.action)).toEqual(['auth_share.read']);
    expect(reads.json.events[0]).toMatchObject({ epoch: 1, walletId: body.walletId });
    const ev = await call(v.app, 'GET', `${W}/events`, { token: alice });
    expect(ev.json.events.map((e: { action: string }) => e.action)).toEqual(['wallet.create']);
    await failsUnchanged('GET', `${W}/auth-share`, {}, 401, 'unauthorized');
  });

  it('POST recovery: {epoch, question, sealed} only, audited', async () => {
    await failsUnchanged('POST', `${W}/recovery`, { token: alice }, 404, 'not_found');
    const body = await create();
    const r = await call(v.app, 'POST', `${W}/recovery`, { token: alice });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      epoch: 1,
      question: body.recovery.question,
      sealed: body.recovery.sealed,
    });
    expect(r.text).not.toContain(body.authShare.share);
    const ev = await call(v.app, 'GET', `${W}/events`, { token: alice });
    expect(ev.json.events[0]).toMatchObject({
      action: 'recovery.read',
      epoch: 1,
      walletId: body.walletId,
    });
    await failsUnchanged('POST', `${W}/recovery`, {}, 401, 'unauthorized');
    await failsUnchanged(
      'POST',
      '/v1/apps/nope/wallet/recovery',
      { token: alice },
      404,
      'app_not_found',
    );
  });

  it('PUT shares: CAS to epoch+1; stale_epoch, bad_epoch, share_mismatch leave state unchanged', async () => {
    const body = await create();
    const ids = { walletId: body.walletId, keyId: body.keyId };
    await failsUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: reshareBody(ids, 2) },
      409,
      'stale_epoch',
    );
    await failsUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: { ...reshareBody(ids, 1), epoch: 3 } },
      422,
      'bad_epoch',
    );
    const other = newIds();
    await failsUnchanged(
      'PUT',
      `${W}/shares`,
      // signed by this wallet's key (the other wallet's key would be 401 first)
      { token: alice, body: reshareBody(other, 1), sign: ids.walletId },
      422,
      'share_mismatch',
    );
    const rb = reshareBody(ids, 1);
    await failsUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: { ...rb, recovery: { ...rb.recovery!, sealed: sealed(ids, 1) } } },
      422,
      'share_mismatch',
    );
    await failsUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: { ...rb, authShare: envelope(ids, 2, 1) } },
      422,
      'share_mismatch',
    );
    await failsUnchanged('PUT', `${W}/shares`, { body: rb }, 401, 'unauthorized');
    const r = await call(v.app, 'PUT', `${W}/shares`, { token: alice, body: rb });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ epoch: 2, recoveryEpoch: 2, question: 'Favourite river?' });
    expect((await call(v.app, 'GET', `${W}/auth-share`, { token: alice })).json).toEqual({
      epoch: 2,
      authShare: rb.authShare,
    });
    expect((await call(v.app, 'POST', `${W}/recovery`, { token: alice })).json).toEqual({
      epoch: 2,
      question: 'Favourite river?',
      sealed: rb.recovery!.sealed,
    });
    // replaying the same re-share is now stale
    await failsUnchanged('PUT', `${W}/shares`, { token: alice, body: rb }, 409, 'stale_epoch');
    await failsUnchanged(
      'PUT',
      `${W}/shares`,
      { token: newIds() && (await v.token('nobody')), body: rb },
      404,
      'not_found',
    );
  });

  it('PUT shares without recovery is refused (a new split renews all three shares) and changes nothing', async () => {
    const body = await create();
    const ids = { walletId: body.walletId, keyId: body.keyId };
    await failsUnchanged(
      'PUT',
      `${W}/shares`,
      { token: alice, body: reshareBody(ids, 1, false) },
      422,
      'recovery_required',
    );
    expect((await call(v.app, 'POST', `${W}/recovery`, { token: alice })).json).toEqual({
      epoch: 1,
      question: body.recovery.question,
      sealed: body.recovery.sealed,
    });
  });

  it('DELETE wallet: 204, shares gone, audit row kept without a share', async () => {
    await failsUnchanged('DELETE', W, { token: alice }, 404, 'not_found');
    const body = await create();
    await failsUnchanged('DELETE', W, {}, 401, 'unauthorized');
    const r = await call(v.app, 'DELETE', W, { token: alice, sign: body.walletId });
    expect(r.status).toBe(204);
    expectProblem(await call(v.app, 'GET', `${W}/auth-share`, { token: alice }), 404, 'not_found');
    expectProblem(await call(v.app, 'POST', `${W}/recovery`, { token: alice }), 404, 'not_found');
    const dump = await snapshot(be.database);
    expect(dump).not.toContain(body.walletId.slice(0, 0) + body.authShare.share);
    const ev = await call(v.app, 'GET', `${W}/events`, { token: alice });
    expect(ev.json.events.map((e: { action: string }) => e.action)).toEqual([
      'wallet.delete',
      'wallet.create',
    ]);
    expect(ev.text).not.toContain(body.authShare.share);
    // a new wallet can be created afterwards
    await create();
  });

  it('GET events: only the caller’s own events', async () => {
    await create();
    const bob = await v.token('bob');
    await create(bob);
    const ev = await call(v.app, 'GET', `${W}/events`, { token: bob });
    expect(ev.json.events).toHaveLength(1);
    expect(ev.json.events[0].action).toBe('wallet.create');
    await failsUnchanged('GET', `${W}/events`, {}, 401, 'unauthorized');
  });

  it('shares are encrypted at rest: no stored column holds the share or the sealed ciphertext', async () => {
    const body = await create();
    const dump = await snapshot(be.database);
    expect(dump).toContain(body.walletId);
    expect(dump).not.toContain(body.authShare.share);
    expect(dump).not.toContain(body.authShare.tag);
    expect(dump).not.toContain(body.recovery.sealed.ciphertext);
    expect(dump).not.toContain(body.recovery.sealed.nonce);
  });

  it('dev issuer: POST /dev/token and GET /dev/jwks.json', async () => {
    const t = await call(v.app, 'POST', '/dev/token', { body: { sub: 'carol' } });
    expect(t.status).toBe(200);
    const r = await call(v.app, 'GET', W, { token: t.json.token });
    expectProblem(r, 404, 'not_found');
    const j = await call(v.app, 'GET', '/dev/jwks.json');
    expect(j.json.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(j.json.keys[0].d).toBeUndefined();
    expectProblem(
      await call(v.app, 'POST', '/dev/token', { body: { sub: '' } }),
      400,
      'invalid_body',
    );
  });
});
