/**
 * @module Playwright config of the production-shape suite (`npm run e2e:prod`; `npm test`
 * runs it after the dev e2e suite): the global setup brings up infra/local/shape.ts —
 * PostgreSQL with the infra/sql roles, two vault processes in production mode, Caddy with
 * its internal CA in front — and every spec runs against it through HTTPS.
 *
 * One worker, in file order: the fault specs kill vault processes and restart PostgreSQL
 * under the others' feet, so nothing else may run meanwhile.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 300_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: '../../test-results/e2e-prod',
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  projects: [{ name: 'production' }],
});
