/**
 * The approval screen against a hostile host (DESIGN.md §2.6, §2.12), in real Chromium
 * with the real wallet: the host page (this test, via `page.evaluate` in the top frame,
 * as the dApp's own script could) covers, clips and fades the wallet frame while the
 * user types and clicks. No signature may come out of it; once the host stops, the same
 * user actions sign (so each test can fail). Where visibility cannot be confirmed (an
 * init script removes IntersectionObserver v2, as in Firefox and Safari) the approval
 * runs in the wallet's own popup window, end to end.
 */
import type { Page } from '@playwright/test';
import { clickInFrame, type DemoPage, openWindowFrom, PASSWORD } from './demo-page.ts';
import { expect, test } from './fixtures.ts';
import { installHostSpy, type SpyWindow } from './host-spy.ts';
import { bodyOfUnsignedTx, paymentKeyHash, vkeyWitnesses, witnessVerifies } from './verify.ts';

const FRAME = 'iframe[title="Trine wallet"]';

/** The host covers everything of the frame but its bottom `keep` px (pointer-events: none). */
async function coverAllButBottom(page: Page, keep: number) {
  await page.evaluate(
    ({ sel, keep }) => {
      const f = document.querySelector(sel) as HTMLIFrameElement;
      const r = f.getBoundingClientRect();
      const cover = document.createElement('div');
      cover.id = 'attack-cover';
      cover.textContent = 'Send 1 ADA to Bob';
      cover.style.cssText = `position:fixed;left:${r.left}px;top:${r.top}px;width:${r.width}px;height:${r.height - keep}px;background:#fff;z-index:2147483647;pointer-events:none;font:20px sans-serif;padding:2rem`;
      document.body.append(cover);
    },
    { sel: FRAME, keep },
  );
}

/** The host enlarges the frame and pushes its top out of view, leaving its bottom. */
async function enlargeAndClip(page: Page) {
  await page.evaluate((sel) => {
    const f = document.querySelector(sel) as HTMLIFrameElement;
    f.dataset.oldCss = f.style.cssText;
    f.style.cssText +=
      ';position:fixed;left:0;bottom:0;width:420px;height:2400px;max-height:none;border-radius:0';
  }, FRAME);
}

async function stopAttack(page: Page) {
  await page.evaluate((sel) => {
    document.getElementById('attack-cover')?.remove();
    const f = document.querySelector(sel) as HTMLIFrameElement;
    if (f.dataset.oldCss !== undefined) f.style.cssText = f.dataset.oldCss;
    f.style.opacity = '';
  }, FRAME);
}

/** Clicks at the approve button's position on the page every `every` ms for `ms`. */
async function hammer(page: Page, demo: DemoPage, button: string, ms: number, every = 25) {
  const box = await demo.wallet.getByRole('button', { name: button }).boundingBox();
  if (!box) throw new Error('no approve button');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await page.mouse.click(x, y);
    await page.waitForTimeout(every);
  }
}

async function expectNoSignature(page: Page) {
  await expect(page.locator('#witness-set')).toHaveText('');
  await expect(page.locator('#error')).toHaveText('');
}

function expectSigned(txHex: string, witnessSetHex: string, address: string) {
  const [w] = vkeyWitnesses(witnessSetHex);
  expect(witnessVerifies(w!, bodyOfUnsignedTx(txHex), paymentKeyHash(address))).toBe(true);
}

/** Signs one payment with "stay unlocked" ticked, so the next approval needs no password. */
async function openUnlockSession(demo: DemoPage, page: Page) {
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  const w = demo.wallet;
  await expect(w.getByRole('heading', { name: 'Approve transaction' })).toBeVisible();
  await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await w.getByLabel(/Stay unlocked/).check();
  await clickInFrame(w.getByRole('button', { name: 'Approve and sign' }));
  await demo.signedPayment();
}

