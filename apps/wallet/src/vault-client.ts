/**
 * @module vault-client — the wallet's typed client of the vault HTTP API (DESIGN.md §5).
 *
 * The bearer token comes from the host (`getToken`, DESIGN.md §6) for every request and
 * travels only in the Authorization header, never in a URL. Every response body is
 * validated before use; errors are RFC 9457 problem documents turned into `VaultError`
 * with the HTTP status and the problem's stable `code`. Nothing secret is ever put in an
 * error: the request body (which holds shares) is never echoed.
 */
import { parseEnvelope, type ShareEnvelope } from '@trine/core/envelope';
import type { ManagementRequest } from '@trine/core/management-key';
import { parseSealedRecord, type SealedRecord } from '@trine/core/sealed-record';
import type { Network } from '@trine/protocol/methods';
import type { RealmConfig, Signer } from './realm-client.ts';

/**
 * @trine/core/realm-crypto's MAX_REALMS, repeated: importing realm-crypto (noble's
 * ristretto255, shamir) would put the realm crypto on the first screen, which needs only
 * the app config. test/boot-split.test.ts pins the two equal.
 */
export const MAX_REALMS = 7;

export const NETWORKS: readonly Network[] = ['mainnet', 'preprod', 'preview'];

/** The public configuration of an app (`GET /v1/apps/{appId}`). */
export interface AppConfig {
  appId: string;
  name: string;
  allowedOrigins: string[];
  networks: Network[];
  /** The app's recovery realms (docs/realms.md), in config order; [] = none (legacy). */
  realms: RealmConfig[];
  /** t: how many realms must answer; 0 when there are no realms. */
  realmThreshold: number;
}

/** The wallet's public metadata (`GET /v1/apps/{appId}/wallet`). */
export interface WalletMeta {
  walletId: string;
  keyId: string;
  network: Network;
  addresses: { base: string; reward: string };
  epoch: number;
  question: string;
  /**
   * The management public key the vault holds (base64url); null for a wallet from
   * before the management key (docs/realms.md "Migration"); absent when the vault does
   * not say.
   */
  managementKey?: string | null;
}

export interface CreateWalletBody {
  walletId: string;
  keyId: string;
  network: Network;
  addresses: { base: string; reward: string };
  epoch: 1;
  authShare: ShareEnvelope;
  recovery: { question: string; sealed: SealedRecord };
  /** base64url of the 32-byte Ed25519 management public key (docs/realms.md). */
  managementKey: string;
}

/** The two event lists the vault keeps apart (so routine reads cannot push out the rest). */
export type EventKind = 'security' | 'reads';

/**
 * One audit event (`GET …/wallet/events`). Security actions: wallet.create, recovery.read,
 * auth_share.read_previous, shares.reshare, wallet.commit, wallet.delete; reads:
 * auth_share.read. `action` is kept as sent (an unknown one is shown as such, as text).
 */
export interface VaultEvent {
  /** The event id as a decimal string (the vault's ids are 64-bit; compared as BigInt). */
  id: string;
  action: string;
  epoch: number | null;
  /** ISO 8601 time, as sent (checked to parse). */
  at: string;
  ip: string | null;
}

/** One page of events, newest first; `next` is the `before` of the next (older) page. */
export interface EventsPage {
  events: VaultEvent[];
  next: string | null;
}

/** The most events a page may hold (the contract's `limit` range is 1..100). */
export const MAX_EVENTS_PAGE = 100;
/** A page of 100 events is ~15 KB; anything past this is not an honest answer. */
const MAX_EVENTS_BYTES = 256 * 1024;

export interface PutSharesBody {
  expectedEpoch: number;
  epoch: number;
  authShare: ShareEnvelope;
  recovery?: { question: string; sealed: SealedRecord };
  /** Only when migrating a wallet that has none registered (docs/realms.md "Migration"). */
  managementKey?: string;
}

/** Why a vault call failed. `status` 0 = the network (no HTTP response). */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  readonly status: number;
  /** The problem document's `code`, or a local one (`network`, `bad_response`). */
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** True for a failure after which the request may or may not have taken effect. */
export function isAmbiguous(e: unknown): boolean {
  return e instanceof VaultError && (e.status === 0 || e.status >= 500);
}

export interface VaultClientOptions {
  /** The vault's origin (the wallet's own origin in production), no trailing slash. */
  baseUrl: string;
  appId: string;
  /** The user's JWT for the vault (asked from the host each time). */
  getToken: () => Promise<string>;
  fetch?: typeof fetch;
  /** Per-request timeout in ms. Default 20 000. */
  timeoutMs?: number;
  /** Unix seconds for management signatures (tests). */
  now?: () => number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(what: string): VaultError {
  return new VaultError(0, 'bad_response', `the vault sent an unexpected ${what}`);
}

function str(v: unknown, what: string, max = 2048): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw bad(what);
  return v;
}

