/**
 * Hostile input: malformed bodies → 4xx, never 5xx, never a state change; and a
 * fast-check property sending random bodies, paths and headers to every endpoint.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  createBody,
  envelope,
  makeVault,
  openBackend,
  reshareBody,
  sealed,
  snapshot,
  type TestVault,
} from './helpers.ts';

const W = '/v1/apps/dev/wallet';
const ENDPOINTS: [string, string][] = [
  ['GET', '/v1/apps/dev'],
  ['POST', W],
  ['GET', W],
  ['DELETE', W],
  ['GET', `${W}/auth-share`],
  ['POST', `${W}/recovery`],
  ['PUT', `${W}/shares`],
  ['GET', `${W}/events`],
  ['POST', '/dev/token'],
  ['GET', '/dev/jwks.json'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/v1/openapi.json'],
];

describe.each(BACKENDS)(`hostile input on %s${BACKEND_NOTE}`, (kind) => {
  let be: Backend;
  let v: TestVault;
  let alice: string;
  let bob: string;
  let body: ReturnType<typeof createBody>;
  beforeAll(async () => {
    be = await openBackend(kind);
    await be.reset();
    v = await makeVault(be.database);
    alice = await v.token('alice');
    bob = await v.token('bob');
    body = createBody();
    expect((await call(v.app, 'POST', W, { token: alice, body })).status).toBe(201);
  });
  afterAll(async () => be.close());

  it('malformed bodies → 4xx, never 5xx, nothing stored', async () => {
    const ids = { walletId: body.walletId, keyId: body.keyId };
    const good = createBody(ids);
    const deepArr = `${'['.repeat(12_000)}${']'.repeat(12_000)}`;
    const deepObj = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
    const raws = [
      '',
      'null',
      'true',
      '1e309',
      '"x"',
      '[]',
      '{}',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      deepArr,
      deepObj,
      '\u0000\u0001',
      '{"walletId":"\ud800"}',
      JSON.stringify({ ...good, walletId: 'a'.repeat(30_000) }),
      JSON.stringify({ ...good, epoch: '1' }),
      JSON.stringify({ ...good, epoch: 1.5 }),
      JSON.stringify({ ...good, network: 42 }),
      JSON.stringify({ ...good, addresses: 'addr' }),
      JSON.stringify({ ...good, authShare: JSON.stringify(good.authShare) }),
      JSON.stringify({ ...good, authShare: { ...good.authShare, share: '!!!!' } }),
      JSON.stringify({ ...good, authShare: { ...good.authShare, share: 'AAA=' } }),
      JSON.stringify({ ...good, authShare: { ...good.authShare, share: 'A'.repeat(99) } }),
      JSON.stringify({ ...good, authShare: { ...good.authShare, epoch: 2 ** 53 } }),
      JSON.stringify({ ...good, authShare: { ...good.authShare, v: 2 } }),
      JSON.stringify({ ...good, authShare: { ...good.authShare, threshold: 3 } }),
      JSON.stringify({ ...good, authShare: envelope(ids, 1, 1) }),
      JSON.stringify({
        ...good,
        recovery: { ...good.recovery, sealed: { ...sealed(ids, 1), nonce: 'AA' } },
      }),
      JSON.stringify({
        ...good,
        recovery: { ...good.recovery, sealed: { ...sealed(ids, 1), kdf: { name: 'scrypt' } } },
      }),
      JSON.stringify({
        ...good,
        recovery: {
          ...good.recovery,
          sealed: { ...sealed(ids, 1), kdf: { ...sealed(ids, 1).kdf, m: -1 } },
        },
      }),
      JSON.stringify({
        ...good,
        recovery: { ...good.recovery, sealed: sealed({ ...ids, walletId: 'x' }, 1) },
      }),
      JSON.stringify({
        ...good,
        recovery: { question: 'q'.repeat(300), sealed: good.recovery.sealed },
      }),
      JSON.stringify({ ...good, recovery: null }),
    ];
    for (const who of [alice, bob]) {
      for (const raw of raws) {
        for (const [method, path] of [
          ['POST', W],
          ['PUT', `${W}/shares`],
        ] as const) {
          const before = await snapshot(be.database);
          const r = await call(v.app, method, path, { token: who, rawBody: raw });
          if (r.status < 400 || r.status >= 500) {
            throw new Error(`${method} ${raw.slice(0, 60)} → ${r.status} ${r.text.slice(0, 200)}`);
          }
          expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(await snapshot(be.database)).toBe(before);
        }
      }
    }
    // a re-share body with mismatched pieces
    const rb = reshareBody(ids, 1);
    const r = await call(v.app, 'PUT', `${W}/shares`, {
      token: alice,
      body: { ...rb, recovery: { ...rb.recovery!, sealed: sealed(ids, 5) } },
    });
    expect(r.status).toBe(422);
  });

  it('property: random bodies, paths and headers on every endpoint never 5xx', async () => {
    const token = fc.constantFrom(alice, bob, undefined, 'x.y.z', `${alice}x`);
    const jsonBody = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }).map((x) => JSON.stringify(x)),
      fc.string({ maxLength: 200 }),
      fc
        .record({
          expectedEpoch: fc.oneof(fc.integer(), fc.double(), fc.string()),
          epoch: fc.oneof(fc.integer(), fc.constant(2)),
          authShare: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(envelope(body, 2))),
          recovery: fc.option(
            fc.record({ question: fc.string(), sealed: fc.jsonValue({ maxDepth: 3 }) }),
          ),
        })
        .map((x) => JSON.stringify(x)),
      fc
        .record({
          walletId: fc.oneof(fc.uuid(), fc.string()),
          keyId: fc.string({ unit: fc.constantFrom(...'0123456789abcdefX'), maxLength: 80 }),
          network: fc.constantFrom('preprod', 'mainnet', 'x'),
          epoch: fc.constantFrom(1, 0, -1),
          authShare: fc.jsonValue({ maxDepth: 3 }),
          recovery: fc.jsonValue({ maxDepth: 3 }),
        })
        .map((x) => JSON.stringify(x)),
    );
    const endpoint = fc.oneof(
      fc.constantFrom(...ENDPOINTS),
      fc.tuple(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        fc.webPath().map((p) => `/v1/apps/${p}`),
      ),
    );
    const ctype = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json; charset=utf-8',
      'multipart/form-data',
    );
    await fc.assert(
      fc.asyncProperty(
        endpoint,
        token,
        jsonBody,
        ctype,
        fc.option(fc.constantFrom('http://evil.test', 'http://vault.test', 'null')),
        async ([method, path], t, raw, ct, origin) => {
          const hasBody = method !== 'GET' && method !== 'OPTIONS';
          const r = await call(v.app, method, path, {
            ...(t ? { token: t } : {}),
            ...(hasBody ? { rawBody: raw } : {}),
            headers: { 'content-type': ct, ...(origin ? { origin } : {}) },
          });
          if (r.status >= 500)
            throw new Error(`${method} ${path} → ${r.status} ${r.text.slice(0, 200)}`);
          if (r.status >= 400) expect(r.json?.code).toBeTypeOf('string');
        },
      ),
      { numRuns: 400 },
    );
  });
});
