#!/usr/bin/env node
/**
 * @module build — compiles the vault to JavaScript: `npm run build -w @trine/vault`.
 *
 * esbuild bundles src/main.ts and src/admin.ts (with the @trine/* workspace packages they
 * import, which are TypeScript sources, and those packages' own dependencies) into
 * dist/server/main.js and dist/server/admin.js. The vault's own npm dependencies stay
 * external: the image installs them with `npm ci --omit=dev` (infra/vault.Dockerfile), so
 * the running image needs neither tsx nor any dev dependency.
 *
 * Why dist/server/: src/db/open.ts finds the migrations at `../../drizzle` relative to
 * its own module; a bundle two folders below apps/vault (as src/db/ is) resolves that
 * to the same apps/vault/drizzle. A metafile (dist/meta.json) records every external
 * import, so a test can check that they are all production dependencies.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8'));
/** The vault's own dependencies, minus the workspace packages (bundled from source). */
export const EXTERNAL = Object.keys(pkg.dependencies).filter((d) => !d.startsWith('@trine/'));

const out = join(HERE, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'server'), { recursive: true });
const result = await build({
  entryPoints: { main: join(HERE, 'src/main.ts'), admin: join(HERE, 'src/admin.ts') },
  outdir: join(out, 'server'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.6',
  // 'pkg' and 'pkg/sub/path' imports of the vault's own dependencies stay imports.
  external: EXTERNAL.flatMap((d) => [d, `${d}/*`]),
  sourcemap: 'linked',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
writeFileSync(join(out, 'meta.json'), JSON.stringify(result.metafile));
writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
console.log(`vault: built ${Object.keys(result.metafile.outputs).length} files into ${out}`);
