/**
 * Real realm processes (src/main.ts, as `npm run realm` starts it): PORT=0 prints the
 * port it got; LISTEN_FD serves an inherited, already-bound socket; the dev issuer of a
 * vault is trusted through TRINE_DEV_ISSUER_URL (a JWKS over HTTP); SIGTERM lets an
 * in-flight request finish, then exits 0; the counter survives a process restart; the
 * production refusals exit with their codes.
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/config.ts';
import { makeIssuer, mgmtKey, regBody, type TestIssuer } from './helpers.ts';

const REALM_DIR = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
const dirs: string[] = [];

function spawnRealm(env: Record<string, string>, stdio: StdioOptions = ['ignore', 'pipe', 'pipe']) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REALM_DIR,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio,
  });
  children.push(child);
  return child;
}

function started(child: ChildProcess): Promise<{ url: string; port: number; out: () => string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    // Generous: a first start initialises a PGlite data folder, slow on a loaded 2-core machine.
    const timer = setTimeout(() => reject(new Error(`realm did not start: ${out}`)), 120_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+):(\d+)\n/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `${m[1]}:${m[2]}`, port: Number(m[2]), out: () => out });
      }
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`realm exited ${code}: ${out}`)));
  });
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) => {
    if (c.exitCode !== null) r(c.exitCode);
    else c.on('exit', (code) => r(code));
  });

let issuer: TestIssuer;
let jwksServer: ReturnType<typeof createServer>;
let vaultUrl: string;

beforeAll(async () => {
  // Stands in for the vault's GET /dev/jwks.json (its dev issuer is `<url>/dev`).
  jwksServer = createServer((req, res) => {
    if (req.url === '/dev/jwks.json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(issuer.jwks));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', () => r()));
  vaultUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  issuer = await makeIssuer(`${vaultUrl}/dev`, 'dev');
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  jwksServer.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'trine-realm-proc-'));
  dirs.push(d);
  return d;
};

async function evaluate(url: string, token: string, walletId: string) {
  const { ristretto255_oprf } = await import('@noble/curves/ed25519.js');
  const { toBase64Url } = await import('@trine/core/bytes');
  const blinded = ristretto255_oprf.oprf.blind(new Uint8Array([1])).blinded;
  const r = await fetch(`${url}/v1/apps/dev/evaluate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ walletId, epoch: 1, blinded: toBase64Url(blinded) }),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** Per test: several process starts, each up to a few seconds (more under load). */
const PROCESS_TEST_MS = 300_000;

