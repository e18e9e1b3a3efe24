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
  'unknown_app',
  'token_refused',
  'frame_blocked',
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
  /** Seconds until a retry may succeed (the vault's Retry-After), for `too_many_requests`. */
  retryAfter?: number;
}

/** Longest retryAfter that crosses the boundary (one day, in seconds). */
export const MAX_RETRY_AFTER_S = 86_400;

/** True for a whole number of seconds in 0..MAX_RETRY_AFTER_S. */
export const isRetryAfter = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_RETRY_AFTER_S;

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
  /** Seconds until a retry may succeed, when the code is `too_many_requests` and it is known. */
  readonly retryAfter?: number;

  constructor(
    code: ProtocolErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfter?: number | undefined },
  ) {
    super(message, options);
    this.code = code;
    if (isRetryAfter(options?.retryAfter)) this.retryAfter = options.retryAfter;
  }

  /** The wire shape `{code, message, retryAfter?}`. */
  toJSON(): WireError {
    const w: WireError = { code: this.code, message: this.message };
    if (this.retryAfter !== undefined) w.retryAfter = this.retryAfter;
    return w;
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
    const w: WireError = { code: e.code, message: message.slice(0, MAX_ERROR_MESSAGE_CHARS) };
    let retryAfter: unknown;
    try {
      retryAfter = e.retryAfter;
    } catch {
      retryAfter = undefined;
    }
    if (isRetryAfter(retryAfter)) w.retryAfter = retryAfter;
    return w;
  }
  return { code: 'internal', message: 'internal error' };
}

/** A ProtocolError rebuilt from a validated wire error. */
export function fromWireError(w: WireError): ProtocolError {
  return new ProtocolError(w.code, w.message, { retryAfter: w.retryAfter });
}

// --- reasons: what a dApp branches on ---------------------------------------------------

/**
 * The stable `reason` every CIP-30 error from Trine carries beside its CIP-30 `code`.
 * Mostly the protocol code; two are renamed for the dApp's vocabulary (`origin_refused` →
 * `origin_not_allowed`, `too_many_requests` → `rate_limited`), and the protocol-level
 * faults (`invalid_message`, `unsupported_version`, `unknown_method`) are one
 * `protocol_error`.
 */
export type TrineErrorReason =
  | Exclude<
      ProtocolErrorCode,
      | 'origin_refused'
      | 'too_many_requests'
      | 'invalid_message'
      | 'unsupported_version'
      | 'unknown_method'
    >
  | 'origin_not_allowed'
  | 'rate_limited'
  | 'protocol_error';

/** The reason for a protocol code. */
export function reasonOf(code: ProtocolErrorCode): TrineErrorReason {
  switch (code) {
    case 'origin_refused':
      return 'origin_not_allowed';
    case 'too_many_requests':
      return 'rate_limited';
    case 'invalid_message':
    case 'unsupported_version':
    case 'unknown_method':
      return 'protocol_error';
    default:
      return code;
  }
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

/** What Trine adds to every CIP-30 error object: the reason, and when to retry. */
export interface TrineErrorExtras {
  /** A stable reason to branch on (see TrineErrorReason). */
  reason: TrineErrorReason;
  /** Seconds to wait before retrying; only with reason `rate_limited`, when known. */
  retryAfter?: number;
}
export interface APIError extends TrineErrorExtras {
  code: (typeof APIErrorCode)[keyof typeof APIErrorCode];
  info: string;
}
export interface TxSignError extends TrineErrorExtras {
  code: (typeof TxSignErrorCode)[keyof typeof TxSignErrorCode];
  info: string;
}
export interface DataSignError extends TrineErrorExtras {
  code: (typeof DataSignErrorCode)[keyof typeof DataSignErrorCode];
  info: string;
}
export interface TxSendError extends TrineErrorExtras {
  code: (typeof TxSendErrorCode)[keyof typeof TxSendErrorCode];
  info: string;
}
export interface PaginateError {
  maxSize: number;
  reason?: 'paginate_out_of_range';
}
export type Cip30Error = APIError | TxSignError | DataSignError | TxSendError | PaginateError;

/** The CIP-30 API method whose error shape applies. */
export type Cip30Context = 'api' | 'signTx' | 'signData' | 'submitTx' | 'paginate';

/**
 * The APIErrorCode of each protocol code: Refused or InvalidRequest where listed,
 * AccountChange for `account_changed`, InternalError for everything else (a fault on our
 * side or the network's, where a retry may help).
 */
const REFUSED: ReadonlySet<ProtocolErrorCode> = new Set([
  'destroyed',
  'origin_refused',
  'not_connected',
  'user_declined',
  'wallet_missing',
  'network_mismatch',
  'too_many_requests',
  'tx_refused',
  'unknown_app',
  'token_refused',
  'frame_blocked',
]);
const INVALID_REQUEST: ReadonlySet<ProtocolErrorCode> = new Set([
  'invalid_params',
  'address_not_ours',
  'paginate_out_of_range',
]);

function apiCode(code: ProtocolErrorCode): APIError['code'] {
  if (REFUSED.has(code)) return APIErrorCode.Refused;
  if (INVALID_REQUEST.has(code)) return APIErrorCode.InvalidRequest;
  if (code === 'account_changed') return APIErrorCode.AccountChange;
  return APIErrorCode.InternalError;
}

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
  retryAfter?: number,
): Cip30Error {
  if (context === 'paginate' && code === 'paginate_out_of_range') {
    return { maxSize, reason: 'paginate_out_of_range' };
  }
  const extras: TrineErrorExtras = { reason: reasonOf(code) };
  if (code === 'too_many_requests' && isRetryAfter(retryAfter)) extras.retryAfter = retryAfter;
  return { code: cip30Code(code, context), info, ...extras } as Cip30Error;
}

function cip30Code(code: ProtocolErrorCode, context: Cip30Context): number {
  if (context === 'signTx') {
    if (code === 'user_declined') return TxSignErrorCode.UserDeclined;
    if (code === 'proof_generation') return TxSignErrorCode.ProofGeneration;
  }
  if (context === 'signData') {
    if (code === 'user_declined') return DataSignErrorCode.UserDeclined;
    if (code === 'proof_generation') return DataSignErrorCode.ProofGeneration;
    if (code === 'address_not_ours') return DataSignErrorCode.AddressNotPK;
  }
  if (context === 'submitTx') {
    if (code === 'tx_refused' || code === 'user_declined') return TxSendErrorCode.Refused;
    if (code === 'tx_failed' || code === 'chain_unavailable' || code === 'timeout') {
      return TxSendErrorCode.Failure;
    }
  }
  return apiCode(code);
}
