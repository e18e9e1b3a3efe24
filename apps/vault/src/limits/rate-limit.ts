/**
 * @module limits/rate-limit — fixed-window counters held in the database, so a limit
 * holds across every vault process on one database (DESIGN.md §5). One atomic
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING` per hit; windows use the database clock.
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
 * Counts one hit on `bucket` and throws `rate_limited` (with Retry-After) once the
 * window's count exceeds the limit. The bucket name is hashed, so the table holds no
 * IP address or subject in clear.
 */
export async function hit(db: Db, bucket: string, lim: Limit): Promise<void> {
  // Normalised here, where every caller passes, so no route can forget the /64 rule.
  const key = createHash('sha256')
    .update(`${lim.windowSec}|${normaliseBucket(bucket)}`)
    .digest('base64url');
  const w = lim.windowSec;
  const windowNow = sql`(floor(extract(epoch from now()) / ${w}) * ${w})::bigint`;
  const rows = await withAppRole(db, (tx) =>
    tx
      .insert(rateBuckets)
      .values({
        key,
        windowStart: windowNow,
        count: 1,
        expiresAt: sql`now() + make_interval(secs => ${w})`,
      })
      .onConflictDoUpdate({
        target: rateBuckets.key,
        set: {
          count: sql`case when ${rateBuckets.windowStart} = excluded.window_start then ${rateBuckets.count} + 1 else 1 end`,
          windowStart: sql`excluded.window_start`,
          expiresAt: sql`excluded.expires_at`,
        },
      })
      .returning({
        count: rateBuckets.count,
        windowStart: rateBuckets.windowStart,
        now: sql<string>`extract(epoch from now())::text`,
      }),
  );
  const row = rows[0];
  if (row && row.count > lim.limit) {
    const retry = Math.max(1, Math.ceil(Number(row.windowStart) + w - Number(row.now)));
    throw new ApiError('rate_limited', `rate limit exceeded; retry in ${retry} s`, {
      'retry-after': String(retry),
    });
  }
}

/** Deletes expired buckets (called now and then; any process may do it). */
export async function sweep(db: Db): Promise<void> {
  await withAppRole(db, (tx) =>
    tx.delete(rateBuckets).where(sql`${rateBuckets.expiresAt} < now()`),
  );
}
