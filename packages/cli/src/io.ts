/**
 * @module io — reading secrets and writing outputs for the CLI.
 *
 * Secret files (mnemonic, password, answer) are read whole; one trailing newline
 * (`\n` or `\r\n`) is removed, so `echo 'pw' > F` works, but other white space is kept
 * (it is part of the password). Share files are written with mode 0600 and never
 * overwritten: losing a share by accident is worse than an error.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { CliError } from './cli-error.ts';

const MAX_SECRET_FILE = 64 * 1024;

export function readSecretFile(path: string, what: string): string {
  let text: string;
  try {
    if (statSync(path).size > MAX_SECRET_FILE) {
      throw new CliError('FILE_UNREADABLE', `${what} file ${path} is larger than 64 KiB`);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError('FILE_UNREADABLE', `cannot read the ${what} file ${path}`);
  }
  return text.replace(/\r?\n$/, '');
}

export function readTextFile(path: string, what: string, max = 1024 * 1024): string {
  try {
    if (statSync(path).size > max) throw new Error('too large');
    return readFileSync(path, 'utf8');
  } catch {
    throw new CliError('FILE_UNREADABLE', `cannot read the ${what} file ${path}`);
  }
}

export function writeNewFile(path: string, text: string): void {
  if (existsSync(path)) {
    throw new CliError('OUTPUT_EXISTS', `${path} exists already; refusing to overwrite a share`);
  }
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
}
