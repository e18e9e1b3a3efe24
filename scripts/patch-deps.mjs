#!/usr/bin/env node
/**
 * @module scripts/patch-deps — fixes in installed dependencies that upstream has not
 * released yet, applied after every `npm install` (root `postinstall`) and in the vault
 * image (infra/vault.Dockerfile). Each fix is an exact text replacement in a named file
 * of a named version: if the version or the text differs (a new release, or the fix
 * landed), this script fails loudly rather than guess, so whoever updates the dependency
 * re-checks the fix. Idempotent: an already patched file is left alone.
 *
 * postgres@3.4.9 (postgres.js), src/connection.js `closed()`: when the server ends a
 * connection while a query runs (PostgreSQL shutdown: ErrorResponse 57P01, then FIN), the
 * saved `errorResponse` survives the reconnect, and the first ReadyForQuery of the new
 * connection rejects the query queued on it with that stale 57P01, although the query
 * was never sent. After a PostgreSQL restart every vault process answered a few
 * requests 503 "database unreachable" with the database up (e2e/prod/vault-fuzz.spec.ts
 * on a CI run; reproduced and tested in apps/vault/test/pg-restart.test.ts). The fix
 * clears it when the socket closes.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXES = [
  {
    pkg: 'postgres',
    version: '3.4.9',
    files: ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js'],
    find: "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n",
    add: '    errorResponse = null // trine: scripts/patch-deps.mjs (a stale error rejected the next query)\n',
  },
];

/** Applies every fix; returns what it did per file. Throws on a mismatch. */
export function patchDeps(root = process.cwd()) {
  const done = [];
  for (const fix of FIXES) {
    const dirs = installed(root, fix.pkg);
    if (dirs.length === 0) done.push(`${fix.pkg}: not installed (skipped)`);
    for (const dir of dirs) patchOne(fix, dir, done);
  }
  return done;
}

/** Every installed copy of `pkg`: the root's and any a workspace keeps for itself. */
function installed(root, pkg) {
  const homes = [root];
  for (const group of ['apps', 'packages']) {
    if (!existsSync(join(root, group))) continue;
    for (const ws of readdirSync(join(root, group))) homes.push(join(root, group, ws));
  }
  return homes
    .map((h) => join(h, 'node_modules', pkg))
    .filter((d) => existsSync(join(d, 'package.json')));
}

function patchOne(fix, dir, done) {
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (version !== fix.version) {
    throw new Error(
      `patch-deps: ${fix.pkg} is ${version}, the fix is for ${fix.version}: check whether ` +
        'the new release still needs it, then update or remove it in scripts/patch-deps.mjs',
    );
  }
  for (const file of fix.files) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    if (text.includes(fix.find + fix.add)) {
      done.push(`${fix.pkg}/${file}: already patched`);
      continue;
    }
    const at = text.indexOf(fix.find);
    if (at < 0 || text.indexOf(fix.find, at + 1) >= 0) {
      throw new Error(`patch-deps: ${fix.pkg}/${file}: the text to patch is not there once`);
    }
    writeFileSync(path, text.replace(fix.find, fix.find + fix.add));
    done.push(`${fix.pkg}/${file}: patched`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of patchDeps()) console.log(`patch-deps: ${line}`);
}
