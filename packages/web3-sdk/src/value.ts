/**
 * @module value — Cardano values and UTxOs as CIP-30 returns them: CBOR hex of a
 * `value` (`coin / [coin, multiasset]`) and of a `transaction_unspent_output`
 * (`[transaction_input, transaction_output]`), per the Conway CDDL.
 */
import type { ValueJson } from '@trine/protocol/methods';
import { bech32Decode } from './bech32.ts';
import {
  type Cbor,
  type CborMap,
  compareBytes,
  decode,
  encodeHex,
  fromHex,
  Tag,
  toHex,
} from './cbor.ts';

/** A value with bigint quantities; assets keyed by policy id hex, then asset name hex. */
export interface Value {
  coin: bigint;
  assets: Map<string, Map<string, bigint>>;
}

/** A UTxO as a ChainProvider reports it. */
export interface Utxo {
  txHash: string;
  index: number;
  /** bech32 (or raw hex) address. */
  address: string;
  value: ValueJson;
  /** Datum hash (32 bytes hex), for an output that carries one. */
  datumHash?: string;
  /** Inline datum (CBOR hex of the plutus data), for an output that carries one. */
  inlineDatum?: string;
  /**
   * Reference script: CBOR hex of the ledger's `script` item (`[0, native_script]`,
   * `[1, bytes]` Plutus V1, `[2, bytes]` V2, `[3, bytes]` V3). Kept, so a Conway dApp that
   * sees the UTxO pays the reference-script fee it must.
   */
  scriptRef?: string;
}

export const emptyValue = (): Value => ({ coin: 0n, assets: new Map() });

/** From the JSON shape (`assets` keyed `policyIdHex.assetNameHex`). */
export function valueFromJson(json: ValueJson): Value {
  const v: Value = { coin: BigInt(json.lovelace), assets: new Map() };
  for (const [unit, q] of Object.entries(json.assets ?? {})) {
    const [policy = '', name = ''] = unit.toLowerCase().split('.');
    addAsset(v, policy, name, BigInt(q));
  }
  return v;
}

function addAsset(v: Value, policy: string, name: string, q: bigint): void {
  if (q === 0n) return;
  let m = v.assets.get(policy);
  if (!m) {
    m = new Map();
    v.assets.set(policy, m);
  }
  m.set(name, (m.get(name) ?? 0n) + q);
}

/** a + b (new value). */
export function addValues(a: Value, b: Value): Value {
  const out: Value = { coin: a.coin + b.coin, assets: new Map() };
  for (const v of [a, b])
    for (const [p, m] of v.assets) for (const [n, q] of m) addAsset(out, p, n, q);
  return out;
}

/** True when `have` holds at least `need` of lovelace and of every asset. */
export function covers(have: Value, need: Value): boolean {
  if (have.coin < need.coin) return false;
  for (const [p, m] of need.assets) {
    for (const [n, q] of m) if ((have.assets.get(p)?.get(n) ?? 0n) < q) return false;
  }
  return true;
}

/** The CBOR item of a value: a bare coin when there are no assets. Keys in canonical order. */
export function valueToCbor(v: Value): Cbor {
  if (v.assets.size === 0) return v.coin;
  const policies = [...v.assets.keys()].map(fromHex).sort(compareBytes);
  const ma: CborMap = new Map();
  for (const p of policies) {
    const names = v.assets.get(toHex(p)) as Map<string, bigint>;
    const inner: CborMap = new Map();
    for (const n of [...names.keys()].map(fromHex).sort(compareBytes)) {
      inner.set(n, names.get(toHex(n)) as bigint);
    }
    ma.set(p, inner);
  }
  return [v.coin, ma];
}

/** CIP-30 `getBalance` format: CBOR hex of a value. */
export const encodeValue = (v: Value): string => encodeHex(valueToCbor(v));

const isUint = (x: Cbor): x is bigint =>
  typeof x === 'bigint' && x >= 0n && x <= 0xffff_ffff_ffff_ffffn;

/** Decodes a CBOR hex `value` (as dApps pass to `getUtxos(amount)`). RangeError when malformed. */
export function decodeValue(hex: string): Value {
  const item = decode(hex);
  if (isUint(item)) return { coin: item, assets: new Map() };
  if (
    !Array.isArray(item) ||
    item.length !== 2 ||
    !isUint(item[0] as Cbor) ||
    !(item[1] instanceof Map)
  ) {
    throw new RangeError('value must be a coin or [coin, multiasset]');
  }
  const v: Value = { coin: item[0] as bigint, assets: new Map() };
  for (const [p, names] of item[1]) {
    if (!(p instanceof Uint8Array) || p.length !== 28 || !(names instanceof Map)) {
      throw new RangeError('multiasset must map 28-byte policy ids to asset maps');
    }
    for (const [n, q] of names) {
      if (!(n instanceof Uint8Array) || n.length > 32 || !isUint(q)) {
        throw new RangeError('asset names must be ≤ 32 bytes with uint quantities');
      }
      addAsset(v, toHex(p), toHex(n), q);
    }
  }
  return v;
}

/** Address bytes of a bech32 or hex address. */
export function addressBytes(address: string): Uint8Array {
  if (/^[0-9a-fA-F]+$/.test(address) && address.length % 2 === 0) return fromHex(address);
  return bech32Decode(address).bytes;
}

/**
 * CIP-30 `getUtxos` format: CBOR hex of `[transaction_input, transaction_output]`.
 * The output is the legacy array form (`[address, value]`, `[address, value, datum_hash]`)
 * unless it carries an inline datum or a reference script, which need the post-Alonzo map
 * form (`{0: address, 1: value, ? 2: datum_option, ? 3: #6.24(bytes .cbor script)}`).
 */
export function encodeUtxo(u: Utxo): string {
  const input: Cbor = [fromHex(u.txHash), u.index];
  const addr = addressBytes(u.address);
  const value = valueToCbor(valueFromJson(u.value));
  let output: Cbor;
  if (u.inlineDatum !== undefined || u.scriptRef !== undefined) {
    const m = new Map<Cbor, Cbor>([
      [0, addr],
      [1, value],
    ]);
    if (u.inlineDatum !== undefined) m.set(2, [1, new Tag(24, fromHex(u.inlineDatum))]);
    else if (u.datumHash !== undefined) m.set(2, [0, fromHex(u.datumHash)]);
    if (u.scriptRef !== undefined) m.set(3, new Tag(24, fromHex(u.scriptRef)));
    output = m;
  } else if (u.datumHash !== undefined) {
    output = [addr, value, fromHex(u.datumHash)];
  } else {
    output = [addr, value];
  }
  return encodeHex([input, output]);
}
