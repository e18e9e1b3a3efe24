/**
 * @module trine — the host SDK: mounts the wallet iframe, opens the handshake, serves the
 * wallet's calls (token, inputs, modal) and hands out the CIP-30 API (DESIGN.md §6).
 *
 * The SDK holds no secret and imports nothing from @trine/core or @trine/cardano: it sees
 * addresses, witness sets, signatures and errors only.
 */

import { createHostEndpoint, type Endpoint } from '@trine/protocol/endpoint';
import { APIErrorCode, isProtocolError, ProtocolError, toCip30Error } from '@trine/protocol/errors';
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
import { type Cip30Api, createCip30Api } from './cip30.ts';

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
  /** Rejects pending calls, removes the iframe; later calls fail with APIError Refused. */
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
  if (isProtocolError(e)) throw Object.freeze(toCip30Error(e.code, e.message));
  throw Object.freeze({ code: APIErrorCode.InternalError, info: 'internal error' });
};

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
  const src = new URL(`${base.pathname.replace(/\/+$/, '')}/embed`, base);
  src.searchParams.set('app', options.appId);

  let destroyed = false;
  let overlay: HTMLDivElement | undefined;
  let frame: HTMLIFrameElement | undefined;
  let lastFocus: Element | null = null;
  let connecting: Promise<Endpoint<WalletMethods>> | undefined;
  let endpoint: Endpoint<WalletMethods> | undefined;
  let enabling: Promise<Cip30Api> | undefined;
  let api: Cip30Api | undefined;
  let wallet: WalletInfo | null = null;
  /** Bumped when the account changes or the SDK is destroyed: older API objects go stale. */
  let generation = 0;
  const onDestroy = new Set<(e: ProtocolError) => void>();

  const show = (visible: boolean): void => {
    if (!overlay || !frame) return;
    if (visible && overlay.hidden) {
      lastFocus = document.activeElement;
      overlay.hidden = false;
      frame.focus();
    } else if (!visible && !overlay.hidden) {
      overlay.hidden = true;
      if (lastFocus instanceof HTMLElement && lastFocus.isConnected) lastFocus.focus();
      lastFocus = null;
    }
  };

  const mount = (): HTMLIFrameElement => {
    if (frame) return frame;
    overlay = document.createElement('div');
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', 'Trine wallet');
    overlay.dataset.trine = 'overlay';
    overlay.hidden = true;
    overlay.style.cssText =
      'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:rgba(0,0,0,.5)';
    // `hidden` must win over display:flex.
    const style = document.createElement('style');
    style.textContent = '[data-trine=overlay][hidden]{display:none!important}';
    overlay.append(style);
    frame = document.createElement('iframe');
    frame.title = 'Trine wallet';
    frame.src = src.href;
    // No delegated permissions; the referrer carries the origin only.
    frame.allow = '';
    frame.referrerPolicy = 'strict-origin';
    frame.style.cssText =
      'border:0;border-radius:12px;width:min(420px,100vw);height:min(640px,100vh);background:#fff;color-scheme:normal';
    overlay.append(frame);
    (options.container ?? document.body).append(overlay);
    return frame;
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
    if (!sameWallet(wallet, next)) {
      if (wallet !== null) {
        generation++; // CIP-30 AccountChange for API objects handed out before
        api = undefined;
      }
    }
    wallet = next;
  };

  const connect = (): Promise<Endpoint<WalletMethods>> => {
    if (destroyed) return Promise.reject(new ProtocolError('destroyed', 'the SDK was destroyed'));
    if (endpoint && !endpoint.destroyed) return Promise.resolve(endpoint);
    connecting ??= new Promise<Endpoint<WalletMethods>>((resolve, reject) => {
      const iframe = mount();
      const stop = (e: ProtocolError) => reject(e);
      onDestroy.add(stop);
      openHandshake({
        target: {
          // Always the iframe's current contentWindow, with the wallet origin as targetOrigin.
          postMessage: (m, origin, transfer) =>
            iframe.contentWindow?.postMessage(m, origin, transfer),
        },
        walletOrigin,
        appId: options.appId,
        network: options.network,
        timeoutMs: options.handshakeTimeoutMs ?? 15_000,
        connect: (port) =>
          createHostEndpoint(
            port,
            {
              getToken: async () => ({ token: await options.getToken() }),
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
            {
              ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
              ...(options.userTimeoutMs === undefined
                ? {}
                : { userTimeoutMs: options.userTimeoutMs }),
            },
          ),
      }).then(
        (ep) => {
          onDestroy.delete(stop);
          if (destroyed) {
            ep.destroy();
            reject(new ProtocolError('destroyed', 'the SDK was destroyed'));
            return;
          }
          endpoint = ep;
          resolve(ep);
        },
        (e: unknown) => {
          onDestroy.delete(stop);
          reject(e);
        },
      );
    }).finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const makeApi = (ep: Endpoint<WalletMethods>): Cip30Api => {
    const mine = generation;
    const current = (): WalletInfo => {
      if (destroyed) throw new ProtocolError('destroyed', 'the SDK was destroyed');
      if (generation !== mine || wallet === null) {
        throw new ProtocolError('account_changed', 'the wallet changed; call enable() again');
      }
      return wallet;
    };
    return createCip30Api({
      wallet: current,
      chain,
      signTx: (p) => ep.call('signTx', p),
      signData: (p) => ep.call('signData', p),
    });
  };

  const enable = (): Promise<Cip30Api> => {
    if (destroyed)
      return Promise.reject(Object.freeze(toCip30Error('destroyed', 'the SDK was destroyed')));
    if (api) return Promise.resolve(api);
    enabling ??= (async () => {
      const ep = await connect();
      const r = await ep.call('connect', { network: options.network });
      const w = r.state === 'none' ? await ep.call('createWallet', {}) : r.wallet;
      if (w.network !== options.network) {
        throw new ProtocolError(
          'network_mismatch',
          `the wallet is on ${w.network}, not ${options.network}`,
        );
      }
      setWallet(w);
      if (destroyed) throw new ProtocolError('destroyed', 'the SDK was destroyed');
      api = makeApi(ep);
      return api;
    })()
      .catch(apiError)
      .finally(() => {
        enabling = undefined;
      });
    return enabling;
  };

  return {
    enable,
    isEnabled: () => Promise.resolve(!destroyed && api !== undefined),
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
        setWallet(r.state === 'none' ? null : r.wallet);
        return result;
      } catch (e) {
        return apiError(e);
      }
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      generation++;
      api = undefined;
      const e = new ProtocolError('destroyed', 'the SDK was destroyed');
      for (const f of onDestroy) f(e);
      onDestroy.clear();
      endpoint?.destroy();
      show(false);
      overlay?.remove();
      overlay = undefined;
      frame = undefined;
    },
  };
}
