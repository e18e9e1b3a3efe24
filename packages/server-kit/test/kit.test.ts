/**
 * @trine/server-kit on its own: the token verifier's refusals (one detail whatever the
 * reason; 503 only when the issuer's keys cannot be fetched), client info behind trusted
 * proxies only, the error classification, problem documents, and the common middleware
 * and handler in a real Hono app. The vault's and the realm's suites run the same code
 * through their own apps (apps/vault/test/issuer-oracle.test.ts,
 * apps/realm/test/issuer-oracle.test.ts, unavailable.test.ts, processes.test.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { clientInfo } from '../src/client.ts';
import { errorShape, isClientAbort, isDatabaseUnavailable } from '../src/errors.ts';
import { limitBody, problemHandler, requestContext, walletCors, zodHook } from '../src/http.ts';
import { HttpProblem, problems } from '../src/problem.ts';
import {
  bearerToken,
  createVerifier,
  type IssuerConfig,
  REJECTED,
  TokenRefused,
  userKeyOf,
} from '../src/token.ts';

async function issuer(iss: string, aud = 'app') {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `k-${iss.length}`;
  const config: IssuerConfig = {
    iss,
    aud,
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] },
  };
  const sign = (claims: { sub?: string; aud?: string; exp?: number | string } = {}) => {
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(iss)
      .setAudience(claims.aud ?? aud)
      .setExpirationTime(claims.exp ?? '1h');
    if (claims.sub !== '') jwt.setSubject(claims.sub ?? 'alice');
    return jwt.sign(privateKey);
  };
  return { config, sign };
}

async function refusal(p: Promise<unknown>): Promise<TokenRefused> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TokenRefused);
  return e as TokenRefused;
}

describe('token verifier', () => {
  it('accepts a good token and keys the user by (iss, sub)', async () => {
    const a = await issuer('https://idp.a.test/');
    const user = await createVerifier().verify(await a.sign(), [a.config]);
    expect(user).toEqual({
      iss: 'https://idp.a.test/',
      sub: 'alice',
      userKey: userKeyOf('https://idp.a.test/', 'alice'),
    });
    expect(userKeyOf('a","b', 'c')).not.toBe(userKeyOf('a', 'b","c'));
  });

  it('refuses untrusted issuer, forged signature, expiry, audience with one detail', async () => {
    const a = await issuer('https://idp.a.test/');
    const stranger = await issuer('https://idp.stranger.test/');
    const forger = await issuer('https://idp.a.test/'); // same iss and kid, other key
    const v = createVerifier();
    const cases = {
      'untrusted issuer': await stranger.sign(),
      'forged signature': await forger.sign(),
      expired: await a.sign({ exp: Math.floor(Date.now() / 1000) - 3600 }),
      'wrong audience': await a.sign({ aud: 'other' }),
    };
    for (const [what, token] of Object.entries(cases)) {
      const e = await refusal(v.verify(token, [a.config]));
      expect(e.code, what).toBe('unauthorized');
      expect(e.message, what).toBe(REJECTED);
      expect(e.headers['www-authenticate'], what).toBe('Bearer error="invalid_token"');
    }
  });

  it('refuses malformed, oversized, alg none and HMAC tokens without echoing them', async () => {
    const a = await issuer('https://idp.a.test/');
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { iss: a.config.iss, aud: 'app', sub: 'alice', exp: 9e9 };
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(a.config.iss)
      .setAudience('app')
      .setSubject('alice')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JSON.stringify(a.config.jwks)));
    for (const token of [
      'garbage',
      'a.b',
      `${'a'.repeat(9000)}.b.c`,
      `${b64({ alg: 'none' })}.${b64(claims)}.`,
      `${b64({ alg: 'none' })}.${b64(claims)}.x`,
      hs,
      '!!.??.**',
    ]) {
      const e = await refusal(createVerifier().verify(token, [a.config]));
      expect(e.code).toBe('unauthorized');
      expect(e.message).not.toContain(token.slice(0, 20));
    }
    const noSub = await refusal(createVerifier().verify(await a.sign({ sub: '' }), [a.config]));
    expect(noSub.code).toBe('unauthorized');
  });

  it('an issuer whose JWKS cannot be fetched is 503 with Retry-After, not 401', async () => {
    // A port that refuses connections: fetch fails with "fetch failed".
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const a = await issuer('https://idp.a.test/');
    const remote: IssuerConfig = {
      iss: a.config.iss,
      aud: 'app',
      jwksUrl: `http://127.0.0.1:${port}/jwks`,
    };
    const e = await refusal(createVerifier().verify(await a.sign(), [remote]));
    expect(e.code).toBe('unavailable');
    expect(e.headers['retry-after']).toBe('5');
  });

  it('bearerToken reads only a well-formed Authorization header', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer x')).toBe('x');
    for (const h of [undefined, '', 'Basic abc', 'Bearer', 'Bearer a b', 'Bearer  x']) {
      const e = (() => {
        try {
          bearerToken(h);
        } catch (x) {
          return x;
        }
      })();
      expect(e, String(h)).toBeInstanceOf(TokenRefused);
    }
  });
});

describe('client info', () => {
  const ctx = (peer: string, headers: Record<string, string> = {}, encrypted = false) =>
    ({
      env: { incoming: { socket: { remoteAddress: peer, encrypted } } },
      req: { header: (k: string) => headers[k] },
    }) as never;

  it('believes X-Forwarded-For only from a trusted proxy, walking from the right', () => {
    const spoof = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' };
    expect(clientInfo(ctx('198.51.100.7', spoof), ['10.0.0.1'])).toEqual({
      ip: '198.51.100.7',
      proto: 'http',
    });
    const chain = {
      'x-forwarded-for': '203.0.113.9, 198.51.100.1, 10.0.0.2',
      'x-forwarded-proto': 'https',
    };
    expect(clientInfo(ctx('::ffff:10.0.0.1', chain), ['10.0.0.1', '10.0.0.2'])).toEqual({
      ip: '198.51.100.1',
      proto: 'https',
    });
    expect(clientInfo(ctx('10.0.0.1', {}, true), ['10.0.0.1'])).toEqual({
      ip: '10.0.0.1',
      proto: 'https',
    });
  });
});

describe('error classification', () => {
  it('a client abort is Node’s aborted body read only; the database by code, through causes', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    expect(isClientAbort(aborted)).toBe(true);
    expect(
      isClientAbort(
        Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' }),
      ),
    ).toBe(false);
    expect(isClientAbort({ code: 'ECONNRESET', message: 'aborted' })).toBe(false);
    const wrapped = Object.assign(new Error('query failed'), {
      cause: Object.assign(new Error('x'), { code: '57P01' }),
    });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error(), { code: '08P01' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('ECONNREFUSED'))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error(), { code: '23505' }))).toBe(false);
    expect(JSON.stringify(errorShape(wrapped))).not.toContain('query failed');
  });
});

const TABLE = {
  invalid_body: { status: 400, title: 'Invalid request body' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden_origin: { status: 403, title: 'Origin not allowed' },
  not_found: { status: 404, title: 'Not found' },
  body_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
  teapot: { status: 418, title: 'A teapot' },
} as const;
type Code = keyof typeof TABLE;
const { problemOf, problemResponse } = problems(TABLE, 'urn:test:problem:');
class TestError extends HttpProblem<Code> {
  constructor(code: Code, detail: string, headers: Record<string, string> = {}) {
    super(code, TABLE[code].status, detail, headers);
  }
}

describe('problems and the common middleware in a real Hono app', () => {
  const logs: { msg: string; obj: Record<string, unknown> }[] = [];
  const logger = {
    info: (obj: object, msg: string) => logs.push({ msg, obj: obj as Record<string, unknown> }),
    warn: (obj: object, msg: string) => logs.push({ msg, obj: obj as Record<string, unknown> }),
    error: (obj: object, msg: string) => logs.push({ msg, obj: obj as Record<string, unknown> }),
  };
  const app = new Hono();
  app.use(
    '*',
    requestContext({
      logger,
      mode: 'production',
      trustedProxies: [],
      appIdInPath: /\/apps\/([a-z]+)/,
      defaultCacheControl: 'no-store',
    }),
  );
  app.use(
    '*',
    limitBody(16, (code, detail) => new TestError(code, detail)),
  );
  app.use(
    '/w/*',
    walletCors({
      origins: ['https://wallet.test'],
      allowHeaders: 'authorization',
      refused: () => problemResponse('forbidden_origin', 'no'),
    }),
  );
  app.get('/apps/demo/teapot', () => {
    throw new TestError('teapot', 'short and stout', { 'x-extra': '1' });
  });
  app.get('/token', () => {
    throw new TokenRefused('unauthorized', REJECTED, { 'www-authenticate': 'Bearer' });
  });
  app.get('/db', () => {
    throw Object.assign(new Error('password=hunter2 failed'), { code: 'ECONNREFUSED' });
  });
  app.get('/boom', () => {
    throw new Error('secret=abc');
  });
  app.post('/body', async (c) => c.json({ n: (await c.req.text()).length }));
  app.get('/w/x', (c) => c.text('ok'));
  app.onError(
    problemHandler({
      logger,
      own: (e): e is TestError => e instanceof TestError,
      respond: problemResponse,
    }),
  );
  const env = { incoming: { socket: { remoteAddress: '198.51.100.7', encrypted: true } } };
  const get = (path: string, init: RequestInit = {}) => app.request(path, init, env);

  it('own problems keep their code, detail and headers; every response gets the headers', async () => {
    const r = await get('/apps/demo/teapot');
    expect(r.status).toBe(418);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.headers.get('x-extra')).toBe('1');
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('strict-transport-security')).toContain('max-age=');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.json()).toEqual({ ...problemOf('teapot', 'short and stout') });
    expect(problemOf('teapot', 'x').type).toBe('urn:test:problem:teapot');
    const line = logs.find((l) => l.msg === 'request' && l.obj.appId === 'demo');
    expect(line?.obj).toMatchObject({ method: 'GET', appId: 'demo' });
  });

  it('refused tokens, an unreachable database and anything else, with nothing secret', async () => {
    const t = await get('/token');
    expect(t.status).toBe(401);
    expect(t.headers.get('www-authenticate')).toBe('Bearer');
    const d = await get('/db');
    expect(d.status).toBe(503);
    expect(d.headers.get('retry-after')).toBe('2');
    const b = await get('/boom');
    expect(b.status).toBe(500);
    const all = JSON.stringify(logs) + (await d.text()) + (await b.text());
    expect(all).not.toContain('hunter2');
    expect(all).not.toContain('secret=abc');
  });

  it('the body limit and wallet CORS', async () => {
    expect((await get('/body', { method: 'POST', body: 'short' })).status).toBe(200);
    const big = await get('/body', { method: 'POST', body: 'x'.repeat(64) });
    expect(big.status).toBe(413);
    expect((await big.json()).code).toBe('body_too_large');
    const pre = await get('/w/x', { method: 'OPTIONS', headers: { origin: 'https://evil.test' } });
    expect(pre.status).toBe(403);
    const ok = await get('/w/x', { method: 'OPTIONS', headers: { origin: 'https://wallet.test' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://wallet.test');
    const plain = await get('/w/x', { headers: { origin: 'https://evil.test' } });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('zodHook names fields and expectations, never the received value', () => {
    const hook = zodHook((code, detail) => new TestError(code, detail));
    expect(() => hook({ success: true })).not.toThrow();
    try {
      hook({ success: false, error: { issues: [{ path: ['a', 0], message: 'Expected string' }] } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TestError);
      expect((e as TestError).message).toBe('a.0: Expected string');
    }
  });
});
