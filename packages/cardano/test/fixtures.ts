/**
 * @module test fixtures — wallets from published entropy and transactions assembled with
 * CSL's body setters (the signer and decoder under test never build them).
 */
import { CSL } from '../src/csl.ts';
import { deriveWallet } from '../src/keys.ts';
import { unhex } from './helpers.ts';

/** Entropy of cardano-serialization-lib's `root_key_15` (test/vectors). */
export const ENTROPY = unhex('0ccb74f36b7da1649a8144675522d4d8097c6412');
/** A second, foreign wallet (CSL's `root_key_24`). */
export const OTHER_ENTROPY = unhex(
  '4e828f9a67ddcff0e6391ad4f26ddb7579f59ba14b6dd4baf63dcfdb9d2420da',
);
export const ME = deriveWallet(ENTROPY, 'preprod');
export const OTHER = deriveWallet(OTHER_ENTROPY, 'preprod');
export const ME_MAINNET = deriveWallet(ENTROPY, 'mainnet');

export const TXH = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);
export const POLICY = 'ab'.repeat(28);

export interface BodyOpts {
  inputs?: [string, number][];
  outputs?: { address: string; lovelace: string; assets?: [string, string, string][] }[];
  fee?: string;
  ttl?: string;
  validityStart?: string;
  withdrawals?: [string, string][];
  certs?: CSL.Certificate[];
  requiredSigners?: string[];
  mint?: [string, string, string][];
  collateral?: [string, number][];
  networkId?: 0 | 1;
  nativeScripts?: CSL.NativeScript[];
}

const inputsOf = (list: [string, number][]) => {
  const ins = CSL.TransactionInputs.new();
  for (const [h, i] of list) ins.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(h), i));
  return ins;
};

/** Builds an unsigned transaction (empty witness set, or native scripts) and returns its hex. */
export function buildTx(o: BodyOpts = {}): string {
  const outs = CSL.TransactionOutputs.new();
  for (const out of o.outputs ?? [{ address: OTHER.baseAddress, lovelace: '2000000' }]) {
    const value = CSL.Value.new(CSL.BigNum.from_str(out.lovelace));
    if (out.assets) {
      const ma = CSL.MultiAsset.new();
      for (const [p, n, q] of out.assets) {
        ma.set_asset(
          CSL.ScriptHash.from_hex(p),
          CSL.AssetName.new(unhex(n)),
          CSL.BigNum.from_str(q),
        );
      }
      value.set_multiasset(ma);
    }
    outs.add(CSL.TransactionOutput.new(CSL.Address.from_bech32(out.address), value));
  }
  const body = CSL.TransactionBody.new_tx_body(
    inputsOf(o.inputs ?? [[TXH(1), 0]]),
    outs,
    CSL.BigNum.from_str(o.fee ?? '170000'),
  );
  if (o.ttl) body.set_ttl(CSL.BigNum.from_str(o.ttl));
  if (o.validityStart)
    body.set_validity_start_interval_bignum(CSL.BigNum.from_str(o.validityStart));
  if (o.withdrawals) {
    const w = CSL.Withdrawals.new();
    for (const [addr, amount] of o.withdrawals) {
      w.insert(
        CSL.RewardAddress.from_address(CSL.Address.from_bech32(addr))!,
        CSL.BigNum.from_str(amount),
      );
    }
    body.set_withdrawals(w);
  }
  if (o.certs) {
    const c = CSL.Certificates.new();
    for (const cert of o.certs) c.add(cert);
    body.set_certs(c);
  }
  if (o.requiredSigners) {
    const rs = CSL.Ed25519KeyHashes.new();
    for (const h of o.requiredSigners) rs.add(CSL.Ed25519KeyHash.from_hex(h));
    body.set_required_signers(rs);
  }
  if (o.mint) {
    const m = CSL.Mint.new();
    for (const [p, n, q] of o.mint) {
      m.insert(
        CSL.ScriptHash.from_hex(p),
        CSL.MintAssets.new_from_entry(CSL.AssetName.new(unhex(n)), CSL.Int.from_str(q)),
      );
    }
    body.set_mint(m);
  }
  if (o.collateral) body.set_collateral(inputsOf(o.collateral));
  if (o.networkId !== undefined) {
    body.set_network_id(o.networkId === 1 ? CSL.NetworkId.mainnet() : CSL.NetworkId.testnet());
  }
  const ws = CSL.TransactionWitnessSet.new();
  if (o.nativeScripts) {
    const ns = CSL.NativeScripts.new();
    for (const s of o.nativeScripts) ns.add(s);
    ws.set_native_scripts(ns);
  }
  return CSL.Transaction.new(body, ws).to_hex();
}

export const stakeCred = (keyHash: string) =>
  CSL.Credential.from_keyhash(CSL.Ed25519KeyHash.from_hex(keyHash));
export const POOL = 'cd'.repeat(28);
