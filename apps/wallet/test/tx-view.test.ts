import { CSL } from '@trine/cardano/csl';
import { decodeTx } from '@trine/cardano/decode-tx';
import { deriveWallet } from '@trine/cardano/keys';
import { describe, expect, it } from 'vitest';
import { formatAda, formatQuantity, txView, viewText, type WalletContext } from '../src/tx-view.ts';

const ENTROPY = Uint8Array.from(Buffer.from('0ccb74f36b7da1649a8144675522d4d8097c6412', 'hex'));
const OTHER = Uint8Array.from(
  Buffer.from('4e828f9a67ddcff0e6391ad4f26ddb7579f59ba14b6dd4baf63dcfdb9d2420da', 'hex'),
);
const me = deriveWallet(ENTROPY, 'preprod');
const them = deriveWallet(OTHER, 'preprod');
const wallet: WalletContext = {
  network: 'preprod',
  baseAddress: me.baseAddress,
  rewardAddress: me.rewardAddress,
};
const TXH = 'cd'.repeat(32);

describe('formatting', () => {
  it('formatAda is the one of ada.ts; quantities are grouped and signed', () => {
    expect(formatAda('1500000', 'preprod', true)).toBe('+1.500000 tADA');
    expect(formatQuantity('1000000', true)).toBe('+1,000,000');
    expect(formatQuantity('-42')).toBe('−42');
  });
});

describe('txView', () => {
  const tx = (outputs: [string, string][], networkId?: 0 | 1) => {
    const outs = CSL.TransactionOutputs.new();
    for (const [a, l] of outputs) {
      outs.add(
        CSL.TransactionOutput.new(
          CSL.Address.from_bech32(a),
          CSL.Value.new(CSL.BigNum.from_str(l)),
        ),
      );
    }
    const ins = CSL.TransactionInputs.new();
    ins.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH), 0));
    const body = CSL.TransactionBody.new_tx_body(ins, outs, CSL.BigNum.from_str('200000'));
    body.set_ttl(CSL.BigNum.from_str('1234'));
    if (networkId !== undefined) {
      body.set_network_id(networkId === 1 ? CSL.NetworkId.mainnet() : CSL.NetworkId.testnet());
    }
    return CSL.Transaction.new(body, CSL.TransactionWitnessSet.new()).to_hex();
  };
  const opts = { network: 'preprod' as const, walletAddresses: [me.baseAddress, me.rewardAddress] };

  it('viewText: the headline first, then the outputs, details and the tx id', () => {
    const s = decodeTx(
      tx([
        [them.baseAddress, '2000000'],
        [me.baseAddress, '7800000'],
      ]),
      opts,
    );
    const text = viewText(txView(s, wallet));
    expect(text.split('\n').slice(0, 4)).toEqual([
      'Paid out by this transaction:',
      '  (Counted from the transaction itself: everything sent to addresses that are not exactly this wallet’s own, the network fee, deposits and donations. The app’s account of the inputs plays no part in it.)',
      '  Total: 2.200000 tADA (to others 2.000000 tADA + network fee 0.200000 tADA)',
      'Outputs (2):',
    ]);
    expect(text).toContain(`To (output 1): 2.000000 tADA (${them.baseAddress})`);
    expect(text).toContain(
      `Back to this wallet (output 2): 7.800000 tADA (${me.baseAddress} — this wallet’s address)`,
    );
    expect(text).toContain('Network fee: 0.200000 tADA');
    expect(text).toContain('Valid: until slot 1234');
    expect(text).toContain(`Transaction id: ${s.txHash}`);
    expect(text).not.toContain('Warning');
  });

  it('warns about a network mismatch', () => {
    const text = viewText(txView(decodeTx(tx([[them.baseAddress, '1000000']], 1), opts), wallet));
    expect(text).toContain(
      'Warning: This transaction is for a different network than your wallet (preprod).',
    );
    expect(text).toContain('Network: mainnet');
  });

  it('without the wallet’s addresses (the CLI case) every output counts as paid out', () => {
    const s = decodeTx(tx([[me.baseAddress, '5000000']]), { network: 'preprod' });
    expect(viewText(txView(s, wallet))).toContain('Total: 5.200000 tADA');
  });
});
