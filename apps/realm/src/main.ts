/**
 * @module main — a standalone realm: `npm run realm` (root) or `npm start -w @trine/realm`.
 * With no configuration: dev mode, PGlite in ./.trine-realm, port 8790. `PORT=0` takes a
 * free port; `LISTEN_FD=3` serves an inherited, already-bound socket instead. Either way
 * it prints `trine realm … listening on http://HOST:PORT` with the real port.
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database
 * (@trine/server-kit/serve: also the keep-alive timeouts behind Caddy).
 */
import { runMain, serve } from '@trine/server-kit/serve';
import { loadRealmConfig } from './config.ts';
import { createRealm } from './realm.ts';

async function main(): Promise<void> {
  const config = loadRealmConfig(process.env);
  const realm = await createRealm({ ...config, logLevel: config.logLevel });
  process.on('uncaughtException', (e) => {
    // The process state is unknown: log the class only (never a message) and exit.
    realm.logger.fatal({ err: { name: (e as Error)?.name } }, 'uncaught exception');
    process.exit(1);
  });
  serve({
    fetch: realm.app.fetch,
    listen:
      config.listenFd !== null ? { fd: config.listenFd } : { port: config.port, host: config.host },
    logger: realm.logger,
    onListening: (addr) => {
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      realm.logger.info(
        { mode: config.mode, db: realm.database.kind, port: addr.port, realmId: realm.realmId },
        'listening',
      );
      console.log(
        `trine realm ${realm.realmId} (${config.mode}, ${realm.database.kind}) listening on http://${host}:${addr.port}`,
      );
      console.log(`realm public key: ${realm.publicKey}`);
    },
    sweep: () => realm.sweep(),
    close: () => realm.close(),
  });
}

runMain('trine realm', main);
