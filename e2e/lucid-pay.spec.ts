/**
 * CIP-30 conformance in the browser, through the cross-origin wallet iframe (issue 11,
 * items 5–6): the demo page's Lucid Evolution selects the SDK's CIP-30 object
 * (`selectWallet.fromAPI`), builds a payment from the UTxOs it reads through it, the user
 * approves it in the real wallet iframe (CIP-30 signTx), Lucid submits it (CIP-30
 * submitTx → the page's in-memory chain), and the chain's balances move as they must:
 * the payee got the amount, the change came back, the fee was paid — checked against the
 * transaction decoded here with cardano-serialization-lib, not against the page's word.
 * Lucid and its WebAssembly load only after Connect: the first screen fetches none of it.
 */
import * as CSL from '@emurgo/cardano-serialization-lib-nodejs';
import { formatAda } from '../apps/demo/src/ada.ts';
import { RECIPIENT } from '../apps/demo/src/addresses.ts';
import type { DemoPage } from './demo-page.ts';
import { expect, test } from './fixtures.ts';
import {
  bodyOfUnsignedTx,
  paymentKeyHash,
  txId,
  vkeyWitnesses,
  witnessVerifies,
} from './verify.ts';

const FUNDED = 17_500_000n;
const PAY = 2_000_000n;
const tada = (n: bigint) => formatAda(n, 'preprod');

/** What a transaction does, read independently of Lucid and of the page. */
function decodeTx(txHex: string, wallet: string) {
  const body = CSL.Transaction.from_hex(txHex).body();
  const outs = body.outputs();
  let paid = 0n;
  let change = 0n;
  let others = 0;
  for (let i = 0; i < outs.len(); i++) {
    const o = outs.get(i);
    const to = o.address().to_bech32();
    const coin = BigInt(o.amount().coin().to_str());
    expect(o.amount().multiasset()?.len() ?? 0).toBe(0);
    if (to === RECIPIENT) paid += coin;
    else if (to === wallet) change += coin;
    else others++;
  }
  return {
    paid,
    change,
    others,
    outputs: outs.len(),
    inputs: body.inputs().len(),
    fee: BigInt(body.fee().to_str()),
  };
}

async function payWithLucid(demo: DemoPage, wallet: string) {
  const { page } = demo;
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  await demo.approve('Approve transaction', 'Approve and sign');
  const { txHex, witnessSetHex } = await demo.signedPayment();
  const tx = decodeTx(txHex, wallet);
  // The witness is the wallet's payment key over this very body.
  const body = bodyOfUnsignedTx(txHex);
  const ws = vkeyWitnesses(witnessSetHex);
  expect(ws).toHaveLength(1);
  expect(witnessVerifies(ws[0]!, body, paymentKeyHash(wallet))).toBe(true);
  await expect(page.locator('#tx-fee')).toHaveText(tada(tx.fee));

  await page.getByRole('button', { name: 'Submit signed payment' }).click();
  await expect(page.locator('#tx-hash')).toHaveText(txId(body), { timeout: 30_000 });
  await expect(page.locator('#status')).toHaveText('Submitted to the test chain.');
  return tx;
}

test('Lucid builds a payment over the SDK’s CIP-30 object, the wallet iframe signs it, Lucid submits it; the chain’s balances move exactly', async ({
  device,
  user,
}) => {
  const { demo, page } = device;
  const fetched: string[] = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await demo.open();
  await demo.signIn(user);
  // The first screen: no Lucid code, no WebAssembly.
  expect(fetched.filter((p) => p.endsWith('.wasm') || /\/payment-[^/]+\.js$/.test(p))).toEqual([]);
  const wallet = await demo.connectAndCreate();
  await expect(page.locator('#balance')).toHaveText(tada(FUNDED));
  await expect(page.locator('#utxos')).toHaveText('3');
  await expect(page.locator('#payee-balance')).toHaveText(tada(0n));

  const first = await payWithLucid(demo, wallet);
  // Lucid's CML and UPLC WebAssembly were fetched for it, on this page's own origin.
  expect(fetched.filter((p) => p.endsWith('.wasm')).length).toBeGreaterThanOrEqual(2);
  expect(first).toMatchObject({ paid: PAY, others: 0 });
  // A fee Lucid computed from the chain's linear rule (44 × size + 155381): ~0.17 ADA.
  expect(first.fee > 155_381n && first.fee < 250_000n).toBe(true);
  expect(first.change > 0n).toBe(true);
  // The chain applied it: payee credited, the wallet holds funded − amount − fee, and
  // its UTxOs are the unspent ones plus the change output(s).
  await expect(page.locator('#payee-balance')).toHaveText(tada(PAY));
  await expect(page.locator('#balance')).toHaveText(tada(FUNDED - PAY - first.fee));
  await expect(page.locator('#utxos')).toHaveText(String(3 - first.inputs + first.outputs - 1));

  // A second payment spends what the first left (Lucid reads the change through CIP-30).
  const second = await payWithLucid(demo, wallet);
  expect(second).toMatchObject({ paid: PAY, others: 0 });
  await expect(page.locator('#payee-balance')).toHaveText(tada(2n * PAY));
  await expect(page.locator('#balance')).toHaveText(
    tada(FUNDED - 2n * PAY - first.fee - second.fee),
  );
  await expect(demo.error).toBeHidden();
});
