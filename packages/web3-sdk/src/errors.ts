/**
 * @module errors — the error vocabulary a dApp branches on: CIP-30's codes, and the
 * `reason` (plus `retryAfter`) Trine adds to every CIP-30 error object it throws.
 *
 * @example
 * try { await trine.enable(); } catch (e) {
 *   if (isTrineError(e) && e.reason === 'rate_limited') retryIn(e.retryAfter ?? 60);
 * }
 */
import type { Cip30Error, TrineErrorReason } from '@trine/protocol/errors';

export type {
  APIError,
  Cip30Error,
  DataSignError,
  PaginateError,
  TrineErrorExtras,
  TrineErrorReason,
  TxSendError,
  TxSignError,
} from '@trine/protocol/errors';
export {
  APIErrorCode,
  DataSignErrorCode,
  TxSendErrorCode,
  TxSignErrorCode,
} from '@trine/protocol/errors';

/** True for a CIP-30 error object thrown by Trine (it carries a `reason`). */
export function isTrineError(e: unknown): e is Cip30Error & { reason: TrineErrorReason } {
  return (
    typeof e === 'object' && e !== null && typeof (e as { reason?: unknown }).reason === 'string'
  );
}
