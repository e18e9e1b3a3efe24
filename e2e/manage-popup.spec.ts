/**
 * Export and delete in the wallet's own window (DESIGN.md §2.12) where the frame cannot
 * be confirmed visible: an init script removes IntersectionObserver v2 (as in Firefox and
 * Safari), the switch approval.spec.ts uses. The 24 words appear only in the top-level
 * popup (never in the frame's DOM, never posted to the host); a wrong password is
 * retried there with the error under the password field; closing the phrase removes
 * it. Delete asks for the password and "DELETE" in the popup and the frame deletes;
 * cancelling or closing the popup deletes nothing. A host page imitating the popup's
 * messages can neither delete nor read the words.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { trineDerive } from './cli.ts';
import { clickInFrame, type DemoPage, openWindowFrom, PASSWORD } from './demo-page.ts';
import { env, expect, test } from './fixtures.ts';
import { installHostSpy, type SpyWindow } from './host-spy.ts';
import { devToken, vaultGet } from './vault-api.ts';
import { deviceRecords } from './wallet-storage.ts';

const FRAME = 'iframe[title="Trine wallet"]';
const WRONG = 'That password is not right. Please try again.';

/** The switch: no IntersectionObserver v2 in any frame or window of the wallet. */
async function withoutIoV2(context: BrowserContext) {
  await context.addInitScript(() => {
    delete (IntersectionObserverEntry.prototype as { isVisible?: unknown }).isVisible;
  });
}

async function openPopup(demo: DemoPage, context: BrowserContext): Promise<Page> {
  const popup = await openWindowFrom(
    context,
    demo.wallet.getByRole('button', { name: 'Open the wallet window' }),
  );
  expect(new URL(popup.url()).origin).toBe(process.env.TRINE_E2E_VAULT);
  return popup;
}

/** Whether the input labelled `label` in `page` is marked invalid and what describes it. */
async function fieldState(page: Page, label: string) {
  return page.getByLabel(label, { exact: true }).evaluate((input) => ({
    invalid: input.getAttribute('aria-invalid') === 'true',
    described: (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id))
      .filter((el) => el && !el.hidden)
      .map((el) => el?.textContent),
  }));
}

/**
 * The host page imitates the popup: every message shape, guessed nonces, to the frame,
 * even with the right password (a phished one: the user's own confirmation must still
 * be needed).
 */
async function imitatePopup(page: Page) {
  await page.evaluate(
    ({ sel, password }) => {
      const f = document.querySelector(sel) as HTMLIFrameElement;
      for (const nonce of ['0'.repeat(32), 'f'.repeat(32), '']) {
        for (const m of [
          { type: 'ready' },
          { type: 'approve', password, stay: false, confirm: 'DELETE' },
          { type: 'approve', password: '', stay: false, confirm: 'DELETE' },
        ]) {
          f.contentWindow?.postMessage({ trine: 'approval', v: 1, nonce, ...m }, '*');
        }
      }
    },
    { sel: FRAME, password: PASSWORD },
  );
  await page.waitForTimeout(1500);
}

