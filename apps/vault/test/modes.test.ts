/**
 * Configuration and modes: production refusals with exit codes (also through the real
 * main.ts), HSTS, trusted proxies, the wallet-hosting CSP hook, and graceful shutdown.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, EXIT, isLoopbackHost, loadConfig } from '../src/config.ts';
import { generateMasterKey, parseMasterKeys } from '../src/crypto/at-rest.ts';
import { walletCsp } from '../src/http/embed.ts';
import { createLogger } from '../src/logger.ts';
import { buildVault } from '../src/vault.ts';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  createBody,
  expectProblem,
  HOST_ORIGIN,
  makeVault,
  mgmtKey,
  openBackend,
} from './helpers.ts';

const VAULT_DIR = new URL('..', import.meta.url).pathname;

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/tmp');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('configuration', () => {
  const key = generateMasterKey('p1');
  const prod = {
    TRINE_ENV: 'production',
    TRINE_MASTER_KEYS: key,
    TRINE_PUBLIC_URL: 'https://vault.example',
    TRINE_TRUSTED_PROXIES: '10.0.0.2',
  };
  const dev = { TRINE_ENV: 'development' };

  it('dev defaults: port 8787, PGlite in ./.trine-data, dev issuer on', () => {
    const c = loadConfig(dev, '/srv/x');
    expect(c).toMatchObject({
      mode: 'development',
      port: 8787,
      dataDir: '/srv/x/.trine-data',
      databaseUrl: null,
      devIssuer: true,
      devOrigins: ['http://localhost:5173', 'http://localhost:8787'],
      publicUrl: 'http://localhost:8787',
    });
  });

  it('production refuses the dev issuer, missing master keys, a non-https URL', () => {
    expect(loadConfig(prod, '/tmp').devIssuer).toBe(false);
    const a = refusal({ ...prod, TRINE_DEV_ISSUER: '1' });
    expect(a.exitCode).toBe(EXIT.devIssuerInProduction);
    expect(a.message).toMatch(/dev issuer/);
    const b = refusal({ ...prod, TRINE_MASTER_KEYS: '' });
    expect(b.exitCode).toBe(EXIT.noMasterKeysInProduction);
    const c = refusal({ ...prod, TRINE_PUBLIC_URL: 'http://vault.example' });
    expect(c.exitCode).toBe(EXIT.insecurePublicUrl);
    const d = refusal({ TRINE_ENV: 'production', TRINE_MASTER_KEYS: key });
    expect(d.exitCode).toBe(EXIT.insecurePublicUrl);
    expect(refusal({ TRINE_ENV: 'staging' }).exitCode).toBe(EXIT.config);
  });

  it('TRINE_ENV has no default: unset or empty is refused with what to set', () => {
    for (const env of [{}, { TRINE_ENV: '' }, { DATABASE_URL: 'postgres://a@db/x' }]) {
      const e = refusal(env);
      expect(e.exitCode).toBe(EXIT.modeUnset);
      expect(e.message).toBe(
        'refusing to start: TRINE_ENV is not set; set TRINE_ENV=production for a deployment, or TRINE_ENV=development on your own machine (npm start and npm run vault set it for you)',
      );
    }
  });

  it('dev mode refuses what only a deployment has: https URL, a public HOST, DATABASE_URL', () => {
    const cases: [Record<string, string>, string][] = [
      [{ TRINE_PUBLIC_URL: 'https://wallet.example' }, 'an https TRINE_PUBLIC_URL'],
      [{ HOST: '0.0.0.0' }, 'HOST=0.0.0.0 (not a loopback address)'],
      [{ HOST: '::' }, 'HOST=:: (not a loopback address)'],
      [{ HOST: '10.0.0.5' }, 'HOST=10.0.0.5 (not a loopback address)'],
      [{ HOST: 'vault.internal' }, 'HOST=vault.internal (not a loopback address)'],
      [
        { DATABASE_URL: 'postgres://app@127.0.0.1/x' },
        'DATABASE_URL set (dev mode uses PGlite only)',
      ],
    ];
    for (const [change, what] of cases) {
      const e = refusal({ ...dev, ...change });
      expect(e.exitCode, what).toBe(EXIT.devLooksDeployed);
      expect(e.message).toBe(
        `refusing to start: TRINE_ENV=development with ${what}; dev mode is for one machine only: set TRINE_ENV=production (with its settings, see infra/README.md) or remove that setting`,
      );
    }
    // loopback listen addresses are fine
    for (const HOST of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) {
      expect(loadConfig({ ...dev, HOST }, '/tmp').host).toBe(HOST);
    }
    expect(isLoopbackHost('127.0.0.1.example')).toBe(false);
    expect(isLoopbackHost('::ffff:10.0.0.1')).toBe(false);
  });

  it('production says how clients reach it: trusted proxies or TRINE_EXPOSED_DIRECTLY=1', () => {
    const { TRINE_TRUSTED_PROXIES: _, ...bare } = prod;
    const a = refusal(bare);
    expect(a.exitCode).toBe(EXIT.proxyUndeclared);
    expect(a.message).toBe(
      'refusing to start: TRINE_ENV=production needs TRINE_TRUSTED_PROXIES (the addresses of your reverse proxies, e.g. 10.0.0.2) or, when clients connect to the vault directly with no proxy, TRINE_EXPOSED_DIRECTLY=1',
    );
    expect(refusal({ ...bare, TRINE_EXPOSED_DIRECTLY: '0' }).exitCode).toBe(EXIT.proxyUndeclared);
    const both = refusal({ ...prod, TRINE_EXPOSED_DIRECTLY: '1' });
    expect(both.exitCode).toBe(EXIT.proxyUndeclared);
    expect(both.message).toMatch(/contradict/);
    expect(loadConfig({ ...bare, TRINE_EXPOSED_DIRECTLY: '1' }, '/tmp').trustedProxies).toEqual([]);
    expect(loadConfig(prod, '/tmp').trustedProxies).toEqual(['10.0.0.2']);
  });

  it('production refuses the bench routes; the HTTP app never mounts them in production', () => {
    const e = refusal({ ...prod, TRINE_BENCH_ROUTES: '1' });
    expect(e.exitCode).toBe(EXIT.benchRoutesInProduction);
    expect(e.message).toMatch(/TRINE_BENCH_ROUTES/);
    expect(loadConfig({ ...dev, TRINE_BENCH_ROUTES: '1' }, '/tmp').benchRoutes).toBe(true);
  });

  it('TRINE_DEV_GUESS_LIMIT: the in-process realm locks the dev app after that many guesses (dev only)', async () => {
    expect(loadConfig(dev, '/tmp').devGuessLimit).toBeNull();
    expect(loadConfig({ ...dev, TRINE_DEV_GUESS_LIMIT: '4' }, '/tmp').devGuessLimit).toBe(4);
    for (const v of ['0', '1001', '2.5', 'four', '-3']) {
      const e = refusal({ ...dev, TRINE_DEV_GUESS_LIMIT: v });
      expect(e.exitCode, v).toBe(EXIT.config);
      expect(e.message).toBe('TRINE_DEV_GUESS_LIMIT must be an integer 1..1000');
    }
    expect(refusal({ ...prod, TRINE_DEV_GUESS_LIMIT: '4' }).message).toBe(
      'TRINE_DEV_GUESS_LIMIT is for development only',
    );

    // What `npm start` builds (main.ts): the realm in this process, at /realm, with limit 2.
    const dir = mkdtempSync(join(tmpdir(), 'trine-guess-limit-'));
    const config = loadConfig(
      { ...dev, PORT: '0', TRINE_DATA_DIR: dir, TRINE_DEV_GUESS_LIMIT: '2' },
      dir,
    );
    const vault = await buildVault(config, {
      inProcessRealm: true,
      logger: createLogger('silent'),
    });
    try {
      const realmId = vault.realm!.realmId;
      const token = (await call(vault.app, 'POST', '/dev/token', { body: { sub: 'guesser' } })).json
        .token as string;
      const walletId = randomUUID();
      const b64 = (n: number) => randomBytes(n).toString('base64url');
      const put = await call(vault.app, 'PUT', '/realm/v1/apps/dev/registration', {
        token,
        body: {
          realmId,
          walletId,
          epoch: 1,
          maskedShare: b64(33),
          unlockTag: b64(32),
          managementKey: Buffer.from(mgmtKey(walletId).publicKey).toString('base64url'),
        },
        sign: false,
      });
      expect(put.status).toBe(201);
      // Any canonical group element is a guess to the realm: 2 counted, then 423.
      const element = Buffer.from(ristretto255.Point.BASE.multiply(7n).toBytes()).toString(
        'base64url',
      );
      const guess = () =>
        call(vault.app, 'POST', '/realm/v1/apps/dev/evaluate', {
          token,
          body: { walletId, epoch: 1, blinded: element },
        });
      expect((await guess()).json).toMatchObject({ guesses: 1, guessLimit: 2, counted: true });
      expect((await guess()).json).toMatchObject({ guesses: 2, guessLimit: 2, counted: true });
      expectProblem(await guess(), 423, 'registration_locked');
      const reg = await call(vault.app, 'GET', '/realm/v1/apps/dev/registration', { token });
      expect(reg.json).toMatchObject({ guesses: 2, guessLimit: 2, locked: true });
    } finally {
      await vault.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('master key parsing errors never echo key material', () => {
    const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0';
    for (const text of [`k1:${secret}`, `:${secret}`, `k1:${secret},k1:${secret}`]) {
      try {
        parseMasterKeys(text);
        throw new Error('accepted');
      } catch (e) {
        expect((e as Error).message).not.toContain(secret);
      }
    }
  });

  it('main.ts exits with the refusal code and a clear message', async () => {
    const { TRINE_TRUSTED_PROXIES: _, ...bare } = prod;
    const cases: [Record<string, string>, number, string][] = [
      [
        { ...prod, TRINE_DEV_ISSUER: '1' },
        EXIT.devIssuerInProduction,
        'refusing to start: TRINE_ENV=production with the dev issuer on',
      ],
      [
        { ...prod, TRINE_PUBLIC_URL: 'http://vault.example' },
        EXIT.insecurePublicUrl,
        'needs an https TRINE_PUBLIC_URL',
      ],
      [{}, EXIT.modeUnset, 'refusing to start: TRINE_ENV is not set; set TRINE_ENV=production'],
      [{ ...dev, HOST: '0.0.0.0' }, EXIT.devLooksDeployed, 'HOST=0.0.0.0 (not a loopback'],
      [
        { ...dev, TRINE_PUBLIC_URL: 'https://wallet.example' },
        EXIT.devLooksDeployed,
        'with an https TRINE_PUBLIC_URL',
      ],
      [
        { ...dev, DATABASE_URL: 'postgres://x@127.0.0.1:1/x' },
        EXIT.devLooksDeployed,
        'with DATABASE_URL set',
      ],
      [bare, EXIT.proxyUndeclared, 'needs TRINE_TRUSTED_PROXIES'],
      [{ ...prod, TRINE_BENCH_ROUTES: '1' }, EXIT.benchRoutesInProduction, 'TRINE_BENCH_ROUTES'],
    ];
    const results = await Promise.all(cases.map(([env]) => runMain(env)));
    results.forEach((r, i) => {
      const [, code, text] = cases[i]!;
      expect(r.code, text).toBe(code);
      expect(r.stderr, text).toMatch(/^trine vault: refusing to start: /);
      expect(r.stderr, text).toContain(text);
      expect(r.stderr).not.toContain(key.split(':')[1]!);
    });
  });
});

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: VAULT_DIR,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe.each(BACKENDS)(`modes on %s${BACKEND_NOTE}`, (kind) => {
  let be: Backend;
  beforeAll(async () => {
    be = await openBackend(kind);
    await be.reset();
  });
  afterAll(async () => be.close());

  it('production: no bench route even when the caller asks for it', async () => {
    const prodApp = await makeVault(be.database, {
      mode: 'production',
      devIssuer: null,
      benchRoutes: true,
    });
    expect((await call(prodApp.app, 'GET', '/bench/baseline/dev')).status).toBe(404);
    const devApp = await makeVault(be.database, { benchRoutes: true });
    expect((await call(devApp.app, 'GET', '/bench/baseline/dev')).status).toBe(200);
  });

  it('production: HSTS over https only; X-Forwarded-* believed only from trusted proxies', async () => {
    const v = await makeVault(be.database, {
      mode: 'production',
      devIssuer: null,
      trustedProxies: ['10.1.1.1'],
    });
    const viaProxy = await call(v.app, 'GET', '/healthz', {
      ip: '10.1.1.1',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9, 10.1.1.1' },
    });
    expect(viaProxy.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const spoofed = await call(v.app, 'GET', '/healthz', {
      ip: '198.51.100.1',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(spoofed.headers.get('strict-transport-security')).toBeNull();
    // the dev issuer is not mounted
    expect((await call(v.app, 'POST', '/dev/token', { body: { sub: 'a' } })).status).toBe(404);
  });

  it('the client IP recorded in audit events comes from X-Forwarded-For only via a trusted proxy', async () => {
    const v = await makeVault(be.database, { trustedProxies: ['10.1.1.1'] });
    const t = await v.token('ip-user');
    await call(v.app, 'POST', '/v1/apps/dev/wallet', {
      token: t,
      body: createBody(),
      ip: '10.1.1.1',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    await call(v.app, 'GET', '/v1/apps/dev/wallet/auth-share', {
      token: t,
      ip: '198.51.100.1',
      headers: { 'x-forwarded-for': '203.0.113.77' },
    });
    const ev = await call(v.app, 'GET', '/v1/apps/dev/wallet/events', { token: t });
    expect(ev.json.events.map((e: { ip: string }) => e.ip)).toEqual(['203.0.113.9']);
    const reads = await call(v.app, 'GET', '/v1/apps/dev/wallet/events?kind=reads', { token: t });
    expect(reads.json.events.map((e: { ip: string }) => e.ip)).toEqual(['198.51.100.1']);
  });

  it('wallet hosting hook: /embed with a CSP frame-ancestors of the app’s origins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-wallet-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>wallet</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    const v = await makeVault(be.database, { walletDir: dir });
    const r = await call(v.app, 'GET', '/embed?app=dev');
    expect(r.status).toBe(200);
    expect(r.text).toContain('wallet');
    expect(r.headers.get('content-security-policy')).toContain(`frame-ancestors ${HOST_ORIGIN}`);
    const none = await call(v.app, 'GET', '/embed?app=unknown');
    expect(none.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const js = await call(v.app, 'GET', '/embed/app.js?app=dev');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const traversal = await call(v.app, 'GET', '/embed/..%2f..%2f..%2fetc%2fpasswd');
    expect(traversal.text).not.toContain('root:');
    expect(walletCsp([])).toContain("frame-ancestors 'none'");
    // a stale hashed asset is a 404, never index.html; app routes still get index.html
    const stale = await call(v.app, 'GET', '/embed/assets/index-deadbeef.js?app=dev');
    expect(stale.status).toBe(404);
    expect(stale.text).not.toContain('<title>wallet');
    const route = await call(v.app, 'GET', '/embed/some/route?app=dev');
    expect(route.status).toBe(200);
    expect(route.text).toContain('<title>wallet');
    // a malformed percent-escape is a 400, not a 500
    expect((await call(v.app, 'GET', '/embed/%E0%A4%A?app=dev')).status).toBe(400);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("worker-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('/embed caching: hashed assets/ immutable for a year, every page revalidated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-wallet-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>wallet</title>');
    writeFileSync(join(dir, 'approve.html'), '<!doctype html><title>approve</title>');
    writeFileSync(join(dir, 'assets', 'embed-AbC123.js'), 'console.log(1)');
    const v = await makeVault(be.database, { walletDir: dir });
    const cache = async (path: string) =>
      (await call(v.app, 'GET', `${path}?app=dev`)).headers.get('cache-control');
    expect(await cache('/embed/assets/embed-AbC123.js')).toBe(
      'public, max-age=31536000, immutable',
    );
    // approve.html names hashed files too: a cached copy would outlive a deploy
    expect(await cache('/embed/approve.html')).toBe('no-cache');
    expect(await cache('/embed')).toBe('no-cache');
    expect(await cache('/embed/some/route')).toBe('no-cache');
  });
});
