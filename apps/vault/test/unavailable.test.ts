/**
 * Outages are 503s, not 500s or 401s: a database that cannot be reached (the driver's
 * error arrives wrapped in drizzle's DrizzleQueryError) → 503 `unavailable` with
 * Retry-After on every route that needs it, /readyz included; an identity provider whose
 * JWKS cannot be fetched → 503, while a token the fetched keys reject stays a 401.
 * Also: the remote-JWKS path (createRemoteJWKSet) end to end against a real HTTP server.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { isClientAbort, isDatabaseUnavailable } from '@trine/server-kit/errors';
import { createVerifier } from '@trine/server-kit/token';
import { DrizzleQueryError } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/apps/registry.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { isDriverSocketRace } from '../src/db/driver-race.ts';
import { type Database, type Db, openDatabase } from '../src/db/open.ts';
import * as schema from '../src/db/schema.ts';
import {
  type Backend,
  call,
  createBody,
  expectProblem,
  makeIssuer,
  makeVault,
  openBackend,
  PG_URL,
} from './helpers.ts';

describe('database unreachable', () => {
  // A real postgres.js client on a port where nothing listens: every query fails with
  // ECONNREFUSED, which drizzle wraps.
  const client = postgres('postgres://nobody@127.0.0.1:9/none', {
    max: 2,
    connect_timeout: 2,
    onnotice: () => {},
  });
  const database: Database = {
    db: drizzle(client, { schema }) as unknown as Db,
    kind: 'postgres',
    ping: async () => {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 1 }),
  };
  afterAll(() => database.close());

  it('every route that needs the database answers 503 unavailable with Retry-After', async () => {
    const v = await makeVault(database);
    const token = await v.token('alice');
    for (const [method, path] of [
      ['GET', '/readyz'],
      ['GET', '/v1/apps/dev/wallet'],
      ['GET', '/v1/apps/dev/wallet/auth-share'],
      ['POST', '/v1/apps/dev/wallet/recovery'],
      ['GET', '/v1/apps/unknown-app'],
    ] as const) {
      const r = await call(v.app, method, path, { token });
      expectProblem(r, 503, 'unavailable');
      if (path !== '/readyz') expect(r.headers.get('retry-after')).toBe('2');
    }
    expect((await call(v.app, 'GET', '/healthz')).status).toBe(200);
    const logs = v.logs.join('');
    expect(logs).toContain('database unavailable');
    expect(logs).not.toContain('unhandled error');
    expect(logs).not.toContain(token);
  });

  it('isDatabaseUnavailable looks through drizzle’s wrapper, and only at codes', () => {
    const wrapped = new DrizzleQueryError(
      'select 1',
      [],
      Object.assign(new Error('x'), { code: '57P01' }),
    );
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error(), { code: 'CONNECTION_CLOSED' }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(Object.assign(new Error(), { code: '08006' }))).toBe(true);
    expect(
      isDatabaseUnavailable(
        new DrizzleQueryError('q', [], Object.assign(new Error(), { code: '23505' })),
      ),
    ).toBe(false);
    expect(isDatabaseUnavailable(new Error('ECONNREFUSED'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

describe('remote JWKS (jwksUrl)', () => {
  let be: Backend;
  let server: Server;
  let jwksStatus = 200;
  let fetches = 0;
  let url = '';
  beforeAll(async () => {
    be = await openBackend('PGlite');
    await be.reset();
  });
  afterAll(async () => {
    server?.close();
    await be.close();
  });

  async function serveJwks(jwks: unknown): Promise<string> {
    server = createServer((req, res) => {
      fetches++;
      if (req.url !== '/jwks.json' || jwksStatus !== 200) {
        res.writeHead(jwksStatus === 200 ? 404 : jwksStatus).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  }

  it('verifies against fetched keys; fetch failures are 503, bad tokens 401', async () => {
    const idp = await makeIssuer('https://idp.remote.test/', 'shop');
    const stranger = await makeIssuer('https://idp.remote.test/', 'shop');
    url = await serveJwks(idp.jwks);
    const apps = [
      {
        id: 'shop',
        name: 'Shop',
        allowedOrigins: ['https://shop.example'],
        issuers: [{ iss: idp.iss, aud: 'shop', jwksUrl: url }],
        networks: ['preprod' as const],
        realms: [],
        realmThreshold: 0,
      },
    ];
    const vaultWith = async () =>
      makeVault(be.database, {
        registry: createRegistry(apps, be.database.db),
        verifier: createVerifier(),
      });
    const v = await vaultWith();
    const good = await idp.sign('alice');
    // Verified (the user simply has no wallet yet): not a 401.
    expectProblem(
      await call(v.app, 'GET', '/v1/apps/shop/wallet', { token: good }),
      404,
      'not_found',
    );
    expect(fetches).toBe(1);
    // A token from a key the issuer never published: 401, and the cooldown stops refetch storms.
    const forged = await stranger.sign('alice');
    for (let i = 0; i < 3; i++) {
      expectProblem(
        await call(v.app, 'GET', '/v1/apps/shop/wallet', { token: forged }),
        401,
        'unauthorized',
      );
    }
    expect(fetches).toBeLessThanOrEqual(2);

    // The identity provider answers 500: a fresh vault cannot get keys → 503, not 401.
    jwksStatus = 500;
    const v2 = await vaultWith();
    const r500 = await call(v2.app, 'GET', '/v1/apps/shop/wallet', { token: good });
    expectProblem(r500, 503, 'unavailable');
    expect(r500.json.detail).not.toContain(good);
    // It is down altogether: 503 again.
    jwksStatus = 200;
    await new Promise<void>((r) => server.close(() => r()));
    const v3 = await vaultWith();
    expectProblem(
      await call(v3.app, 'GET', '/v1/apps/shop/wallet', { token: good }),
      503,
      'unavailable',
    );
    // The first vault still holds the keys it fetched: service continues for good tokens.
    expectProblem(
      await call(v.app, 'GET', '/v1/apps/shop/wallet', { token: good }),
      404,
      'not_found',
    );
  });
});

describe('TRINE_OWNER_DATABASE_URL', () => {
  it('is read, and refused without DATABASE_URL', () => {
    // PostgreSQL is production-only (dev mode refuses DATABASE_URL): a production config.
    const prod = {
      TRINE_ENV: 'production',
      TRINE_MASTER_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      TRINE_PUBLIC_URL: 'https://vault.example',
      TRINE_EXPOSED_DIRECTLY: '1',
    };
    const c = loadConfig(
      {
        ...prod,
        DATABASE_URL: 'postgres://app@db/x',
        TRINE_OWNER_DATABASE_URL: 'postgres://owner@db/x',
      },
      '/tmp',
    );
    expect(c.ownerDatabaseUrl).toBe('postgres://owner@db/x');
    expect(() =>
      loadConfig({ ...prod, TRINE_OWNER_DATABASE_URL: 'postgres://owner@db/x' }, '/tmp'),
    ).toThrow(ConfigError);
  });
});

if (PG_URL) {
  describe('PostgreSQL goes away and comes back (a TCP proxy in front of it cuts it off)', () => {
    it('503 while it is away; served again within 1.5 s of its return, same pool', async () => {
      const target = new URL(PG_URL);
      const sockets = new Set<Socket>();
      const proxy = createTcpServer((c) => {
        const u = connect(Number(target.port || 5432), target.hostname);
        for (const [a, b] of [
          [c, u],
          [u, c],
        ] as const) {
          sockets.add(a);
          a.on('error', () => {});
          a.on('close', () => {
            b.destroy();
            sockets.delete(a);
          });
          a.pipe(b);
        }
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      const port = (proxy.address() as AddressInfo).port;
      const name = `trine_outage_${randomBytes(5).toString('hex')}`;
      const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      const url = new URL(PG_URL);
      url.host = `127.0.0.1:${port}`;
      url.pathname = `/${name}`;
      const database = await openDatabase({ url: url.toString(), max: 6 });
      try {
        const v = await makeVault(database);
        const token = await v.token('outage');
        expect(
          (await call(v.app, 'POST', '/v1/apps/dev/wallet', { token, body: createBody() })).status,
        ).toBe(201);
        // Away for 3 s (connections cut, new ones refused), under a steady stream of
        // requests (each one a failed connection attempt).
        await new Promise<void>((r) => {
          proxy.close(() => r());
          for (const so of sockets) so.destroy();
        });
        const away = Date.now();
        const statuses = new Set<number>();
        while (Date.now() - away < 3000) {
          statuses.add((await call(v.app, 'GET', '/v1/apps/dev/wallet', { token })).status);
          await new Promise((r) => setTimeout(r, 20));
        }
        expect([...statuses]).toEqual([503]);
        await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
        const back = Date.now();
        let status = 0;
        while (status !== 200 && Date.now() - back < 30_000) {
          status = (await call(v.app, 'GET', '/v1/apps/dev/wallet', { token })).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 20));
        }
        expect(status).toBe(200);
        expect(Date.now() - back).toBeLessThan(1500);
        expect((await call(v.app, 'GET', '/readyz')).status).toBe(200);
      } finally {
        await database.close();
        proxy.close();
        for (const so of sockets) so.destroy();
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    });
  });
}

describe('the postgres.js socket race (main.ts survives it, nothing else)', () => {
  it('recognises only a TypeError on a null socket thrown from postgres.js connection.js', () => {
    const race = new TypeError("Cannot read properties of null (reading 'write')");
    race.stack = `TypeError: ${race.message}\n    at Immediate.nextWrite (file:///x/node_modules/postgres/src/connection.js:255:22)`;
    expect(isDriverSocketRace(race)).toBe(true);
    const elsewhere = new TypeError("Cannot read properties of null (reading 'write')");
    elsewhere.stack = `TypeError: ${elsewhere.message}\n    at foo (file:///x/apps/vault/src/http/app.ts:1:1)`;
    expect(isDriverSocketRace(elsewhere)).toBe(false);
    const other = new TypeError("Cannot read properties of null (reading 'end')");
    other.stack = `TypeError: x\n    at (node_modules/postgres/src/connection.js:1:1)`;
    expect(isDriverSocketRace(other)).toBe(false);
    expect(isDriverSocketRace(new Error('x'))).toBe(false);
  });
});

describe('a client that closes the connection mid-body', () => {
  // Seen in e2e/prod: Caddy closed upstream requests whose client had gone, and the
  // vault answered and logged them as a database outage ("database unavailable",
  // ECONNRESET). Here a real socket sends half a body and is destroyed.
  it('is logged as a closed request, never as the database being unreachable', async () => {
    const backend = await openBackend('PGlite');
    const v = await makeVault(backend.database);
    const token = await v.token('abort-alice');
    const server = serve({ fetch: v.app.fetch, port: 0, hostname: '127.0.0.1' });
    try {
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      for (const path of ['/v1/apps/dev/wallet/shares', '/v1/apps/dev/wallet']) {
        const sock = connect(port, '127.0.0.1');
        await once(sock, 'connect');
        sock.write(
          `${path.endsWith('shares') ? 'PUT' : 'POST'} ${path} HTTP/1.1\r\nhost: vault.test\r\n` +
            `authorization: Bearer ${token}\r\ncontent-type: application/json\r\n` +
            `content-length: 4000\r\n\r\n{"expectedEpoch":1,"epoch":2,"authShare":`,
        );
        await new Promise((r) => setTimeout(r, 150));
        sock.destroy();
      }
      const until = Date.now() + 5000;
      const closed = () => v.logs.filter((l) => l.includes('client closed the request')).length;
      while (v.logs.filter((l) => l.includes('"msg":"request"')).length < 2 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      // PUT …/shares reads the raw bytes itself (management signature): the abort reaches
      // onError. POST …/wallet reads through hono's JSON validator, which answers 400.
      expect(closed()).toBe(1);
      const answered = v.logs.filter((l) => l.includes('"msg":"request"'));
      expect(answered.map((l) => JSON.parse(l).status)).toEqual([400, 400]);
      const logs = v.logs.join('');
      expect(logs).not.toContain('database unavailable');
      expect(logs).not.toContain('unhandled error');
      expect(logs).not.toContain(token);
    } finally {
      await new Promise((r) => server.close(r));
      await backend.close();
    }
  });

  it('isClientAbort is true only for Node’s aborted body read', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    expect(isClientAbort(aborted)).toBe(true);
    // postgres.js's socket error: same code, but a syscall (and drizzle wraps it).
    const socket = Object.assign(new Error('read ECONNRESET'), {
      code: 'ECONNRESET',
      syscall: 'read',
    });
    expect(isClientAbort(socket)).toBe(false);
    expect(isDatabaseUnavailable(socket)).toBe(true);
    expect(isClientAbort(new DrizzleQueryError('select 1', [], aborted))).toBe(false);
    expect(isClientAbort(Object.assign(new Error('aborted'), { code: 'EPIPE' }))).toBe(false);
    expect(isClientAbort('aborted')).toBe(false);
  });
});
