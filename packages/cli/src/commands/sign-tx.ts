/**
 * @module sign-tx — `trine sign-tx`: a CIP-30 witness set for a transaction.
 */
import { signTx as sign } from '@trine/cardano/sign-tx';
import { wipe } from '@trine/core/wipe';
import {
  entropyFrom,
  MNEMONIC_OPTIONS,
  OPTIONAL_NETWORK_OPTION,
  parse,
  required,
} from '../args.ts';
import { readTextFile } from '../io.ts';
import { resolveNetwork, txNetworkId } from '../network.ts';

export const signTxHelp = `trine sign-tx (--mnemonic "<words>" | --mnemonic-file F) (--tx <cborHex> | --tx-file F) [--partial] [--network N]
  Prints the transaction_witness_set CBOR hex (CIP-30 signTx). Every input is taken as
  the wallet's. Without --partial, a transaction that needs a key this wallet does not
  hold (a foreign required signer, certificate or withdrawal) fails with PROOF_GENERATION.
  The network comes from the transaction (its network id and addresses); the witness is
  the same on every network, so --network is optional: given, it must agree with the
  transaction (else NETWORK_CONFLICT).`;

export function signTx(argv: string[]): string {
  const { values } = parse(argv, {
    ...MNEMONIC_OPTIONS,
    ...OPTIONAL_NETWORK_OPTION,
    tx: { type: 'string' },
    'tx-file': { type: 'string' },
    partial: { type: 'boolean', default: false },
  });
  const tx =
    values['tx-file'] !== undefined
      ? readTextFile(values['tx-file'], 'transaction').trim()
      : required(values.tx, '--tx');
  // A tx that states no network (no network id, no address) signs alike on all of them.
  const network =
    resolveNetwork(values.network, txNetworkId(tx), 'the transaction', false) ?? 'mainnet';
  const entropy = entropyFrom(values);
  try {
    return sign(entropy, network, tx, { partialSign: values.partial ?? false });
  } finally {
    wipe(entropy);
  }
}
