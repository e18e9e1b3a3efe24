/**
 * @module trine — the host SDK: mounts the wallet iframe, opens the handshake, serves the
 * wallet's calls (token, inputs, modal) and hands out the CIP-30 API (DESIGN.md §6).
 *
 * The SDK holds no secret and imports nothing from @trine/core or @trine/cardano: it sees
 * addresses, witness sets, signatures and errors only.
 */

import { createHostEndpoint, type Endpoint } from '@trine/protocol/endpoint';
import { isProtocolError, ProtocolError, toCip30Error } from '@trine/protocol/errors';
import { openHandshake } from '@trine/protocol/handshake';
import type {
  ManageFlow,
  ManageResult,
  Network,
  ResolvedInput,
  WalletInfo,
  WalletMethods,
} from '@trine/protocol/methods';
import { MANAGE_FLOWS, NETWORKS } from '@trine/protocol/methods';
import type { ChainProvider } from './chain.ts';
import type { buildCip30Api, Cip30Api } from './cip30-api.ts';

export type { ChainProvider } from './chain.ts';
export type { Cip30Api } from './cip30.ts';

export interface TrineOptions {
  /** Where the wallet is served, e.g. `https://wallet.trine.example` (https, or http on localhost). */
  walletUrl: string;
  /** The app id registered with the vault. */
  appId: string;
  network: Network;
  /** The signed-in user's JWT for the vault (called whenever the wallet needs one). */
  getToken: () => string | Promise<string>;
  /** Chain reads and submission, on the host side. */
  chainProvider: ChainProvider;
  /** Where the wallet's overlay is appended (default `document.body`). */
  container?: HTMLElement;
  /** Timeout of calls that need no user (ms; default 30 000). */
  timeoutMs?: number;
  /** Timeout of calls that wait for the user: create, sign, manage (ms; default 10 min). */
  userTimeoutMs?: number;
  /** Timeout of the handshake (ms; default 15 000). */
  handshakeTimeoutMs?: number;
  /**
   * How long after the iframe's `load` the wallet has to answer before the frame counts as
   * blocked by CSP or X-Frame-Options (ms; default 1 500).
   */
  frameTimeoutMs?: number;
  /**
   * Ask the vault's public app config (`GET {walletUrl}/v1/apps/{appId}`) while the frame
   * loads, so an unknown app or a page origin the app does not allow is reported at once
   * (default true).
   */
  checkApp?: boolean;
  /**
   * Where the "this site was enabled before" flag is kept, so `isEnabled()` stays true
   * across reloads (CIP-30). Default: the page's localStorage when it can be used; `null`
   * keeps nothing.
   */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
}

/** Events `on()` delivers. */
export interface TrineEvents {
  /** The wallet's account changed (another wallet after recovery, or none after delete). */
  accountChange: WalletInfo | null;
  /** The wallet reports another network than before. */
  networkChange: Network;
  /** disconnect() or destroy() ran; enabled API objects now refuse every call. */
  disconnect: undefined;
}

export interface Trine {
  /** Mounts the wallet, connects, creates a wallet if the user has none; the CIP-30 API. */
  enable(): Promise<Cip30Api>;
  /** True once enable() succeeded and the SDK is not destroyed (CIP-30 isEnabled). */
  isEnabled(): Promise<boolean>;
  /** Runs a wallet-management flow inside the iframe. */
  manage(flow: ManageFlow): Promise<ManageResult>;
  /** The wallet as last reported by the iframe (public data only), or null. */
  readonly wallet: WalletInfo | null;
  /**
   * Ends the session: rejects pending calls, removes the iframe, forgets that this site was
   * enabled (isEnabled() → false). A later enable() connects again.
   */
  disconnect(): void;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof TrineEvents>(event: E, listener: (value: TrineEvents[E]) => void): () => void;
  /** disconnect(), then refuses every later call with APIError Refused (reason `destroyed`). */
  destroy(): void;
}

const APP_ID_RE = /^[A-Za-z0-9._-]{1,128}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The wallet URL, checked: https, or http on a loopback host (development). */
function walletBase(walletUrl: string): URL {
  let u: URL;
  try {
    u = new URL(walletUrl);
  } catch {
    throw new TypeError('walletUrl must be an absolute URL');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.has(u.hostname))) {
    throw new TypeError('walletUrl must use https (http only on localhost)');
  }
  if (u.username || u.password) throw new TypeError('walletUrl must not hold credentials');
  return u;
}

