/**
 * @module http/routes/public — unauthenticated routes: the public app config, liveness
 * and readiness.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env, Services } from '../context.ts';
import { ApiError } from '../problem.ts';
import { AppIdParam, ProblemSchema, RealmSchema } from '../schemas.ts';

const appConfig = createRoute({
  method: 'get',
  path: '/v1/apps/{appId}',
  request: { params: AppIdParam },
  responses: {
    200: {
      description: 'public app config',
      content: {
        'application/json': {
          schema: z.object({
            id: z.string(),
            name: z.string(),
            allowedOrigins: z.array(z.string()),
            networks: z.array(z.string()),
            realms: z.array(RealmSchema).openapi({
              description:
                "the app's recovery realms in config order; the wallet pins each publicKey",
            }),
            realmThreshold: z.number().openapi({ description: 't of t-of-n; 0 without realms' }),
          }),
        },
      },
    },
    404: {
      description: 'app_not_found',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  },
});

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  responses: {
    200: {
      description: 'the process is alive',
      content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } },
    },
  },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  responses: {
    200: {
      description: 'the database is reachable',
      content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } },
    },
    503: {
      description: 'unavailable',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  },
});

/** How long /readyz waits for the database. */
export const READY_TIMEOUT_MS = 2_000;

export function registerPublicRoutes(api: OpenAPIHono<Env>, s: Services): void {
  api.openapi(appConfig, async (c) => {
    const app = await s.registry.get(c.req.valid('param').appId);
    if (!app) throw new ApiError('app_not_found', 'no such app');
    c.header('access-control-allow-origin', '*');
    c.header('cache-control', 'public, max-age=60');
    return c.json(
      {
        id: app.id,
        name: app.name,
        allowedOrigins: app.allowedOrigins,
        networks: app.networks,
        realms: app.realms,
        realmThreshold: app.realmThreshold,
      },
      200,
    );
  });

  api.openapi(healthz, (c) => c.json({ ok: true }, 200));

  api.openapi(readyz, async (c) => {
    // Bounded, so a load balancer's health check gets an answer while the database hangs.
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        s.database.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('ping timed out')), READY_TIMEOUT_MS);
        }),
      ]);
    } catch {
      throw new ApiError('unavailable', 'the database is not reachable');
    } finally {
      clearTimeout(timer);
    }
    return c.json({ ok: true }, 200);
  });
}
