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
 * 4. Prints one closing line "N passed, N failed, N skipped" and exits non-zero on failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'trine-test-'));
chmodSync(tmp, 0o755); // the postgres user keeps its cluster in here
const env = { ...process.env };
let pgDir = null;

function startPostgres() {
  if (process.env.TRINE_TEST_PG === '0') return 'PGlite only (TRINE_TEST_PG=0)';
  if (process.env.TRINE_TEST_DATABASE_URL) return `PostgreSQL at TRINE_TEST_DATABASE_URL + PGlite`;
  ensurePostgresInstalled();
  const dir = join(tmp, 'pg');
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const r = spawnSync('bash', [join(root, 'scripts/pg.sh'), 'start', dir, port], {
    encoding: 'utf8',
  });
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
  rmSync(tmp, { recursive: true, force: true });
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

const dbLine = startPostgres();
console.log(`test: database for the vault suite: ${dbLine}`);
const report = join(tmp, 'vitest.json');
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const child = spawn('npx', args, { cwd: root, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed = json.numPassedTests;
    failed = json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0);
    skipped = json.numPendingTests + json.numTodoTests;
    if (!json.success && failed === 0) failed = 1; // a suite that failed to load counts
  } catch {
    failed = Math.max(failed, 1);
  }
  stopPostgres();
  console.log(`test: database: ${dbLine}`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 ? 0 : code || 1);
});
