/**
 * A PostgreSQL restart leaves no stale error behind in the vault's pool. postgres.js
 * 3.4.9 kept the ErrorResponse (57P01, "terminating connection due to administrator
 * command") of a query that was running when the server shut down, and rejected the first
 * query of the reconnected connection with it: with the database up again, each vault
 * process answered a few requests 503. scripts/patch-deps.mjs fixes the driver; this test
 * plays the restart on a throwaway cluster of its own (the suite's shared cluster cannot
 * be restarted under the other tests) through the vault's own openDatabase.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { withPortRetry } from '../../../scripts/ports.mjs';
import { openDatabase } from '../src/db/open.ts';
import { PG_URL } from './helpers.ts';

const PG_SH = resolve(import.meta.dirname, '../../../scripts/pg.sh');
const pgSh = (args: string[]) =>
  execFileSync('bash', [PG_SH, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Needs PostgreSQL's binaries: present whenever the suite runs with a real PostgreSQL.
describe.runIf(PG_URL)('PostgreSQL restarted under load', () => {
  it('after the restart every query succeeds: no stale 57P01 on a reconnected connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-pg-restart-'));
    chmodSync(dir, 0o755); // the postgres user keeps its cluster in here
    const cluster = join(dir, 'pg');
    const { url, port } = await withPortRetry(async (p) => ({
      url: pgSh(['start', cluster, String(p)]).trim(),
      port: p,
    }));
    const database = await openDatabase({ url, max: 10 });
    const codes = (e: unknown) => {
      let x: unknown = e;
      while (x && typeof x === 'object' && 'cause' in x && (x as { cause?: unknown }).cause)
        x = (x as { cause: unknown }).cause;
      return String((x as { code?: unknown })?.code ?? 'unknown');
    };
    const query = async (errors: string[]) => {
      try {
        await database.db.execute(sql`select pg_sleep(0.005)`);
      } catch (e) {
        errors.push(codes(e));
      }
    };
    try {
      // Every connection of the pool open, then a steady load while the server restarts.
      const warm: string[] = [];
      await Promise.all(Array.from({ length: 10 }, () => query(warm)));
      expect(warm).toEqual([]);
      const during: string[] = [];
      let stop = false;
      const load = Promise.all(
        Array.from({ length: 3 }, async () => {
          while (!stop) {
            await query(during);
            await sleep(10);
          }
        }),
      );
      await sleep(400);
      pgSh(['stop', cluster]);
      await sleep(1000);
      // The load stops before the server is back: a connection that carries the stale
      // error keeps it through failed reconnects until one succeeds, and the bursts below
      // are what reaches it (as the next requests reached it in e2e/prod).
      stop = true;
      await load;
      pgSh(['start', cluster, String(port)]);
      await sleep(300);
      // The outage was seen (queries failed while it was down)…
      expect(during.length).toBeGreaterThan(0);
      // …and once it is back, bursts that use every connection of the pool all succeed.
      const after: string[] = [];
      for (let round = 0; round < 20; round++) {
        await Promise.all(Array.from({ length: 16 }, () => query(after)));
      }
      expect(after).toEqual([]);
    } finally {
      await database.close().catch(() => undefined);
      pgSh(['stop', cluster]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
