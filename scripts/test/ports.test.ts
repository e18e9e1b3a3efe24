/**
 * The harnesses' ports (scripts/ports.mjs): a socket bound here is inherited by the server
 * it is handed to, so the port is never free between being chosen and being listened on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bindSocket, bindStablePort, withPortRetry } from '../ports.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function startWithSocket(args: string[], fd: number, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, LISTEN_FD: '3' },
    stdio: ['ignore', 'pipe', 'pipe', fd],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const line = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const t = setInterval(() => {
        const m = out.match(re);
        if (m) {
          clearInterval(t);
          resolve(m);
        } else if (child.exitCode !== null) {
          clearInterval(t);
          reject(new Error(`exited ${child.exitCode}: ${out}`));
        }
      }, 50);
    });
  return { child, line };
}

const inUse = (port: number) =>
  bindSocket('127.0.0.1', port).then(
    async (b) => {
      await b.close();
      return false;
    },
    (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE',
  );

describe('ports', () => {
  it('concurrent binds get distinct ports, and a bound port cannot be taken', async () => {
    const socks = await Promise.all(Array.from({ length: 20 }, () => bindSocket()));
    expect(new Set(socks.map((s) => s.port)).size).toBe(20);
    expect(await inUse(socks[0]!.port)).toBe(true);
    await Promise.all(socks.map((s) => s.close()));
    expect(await inUse(socks[0]!.port)).toBe(false);
  });

  it('stable ports come from below the ephemeral range', async () => {
    const [lo] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const s = await bindStablePort();
    expect(s.port).toBeGreaterThanOrEqual(10000);
    expect(s.port).toBeLessThan(Number(lo));
    await s.close();
  });

  it('withPortRetry retries a clash and rethrows anything else', async () => {
    let calls = 0;
    const port = await withPortRetry(async (p) => {
      calls++;
      if (calls === 1) throw new Error('listen EADDRINUSE: address already in use');
      return p;
    });
    expect(calls).toBe(2);
    expect(typeof port).toBe('number');
    await expect(
      withPortRetry(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('the demo server listens on the inherited socket, which stays held while it runs', async () => {
    const sock = await bindSocket();
    const { line } = startWithSocket(['apps/demo/scripts/serve.mjs'], sock.fd, {
      PORT: '1', // would fail (privileged) if LISTEN_FD were ignored
      TRINE_DEMO_DIR: ROOT,
    });
    await sock.close();
    const m = await line(/demo listening on http:\/\/[^:]+:(\d+)/);
    expect(Number(m[1])).toBe(sock.port);
    expect((await fetch(`http://127.0.0.1:${sock.port}/package.json`)).status).toBe(200);
    expect(await inUse(sock.port)).toBe(true);
  });

  it('the vault (main.ts) listens on the inherited socket and prints its port', async () => {
    const sock = await bindSocket();
    const data = mkdtempSync(join(tmpdir(), 'trine-ports-'));
    try {
      const { line } = startWithSocket(['--import', 'tsx', 'apps/vault/src/main.ts'], sock.fd, {
        TRINE_ENV: 'development',
        PORT: '1',
        HOST: '127.0.0.1',
        TRINE_DATA_DIR: data,
        LOG_LEVEL: 'warn',
      });
      await sock.close();
      const m = await line(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      expect(Number(m[1])).toBe(sock.port);
      expect((await fetch(`http://127.0.0.1:${sock.port}/healthz`)).status).toBe(200);
    } finally {
      for (const c of children.splice(0)) c.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  });
});
