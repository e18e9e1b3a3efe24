/**
 * @module main — starts the vault: `npm run vault` (root) or `npm start -w @trine/vault`.
 * With no configuration: dev mode, PGlite in ./.trine-data, port 8787, dev issuer on.
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the pool.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { ConfigError, loadConfig } from './config.ts';
import { isDriverSocketRace } from './db/driver-race.ts';
import { sweep } from './limits/rate-limit.ts';
import { buildVault } from './vault.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // Dev mode runs one recovery realm in this process (docs/realms.md); production lists
  // standalone realms in its apps file. TRINE_IN_PROCESS_REALM=0 turns it off.
  const vault = await buildVault(config, {
    inProcessRealm: process.env.TRINE_IN_PROCESS_REALM !== '0',
  });
  process.on('uncaughtException', (e) => {
    if (isDriverSocketRace(e)) {
      vault.logger.warn(
        { err: { name: e.name } },
        'database driver: write on a closed connection ignored',
      );
      return;
    }
    // Anything else: the process state is unknown. Log the class only and exit.
    vault.logger.fatal({ err: { name: (e as Error)?.name } }, 'uncaught exception');
    process.exit(1);
  });
  const server = createAdaptorServer({ fetch: vault.app.fetch, hostname: config.host });
  // Idle keep-alive connections are closed by the proxy, never first by this server:
  // Caddy keeps idle upstream connections for 30 s (infra/trine.caddy, `keepalive 30s`),
  // and with Node's default 5 s this server closed connections Caddy was about to reuse;
  // Caddy answers a POST that meets such a closed connection 502 (seen as "no vault
  // process could answer" in e2e/prod/vault-fuzz.spec.ts) and rightly does not replay it.
  const http1 = server as import('node:http').Server;
  http1.keepAliveTimeout = 65_000;
  http1.headersTimeout = 66_000;
  const onListening = () => {
    const info = server.address() as AddressInfo;
    const url =
      config.port === 0 || listenFd !== null
        ? `http://${config.host}:${info.port}`
        : config.publicUrl;
    vault.logger.info({ mode: config.mode, db: vault.database.kind, port: info.port }, 'listening');
    console.log(`trine vault (${config.mode}, ${vault.database.kind}) listening on ${url}`);
    if (vault.devIssuer) console.log(`dev issuer: POST ${url}/dev/token {"sub":"alice"}`);
  };
  // LISTEN_FD: an already-bound listening socket inherited from the process that started
  // us (the test harnesses, scripts/ports.mjs): no pick-a-free-port-then-bind race.
  const listenFd = process.env.LISTEN_FD ? Number(process.env.LISTEN_FD) : null;
  if (listenFd !== null) {
    if (!Number.isInteger(listenFd) || listenFd < 3) {
      throw new ConfigError('LISTEN_FD must be an inherited descriptor number (3 or more)');
    }
    server.listen({ fd: listenFd }, onListening);
  } else {
    server.listen(config.port, config.host, onListening);
  }
  const sweeper = setInterval(() => {
    sweep(vault.database.db).catch(() => {});
  }, 600_000);
  sweeper.unref();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    vault.logger.info({ signal }, 'shutting down');
    clearInterval(sweeper);
    const force = setTimeout(() => {
      vault.logger.error('in-flight requests did not finish in 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    // close() stops accepting and calls back when in-flight requests have finished.
    server.close(() => {
      vault
        .close()
        .then(() => process.exit(0))
        .catch(() => process.exit(1));
    });
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    console.error(`trine vault: ${e.message}`);
    process.exit(e.exitCode);
  }
  console.error(
    `trine vault: failed to start: ${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? ''}`,
  );
  process.exit(1);
});
