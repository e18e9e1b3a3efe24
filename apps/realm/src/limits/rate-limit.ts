/**
 * @module limits/rate-limit — fixed-window counters held in the database, so a limit
 * holds across every realm process on one database and across restarts. One atomic
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING` per hit; windows use the database clock.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/open.ts';
import { rateBuckets, usedNonces } from '../db/schema.ts';
import { ApiError } from '../http/problem.ts';

export interface Limit {
  /** Requests allowed per window. */
  limit: number;
  windowSec: number;
}

export interface LimitsConfig {
  /** Every /v1/apps request, per client IP. */
  ip: Limit;
  /** Every authenticated request, per (app, user). */
  user: Limit;
  /**
   * Evaluations that are not counted as guesses (no registration yet, or signed with the
   * management key), per (app, user): nothing to guess at, but still bounded.
   */
  freeEvaluations: Limit;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  ip: { limit: 600, windowSec: 60 },
  user: { limit: 120, windowSec: 60 },
  freeEvaluations: { limit: 30, windowSec: 3600 },
};

/** Parses `N/SECONDS` (e.g. `30/3600`). */
export function parseLimit(text: string, name: string): Limit {
  const m = text.match(/^(\d{1,9})\/(\d{1,7})$/);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new Error(`${name} must look like N/SECONDS, e.g. 30/3600`);
  }
  return { limit: Number(m[1]), windowSec: Number(m[2]) };
}

/**
 * Counts one hit on `bucket` and throws `rate_limited` (with Retry-After) once the
 * window's count exceeds the limit. The bucket name is hashed, so the table holds no IP
 * address or subject in clear.
 */
export async function hit(db: Db | Tx, bucket: string, lim: Limit): Promise<void> {
  const key = createHash('sha256').update(`${lim.windowSec}|${bucket}`).digest('base64url');
  const w = lim.windowSec;
  const windowNow = sql`(floor(extract(epoch from now()) / ${w}) * ${w})::bigint`;
  const rows = await db
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
    });
  const row = rows[0];
  if (row && row.count > lim.limit) {
    const retry = Math.max(1, Math.ceil(Number(row.windowStart) + w - Number(row.now)));
    throw new ApiError('rate_limited', `rate limit exceeded; retry in ${retry} s`, {
      'retry-after': String(retry),
    });
  }
}

/** Deletes expired rate buckets and used nonces (called now and then by any process). */
export async function sweep(db: Db): Promise<void> {
  await db.delete(rateBuckets).where(sql`${rateBuckets.expiresAt} < now()`);
  await db.delete(usedNonces).where(sql`${usedNonces.expiresAt} < now()`);
}
