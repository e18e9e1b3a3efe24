/**
 * @module errors — stable protocol error codes and their CIP-30 shapes.
 *
 * Errors cross postMessage as plain `{code, message}` objects (penpal style, STYLE.md §5);
 * `ProtocolError` is the one class either side throws. The mapping to CIP-30 error
 * shapes is a pure function of `(code, method)`, so the wallet and the SDK agree on it
 * without the wallet being able to assert an inconsistent CIP-30 code.
 */

/** Every stable protocol error code. Add new codes at the end; never rename one. */
export const PROTOCOL_ERROR_CODES = [
  'timeout',
  'destroyed',
  'invalid_message',
  'unsupported_version',
  'unknown_method',
  'invalid_params',
  'origin_refused',
  'not_connected',
  'user_declined',
  'proof_generation',
  'address_not_ours',
  'wallet_missing',
  'vault_unavailable',
  'network_mismatch',
  'account_changed',
  'too_many_requests',
  'chain_unavailable',
  'tx_refused',
  'tx_failed',
  'paginate_out_of_range',
  'internal',
] as const;

export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(PROTOCOL_ERROR_CODES);

/** True when `value` is one of PROTOCOL_ERROR_CODES. */
export function isProtocolErrorCode(value: unknown): value is ProtocolErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

/** Longest `message` that crosses the boundary; longer ones are cut (sender) or refused (receiver). */
export const MAX_ERROR_MESSAGE_CHARS = 1024;

/** The shape of an error on the wire. */
export interface WireError {
  code: ProtocolErrorCode;
  message: string;
}

/**
 * The one error class of the protocol. `code` is stable; `message` is for people and
 * never holds secret bytes.
 *
 * @example
 * throw new ProtocolError('user_declined', 'the user declined to sign');
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The wire shape `{code, message}`. */
  toJSON(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** True for a ProtocolError (also one from another realm: checks name and code). */
export function isProtocolError(e: unknown, code?: ProtocolErrorCode): e is ProtocolError {
  try {
    if (e instanceof ProtocolError) return code === undefined || e.code === code;
    if (typeof e !== 'object' || e === null) return false;
    const r = e as { name?: unknown; code?: unknown };
    return r.name === 'ProtocolError' && isProtocolErrorCode(r.code) && (code ?? r.code) === r.code;
  } catch {
    return false;
  }
}

/**
 * The wire error for anything a handler threw. A ProtocolError keeps its code and
 * (cut) message; anything else becomes `internal` with a fixed message, because a
 * foreign error's text may hold data that must not leave the frame (STYLE.md §4).
 */
export function toWireError(e: unknown): WireError {
  if (isProtocolError(e)) {
    let message = '';
    try {
      message = typeof e.message === 'string' ? e.message : '';
    } catch {
      message = '';
    }
    return { code: e.code, message: message.slice(0, MAX_ERROR_MESSAGE_CHARS) };
  }
  return { code: 'internal', message: 'internal error' };
}

/** A ProtocolError rebuilt from a validated wire error. */
export function fromWireError(w: WireError): ProtocolError {
  return new ProtocolError(w.code, w.message);
}

// --- CIP-30 error shapes (CIP-0030 "Error Types") -------------------------------------

/** CIP-30 APIErrorCode. */
export const APIErrorCode = {
  InvalidRequest: -1,
  InternalError: -2,
  Refused: -3,
  AccountChange: -4,
} as const;
/** CIP-30 TxSignErrorCode. */
export const TxSignErrorCode = { ProofGeneration: 1, UserDeclined: 2 } as const;
/** CIP-30 DataSignErrorCode. */
export const DataSignErrorCode = { ProofGeneration: 1, AddressNotPK: 2, UserDeclined: 3 } as const;
/** CIP-30 TxSendErrorCode. */
export const TxSendErrorCode = { Refused: 1, Failure: 2 } as const;

export interface APIError {
  code: (typeof APIErrorCode)[keyof typeof APIErrorCode];
  info: string;
}
export interface TxSignError {
  code: (typeof TxSignErrorCode)[keyof typeof TxSignErrorCode];
  info: string;
}
export interface DataSignError {
  code: (typeof DataSignErrorCode)[keyof typeof DataSignErrorCode];
  info: string;
}
export interface TxSendError {
  code: (typeof TxSendErrorCode)[keyof typeof TxSendErrorCode];
  info: string;
}
export interface PaginateError {
  maxSize: number;
}
export type Cip30Error = APIError | TxSignError | DataSignError | TxSendError | PaginateError;

/** The CIP-30 API method whose error shape applies. */
export type Cip30Context = 'api' | 'signTx' | 'signData' | 'submitTx' | 'paginate';

const API_CODE: Record<ProtocolErrorCode, APIError['code']> = {
  timeout: APIErrorCode.InternalError,
  destroyed: APIErrorCode.Refused,
  invalid_message: APIErrorCode.InternalError,
  unsupported_version: APIErrorCode.InternalError,
  unknown_method: APIErrorCode.InternalError,
  invalid_params: APIErrorCode.InvalidRequest,
  origin_refused: APIErrorCode.Refused,
  not_connected: APIErrorCode.Refused,
  user_declined: APIErrorCode.Refused,
  proof_generation: APIErrorCode.InternalError,
  address_not_ours: APIErrorCode.InvalidRequest,
  wallet_missing: APIErrorCode.Refused,
  vault_unavailable: APIErrorCode.InternalError,
  network_mismatch: APIErrorCode.Refused,
  account_changed: APIErrorCode.AccountChange,
  too_many_requests: APIErrorCode.Refused,
  chain_unavailable: APIErrorCode.InternalError,
  tx_refused: APIErrorCode.Refused,
  tx_failed: APIErrorCode.InternalError,
  paginate_out_of_range: APIErrorCode.InvalidRequest,
  internal: APIErrorCode.InternalError,
};

/**
 * The CIP-30 error object for a protocol error raised while serving `context`.
 * Method-specific shapes win where CIP-30 defines one (signTx → TxSignError, signData →
 * DataSignError, submitTx → TxSendError); everything else is an APIError. Request and
 * account errors stay APIErrors in every context (CIP-30: any method may throw APIError).
 *
 * @example
 * toCip30Error('user_declined', 'declined', 'signTx'); // { code: 2, info: 'declined' }
 */
export function toCip30Error(
  code: ProtocolErrorCode,
  info: string,
  context: Cip30Context = 'api',
  maxSize = 0,
): Cip30Error {
  if (context === 'paginate' && code === 'paginate_out_of_range') return { maxSize };
  if (context === 'signTx') {
    if (code === 'user_declined') return { code: TxSignErrorCode.UserDeclined, info };
    if (code === 'proof_generation') return { code: TxSignErrorCode.ProofGeneration, info };
  }
  if (context === 'signData') {
    if (code === 'user_declined') return { code: DataSignErrorCode.UserDeclined, info };
    if (code === 'proof_generation') return { code: DataSignErrorCode.ProofGeneration, info };
    if (code === 'address_not_ours') return { code: DataSignErrorCode.AddressNotPK, info };
  }
  if (context === 'submitTx') {
    if (code === 'tx_refused' || code === 'user_declined') {
      return { code: TxSendErrorCode.Refused, info };
    }
    if (code === 'tx_failed' || code === 'chain_unavailable' || code === 'timeout') {
      return { code: TxSendErrorCode.Failure, info };
    }
  }
  return { code: API_CODE[code], info };
}
