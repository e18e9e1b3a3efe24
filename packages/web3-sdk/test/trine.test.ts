// @vitest-environment happy-dom
/**
 * The SDK in a DOM (happy-dom) against a fake wallet built from @trine/protocol. happy-dom does
 * not load cross-origin frames, so each iframe's contentWindow is replaced by a stand-in that
 * behaves as a browser does: a message whose targetOrigin is not the frame's origin is dropped;
 * one that matches reaches the wallet's acceptHello with the transferred port.
 */
import { createWalletEndpoint, type Endpoint, type Handlers } from '@trine/protocol/endpoint';
import { ProtocolError } from '@trine/protocol/errors';
import { acceptHello } from '@trine/protocol/handshake';
import { pendingMessage } from '@trine/protocol/messages';
import type { HostMethods, WalletMethods } from '@trine/protocol/methods';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Cip30Wallet, injectCip30 } from '../src/inject.ts';
import { createMemoryChainProvider } from '../src/memory.ts';
import { createTrine, type TrineOptions } from '../src/trine.ts';
import { BASE, BASE_HEX, fakeWallet, WALLET } from './helpers.ts';

const WALLET_URL = 'https://wallet.example';
/** The host window as the wallet's `window.parent` (the wallet has its own realm in a browser). */
const HOST_AS_PARENT = { role: 'host window' };
const ICON = 'data:image/svg+xml,%3Csvg%2F%3E';

interface FakeFrames {
  hellos: Array<{ targetOrigin: string; data: unknown }>;
  /** Calls of the frame window's focus() (the host gives the frame focus when shown). */
  focused: number;
  wallet: Endpoint<HostMethods> | undefined;
  ready: Promise<Endpoint<HostMethods>>;
}

const original = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, 'contentWindow');
const cleanup: Array<() => void> = [];

/** Replaces every iframe's contentWindow with a stand-in whose document lives at `frameOrigin`. */
function installFrames(
  handlers: Handlers<WalletMethods>,
  opts: { frameOrigin?: string; answer?: boolean; pendingOnly?: boolean } = {},
): FakeFrames {
  const windows = new WeakMap<object, object>();
  let ready: (ep: Endpoint<HostMethods>) => void = () => {};
  const state: FakeFrames = {
    hellos: [],
    focused: 0,
    wallet: undefined,
    ready: new Promise((r) => {
      ready = r;
    }),
  };
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', {
    configurable: true,
    get(this: HTMLIFrameElement) {
      let w = windows.get(this);
      if (!w) {
        const frameOrigin = opts.frameOrigin ?? new URL(this.src).origin;
        w = {
          focus: () => {
            state.focused += 1;
          },
          postMessage: (data: unknown, targetOrigin: string, transfer: MessagePort[]) => {
            state.hellos.push({ targetOrigin, data });
            if (targetOrigin !== frameOrigin || opts.answer === false || state.wallet) return;
            if (opts.pendingOnly) {
              // A wallet still loading its config: alive, no decision yet.
              transfer[0]?.postMessage(pendingMessage());
              return;
            }
            // The wallet sees the host page as its parent window.
            const r = acceptHello(
              {
                source: HOST_AS_PARENT,
                origin: location.origin,
                data: structuredClone(data),
                ports: transfer,
              },
              [location.origin],
              [location.origin],
              { source: HOST_AS_PARENT, appId: 'dev' },
            );
            if (r.ok) {
              state.wallet = createWalletEndpoint(r.port, handlers);
              cleanup.push(() => state.wallet?.destroy());
              ready(state.wallet);
            }
          },
        };
        windows.set(this, w);
      }
      return w;
    },
  });
  return state;
}

function trineWith(over: Partial<TrineOptions> = {}) {
  const chain = createMemoryChainProvider();
  const trine = createTrine({
    walletUrl: WALLET_URL,
    appId: 'dev',
    network: 'preprod',
    getToken: () => 'jwt.for.vault',
    chainProvider: chain,
    // The app-config check has its own tests (a stubbed fetch); here no network is used.
    checkApp: false,
    storage: null,
    ...over,
  });
  cleanup.push(() => trine.destroy());
  return { trine, chain };
}

