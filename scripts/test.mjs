#!/usr/bin/env node
/**
 * README's test command (`npm test`).
 *
 * 1. Starts a throwaway PostgreSQL cluster (scripts/pg.sh) when the server binaries are
 *    there and exports its URL as TRINE_TEST_DATABASE_URL; the vault suite then runs on
 *    real PostgreSQL *and* PGlite. Without the binaries it says so and uses PGlite only.
 *    `TRINE_TEST_PG=0` skips PostgreSQL; `TRINE_TEST_PG=1` makes its absence an error.
 * 2. Runs the whole-repo checks first: `biome check .` (lint + format) and `tsc`
 *    (strict typecheck). `TRINE_TEST_CHECKS=0` skips them (handy while iterating).
 * 3. Runs every Vitest project (vite.config.ts), extra arguments passed through.
 * 4. Runs the Playwright end-to-end suite (e2e/, real Chromium, both storage-partitioning
 *    modes), installing Debian's `chromium` first when /usr/bin/chromium is missing and we
 *    are root. Skipped when arguments are passed for Vitest (`npm test -- --project core`)
 *    unless TRINE_TEST_E2E=1; `TRINE_TEST_E2E=0` skips it. `npm run e2e` runs it alone.
 * 5. Runs the production-shape suite (e2e/prod/: Caddy with its internal CA in front of two
 *    vault processes in production mode on a real PostgreSQL; the full flow over HTTPS,
 *    faults, fuzzing, a soak), installing Debian's `caddy` and `libnss3-tools` first when
 *    missing and we are root. Runs whenever the e2e suite runs; `TRINE_TEST_PROD=0` skips
 *    it. `npm run e2e:prod` runs it alone. TRINE_SOAK_SECONDS (default 30) sets the soak.
 * 6. Runs the main flow in the other engines (e2e/engines/run.ts: Firefox ESR over WebDriver
 *    BiDi, WebKitGTK's MiniBrowser through WebKitWebDriver under Xvfb), installing Debian's
 *    `firefox-esr`, `webkit2gtk-driver`, `xvfb` and `matchbox-window-manager` first when missing and we are root. Runs
 *    whenever the e2e suite runs; `TRINE_TEST_ENGINES=0` skips it. `npm run e2e:engines`
 *    runs it alone.
 * 7. Prints one closing line "N passed, N failed, N skipped" (Vitest + both Playwright
 *    suites + the engines runner) and exits non-zero on any failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindStablePort } from './ports.mjs';

const root = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'trine-test-'));
chmodSync(tmp, 0o755); // the postgres user keeps its cluster in here
const env = { ...process.env };
let pgDir = null;

async function startPostgres() {
  if (process.env.TRINE_TEST_PG === '0') return 'PGlite only (TRINE_TEST_PG=0)';
  if (process.env.TRINE_TEST_DATABASE_URL) return `PostgreSQL at TRINE_TEST_DATABASE_URL + PGlite`;
  ensurePostgresInstalled();
  const dir = join(tmp, 'pg');
  // A port below the ephemeral range, held until PostgreSQL starts (scripts/ports.mjs);
  // a clash in that instant is retried on a fresh port.
  let port;
  let r;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const held = await bindStablePort();
    port = String(held.port);
    await held.close();
    r = spawnSync('bash', [join(root, 'scripts/pg.sh'), 'start', dir, port], { encoding: 'utf8' });
    if (r.status === 0 || !/already in use|could not bind/i.test(r.stderr)) break;
  }
  if (r.status !== 0) {
    if (process.env.TRINE_TEST_PG === '1') {
      console.error(r.stderr);
      console.error('test: TRINE_TEST_PG=1 but PostgreSQL could not start');
      process.exit(1);
    }
    return `PGlite only (PostgreSQL unavailable: ${r.stderr.trim().split('\n').pop()})`;
  }
  pgDir = dir;
  env.TRINE_TEST_DATABASE_URL = r.stdout.trim();
  return `PostgreSQL (throwaway cluster on port ${port}) + PGlite`;
}

/** Installs Debian's PostgreSQL server when its binaries are missing and we may (root + apt). */
function ensurePostgresInstalled() {
  const has =
    spawnSync('bash', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb'], { stdio: 'ignore' }).status ===
    0;
  if (has || process.getuid?.() !== 0) return;
  console.log('test: installing PostgreSQL (apt-get install postgresql)');
  spawnSync(
    'bash',
    [
      '-c',
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null',
    ],
    { stdio: 'inherit' },
  );
}

function stopPostgres() {
  if (pgDir) spawnSync('bash', [join(root, 'scripts/pg.sh'), 'stop', pgDir]);
  pgDir = null;
}

if (process.env.TRINE_TEST_CHECKS !== '0') {
  for (const [what, cmd] of [
    ['lint', ['biome', 'check', '.']],
    ['typecheck', ['tsc', '-p', 'tsconfig.json']],
  ]) {
    console.log(`test: ${what}: npx ${cmd.join(' ')}`);
    const r = spawnSync('npx', cmd, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      console.log(`test: ${what} failed`);
      console.log('0 passed, 1 failed, 0 skipped');
      process.exit(1);
    }
  }
}

/** Runs a command to completion (stdio inherited); resolves with its exit code. */
function run(cmd, args, extraEnv = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: 'inherit' });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function runVitest() {
  const report = join(tmp, 'vitest.json');
  const code = await run('npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ]);
  const counts = { passed: 0, failed: 0, skipped: 0, code };
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    counts.passed = json.numPassedTests;
    counts.failed = json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0);
    counts.skipped = json.numPendingTests + json.numTodoTests;
    if (!json.success && counts.failed === 0) counts.failed = 1; // a suite that failed to load
  } catch {
    counts.failed = Math.max(counts.failed, 1);
  }
  return counts;
}

