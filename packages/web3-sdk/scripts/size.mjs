#!/usr/bin/env node
/**
 * Bundles the SDK for production with esbuild (minified, ESM, browser, code splitting as a
 * dApp's bundler does it) and prints raw / gzip / brotli bytes; writes
 * bench/results/sdk-size.json at the repository root.
 *
 *   main     — `@trine/web3-sdk`: what the page loads up front (the entry chunk and the
 *              chunks it imports statically, each compressed on its own, as served)
 *   enabled  — main + what `enable()` loads lazily (the CIP-30 layer): all of the SDK a
 *              connected dApp has run
 *   typical  — main + `./inject` + `./blockfrost` up front (what a dApp usually ships)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const root = join(pkg, '..', '..');

/**
 * Bundles `contents` (an entry module) with code splitting. Returns the files the page loads
 * up front (`initial`: the entry and its static imports) and those it loads through
 * `import()` (`lazy`), each as minified code, and every input path.
 */
export async function bundle(contents) {
  const outdir = join(pkg, '.size-out'); // never written (write: false); names the chunks
  const r = await build({
    stdin: { contents, resolveDir: pkg, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    splitting: true,
    outdir,
    absWorkingDir: pkg, // metafile paths are relative to it
    conditions: ['trine-source'],
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const text = new Map(r.outputFiles.map((f) => [f.path, f.text]));
  const outputs = r.metafile.outputs;
  const abs = (rel) => join(pkg, rel);
  const entry = Object.keys(outputs).find((o) => outputs[o].entryPoint !== undefined);
  const initial = new Set();
  const lazy = new Set();
  const walk = (o, into) => {
    if (initial.has(o) || into.has(o)) return;
    into.add(o);
    for (const i of outputs[o].imports) {
      if (i.kind === 'import-statement') walk(i.path, into);
      else if (i.kind === 'dynamic-import') walk(i.path, lazy);
    }
  };
  walk(entry, initial);
  for (const o of initial) lazy.delete(o);
  const code = (set) => [...set].map((o) => text.get(abs(o)));
  return { initial: code(initial), lazy: code(lazy), inputs: Object.keys(r.metafile.inputs) };
}

const ENTRIES = {
  main: "export * from '@trine/web3-sdk';",
  typical:
    "export * from '@trine/web3-sdk'; export * from '@trine/web3-sdk/inject'; export * from '@trine/web3-sdk/blockfrost';",
};

/** Bytes of `files`, each compressed on its own (one response each), summed. */
export function sizes(files) {
  const s = { raw: 0, gzip: 0, brotli: 0, files: files.length };
  for (const code of files) {
    const buf = Buffer.from(code);
    s.raw += buf.length;
    s.gzip += gzipSync(buf, { level: 9 }).length;
    s.brotli += brotliCompressSync(buf, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
    }).length;
  }
  return s;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = {};
  for (const [name, contents] of Object.entries(ENTRIES)) {
    const { initial, lazy, inputs } = await bundle(contents);
    results[name] = { ...sizes(initial), modules: inputs.length };
    if (name === 'main')
      results.enabled = { ...sizes([...initial, ...lazy]), modules: inputs.length };
  }
  for (const [name, s] of Object.entries(results)) {
    console.log(
      `${name.padEnd(8)} raw ${s.raw} B, gzip ${s.gzip} B, brotli ${s.brotli} B (${s.files} files, ${s.modules} modules)`,
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
