/**
 * @module db/wallet-store — the wallet operations, each one transaction as the
 * RLS-restricted role for one verified user (db/open.ts `withUser`), with its audit
 * row written in the same transaction (so an audited read either happens and is
 * recorded, or neither). Share columns are encrypted at rest (crypto/at-rest.ts).
 */
import { and, desc, eq } from 'drizzle-orm';
import { type Keyring, openColumn, type RowContext, sealRow } from '../crypto/at-rest.ts';
import { ApiError } from '../http/problem.ts';
import { type Db, type Tx, withUser } from './open.ts';
import { auditEvents, wallets } from './schema.ts';

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
}

export interface WalletMetadata {
  walletId: string;
  keyId: string;
  network: string;
  addresses: { base: string; reward: string };
  epoch: number;
  recoveryEpoch: number;
  question: string;
  createdAt: string;
  updatedAt: string;
}

export type AuditAction =
  | 'wallet.create'
  | 'auth_share.read'
  | 'recovery.read'
  | 'shares.reshare'
  | 'wallet.delete';

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

const ctxOf = (row: Row): RowContext => ({ userKey: row.userKey, walletId: row.walletId });

function metadataOf(row: Row): WalletMetadata {
  return {
    walletId: row.walletId,
    keyId: row.keyId,
    network: row.network,
    addresses: { base: row.baseAddress, reward: row.rewardAddress },
    epoch: row.epoch,
    recoveryEpoch: row.recoveryEpoch,
    question: row.question,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function createWalletStore(db: Db, keyring: Keyring) {
  return {
    async create(who: Caller, w: NewWallet): Promise<WalletMetadata> {
      return withUser(db, who.userKey, async (tx) => {
        const sealedCols = sealRow(
          keyring,
          { userKey: who.userKey, walletId: w.walletId },
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
      return withUser(db, who.userKey, async (tx) => metadataOf(await load(tx, who)));
    },

    /** The auth share only (DESIGN.md §2.3: never together with the sealed record). */
    async authShare(who: Caller): Promise<{ epoch: number; authShare: string }> {
      return withUser(db, who.userKey, async (tx) => {
        const row = await load(tx, who);
        const authShare = openColumn(keyring, ctxOf(row), row, 'auth_share');
        await audit(tx, who, 'auth_share.read', row.walletId, row.epoch);
        return { epoch: row.epoch, authShare };
      });
    },

    /** The sealed recovery record only. `epoch` is the record's own epoch. */
    async recovery(who: Caller): Promise<{ epoch: number; question: string; sealed: string }> {
      return withUser(db, who.userKey, async (tx) => {
        const row = await load(tx, who);
        const sealed = openColumn(keyring, ctxOf(row), row, 'sealed');
        await audit(tx, who, 'recovery.read', row.walletId, row.recoveryEpoch);
        return { epoch: row.recoveryEpoch, question: row.question, sealed };
      });
    },

    /**
     * Re-share: compare-and-swap from `expectedEpoch` to `expectedEpoch + 1` in one
     * transaction. The row is locked (FOR UPDATE) and the UPDATE repeats the epoch
     * condition, so of N concurrent re-shares on one epoch exactly one wins; the rest
     * get `stale_epoch` and change nothing.
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
        recovery: { question: string; sealed: string };
      },
    ): Promise<WalletMetadata> {
      return withUser(db, who.userKey, async (tx) => {
        const row = await load(tx, who, true);
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
        const cols = sealRow(keyring, ctx, { authShare: r.authShare, sealed: r.recovery.sealed });
        const updated = await tx
          .update(wallets)
          .set({
            epoch: r.epoch,
            recoveryEpoch: r.epoch,
            question: r.recovery.question,
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

    async remove(who: Caller): Promise<void> {
      await withUser(db, who.userKey, async (tx) => {
        const rows = await tx
          .delete(wallets)
          .where(mine(who))
          .returning({ walletId: wallets.walletId, epoch: wallets.epoch });
        const row = rows[0];
        if (!row) throw new ApiError('not_found', 'this user has no wallet for this app');
        await audit(tx, who, 'wallet.delete', row.walletId, row.epoch);
      });
    },

    async events(who: Caller, limit = 100) {
      return withUser(db, who.userKey, async (tx) => {
        const rows = await tx
          .select()
          .from(auditEvents)
          .where(and(eq(auditEvents.appId, who.appId), eq(auditEvents.userKey, who.userKey)))
          .orderBy(desc(auditEvents.id))
          .limit(limit);
        return rows.map((e) => ({
          id: e.id,
          action: e.action,
          walletId: e.walletId,
          epoch: e.epoch,
          ip: e.ip,
          createdAt: e.createdAt.toISOString(),
        }));
      });
    },
  };
}

export type WalletStore = ReturnType<typeof createWalletStore>;
