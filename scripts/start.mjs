#!/usr/bin/env node
/**
 * README's start command (`npm start`): the whole system on this machine, dev mode.
 *
 * 1. Builds the wallet iframe app and the demo dApp when their dist/ is missing or older
 *    than their sources (scripts/ensure-built.mjs).
 * 2. Starts the vault on embedded PGlite (data in TRINE_DATA_DIR, default ./.trine-data),
 *    dev issuer on, serving the wallet under http://127.0.0.1:$PORT/embed (PORT 8787).
 * 3. Serves the demo on http://localhost:$DEMO_PORT (5173) — another site than the
 *    wallet's 127.0.0.1, as in production — and relays its sign-in to the dev issuer.
 *
 * Ctrl-C (or SIGTERM) stops both children (by their own node PIDs) and exits.
 */
import { spawn } from 'node:child_process';
import { ensureBuilt } from './ensure-built.mjs';

const root = new URL('..', import.meta.url).pathname;
const port = process.env.PORT ?? '8787';
const demoPort = process.env.DEMO_PORT ?? '5173';
const walletUrl = `http://127.0.0.1:${port}`;
const demoUrl = `http://localhost:${demoPort}`;
// The demo's default wallet is http://127.0.0.1:8787; another port goes in ?wallet=.
const openUrl = port === '8787' ? demoUrl : `${demoUrl}/?wallet=${encodeURIComponent(walletUrl)}`;

try {
  ensureBuilt(['wallet', 'demo']);
} catch (e) {
  console.error(`trine: ${e.message}`);
  process.exit(1);
}

const children = new Map();
let stopping = false;

function start(name, args, env) {
  // process.execPath directly (no npx/npm wrapper), so the PID is the server's own.
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`trine: the ${name} stopped (${signal ?? `exit ${code}`}); stopping the rest`);
      stop(1);
    } else if (children.size === 0) process.exit(process.exitCode ?? 0);
  });
  return child;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  if (children.size === 0) process.exit(code);
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code || 1);
  }, 12_000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitFor(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (stopping) return false;
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

start('vault', ['--import', 'tsx', 'apps/vault/src/main.ts'], {
  // The vault has no default mode (a deployment must say production); this is dev.
  TRINE_ENV: process.env.TRINE_ENV ?? 'development',
  PORT: port,
  TRINE_WALLET_DIR: process.env.TRINE_WALLET_DIR ?? 'apps/wallet/dist',
  TRINE_PUBLIC_URL: process.env.TRINE_PUBLIC_URL ?? walletUrl,
  TRINE_DEV_ORIGINS: process.env.TRINE_DEV_ORIGINS ?? demoUrl,
  TRINE_WALLET_ORIGINS: process.env.TRINE_WALLET_ORIGINS ?? walletUrl,
});
if (!(await waitFor(`${walletUrl}/readyz`, 60_000))) {
  console.error('trine: the vault did not become ready in 60 s');
  stop(1);
} else {
  start('demo', ['apps/demo/scripts/serve.mjs'], {
    PORT: demoPort,
    HOST: '127.0.0.1',
    TRINE_VAULT_URL: walletUrl,
  });
  if (await waitFor(`${demoUrl}/`, 15_000)) {
    console.log('');
    console.log(`trine: wallet + vault on ${walletUrl} (PGlite, dev mode)`);
    console.log(`trine: Open ${openUrl}  (the demo dApp; Ctrl-C stops everything)`);
  }
}
