/**
 * Delete: the vault keeps nothing (GET wallet → 404, auth share → 404) and the device
 * share is gone from the wallet's IndexedDB; the dApp sees no wallet any more.
 */
import { clickInFrame, PASSWORD } from './demo-page.ts';
import { env, expect, test } from './fixtures.ts';
import { devToken, vaultGet } from './vault-api.ts';
import { deviceRecords } from './wallet-storage.ts';

test('delete → the vault has nothing (404) and the device share is gone', async ({
  device,
  user,
}) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();
  const token = await devToken(env.vault, user);
  expect((await vaultGet(env.vault, token, '')).status).toBe(200);
  expect(await deviceRecords(demo.walletFrame())).toHaveLength(1);

  await demo.manage('Delete wallet');
  const w = demo.wallet;
  await expect(w.getByRole('heading', { name: 'Delete wallet' })).toBeVisible();
  await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await w.getByLabel('Type DELETE to confirm').fill('DELETE');
  await demo.shot('wallet-delete');
  await clickInFrame(w.getByRole('button', { name: 'Delete wallet' }));
  await expect(page.locator('#manage-result')).toHaveText('Wallet deleted.', { timeout: 30_000 });
  await expect(page.locator('#address')).toHaveText('—');

  const meta = await vaultGet(env.vault, token, '');
  expect(meta.status).toBe(404);
  expect((await vaultGet(env.vault, token, '/auth-share')).status).toBe(404);
  expect(await deviceRecords(demo.walletFrame())).toEqual([]);
});
