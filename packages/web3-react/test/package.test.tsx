// @vitest-environment node
/**
 * The published @trine/web3-react as an app gets it, like the SDK's tarball test
 * (packages/web3-sdk/test/package.test.ts, whose helpers it shares): both packages packed
 * (each prepack builds), installed with React into a fresh project outside this repository
 * (no workspace link, offline), typechecked under create-vite's and Next.js's tsconfig,
 * bundled by Vite, rendered on the server from the ESM build and from a require()d CJS one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
} from '../../web3-sdk/test/pack.ts';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
};

let work: string;
let app: string;
let files: string[];

/** What an app writes: the provider, both hooks, the button, typed state. */
const MAIN_TSX = `
import { ConnectButton, TrineProvider, useCip30, useTrine, type TrineState } from '@trine/web3-react';
import type { TrineOptions } from '@trine/web3-sdk';
import { createMemoryChainProvider } from '@trine/web3-sdk/memory';

const options: TrineOptions = {
  walletUrl: 'https://wallet.example',
  appId: 'shop',
  network: 'preprod',
  getToken: async () => 'jwt',
  chainProvider: createMemoryChainProvider(),
};

function Pay() {
  const state: TrineState = useTrine();
  const api = useCip30();
  return <p data-status={state.status}>{api ? 'connected' : (state.error?.reason ?? 'idle')}</p>;
}

export function App() {
  return (
    <TrineProvider options={options} autoConnect={false}>
      <ConnectButton className="btn" />
      <Pay />
    </TrineProvider>
  );
}
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trine-react-pack-'));
  const react = pack(pkgDir, work);
  files = react.files;
  const sdk = pack(join(root, 'packages', 'web3-sdk'), work).tarball;
  const deps: Record<string, string> = {
    '@trine/web3-react': react.tarball,
    '@trine/web3-sdk': sdk,
  };
  // The rest from this repository's install: no registry needed.
  for (const name of [
    '@noble/hashes',
    'react',
    'react-dom',
    'scheduler',
    '@types/react',
    'csstype',
  ]) {
    deps[name] = packInstalled(name, work);
  }
  app = consumer(work, deps);
  writeFileSync(join(app, 'src', 'main.tsx'), MAIN_TSX);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed @trine/web3-react', () => {
  it('is a semver release whose tarball holds dist/, README, CHANGELOG and LICENSE only', () => {
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']) {
      expect(files).toContain(f);
    }
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts', 'index.js.map']) {
      expect(files).toContain(`dist/${f}`);
    }
    expect(
      files.filter((f) => !/^(dist\/|LICENSE$|README\.md$|CHANGELOG\.md$|package\.json$)/.test(f)),
    ).toEqual([]);
    // React and the SDK are the app's (peers), never bundled in.
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['@trine/web3-sdk', 'react']);
    const code = readFileSync(join(app, 'node_modules/@trine/web3-react/dist/index.js'), 'utf8');
    expect(code).toMatch(/from ["']react["']/);
    expect(code).toMatch(/from ["']@trine\/web3-sdk["']/);
    expect(code).not.toContain('react.production');
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

  it('typechecks under create-vite’s tsconfig (react-jsx, erasableSyntaxOnly, lib checks on)', () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(CREATE_VITE_TSCONFIG));
    expect(() => run(process.execPath, [tsc, '-p', '.'], app)).not.toThrow();
  });

  it('typechecks under a Next.js tsconfig (non-strict, jsx preserve)', () => {
    writeFileSync(join(app, 'tsconfig.next.json'), JSON.stringify(NEXT_TSCONFIG));
    expect(() => run(process.execPath, [tsc, '-p', 'tsconfig.next.json'], app)).not.toThrow();
  });

  it('a type error in the consumer is still reported (the check can fail)', () => {
    writeFileSync(
      join(app, 'src', 'bad.tsx'),
      'import { TrineProvider } from \'@trine/web3-react\';\nexport const x = <TrineProvider autoConnect="yes" />;\n',
    );
    try {
      let out = '';
      try {
        run(process.execPath, [tsc, '-p', '.'], app);
      } catch (e) {
        out = String((e as { stdout?: string }).stdout);
      }
      expect(out).toMatch(/src\/bad\.tsx.*error TS2/);
    } finally {
      rmSync(join(app, 'src', 'bad.tsx'));
    }
  });

  it('bundles with Vite from the installed tarballs (one React, no source paths)', async () => {
    const { build } = await import('vite');
    writeFileSync(
      join(app, 'src', 'entry.tsx'),
      "import { createRoot } from 'react-dom/client';\nimport { App } from './main.tsx';\ncreateRoot(document.body).render(<App />);\n",
    );
    writeFileSync(
      join(app, 'index.html'),
      '<!doctype html><html><body><script type="module" src="/src/entry.tsx"></script></body></html>',
    );
    const out = await build({
      root: app,
      logLevel: 'silent',
      configFile: false,
      build: { write: false, minify: true },
    });
    const outputs = (Array.isArray(out) ? out : [out]) as Array<{
      output: Array<{ type: string; code?: string }>;
    }>;
    const code = outputs
      .flatMap((o) => o.output)
      .filter((c) => c.type === 'chunk')
      .map((c) => c.code ?? '')
      .join('\n');
    expect(code).toContain('Connect wallet');
    expect(code).toContain('trine:enabled:');
    expect(code).not.toContain('packages/web3-react/src');
  });

  it('renders on the server from the ESM build (Node, no window)', () => {
    const script = `
      import { createElement as h } from 'react';
      import { renderToString } from 'react-dom/server';
      import { ConnectButton, TrineProvider } from '@trine/web3-react';
      import { createMemoryChainProvider } from '@trine/web3-sdk/memory';
      const options = { walletUrl: 'https://wallet.example', appId: 'a', network: 'preprod',
        getToken: () => 'x', chainProvider: createMemoryChainProvider() };
      const html = renderToString(h(TrineProvider, { options }, h(ConnectButton)));
      console.log(JSON.stringify({ window: typeof window, html }));
    `;
    const r = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], app));
    expect(r.window).toBe('undefined');
    expect(r.html).toMatch(/<button[^>]*data-status="idle"[^>]*>Connect wallet<\/button>/);
  });

  it('require()s the CommonJS build and renders with it', () => {
    const script = `
      const { createElement: h } = require('react');
      const { renderToString } = require('react-dom/server');
      const m = require('@trine/web3-react');
      const html = renderToString(h(m.TrineProvider, { trine: { isEnabled: async () => false,
        on: () => () => {}, wallet: null, destroy() {} } }, h(m.ConnectButton)));
      console.log(JSON.stringify({ keys: Object.keys(m).sort(), html,
        file: require.resolve('@trine/web3-react') }));
    `;
    const r = JSON.parse(run(process.execPath, ['-e', script], app));
    expect(r.keys).toEqual(['ConnectButton', 'TrineProvider', 'useCip30', 'useTrine']);
    expect(r.html).toContain('Connect wallet');
    expect(r.file).toMatch(/node_modules\/@trine\/web3-react\/dist\/index\.cjs$/);
  });
});
