/**
 * @module db/open — opens the vault database and applies migrations.
 *
 * `DATABASE_URL` set → PostgreSQL via postgres.js; unset → embedded PGlite in the data
 * folder (or an in-memory/cloned instance given by a test). Migrations from ../drizzle
 * run at start; on PostgreSQL under an advisory lock so several vault processes can
 * start together.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Throws when the database is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// import.meta.dirname first: under a DOM test environment (the wallet's DOM tests start real
// realms and vaults) import.meta.url of a dependency is not a file: URL.
export const MIGRATIONS_FOLDER = join(
  import.meta.dirname ?? dirname(fileURLToPath(import.meta.url)),
  '../../drizzle',
);
/** Arbitrary constant: the advisory lock key that serialises migrations. */
const MIGRATION_LOCK = 7_462_013_551;

export type OpenOptions =
  | {
      url: string;
      max?: number;
      /** Migrate as this role (the table owner) instead of `url`'s role. */
      ownerUrl?: string | null;
    }
  | { dataDir: string }
  | { pglite: PGlite };

/**
 * How postgres.js reconnects after the database went away. Its default backoff grows with
 * every failed connection attempt of the whole pool, (0.5–1) × min(3^n / 100, 20) s, so a
 * few seconds of outage under load left connections waiting up to 20 s after the
 * database was back (found by e2e/prod/vault-faults.spec.ts). Here: 50 ms doubling,
 * at most 1 s; and a connection attempt gives up after 5 s (default 30).
 */
export const RECONNECT = {
  backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
  connect_timeout: 5,
} as const;

/** Opens (and migrates) the database. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if ('url' in opts) {
    await migratePostgresUrl(opts.ownerUrl ?? opts.url);
    const client = postgres(opts.url, {
      max: opts.max ?? 10,
      onnotice: () => {},
      connection: { application_name: 'trine-vault' },
      ...RECONNECT,
    });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  let client: PGlite;
  if ('pglite' in opts) client = opts.pglite;
  else {
    mkdirSync(opts.dataDir, { recursive: true });
    client = new PGlite(`${opts.dataDir}/pgdata`);
  }
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

async function migratePostgresUrl(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzlePostgres(client), { migrationsFolder: MIGRATIONS_FOLDER });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** The transaction handle passed to `withUser` / `withAppRole` callbacks. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Whose rows a request transaction may see: the app and the verified subject. */
export interface RowOwner {
  appId: string;
  userKey: string;
}

/**
 * Runs `fn` in one transaction as the RLS-restricted role `trine_app`, with
 * `trine.user_key` and `trine.app_id` set (transaction-local), so the policies of
 * drizzle/0003_rls_app.sql show this user's rows of this app only.
 */
export function withUser<T>(db: Db, owner: RowOwner, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local role trine_app`);
    await tx.execute(
      sql`select set_config('trine.user_key', ${owner.userKey}, true), set_config('trine.app_id', ${owner.appId}, true)`,
    );
    return fn(tx);
  });
}

/** Runs `fn` in one transaction as `trine_app` with no user (rate limits, app lookup). */
export function withAppRole<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local role trine_app`);
    return fn(tx);
  });
}