function epochOf(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw bad(what);
  return v;
}

function network(v: unknown, what: string): Network {
  if (typeof v !== 'string' || !(NETWORKS as readonly string[]).includes(v)) throw bad(what);
  return v as Network;
}

function envelope(v: unknown, what: string): ShareEnvelope {
  try {
    return parseEnvelope(v);
  } catch {
    throw bad(what);
  }
}

function sealed(v: unknown, what: string): SealedRecord {
  try {
    return parseSealedRecord(v);
  } catch {
    throw bad(what);
  }
}

/** Validates `GET /v1/apps/{appId}`. Accepts `allowedOrigins` (DESIGN §5) or `origins`. */
export function parseAppConfig(value: unknown, appId: string): AppConfig {
  if (!isRecord(value)) throw bad('app configuration');
  const origins = value.allowedOrigins ?? value.origins;
  if (!Array.isArray(origins) || origins.length > 256) throw bad('app configuration (origins)');
  const nets = value.networks;
  if (!Array.isArray(nets) || nets.length === 0) throw bad('app configuration (networks)');
  const { realms, realmThreshold } = parseRealms(value.realms, value.realmThreshold);
  return {
    appId: typeof value.appId === 'string' ? value.appId : appId,
    name: typeof value.name === 'string' && value.name ? value.name.slice(0, 120) : appId,
    allowedOrigins: origins.filter((o): o is string => typeof o === 'string'),
    networks: nets.map((n, i) => network(n, `app network #${i}`)),
    realms,
    realmThreshold,
  };
}

const REALM_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Validates the app's realms. Absent → none (a vault before realms). A realm URL must be
 * https, or http on a loopback host (dev); ids distinct; the key 32 bytes of base64url.
 */
function parseRealms(
  value: unknown,
  threshold: unknown,
): { realms: RealmConfig[]; realmThreshold: number } {
  if (value === undefined || value === null) return { realms: [], realmThreshold: 0 };
  if (!Array.isArray(value) || value.length > MAX_REALMS) throw bad('app configuration (realms)');
  const realms = value.map((r, i): RealmConfig => {
    if (!isRecord(r)) throw bad(`app realm #${i}`);
    const id = str(r.id, `app realm #${i} id`, 128);
    const url = str(r.url, `app realm #${i} url`, 512).replace(/\/+$/, '');
    const publicKey = str(r.publicKey, `app realm #${i} key`, 64);
    if (!REALM_ID.test(id) || !/^[A-Za-z0-9_-]{43}$/.test(publicKey)) throw bad(`app realm #${i}`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad(`app realm #${i} url`);
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    if (
      !(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && loopback)) ||
      parsed.search ||
      parsed.hash ||
      parsed.username ||
      parsed.password
    ) {
      throw bad(`app realm #${i} url`);
    }
    return { id, url, publicKey };
  });
  if (new Set(realms.map((r) => r.id)).size !== realms.length) throw bad('app realms (ids)');
  if (realms.length === 0) return { realms, realmThreshold: 0 };
  if (
    typeof threshold !== 'number' ||
    !Number.isSafeInteger(threshold) ||
    threshold < 1 ||
    threshold > realms.length
  ) {
    throw bad('app configuration (realmThreshold)');
  }
  return { realms, realmThreshold: threshold };
}

const EVENT_ID = /^[1-9][0-9]{0,19}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An event id: a positive integer (number or decimal string) → its decimal string. */
function eventId(v: unknown, what: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1) return String(v);
  if (typeof v === 'string' && EVENT_ID.test(v) && BigInt(v) < 2n ** 63n) return v;
  throw bad(what);
}

/**
 * Validates a page of `GET …/wallet/events` against the request that asked for it: at most
 * `limit` events, ids strictly decreasing (newest first) and below `before`, `next` not
 * above the oldest event's id (so "Show older" always moves back in time and a hostile
 * vault cannot loop the list). Fields are checked by type and length only: their text is
 * shown as text (ui/dom.ts), never as markup.
 */
