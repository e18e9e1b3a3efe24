#!/usr/bin/env node
/**
 * README's start command (`npm start`): the whole system on this machine, dev mode.
 *
 * Today that is the share vault on embedded PGlite (data in TRINE_DATA_DIR, default
 * ./.trine-data), with its dev issuer on. The wallet iframe and the demo dApp join here
 * when they land. Ctrl-C stops everything.
 */
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const port = process.env.PORT ?? '8787';
const env = { ...process.env, PORT: port };

const vault = spawn(process.execPath, ['--import', 'tsx', 'apps/vault/src/main.ts'], {
  cwd: root,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
console.log(`trine: starting the vault (PGlite, dev mode) on http://127.0.0.1:${port}`);
console.log(`trine: try  curl http://127.0.0.1:${port}/healthz   and   npx trine --help`);
const stop = (sig) => vault.kill(sig);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
vault.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
