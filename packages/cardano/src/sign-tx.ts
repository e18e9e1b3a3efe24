/**
 * @module sign-tx — CIP-30 `signTx`.
 *
 * The transaction hash is blake2b-256 of the body bytes exactly as received
 * (`FixedTransaction.transaction_hash()`): re-serialising could change the bytes
 * (indefinite lengths, map order, set tags) and so the hash the ledger checks.
 * CIP-30: signTx returns only the `transaction_witness_set`, never the whole tx.
 */
import { TrineError } from '@trine/core/errors';
import { type Network, parseAddress, parseNetwork, paymentCredentialOf } from './address.ts';
import { CSL, cslCall, freeAll } from './csl.ts';
import { assertEntropy, withAccountKeys } from './keys.ts';
import { keyNeeds, parseResolvedInputs, parseTx, type ResolvedInput } from './tx.ts';

export type { ResolvedInput } from './tx.ts';

export interface SignTxOptions {
  /** CIP-30 partialSign: sign what we can instead of failing on a foreign key. */
  partialSign: boolean;
  /** The host's resolution of the tx inputs (and collateral), for ownership. */
  resolvedInputs?: ResolvedInput[];
}

/**
 * Signs a transaction and returns a CIP-30 `transaction_witness_set` CBOR hex holding
 * a payment-key witness when an input, collateral input, required signer or native
 * script of the tx is ours, and a stake-key witness when a withdrawal, a certificate,
 * a required signer or a native script needs our stake key.
 *
 * Throws TrineError PROOF_GENERATION when `partialSign` is false and the tx needs a key
 * we do not hold. With `partialSign` true the witness set may be empty.
 *
 * @example
 * const witnessSetHex = signTx(entropy, 'preprod', txHex, { partialSign: false });
 */
export function signTx(
  entropy: Uint8Array,
  network: Network,
  txCborHex: string,
  opts: SignTxOptions,
): string {
  assertEntropy(entropy);
  parseNetwork(network);
  if (typeof opts !== 'object' || opts === null) throw new TypeError('opts must be an object');
  if (typeof opts.partialSign !== 'boolean') {
    throw new TypeError('opts.partialSign must be a boolean');
  }
  const resolved = parseResolvedInputs(opts.resolvedInputs);
  const tx = parseTx(txCborHex);
  try {
    const txHash = cslCall('TX_MALFORMED', 'tx body cannot be hashed', () => tx.transaction_hash());
    return withAccountKeys(entropy, (keys) => {
      const needs = keyNeeds(tx, keys, resolved);
      if (!opts.partialSign && needs.foreign.length > 0) {
        throw new TrineError(
          'PROOF_GENERATION',
          `tx needs keys this wallet does not hold: ${needs.foreign.slice(0, 5).join(', ')}${
            needs.foreign.length > 5 ? ', …' : ''
          }`,
          { details: { foreignKeys: needs.foreign.length } },
        );
      }
      const vkeys = CSL.Vkeywitnesses.new();
      const witnessSet = CSL.TransactionWitnessSet.new();
      try {
        if (needs.payment) vkeys.add(CSL.make_vkey_witness(txHash, keys.payment));
        if (needs.stake) vkeys.add(CSL.make_vkey_witness(txHash, keys.stake));
        if (vkeys.len() > 0) witnessSet.set_vkeys(vkeys);
        return witnessSet.to_hex();
      } finally {
        freeAll(witnessSet, vkeys);
      }
    });
  } finally {
    tx.free();
  }
}

/**
 * What `signTx(…, { partialSign: false, resolvedInputs })` would refuse, decided from
 * public data only (the wallet's base and reward addresses), so the wallet can answer
 * CIP-30 ProofGeneration before the user is asked to approve anything. Returns the
 * non-secret reasons (empty: every needed key is the wallet's). Same rules as signTx
 * (tx.ts `keyNeeds`).
 *
 * @example
 * if (foreignKeysNeeded(txHex, { baseAddress, rewardAddress }, resolved).length) refuse();
 */
export function foreignKeysNeeded(
  txCborHex: string,
  wallet: { baseAddress: string; rewardAddress: string },
  resolvedInputs?: ResolvedInput[],
): string[] {
  const hashOf = (address: string, title: string) => {
    const a = parseAddress(address, title);
    try {
      const cred = paymentCredentialOf(a);
      if (cred?.kind !== 'key') {
        throw new TrineError('ADDRESS_MALFORMED', `${title} has no key credential`);
      }
      return cred.hash;
    } finally {
      a.free();
    }
  };
  const ours = {
    paymentKeyHash: hashOf(wallet.baseAddress, 'baseAddress'),
    stakeKeyHash: hashOf(wallet.rewardAddress, 'rewardAddress'),
  };
  const resolved = parseResolvedInputs(resolvedInputs);
  const tx = parseTx(txCborHex);
  try {
    return keyNeeds(tx, ours, resolved).foreign;
  } finally {
    tx.free();
  }
}
