/**
 * @module bench/soak — a steady-rate soak of the production shape through Caddy over
 * HTTPS: an open-loop generator issues requests at a fixed rate (not "as fast as it
 * answers", so a slow server cannot hide by slowing the client), alternating
 * `GET …/wallet/auth-share` and `GET …/wallet` over many users' wallets with their real
 * tokens, and reports throughput, p50/p90/p99/max latency and every non-200.
 *
 * `soak(state, {seconds, rate})` is used by e2e/prod/soak.spec.ts (TRINE_SOAK_SECONDS,
 * default 30, in `npm test`) and by `npm run bench:soak` (this file run directly: brings
 * the shape up, soaks TRINE_SOAK_SECONDS — default 120 — and writes
 * bench/results/soak.json).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { SimWallet } from '../e2e/prod/api.ts';
import { down, loadState, ROOT, type ShapeState, up } from '../infra/local/shape.ts';

export interface SoakResult {
  seconds: number;
  targetRate: number;
  users: number;
  sent: number;
  ok: number;
  errors: Record<string, number>;
  throughput: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  byRoute: Record<string, { n: number; p50: number; p99: number }>;
}

function q(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
const round = (x: number) => Math.round(x * 10) / 10;

export async function soak(
  s: ShapeState,
  o: { seconds: number; rate: number; users?: number; log?: (l: string) => void },
): Promise<SoakResult> {
  const log = o.log ?? (() => {});
  const ca = readFileSync(s.caRoot, 'utf8');
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca });
  const nUsers = o.users ?? 40;
  const tag = Date.now().toString(36);
  // Wallets are created through the `SimWallet` client (Node fetch: NODE_EXTRA_CA_CERTS).
  const wallets: SimWallet[] = [];
  for (let i = 0; i < nUsers; i++) wallets.push(await SimWallet.create(s, `soak-${tag}-${i}`));
  log(`soak: ${nUsers} wallets created; ${o.rate} req/s for ${o.seconds} s`);
  const routes = ['/wallet/auth-share', '/wallet'] as const;
  const lat: Record<string, number[]> = { [routes[0]]: [], [routes[1]]: [] };
  const errors: Record<string, number> = {};
  let sent = 0;
  let ok = 0;
  const one = (i: number) =>
    new Promise<void>((done) => {
      const w = wallets[i % wallets.length]!;
      const route = routes[i % 2]!;
      const t0 = performance.now();
      const req = request(
        `${s.walletUrl}/v1/apps/${s.appId}${route}`,
        { agent, headers: { authorization: `Bearer ${w.token}` }, timeout: 30_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            const ms = performance.now() - t0;
            if (res.statusCode === 200) {
              ok++;
              lat[route]!.push(ms);
            } else errors[String(res.statusCode)] = (errors[String(res.statusCode)] ?? 0) + 1;
            done();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        errors[e.message.slice(0, 40)] = (errors[e.message.slice(0, 40)] ?? 0) + 1;
        done();
      });
      req.end();
    });
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  const end = start + o.seconds * 1000;
  let lastLog = start;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * o.rate);
    while (sent < due) {
      const p = one(sent++);
      pending.add(p);
      void p.then(() => pending.delete(p));
    }
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`soak: ${Math.round((lastLog - start) / 1000)} s, ${ok} ok, ${JSON.stringify(errors)}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const all = [...lat[routes[0]]!, ...lat[routes[1]]!].sort((a, b) => a - b);
  const byRoute = Object.fromEntries(
    routes.map((r) => {
      const xs = [...lat[r]!].sort((a, b) => a - b);
      return [r, { n: xs.length, p50: round(q(xs, 0.5)), p99: round(q(xs, 0.99)) }];
    }),
  );
  return {
    seconds: round(elapsed),
    targetRate: o.rate,
    users: nUsers,
    sent,
    ok,
    errors,
    throughput: round(ok / elapsed),
    latencyMs: {
      p50: round(q(all, 0.5)),
      p90: round(q(all, 0.9)),
      p99: round(q(all, 0.99)),
      max: round(all.at(-1) ?? Number.NaN),
    },
    byRoute,
  };
}

async function main() {
  const seconds = Number(process.env.TRINE_SOAK_SECONDS ?? 120);
  const rate = Number(process.env.TRINE_SOAK_RATE ?? 50);
  const runIn = process.argv.indexOf('--run');
  if (runIn > 0) {
    // The child: the shape is up, NODE_EXTRA_CA_CERTS holds Caddy's root (fetch needs it
    // from the process start).
    const s = loadState(process.argv[runIn + 1]!);
    const r = await soak(s, { seconds, rate, log: (l) => console.log(l) });
    const result = {
      name: 'soak through Caddy (production shape)',
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        memGiB: Math.round(totalmem() / 2 ** 30),
      },
      shape:
        '2 vault processes (production mode) behind Caddy 2.6 (TLS), PostgreSQL 15, load generator: all on this machine',
      routes: 'GET /v1/apps/{app}/wallet/auth-share and GET /v1/apps/{app}/wallet, alternating',
      ...r,
    };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/soak.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(r, null, 2));
    if (r.ok !== r.sent) process.exitCode = 1;
    return;
  }
  const { ensureBuilt } = await import('../scripts/ensure-built.mjs');
  ensureBuilt(['wallet', 'demo']);
  const dir = resolve(ROOT, '.trine-shape-bench');
  const s = await up({
    dir,
    vaultEnv: { TRINE_RATE_IP: '10000000/60', TRINE_RATE_USER: '1000000/60', LOG_LEVEL: 'warn' },
  });
  try {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/soak.ts'), '--run', s.dir],
      { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: s.caRoot } },
    );
    process.exitCode = r.status ?? 1;
  } finally {
    await down(dir);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
