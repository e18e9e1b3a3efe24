/**
 * @module address — networks and address parsing.
 *
 * Networks (DESIGN.md §4): mainnet has network id 1; preprod and preview share network
 * id 0 (CIP-19 addresses carry only the id, not the protocol magic, so a preprod
 * address is also a valid preview address).
 */
import { TrineError } from '@trine/core/errors';
import { CSL, cslCall } from './csl.ts';

export type Network = 'mainnet' | 'preprod' | 'preview';

export const NETWORKS: readonly Network[] = ['mainnet', 'preprod', 'preview'];

/** Longest address string accepted (bech32, hex or Byron base58); real ones are < 250. */
export const MAX_ADDRESS_CHARS = 1024;

/**
 * Narrows `value` to a {@link Network}.
 *
 * @example
 * parseNetwork('preprod') // 'preprod'
 * parseNetwork('testnet') // throws TrineError NETWORK_UNKNOWN
 */
export function parseNetwork(value: unknown): Network {
  if (typeof value === 'string' && (NETWORKS as readonly string[]).includes(value)) {
    return value as Network;
  }
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 32)) : typeof value;
  throw new TrineError(
    'NETWORK_UNKNOWN',
    `network must be one of ${NETWORKS.join(', ')}, got ${shown}`,
  );
}

/** CIP-19 network id of a network: 1 for mainnet, 0 for the test networks. */
export function networkIdOf(network: Network): 0 | 1 {
  return network === 'mainnet' ? 1 : 0;
}

const HEX = /^[0-9a-fA-F]*$/;
const BECH32 = /^(addr|stake)(_test)?1[02-9ac-hj-np-z]+$/i;
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

/**
 * Parses an address given as bech32 (CIP-19), raw hex bytes (what CIP-30 passes) or
 * Byron base58. The caller owns (and should free) the returned CSL object.
 * Throws TypeError for a non-string, TrineError ADDRESS_MALFORMED otherwise.
 */
export function parseAddress(value: unknown, title = 'address'): CSL.Address {
  if (typeof value !== 'string') throw new TypeError(`${title} must be a string`);
  if (value.length === 0 || value.length > MAX_ADDRESS_CHARS) {
    throw new TrineError('ADDRESS_MALFORMED', `${title} must be 1..${MAX_ADDRESS_CHARS} chars`, {
      details: { length: value.length },
    });
  }
  const fail = `${title} is not a valid Cardano address`;
  let address: CSL.Address;
  if (HEX.test(value)) {
    if (value.length % 2 !== 0)
      throw new TrineError('ADDRESS_MALFORMED', `${title}: odd-length hex`);
    address = cslCall('ADDRESS_MALFORMED', fail, () => CSL.Address.from_hex(value));
  } else if (BECH32.test(value)) {
    address = cslCall('ADDRESS_MALFORMED', fail, () => CSL.Address.from_bech32(value));
  } else if (BASE58.test(value)) {
    address = cslCall('ADDRESS_MALFORMED', fail, () =>
      CSL.ByronAddress.from_base58(value).to_address(),
    );
  } else {
    throw new TrineError('ADDRESS_MALFORMED', fail);
  }
  if (address.is_malformed() || address.kind() === CSL.AddressKind.Malformed) {
    address.free();
    throw new TrineError('ADDRESS_MALFORMED', fail);
  }
  return address;
}

/** The key or script hash (hex) and kind of an address's payment credential, if any. */
export function paymentCredentialOf(
  address: CSL.Address,
): { kind: 'key' | 'script'; hash: string } | undefined {
  const kind = address.kind();
  if (kind === CSL.AddressKind.Byron || kind === CSL.AddressKind.Malformed) return undefined;
  if (kind === CSL.AddressKind.Reward) {
    const reward = CSL.RewardAddress.from_address(address);
    if (!reward) return undefined;
    const cred = reward.payment_cred();
    reward.free();
    return credentialToJson(cred);
  }
  const cred = address.payment_cred();
  return cred ? credentialToJson(cred) : undefined;
}

/** `{kind, hash}` of a CSL credential (frees it). */
export function credentialToJson(cred: CSL.Credential): { kind: 'key' | 'script'; hash: string } {
  try {
    if (cred.kind() === CSL.CredKind.Key) {
      const h = cred.to_keyhash();
      const hash = h?.to_hex() ?? '';
      h?.free();
      return { kind: 'key', hash };
    }
    const h = cred.to_scripthash();
    const hash = h?.to_hex() ?? '';
    h?.free();
    return { kind: 'script', hash };
  } finally {
    cred.free();
  }
}
