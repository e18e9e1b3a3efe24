/**
 * @module errors — the Cardano error codes of TrineError and their CIP-30 mapping.
 *
 * Every function of @trine/cardano throws `TypeError` for an argument of the wrong
 * JavaScript type and `TrineError` (from @trine/core) with one of
 * {@link CARDANO_ERROR_CODES} for a bad value. {@link toCip30Error} turns such an error
 * into the error object a CIP-30 wallet API must reject with.
 */
import { isTrineError, type TrineErrorCode } from '@trine/core/errors';

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

/** CIP-30 `APIErrorCode`. */
export const APIErrorCode = {
  InvalidRequest: -1,
  InternalError: -2,
  Refused: -3,
  AccountChange: -4,
} as const;
/** CIP-30 `TxSignErrorCode`. */
export const TxSignErrorCode = { ProofGeneration: 1, UserDeclined: 2 } as const;
/** CIP-30 `DataSignErrorCode`. */
export const DataSignErrorCode = { ProofGeneration: 1, AddressNotPK: 2, UserDeclined: 3 } as const;

export interface Cip30Error {
  /** Which CIP-30 error type the wallet must reject with. */
  kind: 'APIError' | 'TxSignError' | 'DataSignError';
  code: number;
  info: string;
}

const INVALID_REQUEST: readonly string[] = [
  'INVALID_ARGUMENT',
  'TX_MALFORMED',
  'TX_TOO_LARGE',
  'ADDRESS_MALFORMED',
  'PAYLOAD_MALFORMED',
  'NETWORK_UNKNOWN',
];

/**
 * Maps an error thrown by `signTx` / `signData` to its CIP-30 shape.
 *
 * - PROOF_GENERATION → TxSignError 1 (ProofGeneration): the tx needs a key we lack.
 * - ADDRESS_NOT_OURS → DataSignError 2 (AddressNotPK) when the address has a script
 *   credential (CIP-30: "not a P2PK address"), else DataSignError 1 (ProofGeneration:
 *   "wallet does not have the secret key associated with the address").
 * - malformed input (TX_*, ADDRESS_MALFORMED, PAYLOAD_MALFORMED, NETWORK_UNKNOWN,
 *   INVALID_ARGUMENT) and TypeError → APIError -1 (InvalidRequest).
 * - anything else → APIError -2 (InternalError), with a generic message.
 *
 * @example
 * try { signTx(...) } catch (e) { port.postMessage({ id, error: toCip30Error(e, 'signTx') }) }
 */
export function toCip30Error(e: unknown, method: 'signTx' | 'signData'): Cip30Error {
  if (isTrineError(e)) {
    const code: TrineErrorCode = e.code;
    if (code === 'PROOF_GENERATION') {
      return method === 'signTx'
        ? { kind: 'TxSignError', code: TxSignErrorCode.ProofGeneration, info: e.message }
        : { kind: 'DataSignError', code: DataSignErrorCode.ProofGeneration, info: e.message };
    }
    if (code === 'ADDRESS_NOT_OURS') {
      const script = e.details?.scriptCredential === true;
      return {
        kind: 'DataSignError',
        code: script ? DataSignErrorCode.AddressNotPK : DataSignErrorCode.ProofGeneration,
        info: e.message,
      };
    }
    if (INVALID_REQUEST.includes(code)) {
      return { kind: 'APIError', code: APIErrorCode.InvalidRequest, info: e.message };
    }
  }
  if (e instanceof TypeError) {
    return { kind: 'APIError', code: APIErrorCode.InvalidRequest, info: e.message };
  }
  return { kind: 'APIError', code: APIErrorCode.InternalError, info: 'internal error' };
}
