import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHostEndpoint, createWalletEndpoint, type Handlers } from '../src/endpoint.ts';
import { ProtocolError } from '../src/errors.ts';
import {
  acceptHello,
  type HelloEvent,
  isOrigin,
  listenForHello,
  openHandshake,
} from '../src/handshake.ts';
import { helloMessage } from '../src/messages.ts';
import type { HostMethods, WalletMethods } from '../src/methods.ts';
import { hostileValues, WALLET } from './fixtures.ts';

const HOST = 'https://dapp.example';
const WALLET_ORIGIN = 'https://wallet.example';
const parent = { name: 'parent window' };
const stranger = { name: 'another window' };

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
  vi.useRealTimers();
});

function helloEvent(over: Partial<HelloEvent> = {}): {
  event: HelloEvent;
  port1: MessagePort;
  replies: Promise<unknown>;
} {
  const { port1, port2 } = new MessageChannel();
  cleanup.push(() => port1.close());
  const replies = new Promise<unknown>((resolve) => {
    port1.onmessage = (e) => resolve(e.data);
  });
  return {
    event: {
      source: parent,
      origin: HOST,
      data: helloMessage('dev', 'preprod'),
      ports: [port2],
      ...over,
    },
    port1,
    replies,
  };
}

const accept = (event: HelloEvent, ancestors?: string[] | null) =>
  acceptHello(event, [HOST, 'http://localhost:5173'], ancestors, { source: parent, appId: 'dev' });

const outcome = (r: ReturnType<typeof accept>) =>
  r.ok ? `ok ${r.origin} ${r.appId} ${r.network}` : `${r.error.code}: ${r.error.message}`;

