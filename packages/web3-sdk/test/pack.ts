/**
 * @module pack — test helpers shared by the tarball tests of @trine/web3-sdk and
 * @trine/web3-react: `npm pack` a package (or a copy from this repository's install) into a
 * work directory, install tarballs into a fresh consumer project offline, and the tsconfigs
 * of create-vite and Next.js the consumer is typechecked under.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

export const run = (cmd: string, args: string[], cwd: string): string =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const LOCK = join(tmpdir(), `trine-pack-${root.replace(/[^A-Za-z0-9]/g, '_')}.lock`);

/**
 * Runs `fn` holding a lock shared by every test process of this checkout: both tarball
 * tests pack @trine/web3-sdk, whose prepack build deletes and rewrites dist/, and `npm test`
 * runs them at the same time. mkdir is atomic; a lock older than 5 minutes is a dead run's.
 */
function locked<T>(fn: () => T): T {
  const until = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > until) throw new Error(`could not take ${LOCK}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** `npm pack` of `dir` into `work` (runs its prepack build); the tarball path and its files. */
export function pack(dir: string, work: string): { tarball: string; files: string[] } {
  const out = locked(() => run('npm', ['pack', '--json', '--pack-destination', work], dir));
  const info = JSON.parse(out.slice(out.indexOf('['))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  return {
    tarball: join(work, info[0]?.filename ?? ''),
    files: (info[0]?.files ?? []).map((f) => f.path).sort(),
  };
}

/** A dependency packed from this repository's node_modules (so no registry is needed). */
export const packInstalled = (name: string, work: string): string =>
  pack(join(root, 'node_modules', name), work).tarball;

/**
 * A consumer project in `work/app` with `deps` (name → tarball) installed offline, no
 * workspace link and no install scripts. Returns its directory.
 */
export function consumer(work: string, deps: Record<string, string>): string {
  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  const dependencies = Object.fromEntries(
    Object.entries(deps).map(([name, tarball]) => [name, `file:${tarball}`]),
  );
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }),
  );
  run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    app,
  );
  return app;
}

export const CREATE_VITE_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    useDefineForClassFields: true,
    module: 'ESNext',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    // create-vite says true; false here also proves our .d.ts files themselves are clean.
    skipLibCheck: false,
    moduleResolution: 'bundler',
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    moduleDetection: 'force',
    noEmit: true,
    jsx: 'react-jsx',
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    erasableSyntaxOnly: true,
    noFallthroughCasesInSwitch: true,
    noUncheckedSideEffectImports: true,
  },
  include: ['src'],
};

export const NEXT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2017',
    lib: ['dom', 'dom.iterable', 'esnext'],
    allowJs: true,
    skipLibCheck: false,
    strict: false,
    noEmit: true,
    esModuleInterop: true,
    module: 'esnext',
    moduleResolution: 'bundler',
    resolveJsonModule: true,
    isolatedModules: true,
    jsx: 'preserve',
    incremental: false,
  },
  include: ['src'],
};
