/**
 * One process at a time in a PGlite data folder (issue 8, item 7), with the real main.ts
 * and admin.ts processes: while a vault runs, `admin` and a second vault refuse the folder
 * (exit 86, saying what to do) and change nothing; after SIGTERM the lock is gone and
 * `admin stats` counts the wallet; a lock left by a SIGKILLed vault (dead PID) is taken
 * over. In-process: the lock file's contents, stale and foreign locks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/config.ts';
import { acquireDataDirLock, DataDirLocked, LOCK_FILE, readLock } from '../src/data-dir-lock.ts';
import { createBody } from './helpers.ts';

const VAULT_DIR = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const baseEnv = (dir: string) => ({
  PATH: process.env.PATH ?? '',
  TRINE_ENV: 'development',
  TRINE_DATA_DIR: dir,
  PORT: '0',
  LOG_LEVEL: 'warn',
});

function startVault(dir: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: VAULT_DIR,
      env: baseEnv(dir),
    });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) resolve({ url: m[1]!, child });
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`vault exited ${code}: ${out}`)));
  });
}

function run(
  script: string,
  args: string[],
  dir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: VAULT_DIR,
      env: baseEnv(dir),
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) => {
    if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode);
    else c.on('exit', (code) => r(code));
  });

describe('PGlite data folder lock (real processes)', () => {
  it('admin and a second vault refuse a folder a running vault holds; after stop, admin works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-lock-'));
    const { url, child } = await startVault(dir);
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ pid: child.pid, role: 'vault', host: hostname() });
    const tok = await fetch(`${url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'alice' }),
    }).then((r) => r.json() as Promise<{ token: string }>);
    const created = await fetch(`${url}/v1/apps/dev/wallet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tok.token}` },
      body: JSON.stringify(createBody()),
    });
    expect(created.status).toBe(201);

    const [admin, appAdd, second] = await Promise.all([
      run('src/admin.ts', ['stats'], dir),
      run('src/admin.ts', ['app', 'remove', '--id', 'dev'], dir),
      run('src/main.ts', [], dir),
    ]);
    expect(admin.code).toBe(EXIT.dataDirLocked);
    expect(admin.stderr).toBe(
      `admin: the PGlite data folder ${dir} is in use by a running vault (PID ${child.pid}, lock file ${join(dir, LOCK_FILE)}). Stop it first (kill -TERM ${child.pid}, or Ctrl-C where it runs), then run this command again: PGlite allows one process at a time. To administer while vaults keep serving, run them on PostgreSQL (DATABASE_URL), where the admin command connects alongside them\n`,
    );
    expect(admin.stdout).toBe('');
    expect(appAdd.code).toBe(EXIT.dataDirLocked);
    expect(second.code).toBe(EXIT.dataDirLocked);
    expect(second.stderr).toContain(
      `trine vault: refusing to start: the PGlite data folder ${dir} is in use by a running vault (PID ${child.pid}`,
    );
    // the refusals left the running vault's lock and service alone
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(child.pid);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const stats = await run('src/admin.ts', ['stats'], dir);
    expect(stats.stderr).toBe('');
    expect(stats.code).toBe(0);
    // createBody's record is v1 (answer only): the wallet counts as still on the old scheme
    expect(stats.stdout).toBe('wallets: 1\n  app dev: 1\nstill on the old recovery scheme: 1\n');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false); // admin released its own lock
  });

  it('a lock left by a SIGKILLed vault (its PID dead) is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-lock-'));
    const a = await startVault(dir);
    a.child.kill('SIGKILL');
    await exited(a.child);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(a.child.pid);
    const b = await startVault(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(b.child.pid);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
    b.child.kill('SIGTERM');
    expect(await exited(b.child)).toBe(0);
  });
});

describe('acquireDataDirLock (in process)', () => {
  it('a live holder is refused, a dead PID or a garbled file is taken over, release is ours only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-lock-'));
    const file = join(dir, LOCK_FILE);
    // PID 1 is always alive: a live holder
    const live = { pid: 1, role: 'vault', host: hostname(), since: 'x' };
    writeFileSync(file, JSON.stringify(live));
    expect(() => acquireDataDirLock(dir, 'admin')).toThrow(DataDirLocked);
    expect(readLock(dir)).toEqual(live);
    // a lock from another machine (a shared folder) cannot be checked: held
    writeFileSync(file, JSON.stringify({ ...live, pid: 2 ** 22 + 7, host: 'elsewhere' }));
    expect(() => acquireDataDirLock(dir, 'admin')).toThrow(DataDirLocked);
    // dead PID (above Linux's pid_max) and garbage: stale
    for (const stale of [JSON.stringify({ ...live, pid: 2 ** 22 + 7 }), '', '{"pid":"1"}']) {
      writeFileSync(file, stale);
      const l = acquireDataDirLock(dir, 'admin');
      expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
      l.release();
      expect(existsSync(file)).toBe(false);
    }
    // release never removes a lock someone else took over meanwhile
    const l = acquireDataDirLock(dir, 'vault');
    writeFileSync(file, JSON.stringify(live));
    l.release();
    expect(readLock(dir)).toEqual(live);
  });
});