describe('realm processes', () => {
  it(
    'PORT=0: prints the port; trusts the vault dev issuer; the counter survives a restart; SIGTERM exits 0',
    async () => {
      const dataDir = tmp();
      const env = { PORT: '0', TRINE_DATA_DIR: dataDir, TRINE_DEV_ISSUER_URL: vaultUrl };
      const a = spawnRealm(env);
      const s = await started(a);
      expect(s.port).toBeGreaterThan(0);
      expect(s.out()).toMatch(
        /^trine realm realm-[0-9a-f]{12} \(development, pglite\) listening on http:\/\/127\.0\.0\.1:\d+$/m,
      );
      const info = (await (await fetch(`${s.url}/v1/realm`)).json()) as {
        publicKey: string;
        realmId: string;
      };
      expect(info.publicKey).toHaveLength(43);
      const token = await issuer.sign('proc-user');
      const walletId = crypto.randomUUID();
      const put = await fetch(`${s.url}/v1/apps/dev/registration`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          regBody(
            { appId: 'dev', iss: issuer.iss, sub: 'proc-user', walletId, token },
            mgmtKey(walletId),
            1,
          ),
        ),
      });
      expect(put.status).toBe(201);
      for (let i = 1; i <= 3; i++)
        expect((await evaluate(s.url, token, walletId)).json.guesses).toBe(i);
      a.kill('SIGTERM');
      expect(await exited(a)).toBe(0);
      // Same data folder: same key (kept in the folder, dev mode), same id, same count.
      const b = spawnRealm(env);
      const s2 = await started(b);
      const info2 = (await (await fetch(`${s2.url}/v1/realm`)).json()) as typeof info;
      expect(info2).toEqual(info);
      expect((await evaluate(s2.url, token, walletId)).json.guesses).toBe(4);
      b.kill('SIGTERM');
      expect(await exited(b)).toBe(0);
    },
    PROCESS_TEST_MS,
  );

  it(
    'LISTEN_FD: serves an inherited, already-bound socket and prints its real port',
    async () => {
      const listener = createNetServer();
      await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
      const port = (listener.address() as AddressInfo).port;
      const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
      expect(fd).toBeGreaterThan(2);
      const child = spawnRealm({ LISTEN_FD: '3', PORT: '1', TRINE_DATA_DIR: tmp() }, [
        'ignore',
        'pipe',
        'pipe',
        fd,
      ]);
      // The child holds its own copy of the socket; the parent stops accepting on it.
      listener.close();
      const s = await started(child);
      expect(s.port).toBe(port);
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true });
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    },
    PROCESS_TEST_MS,
  );

  it(
    'SIGTERM lets an in-flight request finish',
    async () => {
      const child = spawnRealm({
        PORT: '0',
        TRINE_DATA_DIR: tmp(),
        TRINE_DEV_ISSUER_URL: vaultUrl,
      });
      const s = await started(child);
      const token = await issuer.sign('slow');
      const body = JSON.stringify({ walletId: crypto.randomUUID(), epoch: 1, blinded: 'x' });
      const reply = await new Promise<{ status: number }>((resolve, reject) => {
        const req = request(
          `${s.url}/v1/apps/dev/evaluate`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(body)),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 5));
        setTimeout(() => {
          child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(5)), 300);
        }, 300);
      });
      // The request completed with its answer (a 400 for the bad element), then exit 0.
      expect(reply.status).toBe(400);
      expect(await exited(child)).toBe(0);
    },
    PROCESS_TEST_MS,
  );

  it(
    'production refusals exit with their codes and never print the key',
    async () => {
      const appsFile = join(tmp(), 'apps.json');
      writeFileSync(
        appsFile,
        JSON.stringify({
          apps: [
            {
              id: 'shop',
              issuers: [{ iss: issuer.iss, aud: 'dev', jwksUrl: `${vaultUrl}/dev/jwks.json` }],
            },
          ],
        }),
      );
      const key = Buffer.alloc(32, 9).toString('base64url');
      const base = { TRINE_ENV: 'production', PORT: '0', TRINE_DATA_DIR: tmp() };
      const run = async (env: Record<string, string>) => {
        const c = spawnRealm({ ...base, ...env });
        let err = '';
        c.stderr!.on('data', (d) => {
          err += d;
        });
        return { code: await exited(c), err: () => err };
      };
      const dev = await run({
        TRINE_DEV_ISSUER_URL: vaultUrl,
        TRINE_REALM_KEY: key,
        TRINE_REALM_ID: 'r1',
        TRINE_APPS_FILE: appsFile,
      });
      expect(dev.code).toBe(EXIT.devIssuerInProduction);
      const noKey = await run({ TRINE_REALM_ID: 'r1', TRINE_APPS_FILE: appsFile });
      expect(noKey.code).toBe(EXIT.noRealmKeyInProduction);
      expect(noKey.err()).toContain('TRINE_REALM_KEY');
      const noId = await run({ TRINE_REALM_KEY: key, TRINE_APPS_FILE: appsFile });
      expect(noId.code).toBe(EXIT.noRealmIdInProduction);
      const badKey = await run({
        TRINE_REALM_KEY: `${key.slice(0, -2)}!!`,
        TRINE_REALM_ID: 'r1',
        TRINE_APPS_FILE: appsFile,
      });
      expect(badKey.code).toBe(EXIT.config);
      expect(badKey.err()).not.toContain(key.slice(0, 20));
      // And a good production configuration starts.
      const good = spawnRealm({
        ...base,
        TRINE_REALM_KEY: key,
        TRINE_REALM_ID: 'realm-1',
        TRINE_APPS_FILE: appsFile,
        HOST: '127.0.0.1',
      });
      const s = await started(good);
      expect(s.out()).toContain('trine realm realm-1 (production, pglite)');
      expect(s.out()).not.toContain(key);
      good.kill('SIGTERM');
      expect(await exited(good)).toBe(0);
    },
    PROCESS_TEST_MS,
  );
});
