/**
 * foreignKeysNeeded (sign-tx.ts): the wallet's up-front refusal for partialSign=false,
 * from public data only, must agree with what signTx itself refuses.
 */
import { describe, expect, it } from 'vitest';
import { CSL } from '../src/csl.ts';
import { foreignKeysNeeded, signTx } from '../src/sign-tx.ts';
import { buildTx, ENTROPY, ME, OTHER, POOL, stakeCred, TXH } from './fixtures.ts';

const wallet = { baseAddress: ME.baseAddress, rewardAddress: ME.rewardAddress };

function signTxRefuses(tx: string, resolvedInputs?: Parameters<typeof foreignKeysNeeded>[2]) {
  try {
    signTx(
      ENTROPY,
      'preprod',
      tx,
      resolvedInputs ? { partialSign: false, resolvedInputs } : { partialSign: false },
    );
    return false;
  } catch (e) {
    if ((e as { code?: string }).code === 'PROOF_GENERATION') return true;
    throw e;
  }
}

describe('foreignKeysNeeded', () => {
  const deleg = CSL.Certificate.new_stake_delegation(
    CSL.StakeDelegation.new(stakeCred(OTHER.stakeKeyHash), CSL.Ed25519KeyHash.from_hex(POOL)),
  );
  const foreignInput = [
    { txHash: TXH(1), index: 0, address: ME.baseAddress },
    { txHash: TXH(2), index: 1, address: OTHER.baseAddress },
  ];
  const twoInputs = buildTx({
    inputs: [
      [TXH(1), 0],
      [TXH(2), 1],
    ],
  });
  const cases: [string, string, Parameters<typeof foreignKeysNeeded>[2]][] = [
    ['own payment', buildTx(), undefined],
    ['own withdrawal', buildTx({ withdrawals: [[ME.rewardAddress, '1']] }), undefined],
    ['foreign input (host-resolved)', twoInputs, foreignInput],
    ['foreign required signer', buildTx({ requiredSigners: [OTHER.paymentKeyHash] }), undefined],
    ['foreign withdrawal', buildTx({ withdrawals: [[OTHER.rewardAddress, '1']] }), undefined],
    ['foreign stake certificate', buildTx({ certs: [deleg] }), undefined],
  ];

  it.each(cases)('%s: agrees with signTx', (_name, tx, resolved) => {
    const foreign = foreignKeysNeeded(tx, wallet, resolved);
    expect(foreign.length > 0).toBe(signTxRefuses(tx, resolved));
  });

  it('names the reason (non-secret)', () => {
    expect(foreignKeysNeeded(twoInputs, wallet, foreignInput)).toEqual([`input ${TXH(2)}#1`]);
    expect(foreignKeysNeeded(buildTx(), wallet)).toEqual([]);
  });

  it('refuses a malformed wallet address or tx with typed errors', () => {
    expect(() => foreignKeysNeeded(buildTx(), { ...wallet, baseAddress: 'nope' })).toThrow(
      expect.objectContaining({ code: 'ADDRESS_MALFORMED' }),
    );
    expect(() => foreignKeysNeeded('zz', wallet)).toThrow(
      expect.objectContaining({ code: 'TX_MALFORMED' }),
    );
  });
});