export function parseEventsPage(
  value: unknown,
  request: { limit: number; before?: string | undefined },
): EventsPage {
  if (!isRecord(value) || !Array.isArray(value.events)) throw bad('events page');
  if (value.events.length > request.limit) throw bad('events page (too many events)');
  let above = request.before === undefined ? undefined : BigInt(request.before);
  const events = value.events.map((e, i): VaultEvent => {
    if (!isRecord(e)) throw bad(`event #${i}`);
    const id = eventId(e.id, `event #${i} id`);
    if (above !== undefined && BigInt(id) >= above) throw bad('events page (order)');
    above = BigInt(id);
    const at = str(e.at, `event #${i} time`, 40);
    if (!ISO_TIME.test(at) || Number.isNaN(Date.parse(at))) throw bad(`event #${i} time`);
    const epoch =
      e.epoch === null || e.epoch === undefined ? null : epochOf(e.epoch, `event #${i} epoch`);
    const ip = e.ip === null || e.ip === undefined ? null : str(e.ip, `event #${i} address`, 64);
    return { id, action: str(e.action, `event #${i} action`, 64), epoch, at, ip };
  });
  let next: string | null = null;
  if (value.next !== null && value.next !== undefined) {
    next = eventId(value.next, 'events page (next)');
    const oldest = events.at(-1);
    if (!oldest || BigInt(next) > BigInt(oldest.id)) throw bad('events page (next)');
  }
  return { events, next };
}

/** Validates the wallet metadata. */
export function parseWalletMeta(value: unknown): WalletMeta {
  if (!isRecord(value)) throw bad('wallet record');
  const addresses = value.addresses;
  if (!isRecord(addresses)) throw bad('wallet record (addresses)');
  return {
    walletId: str(value.walletId, 'wallet id', 64),
    keyId: str(value.keyId, 'key id', 128),
    network: network(value.network, 'wallet network'),
    addresses: {
      base: str(addresses.base, 'base address', 1024),
      reward: str(addresses.reward, 'reward address', 1024),
    },
    epoch: epochOf(value.epoch, 'wallet epoch'),
    question: str(value.question, 'recovery question', 1024),
    ...(value.managementKey === null
      ? { managementKey: null }
      : value.managementKey === undefined
        ? {}
        : { managementKey: str(value.managementKey, 'management key', 64) }),
  };
}

/**
 * Builds the client.
 *
 * @example
 * const vault = createVaultClient({ baseUrl: location.origin, appId, getToken });
 * const meta = await vault.getWallet(); // null when the user has none
 */
