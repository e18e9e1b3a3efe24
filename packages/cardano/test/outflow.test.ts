/**
 * The headline property (issue 10): for random transactions built from the wallet's and
 * foreign addresses, decodeTx's headline equals an independent computation from the body
 * bytes alone — read here with cbor-x, not CSL, and compared byte for byte with the
 * wallet's addresses (bech32 decoded by the test's own decoder).
 */
import { Decoder } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSL } from '../src/csl.ts';
import { decodeTx } from '../src/decode-tx.ts';
import { ME, ME_MAINNET, OTHER, POLICY, TXH } from './fixtures.ts';
import { bech32Bytes, hex, unhex } from './helpers.ts';

const cred = (h: string) => CSL.Credential.from_keyhash(CSL.Ed25519KeyHash.from_hex(h));
const FOREIGN_STAKE = CSL.BaseAddress.new(0, cred(ME.paymentKeyHash), cred(OTHER.stakeKeyHash))
  .to_address()
  .to_bech32();
const ENTERPRISE_OURS = CSL.EnterpriseAddress.new(0, cred(ME.paymentKeyHash))
  .to_address()
  .to_bech32();
const ADDRESSES = [
  ME.baseAddress,
  ME.baseAddress,
  OTHER.baseAddress,
  FOREIGN_STAKE,
  ENTERPRISE_OURS,
  ME_MAINNET.baseAddress,
];
const WALLET = [ME.baseAddress, ME.rewardAddress];
const WALLET_BYTES = new Set(WALLET.map((a) => hex(bech32Bytes(a))));

const lovelace = fc.bigInt({ min: 1n, max: 10n ** 16n });
const outArb = fc.record({
  to: fc.constantFrom(...ADDRESSES),
  lovelace,
  asset: fc.option(
    fc.tuple(fc.uint8Array({ maxLength: 8 }), fc.bigInt({ min: 1n, max: 10n ** 12n })),
  ),
});
const txArb = fc.record({
  outputs: fc.array(outArb, { minLength: 1, maxLength: 5 }),
  fee: fc.bigInt({ min: 0n, max: 10n ** 9n }),
  donation: fc.option(lovelace),
  stakeDeposit: fc.option(lovelace),
  drepDeposit: fc.option(lovelace),
  proposalDeposit: fc.option(lovelace),
  collateral: fc.option(
    fc.record({
      total: fc.option(lovelace),
      ret: fc.option(fc.record({ to: fc.constantFrom(...ADDRESSES), lovelace })),
    }),
  ),
  isValid: fc.boolean(),
});
type TxSpec = typeof txArb extends fc.Arbitrary<infer T> ? T : never;

const big = (n: bigint) => CSL.BigNum.from_str(n.toString());
const out = (to: string, l: bigint) =>
  CSL.TransactionOutput.new(CSL.Address.from_bech32(to), CSL.Value.new(big(l)));

function build(t: TxSpec): string {
  const outs = CSL.TransactionOutputs.new();
  for (const o of t.outputs) {
    const value = CSL.Value.new(big(o.lovelace));
    if (o.asset) {
      const ma = CSL.MultiAsset.new();
      ma.set_asset(CSL.ScriptHash.from_hex(POLICY), CSL.AssetName.new(o.asset[0]), big(o.asset[1]));
      value.set_multiasset(ma);
    }
    outs.add(CSL.TransactionOutput.new(CSL.Address.from_bech32(o.to), value));
  }
  const ins = CSL.TransactionInputs.new();
  ins.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(1)), 0));
  const body = CSL.TransactionBody.new_tx_body(ins, outs, big(t.fee));
  if (t.donation !== null) body.set_donation(big(t.donation));
  const certs = CSL.Certificates.new();
  if (t.stakeDeposit !== null) {
    certs.add(
      CSL.Certificate.new_reg_cert(
        CSL.StakeRegistration.new_with_explicit_deposit(cred(ME.stakeKeyHash), big(t.stakeDeposit)),
      ),
    );
  }
  if (t.drepDeposit !== null) {
    certs.add(
      CSL.Certificate.new_drep_registration(
        CSL.DRepRegistration.new(cred(OTHER.stakeKeyHash), big(t.drepDeposit)),
      ),
    );
  }
  if (certs.len() > 0) body.set_certs(certs);
  if (t.proposalDeposit !== null) {
    const ps = CSL.VotingProposals.new();
    ps.add(
      CSL.VotingProposal.new(
        CSL.GovernanceAction.new_info_action(CSL.InfoAction.new()),
        CSL.Anchor.new(
          CSL.URL.new('https://x.example'),
          CSL.AnchorDataHash.from_hex('00'.repeat(32)),
        ),
        CSL.RewardAddress.from_address(CSL.Address.from_bech32(OTHER.rewardAddress))!,
        big(t.proposalDeposit),
      ),
    );
    body.set_voting_proposals(ps);
  }
  if (t.collateral) {
    const c = CSL.TransactionInputs.new();
    c.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(9)), 0));
    body.set_collateral(c);
    if (t.collateral.total !== null) body.set_total_collateral(big(t.collateral.total));
    if (t.collateral.ret)
      body.set_collateral_return(out(t.collateral.ret.to, t.collateral.ret.lovelace));
  }
  return CSL.FixedTransaction.new(
    body.to_bytes(),
    CSL.TransactionWitnessSet.new().to_bytes(),
    t.isValid,
  ).to_hex();
}

