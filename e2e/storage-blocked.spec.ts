/**
 * Blocked third-party storage (issue 12 item 1), in Playwright's DEFAULT Chromium context
 * (`browser.newContext()`: third-party cookies and storage blocked, as with Chrome's
 * "block third-party cookies", incognito or Brave): the wallet finds out before asking
 * for any secret and creates nothing; through its first-party wallet window it creates,
 * signs, and after a reload signs again with the password alone (no recovery). The
 * `partitioned` project runs the same context with storage partitioning on (as a real
 * Chrome): there the frame gets partitioned storage, the probe passes and no gate shows.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Frame, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.ts';
import { clickInFrame, DemoPage, openWindowFrom, PASSWORD } from './demo-page.ts';
import { env, expect, PLAYWRIGHT_DISABLED_FEATURES, test } from './fixtures.ts';
import { devToken, vaultGet } from './vault-api.ts';
import { bodyOfUnsignedTx, paymentKeyHash, vkeyWitnesses, witnessVerifies } from './verify.ts';

const GATE = 'This browser blocks the wallet’s storage';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings on the document of `where` (rule ids). */
async function axeSerious(where: Frame | Page): Promise<string[]> {
  await where.evaluate(AXE);
  return where.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(d: Document): Promise<unknown> } }).axe;
    const r = (await axe.run(document)) as {
      violations: { id: string; impact?: string }[];
      passes: unknown[];
    };
    if (r.passes.length === 0) return ['axe ran no rule'];
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id);
  });
}

const SHOTS = new URL('../docs/screenshots/', import.meta.url).pathname;

