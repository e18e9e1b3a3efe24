/**
 * @module fixtures — `test` with a fresh persistent Chromium profile per device.
 *
 * Third-party (cross-site iframe) storage is blocked in Playwright's default contexts, so
 * each device is `launchPersistentContext` on a new profile folder whose
 * `Default/Preferences` sets `cookie_controls_mode: 0` (third-party cookies and storage
 * allowed, as in a default desktop Chrome). A new profile is a new device: no device share.
 *
 * Two projects run every spec: `unpartitioned` (Playwright's default, which disables
 * ThirdPartyStoragePartitioning) and `partitioned` (Playwright's default
 * `--disable-features=` list minus that feature, so storage is keyed by top-level site as
 * in a real browser).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, test as base, chromium, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.ts';
import { DemoPage } from './demo-page.ts';

/** Playwright 1.65's default `--disable-features` list (playwright-core chromiumSwitches). */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];
const DEFAULT_DISABLE_FEATURES = `--disable-features=${PLAYWRIGHT_DISABLED_FEATURES.join(',')}`;
const PARTITIONED_DISABLE_FEATURES = `--disable-features=${PLAYWRIGHT_DISABLED_FEATURES.filter(
  (f) => f !== 'ThirdPartyStoragePartitioning',
).join(',')}`;

export interface Device {
  context: BrowserContext;
  page: Page;
  demo: DemoPage;
}

export const env = {
  get vault(): string {
    return need('TRINE_E2E_VAULT');
  },
  get demo(): string {
    return need('TRINE_E2E_DEMO');
  },
  get refusedOrigin(): string {
    return need('TRINE_E2E_DEMO_REFUSED');
  },
  get otherSite(): string {
    return need('TRINE_E2E_DEMO_OTHER_SITE');
  },
};

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through e2e/playwright.config.ts`);
  return v;
}

interface Fixtures {
  /** Opens a new device (a fresh browser profile). Closed and removed after the test. */
  newDevice: () => Promise<Device>;
  /** The first device of the test. */
  device: Device;
  /** A user id unique to this test (and project). */
  user: string;
}
interface Options {
  partitioned: boolean;
}

export const test = base.extend<Fixtures, Options>({
  partitioned: [false, { option: true, scope: 'worker' }],

  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixture's parameters.
  user: async ({}, use, info) => {
    const project = info.project.name.slice(0, 4);
    await use(`e2e-${project}-${info.testId}-${Date.now().toString(36)}`);
  },

  newDevice: async ({ partitioned }, use, info) => {
    const opened: { context: BrowserContext; dir: string }[] = [];
    await use(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'trine-e2e-profile-'));
      mkdirSync(join(dir, 'Default'), { recursive: true });
      writeFileSync(
        join(dir, 'Default', 'Preferences'),
        JSON.stringify({ profile: { cookie_controls_mode: 0 } }),
      );
      const context = await chromium.launchPersistentContext(dir, {
        executablePath: CHROMIUM,
        headless: true,
        args: partitioned ? [...CHROMIUM_ARGS, PARTITIONED_DISABLE_FEATURES] : [...CHROMIUM_ARGS],
        ...(partitioned ? { ignoreDefaultArgs: [DEFAULT_DISABLE_FEATURES] } : {}),
        viewport: { width: 960, height: 720 },
      });
      opened.push({ context, dir });
      const page = context.pages()[0] ?? (await context.newPage());
      const project = info.project.name;
      return { context, page, demo: new DemoPage(page, project) };
    });
    for (const { context, dir } of opened) {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  },

  device: async ({ newDevice }, use) => {
    await use(await newDevice());
  },
});

export { expect } from '@playwright/test';