/** Debian's Chromium at /usr/bin/chromium (installed when missing and we are root). */
function ensureChromium() {
  const exe = process.env.TRINE_E2E_CHROMIUM ?? '/usr/bin/chromium';
  if (existsSync(exe)) return exe;
  if (process.getuid?.() !== 0) return null;
  console.log('test: installing Chromium (apt-get install chromium)');
  spawnSync(
    'bash',
    [
      '-c',
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null',
    ],
    { stdio: 'inherit' },
  );
  return existsSync(exe) ? exe : null;
}

/** Debian's caddy and certutil (libnss3-tools), installed when missing and we are root. */
function ensureCaddy() {
  const has = (bin) =>
    spawnSync('bash', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
  if (has('caddy') && has('certutil')) return true;
  if (process.getuid?.() !== 0) return false;
  console.log('test: installing Caddy and NSS tools (apt-get install caddy libnss3-tools)');
  spawnSync(
    'bash',
    [
      '-c',
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy libnss3-tools >/dev/null',
    ],
    { stdio: 'inherit' },
  );
  return has('caddy') && has('certutil');
}

/** Firefox ESR, WebKitGTK's WebDriver + MiniBrowser and Xvfb, installed when missing. */
function ensureEngines() {
  const need = [
    ['/usr/bin/firefox-esr', 'firefox-esr'],
    ['/usr/bin/WebKitWebDriver', 'webkit2gtk-driver'],
    ['/usr/bin/xvfb-run', 'xvfb'],
    // WebKit's approval popup gets the focus only under a window manager
    ['/usr/bin/matchbox-window-manager', 'matchbox-window-manager'],
  ].filter(([bin]) => !existsSync(bin));
  if (need.length === 0) return true;
  if (process.getuid?.() !== 0) return false;
  const pkgs = need.map(([, pkg]) => pkg).join(' ');
  console.log(`test: installing the other browser engines (apt-get install ${pkgs})`);
  spawnSync(
    'bash',
    [
      '-c',
      `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkgs} >/dev/null`,
    ],
    { stdio: 'inherit' },
  );
  return need.every(([bin]) => existsSync(bin));
}

/** The engines runner prints its own "engines: N passed, N failed" line; we read it. */
function runEngines() {
  if (!ensureEngines()) {
    console.log(
      'test: engines: firefox-esr / WebKitWebDriver / xvfb missing and cannot install them (not root)',
    );
    return Promise.resolve({ passed: 0, failed: 1, skipped: 0, code: 1 });
  }
  console.log('test: engines: npx tsx e2e/engines/run.ts');
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'e2e/engines/run.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b) => {
      process.stdout.write(b);
      out = (out + b.toString()).slice(-4000);
    });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      const m = /^engines: (\d+) passed, (\d+) failed$/m.exec(out);
      const counts = { passed: Number(m?.[1] ?? 0), failed: Number(m?.[2] ?? 0), skipped: 0 };
      counts.code = code ?? (signal ? 1 : 0);
      if (counts.code !== 0 && counts.failed === 0) counts.failed = 1; // crashed before counting
      resolve(counts);
    });
  });
}

