/**
 * @module db/wallet-store — the wallet operations, each one transaction as the
 * RLS-restricted role for one verified user of one app (db/open.ts `withUser`), with its
 * audit row written in the same transaction (so an audited read either happens and is
 * recorded, or neither). Share columns are encrypted at rest (crypto/at-rest.ts).
 *
 * Replacing, committing and deleting need the wallet's management-key signature
 * (docs/realms.md): it is verified here, inside the transaction that holds the row lock,
 * against the key stored with the row, and its nonce is recorded in the same transaction,
 * so a refused request changes nothing and a replayed one finds its nonce taken.
 */
import { verifyManagementRequest } from '@trine/core/management-key';
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { type Keyring, openColumn, openRow, type RowContext, sealRow } from '../crypto/at-rest.ts';
import type { ManagementAuth } from '../http/management.ts';
import { ApiError } from '../http/problem.ts';
import { rateLimited, resultRows } from '../limits/rate-limit.ts';
import { type Db, type Tx, withUser } from './open.ts';
import { auditEvents, readEvents, usedNonces, wallets } from './schema.ts';

/**
 * How long a used nonce is kept. A signed time is accepted within ±300 s of the server
 * clock (MANAGEMENT_MAX_SKEW_S), so a request is replayable for at most 600 s after it
 * was first seen; 15 minutes leaves room for clock differences between processes and
 * the database (whose clock sets the expiry).
 */
export const NONCE_TTL_SECONDS = 900;

export interface Caller {
  appId: string;
  userKey: string;
  ip: string;
  requestId: string;
}

export interface NewWallet {
  walletId: string;
  keyId: string;
  network: string;
  addresses: { base: string; reward: string };
  epoch: number;
  /** Canonical JSON text of the auth-share envelope. */
  authShare: string;
  question: string;
  /** Canonical JSON text of the sealed recovery record. */
  sealed: string;
  /** `v` of the sealed record (1 or 2). */
  sealedV: number;
  /** base64url Ed25519 public key (checked by http/management.ts parseManagementKey). */
  managementKey: string;
}

