/**
 * @module chain — what the SDK needs from the chain, on the host side (DESIGN.md §6):
 * UTxOs of an address, protocol parameters and submission. No key is ever needed.
 * Balance and collateral are derived from UTxOs.
 */
import type { OutRef, ResolvedInput } from '@trine/protocol/methods';
import type { Utxo } from './value.ts';

export type { Utxo } from './value.ts';

export interface ChainProvider {
  /** Every UTxO at `address` (bech32); an unused address has none. */
  getUtxos(address: string): Promise<Utxo[]>;
  /** The current protocol parameters, in the provider's JSON shape. */
  getProtocolParameters(): Promise<Record<string, unknown>>;
  /** Submits a signed transaction (CBOR hex); resolves with its hash (hex). */
  submitTx(txCborHex: string): Promise<string>;
  /**
   * Resolves output references anywhere on chain (for the wallet's approval screen).
   * Optional: without it the SDK resolves only the wallet's own UTxOs. References it
   * cannot resolve are left out.
   */
  resolveInputs?(refs: OutRef[]): Promise<ResolvedInput[]>;
}
