/**
 * @module errors — what an unexpected error means, decided by its class and code only
 * (never its message, which may quote values): a client that went away, a database that
 * cannot be reached, and the shape of an error that may be logged.
 */

/**
 * True for the error Node's HTTP server gives a body read when the peer closed the
 * socket mid-request (`Error: aborted`, code ECONNRESET, from `abortIncoming`). A socket
 * error of the database driver has the same code but names a `syscall` (`read ECONNRESET`)
 * and reaches us wrapped by drizzle-orm; neither holds here.
 */
export function isClientAbort(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown; syscall?: unknown; cause?: unknown };
  return (
    e.code === 'ECONNRESET' &&
    e.message === 'aborted' &&
    e.syscall === undefined &&
    e.cause === undefined
  );
}

/** Driver and server codes that mean "the database is not reachable right now". */
const UNAVAILABLE_CODES = new Set<unknown>([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown (the server is stopping)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08006', // connection_failure
]);

/**
 * True when `err`, or an error it wraps (drizzle-orm wraps every driver error in a
 * DrizzleQueryError whose `cause` is the postgres.js error), means the database is
 * unreachable: the client gets 503 `unavailable` and may retry, not a 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (UNAVAILABLE_CODES.has(code)) return true;
    if (typeof code === 'string' && code.startsWith('08')) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The error's class and code, and those of its cause (never a message: it may quote values). */
export function errorShape(err: unknown): { name?: string; code?: unknown; cause?: unknown } {
  const shape = (e: unknown) => ({
    name: (e as Error)?.name,
    code: (e as { code?: unknown })?.code,
  });
  const cause = (err as { cause?: unknown })?.cause;
  return cause ? { ...shape(err), cause: shape(cause) } : shape(err);
}
