/**
 * The published package as a dApp gets it: `npm pack` (which runs the build), then the
 * tarball installed into a fresh project outside this repository (no workspace link, from
 * npm's local cache), typechecked under create-vite's and Next.js's tsconfig, bundled by
 * Vite, imported in Node (SSR: no window), require()d, and the CDN file run as a script.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATE_VITE_TSCONFIG,
  consumer,
  NEXT_TSCONFIG,
  pack,
  packInstalled,
  root,
  run,
  tsc,
} from './pack.ts';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, unknown>;
};

let work: string;
let app: string;
let files: string[];

/** What a dApp writes: every entry, typed use of options, errors and events. */
const MAIN_TS = `
import { createTrine, type Cip30Api, type Trine, type TrineOptions } from '@trine/web3-sdk';
import { injectCip30 } from '@trine/web3-sdk/inject';
import { createMemoryChainProvider } from '@trine/web3-sdk/memory';
import { createBlockfrostChainProvider } from '@trine/web3-sdk/blockfrost';
import { isTrineError, APIErrorCode, type TrineErrorReason } from '@trine/web3-sdk/errors';
import { decodeValue } from '@trine/web3-sdk/value';
import { encode, toHex } from '@trine/web3-sdk/cbor';

const options: TrineOptions = {
  walletUrl: 'https://wallet.example',
  appId: 'shop',
  network: 'preprod',
  getToken: async () => 'jwt',
  chainProvider: createMemoryChainProvider(),
  frameTimeoutMs: 1500,
};
export const trine: Trine = createTrine(options);
export const bf = createBlockfrostChainProvider({ baseUrl: 'https://x.example/api/v0', projectId: 'p' });
export const off: () => void = trine.on('accountChange', (w) => console.log(w?.addresses.base));
export async function go(): Promise<string> {
  try {
    const api: Cip30Api = await trine.enable();
    injectCip30({ icon: 'data:image/svg+xml,x' }, trine);
    return await api.signTx({ tx: toHex(encode([])), partialSign: null });
  } catch (e) {
    if (isTrineError(e)) {
      const r: TrineErrorReason = e.reason;
      if (r === 'rate_limited' && 'retryAfter' in e) return String(e.retryAfter);
      if ('code' in e && e.code === APIErrorCode.Refused) return r;
    }
    return String(decodeValue('00').coin);
  }
}
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trine-sdk-pack-'));
  const sdk = pack(pkgDir, work);
  files = sdk.files;
  // The one dependency, packed from this repository's install: the consumer's install
  // needs no registry at all (its ~2.4 range is met by this copy).
  app = consumer(work, {
    '@noble/hashes': packInstalled('@noble/hashes', work),
    '@trine/web3-sdk': sdk.tarball,
  });
  writeFileSync(join(app, 'src', 'main.ts'), MAIN_TS);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed @trine/web3-sdk', () => {
  it('is a semver release whose tarball holds dist/, README, CHANGELOG and LICENSE only', () => {
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files).toContain('CHANGELOG.md');
    expect(files).toContain('package.json');
    expect(files).toContain('dist/trine.js');
    expect(files).toContain('dist/trine.cjs');
    expect(files).toContain('dist/trine.d.ts');
    expect(files).toContain('dist/trine.js.map');
    expect(files).toContain('dist/trine.iife.js');
    expect(
      files.filter((f) => !/^(dist\/|LICENSE$|README\.md$|CHANGELOG\.md$|package\.json$)/.test(f)),
    ).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(join(app, 'node_modules', '@trine', 'web3-sdk', 'package.json'), 'utf8'),
    ) as { dependencies: Record<string, string>; private?: boolean };
    // @trine/protocol is bundled in: the only dependency is the hash library of ./memory.
    expect(Object.keys(manifest.dependencies)).toEqual(['@noble/hashes']);
    expect(manifest.private).toBeUndefined();
  });

  it('every export has types, an import and a require target that exist', () => {
    for (const [sub, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') {
        expect(files, sub).toContain(target.replace(/^\.\//, ''));
        continue;
      }
      const t = target as {
        import: { types: string; default: string };
        require: { types: string; default: string };
      };
      for (const f of [t.import.types, t.import.default, t.require.types, t.require.default]) {
        expect(files, `${sub}: ${f}`).toContain(f.replace(/^\.\//, ''));
      }
    }
  });

  it('typechecks under create-vite’s tsconfig (erasableSyntaxOnly, verbatimModuleSyntax, bundler) with lib checks on', () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(CREATE_VITE_TSCONFIG));
    expect(() => run(process.execPath, [tsc, '-p', '.'], app)).not.toThrow();
  });

  it('typechecks under a Next.js tsconfig (non-strict, ES2017 target, no TS5097)', () => {
    writeFileSync(join(app, 'tsconfig.next.json'), JSON.stringify(NEXT_TSCONFIG));
    expect(() => run(process.execPath, [tsc, '-p', 'tsconfig.next.json'], app)).not.toThrow();
  });

  it('a type error in the consumer is still reported (the check can fail)', () => {
    writeFileSync(
      join(app, 'src', 'bad.ts'),
      "import { createTrine } from '@trine/web3-sdk';\nexport const t = createTrine({ appId: 1 });\n",
    );
    try {
      let out = '';
      try {
        run(process.execPath, [tsc, '-p', '.'], app);
      } catch (e) {
        out = String((e as { stdout?: string }).stdout);
      }
      expect(out).toMatch(/src\/bad\.ts.*error TS2/);
    } finally {
      rmSync(join(app, 'src', 'bad.ts'));
    }
  });

  it('bundles with Vite from the installed tarball (no source paths, no workspace)', async () => {
    const { build } = await import('vite');
    writeFileSync(
      join(app, 'index.html'),
      '<!doctype html><html><body><script type="module" src="/src/main.ts"></script></body></html>',
    );
    const out = await build({
      root: app,
      logLevel: 'silent',
      configFile: false,
      build: { write: false, minify: true },
    });
    const outputs = (Array.isArray(out) ? out : [out]) as Array<{
      output: Array<{ type: string; code?: string; fileName: string }>;
    }>;
    const code = outputs
      .flatMap((o) => o.output)
      .filter((c) => c.type === 'chunk')
      .map((c) => c.code ?? '')
      .join('\n');
    expect(code).toContain('trine:enabled:');
    expect(code).not.toContain('packages/web3-sdk/src');
  });

  it('imports in Node with no window (SSR), every subpath', () => {
    const script = `
      const subs = ${JSON.stringify(Object.keys(pkg.exports).filter((k) => k.startsWith('./') && !k.endsWith('.js') && !k.endsWith('.json')))};
      const main = await import('@trine/web3-sdk');
      for (const s of subs) await import('@trine/web3-sdk/' + s.slice(2));
      const { createMemoryChainProvider } = await import('@trine/web3-sdk/memory');
      const t = main.createTrine({ walletUrl: 'https://wallet.example', appId: 'a', network: 'preprod',
        getToken: () => 'x', chainProvider: createMemoryChainProvider() });
      console.log(JSON.stringify({ window: typeof window, enabled: await t.isEnabled(), keys: Object.keys(main).sort() }));
    `;
    const r = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], app));
    expect(r).toEqual({ window: 'undefined', enabled: false, keys: ['createTrine'] });
  });

  it('require()s the CommonJS build', () => {
    const script = `
      const m = require('@trine/web3-sdk');
      const e = require('@trine/web3-sdk/errors');
      const c = require('@trine/web3-sdk/cbor');
      console.log(JSON.stringify({ f: typeof m.createTrine, refused: e.APIErrorCode.Refused,
        hex: c.toHex(c.encode([1n])), file: require.resolve('@trine/web3-sdk') }));
    `;
    const r = JSON.parse(run(process.execPath, ['-e', script], app));
    expect(r).toMatchObject({ f: 'function', refused: -3, hex: '8101' });
    expect(r.file).toMatch(/node_modules\/@trine\/web3-sdk\/dist\/trine\.cjs$/);
  });

  it('the CDN file defines window.Trine when run as a classic script, and its SRI file matches it', async () => {
    const dir = join(app, 'node_modules', '@trine', 'web3-sdk', 'dist');
    const code = readFileSync(join(dir, 'trine.iife.js'));
    // A classic script's top-level `var Trine` is a property of the global object (window).
    const window = createContext({});
    runInContext(code.toString('utf8'), window);
    const g = (window as { Trine?: Record<string, unknown> }).Trine;
    expect(typeof g?.createTrine).toBe('function');
    expect(typeof g?.injectCip30).toBe('function');
    const { createHash } = await import('node:crypto');
    const sri = `sha384-${createHash('sha384').update(code).digest('base64')}`;
    expect(readFileSync(join(dir, 'trine.iife.js.sri'), 'utf8').trim()).toBe(sri);
    // The root README's <script> example shows this very hash (rebuild and copy it there
    // when the SDK changes: `npm run build -w @trine/web3-sdk` prints it).
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme.match(/integrity="(sha384-[A-Za-z0-9+/=]+)"/)?.[1]).toBe(sri);
  });
});
