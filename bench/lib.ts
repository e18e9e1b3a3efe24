/**
 * @module bench/lib — timing helpers shared by the benchmarks.
 *
 * The machine is shared and noisy, so every benchmark also times a fixed baseline
 * workload in the same run, interleaved with the measured operations, and reports each
 * operation as a ratio to that baseline as well as in milliseconds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

export interface Row {
  name: string;
  runs: number;
  medianMs: number;
  p90Ms: number;
  opsPerSec: number;
  ratioToBaseline: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Times `fn` `runs` times after `warmup` untimed calls; returns each run in ms. */
export async function time(fn: () => unknown, runs: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export function machine() {
  const c = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

export function table(rows: Row[], baselineName: string): string {
  const head = `| operation | runs | median ms | p90 ms | ops/s | × baseline |\n|---|---:|---:|---:|---:|---:|`;
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${r.runs} | ${r.medianMs.toFixed(2)} | ${r.p90Ms.toFixed(2)} | ${r.opsPerSec.toFixed(1)} | ${r.ratioToBaseline.toFixed(2)} |`,
  );
  return `${head}\n${lines.join('\n')}\n\nbaseline: ${baselineName}`;
}

export function writeResult(file: string, data: unknown): string {
  const path = join(new URL('.', import.meta.url).pathname, 'results', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
