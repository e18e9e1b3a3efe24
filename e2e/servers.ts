/**
 * @module servers — starts the system under test as real processes: the vault (PGlite in
 * a fresh temp folder, serving the built wallet) and the demo's static server. Each gets a
 * listening socket this process bound first (scripts/ports.mjs: passed as fd 3 with
 * LISTEN_FD=3), so the port is known before the child starts and nothing else can take
 * it: no pick-a-free-port-then-bind race. Children are node processes spawned directly
 * (no npx wrapper), so stopping them by PID stops the servers themselves.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BoundSocket, bindSocket } from '../scripts/ports.mjs';

export const ROOT = new URL('..', import.meta.url).pathname;

/** A listening socket on 127.0.0.1 (port 0: the OS picks it), to hand to a child server. */
export function listenSocket(host = '127.0.0.1'): Promise<BoundSocket> {
  return bindSocket(host, 0);
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

async function run(
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
  socket: BoundSocket,
): Promise<Running> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, LISTEN_FD: '3' },
    stdio: ['ignore', 'pipe', 'pipe', socket.fd],
  });
  // The child holds its own copy of the socket now.
  await socket.close();
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

/** Starts a vault on a fresh socket with a fresh PGlite data folder (removed on stop). */
export async function startVault(o: VaultOptions): Promise<Running & { dataDir: string }> {
  const socket = await listenSocket();
  const port = socket.port;
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
    socket,
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

/**
 * Starts the demo's static server (apps/demo/scripts/serve.mjs) on `socket` (from
 * listenSocket: bind first, so the vault can be told the demo's origin before either runs).
 */
export function startDemo(socket: BoundSocket, vaultUrl: string): Promise<Running> {
  const h = socket.host.includes(':') ? `[${socket.host}]` : socket.host;
  return run(
    ['apps/demo/scripts/serve.mjs'],
    { PORT: String(socket.port), HOST: socket.host, TRINE_VAULT_URL: vaultUrl },
    `http://${h}:${socket.port}/`,
    socket,
  );
}
