/**
 * vault-client `getEvents` (issue 8 item 6): the exact request it makes, paging through
 * the contract's stub (test/events-vault.ts) with security events kept apart from reads,
 * argument checks, and a hostile-response list — every entry a typed VaultError
 * `bad_response` (or the problem's code), never a crash, never the body echoed.
 */
import { describe, expect, it } from 'vitest';
import { createVaultClient, parseEventsPage, VaultError } from '../src/vault-client.ts';
import { eventsVault } from './events-vault.ts';

const META = {
  walletId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  keyId: 'ab'.repeat(28),
  network: 'preprod' as const,
  addresses: { base: 'addr_test1x', reward: 'stake_test1x' },
  epoch: 1,
  question: 'Pet?',
};

const client = (f: typeof fetch) =>
  createVaultClient({
    baseUrl: 'https://vault.test',
    appId: 'dev',
    getToken: async () => 'tok-123',
    fetch: f,
  });

const raw =
  (body: string, status = 200, headers: Record<string, string> = {}) =>
  async () =>
    new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });

describe('getEvents: the request', () => {
  it('GET …/wallet/events?kind=…&before=…&limit=… with the bearer token, no cookies, no cache', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const vault = client(async (url, init) => {
      seen.push({ url: String(url), init: init ?? {} });
      return new Response(JSON.stringify({ events: [], next: null }), { status: 200 });
    });
    await vault.getEvents('security');
    await vault.getEvents('reads', { before: '41', limit: 20 });
    expect(seen.map((s) => s.url)).toEqual([
      'https://vault.test/v1/apps/dev/wallet/events?kind=security&limit=50',
      'https://vault.test/v1/apps/dev/wallet/events?kind=reads&before=41&limit=20',
    ]);
    const init = seen[0]!.init;
    expect(init.method).toBe('GET');
    expect(init.credentials).toBe('omit');
    expect(init.cache).toBe('no-store');
    expect(init.body).toBeNull();
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer tok-123');
  });

  it('refuses bad arguments before any request (TypeError / RangeError naming the argument)', async () => {
    let calls = 0;
    const vault = client(async () => {
      calls += 1;
      return new Response('{}');
    });
    await expect(vault.getEvents('all' as never)).rejects.toThrow(
      new TypeError('kind must be "security" or "reads"'),
    );
    for (const limit of [0, 101, 1.5, Number.NaN, -1]) {
      await expect(vault.getEvents('security', { limit })).rejects.toThrow(
        new RangeError('limit must be an integer from 1 to 100'),
      );
    }
    for (const before of ['', '0', '-1', '1e3', '12&kind=reads', ' 5', '0x10']) {
      await expect(vault.getEvents('security', { before })).rejects.toThrow(
        new RangeError('before must be an event id (a positive decimal integer)'),
      );
    }
    expect(calls).toBe(0);
  });
});

describe('getEvents: paging through the contract', () => {
  it('walks 120 security events in pages of 50, 50, 20, newest first; 300 reads never mix in', async () => {
    const v = eventsVault(META);
    const t0 = Date.UTC(2026, 11, 1, 8, 0);
    for (let i = 0; i < 420; i++) {
      const action = i % 7 < 5 ? 'auth_share.read' : i % 2 ? 'recovery.read' : 'shares.reshare';
      v.add(action, new Date(t0 + i * 60_000).toISOString());
    }
    const security = v.events.filter((e) => e.action !== 'auth_share.read');
    expect(security.length).toBe(120);
    const vault = client(v.fetch);
    const ids: string[] = [];
    let before: string | undefined;
    const sizes: number[] = [];
    for (;;) {
      const page = await vault.getEvents('security', { before });
      sizes.push(page.events.length);
      ids.push(...page.events.map((e) => e.id));
      expect(page.events.every((e) => e.action !== 'auth_share.read')).toBe(true);
      if (!page.next) break;
      before = page.next;
    }
    expect(sizes).toEqual([50, 50, 20]);
    expect(ids).toEqual(security.map((e) => String(e.id)).reverse());
    const reads = await vault.getEvents('reads', { limit: 100 });
    expect(reads.events.length).toBe(100);
    expect(reads.events.every((e) => e.action === 'auth_share.read')).toBe(true);
    expect(reads.next).toBe(reads.events.at(-1)!.id);
    const first = (await vault.getEvents('security', { limit: 1 })).events[0]!;
    expect(first).toEqual({
      id: String(security.at(-1)!.id),
      action: security.at(-1)!.action,
      epoch: 1,
      at: security.at(-1)!.at,
      ip: '127.0.0.1',
    });
  });

  it('a problem document becomes a VaultError with its status and code', async () => {
    const v = eventsVault(META);
    const vault = createVaultClient({
      baseUrl: 'https://vault.test',
      appId: 'dev',
      getToken: async () => '',
      fetch: async (u, init) => {
        const h = new Headers(init?.headers);
        h.delete('authorization');
        return v.fetch(u, { ...init, headers: h });
      },
    });
    const e = (await vault.getEvents('security').catch((x) => x)) as VaultError;
    expect(e).toBeInstanceOf(VaultError);
    expect([e.status, e.code]).toEqual([401, 'unauthorized']);
  });
});

const ev = (id: unknown, more: Record<string, unknown> = {}) => ({
  id,
  action: 'recovery.read',
  epoch: 1,
  at: '2026-12-02T21:14:00.000Z',
  ip: '127.0.0.1',
  ...more,
});
const page = (events: unknown[], next: unknown = null) => JSON.stringify({ events, next });

