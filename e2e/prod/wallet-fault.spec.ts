/**
 * The wallet closed between the vault's re-share commit and the new device share's write
 * (DESIGN.md §2.8): the browser sends the password change's PUT /shares, the vault
 * commits epoch 2, and the browser is gone before the answer reaches the wallet — so the
 * new device share is never written and the old one (epoch 1) stays on disk. The same
 * browser profile, started again: the wallet sees its device share is stale, offers
 * recovery, the answer (unchanged by a password change) recovers it, same address, and
 * it signs. Through Caddy, production mode.
 */
import { ANSWER, clickInFrame, NEW_PASSWORD, PASSWORD } from '../demo-page.ts';
import { bodyOfUnsignedTx, paymentKeyHash, vkeyWitnesses, witnessVerifies } from '../verify.ts';
import { call, idpToken } from './api.ts';
import { expect, shape, test } from './fixtures.ts';

test('closed after the vault committed the re-share, before the device share was written → recover with the answer', async ({
  newDevice,
  user,
}) => {
  const s = shape();
  const device = await newDevice();
  await device.demo.open(s.demoUrl, { app: s.appId });
  await device.demo.signIn(user);
  const address = await device.demo.connectAndCreate();

  // Hold the re-share's answer: the request reaches the vault (which commits), the
  // wallet never hears back.
  let committed: (status: number) => void = () => {};
  const putAnswered = new Promise<number>((r) => {
    committed = r;
  });
  await device.context.route(`${s.walletUrl}/v1/apps/${s.appId}/wallet/shares`, async (route) => {
    if (route.request().method() !== 'PUT') return route.continue();
    const response = await route.fetch();
    committed(response.status());
    // Never fulfilled: the browser is closed with the answer still in flight.
  });
  const w = device.demo.wallet;
  await device.demo.manage('Change password');
  await expect(w.getByRole('heading', { name: 'Change password' })).toBeVisible();
  await w.getByLabel('Current password').fill(PASSWORD);
  await w.getByLabel('Answer to your security question').fill(ANSWER);
  await w.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await w.getByLabel('Type the new password again').fill(NEW_PASSWORD);
  await clickInFrame(w.getByRole('button', { name: 'Change password' }));
  expect(await putAnswered).toBe(200);
  await device.close();

  // The vault is at epoch 2 (auth + recovery); the device still holds its epoch-1 share.
  const token = await idpToken(s, user);
  const meta = await call(s, 'GET', `/v1/apps/${s.appId}/wallet`, { token });
  expect(meta.json).toMatchObject({ epoch: 2, recoveryEpoch: 2, addresses: { base: address } });

  // The same browser, started again.
  const again = await device.reopen();
  const { demo, page } = again;
  await demo.open(s.demoUrl, { app: s.appId });
  await demo.signIn(user);
  expect(await demo.connectExisting()).toBe(address);
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  const w2 = demo.wallet;
  await expect(w2.getByRole('heading', { name: 'Recovery needed on this device' })).toBeVisible();
  await clickInFrame(w2.getByRole('button', { name: 'Recover now' }));
  await w2.getByLabel('Your answer').fill(ANSWER);
  await clickInFrame(w2.getByRole('button', { name: 'Continue' }));
  await expect(w2.getByRole('heading', { name: 'Choose a new password' })).toBeVisible({
    timeout: 30_000,
  });
  await w2.getByLabel('New password for this browser').fill(NEW_PASSWORD);
  await w2.getByLabel('Type it again').fill(NEW_PASSWORD);
  await clickInFrame(w2.getByRole('button', { name: 'Save and finish' }));
  await demo.approve('Approve transaction', 'Approve and sign', NEW_PASSWORD);
  // The closed session's own re-share was never marked seen on this device (it was closed
  // before), so the first unlock after the recovery announces it (issue 8 item 6).
  await expect(w2.getByRole('heading', { name: 'Security notice' })).toBeVisible({
    timeout: 30_000,
  });
  await expect(w2.getByText(/Key shares renewed/).first()).toBeVisible();
  await clickInFrame(w2.getByRole('button', { name: 'OK' }));
  const signed = await demo.signedPayment();
  const [wit] = vkeyWitnesses(signed.witnessSetHex);
  expect(witnessVerifies(wit!, bodyOfUnsignedTx(signed.txHex), paymentKeyHash(address))).toBe(true);
  const after = await call(s, 'GET', `/v1/apps/${s.appId}/wallet`, { token });
  expect(after.json).toMatchObject({ epoch: 3, recoveryEpoch: 3, addresses: { base: address } });
});
