/**
 * @module http/routes/public — unauthenticated routes: the realm's identity and public
 * key, liveness and readiness.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { toBase64Url } from '@trine/core/bytes';
import { MODE, SUITE } from '../../crypto/oprf.ts';
import type { Env, RealmDeps } from '../context.ts';
import { ApiError } from '../problem.ts';
import { ProblemSchema, RealmInfoSchema } from '../schemas.ts';

const realmInfo = createRoute({
  method: 'get',
  path: '/v1/realm',
  responses: {
    200: {
      description: 'the realm id, suite, mode and OPRF public key (clients pin the key)',
      content: { 'application/json': { schema: RealmInfoSchema } },
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

export function registerPublicRoutes(api: OpenAPIHono<Env>, s: RealmDeps): void {
  const info = {
    realmId: s.realmId,
    suite: SUITE,
    mode: MODE,
    publicKey: toBase64Url(s.keys.publicKey),
  };
  api.openapi(realmInfo, (c) => {
    c.header('access-control-allow-origin', '*');
    c.header('cache-control', 'public, max-age=60');
    return c.json(info, 200);
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
      throw new ApiError('unavailable', 'the database is not reachable', { 'retry-after': '2' });
    } finally {
      clearTimeout(timer);
    }
    return c.json({ ok: true }, 200);
  });
}