let browser: Browser;
// The `partitioned` project runs the same with storage partitioning on (as in a real
// Chrome): blocked third-party storage is blocked in both.
test.beforeAll(async ({ partitioned }) => {
  const off = (list: string[]) => `--disable-features=${list.join(',')}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: partitioned
      ? [
          ...CHROMIUM_ARGS,
          off(PLAYWRIGHT_DISABLED_FEATURES.filter((f) => f !== 'ThirdPartyStoragePartitioning')),
        ]
      : [...CHROMIUM_ARGS],
    ...(partitioned ? { ignoreDefaultArgs: [off(PLAYWRIGHT_DISABLED_FEATURES)] } : {}),
  });
});
test.afterAll(async () => {
  await browser.close();
});

async function defaultDevice(project: string) {
  const context = await browser.newContext({ viewport: { width: 960, height: 720 } });
  const page = await context.newPage();
  return { context, page, demo: new DemoPage(page, project) };
}

/** The wallet frame's own IndexedDB really refuses (so this context is the blocked one). */
async function frameStorageRefused(demo: DemoPage): Promise<string> {
  return demo.walletFrame().evaluate(
    () =>
      new Promise<string>((resolve) => {
        const r = indexedDB.open('e2e-check', 1);
        r.onsuccess = () => resolve('opened');
        r.onerror = () => resolve(String(r.error?.name));
      }),
  );
}

/**
 * Opens the storage window from the gate. `quick`: the flow only reads the record (a
 * connect), so the window may have done its job and closed before it is looked at (seen
 * once in a clean-clone run): then only its origin is checked, not its screen.
 */
async function openWalletWindow(
  page: Page,
  demo: DemoPage,
  o: { quick?: boolean } = {},
): Promise<Page> {
  const win = await openWindowFrom(
    page.context(),
    demo.wallet.getByRole('button', { name: 'Open wallet window' }),
  );
  expect(new URL(win.url()).origin).toBe(env.vault);
  const heading = win.getByRole('heading', { name: /keeping your key share/ });
  if (o.quick) {
    await expect
      .poll(async () => win.isClosed() || (await heading.isVisible().catch(() => false)))
      .toBe(true);
    return win;
  }
  await expect(heading).toBeVisible();
  expect(await axeSerious(win)).toEqual([]);
  return win;
}

test('default context → the gate before any secret (partitioned: no gate); cancel creates nothing', async ({
  user,
  partitioned,
}, info) => {
  const { context, demo } = await defaultDevice(info.project.name);
  try {
    await demo.open();
    await demo.signIn(user);
    await demo.clickConnect();
    const w = demo.wallet;
    if (partitioned) {
      // Storage partitioning on: the frame gets partitioned storage even with third-party
      // cookies blocked, the probe passes and create asks for its secrets at once.
      await expect(w.getByRole('heading', { name: /^Create your .* wallet$/ })).toBeVisible();
      expect(await frameStorageRefused(demo)).toBe('opened');
      await expect(w.getByRole('heading', { name: GATE })).toHaveCount(0);
      await clickInFrame(w.getByRole('button', { name: 'Cancel' }));
    } else {
      await expect(w.getByRole('heading', { name: GATE })).toBeVisible();
      expect(await frameStorageRefused(demo)).toBe('UnknownError');
      await demo.shot('wallet-storage-blocked');
      expect(await axeSerious(demo.walletFrame())).toEqual([]);
      // No secret is asked on this screen.
      await expect(w.getByLabel('Password', { exact: true })).toHaveCount(0);
      await expect(w.getByLabel('Answer', { exact: true })).toHaveCount(0);
      // Chromium has the Storage Access API: the button is offered; headless refuses it.
      await clickInFrame(w.getByRole('button', { name: 'Allow storage' }));
      await expect(w.getByText('The browser did not allow it.')).toBeVisible();
      await clickInFrame(w.getByRole('button', { name: 'Cancel' }));
    }
    await expect(demo.error).toContainText('user_declined');
    // Nothing exists at the vault.
    const token = await devToken(env.vault, user);
    expect((await vaultGet(env.vault, token, '')).status).toBe(404);
  } finally {
    await context.close();
  }
});

test('default context → wallet window (partitioned: the frame): create, sign, reload, sign again without recovery', async ({
  user,
  partitioned,
}, info) => {
  const { context, page, demo } = await defaultDevice(info.project.name);
  try {
    await demo.open();
    await demo.signIn(user);
    await demo.clickConnect();
    const w = demo.wallet;
    // With partitioning the frame keeps the share itself: no gate, no window.
    const window = async (quick = false) => {
      if (partitioned) return undefined;
      await expect(w.getByRole('heading', { name: GATE })).toBeVisible();
      return openWalletWindow(page, demo, { quick });
    };
    const win = await window();
    if (win && process.env.TRINE_E2E_SCREENSHOTS === '1' && info.project.name === 'unpartitioned') {
      await win.screenshot({
        path: `${SHOTS}wallet-storage-window.jpg`,
        type: 'jpeg',
        quality: 70,
      });
    }
    // Only now the create screen, with its secrets.
    await expect(w.getByRole('heading', { name: /^Create your .* wallet$/ })).toBeVisible();
    await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await w.getByLabel('Type the password again').fill(PASSWORD);
    await w.getByLabel('Answer', { exact: true }).fill('Rex the dog');
    await w.getByLabel('Type the answer again').fill('Rex the dog');
    await clickInFrame(w.getByRole('button', { name: 'Create wallet' }));
    const address = await demo.connectedAddress();
    // The flow's end closes the window; the record stays in the wallet origin's storage.
    if (win) await expect.poll(() => win.isClosed()).toBe(true);

    const sign = async () => {
      await page.getByRole('button', { name: 'Build and sign payment' }).click();
      const again = await window();
      await demo.approve('Approve transaction', 'Approve and sign', PASSWORD);
      const { txHex, witnessSetHex } = await demo.signedPayment();
      const [wit] = vkeyWitnesses(witnessSetHex);
      expect(witnessVerifies(wit!, bodyOfUnsignedTx(txHex), paymentKeyHash(address))).toBe(true);
      if (again) await expect.poll(() => again.isClosed()).toBe(true);
    };
    await sign();

    await page.reload();
    await demo.signIn(user);
    // After a reload the frame cannot read the window's storage until the window is open:
    // connect shows the gate once (a click, no secret), then the app gets the address from
    // the record there, checked on this device, not the vault's copy (issue 10 item 4).
    await demo.clickConnect();
    const reopened = await window(true);
    expect(await demo.connectedAddress()).toBe(address);
    if (reopened) await expect.poll(() => reopened.isClosed()).toBe(true);
    await expect(w.getByLabel('Answer', { exact: true })).toHaveCount(0);
    await sign();
    // No recovery ran: the vault is still at epoch 1 (a recovery re-shares to epoch 2).
    const token = await devToken(env.vault, user);
    const meta = (await vaultGet(env.vault, token, '')).body as { epoch: number };
    expect(meta.epoch).toBe(1);
  } finally {
    await context.close();
  }
});
