/**
 * Signing through the demo (its payment built by Lucid Evolution over the SDK's CIP-30
 * object), checked independently: the witness is an ed25519 signature
 * over blake2b-256 of the body bytes by the address's payment key; signData is a valid
 * COSE_Sign1; a reload needs the password again; a foreign input with partialSign=false
 * is refused with CIP-30 TxSignError ProofGeneration (1).
 */
import { bech32Decode } from '@trine/protocol/bech32';
import { PASSWORD } from './demo-page.ts';
import { expect, test } from './fixtures.ts';
import {
  bodyOfUnsignedTx,
  paymentKeyHash,
  txId,
  verifySignData,
  vkeyWitnesses,
  witnessVerifies,
} from './verify.ts';

function expectSignedBy(txHex: string, witnessSetHex: string, address: string) {
  const body = bodyOfUnsignedTx(txHex);
  const witnesses = vkeyWitnesses(witnessSetHex);
  expect(witnesses).toHaveLength(1);
  expect(witnessVerifies(witnesses[0]!, body, paymentKeyHash(address))).toBe(true);
  // Any flipped bit of the body breaks it (the check can fail).
  const flipped = body.slice();
  flipped[flipped.length - 1]! ^= 1;
  expect(witnessVerifies(witnesses[0]!, flipped, paymentKeyHash(address))).toBe(false);
}

test('sign a tx → the witness verifies against the body hash (noble ed25519 + blake2b)', async ({
  device,
  user,
}) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();
  await expect(page.locator('#balance')).toHaveText('17.500000 tADA');

  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  await expect(demo.wallet.getByRole('heading', { name: 'Approve transaction' })).toBeVisible();
  await demo.shot('wallet-approve-tx');
  await demo.approve('Approve transaction', 'Approve and sign');
  const { txHex, witnessSetHex } = await demo.signedPayment();
  await demo.shot('demo-signed');
  expectSignedBy(txHex, witnessSetHex, address);

  // Submit to the in-memory chain: the id is the body hash, the balance drops.
  await page.getByRole('button', { name: 'Submit signed payment' }).click();
  await expect(page.locator('#tx-hash')).toHaveText(txId(bodyOfUnsignedTx(txHex)));
  await expect(page.locator('#balance')).not.toHaveText('17.500000 tADA');
});

test('signData → a COSE_Sign1 by the payment key over the message, with the address header', async ({
  device,
  user,
}) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();
  await page
    .getByRole('textbox', { name: 'Message', exact: true })
    .fill('Log in to the Trine demo, nonce 42');
  await page.getByRole('button', { name: 'Sign message' }).click();
  await expect(demo.wallet.getByRole('heading', { name: 'Sign a message' })).toBeVisible();
  await demo.shot('wallet-sign-data');
  await demo.approve('Sign a message', 'Sign message');
  await expect(page.locator('#signature')).toHaveText(/^[0-9a-f]+$/);
  const r = verifySignData(
    (await page.locator('#signature').textContent()) ?? '',
    (await page.locator('#cose-key').textContent()) ?? '',
    Buffer.from('Log in to the Trine demo, nonce 42', 'utf8').toString('hex'),
  );
  expect(r.valid).toBe(true);
  expect(r.addressHex).toBe(Buffer.from(bech32Decode(address).bytes).toString('hex'));
});

test('reload → unlock with the password → sign', async ({ device, user }) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();

  await page.reload();
  await demo.signIn(user);
  expect(await demo.connectExisting()).toBe(address);
  // Locked after the reload: the approval screen asks for the password again.
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  await expect(demo.wallet.getByLabel('Password', { exact: true })).toBeVisible();
  await demo.approve('Approve transaction', 'Approve and sign', PASSWORD);
  const { txHex, witnessSetHex } = await demo.signedPayment();
  expectSignedBy(txHex, witnessSetHex, address);
});

test('signTx with partialSign=false on a tx needing a foreign key → TxSignError 1 ProofGeneration', async ({
  device,
  user,
}) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();
  // Refused before any screen (issue 10, item 4): the user is never asked to approve it.
  await page.getByRole('button', { name: 'Sign a transaction needing a foreign key' }).click();
  await expect(demo.error).toContainText('TxSignError 1 · ProofGeneration');
  await expect(demo.error).toHaveAttribute('data-code', '1');
  await demo.shot('demo-error-proof-generation');
  // Nothing was lost: the normal payment still signs.
  await demo.signPayment();
});
