/**
 * @module http/problem — RFC 9457 problem documents of the realm API and the one error
 * class its handlers throw (on @trine/server-kit's problem base). `app.onError`
 * (http/app.ts) turns every error into a problem document; anything unexpected becomes
 * a bare 500 with no detail.
 */
import { HttpProblem, type Problem as KitProblem, problems } from '@trine/server-kit/problem';

/** Stable error codes of the realm API (docs/realms.md). Never rename one; add at the end. */
export const PROBLEM_CODES = {
  invalid_body: { status: 400, title: 'Invalid request body' },
  invalid_element: { status: 400, title: 'Invalid group element' },
  invalid_management_key: { status: 422, title: 'Invalid management public key' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  management_signature_required: { status: 401, title: 'Management signature required' },
  management_signature_invalid: { status: 401, title: 'Management signature invalid' },
  management_signature_replayed: { status: 401, title: 'Management signature replayed' },
  management_signature_expired: { status: 401, title: 'Management signature expired' },
  unlock_tag_wrong: { status: 403, title: 'Unlock tag wrong' },
  forbidden_origin: { status: 403, title: 'Origin not allowed' },
  not_found: { status: 404, title: 'Not found' },
  app_not_found: { status: 404, title: 'App not found' },
  registration_not_found: { status: 404, title: 'Registration not found' },
  epoch_not_found: { status: 404, title: 'Epoch not found' },
  registration_mismatch: { status: 409, title: 'Registration belongs to another wallet' },
  stale_epoch: { status: 409, title: 'Stale epoch' },
  too_many_epochs: { status: 409, title: 'Too many uncommitted epochs' },
  realm_mismatch: { status: 422, title: 'Request meant for another realm' },
  body_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  registration_locked: { status: 423, title: 'Registration locked' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

/** The JSON body of an error response (RFC 9457 §3.1, plus our stable `code`). */
export type Problem = KitProblem<ProblemCode>;

/**
 * An error with a stable code. `detail` is shown to the client: it must never hold
 * a masked share, an unlock tag, a token or any other secret (STYLE.md §4).
 *
 * @example
 * throw new ApiError('registration_locked', 'this registration is locked after 10 guesses');
 */
export class ApiError extends HttpProblem<ProblemCode> {
  override readonly name = 'ApiError';

  constructor(code: ProblemCode, detail: string, headers: Record<string, string> = {}) {
    super(code, PROBLEM_CODES[code].status, detail, headers);
  }
}

/** True for this server's own errors (the kit's handler answers them as they are). */
export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** `problemOf(code, detail)`: the document (`type` is the stable URN `urn:trine:realm:problem:<code>`, RFC 9457
 * §3.1.1); `problemResponse(code, detail, headers)`: an `application/problem+json` Response. */
export const { problemOf, problemResponse } = problems(PROBLEM_CODES, 'urn:trine:realm:problem:');
