/**
 * @module Root Vite/Vitest config: one Vitest project per workspace (DESIGN.md §1).
 * `npm test` runs all of them through scripts/test.mjs; `npx vitest run --project core` runs one.
 */
import { defineConfig } from 'vitest/config';

const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
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
      project('protocol', 'packages/protocol'),
      project('web3-sdk', 'packages/web3-sdk'),
      project('wallet', 'apps/wallet'),
      project('demo', 'apps/demo'),
      project('scripts', 'scripts'),
    ],
  },
});