// ---- the independent computation: cbor-x over the raw bytes, Conway CDDL field numbers ----
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const list = (x: unknown): unknown[] => (x instanceof Set ? [...x] : ((x as unknown[]) ?? []));
const n = (x: unknown): bigint => BigInt(x as number | bigint);

/** [address bytes, coin, assets] of a legacy (array) or post-Alonzo (map) output. */
function readOutput(o: unknown): [string, bigint, Map<string, bigint>] {
  const addr = o instanceof Map ? o.get(0) : (o as unknown[])[0];
  const value = o instanceof Map ? o.get(1) : (o as unknown[])[1];
  const assets = new Map<string, bigint>();
  if (Array.isArray(value)) {
    for (const [policy, names] of value[1] as Map<Uint8Array, Map<Uint8Array, unknown>>) {
      for (const [name, q] of names) assets.set(`${hex(policy)}.${hex(name)}`, n(q));
    }
    return [hex(addr as Uint8Array), n(value[0]), assets];
  }
  return [hex(addr as Uint8Array), n(value), assets];
}

function independentHeadline(txHex: string) {
  const [body, , isValid] = decoder.decode(unhex(txHex)) as [
    Map<number, unknown>,
    unknown,
    boolean,
  ];
  let toOthers = 0n;
  const assets = new Map<string, bigint>();
  for (const o of list(body.get(1))) {
    const [addr, coin, a] = readOutput(o);
    if (WALLET_BYTES.has(addr)) continue;
    toOthers += coin;
    for (const [k, q] of a) assets.set(k, (assets.get(k) ?? 0n) + q);
  }
  let deposits = 0n;
  for (const c of list(body.get(4)) as unknown[][]) {
    const kind = Number(c[0]);
    if (kind === 7 || kind === 16) deposits += n(c[2]); // reg_cert, reg_drep_cert: [k, cred, coin, …]
    if (kind === 11 || kind === 12) deposits += n(c[3]);
    if (kind === 13) deposits += n(c[4]);
  }
  for (const p of list(body.get(20)) as unknown[][]) deposits += n(p[0]); // [deposit, reward_account, action, anchor]
  const spend = toOthers + n(body.get(2)) + deposits + n(body.get(22) ?? 0);
  const collateralInputs = list(body.get(13)).length;
  if (collateralInputs > 0 && body.has(17)) {
    let coll = n(body.get(17));
    if (body.has(16)) {
      const [addr, coin] = readOutput(body.get(16));
      if (!WALLET_BYTES.has(addr)) coll += coin;
    }
    if (coll > spend || (coll === spend && !isValid)) return { lovelace: coll, assets: null };
  }
  return { lovelace: spend, assets };
}

describe('headline property', () => {
  it('decodeTx’s headline = the independent computation from the body bytes', () => {
    fc.assert(
      fc.property(txArb, (t) => {
        const txHex = build(t);
        const s = decodeTx(txHex, { network: 'preprod', walletAddresses: WALLET });
        const f = s.outflow;
        const shown = f.headline === 'spend' ? f.spend : f.collateral!;
        const want = independentHeadline(txHex);
        expect(shown.lovelace).toBe(want.lovelace.toString());
        if (want.assets) {
          const got = new Map(
            shown.assets.map((a) => [`${a.policyId}.${a.assetName}`, BigInt(a.quantity)]),
          );
          expect(got).toEqual(new Map([...want.assets].filter(([, q]) => q !== 0n)));
        }
        // A host's resolved inputs never move the headline.
        const lied = decodeTx(txHex, {
          network: 'preprod',
          walletAddresses: WALLET,
          resolvedInputs: [
            { txHash: TXH(1), index: 0, address: OTHER.baseAddress, value: { lovelace: '1' } },
          ],
        });
        expect(lied.outflow).toEqual(f);
      }),
      { numRuns: 150 },
    );
  });

  it('the computation can fail: sending to a foreign-stake address is counted', () => {
    const t: TxSpec = {
      outputs: [{ to: FOREIGN_STAKE, lovelace: 5n, asset: null }],
      fee: 1n,
      donation: null,
      stakeDeposit: null,
      drepDeposit: null,
      proposalDeposit: null,
      collateral: null,
      isValid: true,
    };
    const s = decodeTx(build(t), { walletAddresses: WALLET });
    expect(s.outflow.spend.lovelace).toBe('6');
    expect(s.outputs[0]!.ours).toBe(false);
    expect(s.outputs[0]!.addressInfo.payment).toEqual({
      kind: 'key',
      hash: ME.paymentKeyHash,
      wallet: 'payment',
    });
    expect(s.outputs[0]!.addressInfo.stake).toEqual({ kind: 'key', hash: OTHER.stakeKeyHash });
  });
});
