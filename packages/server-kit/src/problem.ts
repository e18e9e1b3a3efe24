/**
 * @module problem — RFC 9457 problem documents. Each server keeps its own table of stable
 * codes (never renamed; added at the end) and its own `type` URN prefix; this module is
 * the shape they share and the base of the one error class their handlers throw. A table
 * must hold every {@link CommonCode} (the shared middleware and handler answer with them).
 */

/** The codes every server's table must have: the common middleware and handler use them. */
export type CommonCode =
  | 'invalid_body'
  | 'unauthorized'
  | 'forbidden_origin'
  | 'not_found'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'internal'
  | 'unavailable';

export type ProblemTable = Readonly<Record<string, { status: number; title: string }>>;

/** The JSON body of an error response (RFC 9457 §3.1, plus our stable `code`). */
export interface Problem<C extends string = string> {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: C;
}

/**
 * An error with a stable code, its status and extra response headers. `detail` (the
 * message) is shown to the client: it must never hold a share, a token, a sealed blob,
 * an unlock tag or any other secret (STYLE.md §4).
 */
export class HttpProblem<C extends string = string> extends Error {
  override readonly name: string = 'HttpProblem';
  readonly code: C;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: C, status: number, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.code = code;
    this.status = status;
    this.headers = headers;
  }
}

/**
 * The problem functions of one server: `problemOf(code, detail)` (the document, `type`
 * = `<urn><code>`, RFC 9457 §3.1.1) and `problemResponse(code, detail, headers)` (an
 * `application/problem+json` Response).
 */
export function problems<T extends ProblemTable & Record<CommonCode, unknown>>(
  table: T,
  urn: string,
) {
  type Code = keyof T & string;
  const problemOf = (code: Code, detail: string): Problem<Code> => {
    const { status, title } = table[code]!;
    return { type: `${urn}${code}`, title, status, detail, code };
  };
  const problemResponse = (
    code: Code,
    detail: string,
    headers: Record<string, string> = {},
  ): Response => {
    const problem = problemOf(code, detail);
    return new Response(JSON.stringify(problem), {
      status: problem.status,
      headers: { 'content-type': 'application/problem+json', ...headers },
    });
  };
  return { problemOf, problemResponse };
}
