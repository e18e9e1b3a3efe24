/**
 * @module db/open — opens the realm database and applies its migrations.
 *
 * `url` → PostgreSQL via postgres.js; `dataDir` → embedded PGlite in that folder; `pglite`
 * → a given instance (tests). Migrations from ../drizzle run at start, recorded in the
 * realm's own table `drizzle.__realm_migrations` (so a vault and a realm can share one
 * database); on PostgreSQL under an advisory lock so several processes can start together.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The transaction handle of `db.transaction(fn)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

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
const MIGRATIONS = {
  migrationsFolder: MIGRATIONS_FOLDER,
  migrationsTable: '__realm_migrations',
  migrationsSchema: 'drizzle',
};
/** Arbitrary constant (not the vault's): the advisory lock key that serialises migrations. */
const MIGRATION_LOCK = 7_462_013_997;

export type OpenOptions =
  | { url: string; max?: number }
  | { dataDir: string }
  | { pglite: PGlite; closeWithRealm?: boolean };

/**
 * How postgres.js reconnects after the database went away (the vault's measured
 * settings: 50 ms doubling, at most 1 s; a connection attempt gives up after 5 s).
 */
const RECONNECT = {
  backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
  connect_timeout: 5,
} as const;

/** Opens (and migrates) the database. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if ('url' in opts) {
    await migratePostgresUrl(opts.url);
    const client = postgres(opts.url, {
      max: opts.max ?? 10,
      onnotice: () => {},
      connection: { application_name: 'trine-realm' },
      ...RECONNECT,
    });
    return {
      db: drizzlePostgres(client, { schema }) as unknown as Db,
      kind: 'postgres',
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  let client: PGlite;
  let owned = true;
  if ('pglite' in opts) {
    client = opts.pglite;
    owned = opts.closeWithRealm ?? false;
  } else {
    mkdirSync(opts.dataDir, { recursive: true });
    client = new PGlite(`${opts.dataDir}/pgdata`);
  }
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, MIGRATIONS);
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      if (owned) await client.close();
    },
  };
}

async function migratePostgresUrl(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzlePostgres(client), MIGRATIONS);
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