for (const session of [false, true]) {
  const mode = session ? 'with an unlock session' : 'with the password';
  test(`overlay attack (${mode}): a cover or a clipped, enlarged frame never gets a signature`, async ({
    device,
    user,
  }) => {
    const { demo, page } = device;
    await demo.open();
    await demo.signIn(user);
    const address = await demo.connectAndCreate();
    if (session) await openUnlockSession(demo, page);

    const w = demo.wallet;
    const approve = w.getByRole('button', { name: 'Approve and sign' });
    await page.getByRole('button', { name: 'Build and sign payment' }).click();
    await expect(w.getByRole('heading', { name: 'Approve transaction' })).toBeVisible();
    await page.evaluate(() => {
      document.getElementById('witness-set')!.textContent = '';
    });
    // 1. A look-alike over everything but the action bar (pointer-events: none).
    await coverAllButBottom(page, 150);
    if (!session) await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.waitForTimeout(1500);
    await expect(approve).toBeDisabled();
    if (!session) await w.getByLabel('Password', { exact: true }).press('Enter');
    await hammer(page, demo, 'Approve and sign', 800, 100);
    await expectNoSignature(page);
    await stopAttack(page);

    // 2. The frame enlarged to 2400 px with its top out of view (only the bottom shows).
    await enlargeAndClip(page);
    await page.waitForTimeout(1500);
    await expect(approve).toBeDisabled();
    if (!session) await w.getByLabel('Password', { exact: true }).press('Enter');
    await expectNoSignature(page);
    await demo.shot('attack-overlay-refused');

    // The host stops: the same user signs (the check can pass, so the test can fail).
    await stopAttack(page);
    await expect(approve).toBeEnabled();
    await clickInFrame(approve);
    const { txHex, witnessSetHex } = await demo.signedPayment();
    expectSigned(txHex, witnessSetHex, address);
  });

  test(`fast-click attack (${mode}): a faded frame revealed under a hammering cursor never signs`, async ({
    device,
    user,
  }) => {
    const { demo, page } = device;
    await demo.open();
    await demo.signIn(user);
    const address = await demo.connectAndCreate();
    if (session) await openUnlockSession(demo, page);
    await page.evaluate(() => {
      document.getElementById('witness-set')!.textContent = '';
    });

    // The host fades the frame before the wallet shows it, and keeps it faded for long
    // enough that a timer started at screen build would have enabled the button.
    await page.evaluate((sel) => {
      (document.querySelector(sel) as HTMLIFrameElement).style.opacity = '0';
    }, FRAME);
    await page.getByRole('button', { name: 'Build and sign payment' }).click();
    const w = demo.wallet;
    await expect(w.getByRole('heading', { name: 'Approve transaction' })).toBeAttached();
    if (!session) await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.waitForTimeout(1500);
    // Hammer, reveal mid-way, keep hammering past the review time.
    const hammering = hammer(page, demo, 'Approve and sign', 2500, 25);
    await page.waitForTimeout(700);
    await page.evaluate((sel) => {
      (document.querySelector(sel) as HTMLIFrameElement).style.opacity = '1';
    }, FRAME);
    await hammering;
    await expectNoSignature(page);

    // The user stops, reads, and clicks: it signs.
    const approve = w.getByRole('button', { name: 'Approve and sign' });
    await expect(approve).toBeEnabled();
    await clickInFrame(approve);
    const { txHex, witnessSetHex } = await demo.signedPayment();
    expectSigned(txHex, witnessSetHex, address);
  });
}

test('a press held from before the button was enabled does not approve', async ({
  device,
  user,
}) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();
  await openUnlockSession(demo, page);
  await page.evaluate(() => {
    document.getElementById('witness-set')!.textContent = '';
  });
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  const w = demo.wallet;
  const approve = w.getByRole('button', { name: 'Approve and sign' });
  const box = await approve.boundingBox();
  if (!box) throw new Error('no approve button');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await expect(approve).toBeEnabled();
  await page.mouse.up();
  await page.waitForTimeout(500);
  await expectNoSignature(page);
  await clickInFrame(approve);
  await demo.signedPayment();
});

test('partialSign=false with a foreign key → ProofGeneration before any screen', async ({
  device,
  user,
}) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();
  // Record whether the wallet ever asks the host to show it.
  await page.evaluate(() => {
    const overlay = document.querySelector('[data-trine=overlay]') as HTMLElement;
    const w = window as unknown as { __shown: boolean };
    w.__shown = false;
    new MutationObserver(() => {
      if (!overlay.hidden) w.__shown = true;
    }).observe(overlay, { attributes: true });
  });
  await page.getByRole('button', { name: 'Sign a transaction needing a foreign key' }).click();
  await expect(demo.error).toContainText('TxSignError 1 · ProofGeneration');
  expect(await page.evaluate(() => (window as unknown as { __shown: boolean }).__shown)).toBe(
    false,
  );
  await demo.signPayment();
});

