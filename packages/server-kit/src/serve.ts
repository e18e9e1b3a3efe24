/**
 * @module serve — the Node HTTP server of the vault and of a standalone realm: keep-alive
 * timeouts that let the proxy close idle connections first, listening on a port or on an
 * inherited, already-bound socket (`LISTEN_FD`: no pick-a-free-port-then-bind race), a
 * periodic sweep, and a graceful stop on SIGTERM/SIGINT (stop accepting, let in-flight
 * requests finish within 10 s, then close the database).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';

/**
 * Idle keep-alive connections are closed by the proxy, never first by this server: Caddy
 * keeps idle upstream connections for 30 s (infra/trine.caddy, `keepalive 30s`), and with
 * Node's default 5 s this server closed connections Caddy was about to reuse; Caddy
 * answers a POST that meets such a closed connection 502 (seen as "no vault process
 * could answer" in e2e/prod/vault-fuzz.spec.ts) and rightly does not replay it.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
export const HEADERS_TIMEOUT_MS = 66_000;

export interface ServeOptions {
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  /** An inherited listening descriptor (3 or more), or a port and host. */
  listen: { fd: number } | { port: number; host: string };
  /** The address passed to the adaptor (the vault binds its configured host). */
  hostname?: string;
  logger: { info(obj: object, msg: string): void; error(msg: string): void };
  onListening: (address: AddressInfo) => void;
  /** Run every 10 minutes (expired rate-limit rows); failures are ignored. */
  sweep?: () => Promise<unknown>;
  /** Closes what the server holds (the database) after the last request finished. */
  close: () => Promise<void>;
}

export function serve(opts: ServeOptions): Server {
  const server = createAdaptorServer({
    fetch: opts.fetch,
    ...(opts.hostname ? { hostname: opts.hostname } : {}),
  }) as Server;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.on('listening', () => opts.onListening(server.address() as AddressInfo));
  if ('fd' in opts.listen) server.listen({ fd: opts.listen.fd });
  else server.listen(opts.listen.port, opts.listen.host);

  const sweeper = opts.sweep
    ? setInterval(() => {
        opts.sweep?.().catch(() => {});
      }, 600_000)
    : undefined;
  sweeper?.unref();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.logger.info({ signal }, 'shutting down');
    if (sweeper) clearInterval(sweeper);
    const force = setTimeout(() => {
      opts.logger.error('in-flight requests did not finish in 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    // close() stops accepting and calls back when in-flight requests have finished.
    server.close(() => {
      opts
        .close()
        .then(() => process.exit(0))
        .catch(() => process.exit(1));
    });
    server.closeIdleConnections?.();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return server;
}

/**
 * Runs a server's `main`: a configuration error (anything with a numeric `exitCode`, such
 * named ConfigError, as the vault's and the realm's are) prints its message and exits with its code;
 * any other failure prints its class and message and exits 1.
 */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    const exitCode = (e as { exitCode?: unknown })?.exitCode;
    if (e instanceof Error && e.name === 'ConfigError' && typeof exitCode === 'number') {
      console.error(`${name}: ${e.message}`);
      process.exit(exitCode);
    }
    console.error(
      `${name}: failed to start: ${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? ''}`,
    );
    process.exit(1);
  });
}
