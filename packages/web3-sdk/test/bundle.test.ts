/**
 * Correctness property, not a timing: the SDK's production bundle holds no custody code —
 * nothing from @trine/core or @trine/cardano, no cardano-serialization-lib, no wasm, and not
 * the hash library that only the memory chain provider uses (DESIGN.md §1, §2.1).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

async function bundle(contents: string) {
  const r = await build({
    stdin: { contents, resolveDir: pkg, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    conditions: ['trine-source'],
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: r.outputFiles[0]?.text ?? '', inputs: Object.keys(r.metafile.inputs) };
}

const FORBIDDEN = [
  '@trine/core',
  '@trine/cardano',
  'packages/core/',
  'packages/cardano/',
  'cardano-serialization-lib',
  '.wasm',
  '@noble',
  'noble/hashes',
];

describe('the SDK bundle', () => {
  for (const [name, entry] of [
    ['main', "export * from '@trine/web3-sdk';"],
    [
      'main + inject + blockfrost',
      "export * from '@trine/web3-sdk'; export * from '@trine/web3-sdk/inject'; export * from '@trine/web3-sdk/blockfrost';",
    ],
  ] as const) {
    it(`${name}: no custody code, no wasm, only protocol + sdk sources`, async () => {
      const { code, inputs } = await bundle(entry);
      expect(code.length).toBeGreaterThan(1000);
      for (const f of FORBIDDEN) {
        expect(code.includes(f), `code contains ${f}`).toBe(false);
        expect(
          inputs.filter((i) => i.includes(f)),
          `inputs contain ${f}`,
        ).toEqual([]);
      }
      for (const i of inputs.filter((x) => !x.endsWith('entry.ts'))) {
        expect(i, i).toMatch(/(^|\/)packages\/(protocol|web3-sdk)\/src\/[a-z0-9-]+\.ts$/);
      }
      expect(code).not.toMatch(/WebAssembly/);
    });
  }

  it('the check bites: the memory provider (noble hashes) is caught by it', async () => {
    const { inputs } = await bundle("export * from '@trine/web3-sdk/memory';");
    expect(inputs.some((i) => i.includes('@noble/hashes'))).toBe(true);
  });
});

describe('the main entry as a page loads it (scripts/size.mjs, code splitting)', () => {
  it('stays within 8 KiB gzip up front; CBOR, values and coin selection load on enable()', async () => {
    // @ts-expect-error — a plain .mjs script without declarations
    const { bundle: split, sizes } = await import('../scripts/size.mjs');
    const { initial, lazy } = (await split("export * from '@trine/web3-sdk';")) as {
      initial: string[];
      lazy: string[];
    };
    const up = (sizes as (f: string[]) => { gzip: number })(initial).gzip;
    expect(up).toBeLessThanOrEqual(8192);
    // The lazy chunk is the CIP-30 layer: its CBOR decoder's messages are not up front.
    const first = initial.join('');
    expect(first).not.toContain('CBOR: unexpected end');
    expect(lazy.join('')).toContain('CBOR: unexpected end');
    expect(first).toContain('frame_blocked');
  });
});