async function runE2e(config = 'e2e/playwright.config.ts', name = 'e2e') {
  const exe = ensureChromium();
  if (!exe) {
    console.log(`test: ${name}: no Chromium at /usr/bin/chromium and cannot install it (not root)`);
    return { passed: 0, failed: 1, skipped: 0, code: 1 };
  }
  const report = join(tmp, `${name}.json`);
  console.log(`test: ${name}: npx playwright test -c ${config}`);
  const code = await run('npx', ['playwright', 'test', '-c', config, '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_FILE: report,
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
  });
  const counts = { passed: 0, failed: 0, skipped: 0, code };
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    counts.passed = json.stats.expected + json.stats.flaky;
    counts.failed = json.stats.unexpected + (json.errors?.length ?? 0);
    counts.skipped = json.stats.skipped;
  } catch {
    counts.failed = 1;
  }
  if (code !== 0 && counts.failed === 0) counts.failed = 1; // e.g. global setup failed
  return counts;
}

const dbLine = await startPostgres();
console.log(`test: database for the vault suite: ${dbLine}`);
const started = Date.now();
const unit = await runVitest();
const unitSeconds = Math.round((Date.now() - started) / 1000);
const e2eWanted =
  process.env.TRINE_TEST_E2E === '1' ||
  (process.env.TRINE_TEST_E2E !== '0' && process.argv.length <= 2);
stopPostgres();
let e2e = null;
let prod = null;
let engines = null;
if (e2eWanted) {
  const t = Date.now();
  e2e = await runE2e();
  e2e.seconds = Math.round((Date.now() - t) / 1000);
  if (process.env.TRINE_TEST_PROD !== '0') {
    const t2 = Date.now();
    if (!ensureCaddy()) {
      console.log('test: e2e-prod: no caddy/certutil and cannot install them (not root)');
      prod = { passed: 0, failed: 1, skipped: 0, code: 1 };
    } else if (
      spawnSync('bash', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb'], { stdio: 'ignore' })
        .status !== 0
    ) {
      ensurePostgresInstalled();
    }
    prod ??= await runE2e('e2e/prod/playwright.config.ts', 'e2e-prod');
    prod.seconds = Math.round((Date.now() - t2) / 1000);
  }
  if (process.env.TRINE_TEST_ENGINES !== '0') {
    const t3 = Date.now();
    engines = await runEngines();
    engines.seconds = Math.round((Date.now() - t3) / 1000);
  }
}
rmSync(tmp, { recursive: true, force: true });
console.log(`test: database: ${dbLine}`);
console.log(
  `test: vitest ${unit.passed} passed, ${unit.failed} failed, ${unit.skipped} skipped (${unitSeconds} s)`,
);
if (e2e) {
  console.log(
    `test: e2e ${e2e.passed} passed, ${e2e.failed} failed, ${e2e.skipped} skipped (${e2e.seconds} s)`,
  );
} else console.log('test: e2e not run (arguments for Vitest given, or TRINE_TEST_E2E=0)');
if (prod) {
  console.log(
    `test: e2e-prod (production shape) ${prod.passed} passed, ${prod.failed} failed, ${prod.skipped} skipped (${prod.seconds} s)`,
  );
} else if (e2e) console.log('test: e2e-prod not run (TRINE_TEST_PROD=0)');
if (engines) {
  console.log(
    `test: engines (Firefox ESR, WebKit) ${engines.passed} passed, ${engines.failed} failed (${engines.seconds} s)`,
  );
} else if (e2e) console.log('test: engines not run (TRINE_TEST_ENGINES=0)');
const passed = unit.passed + (e2e?.passed ?? 0) + (prod?.passed ?? 0) + (engines?.passed ?? 0);
const failed = unit.failed + (e2e?.failed ?? 0) + (prod?.failed ?? 0) + (engines?.failed ?? 0);
const skipped = unit.skipped + (e2e?.skipped ?? 0) + (prod?.skipped ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
const ok =
  unit.code === 0 &&
  unit.failed === 0 &&
  (!e2e || (e2e.code === 0 && e2e.failed === 0)) &&
  (!prod || (prod.code === 0 && prod.failed === 0)) &&
  (!engines || (engines.code === 0 && engines.failed === 0));
process.exit(ok ? 0 : 1);
