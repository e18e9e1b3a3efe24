/**
 * @module db/driver-race — a known race of the PostgreSQL driver, recognised so main.ts
 * can survive it.
 */

/**
 * True for one known race in postgres.js 3.4.9 (the newest release): when PostgreSQL goes
 * away, a write scheduled with setImmediate can run after the connection nulled its socket
 * (connection.js nextWrite → `socket.write` on null). The connection is already closed and
 * its queries already failed (503 to their clients); nothing else is affected. Without
 * this guard the whole vault process died when PostgreSQL restarted (found by
 * e2e/prod/vault-faults.spec.ts).
 */
export function isDriverSocketRace(e: unknown): boolean {
  return (
    e instanceof TypeError &&
    /Cannot read properties of null \(reading 'write'\)/.test(e.message) &&
    /postgres[\\/]src[\\/]connection\.js/.test(e.stack ?? '')
  );
}
