/**
 * @module fixtures (production shape) — browser devices that trust Caddy's local CA
 * through an NSS database (HOME points at it; Chromium on Linux reads
 * $HOME/.pki/nssdb), never through ignoreHTTPSErrors; a device's profile can be closed
 * and opened again (the same browser after a restart: same IndexedDB).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, test as base, chromium, type Page } from '@playwright/test';
import { loadState, type ShapeState } from '../../infra/local/shape.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.ts';
import { DemoPage } from '../demo-page.ts';

export interface Device {
  dir: string;
  context: BrowserContext;
  page: Page;
  demo: DemoPage;
  /** Closes the browser (as a user quitting it); `reopen()` starts it again on the same profile. */
  close(): Promise<void>;
  reopen(): Promise<Device>;
}

export function shape(): ShapeState {
  const dir = process.env.TRINE_SHAPE_DIR;
  if (!dir)
    throw new Error('TRINE_SHAPE_DIR is not set: run through e2e/prod/playwright.config.ts');
  return loadState(dir);
}

async function launch(dir: string): Promise<Device> {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    env: { ...process.env, HOME: process.env.TRINE_SHAPE_NSS_HOME ?? '' } as Record<string, string>,
    viewport: { width: 960, height: 720 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const device: Device = {
    dir,
    context,
    page,
    demo: new DemoPage(page, 'production'),
    close: () => context.close(),
    reopen: async () => {
      await context.close().catch(() => undefined);
      return launch(dir);
    },
  };
  return device;
}

interface Fixtures {
  newDevice: () => Promise<Device>;
  user: string;
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixture's parameters.
  user: async ({}, use, info) => {
    await use(`prod-${info.testId}-${Date.now().toString(36)}`);
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixture's parameters.
  newDevice: async ({}, use) => {
    const opened: Device[] = [];
    await use(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'trine-prod-profile-'));
      mkdirSync(join(dir, 'Default'), { recursive: true });
      writeFileSync(
        join(dir, 'Default', 'Preferences'),
        JSON.stringify({ profile: { cookie_controls_mode: 0 } }),
      );
      const d = await launch(dir);
      opened.push(d);
      const reopen = d.reopen;
      d.reopen = async () => {
        const again = await reopen();
        opened.push(again);
        return again;
      };
      return d;
    });
    for (const d of opened) await d.context.close().catch(() => undefined);
    for (const dir of new Set(opened.map((d) => d.dir)))
      rmSync(dir, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
