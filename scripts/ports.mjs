/**
 * @module ports — listening sockets for the servers our harnesses start (e2e, e2e/prod,
 * benchmarks, the production shape), with no pick-then-bind race.
 *
 * Picking a "free" port (listen(0) + close) and letting a child bind it later races with
 * every other bind on the machine: two picks in a row can return the same port, and an
 * outgoing connection can take it as its local port in between. So:
 * - our own Node servers get an already-bound socket: the harness binds (port 0 or a
 *   known port), passes the socket as file descriptor 3 and `LISTEN_FD=3`, and the child
 *   listens on that descriptor (`server.listen({ fd })`). The port is held from the bind
 *   to the child's exit; nothing can take it.
 * - programs we cannot hand a descriptor (PostgreSQL, Caddy) get a port from below the
 *   kernel's ephemeral range (never handed out to outgoing connections or listen(0)), held
 *   bound until just before the program starts, and `withPortRetry` tries again on a clash.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Binds a TCP listening socket on host:port (0 = any free port). */
export function bindSocket(host = '127.0.0.1', port = 0) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      const a = server.address();
      const fd = server._handle?.fd;
      if (typeof fd !== 'number' || fd < 0) {
        server.close();
        reject(new Error('ports: this platform does not expose a listening socket descriptor'));
        return;
      }
      resolve({
        server,
        fd,
        port: typeof a === 'object' && a ? a.port : port,
        host,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

function ephemeralRange() {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    // not Linux: assume the IANA dynamic range
  }
  return [49152, 65535];
}

/**
 * Binds a socket on a random port below the ephemeral range (10000 .. range start − 1).
 * Use for programs that cannot take a descriptor: close it just before they start.
 */
export async function bindStablePort(host = '127.0.0.1') {
  const [lo] = ephemeralRange();
  const top = Math.max(10001, Math.min(lo, 65536) - 1);
  for (let i = 0; i < 200; i++) {
    const port = 10000 + Math.floor(Math.random() * (top - 10000));
    try {
      return await bindSocket(host, port);
    } catch (e) {
      if (e?.code !== 'EADDRINUSE' && e?.code !== 'EACCES') throw e;
    }
  }
  throw new Error('ports: no free port below the ephemeral range after 200 tries');
}

/** Runs `start(port)` with stable ports until it does not fail with a port clash. */
export async function withPortRetry(start, { host = '127.0.0.1', tries = 5, isClash } = {}) {
  let last;
  for (let i = 0; i < tries; i++) {
    const held = await bindStablePort(host);
    await held.close();
    try {
      return await start(held.port);
    } catch (e) {
      last = e;
      const text = String(e?.message ?? e);
      if (!(isClash ? isClash(e) : /EADDRINUSE|address already in use|could not bind/i.test(text)))
        throw e;
    }
  }
  throw last;
}
