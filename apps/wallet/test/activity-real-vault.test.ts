// @vitest-environment happy-dom
/**
 * @module test/activity-real-vault — the wallet's events client, the Security activity
 * screen and the after-unlock notice against the REAL vault (test/full-stack.ts:
 * `buildVault` on PGlite, three real realms, t = 2), not the contract stub of
 * events-vault.ts. The events are made by real requests of the wallet's own code: create,
 * routine auth-share reads, a recovery read through the realms, a signed re-share and its
 * commit. Checks the vault's paging as the client sees it (`before` exclusive, `next` the
 * oldest id of a page, null at the end, the two kinds apart) and that the screen lists
 * exactly those events in plain words.
 */
import 'fake-indexeddb/auto';
import { openShare } from '@trine/core/seal';
import { combineShares } from '@trine/core/shamir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEvent } from '../src/activity.ts';
import { type Ctx, loadWallet, unlockWithPassword, type WalletState } from '../src/context.ts';
import { type DeviceRecord, openDeviceStore } from '../src/device-store.ts';
import { openRecoveryShare } from '../src/flows/recover.ts';
import { reshareWith } from '../src/flows/reshare-step.ts';
import { UnlockSession } from '../src/session.ts';
import { View } from '../src/ui/screen.ts';
import type { VaultEvent } from '../src/vault-client.ts';
import { createHandlers, offerNotice } from '../src/wallet.ts';
import { createUserWallet, type Stack, startStack } from './full-stack.ts';

process.env.TZ = 'UTC';

const ANSWER = 'Rex the dog';
const PASSWORD = 'a long device password 12';
const NEW_PASSWORD = 'another long password 34';
/** The peer address full-stack.ts gives every request to the vault. */
const PEER_IP = '198.51.100.7';

let stack: Stack;
let ctx: Ctx;
let root: HTMLElement;
let walletId: string;

