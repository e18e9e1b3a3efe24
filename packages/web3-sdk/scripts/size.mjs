#!/usr/bin/env node
/**
 * Bundles the SDK for production with esbuild (minified, ESM, browser) and prints raw /
 * gzip / brotli bytes; writes bench/results/sdk-size.json at the repository root.
 *
 *   main     — `@trine/web3-sdk` (createTrine + the CIP-30 API it returns)
 *   typical  — main + `./inject` + `./blockfrost` (what a dApp usually ships)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const root = join(pkg, '..', '..');

/** Bundles `contents` (an entry module) and returns the minified code and the input paths. */
export async function bundle(contents) {
  const r = await build({
    stdin: { contents, resolveDir: pkg, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    conditions: ['trine-source'],
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return { code: r.outputFiles[0].text, inputs: Object.keys(r.metafile.inputs) };
}

const ENTRIES = {
  main: "export * from '@trine/web3-sdk';",
  typical:
    "export * from '@trine/web3-sdk'; export * from '@trine/web3-sdk/inject'; export * from '@trine/web3-sdk/blockfrost';",
};

function sizes(code) {
  const buf = Buffer.from(code);
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = {};
  for (const [name, contents] of Object.entries(ENTRIES)) {
    const { code, inputs } = await bundle(contents);
    results[name] = { ...sizes(code), modules: inputs.length };
    const s = results[name];
    console.log(
      `${name.padEnd(8)} raw ${s.raw} B, gzip ${s.gzip} B, brotli ${s.brotli} B (${s.modules} modules)`,
    );
  }
  const out = join(root, 'bench', 'results', 'sdk-size.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, minify: 'esbuild', results }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
}
