/**
 * @module http/app — `createRealmApp(deps)`: the Hono app of a realm, testable with
 * `app.request()` (no socket) and mountable by the vault (`vault.route('/realm', app)`).
 * Middleware order: request id + client info → security headers → access log → body
 * limit → CORS for the wallet origins → exact body bytes (JSON only) → per-IP rate
 * limit → routes. Every error becomes an RFC 9457 problem document in the one `onError`.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import {
  limitBody,
  problemHandler,
  requestContext,
  walletCors,
  zodHook,
} from '@trine/server-kit/http';
import { hit } from '../limits/rate-limit.ts';
import type { Env, RealmDeps } from './context.ts';
import { ApiError, isApiError, problemResponse } from './problem.ts';
import { registerPublicRoutes } from './routes/public.ts';
import { registerRegistrationRoutes } from './routes/registration.ts';

export const DEFAULT_BODY_LIMIT = 8 * 1024;
const APP_ID_IN_PATH = /\/v1\/apps\/([a-z0-9][a-z0-9-]{0,62})(?:\/|$)/;
const MGMT_HEADERS = 'trine-mgmt-time, trine-mgmt-nonce, trine-mgmt-signature';

export function createRealmApp(deps: RealmDeps) {
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
      defaultCacheControl: 'no-store',
    }),
  );
  api.use(
    '*',
    limitBody(deps.bodyLimit, (code, detail) => new ApiError(code, detail)),
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

  api.onError(problemHandler({ logger: deps.logger, own: isApiError, respond: problemResponse }));

  return api;
}

/** CORS for the registration endpoints: only the wallet's own origins (preflight included). */
function cors(origins: readonly string[]) {
  return walletCors({
    origins,
    allowHeaders: `authorization, content-type, ${MGMT_HEADERS}`,
    refused: () => problemResponse('forbidden_origin', 'this origin may not call the realm'),
  });
}

export type RealmHttpApp = ReturnType<typeof createRealmApp>;
