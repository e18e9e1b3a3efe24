/**
 * The whole user flow through Caddy over HTTPS against vaults in production mode (no dev
 * issuer: tokens come from the shape's own identity provider, verified by the vault
 * through its remote JWKS): create → sign → a new device recovers with the answer →
 * same address → signs. Chromium verifies Caddy's certificates against the local CA in
 * its NSS database; a browser without that root refuses the wallet origin.
 */
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.ts';
import { NEW_PASSWORD } from '../demo-page.ts';
import { bodyOfUnsignedTx, paymentKeyHash, vkeyWitnesses, witnessVerifies } from '../verify.ts';
import { call, idpToken } from './api.ts';
import { expect, shape, test } from './fixtures.ts';

test('TLS is verified for real: a browser without the local CA refuses the wallet origin', async () => {
  const s = shape();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS],
    env: { ...process.env, HOME: `${s.dir}/untrusting-home` } as Record<string, string>,
  });
  try {
    const page = await browser.newPage();
    await expect(page.goto(`${s.walletUrl}/readyz`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await browser.close();
  }
});

test('create → sign → recover on a new device → sign, through Caddy, production mode', async ({
  newDevice,
  user,
}) => {
  const s = shape();
  const first = await newDevice();
  const responses: { url: string; hsts: string | null; status: number }[] = [];
  first.page.on('response', (r) => {
    // (The KDF worker's script is reported without its headers; an asset is checked below.)
    if (r.url().startsWith(s.walletUrl) && !r.url().includes('/kdf-worker')) {
      responses.push({
        url: r.url(),
        hsts: r.headers()['strict-transport-security'] ?? null,
        status: r.status(),
      });
    }
  });
  await first.demo.open(s.demoUrl, { app: s.appId });
  await first.demo.signIn(user);
  const address = await first.demo.connectAndCreate();
  const signed = await first.demo.signPayment();
  const [w0] = vkeyWitnesses(signed.witnessSetHex);
  expect(witnessVerifies(w0!, bodyOfUnsignedTx(signed.txHex), paymentKeyHash(address))).toBe(true);
  // Everything the wallet loaded came over HTTPS from Caddy, with HSTS.
  expect(responses.length).toBeGreaterThan(3);
  expect(
    responses.filter((r) => !/max-age=\d+/.test(r.hsts ?? '')).map((r) => `${r.status} ${r.url}`),
  ).toEqual([]);

  const asset = responses.find((r) => r.url.includes('/embed/assets/'));
  expect(asset).toBeDefined();
  const direct = await fetch(asset!.url);
  expect(direct.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  expect(direct.headers.get('x-content-type-options')).toBe('nosniff');

  // A new device: recovery with the answer, a new password, then it signs.
  const second = await newDevice();
  const { demo, page } = second;
  await demo.open(s.demoUrl, { app: s.appId });
  await demo.signIn(user);
  expect(await demo.connectExisting()).toBe(address);
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  const w = demo.wallet;
  await expect(w.getByRole('heading', { name: 'Recovery needed on this device' })).toBeVisible();
  await w.getByRole('button', { name: 'Recover now' }).click();
  await w.getByLabel('Your answer').fill('rex the DOG');
  await w.getByRole('button', { name: 'Continue' }).click();
  await expect(w.getByRole('heading', { name: 'Choose a new password' })).toBeVisible({
    timeout: 30_000,
  });
  await w.getByLabel('New password for this browser').fill(NEW_PASSWORD);
  await w.getByLabel('Type it again').fill(NEW_PASSWORD);
  await w.getByRole('button', { name: 'Save and finish' }).click();
  await demo.approve('Approve transaction', 'Approve and sign', NEW_PASSWORD);
  const again = await demo.signedPayment();
  const [w1] = vkeyWitnesses(again.witnessSetHex);
  expect(witnessVerifies(w1!, bodyOfUnsignedTx(again.txHex), paymentKeyHash(address))).toBe(true);

  // The vault (production mode, remote JWKS) moved the wallet to epoch 2.
  const token = await idpToken(s, user);
  const meta = await call(s, 'GET', `/v1/apps/${s.appId}/wallet`, { token });
  expect(meta.status).toBe(200);
  expect(meta.json).toMatchObject({ epoch: 2, recoveryEpoch: 2, addresses: { base: address } });
  // No dev issuer in production mode.
  expect((await call(s, 'POST', '/dev/token', { body: { sub: user } })).status).toBe(404);
});
