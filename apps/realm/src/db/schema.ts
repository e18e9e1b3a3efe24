/**
 * @module db/schema — the realm's tables (drizzle-orm, PostgreSQL dialect).
 *
 * Every table is prefixed `realm_` and the realm keeps its own migrations table
 * (db/open.ts), so a realm may share a PostgreSQL database with a vault without either
 * touching the other's tables. The OPRF key is never stored here: a copy of these tables
 * holds masked shares of U and unlock tags, which are useless without `h` and t realms.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  foreignKey,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One registration per (app, user): the guess counter is shared by all its epochs. */
export const registrations = pgTable(
  'realm_registrations',
  {
    appId: text('app_id').notNull(),
    /** JSON `["iss","sub"]`: the verified subject. */
    userKey: text('user_key').notNull(),
    walletId: text('wallet_id').notNull(),
    /** base64url Ed25519 public key (32 bytes): signs re-registration, commit, delete. */
    managementKey: text('management_key').notNull(),
    /** Counted evaluations since the last unlock or registration. */
    guesses: integer('guesses').notNull().default(0),
    /** When counting restarted (last unlock or registration). */
    countingSince: tz('counting_since').notNull().defaultNow(),
    /** The latest and the one-before-latest counted evaluation. */
    lastGuessAt: tz('last_guess_at'),
    prevGuessAt: tz('prev_guess_at'),
    /** The latest evaluation known not to be the right one (kept across unlocks). */
    lastWrongAt: tz('last_wrong_at'),
    lastUnlockAt: tz('last_unlock_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.userKey] })],
);

/** The epochs a registration holds: kept until a commit drops the older ones. */
export const epochs = pgTable(
  'realm_epochs',
  {
    appId: text('app_id').notNull(),
    userKey: text('user_key').notNull(),
    epoch: integer('epoch').notNull(),
    /** base64url `u_i XOR pad_i` (33 bytes): a random-looking string without `h`. */
    maskedShare: text('masked_share').notNull(),
    /** base64url `HMAC(U, …realmId‖epoch)` (32 bytes). */
    unlockTag: text('unlock_tag').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.appId, t.userKey, t.epoch] }),
    foreignKey({
      columns: [t.appId, t.userKey],
      foreignColumns: [registrations.appId, registrations.userKey],
      name: 'realm_epochs_registration_fk',
    }).onDelete('cascade'),
  ],
);

/** Nonces of accepted management signatures, kept past their validity (replay refusal). */
export const usedNonces = pgTable('realm_used_nonces', {
  nonce: text('nonce').primaryKey(),
  expiresAt: tz('expires_at').notNull(),
});

/** Fixed-window counters shared by every process on one database (limits/rate-limit.ts). */
export const rateBuckets = pgTable('realm_rate_buckets', {
  key: text('key').primaryKey(),
  /** Unix seconds of the window start, from the database clock. */
  windowStart: bigint('window_start', { mode: 'number' }).notNull(),
  count: integer('count').notNull(),
  expiresAt: tz('expires_at').notNull().default(sql`now() + interval '1 day'`),
});
