/**
 * The real wallet, sent hostile requests on the live protocol port the way a malicious
 * (but allowed) host page would, shows the dangerous facts on its approval screen
 * (issue 10, DESIGN.md §2.12): an output with our payment key and the attacker's stake
 * key is not "back to this wallet", a collateral return to the attacker with
 * is_valid = false is the headline, a 100,000 ADA proposal deposit refunded to another
 * account is counted and named, and a signData payload with invisible tag characters is
 * shown as hex with the hidden characters written out. The user rejects each.
 */
import * as CSL from '@emurgo/cardano-serialization-lib-nodejs';
import { clickInFrame } from './demo-page.ts';
import { expect, test } from './fixtures.ts';
import { installHostSpy, type SpyWindow } from './host-spy.ts';

const TXH = (n: number) => n.toString(16).padStart(2, '0').repeat(32);
const ATTACKER_KEY = '9a'.repeat(28);
const coin = (n: string) => CSL.BigNum.from_str(n);
const cred = (h: CSL.Ed25519KeyHash) => CSL.Credential.from_keyhash(h);

function hostileTx(walletAddress: string): string {
  const base = CSL.BaseAddress.from_address(CSL.Address.from_bech32(walletAddress))!;
  const attacker = CSL.BaseAddress.new(
    0,
    cred(CSL.Ed25519KeyHash.from_hex(ATTACKER_KEY)),
    cred(CSL.Ed25519KeyHash.from_hex(ATTACKER_KEY)),
  ).to_address();
  // Our payment key with the attacker's stake key: looks like change.
  const lookAlike = CSL.BaseAddress.new(
    0,
    base.payment_cred(),
    cred(CSL.Ed25519KeyHash.from_hex(ATTACKER_KEY)),
  ).to_address();
  const outs = CSL.TransactionOutputs.new();
  outs.add(CSL.TransactionOutput.new(lookAlike, CSL.Value.new(coin('10000000000'))));
  const ins = CSL.TransactionInputs.new();
  ins.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(1)), 0));
  const body = CSL.TransactionBody.new_tx_body(ins, outs, coin('200000'));
  const collateral = CSL.TransactionInputs.new();
  collateral.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(2)), 0));
  body.set_collateral(collateral);
  body.set_total_collateral(coin('5000000'));
  body.set_collateral_return(
    CSL.TransactionOutput.new(attacker, CSL.Value.new(coin('9000000000'))),
  );
  body.set_script_data_hash(CSL.ScriptDataHash.from_hex('00'.repeat(32)));
  const proposals = CSL.VotingProposals.new();
  proposals.add(
    CSL.VotingProposal.new(
      CSL.GovernanceAction.new_info_action(CSL.InfoAction.new()),
      CSL.Anchor.new(
        CSL.URL.new('https://example.com/a.json'),
        CSL.AnchorDataHash.from_hex('ee'.repeat(32)),
      ),
      CSL.RewardAddress.new(0, cred(CSL.Ed25519KeyHash.from_hex(ATTACKER_KEY))),
      coin('100000000000'),
    ),
  );
  body.set_voting_proposals(proposals);
  return CSL.FixedTransaction.new(
    body.to_bytes(),
    CSL.TransactionWitnessSet.new().to_bytes(),
    false,
  ).to_hex();
}

test('hostile requests on the protocol port: the wallet shows the dangerous facts', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  await context.addInitScript(installHostSpy);
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();

  const send = (id: string, method: string, params: unknown) =>
    page.evaluate(
      ([id, method, params]) => {
        const port = (window as unknown as SpyWindow).__ports.at(-1);
        if (!port) throw new Error('no protocol port seen');
        port.postMessage({ ns: 'trine', v: 1, id, method, params });
      },
      [id, method, params] as const,
    );
  const replyCode = (id: string) =>
    page.evaluate(async (id) => {
      const spy = window as unknown as SpyWindow;
      const until = Date.now() + 20_000;
      for (;;) {
        const m = spy.__seen.find(
          (x): x is { id: string; error?: { code: string } } =>
            typeof x === 'object' && x !== null && (x as { id?: string }).id === id,
        );
        if (m) return m.error?.code ?? 'ok';
        if (Date.now() > until) return 'timeout';
        await new Promise((r) => setTimeout(r, 100));
      }
    }, id);

  const w = demo.wallet;
  await send('hostile-tx', 'signTx', { tx: hostileTx(address), partialSign: true });
  await expect(w.getByRole('heading', { name: 'Approve transaction' })).toBeVisible({
    timeout: 30_000,
  });
  const screen = w.locator('.tx');
  // The host picks is_valid at submission, so both outcomes are shown; the larger heads.
  await expect(screen).toContainText(
    'Total110,000.200000 tADAto others 10,000.000000 tADA + network fee 0.200000 tADA + deposits 100,000.000000 tADA',
  );
  await expect(screen).toContainText(
    'If its scripts fail instead (collateral)9,005.000000 tADAcollateral 5.000000 tADA + collateral return 9,000.000000 tADA to another address',
  );
  await expect(screen).toContainText('failing (is_valid = false)');
  await expect(screen).toContainText(
    "Output 1 is not this wallet’s address: your payment key with another party's stake part",
  );
  await expect(screen).not.toContainText('Back to this wallet');
  await expect(screen).toContainText('which is NOT this wallet’s account');
  await demo.shot('wallet-approve-hostile-tx');
  await clickInFrame(w.getByRole('button', { name: 'Reject' }));
  expect(await replyCode('hostile-tx')).toBe('user_declined');

  const payload = Buffer.from('I agree\u{e0020}\u{e0070}\u{e0061}\u{e0079}', 'utf8').toString(
    'hex',
  );
  await send('hostile-data', 'signData', { address, payload });
  await expect(w.getByRole('heading', { name: 'Sign a message' })).toBeVisible({ timeout: 30_000 });
  await expect(w.getByText('invisible tag characters', { exact: false })).toBeVisible();
  await expect(w.locator('pre.payload').first()).toHaveText(payload);
  await expect(w.locator('pre.payload').nth(1)).toHaveText(
    'I agree⟨U+E0020⟩⟨U+E0070⟩⟨U+E0061⟩⟨U+E0079⟩',
  );
  await clickInFrame(w.getByRole('button', { name: 'Reject' }));
  expect(await replyCode('hostile-data')).toBe('user_declined');
});
