#!/usr/bin/env node
/**
 * @module build — the publishable build of @trine/web3-react into `dist/`, the same shape as
 * @trine/web3-sdk's (packages/web3-sdk/scripts/build.mjs):
 *
 *   dist/index.js     ESM, source map
 *   dist/index.cjs    CommonJS, for require()
 *   dist/index.d.ts   declarations (tsc; the same as index.d.cts for require)
 *
 * React (and its JSX runtime) and @trine/web3-sdk stay imports: they are the app's, as
 * peers, so the app has one React and one SDK. The workspace keeps using the sources
 * through the `trine-source` export condition.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(pkg, '..', '..');
const dist = join(pkg, 'dist');
const entry = join(pkg, 'src', 'index.tsx');

const common = {
  entryPoints: { index: entry },
  outdir: dist,
  bundle: true,
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  jsx: 'automatic',
  // Peers: resolved by the app, never copied in.
  external: ['react', 'react/*', 'react-dom', '@trine/web3-sdk', '@trine/web3-sdk/*'],
};

/** Declarations of src/index.tsx into dist/ (tsc), `.ts` specifiers made `.js`. */
function types() {
  const config = join(dist, 'tsconfig.types.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        outDir: dist,
        rootDir: join(pkg, 'src'),
        types: [],
      },
      files: [entry],
    }),
  );
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', config],
    { stdio: 'inherit' },
  );
  rmSync(config);
  if (r.status !== 0) throw new Error('tsc failed to emit declarations');
  const dts = readFileSync(join(dist, 'index.d.ts'), 'utf8');
  // No relative imports to rewrite (one file); the same text serves require() as .d.cts.
  writeFileSync(join(dist, 'index.d.cts'), dts);
}

/** Runs the whole build. */
export async function buildAll() {
  rmSync(dist, { recursive: true, force: true });
  await build({ ...common, format: 'esm' });
  await build({ ...common, format: 'cjs', outExtension: { '.js': '.cjs' } });
  types();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildAll();
  console.log('@trine/web3-react: built dist/ (ESM + CJS + .d.ts)');
}
