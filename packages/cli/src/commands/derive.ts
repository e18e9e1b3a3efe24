/**
 * @module derive — `trine derive`: the wallet's public data from its mnemonic.
 */
import { deriveWallet } from '@trine/cardano/keys';
import { wipe } from '@trine/core/wipe';
import { entropyFrom, MNEMONIC_OPTIONS, NETWORK_OPTION, networkFrom, parse } from '../args.ts';

export const deriveHelp = `trine derive (--mnemonic "<words>" | --mnemonic-file F) [--network mainnet|preprod|preview]
  Prints {baseAddress, rewardAddress, paymentKeyHash, stakeKeyHash, keyId} as JSON.`;

export function derive(argv: string[]): string {
  const { values } = parse(argv, { ...MNEMONIC_OPTIONS, ...NETWORK_OPTION });
  const network = networkFrom(values);
  const entropy = entropyFrom(values);
  try {
    const w = deriveWallet(entropy, network);
    return JSON.stringify(
      {
        baseAddress: w.baseAddress,
        rewardAddress: w.rewardAddress,
        paymentKeyHash: w.paymentKeyHash,
        stakeKeyHash: w.stakeKeyHash,
        keyId: w.keyId,
      },
      null,
      2,
    );
  } finally {
    wipe(entropy);
  }
}