const caught = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ resolved: typeof v }),
    (e: unknown) => ({ isError: e instanceof Error, ...(e as object) }),
  );

afterEach(() => {
  for (const f of cleanup.splice(0)) f();
  if (original) Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', original);
  document.body.innerHTML = '';
  delete (window as { cardano?: unknown }).cardano;
  vi.restoreAllMocks();
});

describe('enable()', () => {
  it('mounts a hidden, titled iframe at {walletUrl}/embed?app=…, handshakes with the wallet origin only, connects', async () => {
    const w = fakeWallet();
    const frames = installFrames(w.handlers);
    const { trine } = trineWith();
    expect(await trine.isEnabled()).toBe(false);
    const api = await trine.enable();
    const iframe = document.querySelector('iframe') as HTMLIFrameElement;
    expect(iframe.src).toBe('https://wallet.example/embed?app=dev');
    expect(iframe.title).toBe('Trine wallet');
    expect(iframe.getAttribute('allow')).toBe('');
    const overlay = iframe.parentElement as HTMLElement;
    expect([
      overlay.getAttribute('role'),
      overlay.getAttribute('aria-modal'),
      overlay.hidden,
    ]).toEqual(['dialog', 'true', true]);
    expect(frames.hellos.length).toBeGreaterThan(0);
    expect(frames.hellos.every((h) => h.targetOrigin === 'https://wallet.example')).toBe(true);
    expect(frames.hellos[0]?.data).toEqual({
      ns: 'trine',
      v: 1,
      type: 'hello',
      appId: 'dev',
      network: 'preprod',
    });
    expect(w.log.calls.map((c) => c.method)).toEqual(['connect']);
    expect(await api.getChangeAddress()).toBe(BASE_HEX);
    expect(await trine.isEnabled()).toBe(true);
    expect(await trine.enable()).toBe(api);
    expect(trine.wallet).toEqual(WALLET);
  });

  it('keeps a path in walletUrl and escapes the app id', async () => {
    installFrames(fakeWallet().handlers, { answer: false });
    const { trine } = trineWith({
      walletUrl: 'https://wallet.example/trine/',
      appId: 'my.app',
      handshakeTimeoutMs: 10,
    });
    const p = caught(trine.enable());
    expect((document.querySelector('iframe') as HTMLIFrameElement).src).toBe(
      'https://wallet.example/trine/embed?app=my.app',
    );
    await p;
  });

  it('runs createWallet when the user has no wallet yet', async () => {
    const w = fakeWallet({}, 'none');
    installFrames(w.handlers);
    const { trine } = trineWith();
    const api = await trine.enable();
    expect(w.log.calls.map((c) => c.method)).toEqual(['connect', 'createWallet']);
    expect(await api.getRewardAddresses()).toEqual([WALLET.addresses.rewardHex]);
  });

  it('a declined createWallet rejects with APIError Refused', async () => {
    const w = fakeWallet(
      {
        createWallet: () => {
          throw new ProtocolError('user_declined', 'the user closed the create screen');
        },
      },
      'none',
    );
    installFrames(w.handlers);
    const { trine } = trineWith();
    expect(await caught(trine.enable())).toEqual({
      isError: false,
      code: -3,
      reason: 'user_declined',
      info: 'the user closed the create screen',
    });
    expect(await trine.isEnabled()).toBe(false);
  });

  it('a wallet this device has not opened yet: enable runs the recovery first, then gets the addresses', async () => {
    const w = fakeWallet({}, 'unverified');
    installFrames(w.handlers);
    const { trine } = trineWith();
    const api = await trine.enable();
    expect(w.log.calls.map((c) => c.method)).toEqual(['connect', 'manage', 'connect']);
    expect(w.log.calls[1]!.params).toEqual({ flow: 'recover' });
    expect(await api.getChangeAddress()).toBe(WALLET.addresses.baseHex);
  });

  it('a recovery the user cancels at enable is user_declined; nothing is remembered', async () => {
    const w = fakeWallet({ manage: () => ({ done: false }) }, 'unverified');
    installFrames(w.handlers);
    const { trine } = trineWith();
    expect(await caught(trine.enable())).toEqual({
      isError: false,
      code: -3,
      reason: 'user_declined',
      info: 'the user did not recover the wallet',
    });
    expect(trine.wallet).toBeNull();
    expect(await trine.isEnabled()).toBe(false);
  });

  it('a wallet still unverified after the recovery is wallet_missing, never a half-enabled API', async () => {
    const w = fakeWallet({ manage: () => ({ done: true }) }, 'unverified');
    installFrames(w.handlers);
    const { trine } = trineWith();
    expect(await caught(trine.enable())).toMatchObject({ reason: 'wallet_missing' });
    expect(trine.wallet).toBeNull();
    expect(await trine.isEnabled()).toBe(false);
  });

  it('refuses a wallet on another network', async () => {
    installFrames(fakeWallet().handlers);
    const { trine } = trineWith({ network: 'preview' });
    expect(await caught(trine.enable())).toEqual({
      isError: false,
      code: -3,
      reason: 'network_mismatch',
      info: 'the wallet is on preprod, not preview',
    });
  });

  it('validates its options', () => {
    const base = {
      appId: 'dev',
      network: 'preprod' as const,
      getToken: () => 't',
      chainProvider: createMemoryChainProvider(),
    };
    expect(() => createTrine({ ...base, walletUrl: 'http://wallet.example' })).toThrow(
      new TypeError('walletUrl must use https (http only on localhost)'),
    );
    expect(() => createTrine({ ...base, walletUrl: 'https://u:p@wallet.example' })).toThrow(
      new TypeError('walletUrl must not hold credentials'),
    );
    expect(() =>
      createTrine({ ...base, walletUrl: 'http://localhost:5174', appId: 'a b' }),
    ).toThrow(new TypeError('appId must be 1..128 chars of [A-Za-z0-9._-]'));
    expect(() => createTrine({ ...base, walletUrl: 'http://127.0.0.1:5174' })).not.toThrow();
  });
});

