import { CSL } from '@trine/cardano/csl';
import type { TxSummary } from '@trine/cardano/decode-tx';
import { decodeTx } from '@trine/cardano/decode-tx';
import { deriveWallet } from '@trine/cardano/keys';
import { describe, expect, it } from 'vitest';
import {
  formatAda,
  formatQuantity,
  payloadView,
  txView,
  viewText,
  type WalletContext,
} from '../src/tx-view.ts';

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
const POLICY = 'ab'.repeat(28);
const TXH = 'cd'.repeat(32);

function summary(over: Partial<TxSummary> = {}): TxSummary {
  return {
    txHash: 'ef'.repeat(32),
    networkId: null,
    networkMismatch: false,
    inputs: [{ ref: `${TXH}#0`, txHash: TXH, index: 0 }],
    referenceInputs: [],
    outputs: [
      {
        address: them.baseAddress,
        lovelace: '2500000',
        assets: [],
        inlineDatum: false,
        scriptRef: false,
      },
    ],
    fee: '170781',
    ttl: null,
    validityStart: null,
    certificates: [],
    withdrawals: [],
    mint: [],
    collateral: [],
    collateralReturn: null,
    totalCollateral: null,
    requiredSigners: [],
    auxiliaryData: false,
    scriptDataHash: null,
    votingProcedures: 0,
    proposals: 0,
    donation: null,
    foreignInputs: [],
    ...over,
  };
}

describe('formatting', () => {
  it.each([
    ['0', '0 ADA'],
    ['1', '0.000001 ADA'],
    ['1000000', '1 ADA'],
    ['1234567891', '1,234.567891 ADA'],
    ['-2500000', '−2.5 ADA'],
    ['45000000000000000', '45,000,000,000 ADA'],
  ])('formatAda(%s) = %s', (l, text) => {
    expect(formatAda(l)).toBe(text);
  });

  it('signs positive changes when asked', () => {
    expect(formatAda('1500000', true)).toBe('+1.5 ADA');
    expect(formatQuantity('1000000', true)).toBe('+1,000,000');
    expect(formatQuantity('-42')).toBe('−42');
  });
});

