/**
 * @module http/app — `createRealmApp(deps)`: the Hono app of a realm, testable with
 * `app.request()` (no socket) and mountable by the vault (`vault.route('/realm', app)`).
 * Middleware order: request id + client info → security headers → access log → body
 * limit → CORS for the wallet origins → exact body bytes (JSON only) → per-IP rate
 * limit → routes. Every error becomes an RFC 9457 problem document in the one `onError`.
 */
import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { hit } from '../limits/rate-limit.ts';
import { clientInfo } from './client.ts';
import type { Env, RealmDeps } from './context.ts';
import { ApiError, type ProblemCode, problemResponse } from './problem.ts';
import { registerPublicRoutes } from './routes/public.ts';
import { registerRegistrationRoutes } from './routes/registration.ts';

export const DEFAULT_BODY_LIMIT = 8 * 1024;
const APP_ID_IN_PATH = /\/v1\/apps\/([a-z0-9][a-z0-9-]{0,62})(?:\/|$)/;
const MGMT_HEADERS = 'trine-mgmt-time, trine-mgmt-nonce, trine-mgmt-signature';

/** Maps an HTTPException thrown by hono (validator, body limit) to a stable code. */
function codeOfHttpStatus(status: number): ProblemCode {
  if (status === 413) return 'body_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'internal';
  return 'invalid_body';
}

export function createRealmApp(deps: RealmDeps) {
  const api = new OpenAPIHono<Env>({
    // A zod failure is a 400 problem, never a 500. Issue paths and zod's messages name
    // the field and the expectation, never the received value.
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues
          .slice(0, 5)
          .map(
            (i) =>
              `${i.path.map(String).join('.').slice(0, 80) || '(body)'}: ${i.message.slice(0, 120)}`,
          );
        throw new ApiError('invalid_body', issues.join('; '));
      }
    },
  });

  api.use('*', async (c, next) => {
    c.set('requestId', c.get('requestId') ?? randomUUID());
    const info = clientInfo(c, deps.trustedProxies);
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
      c.header('cache-control', c.res.headers.get('cache-control') ?? 'no-store');
      // RFC 6797 §7.2: HSTS only over a secure transport.
      if (deps.mode === 'production' && info.proto === 'https') {
        c.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
      }
      // The access log: never a header, a query, a body, a token, a share or a tag.
      deps.logger.info(
        {
          reqId: c.get('requestId'),
          method: c.req.method,
          route: routePath(c, -1),
          status: failed ? undefined : c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          appId: APP_ID_IN_PATH.exec(c.req.path)?.[1],
        },
        'request',
      );
    }
  });

  api.use(
    '*',
    bodyLimit({
      maxSize: deps.bodyLimit,
      onError: () => {
        throw new ApiError('body_too_large', `the body exceeds ${deps.bodyLimit} bytes`);
      },
    }),
  );

  // CORS: only the wallet's own origins (preflight included); GET /v1/realm is public.
  api.use('/v1/apps/*', cors(deps.walletOrigins));

  // Signatures cover the exact body bytes: read them once, before any parser, so the
  // JSON validator parses these same bytes (hono caches the body per request).
  api.use('/v1/apps/*', async (c, next) => {
    if (c.req.method === 'POST' || c.req.method === 'PUT') {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        throw new ApiError('unsupported_media_type', 'the body must be application/json');
      }
      c.set('rawBody', new Uint8Array(await c.req.arrayBuffer()));
    } else {
      c.set('rawBody', new Uint8Array(0));
    }
    await next();
  });

  api.use('/v1/apps/*', async (c, next) => {
    await hit(deps.database.db, `ip|${c.get('ip')}`, deps.limits.ip);
    await next();
  });

  registerPublicRoutes(api, deps);
  registerRegistrationRoutes(api, deps);

  api.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Trine recovery realm',
      version: '1',
      description:
        'A recovery realm (docs/realms.md): RFC 9497 POPRF ristretto255-SHA512 evaluations counted against a per-registration guess limit. Errors are RFC 9457 problem documents.',
    },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'managementSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'Trine-Mgmt-Signature',
    description:
      'With Trine-Mgmt-Time and Trine-Mgmt-Nonce: an Ed25519 signature by the registered management key (docs/realms.md).',
  });

  api.notFound(() => problemResponse('not_found', 'no such resource'));

  api.onError((err, c) => {
    const headers: Record<string, string> = { 'x-request-id': c.get('requestId') ?? '' };
    if (err instanceof ApiError) {
      return problemResponse(err.code, err.message, { ...headers, ...err.headers });
    }
    if (err instanceof HTTPException) {
      const code = codeOfHttpStatus(err.status);
      return problemResponse(
        code,
        code === 'invalid_body' ? 'the body is not valid JSON' : err.message.slice(0, 200),
        headers,
      );
    }
    // The client (or the proxy in front) closed the connection while its body was being
    // read: Node rejects the read with ECONNRESET, which is not the database's doing (it
    // was answered 503 "database unreachable" and logged as an outage before).
    if (isClientAbort(err)) {
      deps.logger.info({ reqId: c.get('requestId') }, 'client closed the request');
      return problemResponse('invalid_body', 'the request body was not received in full', headers);
    }
    // Unexpected: log the class and a code only (a driver message may quote values).
    if (isDatabaseUnavailable(err)) {
      deps.logger.warn({ reqId: c.get('requestId'), err: errorShape(err) }, 'database unavailable');
      return problemResponse('unavailable', 'the database is not reachable', {
        ...headers,
        'retry-after': '2',
      });
    }
    deps.logger.error({ reqId: c.get('requestId'), err: errorShape(err) }, 'unhandled error');
    return problemResponse('internal', 'an internal error occurred', headers);
  });

  return api;
}

/**
 * True for the error Node's HTTP server gives a body read when the peer closed the
 * socket mid-request (`Error: aborted`, code ECONNRESET, from `abortIncoming`). A socket
 * error of the database driver has the same code but names a `syscall` (`read ECONNRESET`)
 * and reaches us wrapped by drizzle-orm; neither holds here.
 */
export function isClientAbort(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown; syscall?: unknown; cause?: unknown };
  return (
    e.code === 'ECONNRESET' &&
    e.message === 'aborted' &&
    e.syscall === undefined &&
    e.cause === undefined
  );
}

/** Driver and server codes that mean "the database is not reachable right now". */
const UNAVAILABLE_CODES = new Set<unknown>([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);

/** True when `err` (or an error it wraps, as drizzle does) means the database is unreachable. */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (UNAVAILABLE_CODES.has(code)) return true;
    if (typeof code === 'string' && code.startsWith('08')) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The error's class and code, and those of its cause (never a message: it may quote values). */
function errorShape(err: unknown): { name?: string; code?: unknown; cause?: unknown } {
  const shape = (e: unknown) => ({
    name: (e as Error)?.name,
    code: (e as { code?: unknown })?.code,
  });
  const cause = (err as { cause?: unknown })?.cause;
  return cause ? { ...shape(err), cause: shape(cause) } : shape(err);
}

function cors(origins: readonly string[]) {
  return async function walletCors(
    c: Context<Env>,
    next: () => Promise<void>,
  ): Promise<Response | undefined> {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && origins.includes(origin);
    if (c.req.method === 'OPTIONS') {
      if (!allowed)
        return problemResponse('forbidden_origin', 'this origin may not call the realm');
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST, PUT, DELETE',
          'access-control-allow-headers': `authorization, content-type, ${MGMT_HEADERS}`,
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

export type RealmHttpApp = ReturnType<typeof createRealmApp>;
