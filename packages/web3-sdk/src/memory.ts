/**
 * @module memory — an in-memory ChainProvider for tests and the demo: UTxOs you fund by
 * hand; submitTx applies the transaction fully — the UTxOs it spends are removed, its
 * outputs (change included) become UTxOs `{hash}#{i}` — and returns its hash (blake2b-256
 * of the body bytes exactly as received). No ledger rules (fees, balance, witnesses) are
 * checked: it is a test double, not a node. A separate subpath export, so
 * @noble/hashes never reaches the SDK's main bundle.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { bech32Encode } from '@trine/protocol/bech32';
import { ProtocolError } from '@trine/protocol/errors';
import type { OutRef, ResolvedInput, ValueJson } from '@trine/protocol/methods';
import { type Cbor, decodeFirst, encodeHex, fromHex, Tag, toHex } from './cbor.ts';
import type { ChainProvider } from './chain.ts';
import { decodeValue, type Utxo } from './value.ts';

export interface MemoryChainSeed {
  utxos?: Utxo[];
  protocolParameters?: Record<string, unknown>;
}

export interface MemoryChainProvider extends Required<ChainProvider> {
  /** Adds a UTxO at `address` (a fresh, deterministic tx hash) and returns it. */
  fund(address: string, value: ValueJson): Utxo;
  /** Every submitted transaction (CBOR hex), in order. */
  readonly submitted: readonly string[];
  /** Every UTxO currently unspent. */
  all(): Utxo[];
}

/** The transaction id: blake2b-256 of the body's bytes as they appear in `tx`. */
export function txHashOf(txCborHex: string): string {
  const bytes = fromHex(txCborHex);
  const first = bytes[0];
  // A transaction is an array of 3 (Shelley) or 4 (Alonzo+) items; the body comes first.
  if (first !== 0x83 && first !== 0x84)
    throw new RangeError('tx must be a CBOR array of 3 or 4 items');
  const { end } = decodeFirst(bytes, 1);
  return toHex(blake2b(bytes.subarray(1, end), { dkLen: 32 }));
}

function spentInputs(txCborHex: string): string[] {
  const bytes = fromHex(txCborHex);
  const body = decodeFirst(bytes, 1).value;
  if (!(body instanceof Map)) throw new RangeError('tx body must be a map');
  let inputs: Cbor | undefined = body.get(0n);
  if (inputs instanceof Tag) inputs = inputs.value; // Conway: #6.258 set
  if (!Array.isArray(inputs)) throw new RangeError('tx body has no inputs');
  return inputs.map((i) => {
    if (!Array.isArray(i) || !(i[0] instanceof Uint8Array) || typeof i[1] !== 'bigint') {
      throw new RangeError('tx input is malformed');
    }
    return `${toHex(i[0])}#${i[1]}`;
  });
}

/** The bech32 form of address bytes (CIP-5 prefixes by the header's type and network). */
function addressText(bytes: Uint8Array): string {
  const header = bytes[0] ?? 0;
  const type = header >> 4;
  const testnet = (header & 0x0f) === 0;
  if (type === 8) return toHex(bytes); // Byron: kept as hex
  const prefix = type === 14 || type === 15 ? 'stake' : 'addr';
  return bech32Encode(testnet ? `${prefix}_test` : prefix, bytes);
}