describe('origin and source pinning', () => {
  it('a frame that navigated to another origin never receives the hello: timeout (APIError InternalError)', async () => {
    const frames = installFrames(fakeWallet().handlers, { frameOrigin: 'https://evil.example' });
    const { trine } = trineWith({ handshakeTimeoutMs: 200 });
    expect(await caught(trine.enable())).toEqual({
      isError: false,
      code: -2,
      reason: 'timeout',
      info: 'the wallet did not answer within 200 ms',
    });
    expect(frames.wallet).toBeUndefined();
    expect(frames.hellos.every((h) => h.targetOrigin === 'https://wallet.example')).toBe(true);
  });

  it('forged ready / response messages on window — from another window or origin — are ignored', async () => {
    installFrames(fakeWallet().handlers, { answer: false });
    const { trine } = trineWith({ handshakeTimeoutMs: 300 });
    const p = caught(trine.enable());
    const { port1, port2 } = new MessageChannel();
    cleanup.push(() => port1.close());
    const forged = [
      { ns: 'trine', v: 1, type: 'ready' },
      { ns: 'trine', v: 1, id: 'c1', result: { state: 'unlocked', wallet: WALLET } },
    ];
    for (const data of forged) {
      for (const origin of ['https://evil.example', 'https://wallet.example']) {
        window.dispatchEvent(
          new MessageEvent('message', { data, origin, source: window, ports: [port2] }),
        );
      }
    }
    port1.postMessage({ ns: 'trine', v: 1, type: 'ready' });
    expect(await p).toEqual({
      isError: false,
      code: -2,
      reason: 'timeout',
      info: 'the wallet did not answer within 300 ms',
    });
    expect(await trine.isEnabled()).toBe(false);
  });
});

