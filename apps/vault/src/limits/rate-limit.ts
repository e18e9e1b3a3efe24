/**
 * @module limits/rate-limit — fixed-window counters held in the database, so a limit
 * holds across every vault process on one database (DESIGN.md §5). One atomic
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING` per hit (the SQL function `trine_hit`, one
 * round trip); windows use the database clock.
 * Client-address buckets count an IPv6 client per /64 (see `addressBucket`).
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { sql } from 'drizzle-orm';
import { type Db, withAppRole } from '../db/open.ts';
import { rateBuckets } from '../db/schema.ts';
import { ApiError } from '../http/problem.ts';

export interface Limit {
  /** Requests allowed per window. */
  limit: number;
  windowSec: number;
}

export interface LimitsConfig {
  /** Every /v1 and /dev request, per client IP. */
  ip: Limit;
  /** Every authenticated request, per user (the wallet owner). */
  user: Limit;
  /** POST …/wallet/recovery, per user (wallet). */
  recoveryUser: Limit;
  /** POST …/wallet/recovery, per client IP. */
  recoveryIp: Limit;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  ip: { limit: 600, windowSec: 60 },
  user: { limit: 120, windowSec: 60 },
  recoveryUser: { limit: 5, windowSec: 3600 },
  recoveryIp: { limit: 20, windowSec: 3600 },
};

/** Parses `N/SECONDS` (e.g. `5/3600`). */
export function parseLimit(text: string, name: string): Limit {
  const m = text.match(/^(\d{1,9})\/(\d{1,7})$/);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new Error(`${name} must look like N/SECONDS, e.g. 5/3600`);
  }
  return { limit: Number(m[1]), windowSec: Number(m[2]) };
}

/**
 * The rate-limit subject of a client address: an IPv4 address as is, an IPv6 address as
 * its /64 prefix. One IPv6 host usually holds a whole /64 (RFC 6177 assigns at least a
 * /64 per site and SLAAC picks addresses inside it at will), so per-address buckets would
 * give one client 2^64 of them. Anything that does not parse is kept (bounded) as is.
 *
 * @example addressBucket('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 */
export function addressBucket(ip: string): string {
  const bare = ip.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) names no other host
  if (!isIPv6(bare)) return ip.slice(0, 64);
  const hextets = expandIPv6(bare);
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (a dotted IPv4 tail included). */
function expandIPv6(addr: string): number[] {
  let text = addr;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':').map((h) => Number.parseInt(h, 16)));
  const left = part(head);
  if (tail === undefined) return left;
  const right = part(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** Bucket kinds whose subject is a client address (`kind|address`, see http/app.ts, routes). */
const ADDRESS_KINDS = new Set(['ip', 'recovery-ip']);

/** `kind|address` → `kind|addressBucket(address)`; other buckets unchanged. */
export function normaliseBucket(bucket: string): string {
  const bar = bucket.indexOf('|');
  if (bar < 0 || !ADDRESS_KINDS.has(bucket.slice(0, bar))) return bucket;
  return `${bucket.slice(0, bar)}|${addressBucket(bucket.slice(bar + 1))}`;
}

/**
 * The stored key of `bucket` under `lim`: a SHA-256 hash, so the table holds no IP
 * address or subject in clear. Normalised here, where every caller passes, so no route
 * can forget the /64 rule.
 */
export function bucketKey(bucket: string, lim: Limit): string {
  return createHash('sha256')
    .update(`${lim.windowSec}|${normaliseBucket(bucket)}`)
    .digest('base64url');
}

/** The `rate_limited` problem with its Retry-After (seconds until the window ends). */
export function rateLimited(retry: number): ApiError {
  return new ApiError('rate_limited', `rate limit exceeded; retry in ${retry} s`, {
    'retry-after': String(retry),
  });
}

/** Rows of a `db.execute` result (postgres.js gives an array, PGlite `{rows}`). */
export function resultRows<T>(r: unknown): T[] {
  return (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
}

/**
 * Counts one hit on `bucket` and throws `rate_limited` (with Retry-After) once the
 * window's count exceeds the limit. One statement, one round trip: `trine_hit`
 * (drizzle/0004) switches to the request role and runs the upsert with the database
 * clock, so the count is shared by every process on the database.
 */
export async function hit(db: Db, bucket: string, lim: Limit): Promise<void> {
  const rows = resultRows<{ retry: number | null }>(
    await db.execute(
      sql`select trine_hit(${bucketKey(bucket, lim)}, ${lim.limit}::int, ${lim.windowSec}::int) as retry`,
    ),
  );
  const retry = rows[0]?.retry;
  if (retry !== null && retry !== undefined) throw rateLimited(Number(retry));
}

/** Days routine reads (`read_events`) are kept; security events are kept for good. */
export const READ_EVENTS_DAYS = 90;

/**
 * Deletes expired buckets and routine reads older than READ_EVENTS_DAYS (called now and
 * then; any process may do it). Security events (`audit_events`) are never deleted.
 */
export async function sweep(db: Db): Promise<void> {
  await withAppRole(db, async (tx) => {
    await tx.delete(rateBuckets).where(sql`${rateBuckets.expiresAt} < now()`);
    await tx.execute(sql`select trine_prune_reads(${READ_EVENTS_DAYS}::int)`);
  });
}
