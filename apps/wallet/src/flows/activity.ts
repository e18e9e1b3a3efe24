/**
 * @module flows/activity — the "Security activity" screen (`manage('activity')`, issue 8
 * item 6): the vault's security events in plain words, newest first, a page at a time
 * ("Show older"); the recovery realms' wrong-attempt counters; and, on request, the
 * routine key-share reads the vault keeps apart. Needs only the JWT (no password): it
 * reads, it changes nothing but this device's "last seen" mark.
 *
 * Every string from the vault or a realm reaches the DOM as text (ui/dom.ts). Lists are
 * `<ol>`s under headed sections, progress is a polite live region, failures an alert;
 * "Show older" moves focus to the first event it added.
 */
import { actionWords, formatWhen, markSeen } from '../activity.ts';
import { type Ctx, interact, realmNoticeText, realmSetup } from '../context.ts';
import { userMessage } from '../errors.ts';
import { realmStatus } from '../realms.ts';
import { h, uid } from '../ui/dom.ts';
import { p, Screen } from '../ui/screen.ts';
import { type EventKind, VaultError, type VaultEvent } from '../vault-client.ts';

/** Events per page on this screen. */
export const ACTIVITY_PAGE = 20;

/** One `<li>`: its text is describeEvent(e) (activity.ts), the time in a `<time>`. */
function eventItem(e: VaultEvent): HTMLLIElement {
  const from = e.ip ? `from ${e.ip}` : 'from an unknown address';
  const li = h(
    'li',
    { tabindex: -1 },
    h('strong', null, actionWords(e.action)),
    ' — ',
    h('time', { datetime: e.at }, formatWhen(e.at)),
    `, ${from}`,
  );
  return li;
}

/** A headed, paginated event list of one kind. */
function eventList(
  ctx: Ctx,
  kind: EventKind,
  title: string,
  explain: string,
  onFirstPage?: (events: VaultEvent[]) => void,
) {
  const headingId = uid('events');
  const list = h('ol', { class: 'events', 'aria-labelledby': headingId });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const alert = h('p', { class: 'error', role: 'alert', hidden: true });
  const more = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      hidden: true,
      // Two lists each have one: the heading tells them apart for screen readers.
      'aria-describedby': headingId,
      onclick: () => void load(),
    },
    'Show older',
  );
  const root = h(
    'section',
    { class: 'events-section', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title),
    p(explain),
    list,
    status,
    alert,
    more,
  );
  let next: string | null = null;
  let loaded = false;
  let shown = 0;

  async function load(): Promise<void> {
    if (more.disabled) return;
    more.disabled = true;
    list.setAttribute('aria-busy', 'true');
    alert.hidden = true;
    status.textContent = loaded ? 'Loading older events…' : 'Loading…';
    try {
      const before = next ?? undefined;
      const page = await ctx.vault.getEvents(kind, { before, limit: ACTIVITY_PAGE });
      const first = !loaded;
      loaded = true;
      const items = page.events.map(eventItem);
      list.append(...items);
      shown += items.length;
      // A cursor that does not move back in time ends the list (vault-client checks it
      // too; this also stops a page that repeats `before`).
      next = page.next !== null && page.next !== before ? page.next : null;
      more.hidden = next === null;
      status.textContent =
        shown === 0
          ? 'No events yet.'
          : `${shown} event${shown === 1 ? '' : 's'} shown${next ? '' : ' (all of them)'}.`;
      if (first) onFirstPage?.(page.events);
      else items[0]?.focus();
    } catch (e) {
      status.textContent = '';
      alert.textContent = `These events could not be loaded. ${userMessage(e)}`;
      alert.hidden = false;
      more.hidden = !loaded || next === null;
    } finally {
      more.disabled = false;
      list.removeAttribute('aria-busy');
    }
  }

  return { root, load };
}

/** The realms' counters, in the words of the after-unlock notice (context.ts). */
function realmSection(ctx: Ctx, walletId: string) {
  const headingId = uid('realms');
  const text = h('p', { role: 'status', 'aria-live': 'polite' }, 'Asking the recovery services…');
  const root = h(
    'section',
    { class: 'events-section', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, 'Wrong recovery attempts'),
    text,
  );
  async function load(): Promise<void> {
    try {
      const setup = await realmSetup(ctx, walletId);
      if (!setup) {
        text.textContent =
          'This app uses no recovery services: wrong answers are not counted anywhere.';
        return;
      }
      const status = await realmStatus(setup);
      if (status.wrongAttempts === 0 && status.locked.length === 0 && !status.lastWrongAt) {
        text.textContent = 'No wrong answers to your security question are counted now.';
        return;
      }
      const device = await ctx.store.get(ctx.appId, walletId).catch(() => undefined);
      text.textContent = realmNoticeText(status, device?.updatedAt ?? 0);
    } catch (e) {
      text.textContent = `The recovery services could not be asked. ${userMessage(e)}`;
    }
  }
  return { root, load };
}

/**
 * Shows the Security activity screen until the user closes it (Close, Escape, ×). The
 * newest security event shown counts as seen on this device (no after-unlock notice for it).
 */
export async function activityFlow(ctx: Ctx): Promise<void> {
  const meta = await ctx.vault.getWallet();
  if (!meta) throw new VaultError(404, 'wallet_not_found', 'no wallet');
  // The "last seen" write of the first page (best effort, never rejects): the flow ends
  // after it, so a notice at the next unlock never races the screen that showed the events.
  let seen: Promise<void> = Promise.resolve();
  const security = eventList(
    ctx,
    'security',
    'Security events',
    'Wallet creation, recovery-share reads, key share renewals and deletion, newest first, with the network address the wallet service saw.',
    (events) => {
      if (events[0]) seen = markSeen(ctx, meta.walletId, events[0].id);
    },
  );
  const realms = realmSection(ctx, meta.walletId);
  const reads = eventList(
    ctx,
    'reads',
    'Routine key-share reads',
    'The wallet service’s key share is read each time you unlock or sign on a device. These reads are kept apart, so they cannot push the events above out of view.',
  );
  reads.root.hidden = true;
  const showReads = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'aria-expanded': 'false',
      onclick: () => {
        showReads.hidden = true;
        showReads.setAttribute('aria-expanded', 'true');
        reads.root.hidden = false;
        void reads.load();
      },
    },
    'Show routine key-share reads',
  );
  // Both lists load while the screen is up (their live regions say so).
  void security.load();
  void realms.load();
  await interact<void>(ctx.view, (done) => {
    const screen = new Screen({
      title: 'Security activity',
      body: [
        p(
          'What happened to this wallet at the wallet service and the recovery services. If you do not recognise something, change your password and security question.',
        ),
        security.root,
        realms.root,
        showReads,
        reads.root,
      ],
      submitLabel: 'Close',
      initialFocus: 'heading',
      onSubmit: () => done(),
      onCancel: () => done(),
    });
    return screen;
  });
  await seen;
}
