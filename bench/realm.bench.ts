/**
 * @module bench/realm.bench — `npm run bench:realm`: a recovery realm's evaluation
 * throughput and latency against the vault's primary-key-select baseline, in the same run
 * on the same PostgreSQL cluster.
 *
 * Starts a throwaway PostgreSQL (scripts/pg.sh), one standalone realm in production mode
 * (apps/realm/src/main.ts: its own database `realm`, a random TRINE_REALM_KEY, an app
 * `bench` trusting an issuer whose key this script holds, guessLimit 1000) and the
 * vault's baseline server (apps/vault/bench/baseline-server.ts: the vault's createApp
 * stack, `GET /bench/baseline/dev`, one primary-key select, no auth) on the default
 * database. It registers BENCH_USERS users at the realm (first, unsigned registration),
 * then loads with autocannon from a second process:
 *   (1) `POST /v1/apps/bench/evaluate` — JWT verification, the counted path (the guess
 *       counter's `UPDATE … RETURNING` in a transaction that locks the registration row)
 *       and one POPRF evaluation with its DLEQ proof (ristretto255, @noble/curves);
 *   (2) the baseline, for the same duration and connections.
 * Prints a table and the ratio, writes bench/results/realm.json (scripts/bench.mjs folds
 * it into `npm run bench`). Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS
 * (default 16), BENCH_USERS (default 200; each evaluation is a counted guess, so users ×
 * 1000 bounds the requests before registrations lock — the run checks none did).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBase64Url } from '@trine/core/bytes';
import { deriveManagementKey } from '@trine/core/management-key';
import { blindRequest, oprfInput, realmInfo } from '@trine/core/realm-crypto';
import { makeIssuer } from '../apps/vault/test/helpers.ts';
import { withPortRetry } from '../scripts/ports.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const duration = Math.min(Number(process.env.BENCH_DURATION ?? 10), 60);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const users = Number(process.env.BENCH_USERS ?? 200);
const APP = 'bench';

const tmp = mkdtempSync(join(tmpdir(), 'trine-realm-bench-'));
chmodSync(tmp, 0o755); // the postgres user must reach the cluster folder (pg.sh)
const pgDir = join(tmp, 'pg');
const children: ChildProcess[] = [];

function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  spawnSync('bash', [join(ROOT, 'scripts/pg.sh'), 'stop', pgDir]);
  rmSync(tmp, { recursive: true, force: true });
}

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

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

function load(o: { url: string; requests?: { token: string; body: string }[] }): Load {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bench/realm-load.mjs'), JSON.stringify({ ...o, duration, connections })],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`load failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Load;
}

async function main() {
  let pgUrl = '';
  await withPortRetry(async (p) => {
    const r = spawnSync('bash', [join(ROOT, 'scripts/pg.sh'), 'start', pgDir, String(p)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`PostgreSQL did not start: ${r.stderr}`);
    pgUrl = r.stdout.trim();
    return p;
  });
  const psql = spawnSync(
    'bash',
    [
      '-c',
      `"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql" "$1" -qc "CREATE DATABASE realm"`,
      '-',
      pgUrl,
    ],
    { encoding: 'utf8' },
  );
  if (psql.status !== 0) throw new Error(`CREATE DATABASE realm: ${psql.stderr}`);
  const realmDbUrl = pgUrl.replace(/\/[^/?]+(\?|$)/, '/realm$1');

  const idp = await makeIssuer('https://idp.bench.test/', APP);
  const appsFile = join(tmp, 'realm-apps.json');
  writeFileSync(
    appsFile,
    JSON.stringify({
      apps: [
        { id: APP, issuers: [{ iss: idp.iss, aud: idp.aud, jwks: idp.jwks }], guessLimit: 1000 },
      ],
    }),
  );
  const realm = spawn(process.execPath, ['--import', 'tsx', 'apps/realm/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      TRINE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: realmDbUrl,
      TRINE_DATA_DIR: join(tmp, 'realm'),
      TRINE_APPS_FILE: appsFile,
      TRINE_REALM_KEY: toBase64Url(randomBytes(32)),
      TRINE_REALM_ID: 'realm-bench',
      TRINE_RATE_IP: '100000000/60',
      TRINE_RATE_USER: '100000000/60',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(realm);
  const realmUrl = await listening(realm);
  const baselineServer = spawn(process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts'], {
    cwd: join(ROOT, 'apps/vault'),
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: pgUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(baselineServer);
  const baselineUrl = await listening(baselineServer);
  const info = (await (await fetch(`${realmUrl}/v1/realm`)).json()) as { publicKey: string };
  const realmKey = Buffer.from(info.publicKey, 'base64url');
  console.log(
    `bench: realm at ${realmUrl}, baseline at ${baselineUrl}; registering ${users} users…`,
  );

  const requests: { token: string; body: string }[] = [];
  for (let i = 0; i < users; i++) {
    const sub = `bench-${randomUUID()}`;
    const walletId = randomUUID();
    const token = await idp.sign(sub);
    const put = await fetch(`${realmUrl}/v1/apps/${APP}/registration`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        walletId,
        epoch: 1,
        maskedShare: toBase64Url(randomBytes(33)),
        unlockTag: toBase64Url(randomBytes(32)),
        managementKey: toBase64Url(deriveManagementKey(randomBytes(32), walletId).publicKey),
        realmId: 'realm-bench',
      }),
    });
    if (put.status !== 201) throw new Error(`registration: ${put.status} ${await put.text()}`);
    // One blinded element per user, as a wallet would send (the realm cannot tell repeats).
    const x = oprfInput(randomBytes(32));
    const state = blindRequest(x, realmInfo({ appId: APP, iss: idp.iss, sub, walletId }), realmKey);
    requests.push({
      token,
      body: JSON.stringify({ walletId, epoch: 1, blinded: toBase64Url(state.blinded) }),
    });
  }
  // A sanity check of the measured request: a counted evaluation with a proof.
  const probe = await fetch(`${realmUrl}/v1/apps/${APP}/evaluate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${requests[0]!.token}` },
    body: requests[0]!.body,
  });
  const probeJson = (await probe.json()) as { counted?: boolean; proof?: string };
  if (probe.status !== 200 || probeJson.counted !== true || !probeJson.proof) {
    throw new Error(`evaluate probe: ${probe.status} ${JSON.stringify(probeJson)}`);
  }

  console.log(`bench: ${duration} s per target, ${connections} connections…`);
  const evaluate = load({ url: `${realmUrl}/v1/apps/${APP}/evaluate`, requests });
  const baseline = load({ url: `${baselineUrl}/bench/baseline/dev` });
  if (evaluate.total + 1 > users * 1000) {
    throw new Error('more evaluations than users × guessLimit: raise BENCH_USERS');
  }
  const rows = [
    { route: `POST /v1/apps/${APP}/evaluate (realm: JWT, counted, POPRF + proof)`, ...evaluate },
    { route: 'GET /bench/baseline/dev (vault stack: PK select, no auth)', ...baseline },
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
  const ratio = evaluate.rps / baseline.rps;
  console.log(`realm evaluate / vault baseline throughput ratio: ${ratio.toFixed(3)}`);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    duration,
    connections,
    users,
    database:
      'PostgreSQL (scripts/pg.sh, fsync off): realm in database `realm`, baseline in the default one',
    realmMode: 'production',
    baseline:
      'apps/vault/bench/baseline-server.ts (the vault createApp stack, a process of its own)',
    rows,
    ratio,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/realm.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log('bench: wrote bench/results/realm.json');
}

main()
  .then(cleanup)
  .catch((e: unknown) => {
    console.error(e);
    cleanup();
    process.exit(1);
  });
