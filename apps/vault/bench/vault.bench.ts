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
 *
 * `BENCH_DB=pglite`: the same load on embedded PGlite instead. PGlite is one process per
 * data folder, so the vault runs in development mode (its own apps file, no dev issuer)
 * with TRINE_BENCH_ROUTES=1 and serves the baseline itself; results go to
 * bench/results/pglite/. `BENCH_CPU_PROF=<dir>`: the vault runs with `--cpu-prof` and
 * writes its profile there when it stops.
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
const pglite = process.env.BENCH_DB === 'pglite';
const cpuProf = process.env.BENCH_CPU_PROF;

const tmp = mkdtempSync(join(tmpdir(), 'trine-bench-'));
chmodSync(tmp, 0o755); // the postgres user must reach the cluster folder (pg.sh)
const pgDir = join(tmp, 'pg');
let vault: ChildProcess | null = null;
let baselineServer: ChildProcess | null = null;

function cleanup() {
  if (vault && vault.exitCode === null) vault.kill('SIGTERM');
  if (baselineServer && baselineServer.exitCode === null) baselineServer.kill('SIGTERM');
  if (!pglite) spawnSync('bash', [join(ROOT, 'scripts/pg.sh'), 'stop', pgDir]);
  rmSync(tmp, { recursive: true, force: true });
}

async function startPostgres(): Promise<string> {
  // PostgreSQL cannot inherit a socket: a port below the ephemeral range, held until it
  // starts, retried on a clash (scripts/ports.mjs).
  let pgUrl = '';
  await withPortRetry(async (p) => {
    const r = spawnSync('bash', [join(ROOT, 'scripts/pg.sh'), 'start', pgDir, String(p)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`PostgreSQL did not start: ${r.stderr}`);
    pgUrl = r.stdout.trim();
    return p;
  });
  return pgUrl;
}

async function main() {
  const databaseUrl = pglite ? '' : await startPostgres();
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
  const common = {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    TRINE_DATA_DIR: join(tmp, 'data'),
    TRINE_APPS_FILE: appsFile,
    TRINE_MASTER_KEYS: generateMasterKey('bench1'),
    TRINE_RATE_IP: '100000000/60',
    TRINE_RATE_USER: '100000000/60',
    LOG_LEVEL: 'warn',
  };
  const env = pglite
    ? {
        ...common,
        TRINE_ENV: 'development',
        TRINE_DEV_ISSUER: '0',
        TRINE_BENCH_ROUTES: '1',
        TRINE_PUBLIC_URL: 'http://127.0.0.1',
      }
    : {
        ...common,
        TRINE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        TRINE_PUBLIC_URL: 'https://vault.bench.test',
        TRINE_EXPOSED_DIRECTLY: '1',
      };
  const prof = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', cpuProf] : [];
  vault = spawn(process.execPath, [...prof, '--import', 'tsx', 'src/main.ts'], {
    cwd: VAULT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await listening(vault);
  let baselineUrl = url;
  if (!pglite) {
    baselineServer = spawn(process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts'], {
      cwd: VAULT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    baselineUrl = await listening(baselineServer);
  }
  console.log(
    `bench: vault at ${url} on ${pglite ? 'PGlite' : 'PostgreSQL'}; creating ${users} users…`,
  );
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
    database: pglite
      ? 'PGlite (one process, data folder)'
      : 'PostgreSQL (scripts/pg.sh, fsync off)',
    vaultMode: pglite ? 'development (PGlite)' : 'production',
    baseline: pglite
      ? 'GET /bench/baseline/dev of the vault under test (PGlite is one process)'
      : 'bench/baseline-server.ts: the same createApp stack, a process of its own',
    rows,
    ratio,
  };
  const dir = pglite ? join(HERE, 'results', 'pglite') : join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `vault-${result.date.replace(/[:.]/g, '-')}.json`);
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
