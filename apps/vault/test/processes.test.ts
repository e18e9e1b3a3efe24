/**
 * Real vault processes (src/main.ts): the recovery limit holds across two processes on
 * one PostgreSQL database, and SIGTERM lets an in-flight request finish, then exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/crypto/at-rest.ts';
import { createBody, makeIssuer, PG_URL } from './helpers.ts';

const VAULT_DIR = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];

function start(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: VAULT_DIR,
      env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...env },
    });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`vault did not start: ${out}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`vault exited ${code}: ${out}`)));
  });
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) => {
    if (c.exitCode !== null) r(c.exitCode);
    else c.on('exit', (code) => r(code));
  });

/** A POST whose body arrives in two parts, `gapMs` apart: in flight during the gap. */
function slowPost(url: string, body: string, gapMs: number, during: () => void) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 5));
    setTimeout(() => {
      during();
      setTimeout(() => req.end(body.slice(5)), gapMs);
    }, gapMs);
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

async function json(url: string, init: RequestInit = {}) {
  const r = await fetch(url, init);
  return { status: r.status, body: (await r.json().catch(() => null)) as any };
}

describe('vault processes (PGlite, one process)', () => {
  it('SIGTERM: an in-flight request finishes, then the process exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-proc-'));
    const { url, child } = await start({ TRINE_ENV: 'development', TRINE_DATA_DIR: dir });
    const r = await slowPost(`${url}/dev/token`, JSON.stringify({ sub: 'alice' }), 300, () =>
      child.kill('SIGTERM'),
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).token).toMatch(/^ey/);
    expect(await exited(child)).toBe(0);
    // and it no longer accepts connections
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('keeps an idle keep-alive connection open longer than the proxy does (Caddy: 30 s)', async () => {
    // Node's default (5 s) closed idle connections Caddy was about to reuse; a POST that
    // met one was answered 502 by Caddy. 7 s idle here: past the default, so the test
    // fails with it; the configured 65 s is checked by reusing the same socket.
    const dir = mkdtempSync(join(tmpdir(), 'trine-proc-'));
    const { url, child } = await start({ TRINE_ENV: 'development', TRINE_DATA_DIR: dir });
    const { hostname, port } = new URL(url);
    const sock = connect(Number(port), hostname);
    let received = '';
    let closed = false;
    sock.on('data', (d) => {
      received += String(d);
    });
    sock.on('close', () => {
      closed = true;
    });
    await new Promise((r) => sock.once('connect', r));
    const ask = () => sock.write(`GET /healthz HTTP/1.1\r\nhost: ${hostname}\r\n\r\n`);
    const answers = () => received.split('HTTP/1.1 200').length - 1;
    ask();
    for (let i = 0; i < 100 && answers() < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(answers()).toBe(1);
    await new Promise((r) => setTimeout(r, 7000));
    expect(closed).toBe(false);
    ask();
    for (let i = 0; i < 100 && answers() < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(answers()).toBe(2);
    sock.destroy();
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  }, 60_000);
});

if (PG_URL) {
  describe('two vault processes on one PostgreSQL database', () => {
    it('the per-wallet recovery limit holds across both processes', async () => {
      const name = `trine_proc_${Date.now()}`;
      const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      const u = new URL(PG_URL);
      u.pathname = `/${name}`;
      const dir = mkdtempSync(join(tmpdir(), 'trine-proc-'));
      // PostgreSQL means production mode (dev mode refuses DATABASE_URL): a static issuer
      // in an apps file instead of the dev issuer.
      const idp = await makeIssuer('https://idp.proc.test/', 'shop');
      const appsFile = join(dir, 'apps.json');
      writeFileSync(
        appsFile,
        JSON.stringify({
          apps: [
            {
              id: 'shop',
              name: 'Shop',
              allowedOrigins: ['https://shop.example'],
              issuers: [{ iss: idp.iss, aud: idp.aud, jwks: idp.jwks }],
              networks: ['preprod'],
            },
          ],
        }),
      );
      const env = {
        TRINE_ENV: 'production',
        HOST: '127.0.0.1',
        DATABASE_URL: u.toString(),
        TRINE_DATA_DIR: dir,
        TRINE_APPS_FILE: appsFile,
        TRINE_MASTER_KEYS: generateMasterKey('p1'),
        TRINE_RATE_RECOVERY_USER: '4/3600',
        TRINE_PUBLIC_URL: 'https://vault.proc.test',
        TRINE_EXPOSED_DIRECTLY: '1',
      };
      try {
        const a = await start(env);
        const b = await start(env); // same apps file, same master key; same database
        const auth = {
          authorization: `Bearer ${await idp.sign('alice')}`,
          'content-type': 'application/json',
        };
        const created = await json(`${b.url}/v1/apps/shop/wallet`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify(createBody()),
        });
        expect(created.status).toBe(201);
        const statuses: number[] = [];
        for (let i = 0; i < 8; i++) {
          const r = await json(`${(i % 2 ? b : a).url}/v1/apps/shop/wallet/recovery`, {
            method: 'POST',
            headers: auth,
          });
          statuses.push(r.status);
        }
        expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
        a.child.kill('SIGTERM');
        b.child.kill('SIGTERM');
        expect(await exited(a.child)).toBe(0);
        expect(await exited(b.child)).toBe(0);
      } finally {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    });
  });
}