describe('txView', () => {
  it('shows outputs with address and ADA, the fee, validity and the tx id', () => {
    const text = viewText(txView(summary({ ttl: '90000000' }), wallet));
    expect(text).toContain('Outputs (1):');
    expect(text).toContain(`Output 1: 2.5 ADA (to ${them.baseAddress})`);
    expect(text).toContain('Network fee: 0.170781 ADA');
    expect(text).toContain('Valid: until slot 90000000');
    expect(text).toContain(`Transaction id: ${'ef'.repeat(32)}`);
    expect(text).not.toContain('Warning');
  });

  it('marks change back to the wallet and lists assets with printable names', () => {
    const v = txView(
      summary({
        outputs: [
          {
            address: me.baseAddress,
            lovelace: '1000000',
            assets: [
              {
                policyId: POLICY,
                assetName: '746f6b656e',
                assetNameUtf8: 'token',
                quantity: '5000',
              },
            ],
            inlineDatum: false,
            scriptRef: false,
          },
        ],
      }),
      wallet,
    );
    const text = viewText(v);
    expect(text).toContain('Output 1 — back to this wallet: 1 ADA');
    expect(text).toContain('token · policy abababab…ababab: 5,000');
  });

  it('warns about a network mismatch', () => {
    const text = viewText(txView(summary({ networkId: 1, networkMismatch: true }), wallet));
    expect(text).toContain(
      'Warning: This transaction is for a different network than your wallet (preprod).',
    );
    expect(text).toContain('Network: mainnet');
  });

  it('shows certificates, withdrawals, mint, scripts and foreign inputs with warnings', () => {
    const v = txView(
      summary({
        certificates: [
          {
            kind: 'stake_deregistration',
            credential: { kind: 'key', hash: me.stakeKeyHash },
            refund: '2000000',
            signers: [],
          },
          { kind: 'stake_delegation', pool: 'pool1xyz', signers: [] },
        ],
        withdrawals: [{ rewardAddress: them.rewardAddress, amount: '3000000', ours: false }],
        mint: [{ policyId: POLICY, assetName: '', quantity: '-10' }],
        scriptDataHash: '00'.repeat(32),
        collateral: [{ ref: `${TXH}#1`, txHash: TXH, index: 1 }],
        foreignInputs: [`${TXH}#2`],
        validityStart: '100',
      }),
      wallet,
    );
    const text = viewText(v);
    expect(v.warnings).toEqual([
      'It spends 1 input(s) that are not this wallet’s; other parties must sign too.',
      'It withdraws rewards from an account that is not this wallet’s.',
      'It changes stake registration or stake pools: read the certificates below.',
      'It mints or burns tokens.',
      'It runs smart-contract scripts; the wallet cannot tell what they do.',
    ]);
    expect(text).toContain('Deregister the stake key (stops staking rewards): refund 2 ADA');
    expect(text).toContain('Delegate stake to a pool: pool pool1xyz');
    expect(text).toContain(`From another account: 3 ADA (${them.rewardAddress})`);
    expect(text).toContain('(no name) · policy abababab…ababab: −10');
    expect(text).toContain('Valid: from slot 100 with no end');
    expect(text).toContain('Collateral inputs: 1 (lost only if a script fails)');
  });

  it('shows the net balance change and warns when it is incomplete', () => {
    const v = txView(
      summary({
        walletBalanceChange: {
          lovelace: '-2670781',
          assets: [{ policyId: POLICY, assetName: '00', quantity: '-1' }],
          complete: false,
        },
      }),
      wallet,
    );
    const text = viewText(v);
    expect(text).toContain('Change to your balance:');
    expect(text).toContain('ADA: −2.670781 ADA (fee included)');
    expect(text).toContain('0x00 · policy abababab…ababab: −1');
    expect(text).toContain('Warning: Some inputs could not be looked up');
  });

  it('renders a real decoded transaction (CSL-built) with its resolved balance change', () => {
    const outs = CSL.TransactionOutputs.new();
    outs.add(
      CSL.TransactionOutput.new(
        CSL.Address.from_bech32(them.baseAddress),
        CSL.Value.new(CSL.BigNum.from_str('2000000')),
      ),
    );
    outs.add(
      CSL.TransactionOutput.new(
        CSL.Address.from_bech32(me.baseAddress),
        CSL.Value.new(CSL.BigNum.from_str('7800000')),
      ),
    );
    const ins = CSL.TransactionInputs.new();
    ins.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH), 0));
    const body = CSL.TransactionBody.new_tx_body(ins, outs, CSL.BigNum.from_str('200000'));
    body.set_ttl(CSL.BigNum.from_str('1234'));
    const tx = CSL.Transaction.new(body, CSL.TransactionWitnessSet.new()).to_hex();
    const s = decodeTx(tx, {
      network: 'preprod',
      walletAddresses: [me.baseAddress, me.rewardAddress],
      resolvedInputs: [
        { txHash: TXH, index: 0, address: me.baseAddress, value: { lovelace: '10000000' } },
      ],
    });
    const text = viewText(txView(s, wallet));
    expect(text).toContain('ADA: −2.2 ADA (fee included)');
    expect(text).toContain(`Output 1: 2 ADA (to ${them.baseAddress})`);
    expect(text).toContain('Output 2 — back to this wallet: 7.8 ADA');
    expect(text).toContain('Network fee: 0.2 ADA');
    expect(text).toContain('Valid: until slot 1234');
    expect(text).not.toContain('Warning');
  });
});

describe('payloadView', () => {
  it('shows valid UTF-8 as text', () => {
    expect(
      payloadView(Buffer.from('Sign in to example.com\nnonce: 42', 'utf8').toString('hex')),
    ).toEqual({
      kind: 'text',
      text: 'Sign in to example.com\nnonce: 42',
    });
    expect(payloadView(Buffer.from('東京 ✓', 'utf8').toString('hex'))).toMatchObject({
      kind: 'text',
    });
  });

  it('shows invalid UTF-8, control characters and bidi overrides as hex', () => {
    expect(payloadView('ff00')).toEqual({ kind: 'hex', hex: 'ff00' });
    expect(payloadView(Buffer.from('a\u0000b').toString('hex'))).toMatchObject({ kind: 'hex' });
    expect(payloadView(Buffer.from('pay \u202Eevil').toString('hex'))).toMatchObject({
      kind: 'hex',
    });
    expect(payloadView('')).toEqual({ kind: 'hex', hex: '(empty)' });
  });
});
