#!/usr/bin/env node
/**
 * @module build — the publishable build of @trine/web3-sdk into `dist/`:
 *
 *   dist/<entry>.js    ESM (code shared between entries split into dist/chunks/), source maps
 *   dist/<entry>.cjs   CommonJS, one self-contained file per entry, for require()
 *   dist/<entry>.d.ts  declarations (tsc; .d.cts for require), @trine/protocol's in dist/protocol/
 *   dist/trine.iife.js the CDN build (`window.Trine`), minified, with its SRI hash printed
 *                      and written to dist/trine.iife.js.sri
 *
 * @trine/protocol is bundled in (it is private to this repository), so the tarball's only
 * dependency is @noble/hashes (used by `./memory` alone). The workspace keeps using the
 * sources through the `trine-source` export condition.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(pkg, '..', '..');
const dist = join(pkg, 'dist');
const src = join(pkg, 'src');

/** The public entries: file stem in src/ = subpath (`trine` is `.`). */
export const ENTRIES = [
  'trine',
  'inject',
  'cip30',
  'chain',
  'blockfrost',
  'memory',
  'cbor',
  'bech32',
  'value',
  'errors',
];
const PROTOCOL = [
  'errors',
  'limits',
  'guards',
  'methods',
  'messages',
  'endpoint',
  'handshake',
  'bech32',
];

const common = {
  bundle: true,
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  conditions: ['trine-source'],
  // Only ./memory uses it; a dApp's bundler resolves it from the tarball's dependencies.
  external: ['@noble/hashes', '@noble/hashes/*'],
};

/** Runs the whole build; returns the CDN file's SRI value. */
export async function buildAll() {
  rmSync(dist, { recursive: true, force: true });
  const entryPoints = Object.fromEntries(ENTRIES.map((e) => [e, join(src, `${e}.ts`)]));
  await build({
    ...common,
    entryPoints,
    outdir: dist,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  await build({
    ...common,
    entryPoints,
    outdir: dist,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  });
  await build({
    ...common,
    entryPoints: { 'trine.iife': join(src, 'cdn.ts') },
    outdir: dist,
    format: 'iife',
    globalName: 'Trine',
    platform: 'browser',
    minify: true,
  });
  types();
  const iife = readFileSync(join(dist, 'trine.iife.js'));
  const sri = `sha384-${createHash('sha384').update(iife).digest('base64')}`;
  writeFileSync(join(dist, 'trine.iife.js.sri'), `${sri}\n`);
  return sri;
}

/** Runs tsc on `files`, emitting declarations only into `outDir`. */
function tsc(files, outDir, rootDir) {
  const config = join(dist, 'tsconfig.types.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        outDir,
        rootDir,
        types: [],
      },
      files,
    }),
  );
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', config],
    { stdio: 'inherit' },
  );
  rmSync(config);
  if (r.status !== 0) throw new Error('tsc failed to emit declarations');
}

/**
 * Declarations through tsc, then import specifiers rewritten to the dist layout. Two runs:
 * tsc does not emit a file it reached through node_modules (@trine/protocol), even when it
 * is also a root, so the protocol's declarations get a run of their own.
 */
function types() {
  const tmp = join(dist, '.types');
  tsc(
    ENTRIES.map((e) => join(src, `${e}.ts`)),
    join(tmp, 'sdk'),
    src,
  );
  const protocolSrc = join(root, 'packages', 'protocol', 'src');
  tsc(
    PROTOCOL.map((p) => join(protocolSrc, `${p}.ts`)),
    join(tmp, 'protocol'),
    protocolSrc,
  );
  const move = (from, to, rewrite) => {
    mkdirSync(to, { recursive: true });
    for (const f of readdirSync(from)) {
      if (!f.endsWith('.d.ts')) continue;
      const text = rewrite(readFileSync(join(from, f), 'utf8'));
      writeFileSync(join(to, f), text);
      // The same declarations for require(): TypeScript reads .d.cts as CommonJS.
      const cts = text.replace(/(from\s+|import\(\s*)(['"])(\.\.?\/[^'"]+)\.js\2/g, '$1$2$3.cjs$2');
      writeFileSync(join(to, f.replace(/\.d\.ts$/, '.d.cts')), cts);
    }
  };
  const relTs = (s) =>
    s.replace(/(from\s+|import\(\s*)(['"])(\.\.?\/[^'"]+)\.ts\2/g, '$1$2$3.js$2');
  move(join(tmp, 'sdk'), dist, (s) =>
    relTs(s).replace(/(['"])@trine\/protocol\/([a-z0-9-]+)\1/g, '$1./protocol/$2.js$1'),
  );
  move(join(tmp, 'protocol'), join(dist, 'protocol'), relTs);
  rmSync(tmp, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sri = await buildAll();
  const iife = readFileSync(join(dist, 'trine.iife.js'));
  // As a CDN sends it (README's CDN row): raw, gzip -9 and brotli (quality 11).
  const gzip = gzipSync(iife, { level: 9 }).length;
  const brotli = brotliCompressSync(iife).length;
  console.log(`@trine/web3-sdk: built dist/ (${ENTRIES.length} entries, ESM + CJS + .d.ts)`);
  console.log(
    `CDN build dist/trine.iife.js (${iife.length} B, gzip ${gzip} B, brotli ${brotli} B), integrity="${sri}"`,
  );
}
