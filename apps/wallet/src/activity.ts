/**
 * @module activity — the user's audit trail in plain words (issue 8 item 6): what each
 * vault event means, when and from where, and the "new since your last visit" check that
 * runs after a password unlock (its result joins the realms' wrong-attempt notice in one
 * screen, wallet.ts).
 *
 * "Last visit" is the newest security event id this device has shown the user, kept per
 * wallet in the device store. It moves forward when the notice or the Security activity
 * screen is shown, and after this device's own flows that write security events (create,
 * recover, password / question change, re-arm), so the user is not told about what they
 * just did. Everything here is best effort and needs only the JWT: a failure costs a
 * notice, never an unlock or a signature.
 */
import type { Ctx } from './context.ts';
import type { EventsPage, VaultEvent } from './vault-client.ts';

/** What each action means to the user. An unknown action is shown by its name (as text). */
export const ACTION_WORDS: Readonly<Record<string, string>> = {
  'wallet.create': 'Wallet created',
  'recovery.read': 'Recovery share read',
  'auth_share.read_previous': 'Previous key share read',
  'shares.reshare': 'Key shares renewed',
  'wallet.commit': 'Key share renewal completed',
  'wallet.delete': 'Wallet deleted',
  'auth_share.read': 'Wallet service key share read',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2 Dec 2026 21:14" in the device's time zone (fixed words: no locale surprises). */
export function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'at an unknown time';
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${hh}:${mm}`;
}

/** The action in words: "Recovery share read", or "Unrecognised event “x.y”". */
export function actionWords(action: string): string {
  return ACTION_WORDS[action] ?? `Unrecognised event “${action}”`;
}

/**
 * One event as a sentence: "Recovery share read — 2 Dec 2026 21:14, from 127.0.0.1".
 * The result is plain text for `textContent` (the vault's strings never become markup).
 */
export function describeEvent(e: VaultEvent): string {
  const from = e.ip ? `from ${e.ip}` : 'from an unknown address';
  return `${actionWords(e.action)} — ${formatWhen(e.at)}, ${from}`;
}

/** How many new events the notice lists (the rest: "and N more" → the activity screen). */
export const NOTICE_EVENTS = 5;

/** New security events found after a password unlock. */
export interface ActivityNotice {
  walletId: string;
  /** The newest new events (at most NOTICE_EVENTS), newest first. */
  events: VaultEvent[];
  /** True when more new events exist than `events` lists. */
  more: boolean;
  /** The id to store as seen once the notice is shown. */
  newestId: string;
}

const newer = (a: string, b: string | undefined) => b === undefined || BigInt(a) > BigInt(b);

/**
 * The page noteActivity looks at: the newest security events. An unlock starts this read
 * while the password is stretched (context.ts) and hands it to noteActivity once the
 * password proved right; the vault's security events are not the auth-share reads, so
 * reading them before the auth share misses nothing.
 */
export function readActivity(ctx: Pick<Ctx, 'vault'>): Promise<EventsPage> {
  return ctx.vault.getEvents('security', { limit: NOTICE_EVENTS + 1 });
}

/**
 * After a password unlock: reads the newest security events and sets `ctx.activityNotice`
 * when some are newer than this device's last visit. On a device with no last visit yet
 * (the first unlock after this feature arrived) it only records the newest id: with no
 * baseline, every past event would read as "new".
 */
export async function noteActivity(
  ctx: Ctx,
  walletId: string,
  events: Promise<EventsPage> = readActivity(ctx),
): Promise<void> {
  ctx.activityNotice = undefined;
  const seen = await ctx.store.getSeen(ctx.appId, walletId);
  const page = await events;
  const newest = page.events[0];
  if (seen === undefined) {
    // "0" = this device has seen that there was nothing: the first event is then new.
    await ctx.store.putSeen(ctx.appId, walletId, newest?.id ?? '0');
    return;
  }
  if (!newest) return;
  const fresh = page.events.filter((e) => newer(e.id, seen));
  if (fresh.length === 0) return;
  ctx.activityNotice = {
    walletId,
    events: fresh.slice(0, NOTICE_EVENTS),
    // A full page that is all new may have more behind it.
    more: fresh.length > NOTICE_EVENTS || (fresh.length === page.events.length && !!page.next),
    newestId: newest.id,
  };
}

/**
 * The notice's events still unseen now. The check after a password unlock runs in the
 * background, so it can see the events of the flow that unlocked (a change of password
 * reads the recovery record); that flow's own catch-up (catchUpActivity) marks them seen
 * afterwards — they must not be announced to the user who just caused them.
 */
export async function stillUnseen(
  ctx: Ctx,
  notice: ActivityNotice,
): Promise<ActivityNotice | undefined> {
  let seen: string | undefined;
  try {
    seen = await ctx.store.getSeen(ctx.appId, notice.walletId);
  } catch {
    return notice;
  }
  const events = notice.events.filter((e) => newer(e.id, seen));
  return events.length > 0 ? { ...notice, events } : undefined;
}

/** Records `eventId` as seen for the wallet unless a newer one already is. Best effort. */
export async function markSeen(ctx: Ctx, walletId: string, eventId: string): Promise<void> {
  try {
    const seen = await ctx.store.getSeen(ctx.appId, walletId);
    if (newer(eventId, seen)) await ctx.store.putSeen(ctx.appId, walletId, eventId);
  } catch {
    // Storage refused: at worst the same events are announced again.
  }
}

/**
 * After this device's own flow wrote security events (create, recover, re-share): marks
 * the newest one seen so the next unlock does not announce the user's own action. An
 * event someone else caused in the same seconds is then not announced either; it still
 * shows on the Security activity screen (README "Security activity").
 *
 * `fromEpoch` (a re-share: the epoch it started from) keeps the mark where it is when an
 * unseen event is older than the flow: one of an epoch below `fromEpoch`, or more unseen
 * events than a page holds. That is another device's recovery and re-share (the reason
 * this device had to recover): the next unlock then announces everything since the last
 * visit, this flow's own events included, rather than none of it.
 */
export async function catchUpActivity(
  ctx: Ctx,
  walletId: string,
  fromEpoch?: number,
): Promise<void> {
  try {
    const page = await ctx.vault.getEvents('security', { limit: NOTICE_EVENTS + 1 });
    const newest = page.events[0];
    if (!newest) return;
    if (fromEpoch !== undefined) {
      const seen = await ctx.store.getSeen(ctx.appId, walletId);
      if (seen !== undefined) {
        const unseen = page.events.filter((e) => newer(e.id, seen));
        const older =
          unseen.some((e) => e.epoch !== null && e.epoch < fromEpoch) ||
          (unseen.length === page.events.length && page.next !== null);
        if (older) return;
      }
    }
    await markSeen(ctx, walletId, newest.id);
  } catch {
    // best effort
  }
}