describe('the wallet calls the host', () => {
  it('ui {visible} shows the modal, moves focus into it, hides it and restores focus', async () => {
    const frames = installFrames(fakeWallet().handlers);
    const button = document.createElement('button');
    document.body.append(button);
    button.focus();
    const { trine } = trineWith();
    await trine.enable();
    const wallet = await frames.ready;
    const iframe = document.querySelector('iframe') as HTMLIFrameElement;
    const overlay = iframe.parentElement as HTMLElement;
    expect(await wallet.call('ui', { visible: true })).toEqual({});
    expect(overlay.hidden).toBe(false);
    expect(document.activeElement).toBe(iframe);
    expect(frames.focused).toBe(1);
    expect(await wallet.call('ui', { visible: false })).toEqual({});
    expect(overlay.hidden).toBe(true);
    expect(document.activeElement).toBe(button);
  });

  it('makes the host page inert while shown and restores exactly its previous inert state', async () => {
    const frames = installFrames(fakeWallet().handlers);
    // The overlay inside a host container: its siblings and the container's siblings go
    // inert; an element the host had made inert itself stays inert after hide.
    document.body.innerHTML =
      '<header><a href="#x">link</a></header><main><p id="side">x</p><div id="box"></div></main><aside inert id="host-inert"></aside>';
    const box = document.getElementById('box') as HTMLElement;
    const { trine } = trineWith({ container: box });
    await trine.enable();
    const wallet = await frames.ready;
    const overlay = document.querySelector('[data-trine=overlay]') as HTMLElement;
    const inertOf = () =>
      [...document.querySelectorAll('header, main, #side, #box, aside, [data-trine]')].map(
        (e) => `${e.id || e.tagName.toLowerCase()}:${(e as HTMLElement).inert}`,
      );
    expect(inertOf()).toEqual([
      'header:false',
      'main:false',
      'side:false',
      'box:false',
      'div:false',
      'host-inert:true',
    ]);
    await wallet.call('ui', { visible: true });
    expect(overlay.closest('[inert]')).toBeNull();
    expect(inertOf()).toEqual([
      'header:true',
      'main:false',
      'side:true',
      'box:false',
      'div:false',
      'host-inert:true',
    ]);
    // Shown twice: nothing is recorded twice, one hide releases everything.
    await wallet.call('ui', { visible: true });
    await wallet.call('ui', { visible: false });
    expect(inertOf()).toEqual([
      'header:false',
      'main:false',
      'side:false',
      'box:false',
      'div:false',
      'host-inert:true',
    ]);
    // destroy() while shown releases the page too.
    await wallet.call('ui', { visible: true });
    trine.destroy();
    expect(document.querySelectorAll('[inert]').length).toBe(1);
  });

  it('getToken returns the host’s JWT; resolveInputs uses the chain provider', async () => {
    const frames = installFrames(fakeWallet().handlers);
    const { trine, chain } = trineWith({ getToken: async () => 'eyJ.hdr.sig' });
    const u = chain.fund(BASE, { lovelace: '7' });
    await trine.enable();
    const wallet = await frames.ready;
    expect(await wallet.call('getToken', {})).toEqual({ token: 'eyJ.hdr.sig' });
    expect(
      await wallet.call('resolveInputs', {
        inputs: [
          { txHash: u.txHash, index: 0 },
          { txHash: 'f'.repeat(64), index: 1 },
        ],
      }),
    ).toEqual({
      inputs: [{ txHash: u.txHash, index: 0, address: BASE, value: { lovelace: '7' } }],
    });
  });

  it('a getToken that throws reaches the wallet as token_refused, without its message', async () => {
    const frames = installFrames(fakeWallet().handlers);
    const { trine } = trineWith({
      getToken: () => {
        throw new Error('refresh token rt_abc expired');
      },
    });
    await trine.enable();
    const wallet = await frames.ready;
    const e = await wallet.call('getToken', {}).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'token_refused', message: 'the app could not supply a token' });
    expect(JSON.stringify(e)).not.toContain('rt_abc');
  });

  it('walletChanged makes older API objects throw AccountChange; enable() again gives a fresh one', async () => {
    const frames = installFrames(fakeWallet().handlers);
    const { trine } = trineWith();
    const api = await trine.enable();
    const wallet = await frames.ready;
    await wallet.call('walletChanged', { wallet: { ...WALLET, walletId: 'w2' } });
    expect(await caught(api.getChangeAddress())).toEqual({
      isError: false,
      code: -4,
      reason: 'account_changed',
      info: 'the wallet changed; call enable() again',
    });
    const again = await trine.enable();
    expect(again).not.toBe(api);
    expect(await again.getChangeAddress()).toBe(BASE_HEX);
  });
});

