/**
 * @module lucid-provider — a Lucid Evolution `Provider` over the demo's in-memory chain
 * (@trine/web3-sdk/memory), so Lucid and the SDK's CIP-30 object see one ledger: the
 * UTxOs Lucid reads, the protocol parameters its fee uses and the chain it submits to
 * are the same ones the wallet's approval screen resolves inputs from.
 *
 * The protocol parameters come from the chain (Blockfrost names: `min_fee_a`,
 * `min_fee_b`, `coins_per_utxo_size`, `max_tx_size`); what the chain does not state
 * (deposits, script prices, cost models) is Lucid's own default set. The chain runs no
 * scripts, so `evaluateTx` and `getDatum` refuse with a stable code instead of guessing.
 *
 * Only types are imported from Lucid: this file adds nothing to the first screen.
 */
import type {
  Credential,
  Delegation,
  EvalRedeemer,
  OutRef,
  ProtocolParameters,
  Provider,
  UTxO,
} from '@lucid-evolution/lucid';
import type { Utxo } from '@trine/web3-sdk/chain';
import { type MemoryChainProvider, txHashOf } from '@trine/web3-sdk/memory';

export type DemoProviderCode = 'unsupported' | 'bad_parameters';

/** What this provider cannot answer, by a stable `code`. */
export class DemoProviderError extends Error {
  override readonly name = 'DemoProviderError';
  constructor(
    readonly code: DemoProviderCode,
    message: string,
  ) {
    super(message);
  }
}

/** A memory-chain UTxO in Lucid's shape (units `policy ‖ name`, amounts as bigint). */
export function toLucidUtxo(u: Utxo): UTxO {
  const assets: Record<string, bigint> = { lovelace: BigInt(u.value.lovelace) };
  for (const [unit, q] of Object.entries(u.value.assets ?? {})) {
    assets[unit.replace('.', '')] = BigInt(q);
  }
  if (u.scriptRef) {
    // The chain keeps a script ref as raw CBOR; Lucid wants its language. None are funded
    // by the demo, so refuse rather than mislabel one.
    throw new DemoProviderError('unsupported', 'UTxOs with a reference script are not supported');
  }
  return {
    txHash: u.txHash,
    outputIndex: u.index,
    address: u.address,
    assets,
    datumHash: u.datumHash ?? null,
    datum: u.inlineDatum ?? null,
    scriptRef: null,
  };
}

/** A non-negative integer parameter (a JSON number or a decimal string, as Blockfrost gives). */
function integer(pp: Record<string, unknown>, key: string): bigint {
  const v = pp[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v);
  throw new DemoProviderError(
    'bad_parameters',
    `protocol parameter ${key} is missing or not a non-negative integer`,
  );
}

/**
 * Lucid's protocol parameters: the chain's fee, size and min-UTxO figures over
 * `defaults` (Lucid's PROTOCOL_PARAMETERS_DEFAULT, passed in so this file stays
 * type-only on Lucid).
 */
export function protocolParameters(
  pp: Record<string, unknown>,
  defaults: ProtocolParameters,
): ProtocolParameters {
  return {
    ...defaults,
    minFeeA: Number(integer(pp, 'min_fee_a')),
    minFeeB: Number(integer(pp, 'min_fee_b')),
    maxTxSize: Number(integer(pp, 'max_tx_size')),
    coinsPerUtxoByte: integer(pp, 'coins_per_utxo_size'),
  };
}

/**
 * @example
 * const lucid = await Lucid(createDemoProvider(chain, PROTOCOL_PARAMETERS_DEFAULT), 'Preprod');
 */
export function createDemoProvider(
  chain: MemoryChainProvider,
  defaults: ProtocolParameters,
): Provider {
  const all = () => chain.all().map(toLucidUtxo);
  const byAddress = async (a: string | Credential): Promise<UTxO[]> => {
    if (typeof a !== 'string') {
      throw new DemoProviderError('unsupported', 'UTxOs by payment credential are not supported');
    }
    return (await chain.getUtxos(a)).map(toLucidUtxo);
  };
  return {
    getProtocolParameters: async () =>
      protocolParameters(await chain.getProtocolParameters(), defaults),
    getUtxos: byAddress,
    getUtxosWithUnit: async (a, unit) =>
      (await byAddress(a)).filter((u) => (u.assets[unit] ?? 0n) > 0n),
    getUtxoByUnit: async (unit) => {
      const found = all().filter((u) => (u.assets[unit] ?? 0n) > 0n);
      if (found.length !== 1 || !found[0]) {
        throw new DemoProviderError('unsupported', `unit ${unit} is not held by exactly one UTxO`);
      }
      return found[0];
    },
    getUtxosByOutRef: async (refs: OutRef[]) => {
      const wanted = new Set(refs.map((r) => `${r.txHash.toLowerCase()}#${r.outputIndex}`));
      return all().filter((u) => wanted.has(`${u.txHash}#${u.outputIndex}`));
    },
    getDelegation: async (): Promise<Delegation> => ({ poolId: null, rewards: 0n }),
    getDatum: async () => {
      throw new DemoProviderError('unsupported', 'the in-memory chain keeps no datums');
    },
    // The memory chain applies a transaction when it is submitted: it is "confirmed" once
    // it is in the chain's list.
    awaitTx: async (hash) => chain.submitted.some((tx) => txHashOf(tx) === hash),
    submitTx: (tx) => chain.submitTx(tx),
    evaluateTx: async (): Promise<EvalRedeemer[]> => {
      throw new DemoProviderError('unsupported', 'the in-memory chain runs no scripts');
    },
  };
}
