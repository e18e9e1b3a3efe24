/**
 * What a dApp embedding the wallet can rely on, in a real browser: errors it can branch on
 * arrive fast with a stable `reason` (an origin the app does not allow, an unknown app id,
 * a frame the page's own CSP blocks), and a host page with a strict CSP (no
 * 'unsafe-inline' styles or scripts) works: the SDK adds no <style> and no style=""
 * markup, the overlay shows and hides (issue 11 item 4, issue 12 item 2).
 */
import { ANSWER, clickInFrame, PASSWORD } from './demo-page.ts';
import { env, expect, test } from './fixtures.ts';

/** The time from the Connect click to the error box, in ms. */
async function timeToError(
  demo: import('./demo-page.ts').DemoPage,
): Promise<{ ms: number; reason: string | undefined }> {
  const t0 = Date.now();
  await demo.clickConnect();
  await expect(demo.error).toBeVisible({ timeout: 20_000 });
  const ms = Date.now() - t0;
  return { ms, reason: (await demo.error.getAttribute('data-reason')) ?? undefined };
}

test('a page origin the app does not allow: reason origin_not_allowed within 1 s', async ({
  device,
  user,
}) => {
  const { demo } = device;
  await demo.open(env.refusedOrigin);
  await demo.signIn(user);
  const r = await timeToError(demo);
  expect(r.reason).toBe('origin_not_allowed');
  expect(r.ms).toBeLessThan(1000);
  await expect(demo.error).toContainText('APIError -3 · Refused · origin_not_allowed');
  // Nothing is left covering the page.
  await expect(device.page.locator('[data-trine=overlay]')).toHaveCount(0);
});

test('an app id the vault does not know: reason unknown_app within 1 s', async ({
  device,
  user,
}) => {
  const { demo } = device;
  await demo.open(undefined, { app: 'no-such-app' });
  await demo.signIn(user);
  const r = await timeToError(demo);
  expect(r.reason).toBe('unknown_app');
  expect(r.ms).toBeLessThan(1000);
});

test('issue 12’s strict CSP (frame-src falls back to self): reason frame_blocked, fast, no overlay left', async ({
  device,
  user,
}) => {
  const { demo, page } = device;
  await demo.open(undefined, { csp: 'strict' });
  const res = await page.request.get(`${env.demo}/?csp=strict`);
  expect(res.headers()['content-security-policy']).toBe(
    "default-src 'self'; style-src 'self'; script-src 'self'",
  );
  await demo.signIn(user);
  const r = await timeToError(demo);
  expect(r.reason).toBe('frame_blocked');
  expect(r.ms).toBeLessThan(3000);
  await expect(page.locator('[data-trine=overlay]')).toHaveCount(0);
});

test('a host with a strict style/script CSP: the wallet works, no inline style is blocked, the overlay hides', async ({
  device,
  user,
}) => {
  const { demo, page } = device;
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(
        `${e.effectiveDirective} ${e.blockedURI} ${new URL(e.sourceFile || 'x:/').pathname}`,
      ),
    );
  });
  await demo.open();
  const res = await page.request.get(`${env.demo}/`);
  const csp = res.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("style-src 'self';");
  // WebAssembly compilation only (Lucid on the payment path): no JavaScript eval.
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
  expect(csp).not.toContain("'unsafe-eval'");
  expect(csp).not.toContain('unsafe-inline');
  await demo.signIn(user);
  await demo.connectAndCreate();
  const overlay = page.locator('[data-trine=overlay]');
  await expect(overlay).toBeHidden();
  expect(await overlay.evaluate((el) => getComputedStyle(el).display)).toBe('none');
  expect(await page.locator('style').count()).toBe(0);
  // Connect also warms up Lucid (the demo's lazy payment chunk). Its CBOR decoder (cbor-x)
  // probes once whether `Function()` is allowed and falls back when it is not: that one
  // refused eval is the policy working. Nothing else may be blocked (no style, no inline
  // script, no wasm: 'wasm-unsafe-eval' allows compiling it).
  await expect
    .poll(() =>
      page.evaluate(() =>
        performance.getEntriesByType('resource').some((r) => r.name.endsWith('.wasm')),
      ),
    )
    .toBe(true);
  const violations = await page.evaluate(
    () => (window as unknown as { __violations: string[] }).__violations,
  );
  for (const v of violations) expect(v).toMatch(/^script-src eval \/assets\/payment-[\w-]+\.js$/);
  expect(violations.length).toBeLessThanOrEqual(1);
});

test('the React page (@trine/web3-react): ConnectButton creates the wallet; useTrine and useCip30 see it; it reconnects after a reload', async ({
  device,
  user,
}) => {
  const { page, demo } = device;
  const q = new URLSearchParams({ wallet: env.vault, user });
  // This page loads no Lucid: its CSP allows no WebAssembly compilation.
  const csp = (await page.request.get(`${env.demo}/react.html`)).headers()[
    'content-security-policy'
  ];
  expect(csp).toContain("script-src 'self';");
  expect(csp).not.toContain('wasm-unsafe-eval');
  await page.goto(`${env.demo}/react.html?${q}`);
  await expect(page.getByRole('heading', { name: 'Trine React demo' })).toBeVisible();
  await expect(page.locator('#react-status')).toHaveText('idle');
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  const w = demo.wallet;
  await expect(w.getByRole('heading', { name: /^Create your .* wallet$/ })).toBeVisible();
  await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await w.getByLabel('Type the password again').fill(PASSWORD);
  await w.getByLabel('Answer', { exact: true }).fill(ANSWER);
  await w.getByLabel('Type the answer again').fill(ANSWER);
  await clickInFrame(w.getByRole('button', { name: 'Create wallet' }));
  await expect(page.locator('#react-status')).toHaveText('connected', { timeout: 60_000 });
  const address = (await page.locator('#react-address').textContent()) ?? '';
  expect(address).toMatch(/^addr_test1/);
  await expect(page.locator('#react-network-id')).toHaveText('0');
  await expect(page.getByRole('button', { name: /^Disconnect addr_test1/ })).toBeVisible();
  // CIP-30 isEnabled() after a reload: the provider reconnects with no click and no screen.
  await page.reload();
  await expect(page.locator('#react-status')).toHaveText('connected', { timeout: 30_000 });
  await expect(page.locator('#react-address')).toHaveText(address);
  // Disconnect: idle again, and a reload no longer reconnects.
  await page.getByRole('button', { name: /^Disconnect/ }).click();
  await expect(page.locator('#react-status')).toHaveText('idle');
  await page.reload();
  await expect(page.locator('#react-status')).toHaveText('idle');
});