async function until<T>(f: () => T | undefined | null | false, what: string): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const r = f();
    if (r) return r;
    await new Promise((s) => setTimeout(s, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const button = (el: Element, text: string) =>
  [...el.querySelectorAll('button')].find((b) => b.textContent === text && !b.hidden);
const items = (section: Element | null) =>
  [...(section?.querySelectorAll('ol > li') ?? [])].map((li) => li.textContent);
const sectionOf = (heading: string) =>
  [...root.querySelectorAll('section.events-section')].find(
    (s) => s.querySelector('h2')?.textContent === heading,
  ) ?? null;

/** Every event of a kind, paging with the client in pages of `limit`. */
async function all(kind: 'security' | 'reads', limit: number): Promise<VaultEvent[][]> {
  const pages: VaultEvent[][] = [];
  let before: string | undefined;
  for (;;) {
    const page = await ctx.vault.getEvents(kind, { limit, before });
    pages.push(page.events);
    if (page.next === null) return pages;
    expect(page.next).toBe(page.events.at(-1)!.id);
    before = page.next;
  }
}

beforeAll(async () => {
  stack = await startStack(3, 2, 10);
  document.body.replaceChildren();
  root = document.createElement('main');
  document.body.append(root);
  // The real device store (fake IndexedDB): device shares and the "last seen" mark.
  ctx = Object.assign(stack.ctx, {
    store: await openDeviceStore(indexedDB, `real-vault-${Math.random()}`),
    view: new View(root),
    session: new UnlockSession(),
    hostOrigin: 'https://host.test',
    host: {
      ui: async () => undefined,
      walletChanged: async () => undefined,
      resolveInputs: async () => [],
    },
  }) as Ctx;
  ({ walletId } = await createUserWallet(stack, ANSWER, PASSWORD));
}, 60_000);
afterAll(() => stack?.close());

describe('security activity against the real vault (real events from real requests)', () => {
  it('create, reads, a recovery read and a re-share: the kinds apart, paged, newest first', async () => {
    // Routine reads: what every unlock and signature does.
    for (let i = 0; i < 3; i++) await ctx.vault.getAuthShare();
    // A recovery read through the realms (the answer opens the record).
    const r = await openRecoveryShare(ctx, walletId, ANSWER);
    expect(r.share).toBeDefined();
    // A re-share (a password change), signed at the vault and the realms, and its commit.
    const meta = (await ctx.vault.getWallet())!;
    const device = (await ctx.store.get('dev', walletId)) as DeviceRecord;
    const share = await openShare(device.sealed, PASSWORD);
    const { authShare } = await ctx.vault.getAuthShare();
    const entropy = await combineShares([share, authShare], { walletId, keyId: meta.keyId });
    const state: WalletState = { meta, device };
    expect(
      await reshareWith(ctx, state, entropy, 1, {
        password: NEW_PASSWORD,
        answer: ANSWER,
        question: meta.question,
      }),
    ).toBe(2);

    const security = (await ctx.vault.getEvents('security', { limit: 100 })).events;
    const actions = security.map((e) => e.action);
    // Newest first; the re-share's answer check may read the recovery share again.
    expect(actions[0]).toBe('wallet.commit');
    expect(actions[1]).toBe('shares.reshare');
    expect(actions.at(-1)).toBe('wallet.create');
    expect(actions).toContain('recovery.read');
    expect(actions).not.toContain('auth_share.read');
    expect(security.every((e) => e.ip === PEER_IP)).toBe(true);
    expect(security[0]!.epoch).toBe(2);
    expect(security.at(-1)!.epoch).toBe(1);
    const ids = security.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);

    const reads = (await ctx.vault.getEvents('reads', { limit: 100 })).events;
    expect(reads.length).toBeGreaterThanOrEqual(4);
    expect(reads.every((e) => e.action === 'auth_share.read')).toBe(true);

    // Paging by 2: the pages joined are the whole list, no event twice or missing.
    for (const [kind, list] of [
      ['security', security],
      ['reads', reads],
    ] as const) {
      const pages = await all(kind, 2);
      expect(pages.flat()).toEqual(list);
      expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
    }
    // `before` is exclusive: the page before an event's id starts with the next older one.
    const page = await ctx.vault.getEvents('security', { before: security[1]!.id, limit: 100 });
    expect(page.events).toEqual(security.slice(2));
    expect(page.next).toBeNull();
    // A page that holds everything left says so with next = null; the exact fit too.
    const exact = await ctx.vault.getEvents('security', { limit: security.length });
    expect(exact.next).toBeNull();
    const short = await ctx.vault.getEvents('security', { limit: security.length - 1 });
    expect(short.next).toBe(security.at(-2)!.id);
    // Below the oldest id there is nothing: an empty page, next null.
    expect(
      await ctx.vault.getEvents('security', { before: security.at(-1)!.id, limit: 5 }),
    ).toEqual({ events: [], next: null });
  });

  it("the screen (manage 'activity') lists the vault's real events in plain words", async () => {
    const security = (await ctx.vault.getEvents('security', { limit: 100 })).events;
    const done = createHandlers(ctx).manage({ flow: 'activity' });
    const list = await until(() => sectionOf('Security events'), 'the screen');
    await until(() => items(list).length === security.length, 'the events');
    expect(items(list)).toEqual(security.map(describeEvent));
    const words = items(list).map((t) => t!.split(' — ')[0]);
    expect(words.slice(0, 2)).toEqual(['Key share renewal completed', 'Key shares renewed']);
    expect(words).toContain('Recovery share read');
    expect(words.at(-1)).toBe('Wallet created');
    expect(items(list)[0]).toMatch(/ — \d{1,2} \w{3} \d{4} \d{2}:\d{2}, from 198\.51\.100\.7$/);
    expect(list.querySelector('time')!.getAttribute('datetime')).toBe(security[0]!.at);
    button(root, 'Show routine key-share reads')!.click();
    const reads = sectionOf('Routine key-share reads')!;
    await until(() => items(reads).length > 0, 'the reads');
    expect(items(reads).every((t) => t!.startsWith('Wallet service key share read — '))).toBe(true);
    button(root, 'Close')!.click();
    expect(await done).toEqual({ done: true });
    expect(await ctx.store.getSeen('dev', walletId)).toBe(security[0]!.id);
  });

  it('a recovery read by someone else → the next password unlock announces it, once', async () => {
    // Someone with the user's sign-in reads the recovery share (a real POST …/recovery).
    await ctx.vault.getRecovery();
    const newest = (await ctx.vault.getEvents('security', { limit: 1 })).events[0]!;
    expect(newest.action).toBe('recovery.read');
    const state = (await loadWallet(ctx))!;
    (await unlockWithPassword(ctx, state, NEW_PASSWORD)).fill(0);
    const shown = offerNotice(ctx);
    const h1 = await until(
      () => root.querySelector('h1')?.textContent === 'Security notice' && root.querySelector('h1'),
      'the notice',
    );
    expect(document.activeElement).toBe(h1);
    expect(items(root.querySelector('.screen-body'))).toEqual([describeEvent(newest)]);
    expect(items(root.querySelector('.screen-body'))[0]).toMatch(/^Recovery share read — /);
    button(root, 'OK')!.click();
    await shown;
    expect(await ctx.store.getSeen('dev', walletId)).toBe(newest.id);
    (await unlockWithPassword(ctx, state, NEW_PASSWORD)).fill(0);
    await ctx.securityCheck;
    expect(ctx.activityNotice).toBeUndefined();
  });

  it("another device's recovery + re-share: this device's own recovery does not swallow it", async () => {
    // Device A (ctx) has seen everything; its own password re-share with nothing unseen
    // counts its events as seen (the control).
    const seen0 = (await ctx.vault.getEvents('security', { limit: 1 })).events[0]!.id;
    expect(await ctx.store.getSeen('dev', walletId)).toBe(seen0);
    // Device B: the same user on a new browser (own store, no device share) recovers.
    const b = Object.assign(Object.create(null), ctx, {
      store: await openDeviceStore(indexedDB, `device-b-${Math.random()}`),
    }) as Ctx;
    const recoverOn = async (c: Ctx, password: string) => {
      const meta = (await c.vault.getWallet())!;
      const r = await openRecoveryShare(c, walletId, ANSWER);
      const { authShare } = await c.vault.getAuthShare();
      const entropy = await combineShares([r.share, authShare], { walletId, keyId: meta.keyId });
      const state: WalletState = { meta, device: await c.store.get('dev', walletId) };
      return reshareWith(c, state, entropy, r.rec.epoch, {
        password,
        answer: ANSWER,
        question: meta.question,
      });
    };
    expect(await recoverOn(b, 'device b password 1234')).toBe(3);
    const afterB = (await ctx.vault.getEvents('security', { limit: 1 })).events[0]!.id;
    expect(await b.store.getSeen('dev', walletId)).toBe(afterB); // B's own: seen on B
    // Device A's share is now stale: it recovers too (its own recovery read + re-share).
    const stale = (await loadWallet(ctx))!;
    await expect(unlockWithPassword(ctx, stale, NEW_PASSWORD)).rejects.toMatchObject({
      name: 'StaleDeviceError',
    });
    expect(await recoverOn(ctx, PASSWORD)).toBe(4);
    // B's events predate A's flow: A's mark stays, the next unlock on A announces them.
    expect(await ctx.store.getSeen('dev', walletId)).toBe(seen0);
    (await unlockWithPassword(ctx, (await loadWallet(ctx))!, PASSWORD)).fill(0);
    await ctx.securityCheck;
    const notice = ctx.activityNotice!;
    expect(notice.events.map((e) => describeEvent(e).split(' — ')[0])).toEqual([
      'Key share renewal completed',
      'Key shares renewed',
      'Recovery share read',
      'Key share renewal completed',
      'Key shares renewed',
    ]);
    expect(notice.more).toBe(true); // B's recovery read is behind them
    expect(notice.events.map((e) => e.epoch)).toEqual([4, 4, 3, 3, 3]);
  });
});
