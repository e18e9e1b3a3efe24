/**
 * @module main — starts the vault: `npm run vault` (root) or `npm start -w @trine/vault`.
 * With no configuration: dev mode, PGlite in ./.trine-data, port 8787, dev issuer on.
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the pool
 * (@trine/server-kit/serve: also the keep-alive timeouts behind Caddy).
 */
import { runMain, serve } from '@trine/server-kit/serve';
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
  // LISTEN_FD: an already-bound listening socket inherited from the process that started
  // us (the test harnesses, scripts/ports.mjs): no pick-a-free-port-then-bind race.
  const listenFd = process.env.LISTEN_FD ? Number(process.env.LISTEN_FD) : null;
  if (listenFd !== null && (!Number.isInteger(listenFd) || listenFd < 3)) {
    throw new ConfigError('LISTEN_FD must be an inherited descriptor number (3 or more)');
  }
  serve({
    fetch: vault.app.fetch,
    hostname: config.host,
    listen: listenFd !== null ? { fd: listenFd } : { port: config.port, host: config.host },
    logger: vault.logger,
    onListening: (info) => {
      const url =
        config.port === 0 || listenFd !== null
          ? `http://${config.host}:${info.port}`
          : config.publicUrl;
      vault.logger.info(
        { mode: config.mode, db: vault.database.kind, port: info.port },
        'listening',
      );
      console.log(`trine vault (${config.mode}, ${vault.database.kind}) listening on ${url}`);
      if (vault.devIssuer) console.log(`dev issuer: POST ${url}/dev/token {"sub":"alice"}`);
    },
    sweep: () => sweep(vault.database.db),
    close: () => vault.close(),
  });
}

runMain('trine vault', main);
