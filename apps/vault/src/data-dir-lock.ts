/**
 * @module data-dir-lock — one process at a time in a PGlite data folder.
 *
 * PGlite is an embedded, single-process PostgreSQL: two processes opening one folder
 * (a running vault and `admin`, or two vaults) corrupt it or read stale pages. While it
 * has the folder open, a process keeps `<dataDir>/vault.lock` holding its PID; another
 * process refuses the folder while that PID is alive, and takes a lock over whose PID is
 * dead (a vault killed with SIGKILL leaves its lock behind). PostgreSQL (DATABASE_URL) has
 * no such limit and takes no lock.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'vault.lock';

export interface LockInfo {
  pid: number;
  /** What holds it: `vault` (main.ts) or `admin`. */
  role: string;
  host: string;
  since: string;
}

/** The folder is held by another live process. */
export class DataDirLocked extends Error {
  override readonly name = 'DataDirLocked';
  constructor(
    readonly file: string,
    readonly holder: LockInfo,
  ) {
    super(`${file} is held by ${holder.role} PID ${holder.pid} (since ${holder.since})`);
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file if it is still ours. Idempotent, synchronous (safe in 'exit'). */
  release(): void;
}

/** True when a process with this PID exists (EPERM: it exists but is not ours). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's holder, or null when there is no lock or it is unreadable/stale. */
export function readLock(dataDir: string): LockInfo | null {
  let info: LockInfo;
  try {
    info = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
  if (!Number.isInteger(info?.pid) || info.pid <= 0) return null;
  // A lock written on another machine (a shared folder) cannot be checked from here:
  // treat it as held rather than risk two writers.
  if (info.host !== hostname()) return info;
  return info.pid !== process.pid && alive(info.pid) ? info : null;
}

/**
 * Takes the folder's lock for this process, or throws `DataDirLocked`. A stale lock (its
 * PID gone) is replaced. The lock is released by `release()` and, as a last resort, when
 * the process exits (a crash after process.exit included; not SIGKILL: then the next
 * start finds the PID dead and takes it over).
 */
export function acquireDataDirLock(dataDir: string, role: 'vault' | 'admin'): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  const mine: LockInfo = {
    pid: process.pid,
    role,
    host: hostname(),
    since: new Date().toISOString(),
  };
  // Written whole under a private name, then hard-linked into place: link() fails with
  // EEXIST when the lock exists, so two starting processes cannot both win, and nobody
  // ever reads a half-written lock.
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, `${JSON.stringify(mine)}\n`, { mode: 0o600 });
  try {
    return take(file, draft, dataDir);
  } finally {
    rmSync(draft, { force: true });
  }
}

function take(file: string, draft: string, dataDir: string): DataDirLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      linkSync(draft, file);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          const now = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
          if (now.pid === process.pid) rmSync(file, { force: true });
        } catch {}
      };
      process.on('exit', release);
      return { file, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readLock(dataDir);
    if (holder) throw new DataDirLocked(file, holder);
    // Stale (dead PID) or unreadable (a crash mid-write): take it over.
    rmSync(file, { force: true });
  }
  throw new Error(`${file}: could not take the lock (another process keeps recreating it)`);
}