describe('manage, destroy, injectCip30', () => {
  it('manage(flow) runs the flow in the iframe and refreshes the wallet', async () => {
    const w = fakeWallet();
    installFrames(w.handlers);
    const { trine } = trineWith();
    expect(await trine.manage('export')).toEqual({ done: true });
    expect(w.log.calls).toEqual([
      { method: 'manage', params: { flow: 'export' } },
      { method: 'connect', params: { network: 'preprod' } },
    ]);
    expect(await caught(trine.manage('steal' as never))).toEqual({
      isError: false,
      code: -1,
      reason: 'invalid_params',
      info: 'flow must be one of recover, changePassword, changeQuestion, export, delete, activity',
    });
  });

  it('destroy() rejects a pending enable, removes the iframe, and later calls are Refused', async () => {
    installFrames(fakeWallet().handlers, { answer: false });
    const { trine } = trineWith();
    const p = caught(trine.enable());
    expect(document.querySelector('iframe')).not.toBeNull();
    trine.destroy();
    expect(await p).toEqual({
      isError: false,
      code: -3,
      reason: 'destroyed',
      info: 'the SDK was destroyed',
    });
    expect(document.querySelector('iframe')).toBeNull();
    expect(await caught(trine.enable())).toEqual({
      isError: false,
      code: -3,
      reason: 'destroyed',
      info: 'the SDK was destroyed',
    });
    expect(await trine.isEnabled()).toBe(false);
  });

  it('destroy() after enable: the API is Refused and a pending signTx rejects', async () => {
    installFrames(fakeWallet({ signTx: () => new Promise(() => {}) }).handlers);
    const { trine } = trineWith();
    const api = await trine.enable();
    const pending = caught(api.signTx('84a0a0f5f6'));
    await new Promise((r) => setTimeout(r, 10));
    trine.destroy();
    expect(await pending).toEqual({
      isError: false,
      code: -3,
      reason: 'destroyed',
      info: 'the connection was closed',
    });
    expect(await caught(api.getBalance())).toEqual({
      isError: false,
      code: -3,
      reason: 'destroyed',
      info: 'the SDK was destroyed',
    });
  });

  it('injectCip30 registers window.cardano.trine (CIP-30 initial API) and removes it', async () => {
    installFrames(fakeWallet().handlers);
    const { trine } = trineWith();
    const remove = injectCip30({ name: 'trine', icon: ICON, apiVersion: '1' }, trine);
    const entry = (window as unknown as { cardano: Record<string, Cip30Wallet> }).cardano
      .trine as Cip30Wallet;
    expect([entry.name, entry.icon, entry.apiVersion, entry.supportedExtensions]).toEqual([
      'trine',
      ICON,
      '1',
      [],
    ]);
    expect(Object.isFrozen(entry)).toBe(true);
    expect(await entry.isEnabled()).toBe(false);
    const api = await entry.enable();
    expect(await api.getNetworkId()).toBe(0);
    expect(await entry.isEnabled()).toBe(true);
    remove();
    expect(
      (window as unknown as { cardano: Record<string, unknown> }).cardano.trine,
    ).toBeUndefined();
    expect(() => injectCip30({ icon: 'https://evil.example/x.png' }, trine)).toThrow(
      new TypeError('icon must be a data:image/ URI'),
    );
  });
});

