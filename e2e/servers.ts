/**
 * @module servers — starts the system under test as real processes: the vault (PGlite in
 * a fresh temp folder, serving the built wallet) and the demo's static server, on free
 * loopback ports. Children are node processes spawned directly (no npx wrapper), so
 * stopping them by PID stops the servers themselves.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Running {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function waitForUrl(url: string, child: ChildProcess, output: () => string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: exited early\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url}: not ready after ${ms} ms\n${output()}`);
}

function run(args: string[], env: Record<string, string>, readyUrl: string): Promise<Running> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return waitForUrl(readyUrl, child, () => out, 60_000).then(
    () => ({ url: new URL(readyUrl).origin, child, stop }),
    async (e) => {
      await stop();
      throw e;
    },
  );
}

export interface VaultOptions {
  /** Allowed host origins of the `dev` app. */
  devOrigins: string[];
  /** Extra environment (rate limits…). */
  env?: Record<string, string>;
}

/** Starts a vault on a free port with a fresh PGlite data folder (removed on stop). */
export async function startVault(o: VaultOptions): Promise<Running & { dataDir: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'trine-e2e-vault-'));
  const url = `http://127.0.0.1:${port}`;
  const r = await run(
    ['--import', 'tsx', 'apps/vault/src/main.ts'],
    {
      TRINE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      TRINE_DATA_DIR: dataDir,
      TRINE_WALLET_DIR: join(ROOT, 'apps/wallet/dist'),
      TRINE_PUBLIC_URL: url,
      TRINE_WALLET_ORIGINS: url,
      TRINE_DEV_ORIGINS: o.devOrigins.join(','),
      LOG_LEVEL: 'warn',
      ...o.env,
    },
    `${url}/readyz`,
  );
  return {
    ...r,
    dataDir,
    stop: async () => {
      await r.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts the demo's static server (apps/demo/scripts/serve.mjs) on `port`. */
export function startDemo(port: number, vaultUrl: string, host = '127.0.0.1'): Promise<Running> {
  const h = host.includes(':') ? `[${host}]` : host;
  return run(
    ['apps/demo/scripts/serve.mjs'],
    { PORT: String(port), HOST: host, TRINE_VAULT_URL: vaultUrl },
    `http://${h}:${port}/`,
  );
}
