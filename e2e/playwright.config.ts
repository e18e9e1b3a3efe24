/**
 * @module Playwright config of the end-to-end suite: real Chromium (Debian's
 * /usr/bin/chromium), the built wallet served by a real vault on http://127.0.0.1:V and
 * the demo dApp on http://localhost:D — a real cross-site iframe. Every spec runs in two
 * projects: storage partitioning off (Playwright's default) and on.
 *
 * `npm run e2e` runs it alone; `npm test` runs it after Vitest (scripts/test.mjs).
 */
import { defineConfig } from '@playwright/test';

const workers = Number(process.env.TRINE_E2E_WORKERS ?? 2);

export default defineConfig<{ partitioned: boolean }>({
  testDir: '.',
  testMatch: '*.spec.ts',
  // e2e/prod/ is the production-shape suite, with its own config and global setup.
  testIgnore: 'prod/**',
  globalSetup: './global-setup.ts',
  fullyParallel: true,
  workers,
  retries: 0,
  forbidOnly: true,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: '../test-results/e2e',
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  projects: [
    { name: 'unpartitioned', use: { partitioned: false } },
    { name: 'partitioned', use: { partitioned: true } },
  ],
});
