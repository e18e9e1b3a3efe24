// @vitest-environment happy-dom
/**
 * @module test/ada-screens — one ada format on every wallet screen that shows an amount
 * (issue 10 item 5). A transaction that touches every amount the approval can show —
 * outputs, fee, deposit and refund, withdrawal, donation, collateral and its return, the
 * host's resolved inputs and the balance change — is laid out by the real renderer on
 * the real Screen (the frame's approval) and carried through the popup's snapshot into
 * the popup's screen; every amount in the text must be exactly ada.ts's format, with
 * `tADA` and the testnet marker on preprod, `ADA` and no marker on mainnet. The screens
 * without amounts (security activity, failure, export) are checked to write none any
 * other way.
 */
import { CSL } from '@trine/cardano/csl';
import { decodeTx } from '@trine/cardano/decode-tx';
import { deriveWallet } from '@trine/cardano/keys';
import type { Network, ResolvedInput } from '@trine/protocol/methods';
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../src/activity.ts';
import { ADA_AMOUNT, formatAda } from '../src/ada.ts';
import { userMessage } from '../src/errors.ts';
import { txView } from '../src/tx-view.ts';
import { h } from '../src/ui/dom.ts';
import { Screen } from '../src/ui/screen.ts';
import { rebuild, snapshot } from '../src/ui/snapshot.ts';
import { renderTxView } from '../src/ui/tx-render.ts';

const unhex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const ENTROPY = unhex('0ccb74f36b7da1649a8144675522d4d8097c6412');
const OTHER = unhex('4e828f9a67ddcff0e6391ad4f26ddb7579f59ba14b6dd4baf63dcfdb9d2420da');
const coin = (n: string) => CSL.BigNum.from_str(n);
const TXH = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

/** Any figure followed by an ada or lovelace unit, however written. */
const ANY_AMOUNT = /[−+-]?[\d][\d,. ]*\s*(?:t?ADA|lovelace)\b/g;

/** A transaction with every kind of amount the approval shows, on `network`. */
function everyAmount(network: Network) {
  const me = deriveWallet(ENTROPY, network);
  const them = deriveWallet(OTHER, network);
  const netId = network === 'mainnet' ? 1 : 0;
  const out = (a: string, l: string) =>
    CSL.TransactionOutput.new(CSL.Address.from_bech32(a), CSL.Value.new(coin(l)));
  const outs = CSL.TransactionOutputs.new();
  outs.add(out(them.baseAddress, '1234567891')); // 1,234.567891
  outs.add(out(me.baseAddress, '2000000'));
  const ins = CSL.TransactionInputs.new();
  ins.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(1)), 0));
  const body = CSL.TransactionBody.new_tx_body(ins, outs, coin('171234'));
  const stake = CSL.Credential.from_keyhash(CSL.Ed25519KeyHash.from_hex(me.stakeKeyHash));
  const certs = CSL.Certificates.new();
  certs.add(
    CSL.Certificate.new_reg_cert(
      CSL.StakeRegistration.new_with_explicit_deposit(stake, coin('2000000')),
    ),
  );
  body.set_certs(certs);
  const wd = CSL.Withdrawals.new();
  wd.insert(
    CSL.RewardAddress.from_address(CSL.Address.from_bech32(me.rewardAddress))!,
    coin('4500000'),
  );
  body.set_withdrawals(wd);
  body.set_donation(coin('3000000'));
  const col = CSL.TransactionInputs.new();
  col.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(2)), 1));
  body.set_collateral(col);
  body.set_total_collateral(coin('5000000'));
  body.set_collateral_return(out(them.baseAddress, '10000000000'));
  body.set_network_id(netId === 1 ? CSL.NetworkId.mainnet() : CSL.NetworkId.testnet());
  const tx = CSL.FixedTransaction.new(
    body.to_bytes(),
    CSL.TransactionWitnessSet.new().to_bytes(),
    true,
  ).to_hex();
  const resolved: ResolvedInput[] = [
    {
      txHash: TXH(1),
      index: 0,
      address: me.baseAddress,
      value: { lovelace: '1500000000' },
    } as ResolvedInput,
    {
      txHash: TXH(2),
      index: 1,
      address: me.baseAddress,
      value: { lovelace: '15000000000' },
    } as ResolvedInput,
  ];
  const summary = decodeTx(tx, {
    network,
    walletAddresses: [me.baseAddress, me.rewardAddress],
    resolvedInputs: resolved,
  });
  return txView(summary, { network, baseAddress: me.baseAddress, rewardAddress: me.rewardAddress });
}

