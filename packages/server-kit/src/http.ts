/**
 * @module http — the parts of an HTTP app the vault and a recovery realm share, so both
 * keep the same guarantees: a request id, client info behind trusted proxies only,
 * security headers (HSTS in production over HTTPS), an access log that never holds a
 * header, query, body, token or share, a body limit, CORS for the wallet's own origins,
 * zod failures as 400 problems naming fields (never received values), and one error
 * handler that turns everything into an RFC 9457 problem.
 */
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { clientInfo } from './client.ts';
import { errorShape, isClientAbort, isDatabaseUnavailable } from './errors.ts';
import type { CommonCode, HttpProblem } from './problem.ts';
import { TokenRefused } from './token.ts';

/** The per-request variables the common middleware sets. */
export interface KitVars {
  requestId: string;
  ip: string;
  proto: 'http' | 'https';
}
type KitEnv = { Variables: KitVars };

/** What the server's log must offer (pino's Logger does). */
export interface LogSink {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

type Respond = (code: CommonCode, detail: string, headers?: Record<string, string>) => Response;

/**
 * The first middleware: request id (kept when a parent app already set one, as the vault
 * does for the realm it mounts), client IP and scheme, security headers and the access log.
 */
export function requestContext(opts: {
  logger: LogSink;
  mode: 'development' | 'production';
  trustedProxies: readonly string[];
  /** Captures the app id of a path for the access log. */
  appIdInPath: RegExp;
  /** Set on responses that set no cache-control of their own. */
  defaultCacheControl?: string;
}): MiddlewareHandler<KitEnv> {
  return async (c, next) => {
    c.set('requestId', c.get('requestId') ?? randomUUID());
    const info = clientInfo(c, opts.trustedProxies);
    c.set('ip', info.ip);
    c.set('proto', info.proto);
    const started = performance.now();
    let failed = false;
    try {
      await next();
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      c.header('x-request-id', c.get('requestId'));
      c.header('x-content-type-options', 'nosniff');
      c.header('referrer-policy', 'no-referrer');
      if (opts.defaultCacheControl) {
        c.header('cache-control', c.res.headers.get('cache-control') ?? opts.defaultCacheControl);
      }
      // RFC 6797 §7.2: HSTS only over a secure transport.
      if (opts.mode === 'production' && info.proto === 'https') {
        c.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
      }
      // The access log: never a header, a query, a body, a token, a share or a tag.
      opts.logger.info(
        {
          reqId: c.get('requestId'),
          method: c.req.method,
          route: routePath(c, -1),
          status: failed ? undefined : c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          appId: opts.appIdInPath.exec(c.req.path)?.[1],
        },
        'request',
      );
    }
  };
}

/** The body limit; a larger body is refused with `body_too_large` (thrown as `fail` makes it). */
export function limitBody(
  maxSize: number,
  fail: (code: 'body_too_large', detail: string) => Error,
): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw fail('body_too_large', `the body exceeds ${maxSize} bytes`);
    },
  });
}

/**
 * OpenAPIHono's `defaultHook`: a zod failure is a 400 problem, never a 500. Issue paths
 * and zod's messages name the field and the expectation, never the received value.
 */
export function zodHook(fail: (code: 'invalid_body', detail: string) => Error) {
  return (result: {
    success: boolean;
    error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] };
  }): void => {
    if (result.success || !result.error) return;
    const issues = result.error.issues
      .slice(0, 5)
      .map(
        (i) =>
          `${i.path.map(String).join('.').slice(0, 80) || '(body)'}: ${i.message.slice(0, 120)}`,
      );
    throw fail('invalid_body', issues.join('; '));
  };
}

/** Maps an HTTPException thrown by hono (validator, body limit) to a stable code. */
export function codeOfHttpStatus(status: number): CommonCode {
  if (status === 413) return 'body_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'internal';
  return 'invalid_body';
}

/**
 * The one `onError`: the server's own problems (`own`) and refused tokens as they are;
 * hono's HTTPExceptions by status; a client that closed mid-body as `invalid_body`; a
 * database that cannot be reached as 503 with Retry-After; anything else a bare 500.
 * Unexpected errors are logged by class and code only (a driver message may quote values).
 */
export function problemHandler<C extends string>(
  opts: {
    logger: LogSink;
    own: (err: unknown) => err is HttpProblem<C>;
    respond: (code: C, detail: string, headers?: Record<string, string>) => Response;
    // The server's codes must include every common code (its problem table does: problems()).
  } & (CommonCode extends C ? unknown : never),
) {
  const respond = opts.respond as unknown as Respond;
  return (err: Error, c: Context): Response => {
    const reqId = (c.get('requestId') as string | undefined) ?? '';
    const headers: Record<string, string> = { 'x-request-id': reqId };
    if (opts.own(err)) return opts.respond(err.code, err.message, { ...headers, ...err.headers });
    if (err instanceof TokenRefused) {
      return respond(err.code, err.message, { ...headers, ...err.headers });
    }
    if (err instanceof HTTPException) {
      const code = codeOfHttpStatus(err.status);
      return respond(
        code,
        code === 'invalid_body' ? 'the body is not valid JSON' : err.message.slice(0, 200),
        headers,
      );
    }
    // The client (or the proxy in front) closed the connection while its body was being
    // read: Node rejects the read with ECONNRESET, which is not the database's doing (it
    // was answered 503 "database unreachable" and logged as an outage before).
    if (isClientAbort(err)) {
      opts.logger.info({ reqId }, 'client closed the request');
      return respond('invalid_body', 'the request body was not received in full', headers);
    }
    if (isDatabaseUnavailable(err)) {
      opts.logger.warn({ reqId, err: errorShape(err) }, 'database unavailable');
      return respond('unavailable', 'the database is not reachable', {
        ...headers,
        'retry-after': '2',
      });
    }
    opts.logger.error({ reqId, err: errorShape(err) }, 'unhandled error');
    return respond('internal', 'an internal error occurred', headers);
  };
}

/**
 * CORS for the wallet's endpoints: only the wallet's own origins (preflight included); a
 * preflight from any other origin is refused with `forbidden_origin`.
 */
export function walletCors(opts: {
  origins: readonly string[];
  allowHeaders: string;
  refused: () => Response;
}): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && opts.origins.includes(origin);
    if (c.req.method === 'OPTIONS') {
      if (!allowed) return opts.refused();
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST, PUT, DELETE',
          'access-control-allow-headers': opts.allowHeaders,
          'access-control-max-age': '600',
          vary: 'origin',
        },
      });
    }
    await next();
    if (allowed) {
      c.header('access-control-allow-origin', origin);
      c.header('vary', 'origin');
    }
    return undefined;
  };
}
