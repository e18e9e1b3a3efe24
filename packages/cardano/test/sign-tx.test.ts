import { describe, expect, it } from 'vitest';
import { CSL } from '../src/csl.ts';
import { signTx } from '../src/sign-tx.ts';
import { buildTx, ENTROPY, ME, OTHER, POLICY, POOL, stakeCred, TXH } from './fixtures.ts';
import { hex, rawBodyBytes, unhex, verifyWitnesses } from './helpers.ts';

const sign = (tx: string, opts: Parameters<typeof signTx>[3] = { partialSign: false }) => {
  const ws = signTx(ENTROPY, 'preprod', tx, opts);
  return { ws, signers: verifyWitnesses(tx, ws) };
};

const resolvedMine = (ref: [string, number], lovelace = '5000000') => ({
  txHash: ref[0],
  index: ref[1],
  address: ME.baseAddress,
  value: { lovelace },
});

describe('signTx', () => {
  it('simple payment: one payment-key witness over the received body bytes', () => {
    const tx = buildTx();
    const { signers } = sign(tx);
    expect(signers).toEqual([ME.paymentKeyHash]);
  });

  it('withdrawal from our reward address adds the stake-key witness', () => {
    const tx = buildTx({ withdrawals: [[ME.rewardAddress, '1234567']] });
    expect(sign(tx).signers).toEqual([ME.paymentKeyHash, ME.stakeKeyHash]);
  });

  it('Conway stake registration (with deposit) and delegation need the stake key', () => {
    const reg = CSL.Certificate.new_reg_cert(
      CSL.StakeRegistration.new_with_explicit_deposit(
        stakeCred(ME.stakeKeyHash),
        CSL.BigNum.from_str('2000000'),
      ),
    );
    const deleg = CSL.Certificate.new_stake_delegation(
      CSL.StakeDelegation.new(stakeCred(ME.stakeKeyHash), CSL.Ed25519KeyHash.from_hex(POOL)),
    );
    expect(sign(buildTx({ certs: [reg, deleg] })).signers).toEqual([
      ME.paymentKeyHash,
      ME.stakeKeyHash,
    ]);
  });

  it('legacy stake registration (cert 0) needs no witness, so no stake signature', () => {
    const reg = CSL.Certificate.new_stake_registration(
      CSL.StakeRegistration.new(stakeCred(ME.stakeKeyHash)),
    );
    expect(sign(buildTx({ certs: [reg] })).signers).toEqual([ME.paymentKeyHash]);
  });

  it('required signers: our stake key → stake witness; our payment key → payment witness', () => {
    const tx = buildTx({ requiredSigners: [ME.stakeKeyHash] });
    const resolvedForeign = [{ txHash: TXH(1), index: 0, address: OTHER.baseAddress }];
    // the only input is foreign, so the payment witness comes from the required signer alone
    expect(sign(tx, { partialSign: true, resolvedInputs: resolvedForeign }).signers).toEqual([
      ME.stakeKeyHash,
    ]);
    const tx2 = buildTx({ requiredSigners: [ME.paymentKeyHash] });
    expect(sign(tx2, { partialSign: true, resolvedInputs: resolvedForeign }).signers).toEqual([
      ME.paymentKeyHash,
    ]);
  });

  it('mint with assets under a native script of our payment key', () => {
    const script = CSL.NativeScript.new_script_pubkey(
      CSL.ScriptPubkey.new(CSL.Ed25519KeyHash.from_hex(ME.paymentKeyHash)),
    );
    const policy = script.hash().to_hex();
    const tx = buildTx({
      mint: [[policy, hex(new TextEncoder().encode('TRINE')), '1000']],
      outputs: [
        { address: ME.baseAddress, lovelace: '1500000', assets: [[policy, '5452494e45', '1000']] },
      ],
      nativeScripts: [script],
    });
    const foreignInput = [{ txHash: TXH(1), index: 0, address: OTHER.baseAddress }];
    // even with only foreign inputs, our key in the policy script earns a payment witness
    expect(sign(tx, { partialSign: true, resolvedInputs: foreignInput }).signers).toEqual([
      ME.paymentKeyHash,
    ]);
  });

  it('foreign input: PROOF_GENERATION without partialSign; only our witness with it', () => {
    const tx = buildTx({
      inputs: [
        [TXH(1), 0],
        [TXH(2), 1],
      ],
    });
    const resolvedInputs = [
      resolvedMine([TXH(1), 0]),
      { txHash: TXH(2), index: 1, address: OTHER.baseAddress, value: { lovelace: '3000000' } },
    ];
    expect(() => signTx(ENTROPY, 'preprod', tx, { partialSign: false, resolvedInputs })).toThrow(
      expect.objectContaining({ name: 'TrineError', code: 'PROOF_GENERATION' }),
    );
    try {
      signTx(ENTROPY, 'preprod', tx, { partialSign: false, resolvedInputs });
    } catch (e) {
      expect((e as Error).message).toMatchInlineSnapshot(
        `"tx needs keys this wallet does not hold: input ${TXH(2)}#1"`,
      );
    }
    expect(sign(tx, { partialSign: true, resolvedInputs }).signers).toEqual([ME.paymentKeyHash]);
  });

  it('foreign required signer, foreign withdrawal, foreign stake cert → PROOF_GENERATION', () => {
    const deleg = CSL.Certificate.new_stake_delegation(
      CSL.StakeDelegation.new(stakeCred(OTHER.stakeKeyHash), CSL.Ed25519KeyHash.from_hex(POOL)),
    );
    for (const tx of [
      buildTx({ requiredSigners: [OTHER.paymentKeyHash] }),
      buildTx({ withdrawals: [[OTHER.rewardAddress, '1']] }),
      buildTx({ certs: [deleg] }),
    ]) {
      expect(() => signTx(ENTROPY, 'preprod', tx, { partialSign: false })).toThrow(
        expect.objectContaining({ code: 'PROOF_GENERATION' }),
      );
      expect(sign(tx, { partialSign: true }).signers).toEqual([ME.paymentKeyHash]);
    }
  });

  it('inputs at a script address need no key; collateral at our address needs the payment key', () => {
    const scriptAddr = CSL.EnterpriseAddress.new(
      0,
      CSL.Credential.from_scripthash(CSL.ScriptHash.from_hex(POLICY)),
    )
      .to_address()
      .to_bech32();
    const tx = buildTx({ inputs: [[TXH(3), 0]], collateral: [[TXH(4), 0]] });
    const resolvedInputs = [
      { txHash: TXH(3), index: 0, address: scriptAddr },
      resolvedMine([TXH(4), 0]),
    ];
    expect(sign(tx, { partialSign: false, resolvedInputs }).signers).toEqual([ME.paymentKeyHash]);
    // nothing of ours at all → an empty witness set
    const onlyScript = buildTx({ inputs: [[TXH(3), 0]] });
    const { ws, signers } = sign(onlyScript, {
      partialSign: false,
      resolvedInputs: [{ txHash: TXH(3), index: 0, address: scriptAddr }],
    });
    expect(signers).toEqual([]);
    expect(ws).toBe('a0');
  });

  it('non-canonical body (indefinite-length map and arrays) is hashed exactly as received', () => {
    // Hand-assembled: [ {_ 0: [_ [h, 0]], 1: [_ [addr, 2000000]], 2: 170000 }, {}, true, null ]
    const addr = CSL.Address.from_bech32(OTHER.baseAddress).to_bytes();
    const body = Buffer.concat([
      Buffer.from('bf', 'hex'),
      Buffer.from('009f825820', 'hex'),
      Buffer.from(TXH(7), 'hex'),
      Buffer.from('00ff', 'hex'),
      Buffer.from('019f825839', 'hex'),
      Buffer.from(addr),
      Buffer.from('1a001e8480ff', 'hex'),
      Buffer.from('021a00029810', 'hex'),
      Buffer.from('ff', 'hex'),
    ]);
    const txHex = `84${body.toString('hex')}a0f5f6`;
    expect(hex(rawBodyBytes(txHex))).toBe(body.toString('hex'));
    const { signers } = sign(txHex);
    expect(signers).toEqual([ME.paymentKeyHash]);
    // a re-serialised body would hash differently: the witness is over the original bytes
    const reserialised = CSL.FixedTransaction.from_hex(txHex).body().to_bytes();
    expect(hex(reserialised)).not.toBe(body.toString('hex'));
  });

  it('returns only a witness set (CIP-30), never the transaction', () => {
    const ws = signTx(ENTROPY, 'preprod', buildTx(), { partialSign: false });
    expect(unhex(ws)[0]! >> 5).toBe(5); // a CBOR map
  });
});
