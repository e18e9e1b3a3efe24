/**
 * @module bench/kdf-cases — the Argon2id timings shared by Node and the browser page:
 * hash-wasm (WebAssembly) vs @noble/hashes (pure JS, `argon2idAsync`), at the floor
 * and the default parameters of kdf.ts, plus a fixed baseline workload (SHA-256 of
 * 1 MiB) so results from a noisy, shared machine can be compared.
 *
 * No secrets: the password and salt are fixed public test values.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { argon2id } from 'hash-wasm';

export interface CaseResult {
  name: string;
  impl: 'hash-wasm' | '@noble/hashes' | 'baseline';
  m: number;
  t: number;
  p: number;
  runsMs: number[];
  medianMs: number;
}

const PASSWORD = new TextEncoder().encode('benchmark password (public)');
const SALT = new Uint8Array(16).fill(0x5a);

const PARAMS = [
  { label: 'floor', m: 19456, t: 2, p: 1 },
  { label: 'default', m: 65536, t: 3, p: 1 },
  { label: 'default, p=4', m: 65536, t: 3, p: 4 },
] as const;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function time(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  await fn(); // warm-up: wasm compilation, JIT
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(Math.round((performance.now() - t0) * 10) / 10);
  }
  return out;
}

/** Runs every case `runs` times (after one warm-up) and returns the timings. */
export async function runKdfCases(runs = 3): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const mib = new Uint8Array(1 << 20).fill(1);
  const base = await time(async () => sha256(mib), Math.max(runs, 5));
  results.push({
    name: 'baseline: SHA-256 of 1 MiB',
    impl: 'baseline',
    m: 0,
    t: 0,
    p: 0,
    runsMs: base,
    medianMs: median(base),
  });
  for (const { label, m, t, p } of PARAMS) {
    const wasm = await time(
      () =>
        argon2id({
          password: PASSWORD,
          salt: SALT,
          memorySize: m,
          iterations: t,
          parallelism: p,
          hashLength: 32,
          outputType: 'binary',
        }),
      runs,
    );
    results.push({
      name: `hash-wasm Argon2id ${label}`,
      impl: 'hash-wasm',
      m,
      t,
      p,
      runsMs: wasm,
      medianMs: median(wasm),
    });
    const js = await time(() => argon2idAsync(PASSWORD, SALT, { m, t, p, dkLen: 32 }), runs);
    results.push({
      name: `@noble/hashes argon2idAsync ${label}`,
      impl: '@noble/hashes',
      m,
      t,
      p,
      runsMs: js,
      medianMs: median(js),
    });
  }
  return results;
}
