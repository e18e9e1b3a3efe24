/**
 * @module errors — the TrineError codes of @trine/cardano.
 *
 * Every function of @trine/cardano throws `TypeError` for an argument of the wrong
 * JavaScript type and `TrineError` (from @trine/core) with one of
 * {@link CARDANO_ERROR_CODES} for a bad value. `ADDRESS_NOT_OURS` carries
 * `details.scriptCredential` so the wallet can tell CIP-30 AddressNotPK (a script
 * address) from ProofGeneration (a key we do not hold). The mapping to CIP-30 error
 * shapes lives in one place: the wallet turns these codes into protocol codes
 * (apps/wallet/src/errors.ts) and @trine/protocol/errors turns those into CIP-30.
 */
import type { TrineErrorCode } from '@trine/core/errors';

/** The TrineError codes this package throws. */
export const CARDANO_ERROR_CODES = [
  'INVALID_ARGUMENT',
  'ENTROPY_INVALID',
  'TX_MALFORMED',
  'TX_TOO_LARGE',
  'PROOF_GENERATION',
  'ADDRESS_NOT_OURS',
  'ADDRESS_MALFORMED',
  'PAYLOAD_MALFORMED',
  'NETWORK_UNKNOWN',
] as const satisfies readonly TrineErrorCode[];

export type CardanoErrorCode = (typeof CARDANO_ERROR_CODES)[number];
