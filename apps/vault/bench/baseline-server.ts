/**
 * @module bench/baseline-server — the benchmark's baseline (`GET /bench/baseline/:appId`:
 * one primary-key select, no auth) in a process of its own.
 *
 * It used to be a route of the vault under test (TRINE_BENCH_ROUTES=1). The vault under
 * test now runs in production mode on PostgreSQL (dev mode refuses DATABASE_URL), and
 * production never mounts bench routes; so this process builds the vault's own HTTP app
 * (`createApp`: the same middleware, Hono and drizzle code) on the same database with the
 * route on, bypassing loadConfig. It serves nothing else of use: no issuer is trusted.
 * argv: none; env: DATABASE_URL. Prints `listening on http://127.0.0.1:PORT`.
 */
import { serve } from '@hono/node-server';
import { createVerifier } from '@trine/server-kit/token';
import { createRegistry } from '../src/apps/registry.ts';
import { generateMasterKey, parseMasterKeys } from '../src/crypto/at-rest.ts';
import { openDatabase } from '../src/db/open.ts';
import { createApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const database = await openDatabase({ url });
const app = createApp({
  database,
  keyring: parseMasterKeys(generateMasterKey('bench')),
  registry: createRegistry([], database.db),
  verifier: createVerifier(),
  logger: createLogger('warn'),
  limits: {
    ip: { limit: 100_000_000, windowSec: 60 },
    user: { limit: 100_000_000, windowSec: 60 },
    recoveryUser: { limit: 1, windowSec: 3600 },
    recoveryIp: { limit: 1, windowSec: 3600 },
  },
  mode: 'development',
  publicUrl: 'http://127.0.0.1',
  walletOrigins: [],
  trustedProxies: [],
  devIssuer: null,
  benchRoutes: true,
});
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => {
  server.close(() => {
    database.close().finally(() => process.exit(0));
  });
});
