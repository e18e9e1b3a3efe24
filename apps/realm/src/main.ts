/**
 * @module main — a standalone realm: `npm run realm` (root) or `npm start -w @trine/realm`.
 * With no configuration: dev mode, PGlite in ./.trine-realm, port 8790. `PORT=0` takes a
 * free port; `LISTEN_FD=3` serves an inherited, already-bound socket instead. Either way
 * it prints `trine realm … listening on http://HOST:PORT` with the real port.
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { ConfigError, loadRealmConfig } from './config.ts';
import { createRealm } from './realm.ts';

async function main(): Promise<void> {
  const config = loadRealmConfig(process.env);
  const realm = await createRealm({ ...config, logLevel: config.logLevel });
  process.on('uncaughtException', (e) => {
    // The process state is unknown: log the class only (never a message) and exit.
    realm.logger.fatal({ err: { name: (e as Error)?.name } }, 'uncaught exception');
    process.exit(1);
  });
  const server = createAdaptorServer({ fetch: realm.app.fetch });
  // Idle keep-alive connections are closed by the proxy, never first by this server:
  // Caddy keeps idle upstream connections for 30 s (infra/trine.caddy, `keepalive 30s`),
  // and with Node's default 5 s this server closed connections Caddy was about to reuse;
  // Caddy answers a POST that meets such a closed connection 502 (seen as "no vault
  // process could answer" in e2e/prod/vault-fuzz.spec.ts) and rightly does not replay it.
  const http1 = server as import('node:http').Server;
  http1.keepAliveTimeout = 65_000;
  http1.headersTimeout = 66_000;
  server.on('listening', () => {
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    realm.logger.info(
      { mode: config.mode, db: realm.database.kind, port: addr.port, realmId: realm.realmId },
      'listening',
    );
    console.log(
      `trine realm ${realm.realmId} (${config.mode}, ${realm.database.kind}) listening on http://${host}:${addr.port}`,
    );
    console.log(`realm public key: ${realm.publicKey}`);
  });
  if (config.listenFd !== null) server.listen({ fd: config.listenFd });
  else server.listen(config.port, config.host);

  const sweeper = setInterval(() => {
    realm.sweep().catch(() => {});
  }, 600_000);
  sweeper.unref();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    realm.logger.info({ signal }, 'shutting down');
    clearInterval(sweeper);
    const force = setTimeout(() => {
      realm.logger.error('in-flight requests did not finish in 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    // close() stops accepting and calls back when in-flight requests have finished.
    server.close(() => {
      realm
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
    console.error(`trine realm: ${e.message}`);
    process.exit(e.exitCode);
  }
  console.error(
    `trine realm: failed to start: ${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? ''}`,
  );
  process.exit(1);
});
