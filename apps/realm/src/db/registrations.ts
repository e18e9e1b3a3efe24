/**
 * @module db/registrations — the realm's state changes, each one transaction that first
 * locks the registration row (`FOR UPDATE`), so every writer takes locks in one order and
 * none can deadlock another. The guess counter is incremented by a conditional
 * `UPDATE … SET guesses = guesses + 1 WHERE … AND guesses < limit RETURNING`, committed
 * before the caller evaluates: parallel requests cannot pass the limit, and a crash after
 * the commit costs a guess, never grants one.
 */
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import type { Db, Tx } from './open.ts';
import { epochs, registrations } from './schema.ts';

export type Registration = typeof registrations.$inferSelect;
export type EpochRow = typeof epochs.$inferSelect;

/** The user of a request: the app and the verified `(iss, sub)`. */
export interface Who {
  appId: string;
  userKey: string;
}

/** At most this many epochs are held at once (uncommitted re-shares pile up otherwise). */
export const MAX_EPOCHS = 16;

const own = (who: Who) =>
  and(eq(registrations.appId, who.appId), eq(registrations.userKey, who.userKey));
const ownEpochs = (who: Who) => and(eq(epochs.appId, who.appId), eq(epochs.userKey, who.userKey));

/** Locks and returns the registration (or null) inside `tx`. */
export async function lockRegistration(tx: Tx, who: Who): Promise<Registration | null> {
  const rows = await tx.select().from(registrations).where(own(who)).for('update');
  return rows[0] ?? null;
}

/** The epochs a registration holds, ascending. */
export async function epochsOf(tx: Tx | Db, who: Who): Promise<EpochRow[]> {
  return tx.select().from(epochs).where(ownEpochs(who)).orderBy(asc(epochs.epoch));
}

/** The registration and its epoch numbers (no lock), for GET. */
export async function readRegistration(
  db: Db,
  who: Who,
): Promise<{ reg: Registration; epochs: number[] } | null> {
  const rows = await db.select().from(registrations).where(own(who));
  const reg = rows[0];
  if (!reg) return null;
  const held = await db
    .select({ epoch: epochs.epoch })
    .from(epochs)
    .where(ownEpochs(who))
    .orderBy(asc(epochs.epoch));
  return { reg, epochs: held.map((e) => e.epoch) };
}

export interface NewEpoch {
  epoch: number;
  maskedShare: string;
  unlockTag: string;
}

/** Inserts a first registration; false when one exists already (a concurrent create). */
export async function insertRegistration(
  tx: Tx,
  who: Who,
  walletId: string,
  managementKey: string,
  e: NewEpoch,
): Promise<boolean> {
  const rows = await tx
    .insert(registrations)
    .values({ ...who, walletId, managementKey })
    .onConflictDoNothing()
    .returning({ appId: registrations.appId });
  if (rows.length === 0) return false;
  await tx.insert(epochs).values({ ...who, ...e });
  return true;
}

/**
 * Adds (or replaces an uncommitted) epoch and re-arms the registration: the counter
 * restarts; unseen counted evaluations stay visible as `lastWrongAt`.
 */
export async function rearm(tx: Tx, who: Who, managementKey: string, e: NewEpoch): Promise<void> {
  await tx
    .insert(epochs)
    .values({ ...who, ...e })
    .onConflictDoUpdate({
      target: [epochs.appId, epochs.userKey, epochs.epoch],
      set: { maskedShare: e.maskedShare, unlockTag: e.unlockTag, createdAt: sql`now()` },
    });
  await tx
    .update(registrations)
    .set({
      managementKey,
      lastWrongAt: sql`case when ${registrations.guesses} > 0 then ${registrations.lastGuessAt} else ${registrations.lastWrongAt} end`,
      guesses: 0,
      countingSince: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(own(who));
}

/** Counts one guess if the registration is below `limit`; the new count, or null (locked). */
export async function countGuess(tx: Tx, who: Who, limit: number): Promise<number | null> {
  const rows = await tx
    .update(registrations)
    .set({
      guesses: sql`${registrations.guesses} + 1`,
      prevGuessAt: sql`${registrations.lastGuessAt}`,
      lastGuessAt: sql`now()`,
    })
    .where(and(own(who), lt(registrations.guesses, limit)))
    .returning({ guesses: registrations.guesses });
  return rows[0]?.guesses ?? null;
}

/**
 * The right unlock tag was shown: the counter restarts and the unlock is recorded. When
 * more than one guess was counted, the one before the last (the right one) was wrong.
 */
export async function resetAfterUnlock(tx: Tx, who: Who): Promise<void> {
  await tx
    .update(registrations)
    .set({
      lastWrongAt: sql`case when ${registrations.guesses} > 1 then ${registrations.prevGuessAt} else ${registrations.lastWrongAt} end`,
      guesses: 0,
      countingSince: sql`now()`,
      lastUnlockAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(own(who));
}

/** Drops the epochs below `epoch`. */
export async function dropEpochsBelow(tx: Tx, who: Who, epoch: number): Promise<void> {
  await tx.delete(epochs).where(and(ownEpochs(who), lt(epochs.epoch, epoch)));
}

/** Deletes the registration and (cascade) its epochs. */
export async function deleteRegistration(tx: Tx, who: Who): Promise<void> {
  await tx.delete(registrations).where(own(who));
}
