/**
 * @module network — which network a signing command is for, taken from what it signs.
 *
 * A Cardano address says mainnet (network id 1) or "a test network" (0: preprod and
 * preview share it, CIP-19), and so do a transaction's body network id and its addresses.
 * `sign-data` and `sign-tx` take the network from there; `--network` is needed only when
 * the data says nothing, and when it is given it must agree (a mainnet transaction signed
 * "for preprod" is refused: that is the mistake the flag exists to catch).
 */
import { type Network, networkIdOf, parseAddress, parseNetwork } from '@trine/cardano/address';
import { decodeTx } from '@trine/cardano/decode-tx';
import { CliError } from './cli-error.ts';

/** What the signed data says: a network id, nothing (`null`), or both ids (`'mixed'`). */
export type Stated = 0 | 1 | null | 'mixed';

const idName = (id: 0 | 1) =>
  id === 1 ? 'mainnet (network id 1)' : 'a test network (network id 0)';

/** The network id the address carries, or null (an address kind without one). */
export function addressNetworkId(address: string): 0 | 1 | null {
  const a = parseAddress(address);
  try {
    const id = a.network_id();
    return id === 1 ? 1 : id === 0 ? 0 : null;
  } catch {
    return null; // CSL throws for address kinds without a network id
  } finally {
    a.free();
  }
}

/**
 * The network id a transaction states: its body's network id field and every address in
 * it (outputs, collateral return, withdrawals), as decodeTx checks them against a network.
 */
export function txNetworkId(txCborHex: string): Stated {
  const mainnetMismatch = decodeTx(txCborHex, { network: 'mainnet' }).networkMismatch;
  const testnetMismatch = decodeTx(txCborHex, { network: 'preprod' }).networkMismatch;
  if (mainnetMismatch && testnetMismatch) return 'mixed';
  if (mainnetMismatch) return 0;
  if (testnetMismatch) return 1;
  return null;
}

/**
 * The network to sign for: `--network` when given (checked against `stated`), else the
 * one `stated` names (a test network id → `preprod`: preprod and preview sign alike).
 * Throws NETWORK_CONFLICT when they disagree, USAGE when neither says (and `needed`).
 */
export function resolveNetwork(
  flag: string | undefined,
  stated: Stated,
  what: string,
  needed: boolean,
): Network | null {
  if (stated === 'mixed') {
    throw new CliError(
      'NETWORK_CONFLICT',
      `${what} mixes mainnet and test-network addresses or network id; no ledger accepts it`,
    );
  }
  if (flag !== undefined) {
    const network = parseNetwork(flag);
    if (stated !== null && networkIdOf(network) !== stated) {
      throw new CliError(
        'NETWORK_CONFLICT',
        `--network ${network} conflicts with ${what}, which is for ${idName(stated)}; drop --network (${what} says its network) or give the right one`,
      );
    }
    return network;
  }
  if (stated !== null) return stated === 1 ? 'mainnet' : 'preprod';
  if (needed) {
    throw new CliError(
      'USAGE',
      `${what} does not say its network: give --network mainnet, preprod or preview`,
    );
  }
  return null;
}