describe('acceptHello (wallet side)', () => {
  it('accepts the parent, the right shape and an allowed origin, and answers ready on the port', async () => {
    const { event, replies } = helloEvent();
    const r = accept(event, [HOST]);
    expect(outcome(r)).toBe(`ok ${HOST} dev preprod`);
    expect(await replies).toEqual({ ns: 'trine', v: 1, type: 'ready' });
    if (r.ok) r.port.close();
  });

  it('refuses a sender that is not the parent window, silently (no reply)', async () => {
    const { event, port1 } = helloEvent({ source: stranger });
    const close = vi.spyOn(event.ports[0] as MessagePort, 'close');
    const post = vi.spyOn(event.ports[0] as MessagePort, 'postMessage');
    expect(outcome(accept(event))).toBe('origin_refused: hello must come from the parent window');
    expect(post).not.toHaveBeenCalled();
    expect(close).toHaveBeenCalled();
    port1.close();
  });

  it('checks source before shape before origin (STYLE.md §6)', () => {
    // Everything wrong: the source is reported.
    const all = helloEvent({
      source: stranger,
      origin: 'https://evil.example',
      data: { junk: true },
    });
    expect(outcome(accept(all.event))).toBe(
      'origin_refused: hello must come from the parent window',
    );
    // Right source, bad shape and bad origin: the shape is reported.
    const shape = helloEvent({
      origin: 'https://evil.example',
      data: { ...helloMessage('dev', 'preprod'), v: 2 },
    });
    expect(outcome(accept(shape.event))).toBe('unsupported_version: message.v must be 1');
  });

  it('refuses an origin that is not allowed, and says so on the port before closing it', async () => {
    const { event, replies } = helloEvent({ origin: 'https://evil.example' });
    expect(outcome(accept(event))).toBe('origin_refused: this site may not embed the wallet');
    expect(await replies).toEqual({
      ns: 'trine',
      v: 1,
      type: 'refused',
      error: { code: 'origin_refused', message: 'this site may not embed the wallet' },
    });
  });

  it('refuses the null origin even when "null" or "*" is in the allowed list', () => {
    const { event } = helloEvent({ origin: 'null' });
    expect(outcome(acceptHello(event, ['null', '*', HOST], undefined, { source: parent }))).toBe(
      'origin_refused: this site may not embed the wallet',
    );
    const star = helloEvent({ origin: 'https://any.example' });
    expect(outcome(acceptHello(star.event, ['*'], undefined, { source: parent }))).toBe(
      'origin_refused: this site may not embed the wallet',
    );
  });

  it('compares origins exactly (no prefix, case, port or scheme games)', () => {
    for (const origin of [
      'https://dapp.example.evil.example',
      'https://dapp.example:443x',
      'http://dapp.example',
      'https://dapp.example:8443',
      'https://DAPP.example',
      'https://dapp.example/',
    ]) {
      const { event } = helloEvent({ origin });
      expect(outcome(accept(event)), origin).toMatch(/^origin_refused/);
    }
  });

  it('refuses when location.ancestorOrigins[0] disagrees with event.origin', () => {
    const { event } = helloEvent();
    expect(outcome(accept(event, ['https://evil.example', HOST]))).toBe(
      'origin_refused: the embedding page does not match the sender',
    );
    // An empty list (browser without the API) falls back to event.origin alone.
    expect(outcome(accept(helloEvent().event, []))).toBe(`ok ${HOST} dev preprod`);
  });

  it('checks every ancestor: an allowed page framed by a foreign site is refused (issue 8 item 5)', async () => {
    // Attacker: evil.example frames the real dApp, which frames the wallet.
    const { event, replies } = helloEvent();
    expect(outcome(accept(event, [HOST, 'https://evil.example']))).toBe(
      'origin_refused: the app is framed by a site that is not allowed',
    );
    expect(await replies).toMatchObject({ type: 'refused', error: { code: 'origin_refused' } });
    // Deeper, and with a junk entry.
    expect(outcome(accept(helloEvent().event, [HOST, 'http://localhost:5173', 'null']))).toBe(
      'origin_refused: the app is framed by a site that is not allowed',
    );
    // Every ancestor allowed (the app framed by its own other origin): accepted.
    expect(outcome(accept(helloEvent().event, [HOST, 'http://localhost:5173']))).toBe(
      `ok ${HOST} dev preprod`,
    );
  });

  it('refuses a hello for another app, a hello without exactly one port, and an unframed wallet', () => {
    const other = helloEvent({ data: helloMessage('other', 'preprod') });
    expect(outcome(accept(other.event))).toBe('origin_refused: hello is for another app');
    const noPort = helloEvent({ ports: [] });
    expect(outcome(accept(noPort.event))).toBe(
      'invalid_message: hello must transfer exactly one port',
    );
    const unframed = helloEvent();
    expect(outcome(acceptHello(unframed.event, [HOST], null, { source: undefined }))).toBe(
      'origin_refused: the wallet is not framed',
    );
  });

  it('survives hostile events: always a coded outcome', () => {
    for (const data of hostileValues()) {
      const { event } = helloEvent({ data });
      const r = accept(event);
      expect(r.ok).toBe(false);
    }
    for (const bad of hostileValues()) {
      const r = acceptHello(bad as HelloEvent, [HOST], null, { source: parent });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.name).toBe('ProtocolError');
    }
  });
});

describe('isOrigin', () => {
  it('accepts serialized http(s) origins only', () => {
    expect([HOST, 'http://localhost:5173', 'http://127.0.0.1:8080'].map(isOrigin)).toEqual([
      true,
      true,
      true,
    ]);
    expect(
      [
        '*',
        'null',
        '',
        'https://a.example/',
        'https://a.example/path',
        'javascript:alert(1)',
        'file:///x',
        'HTTPS://A.EXAMPLE',
      ].map(isOrigin),
    ).toEqual([false, false, false, false, false, false, false, false]);
  });
});

/** A fake iframe contentWindow: delivers hellos to the wallet's listener as MessageEvents would. */
function fakeFrame(opts: { hostOrigin: string; walletOrigin: string; deliverAfter?: number }) {
  const listeners = new Set<(e: MessageEvent) => void>();
  const posted: Array<{ targetOrigin: string }> = [];
  let calls = 0;
  const target = {
    postMessage(message: unknown, targetOrigin: string, transfer: Transferable[]) {
      posted.push({ targetOrigin });
      calls++;
      // The browser drops a message whose targetOrigin does not match the frame's document.
      if (targetOrigin !== opts.walletOrigin) return;
      if (calls <= (opts.deliverAfter ?? 0)) return; // the wallet's listener is not up yet
      const event = {
        source: parent,
        origin: opts.hostOrigin,
        data: structuredClone(message),
        ports: transfer,
      } as unknown as MessageEvent;
      for (const l of [...listeners]) l(event);
    },
  };
  const walletWindow = {
    parent,
    location: { ancestorOrigins: [opts.hostOrigin] },
    addEventListener: (_: 'message', fn: (e: MessageEvent) => void) => listeners.add(fn),
    removeEventListener: (_: 'message', fn: (e: MessageEvent) => void) => listeners.delete(fn),
  };
  return { target, walletWindow, posted, listeners };
}

