import { describe, expect, it } from 'vitest';
import { CSL } from '../src/csl.ts';
import { decodeTx } from '../src/decode-tx.ts';
import { buildTx, ME, ME_MAINNET, OTHER, POLICY, POOL, stakeCred, TXH } from './fixtures.ts';

const NAME = Buffer.from('TRINE').toString('hex');

describe('decodeTx', () => {
  it('summarises outputs, fee, validity, withdrawals, certs, mint, collateral, signers', () => {
    const deleg = CSL.Certificate.new_stake_registration_and_delegation(
      CSL.StakeRegistrationAndDelegation.new(
        stakeCred(ME.stakeKeyHash),
        CSL.Ed25519KeyHash.from_hex(POOL),
        CSL.BigNum.from_str('2000000'),
      ),
    );
    const tx = buildTx({
      inputs: [[TXH(1), 0]],
      outputs: [
        { address: OTHER.baseAddress, lovelace: '2000000', assets: [[POLICY, NAME, '5']] },
        { address: ME.baseAddress, lovelace: '7000000' },
      ],
      fee: '180000',
      ttl: '123456789',
      validityStart: '1000',
      withdrawals: [[ME.rewardAddress, '4000000']],
      certs: [deleg],
      mint: [[POLICY, 'ff00', '-3']],
      collateral: [[TXH(9), 2]],
      requiredSigners: [ME.paymentKeyHash],
      networkId: 0,
    });
    const s = decodeTx(tx, { network: 'preprod' });
    expect(s.networkId).toBe(0);
    expect(s.networkMismatch).toBe(false);
    expect(s.inputs).toEqual([{ ref: `${TXH(1)}#0`, txHash: TXH(1), index: 0 }]);
    expect(s.outputs[0]).toMatchObject({
      address: OTHER.baseAddress,
      lovelace: '2000000',
      assets: [{ policyId: POLICY, assetName: NAME, assetNameUtf8: 'TRINE', quantity: '5' }],
      inlineDatum: false,
      scriptRef: false,
    });
    expect(s.fee).toBe('180000');
    expect(s.ttl).toBe('123456789');
    expect(s.validityStart).toBe('1000');
    expect(s.withdrawals).toMatchObject([{ rewardAddress: ME.rewardAddress, amount: '4000000' }]);
    expect(s.certificates).toMatchObject([
      {
        kind: 'stake_registration_delegation',
        credential: { kind: 'key', hash: ME.stakeKeyHash },
        pool: CSL.Ed25519KeyHash.from_hex(POOL).to_bech32('pool'),
        deposit: '2000000',
        signers: [{ kind: 'key', hash: ME.stakeKeyHash }],
      },
    ]);
    expect(s.mint).toEqual([{ policyId: POLICY, assetName: 'ff00', quantity: '-3' }]);
    expect(s.collateral.map((c) => c.ref)).toEqual([`${TXH(9)}#2`]);
    expect(s.requiredSigners).toEqual([{ kind: 'key', hash: ME.paymentKeyHash }]);
    expect(s.auxiliaryData).toBe(false);
    expect(s.walletBalanceChange).toBeUndefined();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s); // plain JSON
  });

  it('net change to the wallet and foreign inputs, with resolvedInputs + walletAddresses', () => {
    const tx = buildTx({
      inputs: [
        [TXH(1), 0],
        [TXH(2), 0],
      ],
      outputs: [
        { address: OTHER.baseAddress, lovelace: '3000000' },
        { address: ME.baseAddress, lovelace: '6830000', assets: [[POLICY, NAME, '2']] },
      ],
      fee: '170000',
    });
    const s = decodeTx(tx, {
      network: 'preprod',
      walletAddresses: [ME.baseAddress, ME.rewardAddress],
      resolvedInputs: [
        {
          txHash: TXH(1),
          index: 0,
          address: ME.baseAddress,
          value: { lovelace: '9000000', assets: { [`${POLICY}.${NAME}`]: '10' } },
        },
        { txHash: TXH(2), index: 0, address: OTHER.baseAddress, value: { lovelace: '1000000' } },
      ],
    });
    expect(s.foreignInputs).toEqual([`${TXH(2)}#0`]);
    expect(s.inputs[0]).toMatchObject({ address: ME.baseAddress, lovelace: '9000000', ours: true });
    expect(s.walletBalanceChange).toEqual({
      lovelace: '-2170000',
      assets: [{ policyId: POLICY, assetName: NAME, assetNameUtf8: 'TRINE', quantity: '-8' }],
      complete: true,
    });
    expect(s.outputs.map((o) => o.ours)).toEqual([false, true]);
  });

  it('incomplete balance when an input is not resolved', () => {
    const tx = buildTx({
      inputs: [
        [TXH(1), 0],
        [TXH(2), 0],
      ],
    });
    const s = decodeTx(tx, {
      walletAddresses: [ME.baseAddress],
      resolvedInputs: [
        { txHash: TXH(1), index: 0, address: ME.baseAddress, value: { lovelace: '1' } },
      ],
    });
    expect(s.walletBalanceChange?.complete).toBe(false);
  });

  it('networkMismatch: body network id or an output address of the other network', () => {
    expect(decodeTx(buildTx({ networkId: 1 }), { network: 'preprod' }).networkMismatch).toBe(true);
    const tx = buildTx({ outputs: [{ address: ME_MAINNET.baseAddress, lovelace: '1000000' }] });
    expect(decodeTx(tx, { network: 'preview' }).networkMismatch).toBe(true);
    expect(decodeTx(tx, { network: 'mainnet' }).networkMismatch).toBe(false);
    expect(decodeTx(tx).networkMismatch).toBe(false);
  });

  it('ownership is byte-for-byte: Byron, enterprise and look-alike base addresses are not ours', () => {
    const xpub = CSL.Bip32PrivateKey.from_bip39_entropy(
      new Uint8Array(16).fill(7),
      new Uint8Array(),
    ).to_public();
    const byron = CSL.ByronAddress.icarus_from_key(xpub, 764824073).to_address();
    const cred = (h: string) => CSL.Credential.from_keyhash(CSL.Ed25519KeyHash.from_hex(h));
    const enterprise = CSL.EnterpriseAddress.new(0, cred(ME.paymentKeyHash)).to_address();
    const outs = CSL.TransactionOutputs.new();
    for (const a of [byron, enterprise, CSL.Address.from_bech32(ME.baseAddress)]) {
      outs.add(CSL.TransactionOutput.new(a, CSL.Value.new(CSL.BigNum.from_str('1000000'))));
    }
    const ins = CSL.TransactionInputs.new();
    ins.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(1)), 0));
    const body = CSL.TransactionBody.new_tx_body(ins, outs, CSL.BigNum.from_str('1'));
    const tx = CSL.Transaction.new(body, CSL.TransactionWitnessSet.new()).to_hex();
    const s = decodeTx(tx, { network: 'preprod', walletAddresses: [ME.baseAddress] });
    expect(s.outputs.map((o) => [o.addressInfo.type, o.ours])).toEqual([
      ['byron', false],
      ['enterprise', false],
      ['base', true],
    ]);
    expect(s.outputs[0]!.addressInfo.networkId).toBe(1);
    expect(s.networkMismatch).toBe(true);
    expect(s.outputs[1]!.addressInfo.payment).toEqual({
      kind: 'key',
      hash: ME.paymentKeyHash,
      wallet: 'payment',
    });
    expect(s.outflow.spend.lovelace).toBe('2000001');
    expect(s.outflow.headline).toBe('spend');
  });
});