test('export in the wallet window: wrong password, then the words there only; closing removes them', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  await context.addInitScript(installHostSpy);
  await withoutIoV2(context);
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();

  await demo.manage('Show recovery phrase');
  const w = demo.wallet;
  await expect(w.getByRole('heading', { name: 'Show recovery phrase' })).toBeVisible();
  await expect(w.getByText('cannot confirm that the wallet is fully visible')).toBeVisible();
  await expect(w.getByLabel('Password', { exact: true })).toHaveCount(0);
  const popup = await openPopup(demo, context);
  await expect(popup.getByRole('heading', { name: 'Show recovery phrase' })).toBeVisible();
  await expect(popup.getByText('Requested by')).toContainText(process.env.TRINE_E2E_DEMO ?? '');
  await expect(popup.getByText('Anyone who sees these 24 words')).toBeVisible();

  // A wrong password: retried in the popup, the error under the password field.
  await popup.getByLabel('Password', { exact: true }).fill('Wrong password 99');
  await popup.getByRole('button', { name: 'Show the words' }).click();
  await expect(popup.getByRole('alert')).toHaveText(WRONG, { timeout: 30_000 });
  expect(await fieldState(popup, 'Password')).toEqual({ invalid: true, described: [WRONG] });

  await popup.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await popup.getByRole('button', { name: 'Show the words' }).click();
  await expect(popup.getByRole('heading', { name: 'Your recovery phrase' })).toBeVisible({
    timeout: 30_000,
  });
  const words = await popup.locator('ol.words li').allTextContents();
  expect(words).toHaveLength(24);
  expect(trineDerive(words.join(' ')).baseAddress).toBe(address);
  await demo.shot('wallet-export-popup');

  // Never in the frame's DOM, never posted to the host page.
  await expect(w.locator('ol.words')).toHaveCount(0);
  const frameText = await demo.walletFrame().evaluate(() => document.documentElement.outerHTML);
  expect(frameText).not.toContain(words.join(' '));
  // (Single words can be ordinary English, "test" is in the frame's own text: any two in
  // a row would be the phrase.)
  for (let i = 1; i < words.length; i++) {
    expect(frameText).not.toContain(`${words[i - 1]} ${words[i]}`);
    expect(frameText).not.toContain(`>${words[i - 1]}<`);
  }
  const seen = JSON.stringify(await page.evaluate(() => (window as unknown as SpyWindow).__seen));
  for (let i = 1; i < words.length; i++) {
    expect(seen).not.toContain(`"${words[i - 1]}","${words[i]}"`);
    expect(seen).not.toContain(`${words[i - 1]} ${words[i]}`);
  }
  await expect(page.locator('#manage-result')).not.toHaveText(/Recovery phrase shown/);

  // Closing the phrase empties the popup's DOM and ends the export.
  const gone = popup.waitForEvent('close');
  // Pressed and read in one task: the words are gone from the DOM before the window closes.
  const left = await popup.evaluate(() => {
    const close = [...document.querySelectorAll('button')].find((b) =>
      b.textContent?.startsWith('I have written them down'),
    );
    close?.click();
    return { pressed: close !== undefined, words: document.querySelectorAll('ol.words li').length };
  });
  expect(left).toEqual({ pressed: true, words: 0 });
  await gone;
  await expect(page.locator('#manage-result')).toHaveText(/Recovery phrase shown/);
});

test('delete in the wallet window: cancel and close delete nothing; wrong password, then gone', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  await withoutIoV2(context);
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();
  const token = await devToken(env.vault, user);
  const w = demo.wallet;

  // Cancel in the popup: nothing deleted.
  await demo.manage('Delete wallet');
  await expect(w.getByRole('heading', { name: 'Delete wallet' })).toBeVisible();
  await expect(w.getByLabel('Type DELETE to confirm')).toHaveCount(0);
  const first = await openPopup(demo, context);
  await expect(first.getByRole('heading', { name: 'Delete wallet' })).toBeVisible();
  await first.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('#manage-result')).toHaveText('Cancelled.');
  expect((await vaultGet(env.vault, token, '')).status).toBe(200);

  // Closing the window is a cancel, never a confirmation: nothing deleted.
  await page.evaluate(() => {
    document.getElementById('manage-result')!.textContent = '';
  });
  await demo.manage('Delete wallet');
  const second = await openPopup(demo, context);
  await expect(second.getByRole('heading', { name: 'Delete wallet' })).toBeVisible();
  await second.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await second.getByLabel('Type DELETE to confirm').fill('DELETE');
  await second.close({ runBeforeUnload: true });
  await expect(page.locator('#manage-result')).toHaveText('Cancelled.');
  expect((await vaultGet(env.vault, token, '')).status).toBe(200);
  expect(await deviceRecords(demo.walletFrame())).toHaveLength(1);

  // Again: danger styling, the word checked, a wrong password retried under its field.
  await demo.manage('Delete wallet');
  const popup = await openPopup(demo, context);
  const button = popup.getByRole('button', { name: 'Delete wallet' });
  await expect(button).toHaveClass(/danger/);
  await popup.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await popup.getByLabel('Type DELETE to confirm').fill('delete');
  await button.click();
  await expect(popup.getByText('Type DELETE in capitals.')).toBeVisible();
  await popup.getByLabel('Type DELETE to confirm').fill('DELETE');
  await popup.getByLabel('Password', { exact: true }).fill('Wrong password 99');
  await button.click();
  await expect(popup.getByRole('alert')).toHaveText(WRONG, { timeout: 30_000 });
  expect(await fieldState(popup, 'Password')).toEqual({ invalid: true, described: [WRONG] });
  expect((await vaultGet(env.vault, token, '')).status).toBe(200);
  await demo.shot('wallet-delete-popup');

  await popup.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await button.click();
  await expect(page.locator('#manage-result')).toHaveText('Wallet deleted.', { timeout: 30_000 });
  await expect.poll(() => popup.isClosed()).toBe(true);
  expect((await vaultGet(env.vault, token, '')).status).toBe(404);
  expect((await vaultGet(env.vault, token, '/auth-share')).status).toBe(404);
  expect(await deviceRecords(demo.walletFrame())).toEqual([]);
  // The SDK's enable() now offers a new wallet.
  await demo.clickConnect();
  await expect(w.getByRole('heading', { name: /^Create your .* wallet$/ })).toBeVisible();
});

