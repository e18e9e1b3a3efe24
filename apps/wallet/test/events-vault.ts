/**
 * @module test/events-vault — a fetch stub of the vault's events endpoint, written from
 * the contract the vault side implements (issue 8 item 6; apps/vault is changed on another
 * branch): `GET /v1/apps/{appId}/wallet/events?kind=security|reads&before=<id>&limit=<1..100,
 * default 50>` → `{events: [{id, action, epoch, at, ip}], next}`, newest first, `next` the
 * `before` of the older page or null. Security actions and reads are two separate lists.
 * Also `GET …/wallet` (the metadata the screen reads first). The lead replaces it with the
 * real vault (`app.fetch`) after merging the vault side.
 */
import type { WalletMeta } from '../src/vault-client.ts';

export const SECURITY_ACTIONS = [
  'wallet.create',
  'recovery.read',
  'auth_share.read_previous',
  'shares.reshare',
  'wallet.commit',
  'wallet.delete',
] as const;

export interface StoredEvent {
  id: number;
  action: string;
  epoch: number | null;
  at: string;
  ip: string | null;
}

export interface EventsVault {
  events: StoredEvent[];
  /** Every request URL (path + query), in order. */
  log: string[];
  /** The Authorization header of each request. */
  auth: (string | null)[];
  meta: WalletMeta;
  /** Appends an event (id = the next identity value) and returns it. */
  add(action: string, at: string, ip?: string | null, epoch?: number | null): StoredEvent;
  fetch: typeof fetch;
}

const json = (status: number, value: unknown) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
const problem = (status: number, code: string, detail: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title: code, status, code, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

export function eventsVault(meta: WalletMeta, appId = 'dev'): EventsVault {
  let seq = 0;
  const self: EventsVault = {
    events: [],
    log: [],
    auth: [],
    meta,
    add(action, at, ip = '127.0.0.1', epoch = 1) {
      seq += 1;
      const e = { id: seq, action, epoch, at, ip };
      self.events.push(e);
      return e;
    },
    fetch: async (input, init) => {
      const u = new URL(String(input));
      const headers = new Headers(init?.headers);
      self.log.push(`${init?.method ?? 'GET'} ${u.pathname}${u.search}`);
      self.auth.push(headers.get('authorization'));
      if (!headers.get('authorization')) return problem(401, 'unauthorized', 'no token');
      const base = `/v1/apps/${appId}/wallet`;
      if (u.pathname === base && (init?.method ?? 'GET') === 'GET') return json(200, self.meta);
      if (u.pathname !== `${base}/events` || (init?.method ?? 'GET') !== 'GET') {
        return problem(404, 'not_found', 'no such route');
      }
      const q = u.searchParams;
      const kind = q.get('kind');
      if (kind !== 'security' && kind !== 'reads') {
        return problem(400, 'invalid_request', 'kind must be security or reads');
      }
      const limitText = q.get('limit') ?? '50';
      const limit = /^[0-9]{1,3}$/.test(limitText) ? Number(limitText) : Number.NaN;
      if (!(limit >= 1 && limit <= 100)) return problem(400, 'invalid_request', 'limit 1..100');
      const beforeText = q.get('before');
      if (beforeText !== null && !/^[1-9][0-9]{0,18}$/.test(beforeText)) {
        return problem(400, 'invalid_request', 'before must be an event id');
      }
      const before = beforeText === null ? Number.POSITIVE_INFINITY : Number(beforeText);
      const list = self.events
        .filter((e) =>
          kind === 'reads'
            ? e.action === 'auth_share.read'
            : (SECURITY_ACTIONS as readonly string[]).includes(e.action),
        )
        .filter((e) => e.id < before)
        .sort((a, b) => b.id - a.id);
      const page = list.slice(0, limit);
      const next = list.length > limit ? page.at(-1)!.id : null;
      return json(200, { events: page, next });
    },
  };
  return self;
}
