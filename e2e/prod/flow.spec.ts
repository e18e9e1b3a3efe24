/**
 * The whole user flow through Caddy over HTTPS against vaults in production mode (no dev
 * issuer: tokens come from the shape's own identity provider, verified by the vault
 * through its remote JWKS): create → sign → a new device recovers with the answer through
 * the 3 recovery realms (threshold 2) with one realm process SIGKILLed (and still down
 * while the new device saves its password) → same address → signs. Chromium verifies Caddy's certificates against the local CA in
 * its NSS database; a browser without that root refuses the wallet origin.
 */
import { chromium } from '@playwright/test';
import { startRealm, stopRealm } from '../../infra/local/shape.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.ts';
import { clickInFrame, NEW_PASSWORD } from '../demo-page.ts';
import { bodyOfUnsignedTx, paymentKeyHash, vkeyWitnesses, witnessVerifies } from '../verify.ts';
import { call, idpToken, shapeRealmSetup } from './api.ts';
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

test('create → sign → recover on a new device through 3 realms, one killed → sign, through Caddy, production mode', async ({
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

  // The wallet registered epoch 1 at all 3 realms and sealed a v2 record (t = 2).
  const token0 = await idpToken(s, user);
  const rec0 = await call(s, 'POST', `/v1/apps/${s.appId}/wallet/recovery`, { token: token0 });
  expect(rec0.json.sealed).toMatchObject({
    v: 2,
    realms: { threshold: 2, ids: ['realm-a', 'realm-b', 'realm-c'], epoch: 1 },
  });
  const meta0 = await call(s, 'GET', `/v1/apps/${s.appId}/wallet`, { token: token0 });
  const setup = shapeRealmSetup(s, () => token0, meta0.json.walletId);
  for (const r of s.realms) {
    expect((await setup.client.getRegistration(r))?.epochs).toEqual([1]);
  }

  // One realm process dies (SIGKILL): recovery must go through the other two.
  await stopRealm(s, 0, 'SIGKILL');

  // A new device: recovery with the answer, a new password, then it signs.
  const second = await newDevice();
  const { demo, page } = second;
  await demo.open(s.demoUrl, { app: s.appId });
  await demo.signIn(user);
  // No address before the key is rebuilt here: Connect leads to the recovery.
  await demo.clickConnect();
  const w = demo.wallet;
  await expect(w.getByRole('heading', { name: 'Recover your wallet' })).toBeVisible();
  await w.getByLabel('Your answer').fill('rex the DOG');
  await clickInFrame(w.getByRole('button', { name: 'Continue' }));
  await expect(w.getByRole('heading', { name: 'Choose a new password' })).toBeVisible({
    timeout: 30_000,
  });
  // Opened through realm-b and realm-c; the re-share that follows goes ahead at those two
  // (t = 2), with realm-a still dead: one realm down does not stop a recovery.
  await w.getByLabel('New password for this browser').fill(NEW_PASSWORD);
  await w.getByLabel('Type it again').fill(NEW_PASSWORD);
  await clickInFrame(w.getByRole('button', { name: 'Save and finish' }));
  expect(await demo.connectedAddress()).toBe(address);
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  await demo.approve('Approve transaction', 'Approve and sign', NEW_PASSWORD);
  const again = await demo.signedPayment();
  const [w1] = vkeyWitnesses(again.witnessSetHex);
  expect(witnessVerifies(w1!, bodyOfUnsignedTx(again.txHex), paymentKeyHash(address))).toBe(true);

  // The vault (production mode, remote JWKS) moved the wallet to epoch 2.
  const token = await idpToken(s, user);
  const meta = await call(s, 'GET', `/v1/apps/${s.appId}/wallet`, { token });
  expect(meta.status).toBe(200);
  expect(meta.json).toMatchObject({ epoch: 2, recoveryEpoch: 2, addresses: { base: address } });
  // realm-b and realm-c hold epoch 2 (committed: epoch 1 dropped), counters reset by the
  // unlock. realm-a, restarted by its operator (same port, same database), missed it: it
  // holds only epoch 1, which nothing can use any more (the v2 record needs epoch 2's U).
  await startRealm(s, 0);
  await expect
    .poll(async () => (await fetch(`${s.realms[0]!.url}/readyz`)).status, { timeout: 15_000 })
    .toBe(200);
  for (const [i, r] of s.realms.entries()) {
    await expect
      .poll(
        async () => {
          const reg = await setup.client.getRegistration(r);
          return reg && { epochs: reg.epochs, guesses: reg.guesses, locked: reg.locked };
        },
        { message: r.id },
      )
      .toEqual({ epochs: i === 0 ? [1] : [2], guesses: 0, locked: false });
  }
  // No dev issuer in production mode.
  expect((await call(s, 'POST', '/dev/token', { body: { sub: user } })).status).toBe(404);
});