const sameWallet = (a: WalletInfo | null, b: WalletInfo | null): boolean =>
  a !== null &&
  b !== null &&
  a.walletId === b.walletId &&
  a.addresses.baseHex === b.addresses.baseHex &&
  a.addresses.rewardHex === b.addresses.rewardHex;

const apiError = (e: unknown): never => {
  if (isProtocolError(e)) {
    throw Object.freeze(toCip30Error(e.code, e.message, 'api', 0, e.retryAfter));
  }
  throw Object.freeze(toCip30Error('internal', 'internal error'));
};

const destroyedError = () => new ProtocolError('destroyed', 'the SDK was destroyed');

/** The page's localStorage, or null where there is none or it throws (SSR, blocked storage). */
function pageStorage(): TrineOptions['storage'] {
  try {
    const s = (globalThis as { localStorage?: Storage }).localStorage;
    return s ?? null;
  } catch {
    return null;
  }
}

/**
 * The vault's public app config decides at once what the frame would only show as a blank:
 * an unknown app (404) or a page origin the app does not allow. Anything else (network
 * error, 5xx, no CORS) says nothing; the handshake decides then.
 */
async function checkAppConfig(url: string, origin: string, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'omit', signal });
  } catch {
    return;
  }
  if (res.status === 404)
    throw new ProtocolError('unknown_app', 'the vault does not know this app id');
  if (!res.ok) return;
  let allowed: unknown;
  try {
    allowed = ((await res.json()) as { allowedOrigins?: unknown }).allowedOrigins;
  } catch {
    return;
  }
  if (Array.isArray(allowed) && !allowed.includes(origin)) {
    throw new ProtocolError(
      'origin_refused',
      `the app does not allow ${origin} to embed the wallet`,
    );
  }
}

/**
 * Creates the SDK. Nothing is mounted until enable() or manage().
 *
 * @example
 * const trine = createTrine({ walletUrl, appId: 'dev', network: 'preprod',
 *   getToken: () => auth.token(), chainProvider });
 * const api = await trine.enable();
 * const witnessSet = await api.signTx(txHex);
 */