/** Responses a hostile or broken vault might send, each with the request it answers. */
const HOSTILE: [string, string, { before?: string; limit?: number }?][] = [
  ['malformed JSON', '{"events": [ {"id": 1,'],
  ['not JSON at all', '<html><body>502 Bad Gateway</body></html>'],
  ['empty body', ''],
  ['a JSON array', '[]'],
  ['null', 'null'],
  ['events not an array', '{"events": {"0": 1}, "next": null}'],
  ['events missing', '{"next": null}'],
  ['an event that is a string', page(['recovery.read'])],
  ['an event that is null', page([null])],
  ['id missing', page([ev(undefined)])],
  ['id 0', page([ev(0)])],
  ['id negative', page([ev(-5)])],
  ['id fractional', page([ev(1.5)])],
  ['id not a number', page([ev('abc')])],
  ['id with leading zero', page([ev('007')])],
  ['id beyond 64 bits', page([ev('9223372036854775808')])],
  ['id an object', page([ev({ toString: 1 })])],
  ['id unsafe integer', page([ev(2 ** 60)])],
  ['action missing', page([ev(1, { action: undefined })])],
  ['action empty', page([ev(1, { action: '' })])],
  ['action not a string', page([ev(1, { action: ['recovery.read'] })])],
  ['action 65 characters', page([ev(1, { action: 'a'.repeat(65) })])],
  ['at missing', page([ev(1, { at: undefined })])],
  ['at not a time', page([ev(1, { at: 'yesterday' })])],
  ['at markup', page([ev(1, { at: '<img src=x onerror=alert(1)>' })])],
  ['at a number', page([ev(1, { at: 1764710040000 })])],
  ['at impossible date', page([ev(1, { at: '2026-13-45T99:99:00Z' })])],
  ['at very long', page([ev(1, { at: `2026-12-02T21:14:00.000Z${' '.repeat(100)}` })])],
  ['epoch a string', page([ev(1, { epoch: '1' })])],
  ['epoch 0', page([ev(1, { epoch: 0 })])],
  ['epoch fractional', page([ev(1, { epoch: 2.5 })])],
  ['ip a number', page([ev(1, { ip: 2130706433 })])],
  ['ip empty', page([ev(1, { ip: '' })])],
  ['ip 65 characters', page([ev(1, { ip: '1'.repeat(65) })])],
  ['oldest first (order)', page([ev(1), ev(2)])],
  ['a repeated id', page([ev(2), ev(2)])],
  ['an id not below before', page([ev(41)]), { before: '41' }],
  ['more events than the limit asked', page([ev(3), ev(2), ev(1)]), { limit: 2 }],
  [
    'a huge list (10 000 events)',
    page(Array.from({ length: 10_000 }, (_, i) => ev(10_000 - i))),
    { limit: 100 },
  ],
  ['a body over 256 KB', `{"events": [], "next": null, "pad": "${'x'.repeat(300_000)}"}`],
  ['next above the oldest event', page([ev(9), ev(8)], 9)],
  ['next with no events', page([], 5)],
  ['next not an id', page([ev(9)], 'older')],
  ['next an object', page([ev(9)], { id: 3 })],
];

describe('getEvents: hostile responses → bad_response, nothing echoed', () => {
  for (const [name, body, req] of HOSTILE) {
    it(name, async () => {
      const e = (await client(raw(body))
        .getEvents('security', req ?? {})
        .catch((x) => x)) as VaultError;
      expect(e).toBeInstanceOf(VaultError);
      expect(e.status).toBe(0);
      expect(e.code).toBe('bad_response');
      expect(e.message).toMatch(/^the vault sent an unexpected /);
      expect(e.message).not.toMatch(/onerror|Bad Gateway|xxxx/);
    });
  }

  it('a declared Content-Length over the cap is refused without reading the body', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 1;
        c.enqueue(new Uint8Array(1024));
      },
    });
    const e = (await client(
      async () => new Response(body, { status: 200, headers: { 'content-length': '99999999' } }),
    )
      .getEvents('security')
      .catch((x) => x)) as VaultError;
    expect([e.status, e.code]).toEqual([0, 'bad_response']);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('an endless body is cut at the cap (the stream is cancelled)', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new TextEncoder().encode(' '.repeat(64 * 1024)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const e = (await client(async () => new Response(body, { status: 200 }))
      .getEvents('security')
      .catch((x) => x)) as VaultError;
    expect([e.status, e.code]).toEqual([0, 'bad_response']);
    expect(cancelled).toBe(true);
  });

  it('markup in text fields passes as data (shown as text by the screen), ids as strings', () => {
    const p = parseEventsPage(
      {
        events: [
          ev(7, { action: '<img src=x onerror=alert(1)>', ip: '<script>alert(1)</script>' }),
          ev('6', { epoch: null, ip: null }),
        ],
        next: '6',
      },
      { limit: 50 },
    );
    expect(p).toEqual({
      events: [
        {
          id: '7',
          action: '<img src=x onerror=alert(1)>',
          epoch: 1,
          at: '2026-12-02T21:14:00.000Z',
          ip: '<script>alert(1)</script>',
        },
        { id: '6', action: 'recovery.read', epoch: null, at: '2026-12-02T21:14:00.000Z', ip: null },
      ],
      next: '6',
    });
    // Fields the contract does not name are dropped.
    const q = parseEventsPage(
      { events: [ev(1, { userKey: 'x', token: 'y' })], next: null },
      {
        limit: 1,
      },
    );
    expect(Object.keys(q.events[0]!).sort()).toEqual(['action', 'at', 'epoch', 'id', 'ip']);
  });
});
