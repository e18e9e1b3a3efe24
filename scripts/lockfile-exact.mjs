#!/usr/bin/env node
/**
 * @module lockfile-exact — proves an install is lockfile-exact: every package npm put in
 * node_modules (its own record, node_modules/.package-lock.json) is in package-lock.json at
 * the same path with the same version and integrity. Exit 1 naming the first differences.
 *
 * Why: infra/vault.Dockerfile installs with `npm install --omit=dev --no-save` rather than
 * `npm ci` (package-lock.json lacks entries for some other platforms' optional binaries
 * that our registry does not serve, e.g. @cbor-extract/*@2.2.3, and `npm ci` refuses such
 * a lockfile). `npm install` may resolve afresh where the lockfile falls short; this check
 * turns any such drift into a failed build.
 * Usage: node scripts/lockfile-exact.mjs [folder]   (default: the current folder)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? process.cwd();
const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')).packages;
const installed = JSON.parse(
  readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8'),
).packages;
const problems = [];
let checked = 0;
for (const [path, got] of Object.entries(installed)) {
  if (got.link) continue; // workspace links: their sources are in the build, not the registry
  checked++;
  const want = lock[path];
  if (!want) problems.push(`${path}@${got.version}: not in package-lock.json`);
  else if (want.version !== got.version) {
    problems.push(`${path}: installed ${got.version}, package-lock.json has ${want.version}`);
  } else if (want.integrity && got.integrity && want.integrity !== got.integrity) {
    problems.push(`${path}@${got.version}: integrity differs from package-lock.json`);
  }
}
if (problems.length > 0) {
  console.error(
    `lockfile-exact: ${problems.length} difference(s):\n  ${problems.slice(0, 20).join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`lockfile-exact: ${checked} installed packages match package-lock.json`);