export function createTrine(options: TrineOptions): Trine {
  const base = walletBase(options.walletUrl);
  if (!APP_ID_RE.test(options.appId))
    throw new TypeError('appId must be 1..128 chars of [A-Za-z0-9._-]');
  if (!(NETWORKS as readonly string[]).includes(options.network)) {
    throw new TypeError(`network must be one of ${NETWORKS.join(', ')}`);
  }
  if (typeof options.getToken !== 'function') throw new TypeError('getToken must be a function');
  const chain = options.chainProvider;
  if (!chain || typeof chain.getUtxos !== 'function' || typeof chain.submitTx !== 'function') {
    throw new TypeError('chainProvider must implement getUtxos and submitTx');
  }
  const walletOrigin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, '');
  const src = new URL(`${basePath}/embed`, base);
  src.searchParams.set('app', options.appId);
  const configUrl = new URL(`${basePath}/v1/apps/${options.appId}`, base).href;
  const enabledKey = `trine:enabled:${walletOrigin}:${options.appId}`;
  // Resolved on first use, never at import or construction (SSR: no window there).
  // A refusing storage leaves isEnabled() knowing only this page's session.
  const stored = (on?: boolean): boolean => {
    try {
      const s = options.storage === undefined ? pageStorage() : options.storage;
      if (on === undefined) return s?.getItem(enabledKey) === '1';
      if (on) s?.setItem(enabledKey, '1');
      else s?.removeItem(enabledKey);
    } catch {
      // refused
    }
    return false;
  };

  let destroyed = false;
  let overlay: HTMLDivElement | undefined;
  let frame: HTMLIFrameElement | undefined;
  let lastFocus: Element | null = null;
  /** Host elements this overlay made inert: only these are released on hide. */
  let inerted: HTMLElement[] = [];
  let connecting: Promise<Endpoint<WalletMethods>> | undefined;
  let endpoint: Endpoint<WalletMethods> | undefined;
  let enabling: Promise<Cip30Api> | undefined;
  let api: Cip30Api | undefined;
  let wallet: WalletInfo | null = null;
  /** Bumped on account change, disconnect and destroy: older API objects go stale. */
  let generation = 0;
  /** Rejects the connection attempt in flight (disconnect, destroy, blocked frame). */
  const aborts = new Set<(e: ProtocolError) => void>();
  const listeners = new Map<keyof TrineEvents, Set<(v: never) => void>>();
  const emit = <E extends keyof TrineEvents>(event: E, value: TrineEvents[E]): void => {
    for (const f of [...(listeners.get(event) ?? [])] as Array<(v: TrineEvents[E]) => void>) {
      try {
        f(value);
      } catch {
        // a listener's failure is the dApp's; the SDK goes on
      }
    }
  };

  // Strict host CSPs (style-src 'self') block <style> elements and style="" markup, not
  // CSSOM: every style is set through element.style, and hiding is display:none.
  const show = (visible: boolean): void => {
    if (!overlay || !frame) return;
    if (visible && overlay.hidden) {
      lastFocus = document.activeElement;
      overlay.hidden = false;
      overlay.style.display = 'flex';
      // A modal: every host element beside the overlay's ancestors (up to <body>) goes
      // inert, so neither Tab nor a click nor a screen reader reaches the page behind it.
      // Elements already inert are left out, so hide restores exactly what the host had.
      for (let n: Element = overlay; n !== document.body && n.parentElement; n = n.parentElement)
        for (const s of n.parentElement.children)
          if (s !== n && s instanceof HTMLElement && !s.inert) {
            s.inert = true;
            inerted.push(s);
          }
      frame.focus();
      // The frame's own window too: WebKit lets the wallet focus its first field only in
      // the focused frame (cross-origin frames may not take focus themselves).
      frame.contentWindow?.focus();
    } else if (!visible && !overlay.hidden) {
      overlay.hidden = true;
      overlay.style.display = 'none';
      for (const s of inerted) s.inert = false;
      inerted = [];
      if (lastFocus instanceof HTMLElement && lastFocus.isConnected) lastFocus.focus();
      lastFocus = null;
    }
  };

  const css = (el: HTMLElement, props: Record<string, string>): void => {
    for (const [k, v] of Object.entries(props)) el.style.setProperty(k, v);
  };

  const mount = (): HTMLIFrameElement => {
    if (frame) return frame;
    overlay = document.createElement('div');
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', 'Trine wallet');
    overlay.dataset.trine = 'overlay';
    overlay.hidden = true;
    css(overlay, {
      position: 'fixed',
      inset: '0',
      'z-index': '2147483647',
      display: 'none',
      'align-items': 'center',
      'justify-content': 'center',
      background: 'rgba(0,0,0,.5)',
    });
    frame = document.createElement('iframe');
    frame.title = 'Trine wallet';
    frame.src = src.href;
    // No delegated permissions; the referrer carries the origin only.
    frame.allow = '';
    frame.referrerPolicy = 'strict-origin';
    css(frame, {
      border: '0',
      'border-radius': '12px',
      width: 'min(420px,100vw)',
      height: 'min(640px,100vh)',
      background: '#fff',
      'color-scheme': 'normal',
    });
    overlay.append(frame);
    (options.container ?? document.body).append(overlay);
    return frame;
  };

  const unmount = (): void => {
    show(false);
    overlay?.remove();
    overlay = undefined;
    frame = undefined;
  };

  const resolveInputs = async (
    refs: { txHash: string; index: number }[],
  ): Promise<ResolvedInput[]> => {
    if (chain.resolveInputs) return chain.resolveInputs(refs);
    if (!wallet) return [];
    const want = new Set(refs.map((r) => `${r.txHash}#${r.index}`));
    const own = await chain.getUtxos(wallet.addresses.base);
    return own
      .filter((u) => want.has(`${u.txHash.toLowerCase()}#${u.index}`))
      .map((u) => ({
        txHash: u.txHash.toLowerCase(),
        index: u.index,
        address: u.address,
        value: u.value,
      }));
  };

  const setWallet = (next: WalletInfo | null): void => {
    const before = wallet;
    wallet = next;
    if (sameWallet(before, next) || (before === null && next === null)) return;
    if (before !== null) {
      generation++; // CIP-30 AccountChange for API objects handed out before
      api = undefined;
      emit('accountChange', next);
      if (next && next.network !== before.network) emit('networkChange', next.network);
    }
  };

  const connect = (): Promise<Endpoint<WalletMethods>> => {
    if (destroyed) return Promise.reject(destroyedError());
    if (endpoint && !endpoint.destroyed) return Promise.resolve(endpoint);
    connecting ??= new Promise<Endpoint<WalletMethods>>((resolve, reject) => {
      const iframe = mount();
      const probe = new AbortController();
      const stopHandshake = new AbortController();
      let alive = false;
      let helloNow: (() => void) | undefined;
      let blockedTimer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = (): void => {
        aborts.delete(fail);
        probe.abort();
        clearTimeout(blockedTimer);
        iframe.removeEventListener('load', onLoad);
        document.removeEventListener('securitypolicyviolation', onViolation);
      };
      const fail = (e: ProtocolError): void => {
        cleanup();
        stopHandshake.abort(e);
        reject(e);
      };
      aborts.add(fail);
      const blocked = () =>
        fail(
          new ProtocolError(
            'frame_blocked',
            'the browser blocked the wallet frame (CSP frame-src / frame-ancestors or X-Frame-Options)',
          ),
        );
      // A blocked frame still fires load (an error page) but never answers the hello; a
      // running wallet answers within milliseconds of load (`pending` while it loads).
      const onLoad = (): void => {
        if (alive) return;
        helloNow?.(); // the wallet listens from its first line: ask now, not at the next retry
        clearTimeout(blockedTimer);
        blockedTimer = setTimeout(() => alive || blocked(), options.frameTimeoutMs ?? 1_500);
      };
      // The host page's own CSP (frame-src / child-src / default-src) refusing the wallet.
      const onViolation = (e: SecurityPolicyViolationEvent): void => {
        if (!alive && /^(frame|child|default)-src/.test(e.effectiveDirective)) {
          if (e.blockedURI === walletOrigin || e.blockedURI.startsWith(`${walletOrigin}/`))
            blocked();
        }
      };
      iframe.addEventListener('load', onLoad);
      document.addEventListener('securitypolicyviolation', onViolation);
      if (options.checkApp !== false) {
        checkAppConfig(configUrl, location.origin, probe.signal).catch((e: ProtocolError) =>
          fail(e),
        );
      }
      openHandshake({
        signal: stopHandshake.signal,
        target: {
          // Always the iframe's current contentWindow, with the wallet origin as targetOrigin.
          postMessage: (m, origin, transfer) =>
            iframe.contentWindow?.postMessage(m, origin, transfer),
        },
        walletOrigin,
        appId: options.appId,
        network: options.network,
        timeoutMs: options.handshakeTimeoutMs ?? 15_000,
        onAlive: () => {
          alive = true;
          clearTimeout(blockedTimer);
        },
        onSend: (now) => {
          helloNow = now;
        },
        connect: (port) =>
          createHostEndpoint(
            port,
            {
              getToken: async () => {
                let token: string;
                try {
                  token = await options.getToken();
                } catch {
                  throw new ProtocolError('token_refused', 'the app could not supply a token');
                }
                return { token };
              },
              resolveInputs: async ({ inputs }) => ({ inputs: await resolveInputs(inputs) }),
              ui: ({ visible }) => {
                show(visible);
                return {};
              },
              walletChanged: ({ wallet: w }) => {
                setWallet(w);
                return {};
              },
            },
            { timeoutMs: options.timeoutMs, userTimeoutMs: options.userTimeoutMs },
          ),
      }).then(
        (ep) => {
          cleanup();
          if (destroyed) {
            ep.destroy();
            reject(destroyedError());
            return;
          }
          endpoint = ep;
          resolve(ep);
        },
        (e: unknown) => {
          cleanup();
          reject(e);
        },
      );
    })
      .catch((e: unknown) => {
        // No session came of it: remove the frame, so a retry starts from a fresh load.
        if (!endpoint) unmount();
        throw e;
      })
      .finally(() => {
        connecting = undefined;
      });
    return connecting;
  };

  const makeApi = (ep: Endpoint<WalletMethods>, build: typeof buildCip30Api): Cip30Api => {
    const mine = generation;
    const current = (): WalletInfo => {
      if (destroyed) throw destroyedError();
      if (generation !== mine || wallet === null) {
        throw new ProtocolError('account_changed', 'the wallet changed; call enable() again');
      }
      return wallet;
    };
    return build(
      {
        wallet: current,
        chain,
        signTx: (p) => ep.call('signTx', p),
        signData: (p) => ep.call('signData', p),
      },
      { isProtocolError, toCip30Error },
    );
  };

  const enable = (): Promise<Cip30Api> => {
    if (destroyed) return Promise.reject(destroyedError()).catch(apiError);
    if (api) return Promise.resolve(api);
    enabling ??= (async () => {
      // The CIP-30 layer (CBOR, values, coin selection) loads while the wallet frame does:
      // the page's first load carries only what mounting and the handshake need.
      const lazy = import('./cip30-api.ts');
      lazy.catch(() => {});
      const ep = await connect();
      let r = await ep.call('connect', { network: options.network });
      const recovered = r.state === 'unverified';
      if (recovered) {
        // A wallet this device has not opened yet: its addresses come only after the key
        // is rebuilt here (recovery), never from the vault's unchecked copy.
        const { done } = await ep.call('manage', { flow: 'recover' });
        if (!done) throw new ProtocolError('user_declined', 'the user did not recover the wallet');
        r = await ep.call('connect', { network: options.network });
      }
      if (r.state === 'unverified' || (r.state === 'none' && recovered)) {
        throw new ProtocolError('wallet_missing', 'the wallet is not available on this device');
      }
      const w = r.state === 'none' ? await ep.call('createWallet', {}) : r.wallet;
      if (w.network !== options.network) {
        throw new ProtocolError(
          'network_mismatch',
          `the wallet is on ${w.network}, not ${options.network}`,
        );
      }
      const { buildCip30Api } = await lazy;
      // disconnect() or destroy() while the chunk loaded: this enable() comes to nothing.
      if (destroyed) throw destroyedError();
      if (ep.destroyed) throw new ProtocolError('not_connected', 'disconnected');
      setWallet(w);
      if (destroyed) throw destroyedError(); // a listener of accountChange may destroy()
      api = makeApi(ep, buildCip30Api);
      stored(true);
      return api;
    })()
      .catch(apiError)
      .finally(() => {
        enabling = undefined;
      });
    return enabling;
  };

  const disconnect = (forget = true): void => {
    const had = endpoint !== undefined || frame !== undefined || api !== undefined;
    generation++;
    api = undefined;
    wallet = null;
    if (forget) stored(false);
    const e = destroyed ? destroyedError() : new ProtocolError('not_connected', 'disconnected');
    for (const f of [...aborts]) f(e);
    endpoint?.destroy();
    endpoint = undefined;
    unmount();
    if (had) emit('disconnect', undefined);
  };

  return {
    enable,
    isEnabled: async () => {
      if (destroyed) return false;
      if (api !== undefined) return true;
      // CIP-30: true when enable() would succeed without asking the user again.
      return stored();
    },
    get wallet() {
      return wallet;
    },
    manage: async (flow) => {
      try {
        if (!(MANAGE_FLOWS as readonly string[]).includes(flow)) {
          throw new ProtocolError(
            'invalid_params',
            `flow must be one of ${MANAGE_FLOWS.join(', ')}`,
          );
        }
        const ep = await connect();
        const result = await ep.call('manage', { flow });
        // Recovery or deletion may change the wallet: refresh what the host knows.
        const r = await ep.call('connect', { network: options.network });
        setWallet(r.state === 'locked' || r.state === 'unlocked' ? r.wallet : null);
        if (r.state === 'none') stored(false);
        return result;
      } catch (e) {
        return apiError(e);
      }
    },
    disconnect: () => disconnect(),
    on(event, listener) {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (v: never) => void);
      return () => {
        set.delete(listener as (v: never) => void);
      };
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      // Keeps the remembered flag: destroy() is the page (or a component) going away, not
      // the user leaving; the next page's isEnabled() still says true.
      disconnect(false);
    },
  };
}