test('a host page imitating the popup cannot delete the wallet or read the words', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  await context.addInitScript(installHostSpy);
  await withoutIoV2(context);
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();
  const token = await devToken(env.vault, user);
  const w = demo.wallet;

  // Delete: the popup is open and waiting; the host's imitations change nothing.
  await demo.manage('Delete wallet');
  const del = await openPopup(demo, context);
  await expect(del.getByRole('heading', { name: 'Delete wallet' })).toBeVisible();
  await imitatePopup(page);
  await expect(w.getByRole('status')).toHaveText('Confirm in the wallet window.');
  expect((await vaultGet(env.vault, token, '')).status).toBe(200);
  expect(await deviceRecords(demo.walletFrame())).toHaveLength(1);
  await del.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('#manage-result')).toHaveText('Cancelled.');

  // Export: imitated answers (before the window is even open, and while it is) reveal
  // nothing; the host never receives a word.
  await demo.manage('Show recovery phrase');
  await imitatePopup(page);
  const exp = await openPopup(demo, context);
  await expect(exp.getByRole('heading', { name: 'Show recovery phrase' })).toBeVisible();
  await imitatePopup(page);
  await expect(w.getByRole('status')).toHaveText('Type your password in the wallet window.');
  await expect(exp.locator('ol.words')).toHaveCount(0);
  await expect(w.locator('ol.words')).toHaveCount(0);
  const seen = JSON.stringify(await page.evaluate(() => (window as unknown as SpyWindow).__seen));
  expect(seen).not.toContain('"words"');
  await exp.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('#manage-result')).toHaveText('Cancelled.');
  expect((await vaultGet(env.vault, token, '')).status).toBe(200);
});

test('in the frame (IntersectionObserver v2): a wrong password on export is marked on its field', async ({
  device,
  user,
}) => {
  const { demo } = device;
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();
  await demo.manage('Show recovery phrase');
  const w = demo.wallet;
  await w.getByLabel('Password', { exact: true }).fill('Wrong password 99');
  await clickInFrame(w.getByRole('button', { name: 'Show the words' }));
  await expect(w.getByRole('alert')).toHaveText(WRONG, { timeout: 30_000 });
  const state = await w.getByLabel('Password', { exact: true }).evaluate((input) => ({
    invalid: input.getAttribute('aria-invalid'),
    described: (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent),
  }));
  expect(state.invalid).toBe('true');
  expect(state.described).toContain(WRONG);
});

test('the host shrinks the frame during delete → it moves to the wallet window', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();
  const token = await devToken(env.vault, user);
  await demo.manage('Delete wallet');
  const w = demo.wallet;
  await expect(w.getByRole('button', { name: 'Delete wallet' })).toBeEnabled();
  await page.evaluate((sel) => {
    (document.querySelector(sel) as HTMLIFrameElement).style.height = '200px';
  }, FRAME);
  const open = w.getByRole('button', { name: 'Open the wallet window' });
  await expect(open).toBeAttached();
  await expect(w.getByLabel('Type DELETE to confirm')).toHaveCount(0);
  const popup = await openWindowFrom(context, open);
  await popup.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await popup.getByLabel('Type DELETE to confirm').fill('DELETE');
  await popup.getByRole('button', { name: 'Delete wallet' }).click();
  await expect(page.locator('#manage-result')).toHaveText('Wallet deleted.', { timeout: 30_000 });
  expect((await vaultGet(env.vault, token, '')).status).toBe(404);
});