test('signData for an address not the wallet’s → ProofGeneration / AddressNotPK, no screen', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  await context.addInitScript(installHostSpy);
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();
  const replies = await page.evaluate(async () => {
    const spy = window as unknown as SpyWindow;
    const overlay = document.querySelector('[data-trine=overlay]') as HTMLElement;
    let shown = false;
    new MutationObserver(() => {
      if (!overlay.hidden) shown = true;
    }).observe(overlay, { attributes: true });
    const port = spy.__ports.at(-1);
    if (!port) throw new Error('no protocol port seen');
    const hash = 'ab'.repeat(28);
    const sent = {
      'foreign-key': `60${hash}`, // enterprise address, someone else's key (CIP-19 type 6)
      'script-address': `70${hash}`, // enterprise address, a script (type 7)
      malformed: 'zz',
    };
    for (const [id, address] of Object.entries(sent)) {
      port.postMessage({
        ns: 'trine',
        v: 1,
        id,
        method: 'signData',
        params: { address, payload: '68656c6c6f' },
      });
    }
    const ids = Object.keys(sent);
    const until = Date.now() + 15_000;
    const found = () =>
      spy.__seen.filter(
        (m): m is { id: string; error: { code: string } } =>
          typeof m === 'object' && m !== null && ids.includes((m as { id?: string }).id ?? ''),
      );
    while (found().length < ids.length && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return { codes: Object.fromEntries(found().map((m) => [m.id, m.error?.code])), shown };
  });
  expect(replies).toEqual({
    codes: {
      'foreign-key': 'proof_generation',
      'script-address': 'address_not_ours',
      malformed: 'invalid_params',
    },
    shown: false,
  });
});

test.describe('no IntersectionObserver v2 (as in Firefox and Safari) → the popup', () => {
  test('approve in the wallet window signs; reject there declines; closing it is not approval', async ({
    device,
    user,
  }) => {
    const { demo, page, context } = device;
    // The switch: remove IntersectionObserver v2 from every frame and window of the wallet.
    await context.addInitScript(() => {
      delete (IntersectionObserverEntry.prototype as { isVisible?: unknown }).isVisible;
    });
    await demo.open();
    await demo.signIn(user);
    const address = await demo.connectAndCreate();

    await page.getByRole('button', { name: 'Build and sign payment' }).click();
    const w = demo.wallet;
    await expect(w.getByText('cannot confirm that the wallet is fully visible')).toBeVisible();
    await expect(w.getByLabel('Password', { exact: true })).toHaveCount(0);
    await demo.shot('wallet-approve-popup-frame');
    const popup = await openWindowFrom(
      context,
      w.getByRole('button', { name: 'Open the wallet window' }),
    );
    await expect(popup.getByRole('heading', { name: 'Approve transaction' })).toBeVisible();
    expect(new URL(popup.url()).origin).toBe(process.env.TRINE_E2E_VAULT);
    await expect(popup.getByText('Requested by')).toContainText(process.env.TRINE_E2E_DEMO ?? '');
    await expect(popup.getByText(/^Testnet · /)).toBeVisible();
    await popup.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await popup.getByRole('button', { name: 'Approve and sign' }).click();
    const { txHex, witnessSetHex } = await demo.signedPayment();
    expectSigned(txHex, witnessSetHex, address);
    await expect.poll(() => popup.isClosed()).toBe(true);

    // A wrong password stays in the popup for another try; then Reject → UserDeclined.
    await page.getByRole('button', { name: 'Build and sign payment' }).click();
    const second = await openWindowFrom(
      context,
      w.getByRole('button', { name: 'Open the wallet window' }),
    );
    await second.getByLabel('Password', { exact: true }).fill('Wrong password 99');
    await second.getByRole('button', { name: 'Approve and sign' }).click();
    await expect(second.getByRole('alert')).toHaveText(
      'That password is not right. Please try again.',
    );
    await second.getByRole('button', { name: 'Reject' }).click();
    await expect(demo.error).toContainText('UserDeclined');

    // Closing the window is a rejection, never an approval.
    await page.evaluate(() => {
      document.getElementById('error')!.textContent = '';
    });
    await page.getByRole('button', { name: 'Build and sign payment' }).click();
    const third = await openWindowFrom(
      context,
      w.getByRole('button', { name: 'Open the wallet window' }),
    );
    await expect(third.getByRole('heading', { name: 'Approve transaction' })).toBeVisible();
    await third.close({ runBeforeUnload: true });
    await expect(demo.error).toContainText('UserDeclined');
  });

  test('a host message imitating the popup is ignored', async ({ device, user }) => {
    const { demo, page, context } = device;
    await context.addInitScript(() => {
      delete (IntersectionObserverEntry.prototype as { isVisible?: unknown }).isVisible;
    });
    await demo.open();
    await demo.signIn(user);
    await demo.connectAndCreate();
    await page.getByRole('button', { name: 'Build and sign payment' }).click();
    const w = demo.wallet;
    const popup = await openWindowFrom(
      context,
      w.getByRole('button', { name: 'Open the wallet window' }),
    );
    await expect(popup.getByRole('heading', { name: 'Approve transaction' })).toBeVisible();
    // The host cannot know the nonce, and its origin and window are not the popup's.
    await page.evaluate((sel) => {
      const f = document.querySelector(sel) as HTMLIFrameElement;
      for (const nonce of ['0'.repeat(32), 'f'.repeat(32)]) {
        f.contentWindow?.postMessage(
          { trine: 'approval', v: 1, nonce, type: 'approve', password: 'x', stay: false },
          '*',
        );
      }
    }, FRAME);
    await page.waitForTimeout(500);
    await expectNoSignature(page);
    await popup.getByRole('button', { name: 'Reject' }).click();
    await expect(demo.error).toContainText('UserDeclined');
  });
});

