/**
 * scripts/patch-deps.mjs on a fake install: patches every copy once, is idempotent, and
 * refuses (throws) a version or a text it was not written for instead of guessing.
 * The fix itself is tested against a real PostgreSQL restart in
 * apps/vault/test/pg-restart.test.ts; here: that the installed driver carries it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { patchDeps } from '../patch-deps.mjs';

const LINE =
  "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n";
const FILES = ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js'];

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function fakeInstall(home: string, version: string, body = `a\n${LINE}b\n`) {
  const dir = join(home, 'node_modules', 'postgres');
  for (const f of FILES) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), body);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'postgres', version }));
  return dir;
}

describe('patch-deps', () => {
  it('patches the root copy and a workspace copy, once', () => {
    root = mkdtempSync(join(tmpdir(), 'trine-patch-'));
    const a = fakeInstall(root, '3.4.9');
    const b = fakeInstall(join(root, 'apps', 'vault'), '3.4.9');
    expect(patchDeps(root).filter((l) => l.endsWith(': patched'))).toHaveLength(6);
    for (const dir of [a, b]) {
      for (const f of FILES) {
        const text = readFileSync(join(dir, f), 'utf8');
        expect(text).toContain(`${LINE}    errorResponse = null`);
        expect(text.match(/errorResponse = null/g)).toHaveLength(1);
      }
    }
    expect(patchDeps(root).every((l) => l.endsWith('already patched'))).toBe(true);
    expect(readFileSync(join(a, FILES[0]!), 'utf8').match(/errorResponse = null/g)).toHaveLength(1);
  });

  it('throws on another version, and on a file without the text', () => {
    root = mkdtempSync(join(tmpdir(), 'trine-patch-'));
    fakeInstall(root, '3.5.0');
    expect(() => patchDeps(root)).toThrow(/postgres is 3\.5\.0, the fix is for 3\.4\.9/);
    rmSync(join(root, 'node_modules'), { recursive: true });
    fakeInstall(root, '3.4.9', 'nothing to patch here\n');
    expect(() => patchDeps(root)).toThrow(/not there once/);
  });

  it('the installed postgres.js carries the fix (postinstall ran)', () => {
    const text = readFileSync(
      resolve(import.meta.dirname, '../../node_modules/postgres/src/connection.js'),
      'utf8',
    );
    expect(text).toContain(`${LINE}    errorResponse = null`);
  });
});