const walletHandlers: Handlers<WalletMethods> = {
  connect: () => ({ state: 'unlocked', wallet: WALLET }),
  createWallet: () => WALLET,
  signTx: () => ({ witnessSet: 'a0' }),
  signData: () => ({ signature: '84', key: 'a4' }),
  manage: () => ({ done: true }),
  lock: () => ({}),
};
const hostHandlers: Handlers<HostMethods> = {
  getToken: () => ({ token: 't' }),
  resolveInputs: () => ({ inputs: [] }),
  ui: () => ({}),
  walletChanged: () => ({}),
};

describe('openHandshake + listenForHello', () => {
  it('connects end to end, repeating the hello until the wallet listens; never posts to *', async () => {
    const frame = fakeFrame({ hostOrigin: HOST, walletOrigin: WALLET_ORIGIN, deliverAfter: 2 });
    const accepted: string[] = [];
    listenForHello({
      window: frame.walletWindow,
      allowedOrigins: [HOST],
      appId: 'dev',
      onAccept: (r) => {
        accepted.push(r.origin);
        const ep = createWalletEndpoint(r.port, walletHandlers);
        cleanup.push(() => ep.destroy());
      },
    });
    const host = await openHandshake({
      target: frame.target,
      walletOrigin: WALLET_ORIGIN,
      appId: 'dev',
      network: 'preprod',
      retryMs: 5,
      connect: (port) => createHostEndpoint(port, hostHandlers),
    });
    cleanup.push(() => host.destroy());
    expect(accepted).toEqual([HOST]);
    expect(frame.posted.length).toBeGreaterThanOrEqual(3);
    expect(frame.posted.every((p) => p.targetOrigin === WALLET_ORIGIN)).toBe(true);
    expect(frame.listeners.size).toBe(0); // first hello wins; the listener is gone
    expect(await host.call('connect', { network: 'preprod' })).toEqual({
      state: 'unlocked',
      wallet: WALLET,
    });
  });

  it('rejects with origin_refused when the wallet refuses the host origin', async () => {
    const frame = fakeFrame({ hostOrigin: 'https://evil.example', walletOrigin: WALLET_ORIGIN });
    const refused: string[] = [];
    const stop = listenForHello({
      window: frame.walletWindow,
      allowedOrigins: [HOST],
      onAccept: () => refused.push('accepted?!'),
      onRefuse: (e) => refused.push(e.code),
    });
    cleanup.push(stop);
    const r = openHandshake({
      target: frame.target,
      walletOrigin: WALLET_ORIGIN,
      appId: 'dev',
      network: 'preprod',
      connect: () => 'connected',
    });
    await expect(r).rejects.toMatchObject({
      name: 'ProtocolError',
      code: 'origin_refused',
      message: 'this site may not embed the wallet',
    });
    expect(refused[0]).toBe('origin_refused');
  });

  it('while the config loads the wallet answers pending (onAlive), then accepts the latest hello', async () => {
    const frame = fakeFrame({ hostOrigin: HOST, walletOrigin: WALLET_ORIGIN });
    let release: (o: readonly string[]) => void = () => {};
    const accepted: string[] = [];
    listenForHello({
      window: frame.walletWindow,
      allowedOrigins: new Promise((r) => {
        release = r;
      }),
      appId: 'dev',
      onAccept: (r) => {
        accepted.push(r.origin);
        const ep = createWalletEndpoint(r.port, walletHandlers);
        cleanup.push(() => ep.destroy());
      },
    });
    let alive = 0;
    const host = openHandshake({
      target: frame.target,
      walletOrigin: WALLET_ORIGIN,
      appId: 'dev',
      network: 'preprod',
      retryMs: 5,
      onAlive: () => alive++,
      connect: (port) => createHostEndpoint(port, hostHandlers),
    });
    await new Promise((r) => setTimeout(r, 40));
    expect(alive).toBe(1);
    expect(accepted).toEqual([]);
    release([HOST]);
    const ep = await host;
    cleanup.push(() => ep.destroy());
    expect(accepted).toEqual([HOST]);
    expect(alive).toBe(1);
  });

  it('a config that fails (unknown app) is the refusal of every hello, with its code', async () => {
    const frame = fakeFrame({ hostOrigin: HOST, walletOrigin: WALLET_ORIGIN });
    const refused: string[] = [];
    const stop = listenForHello({
      window: frame.walletWindow,
      allowedOrigins: Promise.reject(new ProtocolError('unknown_app', 'no such app')),
      onAccept: () => refused.push('accepted?!'),
      onRefuse: (e) => refused.push(e.code),
    });
    cleanup.push(stop);
    const started = Date.now();
    await expect(
      openHandshake({
        target: frame.target,
        walletOrigin: WALLET_ORIGIN,
        appId: 'dev',
        network: 'preprod',
        retryMs: 5,
        connect: () => 'connected',
      }),
    ).rejects.toMatchObject({ code: 'unknown_app', message: 'no such app' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(refused[0]).toBe('unknown_app');
  });

  it('onSend gives a function that posts a hello at once (not at the next retry)', async () => {
    const frame = fakeFrame({ hostOrigin: HOST, walletOrigin: 'https://other.example' });
    const ctl = new AbortController();
    let now: (() => void) | undefined;
    const r = openHandshake({
      target: frame.target,
      walletOrigin: WALLET_ORIGIN,
      appId: 'dev',
      network: 'preprod',
      retryMs: 60_000,
      signal: ctl.signal,
      onSend: (f) => {
        now = f;
      },
      connect: () => 'connected',
    }).catch((e: unknown) => e);
    expect(frame.posted).toHaveLength(1);
    now?.();
    now?.();
    expect(frame.posted).toHaveLength(3);
    ctl.abort(new ProtocolError('destroyed', 'done'));
    await r;
    now?.(); // after the end: nothing more is posted
    expect(frame.posted).toHaveLength(3);
  });

  it('an aborted handshake rejects with the abort reason and stops repeating', async () => {
    const frame = fakeFrame({ hostOrigin: HOST, walletOrigin: 'https://other.example' });
    const ctl = new AbortController();
    const r = openHandshake({
      target: frame.target,
      walletOrigin: WALLET_ORIGIN,
      appId: 'dev',
      network: 'preprod',
      retryMs: 5,
      signal: ctl.signal,
      connect: () => 'connected',
    });
    ctl.abort(new ProtocolError('frame_blocked', 'blocked'));
    await expect(r).rejects.toMatchObject({ code: 'frame_blocked' });
    const n = frame.posted.length;
    await new Promise((res) => setTimeout(res, 30));
    expect(frame.posted.length).toBe(n);
  });

  it('times out when nothing answers (wrong wallet origin: the hello is dropped)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const frame = fakeFrame({ hostOrigin: HOST, walletOrigin: 'https://other-wallet.example' });
    const r = openHandshake({
      target: frame.target,
      walletOrigin: WALLET_ORIGIN,
      appId: 'dev',
      network: 'preprod',
      timeoutMs: 1000,
      retryMs: 100,
      connect: () => 'connected',
    });
    const settled = r.catch((e) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await settled).toMatchObject({
      code: 'timeout',
      message: 'the wallet did not answer within 1000 ms',
    });
    expect(frame.posted.length).toBe(10);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a walletOrigin that is not an origin ("*" included)', async () => {
    for (const walletOrigin of ['*', 'null', 'https://wallet.example/embed']) {
      await expect(
        openHandshake({
          target: { postMessage: () => {} },
          walletOrigin,
          appId: 'dev',
          network: 'preprod',
          connect: () => 1,
        }),
      ).rejects.toMatchObject({ code: 'invalid_params' });
    }
  });
});
