// @vitest-environment happy-dom
/**
 * The Security activity screen and the after-unlock notice (issue 8 item 6), in the DOM:
 * `manage('activity')` through the wallet's handlers, events in plain words, "Show
 * older" paging with focus on the first new event, routine reads kept apart, the realms'
 * wrong-attempt counters; after a real password unlock (device share in fake IndexedDB,
 * the KDF on this thread), one notice for new security events and realm attempts, shown
 * once per event; the user's own flows not announced; hostile vault answers shown as text
 * or as a failure, never as markup and never failing the unlock.
 */
import 'fake-indexeddb/auto';
import { splitSecret } from '@trine/core/shamir';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catchUpActivity, describeEvent, NOTICE_EVENTS, noteActivity } from '../src/activity.ts';
import { loadCardano } from '../src/cardano.ts';
import {
  type Ctx,
  loadWallet,
  managementOf,
  sealRecovery,
  unlockWithPassword,
} from '../src/context.ts';
import { openDeviceStore } from '../src/device-store.ts';
import { openRecoveryShare } from '../src/flows/recover.ts';
import { UnlockSession } from '../src/session.ts';
import { View } from '../src/ui/screen.ts';
import { createVaultClient, type WalletMeta } from '../src/vault-client.ts';
import { createHandlers, offerNotice } from '../src/wallet.ts';
import { type EventsVault, eventsVault } from './events-vault.ts';
import { nodeKdf, realmPool, realmWorld } from './realm-world.ts';

// "2 Dec 2026 21:14" is local time: pin the zone so the expected text is fixed.
process.env.TZ = 'UTC';

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const entropy = Uint8Array.from({ length: 32 }, (_, i) => i * 5 + 3);
const PASSWORD = 'correct horse battery staple 42';
const AT = '2026-12-02T21:14:00.000Z';
let meta: WalletMeta;
let shares: Awaited<ReturnType<typeof splitSecret>>;

beforeAll(async () => {
  await realmPool(3, 10); // the real realms start once per file (inside the hook timeout)
  const cardano = await loadCardano();
  const info = cardano.deriveWallet(entropy, 'preprod');
  meta = {
    walletId,
    keyId: info.keyId,
    network: 'preprod',
    addresses: { base: info.baseAddress, reward: info.rewardAddress },
    epoch: 1,
    question: 'Pet?',
  };
  shares = await splitSecret(entropy, { walletId, keyId: info.keyId, epoch: 1 });
});

interface World {
  ctx: Ctx;
  v: EventsVault;
  root: HTMLElement;
  uiCalls: boolean[];
}

/** A Ctx on the contract's events stub, a real device store, optionally the realm doubles. */
async function world(opts: { realms?: boolean; fetch?: typeof fetch } = {}): Promise<World> {
  const v = eventsVault(meta);
  document.body.replaceChildren();
  const root = document.createElement('main');
  document.body.append(root);
  const store = await openDeviceStore(indexedDB, `t-${Math.random()}`);
  const rw = await realmWorld(3, 2, 10);
  const getToken = async () => rw.token;
  const client = createVaultClient({
    baseUrl: 'https://vault.test',
    appId: 'dev',
    getToken,
    fetch: opts.fetch ?? v.fetch,
  });
  const uiCalls: boolean[] = [];
  const ctx = Object.assign(rw.ctx, {
    vault: {
      ...client,
      getAuthShare: async () => ({ epoch: 1, authShare: shares.auth }),
      getRecovery: rw.ctx.vault.getRecovery,
    },
    store,
    view: new View(root),
    session: new UnlockSession(),
    hostOrigin: 'https://host.test',
    network: 'preprod',
    host: {
      ui: async (on: boolean) => {
        uiCalls.push(on);
      },
      walletChanged: async () => undefined,
      resolveInputs: async () => [],
    },
  }) as Ctx;
  if (!opts.realms) ctx.app = { ...ctx.app, realms: [], realmThreshold: 0 };
  else {
    const sealed = await sealRecovery(
      ctx,
      shares.recovery,
      'Rex',
      1,
      managementOf(entropy, walletId),
      false,
    );
    Object.assign(rw, { vaultRecovery: { epoch: 1, question: 'Pet?', sealed } });
  }
  await store.put({
    appId: 'dev',
    walletId,
    epoch: 1,
    keyId: meta.keyId,
    network: 'preprod',
    addresses: meta.addresses,
    sealed: await nodeKdf.seal(shares.device, PASSWORD),
    updatedAt: Date.parse('2026-12-01T08:00:00Z'),
  });
  return { ctx, v, root, uiCalls };
}

