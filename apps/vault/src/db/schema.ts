/**
 * @module db/schema — the vault's tables (drizzle-orm, PostgreSQL dialect).
 *
 * User tables (`wallets`, `audit_events`) carry `user_key` = JSON `["<iss>","<sub>"]`
 * and are protected by row-level security (see drizzle/0001_rls.sql): the request
 * role `trine_app` sees only rows whose user_key equals `current_setting('trine.user_key')`.
 * Share columns hold ciphertext only (src/crypto/at-rest.ts), never a plaintext share.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** Apps added by an operator with the admin command (apps may also come from a file). */
export const apps = pgTable('apps', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Host origins allowed to embed the wallet (frame-ancestors, handshake check). */
  allowedOrigins: jsonb('allowed_origins').$type<string[]>().notNull(),
  /** Trusted identity providers: [{iss, aud, jwksUrl} | {iss, aud, jwks}]. */
  issuers: jsonb('issuers').$type<unknown[]>().notNull(),
  networks: jsonb('networks').$type<string[]>().notNull(),
  /** Recovery realms of the app: [{id, url, publicKey}] (docs/realms.md "App configuration"). */
  realms: jsonb('realms').$type<unknown[]>().notNull().default([]),
  /** t of the realms' t-of-n; 0 when the app has no realms. */
  realmThreshold: integer('realm_threshold').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const wallets = pgTable(
  'wallets',
  {
    appId: text('app_id').notNull(),
    /** JSON `["iss","sub"]`: the verified subject. The RLS key. */
    userKey: text('user_key').notNull(),
    walletId: text('wallet_id').notNull(),
    keyId: text('key_id').notNull(),
    network: text('network').notNull(),
    baseAddress: text('base_address').notNull(),
    rewardAddress: text('reward_address').notNull(),
    /** Epoch of the auth share (the wallet's current epoch). */
    epoch: integer('epoch').notNull(),
    /** Epoch of the stored sealed recovery record (equals `epoch` unless a re-share kept it). */
    recoveryEpoch: integer('recovery_epoch').notNull(),
    question: text('question').notNull(),
    /** The per-row data key, wrapped by the master key `masterKid`. */
    dataKey: text('data_key').notNull(),
    masterKid: text('master_kid').notNull(),
    /** AES-256-GCM under the data key: the auth-share envelope JSON. */
    authShareCt: text('auth_share_ct').notNull(),
    /** AES-256-GCM under the data key: the sealed recovery record JSON. */
    sealedCt: text('sealed_ct').notNull(),
    /**
     * Additional-data version of the at-rest ciphertexts (crypto/at-rest.ts): 1 = rows
     * written before app_id was bound (user key + walletId only), 2 = app_id bound too.
     * Rows move to 2 on their next write (re-share) or `admin keys rotate`.
     */
    atRestV: integer('at_rest_v').notNull().default(1),
    /** base64url Ed25519 public key of the wallet's management key; null = legacy wallet. */
    managementKey: text('management_key'),
    /** `v` of the stored sealed recovery record (1 = answer only, 2 = realms). */
    sealedV: integer('sealed_v').notNull().default(1),
    /**
     * The previous epoch, kept after a re-share until `POST …/wallet/commit` (invariant 8:
     * a crash between the vault's swap and the device-share write leaves the old epoch's
     * auth share + recovery record readable). All four null when nothing is kept.
     */
    prevEpoch: integer('prev_epoch'),
    prevQuestion: text('prev_question'),
    /** AES-256-GCM under the row's data key, like `authShareCt` / `sealedCt`. */
    prevAuthShareCt: text('prev_auth_share_ct'),
    prevSealedCt: text('prev_sealed_ct'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.userKey] }), index('wallets_wallet_id').on(t.walletId)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    appId: text('app_id').notNull(),
    userKey: text('user_key').notNull(),
    walletId: text('wallet_id'),
    /**
     * Security events only (since migration 0004): wallet.create | recovery.read |
     * auth_share.read_previous | shares.reshare | wallet.commit | wallet.delete. Never
     * pruned by the vault; routine reads are in `read_events`.
     */
    action: text('action').notNull(),
    epoch: integer('epoch'),
    ip: text('ip'),
    requestId: text('request_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_events_user').on(t.appId, t.userKey, t.id)],
);

/**
 * Routine auth-share reads of the current epoch (migration 0004), apart from the security
 * events so that no number of reads can push one out; pruned after READ_EVENTS_DAYS by
 * `trine_prune_reads` (src/limits/rate-limit.ts sweep). Same RLS policy as audit_events.
 */
export const readEvents = pgTable(
  'read_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    appId: text('app_id').notNull(),
    userKey: text('user_key').notNull(),
    walletId: text('wallet_id'),
    action: text('action').notNull().default('auth_share.read'),
    epoch: integer('epoch'),
    ip: text('ip'),
    requestId: text('request_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('read_events_user').on(t.appId, t.userKey, t.id),
    index('read_events_created').on(t.createdAt),
  ],
);

/**
 * Nonces of signed management requests already used (docs/realms.md "Signed management
 * requests"): inserted insert-or-fail in the transaction of the change they authorise,
 * swept after `expires_at` (by then the signed time is out of the accepted window anyway).
 */
export const usedNonces = pgTable(
  'used_nonces',
  {
    nonce: text('nonce').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('used_nonces_expires').on(t.expiresAt)],
);

/** Fixed-window counters shared by every vault process (src/limits/rate-limit.ts). */
export const rateBuckets = pgTable('rate_buckets', {
  key: text('key').primaryKey(),
  /** Unix seconds of the window start, from the database clock. */
  windowStart: bigint('window_start', { mode: 'number' }).notNull(),
  count: integer('count').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true })
    .notNull()
    .default(sql`now() + interval '1 day'`),
});