/** A Storage stand-in: what a reload keeps. */
function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    map: m,
  };
}

/** A fetch stand-in for the vault's public app config. */
function stubConfig(status: number, body: unknown = {}) {
  const urls: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    urls.push(String(url));
    return new Response(JSON.stringify(body), { status });
  });
  cleanup.push(() => vi.unstubAllGlobals());
  return urls;
}

describe('errors a dApp can act on', () => {
  it('an unknown app id is unknown_app (APIError Refused) within 1 s, from the public app config', async () => {
    installFrames(fakeWallet().handlers, { answer: false });
    const urls = stubConfig(404, { code: 'app_not_found' });
    const { trine } = trineWith({ checkApp: true, appId: 'nope' });
    const t0 = Date.now();
    expect(await caught(trine.enable())).toEqual({
      isError: false,
      code: -3,
      reason: 'unknown_app',
      info: 'the vault does not know this app id',
    });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(urls).toEqual(['https://wallet.example/v1/apps/nope']);
    // Nothing is left mounted: a later enable() starts with a fresh frame.
    expect(document.querySelector('iframe')).toBeNull();
  });

  it('a page origin the app does not allow is origin_not_allowed within 1 s', async () => {
    installFrames(fakeWallet().handlers, { answer: false });
    stubConfig(200, { id: 'dev', allowedOrigins: ['https://shop.example'] });
    const { trine } = trineWith({ checkApp: true });
    const t0 = Date.now();
    expect(await caught(trine.enable())).toMatchObject({
      code: -3,
      reason: 'origin_not_allowed',
    });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('an allowed origin passes the check; a vault without CORS / unreachable says nothing', async () => {
    installFrames(fakeWallet().handlers);
    stubConfig(200, { id: 'dev', allowedOrigins: [location.origin] });
    expect(await (await trineWith({ checkApp: true }).trine.enable()).getNetworkId()).toBe(0);
    installFrames(fakeWallet().handlers);
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const other = trineWith({ checkApp: true }).trine;
    expect(await (await other.enable()).getNetworkId()).toBe(0);
  });

  it('a frame that loads but never answers is frame_blocked (CSP / X-Frame-Options), not a 15 s timeout', async () => {
    installFrames(fakeWallet().handlers, { answer: false });
    const { trine } = trineWith({ frameTimeoutMs: 50 });
    const p = caught(trine.enable());
    const iframe = document.querySelector('iframe') as HTMLIFrameElement;
    iframe.dispatchEvent(new Event('load'));
    const t0 = Date.now();
    expect(await p).toMatchObject({ code: -3, reason: 'frame_blocked' });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('a wallet that answers pending is alive: load does not make it frame_blocked', async () => {
    installFrames(fakeWallet().handlers, { pendingOnly: true });
    const { trine } = trineWith({ frameTimeoutMs: 30, handshakeTimeoutMs: 300 });
    const p = caught(trine.enable());
    await new Promise((r) => setTimeout(r, 10));
    (document.querySelector('iframe') as HTMLIFrameElement).dispatchEvent(new Event('load'));
    // It stays pending past frameTimeoutMs; the handshake timeout decides in the end.
    expect(await p).toMatchObject({ code: -2, reason: 'timeout' });
  });

  it('the host page’s own CSP refusing the frame (securitypolicyviolation) is frame_blocked at once', async () => {
    installFrames(fakeWallet().handlers, { answer: false });
    const { trine } = trineWith({ frameTimeoutMs: 60_000 });
    const p = caught(trine.enable());
    const e = new Event('securitypolicyviolation') as Event & Record<string, unknown>;
    Object.assign(e, {
      effectiveDirective: 'frame-src',
      blockedURI: 'https://wallet.example/embed',
    });
    document.dispatchEvent(e);
    expect(await p).toMatchObject({ code: -3, reason: 'frame_blocked' });
    // A violation about another origin is not ours.
    const q = trineWith({ frameTimeoutMs: 60_000, handshakeTimeoutMs: 100 }).trine;
    const pq = caught(q.enable());
    Object.assign(e, { blockedURI: 'https://wallet.example.evil.test/embed' });
    document.dispatchEvent(e);
    expect(await pq).toMatchObject({ reason: 'timeout' });
  });
});

describe('session: isEnabled across reloads, disconnect, events', () => {
  it('isEnabled() is true after a reload once enabled, and false again after disconnect()', async () => {
    installFrames(fakeWallet().handlers);
    const storage = memoryStorage();
    const first = trineWith({ storage }).trine;
    expect(await first.isEnabled()).toBe(false);
    await first.enable();
    first.destroy(); // the page goes away
    installFrames(fakeWallet().handlers);
    // The reloaded page: a new SDK, nothing mounted yet, and CIP-30 isEnabled() says true.
    const second = trineWith({ storage }).trine;
    expect(await second.isEnabled()).toBe(true);
    expect(document.querySelector('iframe')).toBeNull();
    second.disconnect();
    expect(await second.isEnabled()).toBe(false);
    expect([...storage.map.keys()]).toEqual([]);
    // Another app or wallet origin never inherits the flag.
    installFrames(fakeWallet().handlers);
    await trineWith({ storage }).trine.enable();
    expect(await trineWith({ storage, appId: 'other' }).trine.isEnabled()).toBe(false);
  });

  it('disconnect(): the API goes stale, the iframe goes, listeners hear it; enable() connects again', async () => {
    installFrames(fakeWallet().handlers);
    const { trine } = trineWith();
    const api = await trine.enable();
    const heard: string[] = [];
    trine.on('disconnect', () => heard.push('disconnect'));
    trine.disconnect();
    expect(heard).toEqual(['disconnect']);
    expect(document.querySelector('iframe')).toBeNull();
    expect(await caught(api.getChangeAddress())).toMatchObject({
      code: -4,
      reason: 'account_changed',
    });
    installFrames(fakeWallet().handlers);
    const again = await trine.enable();
    expect(await again.getChangeAddress()).toBe(BASE_HEX);
  });

  it('on(accountChange) hears the wallet change; unsubscribe stops it; a throwing listener harms nothing', async () => {
    const frames = installFrames(fakeWallet().handlers);
    const { trine } = trineWith();
    await trine.enable();
    const seen: Array<string | null> = [];
    trine.on('accountChange', () => {
      throw new Error('listener bug');
    });
    const off = trine.on('accountChange', (w) => seen.push(w?.walletId ?? null));
    const wallet = await frames.ready;
    await wallet.call('walletChanged', { wallet: { ...WALLET, walletId: 'w2' } });
    await wallet.call('walletChanged', { wallet: null });
    off();
    await wallet.call('walletChanged', { wallet: { ...WALLET, walletId: 'w3' } });
    expect(seen).toEqual(['w2', null]);
  });
});

describe('strict host CSP (style-src self)', () => {
  it('adds no <style> element; the overlay is styled and hidden through CSSOM', async () => {
    const frames = installFrames(fakeWallet().handlers);
    const { trine } = trineWith();
    await trine.enable();
    expect(document.querySelectorAll('style')).toHaveLength(0);
    const overlay = document.querySelector('[data-trine=overlay]') as HTMLElement;
    expect(overlay.style.position).toBe('fixed');
    expect(overlay.style.display).toBe('none');
    const wallet = await frames.ready;
    await wallet.call('ui', { visible: true });
    expect(overlay.style.display).toBe('flex');
    await wallet.call('ui', { visible: false });
    expect(overlay.style.display).toBe('none');
  });
});
