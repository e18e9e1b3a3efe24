/**
 * @module http/problem — RFC 9457 problem documents and the one error class the
 * handlers throw (on @trine/server-kit's problem base). `app.onError` (http/app.ts, the kit's
 * problemHandler) turns every error into a problem document; anything unexpected becomes a
 * bare 500 with no detail.
 */
import { HttpProblem, type Problem as KitProblem, problems } from '@trine/server-kit/problem';

/** Stable error codes of the vault API. Never rename one; add at the end. */
export const PROBLEM_CODES = {
  invalid_body: { status: 400, title: 'Invalid request body' },
  invalid_share: { status: 422, title: 'Invalid auth-share envelope' },
  invalid_sealed: { status: 422, title: 'Invalid sealed recovery record' },
  share_mismatch: { status: 422, title: 'Shares do not match the request' },
  bad_epoch: { status: 422, title: 'Invalid epoch' },
  network_not_allowed: { status: 422, title: 'Network not allowed for this app' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden_origin: { status: 403, title: 'Origin not allowed' },
  not_found: { status: 404, title: 'Not found' },
  app_not_found: { status: 404, title: 'App not found' },
  wallet_exists: { status: 409, title: 'Wallet already exists' },
  stale_epoch: { status: 409, title: 'Stale epoch' },
  body_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
  recovery_required: { status: 422, title: 'A re-share must renew the recovery share' },
  management_key_required: { status: 422, title: 'A management key must be registered' },
  invalid_management_key: { status: 422, title: 'Invalid management key' },
  management_key_mismatch: { status: 422, title: 'The management key cannot change' },
  management_signature_required: { status: 401, title: 'Management signature required' },
  management_signature_invalid: { status: 401, title: 'Management signature invalid' },
  management_signature_expired: { status: 401, title: 'Management signature expired' },
  management_signature_replayed: { status: 401, title: 'Management signature replayed' },
  epoch_not_found: { status: 404, title: 'Epoch not kept' },
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

/** The JSON body of an error response (RFC 9457 §3.1, plus our stable `code`). */
export type Problem = KitProblem<ProblemCode>;

/**
 * An error with a stable code. `detail` is shown to the client: it must never hold
 * a share, a token, a sealed blob or any other secret (STYLE.md §4).
 *
 * @example
 * throw new ApiError('stale_epoch', 'expectedEpoch 3 is not the stored epoch');
 */
export class ApiError extends HttpProblem<ProblemCode> {
  override readonly name = 'ApiError';

  constructor(code: ProblemCode, detail: string, headers: Record<string, string> = {}) {
    super(code, PROBLEM_CODES[code].status, detail, headers);
  }
}

/** True for this server's own errors (the kit's handler answers them as they are). */
export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** `problemOf(code, detail)`: the document (`type` is the stable URN `urn:trine:problem:<code>`, RFC 9457
 * §3.1.1); `problemResponse(code, detail, headers)`: an `application/problem+json` Response. */
export const { problemOf, problemResponse } = problems(PROBLEM_CODES, 'urn:trine:problem:');
