/**
 * Hostile input at volume on the vault, over HTTPS through Caddy: 10,000 requests made
 * with fast-check — random and mutated paths, methods, headers, bearer tokens (garbage,
 * truncated, re-signed by a stranger, another user's with a flipped byte) and bodies
 * (random JSON, broken JSON, oversized, deeply nested, real re-share bodies with one part
 * broken), 16 at a time. None is a valid request, so each must be answered 4xx (never a
 * 5xx) with a problem document; and no response, vault log or Caddy log may contain a
 * planted secret: the master key, the database passwords, a user's token, the stored
 * auth share and sealed record, or the canary string put in every body.
 *
 * TRINE_FUZZ_REQUESTS (default 10000) sets the number.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { call, SimWallet } from './api.ts';
import { expect, shape, test } from './fixtures.ts';

const N = Number(process.env.TRINE_FUZZ_REQUESTS ?? 10_000);
const CANARY = 'CANARY-7f3a9c-SECRET';

test('10,000 bad requests through Caddy: only 4xx, and no secret in any response or log', async () => {
  test.setTimeout(600_000);
  const s = shape();
  const tag = Date.now().toString(36);
  const alice = await SimWallet.create(s, `fuzz-alice-${tag}`);
  const bob = await SimWallet.create(s, `fuzz-bob-${tag}`);
  const stored = alice.sent.get(1)!;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  void exportJWK;
  const stranger = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'stranger' })
    .setIssuer(s.idpUrl)
    .setAudience(s.appId)
    .setSubject(alice.user)
    .setExpirationTime('1h')
    .sign(privateKey);
  const flip = (t: string) => {
    const i = t.length - 5;
    return t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
  };
  const secrets = [
    s.vaultEnv.TRINE_MASTER_KEYS!.split(':')[1]!,
    new URL(s.pg.ownerUrl).password,
    new URL(s.pg.appUrl).password,
    // The realms' OPRF keys and database passwords (they must not reach any log either).
    ...s.realms.flatMap((r) => [r.key, new URL(r.databaseUrl).password]),
    alice.token,
    bob.token,
    stored.authShare.share,
    stored.sealed.ciphertext,
    CANARY,
  ];

  const W = `/v1/apps/${s.appId}/wallet`;
  const badToken = fc.constantFrom(
    undefined,
    '',
    'x.y.z',
    stranger,
    flip(alice.token),
    alice.token.slice(0, -10),
    `${bob.token}.${CANARY}`,
    CANARY,
    'A'.repeat(9000),
  );
  const canaryJson = fc
    .jsonValue({ maxDepth: 4 })
    .map((v) => JSON.stringify({ v, walletId: CANARY, note: CANARY }));
  const brokenBody = fc.oneof(
    canaryJson,
    canaryJson.map((t) => t.slice(0, Math.max(1, t.length - 3))),
    fc.constant(`${'['.repeat(5000)}"${CANARY}"${']'.repeat(5000)}`),
    fc.constant(JSON.stringify({ pad: CANARY.repeat(3000) })),
    fc.string({ maxLength: 200 }).map((x) => `${x}${CANARY}`),
    // A real re-share body of alice, one part broken (never applicable).
    fc
      .constantFrom(
        { expectedEpoch: 1, epoch: 3 },
        { expectedEpoch: 0, epoch: 1 },
        { authShare: { ...stored.authShare, share: `${CANARY}` } },
        { authShare: { ...stored.authShare, walletId: bob.walletId } },
        { recovery: { question: CANARY, sealed: { ...stored.sealed, nonce: CANARY } } },
        { recovery: null },
      )
      .map((over) =>
        JSON.stringify({
          expectedEpoch: 1,
          epoch: 2,
          authShare: { ...stored.authShare, epoch: 2 },
          recovery: { question: 'q', sealed: stored.sealed },
          ...over,
        }),
      ),
  );
  const anyPath = fc.oneof(
    fc.constantFrom(
      W,
      `${W}/auth-share`,
      `${W}/recovery`,
      `${W}/shares`,
      `${W}/events`,
      `/v1/apps/${s.appId}`,
    ),
    fc.webPath().map((p) => `/v1/apps/${p}`),
    fc.webPath(),
    fc.constantFrom(
      '/dev/token',
      '/dev/jwks.json',
      '/v1/apps/%E0%A4%A',
      '/embed/..%2f..%2fetc%2fpasswd',
      `/v1/apps/${'n0t-an-app'.repeat(3)}/wallet`,
    ),
  );
  // (a) no valid token anywhere, any method and path that needs one or does not exist;
  // (b) a valid token only on the two writes, always with a body that cannot apply.
  const request = fc.oneof(
    fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      path: anyPath.filter((p) =>
        p.startsWith('/v1/apps/') ? !p.endsWith(`/v1/apps/${s.appId}`) : true,
      ),
      token: badToken,
      body: fc.option(brokenBody),
      ctype: fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
      ),
      origin: fc.option(fc.constantFrom('https://evil.example', 'null', s.demoUrl)),
    }),
    fc.record({
      method: fc.constantFrom('POST', 'PUT'),
      path: fc.constantFrom(W, `${W}/shares`),
      token: fc.constantFrom(alice.token, bob.token),
      body: brokenBody,
      ctype: fc.constant('application/json'),
      origin: fc.constant(null),
    }),
  );
  const reqs = fc.sample(request, { numRuns: Math.ceil(N * 1.1), seed: 42 });
  // Paths that exist without auth and answer 200 are not bad input: keep them out.
  const benign = new Set(['/healthz', '/readyz', '/v1/openapi.json', '/dev/jwks.json']);
  const todo = reqs
    .filter((r) => !(r.method === 'GET' && benign.has(r.path)) && !r.path.startsWith('/embed'))
    .slice(0, N);
  const statuses: Record<number, number> = {};
  const leaks: string[] = [];
  const bad: string[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < todo.length) {
        const r = todo[next++]!;
        const headers: Record<string, string> = { 'content-type': r.ctype };
        if (r.origin) headers.origin = r.origin;
        const withBody = r.body !== null && r.method !== 'GET';
        const res = await call(s, r.method, r.path, {
          ...(r.token !== undefined ? { token: r.token } : {}),
          ...(withBody ? { raw: r.body as string } : {}),
          headers,
        });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status < 400 || res.status >= 500) {
          if (bad.length < 5)
            bad.push(`${r.method} ${r.path} → ${res.status} ${res.text.slice(0, 160)}`);
        }
        for (const secret of secrets) {
          if (
            res.text.includes(secret) ||
            [...res.headers.values()].some((h) => h.includes(secret))
          ) {
            leaks.push(`${r.method} ${r.path}: response holds a secret (${secret.slice(0, 6)}…)`);
          }
        }
      }
    }),
  );
  const ms = Date.now() - started;
  console.log(
    `fuzz (vault via Caddy): ${todo.length} requests in ${ms} ms (${Math.round((todo.length / ms) * 1000)} req/s), statuses ${JSON.stringify(statuses)}`,
  );
  expect(todo.length).toBe(N);
  console.log(bad.join('\n'));
  if (bad.length > 0) {
    // What the vaults said about them (codes and classes only: the logs hold no values).
    for (const file of s.logs.vaults) {
      const lines = readFileSync(file, 'utf8').split('\n');
      const errs = lines.filter((l) => /"level":(40|50)/.test(l)).slice(-10);
      console.log(`${file}:\n${errs.join('\n')}`);
    }
  }
  expect(bad).toEqual([]);
  expect(leaks).toEqual([]);

  // The logs: vault and realm processes (the realms served every realm test before this
  // one), and Caddy (access log with Authorization removed).
  for (const file of [...s.logs.vaults, ...s.logs.realms, s.logs.caddy]) {
    const text = readFileSync(file, 'utf8');
    for (const secret of secrets) {
      if (text.includes(secret)) leaks.push(`${file}: holds a secret (${secret.slice(0, 6)}…)`);
    }
  }
  expect(leaks).toEqual([]);
  // Nothing changed: alice and bob are still at epoch 1 and recoverable.
  for (const w of [alice, bob]) {
    const meta = await call(s, 'GET', W, { token: w.token });
    expect(meta.json.epoch).toBe(1);
  }
});
