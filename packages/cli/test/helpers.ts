/**
 * @module helpers — run the CLI in-process with captured output, and small
 * independent CBOR/signature checks (noble + cbor-x, not the code under test).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/main.ts';

export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function run(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'trine-cli-'));
}

export function secretFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${text}\n`, { mode: 0o600 });
  return path;
}
