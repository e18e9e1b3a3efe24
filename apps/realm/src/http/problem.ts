/**
 * @module http/problem — RFC 9457 problem documents of the realm API and the one error
 * class its handlers throw. `app.onError` (http/app.ts) turns every error into a problem
 * document; anything that is not an ApiError becomes a bare 500 with no detail.
 */

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
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
}

/**
 * An error with a stable code. `detail` is shown to the client: it must never hold a
 * masked share, an unlock tag, a token or any other secret (STYLE.md §4).
 *
 * @example
 * throw new ApiError('registration_locked', 'this registration is locked after 10 guesses');
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ProblemCode;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ProblemCode, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.code = code;
    this.status = PROBLEM_CODES[code].status;
    this.headers = headers;
  }
}

/** The problem document of a code. `type` is a stable URN (RFC 9457 §3.1.1). */
export function problemOf(code: ProblemCode, detail: string): Problem {
  const { status, title } = PROBLEM_CODES[code];
  return { type: `urn:trine:realm:problem:${code}`, title, status, detail, code };
}

/** An `application/problem+json` Response. */
export function problemResponse(
  code: ProblemCode,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  const problem = problemOf(code, detail);
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}
