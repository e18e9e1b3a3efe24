/**
 * @module http/app — `createApp(deps)`: the Hono app of the vault, testable with
 * `app.request()` (no socket). Middleware order: request id + client info → security
 * headers → access log → body limit → per-IP rate limit → CORS for the wallet origin →
 * routes. Every error becomes an RFC 9457 problem document in the one `onError`.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import {
  limitBody,
  problemHandler,
  requestContext,
  walletCors,
  zodHook,
} from '@trine/server-kit/http';
import { eq } from 'drizzle-orm';
import { withAppRole } from '../db/open.ts';
import { apps } from '../db/schema.ts';
import { createWalletStore } from '../db/wallet-store.ts';
import { hit } from '../limits/rate-limit.ts';
import type { AppDeps, Env, Services } from './context.ts';
import { registerEmbed } from './embed.ts';
import { ApiError, isApiError, problemResponse } from './problem.ts';
import { registerDevRoutes } from './routes/dev.ts';
import { registerPublicRoutes } from './routes/public.ts';
import { registerWalletRoutes } from './routes/wallet.ts';

export const DEFAULT_BODY_LIMIT = 32 * 1024;
const AUTH_SHARE_PATH = /^\/v1\/apps\/[^/]+\/wallet\/auth-share$/;
const APP_ID_IN_PATH = /^\/v1\/apps\/([a-z0-9][a-z0-9-]{0,62})(?:\/|$)/;

export function createApp(deps: AppDeps) {
  const s: Services = { ...deps, wallets: createWalletStore(deps.database.db, deps.keyring) };
  const api = new OpenAPIHono<Env>({
    defaultHook: zodHook((code, detail) => new ApiError(code, detail)),
  });

  api.use(
    '*',
    requestContext({
      logger: deps.logger,
      mode: deps.mode,
      trustedProxies: deps.trustedProxies,
      appIdInPath: APP_ID_IN_PATH,
    }),
  );
  api.use(
    '*',
    limitBody(deps.bodyLimit ?? DEFAULT_BODY_LIMIT, (code, detail) => new ApiError(code, detail)),
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

  api.onError(problemHandler({ logger: deps.logger, own: isApiError, respond: problemResponse }));

  return api;
}

/** CORS for the wallet's endpoints: only the wallet's own origins (preflight included). */
function cors(origins: readonly string[]) {
  return walletCors({
    origins,
    // + the management-signature headers of docs/realms.md (PUT shares, DELETE, commit)
    allowHeaders:
      'authorization, content-type, trine-mgmt-time, trine-mgmt-nonce, trine-mgmt-signature',
    refused: () => problemResponse('forbidden_origin', 'this origin may not call the wallet API'),
  });
}

export type VaultApp = ReturnType<typeof createApp>;