/** The outputs of a transaction (body key 1), as UTxOs of `hash`. */
function producedOutputs(txCborHex: string, hash: string): Utxo[] {
  const body = decodeFirst(fromHex(txCborHex), 1).value;
  if (!(body instanceof Map)) throw new RangeError('tx body must be a map');
  const outputs = body.get(1n);
  if (!Array.isArray(outputs)) throw new RangeError('tx body has no outputs');
  return outputs.map((o, index) => {
    // Legacy [address, value, datum_hash?] or post-Alonzo {0: address, 1: value, 2, 3}.
    const m = o instanceof Map ? o : null;
    const addr = m ? m.get(0n) : Array.isArray(o) ? o[0] : undefined;
    const value = m ? m.get(1n) : Array.isArray(o) ? o[1] : undefined;
    if (!(addr instanceof Uint8Array) || value === undefined) {
      throw new RangeError('tx output is malformed');
    }
    const v = decodeValue(encodeHex(value));
    const assets: Record<string, string> = {};
    for (const [p, names] of v.assets) for (const [n, q] of names) assets[`${p}.${n}`] = `${q}`;
    const u: Utxo = {
      txHash: hash,
      index,
      address: addressText(addr),
      value: Object.keys(assets).length
        ? { lovelace: `${v.coin}`, assets }
        : { lovelace: `${v.coin}` },
    };
    const datum = m ? m.get(2n) : Array.isArray(o) ? o[2] : undefined;
    if (datum instanceof Uint8Array) u.datumHash = toHex(datum);
    else if (Array.isArray(datum) && datum[0] === 0n && datum[1] instanceof Uint8Array) {
      u.datumHash = toHex(datum[1]);
    } else if (Array.isArray(datum) && datum[0] === 1n && datum[1] instanceof Tag) {
      const inner = datum[1].value;
      if (inner instanceof Uint8Array) u.inlineDatum = toHex(inner);
    }
    const ref = m?.get(3n);
    if (ref instanceof Tag && ref.value instanceof Uint8Array) u.scriptRef = toHex(ref.value);
    return u;
  });
}

/**
 * @example
 * const chain = createMemoryChainProvider();
 * chain.fund(addressBech32, { lovelace: '25000000' });
 */
export function createMemoryChainProvider(seed: MemoryChainSeed = {}): MemoryChainProvider {
  const utxos = new Map<string, Utxo>();
  for (const u of seed.utxos ?? []) utxos.set(`${u.txHash}#${u.index}`, structuredClone(u));
  const submitted: string[] = [];
  let counter = 0;
  const params = seed.protocolParameters ?? {
    min_fee_a: 44,
    min_fee_b: 155381,
    coins_per_utxo_size: '4310',
    max_tx_size: 16384,
  };

  return {
    fund(address, value) {
      counter++;
      const txHash = toHex(
        blake2b(new TextEncoder().encode(`trine-memory-fund-${counter}`), { dkLen: 32 }),
      );
      const u: Utxo = { txHash, index: 0, address, value: structuredClone(value) };
      utxos.set(`${txHash}#0`, u);
      return structuredClone(u);
    },
    get submitted() {
      return submitted;
    },
    all: () => [...utxos.values()].map((u) => structuredClone(u)),
    getUtxos: async (address) =>
      [...utxos.values()].filter((u) => u.address === address).map((u) => structuredClone(u)),
    getProtocolParameters: async () => structuredClone(params),
    resolveInputs: async (refs: OutRef[]): Promise<ResolvedInput[]> =>
      refs.flatMap((r) => {
        const u = utxos.get(`${r.txHash.toLowerCase()}#${r.index}`);
        return u
          ? [
              {
                txHash: u.txHash,
                index: u.index,
                address: u.address,
                value: structuredClone(u.value),
              },
            ]
          : [];
      }),
    async submitTx(txCborHex) {
      let hash: string;
      let spent: string[];
      let produced: Utxo[];
      try {
        hash = txHashOf(txCborHex);
        spent = spentInputs(txCborHex);
        produced = producedOutputs(txCborHex, hash);
      } catch (e) {
        throw new ProtocolError('tx_failed', `not a transaction: ${(e as Error).message}`);
      }
      const missing = spent.filter((k) => !utxos.has(k));
      if (missing.length > 0)
        throw new ProtocolError(
          'tx_failed',
          `inputs not found or already spent: ${missing.join(', ')}`,
        );
      for (const k of spent) utxos.delete(k);
      for (const u of produced) utxos.set(`${u.txHash}#${u.index}`, u);
      submitted.push(txCborHex);
      return hash;
    },
  };
}