export function createVaultClient(options: VaultClientOptions) {
  const { baseUrl, appId, getToken } = options;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const appPath = `${baseUrl}/v1/apps/${encodeURIComponent(appId)}`;

  async function request(
    method: string,
    path: string,
    body?: unknown,
    auth = true,
    sign?: { signer: Signer; expectedEpoch: number | null },
    maxBytes?: number,
  ): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth) headers.authorization = `Bearer ${await getToken()}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const text = body === undefined ? null : JSON.stringify(body);
    if (sign) {
      // docs/realms.md "Signed management requests": the exact path and body bytes sent.
      const req: ManagementRequest = {
        method,
        path: new URL(`${appPath}${path}`, 'http://base.invalid').pathname,
        appId,
        walletId: sign.signer.walletId,
        expectedEpoch: sign.expectedEpoch,
        body: new TextEncoder().encode(text ?? ''),
      };
      // Loaded on the first signed request (re-share, delete): not on the first screen.
      const { managementHeaders, signManagementRequest } = await import(
        '@trine/core/management-key'
      );
      Object.assign(
        headers,
        managementHeaders(signManagementRequest(sign.signer.secretKey, req, { now: now() })),
      );
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let res: Response;
    try {
      res = await doFetch(`${appPath}${path}`, {
        method,
        headers,
        body: text,
        signal: controller.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new VaultError(0, 'network', 'the vault cannot be reached');
    } finally {
      clearTimeout(timer);
    }
    let json: unknown = null;
    if (res.status !== 204) {
      try {
        json =
          maxBytes === undefined ? await res.json() : JSON.parse(await cappedText(res, maxBytes));
      } catch (e) {
        if (e instanceof VaultError) throw e;
        json = null;
      }
    }
    if (!res.ok) {
      const err = problem(res.status, json);
      // Retry-After (seconds) travels on to the host as the error's retryAfter.
      const ra = Number(res.headers.get('retry-after') ?? Number.NaN);
      if (Number.isSafeInteger(ra) && ra >= 0) Object.assign(err, { retryAfter: ra });
      throw err;
    }
    return { status: res.status, json };
  }

  return {
    /** `GET /v1/apps/{appId}` (public, no token). */
    async getAppConfig(): Promise<AppConfig> {
      const { json } = await request('GET', '', undefined, false);
      return parseAppConfig(json, appId);
    },
    /** `GET …/wallet`; null when the user has no wallet (404). */
    async getWallet(): Promise<WalletMeta | null> {
      try {
        return parseWalletMeta((await request('GET', '/wallet')).json);
      } catch (e) {
        if (e instanceof VaultError && e.status === 404) return null;
        throw e;
      }
    },
    /**
     * `GET …/wallet/events?kind=…&before=…&limit=…`: one page of the user's own audit
     * events, newest first (the vault keeps `security` events apart from routine `reads`).
     * Pass `next` of a page as `before` for the older one.
     *
     * @example
     * const { events, next } = await vault.getEvents('security', { limit: 20 });
     */
    async getEvents(
      kind: EventKind,
      options: { before?: string | undefined; limit?: number } = {},
    ): Promise<EventsPage> {
      if (kind !== 'security' && kind !== 'reads') {
        throw new TypeError('kind must be "security" or "reads"');
      }
      const limit = options.limit ?? 50;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE) {
        throw new RangeError(`limit must be an integer from 1 to ${MAX_EVENTS_PAGE}`);
      }
      const { before } = options;
      if (before !== undefined && !EVENT_ID.test(before)) {
        throw new RangeError('before must be an event id (a positive decimal integer)');
      }
      const query = new URLSearchParams({ kind });
      if (before !== undefined) query.set('before', before);
      query.set('limit', String(limit));
      const { json } = await request(
        'GET',
        `/wallet/events?${query}`,
        undefined,
        true,
        undefined,
        MAX_EVENTS_BYTES,
      );
      return parseEventsPage(json, { limit, before });
    },
    /** `POST …/wallet`. */
    async createWallet(body: CreateWalletBody): Promise<void> {
      await request('POST', '/wallet', body);
    },
    /**
     * `GET …/wallet/auth-share`, or `?epoch=N` for the previous epoch the vault keeps
     * until the new one is committed (a device whose re-share stopped half-way).
     */
    async getAuthShare(epoch?: number): Promise<{ epoch: number; authShare: ShareEnvelope }> {
      const query = epoch === undefined ? '' : `?epoch=${epochOf(epoch, 'requested epoch')}`;
      const { json } = await request('GET', `/wallet/auth-share${query}`);
      if (!isRecord(json)) throw bad('auth share response');
      return {
        epoch: epochOf(json.epoch, 'epoch'),
        authShare: envelope(json.authShare, 'auth share'),
      };
    },
    /** `POST …/wallet/recovery` (strictly rate-limited: call only on the user's request). */
    async getRecovery(
      epoch?: number,
    ): Promise<{ epoch: number; question: string; sealed: SealedRecord }> {
      const body = epoch === undefined ? {} : { epoch: epochOf(epoch, 'requested epoch') };
      const { json } = await request('POST', '/wallet/recovery', body);
      if (!isRecord(json)) throw bad('recovery response');
      return {
        epoch: epochOf(json.epoch, 'epoch'),
        question: str(json.question, 'recovery question', 1024),
        sealed: sealed(json.sealed, 'sealed recovery share'),
      };
    },
    /**
     * `PUT …/wallet/shares` (compare-and-swap on `expectedEpoch`; 409 when stale), signed
     * with the management key (expectedEpoch = body.expectedEpoch).
     */
    async putShares(body: PutSharesBody, signer: Signer): Promise<void> {
      await request('PUT', '/wallet/shares', body, true, {
        signer,
        expectedEpoch: body.expectedEpoch,
      });
    },
    /** `POST …/wallet/commit {epoch}` (signed): the vault drops the kept previous epoch. */
    async commit(epoch: number, signer: Signer): Promise<void> {
      await request('POST', '/wallet/commit', { epoch }, true, { signer, expectedEpoch: epoch });
    },
    /**
     * `DELETE …/wallet`, signed (expectedEpoch "-"). Without a signer only a legacy wallet
     * (no management key registered) can be deleted; the vault refuses the others.
     */
    async deleteWallet(signer?: Signer): Promise<void> {
      await request(
        'DELETE',
        '/wallet',
        undefined,
        true,
        signer ? { signer, expectedEpoch: null } : undefined,
      );
    },
  };
}

export type VaultClient = ReturnType<typeof createVaultClient>;

/**
 * The body as text, refusing more than `max` bytes (a hostile or broken server cannot make
 * the wallet buffer an endless body): stops reading and cancels the stream past the cap.
 */
async function cappedText(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) throw bad('response size');
  if (!res.body) return res.text();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw bad('response size');
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** A VaultError from an RFC 9457 problem document (its `code`, `detail` or `title`). */
export function problem(status: number, json: unknown): VaultError {
  const p = isRecord(json) ? json : {};
  const code =
    typeof p.code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(p.code) ? p.code : `http_${status}`;
  const text = typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : '';
  return new VaultError(status, code, text.slice(0, 300) || `the vault answered ${status}`);
}
