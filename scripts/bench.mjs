#!/usr/bin/env node
/**
 * `npm run bench` — every benchmark, one after the other, then one JSON and one markdown
 * table of all of them:
 *
 *   core    bench/core.ts              (Node: split, combine, seal/open, derive, sign)
 *   vault   apps/vault/bench/…         (one vault on PostgreSQL, autocannon; BENCH_DURATION)
 *   realm   bench/realm.bench.ts       (one realm on PostgreSQL: evaluate throughput and
 *                                       p50/p99 vs the vault's PK-select baseline, same run)
 *   wallet  bench/wallet.bench.ts      (headless Chromium through the demo)
 *   soak    bench/soak.ts              (the production shape: Caddy + TLS + 2 vaults +
 *                                       PostgreSQL; TRINE_SOAK_SECONDS, default 120;
 *                                       TRINE_SOAK_RATE, default 50 req/s)
 *
 * Writes bench/results/bench-<date>.json and bench/results/latest.md (README links it),
 * and rewrites README's wallet table (between `<!-- bench:wallet -->` markers) from
 * bench/results/wallet.json: each figure, its baseline ratio and issue 13's target.
 * `--only core,soak` runs a subset (the table then reuses the last results of the rest).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? new Set(process.argv[i + 1].split(',')) : null;
})();
const steps = [
  ['core', ['npx', 'tsx', 'bench/core.ts']],
  ['vault', ['npx', 'tsx', 'apps/vault/bench/vault.bench.ts']],
  ['realm', ['npx', 'tsx', 'bench/realm.bench.ts']],
  ['wallet', ['npx', 'tsx', 'bench/wallet.bench.ts']],
  ['soak', ['npx', 'tsx', 'bench/soak.ts']],
];
const status = {};
for (const [name, cmd] of steps) {
  if (only && !only.has(name)) continue;
  console.log(`bench: ${name}: ${cmd.join(' ')}`);
  const t = Date.now();
  const r = spawnSync(cmd[0], cmd.slice(1), {
    cwd: root,
    stdio: 'inherit',
    env: { TRINE_SOAK_SECONDS: '120', ...process.env },
  });
  status[name] = { exit: r.status, seconds: Math.round((Date.now() - t) / 1000) };
  if (r.status !== 0) console.log(`bench: ${name} failed (exit ${r.status})`);
}

const read = (p) => (existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null);
const vaultDir = join(root, 'apps/vault/bench/results');
const lastVault = existsSync(vaultDir)
  ? readdirSync(vaultDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .at(-1)
  : undefined;
const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  status,
  core: read(join(root, 'bench/results/core.json')),
  vault: lastVault ? read(join(vaultDir, lastVault)) : null,
  realm: read(join(root, 'bench/results/realm.json')),
  wallet: read(join(root, 'bench/results/wallet.json')),
  soak: read(join(root, 'bench/results/soak.json')),
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
const stamp = results.date.replace(/[:.]/g, '-');
writeFileSync(
  join(root, `bench/results/bench-${stamp}.json`),
  `${JSON.stringify(results, null, 2)}\n`,
);

const f = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : '–');
const lines = [
  `# Benchmarks — ${results.date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `Machine: ${results.machine.cpus} × ${results.machine.model}, ${results.machine.memGiB} GiB, Node ${results.machine.node}. ` +
    'Everything (load generator included) shares these cores. Each section says when it ran.',
  '',
  '| benchmark | measure | value |',
  '|---|---|---|',
];
if (results.core) {
  for (const r of results.core.rows) {
    lines.push(
      `| core (${results.core.date.slice(0, 10)}) | ${r.name} | median ${f(r.medianMs, 2)} ms, p90 ${f(r.p90Ms, 2)} ms |`,
    );
  }
}
if (results.vault) {
  for (const r of results.vault.rows) {
    lines.push(
      `| vault (${results.vault.date.slice(0, 10)}, ${results.vault.connections} conns, ${results.vault.duration} s) | ${r.route} | ${f(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx} |`,
    );
  }
}
if (results.realm) {
  const r = results.realm;
  for (const row of r.rows) {
    lines.push(
      `| realm (${r.date.slice(0, 10)}, ${r.connections} conns, ${r.duration} s) | ${row.route} | ${f(row.rps)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx ${row.non2xx} |`,
    );
  }
  lines.push(
    `| realm (${r.date.slice(0, 10)}) | evaluate / baseline throughput (same run) | × ${f(r.ratio, 3)} |`,
  );
}
if (results.wallet) {
  for (const [k, v] of Object.entries(results.wallet.timings)) {
    lines.push(
      `| wallet (${results.wallet.date.slice(0, 10)}, Chromium) | ${k} | median ${v.medianMs} ms (× ${v.xBaseline} baseline) |`,
    );
  }
  for (const x of results.wallet.targets ?? []) {
    lines.push(
      `| wallet target | ${x.figure} ${x.target} | ${x.value} vs ${x.limit}: ${x.met ? 'met' : 'NOT met'} |`,
    );
  }
  writeWalletReadmeTable(results.wallet);
}
if (results.soak) {
  const s = results.soak;
  lines.push(
    `| soak through Caddy (${s.date.slice(0, 10)}) | ${s.seconds} s at ${s.targetRate} req/s, auth-share + metadata, ${s.users} users | ${f(s.throughput)} req/s, ${s.ok}/${s.sent} ok, p50 ${s.latencyMs.p50} ms, p90 ${s.latencyMs.p90} ms, p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms, errors ${JSON.stringify(s.errors)} |`,
  );
}
writeFileSync(join(root, 'bench/results/latest.md'), `${lines.join('\n')}\n`);

/** README's wallet table, from the wallet benchmark's JSON (the figures of one run). */
function writeWalletReadmeTable(w) {
  const readme = join(root, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:wallet -->';
  const end = '<!-- /bench:wallet -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return;
  const names = {
    baseline: 'blank iframe load (baseline)',
    kdf: 'Argon2id m=64 MiB t=3 alone (hash-wasm, a Worker of a blank page)',
    'kdf-in-wallet': "the wallet's own Argon2id jobs (kdf-client measures)",
    'kdf-wallet-frame-first':
      "Argon2id in the wallet's worker from its frame, no flow running: first job after the 8 KiB warm-up",
    'kdf-wallet-frame-second': 'the same worker, its second job',
    'realm-rtt': 'one realm round trip (dev: the in-process realm)',
    'ready-cold':
      '`enable()` → connected, cold cache (HTTP cache cleared; this browser holds the wallet)',
    'ready-warm': '`enable()` → connected, warm cache',
    create: 'create (click → connected: two Argon2id in parallel, CSL, realm, vault)',
    'unlock+sign': 'unlock and sign (click on the enabled button → witness set)',
    recover: 'recover on a new device (`enable()` there: answer → new password → connected)',
  };
  const targetOf = (k) =>
    (w.targets ?? [])
      .filter((x) => x.figure === k)
      .map((x) => `${x.target} = ${x.limit}: ${x.met ? 'met' : '**not met**'}`)
      .join('; ');
  const rows = [
    `Run of ${w.date.slice(0, 16).replace('T', ' ')} UTC (${w.chromium}, median of ${w.runs}):`,
    '',
    '| measure | median ms | × baseline | target (issue 13) |',
    '|---|---:|---:|---|',
    ...Object.entries(w.timings).map(
      ([k, v]) => `| ${names[k] ?? k} | ${v.medianMs} | ${v.xBaseline} | ${targetOf(k) || '–'} |`,
    ),
  ];
  const fs = w.sizes?.firstScreen;
  if (fs) {
    const kb = (n) => (n / 1024).toFixed(1);
    const t = (w.targets ?? []).find((x) => x.figure.startsWith('first-screen'));
    rows.push(
      '',
      `First screen (index.html's script, modulepreloads and CSS): ${kb(fs.raw)} KB raw / ${kb(fs.gzip)} KB gzip / ${kb(fs.brotli)} KB brotli` +
        (t ? ` (target ≤ 40 KB gzip: ${t.met ? 'met' : 'not met'}).` : '.'),
    );
  }
  const z = w.sizes ?? {};
  const b3 = (x) =>
    x
      ? `${(x.raw / 1024).toFixed(1)} / ${(x.gzip / 1024).toFixed(1)} / ${(x.brotli / 1024).toFixed(1)} KB`
      : '–';
  rows.push(
    '',
    `Bytes (raw / gzip / brotli): all wallet JS ${b3(z.walletJs)} (each flow's code, CSL's glue, the word list and the password estimator load by import() when needed), CSL wasm ${b3(z.walletWasm)} (when keys or a transaction are needed; hashed name, cached for a year), the host SDK's main entry ${b3(z.sdkMain)}.`,
  );
  const next = `${text.slice(0, a + start.length)}\n${rows.join('\n')}\n${text.slice(b)}`;
  writeFileSync(readme, next);
}
console.log(lines.join('\n'));
process.exit(Object.values(status).every((s) => s.exit === 0) ? 0 : 1);
