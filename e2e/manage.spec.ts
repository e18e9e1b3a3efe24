/**
 * Change password and change security question, from the demo's manage buttons: the old
 * password and the old answer stop working, the new ones work, the address never changes.
 */
import { ANSWER, clickInFrame, NEW_PASSWORD, PASSWORD } from './demo-page.ts';
import { env, expect, test } from './fixtures.ts';
import { devToken, vaultGet } from './vault-api.ts';

const NEW_QUESTION = 'What was the name of my first bicycle?';
const NEW_ANSWER = 'Blue Thunder';

test('change password, then change question → old secrets stop working, new ones work', async ({
  device,
  newDevice,
  user,
}) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();
  const w = demo.wallet;

  await demo.manage('Change password');
  await expect(w.getByRole('heading', { name: 'Change password' })).toBeVisible();
  await w.getByLabel('Current password').fill(PASSWORD);
  await w.getByLabel('Answer to your security question').fill(ANSWER);
  await w.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await w.getByLabel('Type the new password again').fill(NEW_PASSWORD);
  await demo.shot('wallet-change-password');
  await clickInFrame(w.getByRole('button', { name: 'Change password' }));
  await expect(page.locator('#manage-result')).toHaveText('Password changed.', {
    timeout: 30_000,
  });

  // The old password no longer opens anything; the new one signs.
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  await demo.approve('Approve transaction', 'Approve and sign', PASSWORD);
  await expect(w.getByRole('alert')).toHaveText('That password is not right. Please try again.');
  await w.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await clickInFrame(w.getByRole('button', { name: 'Approve and sign' }));
  await demo.signedPayment();

  await demo.manage('Change security question');
  await expect(w.getByRole('heading', { name: 'Change security question' })).toBeVisible();
  await w.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await w
    .getByRole('combobox', { name: 'Security question' })
    .selectOption({ label: 'Write my own question…' });
  await w.getByLabel('Your question').fill(NEW_QUESTION);
  await w.getByLabel('New answer', { exact: true }).fill(NEW_ANSWER);
  await w.getByLabel('Type the new answer again').fill(NEW_ANSWER);
  await demo.shot('wallet-change-question');
  await clickInFrame(w.getByRole('button', { name: 'Save new question' }));
  await expect(page.locator('#manage-result')).toHaveText('Security question changed.', {
    timeout: 30_000,
  });

  const token = await devToken(env.vault, user);
  const meta = (await vaultGet(env.vault, token, '')).body as {
    epoch: number;
    question: string;
    addresses: { base: string };
  };
  expect(meta).toMatchObject({ epoch: 3, question: NEW_QUESTION, addresses: { base: address } });

  // A new device: the old answer fails, the new one recovers the same wallet.
  const other = await newDevice();
  await other.demo.open();
  await other.demo.signIn(user);
  await other.demo.clickConnect(); // no address before a recovery here: Connect leads to it
  const ow = other.demo.wallet;
  await expect(ow.getByText(NEW_QUESTION)).toBeVisible();
  await ow.getByLabel('Your answer').fill(ANSWER);
  await clickInFrame(ow.getByRole('button', { name: 'Continue' }));
  await expect(ow.getByRole('alert')).toContainText('That answer does not match.', {
    timeout: 30_000,
  });
  await ow.getByLabel('Your answer').fill(NEW_ANSWER.toLowerCase());
  await clickInFrame(ow.getByRole('button', { name: 'Continue' }));
  await ow.getByLabel('New password for this browser').fill(PASSWORD);
  await ow.getByLabel('Type it again').fill(PASSWORD);
  await clickInFrame(ow.getByRole('button', { name: 'Save and finish' }));
  expect(await other.demo.connectedAddress()).toBe(address);
  await other.demo.signPayment(PASSWORD);
  expect(await other.page.locator('#address').textContent()).toBe(address);
});
