/**
 * @module http/app — `createApp(deps)`: the Hono app of the vault, testable with
 * `app.request()` (no socket). Middleware order: request id + client info → security
 * headers → access log → body limit → per-IP rate limit → CORS for the wallet origin →
 * routes. Every error becomes an RFC 9457 problem document in the one `onError`.
 */
import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { withAppRole } from '../db/open.ts';
import { apps } from '../db/schema.ts';
import { createWalletStore } from '../db/wallet-store.ts';
import { hit } from '../limits/rate-limit.ts';
import { clientInfo } from './client.ts';
import type { AppDeps, Env, Services } from './context.ts';
import { registerEmbed } from './embed.ts';
import { ApiError, type ProblemCode, problemResponse } from './problem.ts';
import { registerDevRoutes } from './routes/dev.ts';
import { registerPublicRoutes } from './routes/public.ts';
import { registerWalletRoutes } from './routes/wallet.ts';

export const DEFAULT_BODY_LIMIT = 32 * 1024;
const AUTH_SHARE_PATH = /^\/v1\/apps\/[^/]+\/wallet\/auth-share$/;
const APP_ID_IN_PATH = /^\/v1\/apps\/([a-z0-9][a-z0-9-]{0,62})(?:\/|$)/;

/** Maps an HTTPException thrown by hono (validator, body limit) to a stable code. */
function codeOfHttpStatus(status: number): ProblemCode {
  if (status === 413) return 'body_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'internal';
  return 'invalid_body';
}

export function createApp(deps: AppDeps) {
  const s: Services = { ...deps, wallets: createWalletStore(deps.database.db, deps.keyring) };
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
    c.set('requestId', randomUUID());
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
      // RFC 6797 §7.2: HSTS only over a secure transport.
      if (deps.mode === 'production' && info.proto === 'https') {
        c.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
      }
      // The access log: never a header, a query, a body, a token or a share.
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
      maxSize: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
      onError: () => {
        throw new ApiError(
          'body_too_large',
          `the body exceeds ${deps.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes`,
        );
      },
    }),
  );

  const perIp = async (c: { get(k: 'ip'): string }, next: () => Promise<void>) => {
    await hit(deps.database.db, `ip|${c.get('ip')}`, deps.limits.ip);
    await next();
  };
  // GET …/wallet/auth-share counts the IP in the statement that reads the share (one round
  // trip, db/wallet-store.ts). If it is refused before that statement (bad query, app,
  // origin, token), the IP is counted here after the handler, and a limited IP still
  // gets 429 (onError) instead of the handler's answer: as if counted first.
  api.use('/v1/apps/*', async (c, next) => {
    if (c.req.method !== 'GET' || !AUTH_SHARE_PATH.test(c.req.path)) return perIp(c, next);
    c.set('ipDeferred', true);
    await next();
    if (c.get('ipDeferred')) {
      c.set('ipDeferred', false);
      await hit(deps.database.db, `ip|${c.get('ip')}`, deps.limits.ip);
    }
  });
  api.use('/dev/*', perIp);

  // CORS for the wallet endpoints: only the wallet's own origins (preflight included).
  api.use('/v1/apps/:appId/wallet/*', cors(deps.walletOrigins));
  api.use('/v1/apps/:appId/wallet', cors(deps.walletOrigins));

  // The public app config may be read from any page (no credentials): the host SDK asks it
  // to report an unknown app or a disallowed page origin at once instead of a blank frame.
  // It holds nothing the /embed CSP header does not already show to anyone.
  api.use('/v1/apps/:appId', async (c, next) => {
    await next();
    if (c.req.method === 'GET') c.header('access-control-allow-origin', '*');
  });
  registerPublicRoutes(api, s);
  registerWalletRoutes(api, s);
  if (deps.devIssuer) registerDevRoutes(api, deps.devIssuer);
  if (deps.walletDir) registerEmbed(api, deps.walletDir, deps.registry);
  // The in-process realm answers under /realm with its own routes, limits and problems.
  if (deps.realmApp) api.route('/realm', deps.realmApp);
  // Never in production, whatever the caller passes (config.ts refuses it too).
  if (deps.benchRoutes && deps.mode !== 'production') {
    // Benchmark baseline: one primary-key select, no auth (TRINE_BENCH_ROUTES=1 only).
    api.get('/bench/baseline/:appId', async (c) => {
      const rows = await withAppRole(deps.database.db, (tx) =>
        tx
          .select({ id: apps.id })
          .from(apps)
          .where(eq(apps.id, c.req.param('appId'))),
      );
      return c.json({ found: rows.length });
    });
  }

  api.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Trine vault',
      version: '1',
      description:
        'The share vault of Trine (DESIGN.md §5). Errors are RFC 9457 problem documents.',
    },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
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
  '57P01', // admin_shutdown (the server is stopping)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08006', // connection_failure
]);

/**
 * True when `err`, or an error it wraps (drizzle-orm wraps every driver error in a
 * DrizzleQueryError whose `cause` is the postgres.js error), means the database is
 * unreachable: the client gets 503 `unavailable` and may retry, not a 500.
 */
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

/** The error's class and code, and those of its causes (never a message: it may quote values). */
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
    c: import('hono').Context<Env>,
    next: () => Promise<void>,
  ): Promise<Response | undefined> {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && origins.includes(origin);
    if (c.req.method === 'OPTIONS') {
      if (!allowed)
        return problemResponse('forbidden_origin', 'this origin may not call the wallet API');
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST, PUT, DELETE',
          // + the management-signature headers of docs/realms.md (PUT shares, DELETE, commit)
          'access-control-allow-headers':
            'authorization, content-type, trine-mgmt-time, trine-mgmt-nonce, trine-mgmt-signature',
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

export type VaultApp = ReturnType<typeof createApp>;