async function until<T>(f: () => T | undefined | null | false, what: string): Promise<T> {
  // Time-based, generous: a loaded CI machine can take seconds per step.
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const r = f();
    if (r) return r;
    await new Promise((s) => setTimeout(s, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const button = (root: HTMLElement, text: string) =>
  [...root.querySelectorAll('button')].find((b) => b.textContent === text && !b.hidden);
const items = (section: Element | null) =>
  [...(section?.querySelectorAll('ol > li') ?? [])].map((li) => li.textContent);
const sectionOf = (root: HTMLElement, heading: string) =>
  [...root.querySelectorAll('section.events-section')].find(
    (s) => s.querySelector('h2')?.textContent === heading,
  ) ?? null;

/** A password unlock as the sign / export flows do it, then the notice step of wallet.ts. */
async function unlockAndNotice(ctx: Ctx): Promise<void> {
  const state = await loadWallet(ctx);
  const secret = await unlockWithPassword(ctx, state!, PASSWORD);
  secret.fill(0);
  await ctx.securityCheck;
}

describe('describeEvent', () => {
  it('says what, when and from where in plain words', () => {
    const e = { id: '1', epoch: 1, at: AT, ip: '127.0.0.1' };
    expect(describeEvent({ ...e, action: 'recovery.read' })).toBe(
      'Recovery share read — 2 Dec 2026 21:14, from 127.0.0.1',
    );
    expect(describeEvent({ ...e, action: 'shares.reshare', ip: null })).toBe(
      'Key shares renewed — 2 Dec 2026 21:14, from an unknown address',
    );
    expect(describeEvent({ ...e, action: 'billing.charge' })).toBe(
      'Unrecognised event “billing.charge” — 2 Dec 2026 21:14, from 127.0.0.1',
    );
  });
});

describe("the Security activity screen (manage 'activity')", () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('lists security events newest first, pages with "Show older", keeps reads apart, and closes', async () => {
    const t0 = Date.parse(AT);
    for (let i = 0; i < 45; i++) {
      w.v.add(i % 3 ? 'auth_share.read' : 'recovery.read', new Date(t0 + i * 60_000).toISOString());
    }
    w.v.add('wallet.create', AT, '::1');
    const done = createHandlers(w.ctx).manage({ flow: 'activity' });
    const heading = await until(
      () =>
        w.root.querySelector('h1')?.textContent === 'Security activity' &&
        w.root.querySelector('h1'),
      'the screen',
    );
    expect(document.activeElement).toBe(heading);
    const security = sectionOf(w.root, 'Security events')!;
    await until(() => items(security).length === 16, 'the first page');
    expect(security.getAttribute('aria-labelledby')).toBe(security.querySelector('h2')!.id);
    expect(security.querySelector('ol')!.getAttribute('aria-labelledby')).toBe(
      security.querySelector('h2')!.id,
    );
    expect(items(security)[0]).toBe('Wallet created — 2 Dec 2026 21:14, from ::1');
    expect(items(security)[1]).toBe('Recovery share read — 2 Dec 2026 21:56, from 127.0.0.1');
    expect(security.querySelector('time')!.getAttribute('datetime')).toBe(AT);
    // 16 security events fit one page of 20: no "Show older", all shown.
    expect(button(security as HTMLElement, 'Show older')).toBeUndefined();
    expect(security.querySelector('[role=status]')!.textContent).toBe(
      '16 events shown (all of them).',
    );
    // The 30 reads are elsewhere, loaded on request, paged.
    const reads = sectionOf(w.root, 'Routine key-share reads') as HTMLElement;
    expect(reads.hidden).toBe(true);
    expect(w.v.log.some((l) => l.includes('kind=reads'))).toBe(false);
    const show = button(w.root, 'Show routine key-share reads')!;
    show.click();
    expect(reads.hidden).toBe(false);
    expect(show.getAttribute('aria-expanded')).toBe('true');
    await until(() => items(reads).length === 20, 'the reads page');
    expect(items(reads).every((t) => t?.startsWith('Wallet service key share read — '))).toBe(true);
    button(reads, 'Show older')!.click();
    await until(() => items(reads).length === 30, 'the older reads');
    expect(document.activeElement).toBe(reads.querySelectorAll('li')[20]);
    expect(button(reads, 'Show older')).toBeUndefined();
    expect(w.v.log.filter((l) => l.includes('/events'))).toEqual([
      'GET /v1/apps/dev/wallet/events?kind=security&limit=20',
      'GET /v1/apps/dev/wallet/events?kind=reads&limit=20',
      `GET /v1/apps/dev/wallet/events?kind=reads&before=${w.v.events.filter((e) => e.action === 'auth_share.read').at(-20)!.id}&limit=20`,
    ]);
    // The realms part says plainly that this app has none.
    expect(sectionOf(w.root, 'Wrong recovery attempts')!.textContent).toContain(
      'uses no recovery services',
    );
    button(w.root, 'Close')!.click();
    expect(await done).toEqual({ done: true });
    expect(w.uiCalls).toEqual([true, false]);
    // The newest security event counts as seen on this device.
    expect(await w.ctx.store.getSeen('dev', walletId)).toBe(String(w.v.events.at(-1)!.id));
  });

  it('"Show older" walks 45 security events in pages of 20, 20, 5', async () => {
    const t0 = Date.parse(AT);
    for (let i = 0; i < 45; i++)
      w.v.add('shares.reshare', new Date(t0 - i * 3_600_000).toISOString());
    const done = createHandlers(w.ctx).manage({ flow: 'activity' });
    const security = await until(() => sectionOf(w.root, 'Security events'), 'the screen');
    await until(() => items(security).length === 20, 'page 1');
    // ids grow while times go back: the list is ordered by id (the vault's order).
    button(security as HTMLElement, 'Show older')!.click();
    await until(() => items(security).length === 40, 'page 2');
    button(security as HTMLElement, 'Show older')!.click();
    await until(() => items(security).length === 45, 'page 3');
    expect(button(security as HTMLElement, 'Show older')).toBeUndefined();
    expect(items(security)[44]).toBe('Key shares renewed — 2 Dec 2026 21:14, from 127.0.0.1');
    w.root
      .querySelector('section.screen')!
      .dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(await done).toEqual({ done: true });
  });

  it('shows the realms’ wrong attempts (3 wrong answers → "3 wrong recovery attempts since …")', async () => {
    w = await world({ realms: true });
    for (const a of ['Fido', 'Rover', 'Spot']) {
      await openRecoveryShare(w.ctx, walletId, a).catch(() => undefined);
    }
    const done = createHandlers(w.ctx).manage({ flow: 'activity' });
    const realms = await until(() => sectionOf(w.root, 'Wrong recovery attempts'), 'the screen');
    await until(() => realms.textContent?.includes('3 wrong recovery attempts since'), 'realms');
    button(w.root, 'Close')!.click();
    await done;
  });
});

describe('the Security activity screen: hostile vault answers', () => {
  const hostile =
    (body: unknown, raw = false) =>
    async (u: RequestInfo | URL) => {
      const path = new URL(String(u)).pathname;
      if (path.endsWith('/wallet')) return new Response(JSON.stringify(meta), { status: 200 });
      return new Response(raw ? String(body) : JSON.stringify(body), { status: 200 });
    };

  it('markup in action and ip is shown as text, never as elements', async () => {
    const w = await world({
      fetch: hostile({
        events: [
          {
            id: 9,
            action: '<img src=x onerror="window.pwned=1">',
            epoch: 1,
            at: AT,
            ip: '<script>window.pwned=2</script><b>bold</b>',
          },
        ],
        next: null,
      }),
    });
    const done = createHandlers(w.ctx).manage({ flow: 'activity' });
    const security = await until(() => sectionOf(w.root, 'Security events'), 'the screen');
    await until(() => items(security).length === 1, 'the event');
    expect(items(security)[0]).toBe(
      'Unrecognised event “<img src=x onerror="window.pwned=1">” — 2 Dec 2026 21:14, from <script>window.pwned=2</script><b>bold</b>',
    );
    expect(w.root.querySelector('img, script, b')).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    button(w.root, 'Close')!.click();
    await done;
  });

  for (const [name, body, raw] of [
    ['malformed JSON', '{"events": [', true],
    [
      'wrong types',
      { events: [{ id: 'x', action: 1, epoch: 'a', at: 5, ip: [] }], next: 1 },
      false,
    ],
    [
      'a huge list',
      {
        events: Array.from({ length: 5000 }, (_, i) => ({
          id: 5000 - i,
          action: 'recovery.read',
          epoch: 1,
          at: AT,
          ip: null,
        })),
        next: null,
      },
      false,
    ],
  ] as const) {
    it(`${name}: an alert says the events could not be loaded; nothing listed; Close still works`, async () => {
      const w = await world({ fetch: hostile(body, raw) });
      const done = createHandlers(w.ctx).manage({ flow: 'activity' });
      const security = await until(() => sectionOf(w.root, 'Security events'), 'the screen');
      const alert = await until(() => {
        const a = security.querySelector('[role=alert]') as HTMLElement;
        return !a.hidden && a;
      }, 'the alert');
      expect(alert.textContent).toBe(
        'These events could not be loaded. The wallet service sent an unexpected answer. Please try again later.',
      );
      expect(items(security)).toEqual([]);
      expect(button(security as HTMLElement, 'Show older')).toBeUndefined();
      button(w.root, 'Close')!.click();
      expect(await done).toEqual({ done: true });
      expect(await w.ctx.store.getSeen('dev', walletId)).toBeUndefined();
    });
  }
});

describe('the notice after a password unlock', () => {
  it('first unlock on a device: records the newest id, no notice; then only newer security events are announced, once', async () => {
    const w = await world();
    w.v.add('wallet.create', AT);
    await unlockAndNotice(w.ctx);
    expect(w.ctx.activityNotice).toBeUndefined();
    expect(await w.ctx.store.getSeen('dev', walletId)).toBe('1');
    await offerNotice(w.ctx);
    expect(w.root.querySelector('h1')).toBeNull();

    // Someone with the user's sign-in reads the recovery share; a routine read too.
    w.v.add('auth_share.read', AT);
    w.v.add('recovery.read', AT, '203.0.113.9');
    await unlockAndNotice(w.ctx);
    const shown = offerNotice(w.ctx);
    const h1 = await until(() => w.root.querySelector('h1'), 'the notice');
    expect(h1.textContent).toBe('Security notice');
    expect(document.activeElement).toBe(h1);
    expect([...w.root.querySelectorAll('h2')].map((h) => h.textContent)).toEqual([
      'New security activity since your last visit',
    ]);
    expect(items(w.root.querySelector('.screen-body'))).toEqual([
      'Recovery share read — 2 Dec 2026 21:14, from 203.0.113.9',
    ]);
    expect(await w.ctx.store.getSeen('dev', walletId)).toBe('3');
    button(w.root, 'OK')!.click();
    await shown;

    // Nothing new since: no notice.
    await unlockAndNotice(w.ctx);
    expect(w.ctx.activityNotice).toBeUndefined();
  });

  it('the events are read during the KDF, but a wrong password sets no notice and records no last visit', async () => {
    const w = await world({ realms: true });
    w.v.add('wallet.create', AT);
    await w.ctx.store.putSeen('dev', walletId, '1');
    await openRecoveryShare(w.ctx, walletId, 'Fido').catch(() => undefined);
    w.v.add('recovery.read', AT, '203.0.113.9');
    let reads = 0;
    const getEvents = w.ctx.vault.getEvents;
    w.ctx.vault = {
      ...w.ctx.vault,
      getEvents: (...a: Parameters<typeof getEvents>) => {
        reads += 1;
        return getEvents(...a);
      },
    };
    const state = await loadWallet(w.ctx);
    await expect(
      unlockWithPassword(w.ctx, state!, 'wrong horse battery staple 42'),
    ).rejects.toThrow();
    expect(reads).toBe(1); // read while the wrong password was stretched…
    await new Promise((r) => setTimeout(r, 200));
    // …and nothing of it applied: no check to wait for, no notice, the last visit unmoved.
    expect(w.ctx.securityCheck).toBeUndefined();
    expect(w.ctx.activityNotice).toBeUndefined();
    expect(w.ctx.realmNotice).toBeUndefined();
    expect(await w.ctx.store.getSeen('dev', walletId)).toBe('1');
    // The right password then announces both, as usual.
    await unlockAndNotice(w.ctx);
    expect(w.ctx.activityNotice?.events.map((e) => e.id)).toEqual(['2']);
    expect(w.ctx.realmNotice?.text).toMatch(/^1 wrong recovery attempt since/);
  });

  it('first unlock with no events at all records "0": the first event after it is announced', async () => {
    const w = await world();
    await unlockAndNotice(w.ctx);
    expect(await w.ctx.store.getSeen('dev', walletId)).toBe('0');
    w.v.add('recovery.read', AT, '203.0.113.9');
    await unlockAndNotice(w.ctx);
    expect(w.ctx.activityNotice?.events.map((e) => e.id)).toEqual(['1']);
  });

  it('realm attempts and new events → ONE screen with both, offering Re-arm; "Later" closes it', async () => {
    const w = await world({ realms: true });
    w.v.add('wallet.create', AT);
    await w.ctx.store.putSeen('dev', walletId, '1');
    for (const a of ['Fido', 'Rover', 'Spot']) {
      await openRecoveryShare(w.ctx, walletId, a).catch(() => undefined);
      w.v.add('recovery.read', AT, '198.51.100.7');
    }
    await unlockAndNotice(w.ctx);
    let shows = 0;
    const show = w.ctx.view.show.bind(w.ctx.view);
    w.ctx.view.show = (s, f) => {
      shows += 1;
      return show(s, f);
    };
    const shown = offerNotice(w.ctx);
    await until(() => w.root.querySelector('h1'), 'the notice');
    expect(shows).toBe(1);
    expect(w.root.querySelector('h1')!.textContent).toBe('Security notice');
    expect([...w.root.querySelectorAll('h2')].map((h) => h.textContent)).toEqual([
      'Wrong recovery attempts',
      'New security activity since your last visit',
    ]);
    expect(w.root.querySelector('.notice')!.textContent).toMatch(
      /^3 wrong recovery attempts since/,
    );
    expect(items(w.root.querySelector('.screen-body'))).toEqual(
      Array(3).fill('Recovery share read — 2 Dec 2026 21:14, from 198.51.100.7'),
    );
    expect(button(w.root, 'Re-arm recovery')).toBeDefined();
    button(w.root, 'Later')!.click();
    await shown;
    expect(shows).toBe(1);
    expect(w.ctx.realmNotice).toBeUndefined();
  });

  it('realm attempts alone → the realm notice as the screen (title, text, Re-arm), no events part', async () => {
    const w = await world({ realms: true });
    w.v.add('wallet.create', AT);
    await w.ctx.store.putSeen('dev', walletId, '1');
    await openRecoveryShare(w.ctx, walletId, 'Fido').catch(() => undefined);
    await unlockAndNotice(w.ctx);
    const shown = offerNotice(w.ctx);
    const h1 = await until(() => w.root.querySelector('h1'), 'the notice');
    expect(h1.textContent).toBe('Wrong recovery attempts');
    expect(w.root.querySelectorAll('h2').length).toBe(0);
    expect(w.root.querySelector('.notice')!.textContent).toMatch(/^1 wrong recovery attempt since/);
    expect(w.root.querySelector('ol')).toBeNull();
    button(w.root, 'Later')!.click();
    await shown;
  });

  it(`lists at most ${NOTICE_EVENTS} new events, says there are more, and "See all security activity" opens the screen`, async () => {
    const w = await world();
    w.v.add('wallet.create', AT);
    await w.ctx.store.putSeen('dev', walletId, '1');
    for (let i = 0; i < 8; i++) w.v.add('recovery.read', AT);
    await unlockAndNotice(w.ctx);
    const shown = offerNotice(w.ctx);
    await until(() => w.root.querySelector('h1'), 'the notice');
    expect(items(w.root.querySelector('.screen-body')).length).toBe(NOTICE_EVENTS);
    expect(w.root.textContent).toContain('And more: see all security activity.');
    button(w.root, 'See all security activity')!.click();
    const security = await until(() => sectionOf(w.root, 'Security events'), 'the screen');
    await until(() => items(security).length === 9, 'the events');
    button(w.root, 'Close')!.click();
    await shown;
  });

  it("the user's own flows are not announced (catch-up after create / re-share)", async () => {
    const w = await world();
    w.v.add('wallet.create', AT);
    await w.ctx.store.putSeen('dev', walletId, '1');
    // This device re-shares (a password change): its events, then the catch-up.
    w.v.add('recovery.read', AT);
    w.v.add('shares.reshare', AT, '127.0.0.1', 2);
    w.v.add('wallet.commit', AT, '127.0.0.1', 2);
    await catchUpActivity(w.ctx, walletId);
    expect(await w.ctx.store.getSeen('dev', walletId)).toBe('4');
    await noteActivity(w.ctx, walletId);
    expect(w.ctx.activityNotice).toBeUndefined();
    // The seen mark never moves backwards.
    await w.ctx.store.putSeen('dev', walletId, '4');
    await catchUpActivity(
      {
        ...w.ctx,
        vault: {
          ...w.ctx.vault,
          getEvents: async () => ({
            events: [{ id: '2', action: 'recovery.read', epoch: 1, at: AT, ip: null }],
            next: null,
          }),
        },
      } as Ctx,
      walletId,
    );
    expect(await w.ctx.store.getSeen('dev', walletId)).toBe('4');
  });

  it('a hostile events answer during the unlock: the unlock succeeds, no notice, no seen change', async () => {
    for (const body of ['{"events": [', JSON.stringify({ events: [{ id: 1 }] }), '<b>x</b>']) {
      const w = await world({
        fetch: async (u) =>
          new URL(String(u)).pathname.endsWith('/wallet')
            ? new Response(JSON.stringify(meta))
            : new Response(body),
      });
      await w.ctx.store.putSeen('dev', walletId, '7');
      await unlockAndNotice(w.ctx);
      expect(w.ctx.activityNotice).toBeUndefined();
      expect(await w.ctx.store.getSeen('dev', walletId)).toBe('7');
    }
  });

  it('the seen mark is per wallet, survives reopening the store, and goes with remove()', async () => {
    const name = `t-${Math.random()}`;
    const a = await openDeviceStore(indexedDB, name);
    await a.putSeen('dev', walletId, '12');
    await a.putSeen('other', walletId, '3');
    a.close();
    const b = await openDeviceStore(indexedDB, name);
    expect(await b.getSeen('dev', walletId)).toBe('12');
    expect(await b.getSeen('dev', 'another-wallet')).toBeUndefined();
    await b.remove('dev', walletId);
    expect(await b.getSeen('dev', walletId)).toBeUndefined();
    expect(await b.getSeen('other', walletId)).toBe('3');
  });
});
