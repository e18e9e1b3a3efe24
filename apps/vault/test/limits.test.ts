/**
 * Rate limits held in the database: per-IP, per-user, the strict recovery limits with
 * Retry-After, and that a limit holds across two vault instances (separate pools) on
 * one database. (test/processes.test.ts does the same with two real processes.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
  snapshot,
} from './helpers.ts';

describe.each(BACKENDS)(`rate limits on %s${BACKEND_NOTE}`, (kind) => {
  let be: Backend;
  const W = '/v1/apps/dev/wallet';
  beforeAll(async () => {
    be = await openBackend(kind);
  });
  afterAll(async () => be.close());
  beforeEach(async () => be.reset());

  it('recovery: 3 per wallet, the 4th → 429 rate_limited with Retry-After, nothing released', async () => {
    const v = await makeVault(be.database, {
      limits: { ...GENEROUS, recoveryUser: { limit: 3, windowSec: 3600 } },
    });
    const alice = await v.token('alice');
    const body = createBody();
    expect((await call(v.app, 'POST', W, { token: alice, body })).status).toBe(201);
    for (let i = 0; i < 3; i++) {
      expect(
        (await call(v.app, 'POST', `${W}/recovery`, { token: alice, ip: `10.0.0.${i}` })).status,
      ).toBe(200);
    }
    const before = await snapshot(be.database);
    const r = await call(v.app, 'POST', `${W}/recovery`, { token: alice, ip: '10.0.0.9' });
    expectProblem(r, 429, 'rate_limited');
    const retry = Number(r.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(3600);
    expect(r.text).not.toContain(body.recovery.sealed.ciphertext);
    expect(await snapshot(be.database)).toBe(before);
    // another user is not affected; the auth share of alice is not affected either
    const bob = await v.token('bob');
    expect((await call(v.app, 'POST', W, { token: bob, body: createBody() })).status).toBe(201);
    expect((await call(v.app, 'POST', `${W}/recovery`, { token: bob })).status).toBe(200);
    expect((await call(v.app, 'GET', `${W}/auth-share`, { token: alice })).status).toBe(200);
  });

  it('recovery per IP counts before the token is checked', async () => {
    const v = await makeVault(be.database, {
      limits: { ...GENEROUS, recoveryIp: { limit: 2, windowSec: 3600 } },
    });
    for (let i = 0; i < 2; i++) {
      expectProblem(
        await call(v.app, 'POST', `${W}/recovery`, { token: 'x.y.z', ip: '203.0.113.5' }),
        401,
        'unauthorized',
      );
    }
    expectProblem(
      await call(v.app, 'POST', `${W}/recovery`, { token: await v.token('a'), ip: '203.0.113.5' }),
      429,
      'rate_limited',
    );
    expectProblem(
      await call(v.app, 'POST', `${W}/recovery`, { token: await v.token('a'), ip: '203.0.113.6' }),
      404,
      'not_found',
    );
  });

  it('per-IP limit on every /v1/apps route and per-user limit', async () => {
    const v = await makeVault(be.database, {
      limits: { ...GENEROUS, ip: { limit: 5, windowSec: 60 }, user: { limit: 3, windowSec: 60 } },
    });
    for (let i = 0; i < 5; i++)
      expect((await call(v.app, 'GET', '/v1/apps/dev', { ip: '192.0.2.1' })).status).toBe(200);
    expectProblem(
      await call(v.app, 'GET', '/v1/apps/dev', { ip: '192.0.2.1' }),
      429,
      'rate_limited',
    );
    expect((await call(v.app, 'GET', '/v1/apps/dev', { ip: '192.0.2.2' })).status).toBe(200);
    const t = await v.token('carol');
    for (let i = 0; i < 3; i++)
      expectProblem(
        await call(v.app, 'GET', W, { token: t, ip: `192.0.2.${10 + i}` }),
        404,
        'not_found',
      );
    expectProblem(await call(v.app, 'GET', W, { token: t, ip: '192.0.2.20' }), 429, 'rate_limited');
    // health endpoints are not limited
    expect((await call(v.app, 'GET', '/healthz', { ip: '192.0.2.1' })).status).toBe(200);
  });

  it('a limit holds across two vault instances with separate pools on one database', async () => {
    const limits = { ...GENEROUS, recoveryUser: { limit: 5, windowSec: 3600 } };
    const v1 = await makeVault(be.database, { limits });
    const second = await be.openSecond();
    const v2 = await makeVault(second, { limits, keyring: v1.keyring });
    const alice = await v1.token('alice');
    expect((await call(v1.app, 'POST', W, { token: alice, body: createBody() })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(i % 2 ? v2.app : v1.app, 'POST', `${W}/recovery`, { token: alice }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
  });
});
