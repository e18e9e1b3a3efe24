/**
 * @module Root Vite/Vitest config: one Vitest project per workspace (DESIGN.md §1).
 * `npm test` runs all of them through scripts/test.mjs; `npx vitest run --project core` runs one.
 */
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the `trine-source` export
// condition); a published @trine/web3-sdk resolves to its dist/ build instead.
const SOURCE = 'trine-source';

// The wallet's DOM tests (happy-dom) run in Node: with the client conditions `#csl` would
// pick CSL's browser build, whose wasm Node cannot load. They resolve as Node does.
const NODE_RESOLVED = new Set(['wallet']);

const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  resolve: {
    conditions: [
      SOURCE,
      ...(NODE_RESOLVED.has(name) ? defaultServerConditions : defaultClientConditions),
    ],
  },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
  test: {
    environment: 'node' as const,
    name,
    root,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    ...extra,
  },
});

export default defineConfig({
  test: {
    projects: [
      project('core', 'packages/core'),
      project('cardano', 'packages/cardano'),
      project('cli', 'packages/cli'),
      project('vault', 'apps/vault', { fileParallelism: false }),
      project('realm', 'apps/realm', { fileParallelism: false }),
      project('server-kit', 'packages/server-kit'),
      project('protocol', 'packages/protocol'),
      project('web3-sdk', 'packages/web3-sdk'),
      project('wallet', 'apps/wallet'),
      project('demo', 'apps/demo'),
      project('scripts', 'scripts'),
      project('web3-react', 'packages/web3-react', {
        environment: 'happy-dom',
        include: ['test/**/*.test.tsx'],
      }),
    ],
  },
});
