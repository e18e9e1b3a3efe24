/**
 * @module sample-tx — a small payment transaction assembled by hand with the SDK's CBOR
 * encoder (no serialization library in the host: it must stay tiny). Conway CDDL:
 * `transaction = [body, witness_set, true, auxiliary_data / null]`, body a map with
 * inputs (0), outputs (1) and fee (2); outputs in the legacy `[address, coin]` form.
 *
 * The fee follows the linear rule `min_fee_a × size + min_fee_b`, with the size of the
 * signed transaction estimated from the body plus one vkey witness per distinct input
 * address (a vkey witness is `[bytes .size 32, bytes .size 64]`, 101 bytes).
 */
import { type Cbor, encode, fromHex, toHex } from '@trine/web3-sdk/cbor';
import type { Utxo } from '@trine/web3-sdk/chain';
import { addressBytes } from '@trine/web3-sdk/value';

/** The abandon…art test mnemonic's preprod base address: a fixed recipient. */
export const RECIPIENT =
  'addr_test1qqqt0pru382hy9vjlsxv3ye02z50sfvt8xunscg5pgden77z73dpdfng2ctw2ekqplqgrljelz7h4dneac27nn3qx3rqqpavzj';
/** Another wallet (zoo…wrong): its UTxO needs a key the demo user's wallet does not hold. */
export const FOREIGN_ADDRESS =
  'addr_test1qzpjv933p0lj92032x0usxgkk0rt3w5nxfyp0uj9gju0dng2s5d4tgt67ke6epav5xnx77csfwgdpwemyacfp8s7vqaswq0kl2';

/** Ledger minimum for a pure-ADA output is about 1 ADA; keep change above it. */
export const MIN_CHANGE = 1_000_000n;
const VKEY_WITNESS_BYTES = 101;

export interface FeeParams {
  minFeeA: bigint;
  minFeeB: bigint;
}

export interface PaymentTx {
  /** The unsigned transaction (empty witness set), CBOR hex. */
  txHex: string;
  /** The body's bytes, exactly as inside txHex (what the witnesses sign). */
  bodyHex: string;
  fee: bigint;
  change: bigint;
  inputs: Utxo[];
}

export class SampleTxError extends Error {
  override readonly name = 'SampleTxError';
}

const coinOf = (u: Utxo): bigint => BigInt(u.value.lovelace);
const pureAda = (u: Utxo): boolean => Object.keys(u.value.assets ?? {}).length === 0;

/** Fee params from a ChainProvider's protocol parameters (Blockfrost names). */
export function feeParams(pp: Record<string, unknown>): FeeParams {
  const a = pp.min_fee_a;
  const b = pp.min_fee_b;
  if (
    (typeof a !== 'number' && typeof a !== 'string') ||
    (typeof b !== 'number' && typeof b !== 'string')
  ) {
    throw new SampleTxError('protocol parameters lack min_fee_a / min_fee_b');
  }
  return { minFeeA: BigInt(a), minFeeB: BigInt(b) };
}

function body(inputs: Utxo[], outputs: [string, bigint][], fee: bigint): Map<Cbor, Cbor> {
  const sorted = [...inputs].sort((x, y) =>
    x.txHash === y.txHash ? x.index - y.index : x.txHash < y.txHash ? -1 : 1,
  );
  return new Map<Cbor, Cbor>([
    [0, sorted.map((u) => [fromHex(u.txHash), u.index])],
    [1, outputs.map(([address, coin]) => [addressBytes(address), coin])],
    [2, fee],
  ]);
}

/**
 * Pays `amount` lovelace from `utxos` (pure-ADA ones, largest first) to `to`, change to
 * `changeAddress`. `extraInputs` are spent too (e.g. a foreign UTxO, for the error demo).
 *
 * @example
 * const tx = buildPayment({ utxos, changeAddress, to: RECIPIENT, amount: 2_000_000n,
 *   fee: { minFeeA: 44n, minFeeB: 155381n } });
 */
export function buildPayment(args: {
  utxos: Utxo[];
  changeAddress: string;
  to: string;
  amount: bigint;
  fee: FeeParams;
  extraInputs?: Utxo[];
}): PaymentTx {
  if (args.amount < MIN_CHANGE) throw new RangeError('amount must be at least 1 ADA');
  const extra = args.extraInputs ?? [];
  const candidates = args.utxos.filter(pureAda).sort((a, b) => (coinOf(b) > coinOf(a) ? 1 : -1));
  const chosen: Utxo[] = [...extra];
  let total = extra.reduce((s, u) => s + coinOf(u), 0n);
  // A generous bound to pick inputs; the exact fee is computed below.
  const roughFee = 300_000n;
  for (const u of candidates) {
    if (total >= args.amount + roughFee + MIN_CHANGE) break;
    chosen.push(u);
    total += coinOf(u);
  }
  if (total < args.amount + roughFee + MIN_CHANGE) {
    throw new SampleTxError(
      `not enough ADA: ${total} lovelace available, ${args.amount + roughFee + MIN_CHANGE} needed`,
    );
  }
  const signers = new Set(chosen.map((u) => u.address)).size;
  const sized = (fee: bigint) =>
    encode(
      body(
        chosen,
        [
          [args.to, args.amount],
          [args.changeAddress, total - args.amount - fee],
        ],
        fee,
      ),
    );
  // Fee and change are 4-byte CBOR integers at these sizes, so one pass settles the size:
  // tx = array(4) + body + witness map {0: [witnesses]} + true + null.
  const bodySize = BigInt(sized(roughFee).length);
  // {0: #6.258([witnesses])}: map and key 2 bytes, set tag 3, array header 1.
  const witnessSize = BigInt(6 + signers * VKEY_WITNESS_BYTES);
  const fee = args.fee.minFeeA * (1n + bodySize + witnessSize + 2n) + args.fee.minFeeB;
  const change = total - args.amount - fee;
  const bodyBytes = sized(fee);
  const tx = new Uint8Array(bodyBytes.length + 4);
  tx[0] = 0x84;
  tx.set(bodyBytes, 1);
  tx.set([0xa0, 0xf5, 0xf6], bodyBytes.length + 1);
  return { txHex: toHex(tx), bodyHex: toHex(bodyBytes), fee, change, inputs: chosen };
}

/**
 * The signed transaction: the body's bytes as they were (the witnesses sign exactly those
 * bytes, so the body is never re-encoded) with the wallet's witness set.
 */
export function withWitnesses(tx: PaymentTx, witnessSetHex: string): string {
  return `84${tx.bodyHex}${witnessSetHex}f5f6`;
}