export interface WalletMetadata {
  walletId: string;
  keyId: string;
  network: string;
  addresses: { base: string; reward: string };
  epoch: number;
  recoveryEpoch: number;
  question: string;
  /** The registered management public key (base64url); null = a wallet from before it. */
  managementKey: string | null;
  /** The epoch still kept after a re-share until it is committed; null when none. */
  previousEpoch: number | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The security events (`audit_events`, kept for good). Routine reads of the current
 * epoch's auth share (`auth_share.read`) go to `read_events` instead, and a read of the
 * kept previous epoch (`auth_share.read_previous`) is written by trine_read_auth_share.
 */
export type AuditAction =
  | 'wallet.create'
  | 'recovery.read'
  | 'shares.reshare'
  | 'wallet.commit'
  | 'wallet.delete';

/** Which events `events()` lists: the security events, or the routine reads. */
export type EventKind = 'security' | 'reads';

/** One event of the events API (README "Events"). */
export interface WalletEvent {
  id: number;
  action: string;
  epoch: number | null;
  /** ISO 8601 time of the event. */
  at: string;
  ip: string | null;
  /** Kept from the earlier response shape (same value as before). */
  walletId: string | null;
  /** Kept from the earlier response shape: the same time as `at`. */
  createdAt: string;
}

/** A rate-limit bucket counted by trine_read_auth_share (limits/rate-limit.ts bucketKey). */
export interface CountedBucket {
  key: string;
  limit: number;
  windowSec: number;
}

/** What trine_read_auth_share returns (drizzle/0004). */
interface FastReadRow {
  outcome: 'ok' | 'ip_limited' | 'user_limited' | 'not_found' | 'epoch_not_found';
  retry: number | null;
  wallet_id: string | null;
  epoch: number | null;
  prev_epoch: number | null;
  data_key: string | null;
  master_kid: string | null;
  at_rest_v: number | null;
  share_ct: string | null;
}

type Row = typeof wallets.$inferSelect;

function audit(
  tx: Tx,
  who: Caller,
  action: AuditAction,
  walletId: string | null,
  epoch: number | null,
) {
  return tx.insert(auditEvents).values({
    appId: who.appId,
    userKey: who.userKey,
    walletId,
    action,
    epoch,
    ip: who.ip,
    requestId: who.requestId,
  });
}

const mine = (who: Caller) => and(eq(wallets.appId, who.appId), eq(wallets.userKey, who.userKey));

async function load(tx: Tx, who: Caller, forUpdate = false): Promise<Row> {
  const q = tx.select().from(wallets).where(mine(who));
  const rows = forUpdate ? await q.for('update') : await q;
  const row = rows[0];
  if (!row) throw new ApiError('not_found', 'this user has no wallet for this app');
  return row;
}

const ctxOf = (row: Row): RowContext => ({
  appId: row.appId,
  userKey: row.userKey,
  walletId: row.walletId,
});

/**
 * Verifies a management signature under `publicKey` for this wallet and records its
 * nonce (insert-or-fail). Throws the 401 problem of docs/realms.md on any failure; the
 * caller's transaction then rolls back, so nothing changes.
 */
async function checkSignature(
  tx: Tx,
  who: Caller,
  walletId: string,
  publicKey: string,
  expectedEpoch: number | null,
  auth: ManagementAuth,
): Promise<void> {
  const check = verifyManagementRequest(
    new Uint8Array(Buffer.from(publicKey, 'base64url')),
    {
      method: auth.method,
      path: auth.path,
      appId: who.appId,
      walletId,
      expectedEpoch,
      body: auth.body,
    },
    auth.headers,
  );
  if (!check.ok) {
    const detail = {
      management_signature_required:
        'this request needs the Trine-Mgmt-Time, Trine-Mgmt-Nonce and Trine-Mgmt-Signature headers',
      management_signature_invalid:
        "the management signature does not verify under this wallet's management key",
      management_signature_expired: 'Trine-Mgmt-Time is more than 300 s away from the server clock',
    }[check.code];
    throw new ApiError(check.code, detail);
  }
  // Sweep first (cheap: indexed, usually nothing), then claim the nonce. Under two
  // concurrent uses of one nonce the second insert waits for the first transaction and
  // then finds the key taken.
  await tx.delete(usedNonces).where(sql`${usedNonces.expiresAt} < now()`);
  const claimed = await tx
    .insert(usedNonces)
    .values({
      nonce: check.nonce,
      expiresAt: sql`now() + make_interval(secs => ${NONCE_TTL_SECONDS})`,
    })
    .onConflictDoNothing()
    .returning({ nonce: usedNonces.nonce });
  if (claimed.length !== 1) {
    throw new ApiError('management_signature_replayed', 'this signed request was already used');
  }
}

function metadataOf(row: Row): WalletMetadata {
  return {
    walletId: row.walletId,
    keyId: row.keyId,
    network: row.network,
    addresses: { base: row.baseAddress, reward: row.rewardAddress },
    epoch: row.epoch,
    recoveryEpoch: row.recoveryEpoch,
    question: row.question,
    managementKey: row.managementKey,
    previousEpoch: row.prevEpoch,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function createWalletStore(db: Db, keyring: Keyring) {
  return {
    async create(who: Caller, w: NewWallet): Promise<WalletMetadata> {
      return withUser(db, who, async (tx) => {
        const sealedCols = sealRow(
          keyring,
          { appId: who.appId, userKey: who.userKey, walletId: w.walletId },
          { authShare: w.authShare, sealed: w.sealed },
        );
        const rows = await tx
          .insert(wallets)
          .values({
            appId: who.appId,
            userKey: who.userKey,
            walletId: w.walletId,
            keyId: w.keyId,
            network: w.network,
            baseAddress: w.addresses.base,
            rewardAddress: w.addresses.reward,
            epoch: w.epoch,
            recoveryEpoch: w.epoch,
            question: w.question,
            managementKey: w.managementKey,
            sealedV: w.sealedV,
            ...sealedCols,
          })
          .onConflictDoNothing()
          .returning();
        const row = rows[0];
        if (!row)
          throw new ApiError('wallet_exists', 'this user already has a wallet for this app');
        await audit(tx, who, 'wallet.create', w.walletId, w.epoch);
        return metadataOf(row);
      });
    },

    async metadata(who: Caller): Promise<WalletMetadata> {
      return withUser(db, who, async (tx) => metadataOf(await load(tx, who)));
    },

    /**
     * The auth share only (DESIGN.md §2.3: never together with the sealed record), of the
     * current epoch or, while it is kept, of the previous one (`epoch`). One statement:
     * trine_read_auth_share (drizzle/0004) counts `ip` (when given) and `user`, sets the
     * RLS subject, reads the row as the request role and writes the audit row, in one
     * implicit transaction, so a released share is always audited and a limited request
     * reads nothing. Only the ciphertext crosses the wire; it is opened here.
     */
    async authShare(
      who: Caller,
      epoch?: number,
      /** The buckets to count (the route passes them; without, nothing is counted). */
      limits: { ip: CountedBucket | null; user: CountedBucket | null } = { ip: null, user: null },
    ): Promise<{ epoch: number; authShare: string }> {
      const result = await db.execute(
        sql`select * from trine_read_auth_share(${who.appId}, ${who.userKey}, ${epoch ?? null}::int, ${who.ip}, ${who.requestId}, ${limits.ip?.key ?? null}, ${limits.ip?.limit ?? null}::int, ${limits.ip?.windowSec ?? null}::int, ${limits.user?.key ?? null}, ${limits.user?.limit ?? null}::int, ${limits.user?.windowSec ?? null}::int)`,
      );
      const r = resultRows<FastReadRow>(result)[0];
      if (!r) throw new Error('trine_read_auth_share returned no row');
      if (r.outcome === 'ip_limited' || r.outcome === 'user_limited') {
        throw rateLimited(Number(r.retry));
      }
      if (r.outcome === 'not_found') {
        throw new ApiError('not_found', 'this user has no wallet for this app');
      }
      if (r.outcome === 'epoch_not_found') {
        throw notKept(epoch, { epoch: Number(r.epoch), prevEpoch: r.prev_epoch });
      }
      const served = Number(r.epoch);
      // The column decides the additional data: a read of the kept epoch opens
      // prev_auth_share. The kept epoch is always older than the current one, so the
      // served epoch tells which column was returned.
      const column = served === r.prev_epoch ? 'prev_auth_share' : 'auth_share';
      const authShare = openColumn(
        keyring,
        { appId: who.appId, userKey: who.userKey, walletId: r.wallet_id as string },
        {
          dataKey: r.data_key as string,
          masterKid: r.master_kid as string,
          atRestV: Number(r.at_rest_v),
          authShareCt: column === 'auth_share' ? (r.share_ct as string) : '',
          sealedCt: '',
          prevAuthShareCt: column === 'prev_auth_share' ? (r.share_ct as string) : null,
          prevSealedCt: null,
        },
        column,
      );
      return { epoch: served, authShare };
    },

    /** The sealed recovery record only (current, or the kept previous epoch's). */
    async recovery(
      who: Caller,
      epoch?: number,
    ): Promise<{ epoch: number; question: string; sealed: string }> {
      return withUser(db, who, async (tx) => {
        const row = await load(tx, who);
        const current = epoch === undefined || epoch === row.recoveryEpoch;
        if (!current && epoch !== row.prevEpoch) throw notKept(epoch, row);
        const served = current ? row.recoveryEpoch : (row.prevEpoch as number);
        const sealed = openColumn(keyring, ctxOf(row), row, current ? 'sealed' : 'prev_sealed');
        const question = current ? row.question : (row.prevQuestion as string);
        await audit(tx, who, 'recovery.read', row.walletId, served);
        return { epoch: served, question, sealed };
      });
    },

    /**
     * Re-share: compare-and-swap from `expectedEpoch` to `expectedEpoch + 1` in one
     * transaction. The row is locked (FOR UPDATE) and the UPDATE repeats the epoch
     * condition, so of N concurrent re-shares on one epoch exactly one wins; the rest
     * get `stale_epoch` and change nothing. The replaced epoch's auth share and record
     * are kept (prev_*) until `commit`; an older kept epoch is dropped (one is enough:
     * whoever re-shares again held the secret, so its device share is of the new epoch
     * or of the kept one).
     *
     * Signature: under the stored management key. A legacy wallet (no key stored) may
     * re-share without one only if `managementKey` registers a key (then, if signature
     * headers are sent, they must verify under that new key).
     */
    async reshare(
      who: Caller,
      r: {
        expectedEpoch: number;
        epoch: number;
        walletId: string;
        keyId: string;
        authShare: string;
        /** Required: a re-share is a fresh split, so the recovery share is renewed too. */
        recovery: { question: string; sealed: string; sealedV: number };
        managementKey?: string | undefined;
      },
      auth: ManagementAuth,
    ): Promise<WalletMetadata> {
      return withUser(db, who, async (tx) => {
        const row = await load(tx, who, true);
        if (row.managementKey === null) {
          if (r.managementKey === undefined) {
            throw new ApiError(
              'management_key_required',
              'this wallet has no management key yet: the re-share must register one (managementKey)',
            );
          }
          if (auth.headers.time || auth.headers.nonce || auth.headers.signature) {
            await checkSignature(tx, who, row.walletId, r.managementKey, r.expectedEpoch, auth);
          }
        } else {
          await checkSignature(tx, who, row.walletId, row.managementKey, r.expectedEpoch, auth);
          if (r.managementKey !== undefined && r.managementKey !== row.managementKey) {
            // The key is derived from the secret and the walletId: a re-share of the same
            // wallet cannot have another one.
            throw new ApiError(
              'management_key_mismatch',
              'managementKey differs from the registered one (it is fixed by the wallet secret)',
            );
          }
        }
        if (row.epoch !== r.expectedEpoch) {
          throw new ApiError(
            'stale_epoch',
            `expectedEpoch ${r.expectedEpoch} is not the stored epoch ${row.epoch}`,
          );
        }
        if (row.walletId !== r.walletId || row.keyId !== r.keyId) {
          throw new ApiError('share_mismatch', 'the new shares belong to another wallet or key');
        }
        const ctx = ctxOf(row);
        const old = openRow(keyring, ctx, row);
        const cols = sealRow(keyring, ctx, {
          authShare: r.authShare,
          sealed: r.recovery.sealed,
          prev: { authShare: old.authShare, sealed: old.sealed },
        });
        const updated = await tx
          .update(wallets)
          .set({
            epoch: r.epoch,
            recoveryEpoch: r.epoch,
            question: r.recovery.question,
            sealedV: r.recovery.sealedV,
            managementKey: row.managementKey ?? r.managementKey ?? null,
            prevEpoch: row.epoch,
            prevQuestion: row.question,
            ...cols,
            updatedAt: new Date(),
          })
          .where(and(mine(who), eq(wallets.epoch, r.expectedEpoch)))
          .returning();
        const next = updated[0];
        if (!next) throw new ApiError('stale_epoch', 'the wallet moved to another epoch');
        await audit(tx, who, 'shares.reshare', row.walletId, r.epoch);
        return metadataOf(next);
      });
    },

    /**
     * Commit: the new epoch is in place everywhere (device share written, realms
     * registered), so the kept previous epoch is dropped. Signed (expectedEpoch = the
     * epoch committed); `epoch` must be the current one (else `stale_epoch`). Committing
     * with nothing kept is a no-op that still needs the signature.
     */
    async commit(who: Caller, epoch: number, auth: ManagementAuth): Promise<WalletMetadata> {
      return withUser(db, who, async (tx) => {
        const row = await load(tx, who, true);
        if (row.managementKey === null) {
          throw new ApiError(
            'management_key_required',
            'this wallet has no management key: nothing to commit before a re-share registers one',
          );
        }
        await checkSignature(tx, who, row.walletId, row.managementKey, epoch, auth);
        if (row.epoch !== epoch) {
          throw new ApiError('stale_epoch', `epoch ${epoch} is not the stored epoch ${row.epoch}`);
        }
        if (row.prevEpoch === null) return metadataOf(row);
        const updated = await tx
          .update(wallets)
          .set({
            prevEpoch: null,
            prevQuestion: null,
            prevAuthShareCt: null,
            prevSealedCt: null,
            updatedAt: new Date(),
          })
          .where(and(mine(who), eq(wallets.epoch, epoch)))
          .returning();
        const next = updated[0];
        if (!next) throw new ApiError('stale_epoch', 'the wallet moved to another epoch');
        await audit(tx, who, 'wallet.commit', row.walletId, epoch);
        return metadataOf(next);
      });
    },

    /**
     * Delete: signed (expectedEpoch "-"). A legacy wallet (no management key stored)
     * is deleted with the JWT alone — the documented legacy exposure (README).
     */
    async remove(who: Caller, auth: ManagementAuth): Promise<void> {
      await withUser(db, who, async (tx) => {
        const row = await load(tx, who, true);
        if (row.managementKey !== null) {
          await checkSignature(tx, who, row.walletId, row.managementKey, null, auth);
        }
        await tx.delete(wallets).where(mine(who));
        await audit(tx, who, 'wallet.delete', row.walletId, row.epoch);
      });
    },

    /**
     * One page of the caller's events of one kind, newest first: `before` (an id of that
     * kind, exclusive) continues from a previous page's `next`. `next` is null when
     * nothing older is left. Read as the request role (RLS: own rows only).
     */
    async events(
      who: Caller,
      page: { kind: EventKind; before?: number | undefined; limit: number },
    ): Promise<{ events: WalletEvent[]; next: number | null }> {
      const table = page.kind === 'reads' ? readEvents : auditEvents;
      return withUser(db, who, async (tx) => {
        const rows = await tx
          .select({
            id: table.id,
            action: table.action,
            walletId: table.walletId,
            epoch: table.epoch,
            ip: table.ip,
            createdAt: table.createdAt,
          })
          .from(table)
          .where(
            and(
              eq(table.appId, who.appId),
              eq(table.userKey, who.userKey),
              page.before === undefined ? undefined : lt(table.id, page.before),
            ),
          )
          .orderBy(desc(table.id))
          .limit(page.limit + 1);
        const more = rows.length > page.limit;
        const events = rows.slice(0, page.limit).map((e) => {
          const at = e.createdAt.toISOString();
          return {
            id: e.id,
            action: e.action,
            epoch: e.epoch,
            at,
            ip: e.ip,
            walletId: e.walletId,
            createdAt: at,
          };
        });
        return { events, next: more ? (events.at(-1)?.id ?? null) : null };
      });
    },
  };
}

export type WalletStore = ReturnType<typeof createWalletStore>;

function notKept(epoch: number | undefined, row: Pick<Row, 'epoch' | 'prevEpoch'>): ApiError {
  return new ApiError(
    'epoch_not_found',
    row.prevEpoch === null
      ? `epoch ${epoch} is not kept: only the current epoch ${row.epoch} is`
      : `epoch ${epoch} is not kept: the current epoch is ${row.epoch}, the kept one ${row.prevEpoch}`,
  );
}

/**
 * How many wallets are still on the old scheme (docs/realms.md "Migration"): no
 * management key registered, or a v1 sealed recovery record (answer only, no realms).
 * Both move on the wallet's next re-share. Counts every app's rows, so it must run as
 * the table owner (an operator command such as `admin stats`), never on a request path.
 */
export async function legacyWalletCount(db: Db): Promise<number> {
  const rows = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(wallets)
    .where(or(isNull(wallets.managementKey), eq(wallets.sealedV, 1)));
  return Number(rows[0]?.n ?? 0);
}
