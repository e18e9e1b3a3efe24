/**
 * Create a wallet from the demo, export its recovery phrase inside the iframe, and check
 * the address the dApp shows against the `trine` CLI's derivation of that phrase.
 */
import { trineDerive } from './cli.ts';
import { clickInFrame, PASSWORD } from './demo-page.ts';
import { expect, test } from './fixtures.ts';

test('create → the address equals `trine derive` of the exported mnemonic', async ({
  device,
  user,
}) => {
  const { demo } = device;
  await demo.open();
  await demo.shot('demo-start');
  await demo.signIn(user);
  const address = await demo.connectAndCreate();
  await demo.shot('demo-connected');

  await demo.manage('Show recovery phrase');
  const w = demo.wallet;
  await expect(w.getByRole('heading', { name: 'Show recovery phrase' })).toBeVisible();
  await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await clickInFrame(w.getByRole('button', { name: 'Show the words' }));
  await expect(w.getByRole('heading', { name: 'Your recovery phrase' })).toBeVisible({
    timeout: 30_000,
  });
  const words = await w.locator('ol.words li').allTextContents();
  expect(words).toHaveLength(24);
  await clickInFrame(w.getByRole('button', { name: /close/ }));
  await expect(demo.page.locator('#manage-result')).toHaveText(/Recovery phrase shown/);
  await expect(w.locator('ol.words li')).toHaveCount(0);

  const derived = trineDerive(words.join(' '));
  expect(derived.baseAddress).toBe(address);
});