for (const size of [
  { name: 'desktop', width: 960, height: 720 },
  { name: '390px', width: 390, height: 844 },
]) {
  test(`layout (${size.name}): the password, approve and reject stay in view; testnet marker; ×`, async ({
    device,
    user,
  }) => {
    const { demo, page } = device;
    await page.setViewportSize({ width: size.width, height: size.height });
    await demo.open();
    await demo.signIn(user);
    await demo.connectAndCreate();
    await page.getByRole('button', { name: 'Build and sign payment' }).click();
    const w = demo.wallet;
    await expect(w.getByRole('heading', { name: 'Approve transaction' })).toBeVisible();
    const approve = w.getByRole('button', { name: 'Approve and sign' });
    await expect(approve).toBeEnabled();
    await demo.shot(`wallet-approve-tx-${size.name}`);
    const frame = await page.locator(FRAME).boundingBox();
    if (!frame) throw new Error('no frame');
    // Everything the user acts with is inside the frame's visible box, without scrolling.
    for (const el of [
      w.getByLabel('Password', { exact: true }),
      approve,
      w.getByRole('button', { name: 'Reject' }),
      w.getByRole('button', { name: 'Close' }),
      w.getByText(/^Testnet · /),
    ]) {
      const box = await el.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.y).toBeGreaterThanOrEqual(frame.y);
      expect(box!.y + box!.height).toBeLessThanOrEqual(frame.y + frame.height + 1);
      expect(box!.x + box!.width).toBeLessThanOrEqual(frame.x + frame.width + 1);
    }
    // × rejects.
    await clickInFrame(w.getByRole('button', { name: 'Close' }));
    await expect(demo.error).toContainText('UserDeclined');
  });
}

test('the host shrinks the frame below a usable size → the approval moves to the popup', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  const w = demo.wallet;
  await expect(w.getByRole('button', { name: 'Approve and sign' })).toBeEnabled();
  await page.evaluate((sel) => {
    (document.querySelector(sel) as HTMLIFrameElement).style.height = '200px';
  }, FRAME);
  const open = w.getByRole('button', { name: 'Open the wallet window' });
  await expect(open).toBeAttached();
  await expect(w.getByRole('button', { name: 'Approve and sign' })).toHaveCount(0);
  const popup = await openWindowFrom(context, open);
  await popup.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await popup.getByRole('button', { name: 'Approve and sign' }).click();
  const { txHex, witnessSetHex } = await demo.signedPayment();
  expectSigned(txHex, witnessSetHex, address);
});
