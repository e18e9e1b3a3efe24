/**
 * @module http/routes/dev — the dev-mode issuer (DESIGN.md §5): `POST /dev/token {sub}`
 * and `GET /dev/jwks.json`. Registered only when a dev issuer is configured, which
 * production mode refuses (config.ts).
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { DevIssuer } from '../../identity/dev-issuer.ts';
import type { Env } from '../context.ts';
import { ProblemSchema } from '../schemas.ts';

const token = createRoute({
  method: 'post',
  path: '/dev/token',
  description: 'dev mode only: a token of the built-in dev issuer for any subject',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z.object({ sub: z.string().min(1).max(255) }).strict(),
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'an ES256 JWT (iss = public URL + /dev, aud = dev, 1 h)',
      content: { 'application/json': { schema: z.object({ token: z.string() }) } },
    },
    400: {
      description: 'invalid_body',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  },
});

const jwks = createRoute({
  method: 'get',
  path: '/dev/jwks.json',
  responses: {
    200: {
      description: 'the dev issuer public keys',
      content: {
        'application/json': {
          schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
        },
      },
    },
  },
});

export function registerDevRoutes(api: OpenAPIHono<Env>, dev: DevIssuer): void {
  api.openapi(token, async (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ token: await dev.issue(c.req.valid('json').sub) }, 200);
  });
  api.openapi(jwks, (c) =>
    c.json({ keys: dev.jwks.keys as unknown as Record<string, unknown>[] }, 200),
  );
}