/** The frame's approval screen (as flows/approve.ts builds it) and the popup's (popup.ts). */
function screens(network: Network) {
  const content = [renderTxView(everyAmount(network))];
  const frame = new Screen({
    title: 'Approve transaction',
    network,
    stickyActions: true,
    body: content,
    submitLabel: 'Approve and sign',
    cancelLabel: 'Reject',
  });
  // The popup gets the content as a snapshot (postMessage-safe) and rebuilds it.
  const carried = JSON.parse(JSON.stringify(snapshot(content)));
  const popup = new Screen({
    title: 'Approve transaction',
    network,
    stickyActions: true,
    body: rebuild(carried),
    submitLabel: 'Approve and sign',
    cancelLabel: 'Reject',
  });
  return { frame: frame.root, popup: popup.root };
}

/** Every text node on its own line (textContent would run "5 tADA" into the next word). */
function textOf(root: Node): string {
  const walker = document.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  const parts: string[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) parts.push(n.nodeValue ?? '');
  return parts.join('\n');
}

/** The dd texts of the rows labelled `label` in `root`. */
const rows = (root: Element, label: string) =>
  [...root.querySelectorAll('dt')]
    .filter((dt) => dt.textContent === label)
    .map((dt) => dt.nextElementSibling?.textContent ?? '');

describe('one ada format on every screen', () => {
  for (const network of ['preprod', 'preview', 'mainnet'] as const) {
    const unit = network === 'mainnet' ? 'ADA' : 'tADA';
    for (const where of ['frame', 'popup'] as const) {
      it(`${network}, approval in the ${where}: every amount is "d,ddd.dddddd ${unit}"`, () => {
        const root = screens(network)[where];
        document.body.replaceChildren(root);
        const text = textOf(root);
        const written = text.match(ANY_AMOUNT) ?? [];
        const canonical = text.match(ADA_AMOUNT) ?? [];
        // Every figure with a unit is one of the canonical ones, and all use the unit.
        expect(written.length).toBeGreaterThanOrEqual(15);
        expect(written.map((w) => w.trim().replace(/^[^−+\d]+/, ''))).toEqual(canonical);
        expect(canonical.every((c) => c.endsWith(` ${unit}`))).toBe(true);
        if (unit === 'tADA') expect(text).not.toMatch(/\d ADA\b/);
        // Each kind of amount, in its row.
        expect(rows(root, 'To (output 1)')[0]).toMatch(/^1,234\.567891 t?ADA/);
        expect(rows(root, 'Network fee')).toEqual([formatAda('171234', network)]);
        expect(rows(root, 'Treasury donation')).toEqual([formatAda('3000000', network)]);
        expect(rows(root, 'Total collateral')).toEqual([formatAda('5000000', network)]);
        expect(text).toContain(`deposit ${formatAda('2000000', network)}`);
        expect(text).toContain(formatAda('4500000', network)); // the withdrawal
        expect(text).toContain(formatAda('10000000000', network)); // the collateral return
        const change = rows(root, 'Your balance change, if the app is right')[0] ?? '';
        expect(change).toMatch(/^[−+]\d{1,3}(,\d{3})*\.\d{6} t?ADA/);
        // The testnet marker beside the unit, on test networks only.
        const marker = root.querySelector('.testnet');
        if (network === 'mainnet') expect(marker).toBeNull();
        else expect(marker?.textContent).toBe(`Testnet · ${network}`);
      });
    }
  }

  it('the screens without amounts (activity, failures) write none in another format', () => {
    const event = {
      id: '7',
      action: 'shares.reshare',
      at: '2026-12-01T10:00:00.000Z',
      ip: '198.51.100.7',
      epoch: 2,
    };
    const texts = [
      describeEvent(event as Parameters<typeof describeEvent>[0]),
      userMessage(new Error('the wallet service is unavailable')),
      new Screen({ title: 'That did not work', body: [h('p', null, userMessage(new Error('x')))] })
        .root,
    ].map((t) => (typeof t === 'string' ? t : textOf(t)));
    for (const t of texts) {
      expect(t.match(ANY_AMOUNT) ?? []).toEqual(t.match(ADA_AMOUNT) ?? []);
    }
  });
});
