/**
 * @module sign-data — `trine sign-data`: a CIP-30 DataSignature (CIP-8 COSE_Sign1 + COSE_Key).
 */
import { signData as sign } from '@trine/cardano/sign-data';
import { wipe } from '@trine/core/wipe';
import {
  entropyFrom,
  MNEMONIC_OPTIONS,
  OPTIONAL_NETWORK_OPTION,
  parse,
  required,
} from '../args.ts';
import { addressNetworkId, resolveNetwork } from '../network.ts';

export const signDataHelp = `trine sign-data (--mnemonic "<words>" | --mnemonic-file F) --address <bech32|hex> --payload <hex> [--network N]
  Prints {signature, key} as JSON (CIP-30 signData). The address must be the wallet's base
  address (signed with the payment key) or reward address (signed with the stake key).
  The network comes from the address (addr1…/stake1… mainnet, addr_test1…/stake_test1…
  a test network); --network is needed only for an address that does not say it, and
  one that disagrees with the address fails with NETWORK_CONFLICT.`;

export function signData(argv: string[]): string {
  const { values } = parse(argv, {
    ...MNEMONIC_OPTIONS,
    ...OPTIONAL_NETWORK_OPTION,
    address: { type: 'string' },
    payload: { type: 'string' },
  });
  const address = required(values.address, '--address');
  const payload = values.payload ?? required(undefined, '--payload');
  const network = resolveNetwork(values.network, addressNetworkId(address), 'the address', true)!;
  const entropy = entropyFrom(values);
  try {
    return JSON.stringify(sign(entropy, network, address, payload), null, 2);
  } finally {
    wipe(entropy);
  }
}
