/**
 * @module http/problem — RFC 9457 problem documents and the one error class the
 * handlers throw. `app.onError` (http/app.ts) turns every error into a problem
 * document; anything that is not an ApiError becomes a bare 500 with no detail.
 */

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
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
}

/**
 * An error with a stable code. `detail` is shown to the client: it must never hold
 * a share, a token, a sealed blob or any other secret (STYLE.md §4).
 *
 * @example
 * throw new ApiError('stale_epoch', 'expectedEpoch 3 is not the stored epoch');
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
  return { type: `urn:trine:problem:${code}`, title, status, detail, code };
}

/** A `application/problem+json` Response. */
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
