/**
 * @module bench/vault.bench — `npm run bench:vault` at the root.
 *
 * Starts a throwaway PostgreSQL (scripts/pg.sh) and the vault as a child process in
 * production mode (loopback only; an app `dev` trusting an issuer whose key this script
 * holds), creates users, then loads with autocannon from a second process:
 * (1) `GET /v1/apps/dev/wallet/auth-share` with valid JWTs (verify + RLS transaction +
 * audit insert + decrypt), (2) the baseline `GET /bench/baseline/dev` (one primary-key
 * select, no auth) served by bench/baseline-server.ts, a second process on the same
 * database (production never mounts bench routes). Prints a table
 * and writes JSON under bench/results/. Env: BENCH_DURATION (s, default 10),
 * BENCH_CONNECTIONS (default 16), BENCH_USERS (default 200).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withPortRetry } from '../../../scripts/ports.mjs';
import { generateMasterKey } from '../src/crypto/at-rest.ts';
import { createBody, makeIssuer } from '../test/helpers.ts';

const HERE = new URL('.', import.meta.url).pathname;
const VAULT = join(HERE, '..');
const ROOT = join(VAULT, '..', '..');
const duration = Math.min(Number(process.env.BENCH_DURATION ?? 10), 60);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const users = Number(process.env.BENCH_USERS ?? 200);

const tmp = mkdtempSync(join(tmpdir(), 'trine-bench-'));
chmodSync(tmp, 0o755); // the postgres user must reach the cluster folder (pg.sh)
const pgDir = join(tmp, 'pg');
let vault: ChildProcess | null = null;
let baselineServer: ChildProcess | null = null;

function cleanup() {
  if (vault && vault.exitCode === null) vault.kill('SIGTERM');
  if (baselineServer && baselineServer.exitCode === null) baselineServer.kill('SIGTERM');
  spawnSync('bash', [join(ROOT, 'scripts/pg.sh'), 'stop', pgDir]);
  rmSync(tmp, { recursive: true, force: true });
}

let pgUrl = '';

async function main() {
  // PostgreSQL cannot inherit a socket: a port below the ephemeral range, held until it
  // starts, retried on a clash (scripts/ports.mjs).
  const port = await withPortRetry(async (p) => {
    const r = spawnSync('bash', [join(ROOT, 'scripts/pg.sh'), 'start', pgDir, String(p)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`PostgreSQL did not start: ${r.stderr}`);
    pgUrl = r.stdout.trim();
    return p;
  });
  const pg = { stdout: pgUrl };
  const databaseUrl = pg.stdout.trim();
  const idp = await makeIssuer('https://idp.bench.test/', 'dev');
  const appsFile = join(tmp, 'apps.json');
  writeFileSync(
    appsFile,
    JSON.stringify({
      apps: [
        {
          id: 'dev',
          name: 'Bench',
          allowedOrigins: ['https://bench.example'],
          issuers: [{ iss: idp.iss, aud: idp.aud, jwks: idp.jwks }],
          networks: ['preprod', 'preview'],
        },
      ],
    }),
  );
  const listening = (child: ChildProcess) =>
    new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`${child.spawnfile} exited ${code}`)));
    });
  vault = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: VAULT,
    env: {
      PATH: process.env.PATH ?? '',
      TRINE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      TRINE_DATA_DIR: join(tmp, 'data'),
      TRINE_APPS_FILE: appsFile,
      TRINE_MASTER_KEYS: generateMasterKey('bench1'),
      TRINE_PUBLIC_URL: 'https://vault.bench.test',
      TRINE_EXPOSED_DIRECTLY: '1',
      TRINE_RATE_IP: '100000000/60',
      TRINE_RATE_USER: '100000000/60',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await listening(vault);
  baselineServer = spawn(process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts'], {
    cwd: VAULT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baselineUrl = await listening(baselineServer);
  console.log(`bench: vault at ${url}, PostgreSQL at 127.0.0.1:${port}; creating ${users} users…`);
  const tokens: string[] = [];
  for (let i = 0; i < users; i++) {
    const token = await idp.sign(`bench-${randomUUID()}`);
    const r = await fetch(`${url}/v1/apps/dev/wallet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(createBody()),
    });
    if (r.status !== 201) throw new Error(`create failed: ${r.status}`);
    tokens.push(token);
  }
  const load = (target: string, withTokens: boolean) => {
    const r = spawnSync(
      process.execPath,
      [
        join(HERE, 'load.mjs'),
        JSON.stringify({ url: target, tokens: withTokens ? tokens : null, duration, connections }),
      ],
      { cwd: VAULT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.status !== 0) throw new Error(`load failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as {
      rps: number;
      p50: number;
      p99: number;
      non2xx: number;
      errors: number;
      total: number;
    };
  };
  console.log(`bench: ${duration} s per route, ${connections} connections…`);
  const authShare = load(`${url}/v1/apps/dev/wallet/auth-share`, true);
  const baseline = load(`${baselineUrl}/bench/baseline/dev`, false);
  const rows = [
    { route: 'GET /v1/apps/dev/wallet/auth-share (JWT)', ...authShare },
    { route: 'GET /bench/baseline/dev (PK select, no auth)', ...baseline },
  ];
  console.table(
    rows.map((r) => ({
      route: r.route,
      'req/s': Math.round(r.rps),
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      non2xx: r.non2xx,
      errors: r.errors,
    })),
  );
  const ratio = authShare.rps / baseline.rps;
  console.log(`auth-share / baseline throughput ratio: ${ratio.toFixed(3)}`);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    duration,
    connections,
    users,
    database: 'PostgreSQL (scripts/pg.sh, fsync off)',
    vaultMode: 'production',
    baseline: 'bench/baseline-server.ts: the same createApp stack, a process of its own',
    rows,
    ratio,
  };
  mkdirSync(join(HERE, 'results'), { recursive: true });
  const file = join(HERE, 'results', `vault-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`bench: wrote ${file}`);
}

main()
  .then(cleanup)
  .catch((e: unknown) => {
    console.error(e);
    cleanup();
    process.exit(1);
  });
