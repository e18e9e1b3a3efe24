import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHostEndpoint, createWalletEndpoint, type Handlers } from '../src/endpoint.ts';
import { ProtocolError } from '../src/errors.ts';
import { requestMessage } from '../src/messages.ts';
import type { HostMethods, WalletMethods } from '../src/methods.ts';
import { BASE_TEST, hostileValues, TX_HASH, WALLET } from './fixtures.ts';

const walletHandlers = (over: Partial<Handlers<WalletMethods>> = {}): Handlers<WalletMethods> => ({
  connect: () => ({ state: 'unlocked', wallet: WALLET }),
  createWallet: () => WALLET,
  signTx: ({ tx }) => ({ witnessSet: `a1${tx.slice(0, 2)}` }),
  signData: () => ({ signature: '84', key: 'a4' }),
  manage: () => ({ done: true }),
  lock: () => ({}),
  ...over,
});
const hostHandlers = (over: Partial<Handlers<HostMethods>> = {}): Handlers<HostMethods> => ({
  getToken: () => ({ token: 'jwt.token.sig' }),
  resolveInputs: ({ inputs }) => ({
    inputs: inputs.map((i) => ({ ...i, address: BASE_TEST, value: { lovelace: '1' } })),
  }),
  ui: () => ({}),
  walletChanged: () => ({}),
  ...over,
});

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
  vi.useRealTimers();
});

function pair(
  w: Partial<Handlers<WalletMethods>> = {},
  h: Partial<Handlers<HostMethods>> = {},
  timeoutMs = 2000,
) {
  const { port1, port2 } = new MessageChannel();
  const host = createHostEndpoint(port1, hostHandlers(h), { timeoutMs, userTimeoutMs: timeoutMs });
  const wallet = createWalletEndpoint(port2, walletHandlers(w), {
    timeoutMs,
    userTimeoutMs: timeoutMs,
  });
  cleanup.push(() => {
    host.destroy();
    wallet.destroy();
  });
  return { host, wallet };
}

/** A raw port facing an endpoint, to send arbitrary data and read replies. */
function raw(w: Partial<Handlers<WalletMethods>> = {}) {
  const { port1, port2 } = new MessageChannel();
  const wallet = createWalletEndpoint(port2, walletHandlers(w));
  const replies: unknown[] = [];
  const waiters: Array<() => void> = [];
  port1.onmessage = (e) => {
    replies.push(e.data);
    waiters.shift()?.();
  };
  cleanup.push(() => {
    wallet.destroy();
    port1.close();
  });
  const next = () =>
    new Promise<unknown>((resolve) => {
      const n = replies.length;
      if (n > 0) resolve(replies.shift());
      else waiters.push(() => resolve(replies.shift()));
    });
  return { port: port1, wallet, next, replies };
}

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: ProtocolError) => `${e.name}/${e.code}: ${e.message}`,
  );

describe('endpoint round trips', () => {
  it('the host calls every wallet method and gets validated results', async () => {
    const { host } = pair();
    expect(await host.call('connect', { network: 'preprod' })).toEqual({
      state: 'unlocked',
      wallet: WALLET,
    });
    expect(await host.call('createWallet', {})).toEqual(WALLET);
    expect(await host.call('signTx', { tx: '84a0', partialSign: false })).toEqual({
      witnessSet: 'a184',
    });
    expect(await host.call('signData', { address: BASE_TEST, payload: '' })).toEqual({
      signature: '84',
      key: 'a4',
    });
    expect(await host.call('manage', { flow: 'export' })).toEqual({ done: true });
    expect(await host.call('lock', {})).toEqual({});
  });

  it('the wallet calls every host method over the same port', async () => {
    const { wallet } = pair();
    expect(await wallet.call('getToken', {})).toEqual({ token: 'jwt.token.sig' });
    expect(await wallet.call('resolveInputs', { inputs: [{ txHash: TX_HASH, index: 1 }] })).toEqual(
      {
        inputs: [{ txHash: TX_HASH, index: 1, address: BASE_TEST, value: { lovelace: '1' } }],
      },
    );
    expect(await wallet.call('ui', { visible: true })).toEqual({});
    expect(await wallet.call('walletChanged', { wallet: null })).toEqual({});
  });

  it('many concurrent calls in both directions each get their own answer', async () => {
    const { host, wallet } = pair({ signTx: async ({ tx }) => ({ witnessSet: tx }) });
    const txs = Array.from({ length: 40 }, (_, i) => (i + 16).toString(16).padStart(4, '0'));
    const [a, b] = await Promise.all([
      Promise.all(txs.map((tx) => host.call('signTx', { tx, partialSign: true }))),
      Promise.all(txs.map(() => wallet.call('getToken', {}))),
    ]);
    expect(a.map((r) => r.witnessSet)).toEqual(txs);
    expect(b).toHaveLength(40);
  });

  it('a handler calling back to the peer (signTx → resolveInputs) works', async () => {
    let walletEp: ReturnType<typeof pair>['wallet'] | undefined;
    const { host, wallet } = pair({
      signTx: async () => {
        const r = await walletEp!.call('resolveInputs', {
          inputs: [{ txHash: TX_HASH, index: 0 }],
        });
        return { witnessSet: r.inputs.length === 1 ? 'a0' : 'a1' };
      },
    });
    walletEp = wallet;
    expect(await host.call('signTx', { tx: '84', partialSign: false })).toEqual({
      witnessSet: 'a0',
    });
  });
});

describe('errors', () => {
  it('a handler’s ProtocolError crosses as {code, message}', async () => {
    const { host } = pair({
      signTx: () => {
        throw new ProtocolError('user_declined', 'the user declined');
      },
    });
    expect(await codeOf(host.call('signTx', { tx: '84', partialSign: false }))).toBe(
      'ProtocolError/user_declined: the user declined',
    );
  });

  it('any other thrown value becomes internal, with a fixed message (no leak)', async () => {
    const { host } = pair({
      signData: () => {
        throw new Error('secret share 0xdeadbeef in a stack');
      },
      lock: async () => {
        throw 'a string';
      },
    });
    expect(await codeOf(host.call('signData', { address: BASE_TEST, payload: 'aa' }))).toBe(
      'ProtocolError/internal: internal error',
    );
    expect(await codeOf(host.call('lock', {}))).toBe('ProtocolError/internal: internal error');
  });

  it('a handler result that breaks the contract is refused before it leaves (internal)', async () => {
    const { host } = pair({
      signTx: () => ({ witnessSet: 'not hex' }) as never,
      createWallet: () => ({ ...WALLET, addresses: { ...WALLET.addresses, baseHex: 'zz' } }),
    });
    expect(await codeOf(host.call('signTx', { tx: '84', partialSign: false }))).toBe(
      'ProtocolError/internal: signTx produced an invalid result: result.witnessSet must be even-length hex',
    );
    expect(await codeOf(host.call('createWallet', {}))).toMatch(
      /^ProtocolError\/internal: createWallet produced an invalid result/,
    );
  });

  it('a handler result is stripped of unknown fields before it leaves', async () => {
    const seen: unknown[] = [];
    const { port1, port2 } = new MessageChannel();
    createWalletEndpoint(
      port2,
      walletHandlers({ signTx: () => ({ witnessSet: 'a0', privateKey: 'ff' }) as never }),
    );
    await new Promise<void>((resolve) => {
      port1.onmessage = (e) => {
        seen.push(e.data);
        resolve();
      };
      port1.postMessage(requestMessage('q1', 'signTx', { tx: '84', partialSign: false }));
    });
    port1.close();
    expect(seen).toEqual([{ ns: 'trine', v: 1, id: 'q1', result: { witnessSet: 'a0' } }]);
  });

  it('calls are validated before they are sent', async () => {
    const { host } = pair();
    expect(await codeOf(host.call('signTx', { tx: 'xyz', partialSign: false }))).toBe(
      'ProtocolError/invalid_params: signTx: params.tx must be even-length hex',
    );
    expect(await codeOf(host.call('nope' as 'lock', {}))).toBe(
      'ProtocolError/unknown_method: unknown method nope',
    );
  });

  it('a peer answering with a malformed result rejects the call with invalid_message', async () => {
    const { port1, port2 } = new MessageChannel();
    const host = createHostEndpoint(port1, hostHandlers());
    cleanup.push(() => host.destroy());
    port2.onmessage = (e) =>
      port2.postMessage({ ns: 'trine', v: 1, id: e.data.id, result: { state: 'maybe' } });
    cleanup.push(() => port2.close());
    expect(await codeOf(host.call('connect', { network: 'preprod' }))).toBe(
      'ProtocolError/invalid_message: result.state must be one of none, unverified, locked, unlocked',
    );
  });

  it('an unverified connect carries no wallet: addresses smuggled beside it are dropped', async () => {
    const { port1, port2 } = new MessageChannel();
    const host = createHostEndpoint(port1, hostHandlers());
    cleanup.push(() => host.destroy());
    port2.onmessage = (e) =>
      port2.postMessage({
        ns: 'trine',
        v: 1,
        id: e.data.id,
        result: { state: 'unverified', wallet: WALLET },
      });
    cleanup.push(() => port2.close());
    expect(await host.call('connect', { network: 'preprod' })).toEqual({ state: 'unverified' });
  });
});

describe('malformed and unknown messages', () => {
  it('get an error reply when they carry a usable id, and the endpoint keeps answering', async () => {
    const { port, next } = raw();
    port.postMessage({ ns: 'trine', v: 1, id: 'm1', method: 'transfer', params: {} });
    expect(await next()).toEqual({
      ns: 'trine',
      v: 1,
      id: 'm1',
      error: { code: 'unknown_method', message: 'unknown method "transfer"' },
    });
    port.postMessage({ ns: 'trine', v: 2, id: 'm2', method: 'lock', params: {} });
    expect(await next()).toEqual({
      ns: 'trine',
      v: 1,
      id: 'm2',
      error: { code: 'unsupported_version', message: 'message.v must be 1' },
    });
    port.postMessage({ ns: 'trine', v: 1, id: 'm3', method: 'connect', params: { network: 'x' } });
    expect(await next()).toMatchObject({ id: 'm3', error: { code: 'invalid_params' } });
    port.postMessage({ ns: 'trine', v: 1, id: 'm4' });
    expect(await next()).toMatchObject({ id: 'm4', error: { code: 'invalid_message' } });
    port.postMessage('garbage without id');
    port.postMessage(requestMessage('m5', 'lock', {}));
    expect(await next()).toEqual({ ns: 'trine', v: 1, id: 'm5', result: {} });
  });

  it('ignores responses nobody waits for (no reply loops)', async () => {
    const { port, next, replies } = raw();
    port.postMessage({ ns: 'trine', v: 1, id: 'zz', result: {} });
    port.postMessage({ ns: 'trine', v: 1, id: 'zy', error: { code: 'internal', message: '' } });
    port.postMessage(requestMessage('m6', 'lock', {}));
    expect(await next()).toMatchObject({ id: 'm6', result: {} });
    expect(replies).toEqual([]);
  });

  it('refuses more than MAX_INFLIGHT concurrent requests with too_many_requests', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { port, next } = raw({
      lock: async () => {
        await gate;
        return {};
      },
    });
    for (let i = 0; i < 65; i++) port.postMessage(requestMessage(`b${i}`, 'lock', {}));
    expect(await next()).toMatchObject({ id: 'b64', error: { code: 'too_many_requests' } });
    release();
    expect(await next()).toMatchObject({ id: 'b0', result: {} });
  });

  it('property: random and hostile messages never break the endpoint', async () => {
    const { port, next } = raw();
    const samples = fc.sample(
      fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }),
      300,
    );
    const cloneable = [...samples, ...hostileValues()].filter((v) => {
      try {
        structuredClone(v);
        return true;
      } catch {
        return false;
      }
    });
    expect(cloneable.length).toBeGreaterThan(250);
    let k = 0;
    for (const v of cloneable) {
      port.postMessage(v);
      if (++k % 50 === 0) {
        port.postMessage(requestMessage(`alive${k}`, 'lock', {}));
        let reply: unknown;
        do reply = await next();
        while ((reply as { id?: string }).id !== `alive${k}`);
        expect(reply).toEqual({ ns: 'trine', v: 1, id: `alive${k}`, result: {} });
      }
    }
  });
});

describe('timeouts and teardown', () => {
  it('a call with no reply rejects with timeout; a reply clears its timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { port1, port2 } = new MessageChannel();
    const host = createHostEndpoint(port1, hostHandlers(), {
      timeoutMs: 1000,
      userTimeoutMs: 5000,
    });
    cleanup.push(() => {
      host.destroy();
      port2.close();
    });
    const got: unknown[] = [];
    port2.onmessage = (e) => got.push(e.data);
    const lock = codeOf(host.call('lock', {}));
    const sign = codeOf(host.call('signTx', { tx: '84', partialSign: false }));
    const custom = codeOf(host.call('lock', {}, { timeoutMs: 10 }));
    await vi.advanceTimersByTimeAsync(10);
    expect(await custom).toBe('ProtocolError/timeout: lock timed out after 10 ms');
    await vi.advanceTimersByTimeAsync(990);
    expect(await lock).toBe('ProtocolError/timeout: lock timed out after 1000 ms');
    await vi.advanceTimersByTimeAsync(4000);
    expect(await sign).toBe('ProtocolError/timeout: signTx timed out after 5000 ms');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('answered calls leave no timer behind', async () => {
    const { host } = pair();
    const spy = vi.spyOn(globalThis, 'clearTimeout');
    await host.call('lock', {});
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });

  it('destroy() rejects everything pending with destroyed, closes the port, and refuses later calls', async () => {
    const { port1, port2 } = new MessageChannel();
    const host = createHostEndpoint(port1, hostHandlers());
    const close = vi.spyOn(port1, 'close');
    port2.onmessage = () => {};
    const a = codeOf(host.call('connect', { network: 'preprod' }));
    const b = codeOf(host.call('signTx', { tx: '84', partialSign: false }));
    host.destroy();
    host.destroy();
    expect(await a).toBe('ProtocolError/destroyed: the connection was closed');
    expect(await b).toBe('ProtocolError/destroyed: the connection was closed');
    expect(close).toHaveBeenCalledTimes(1);
    expect(host.destroyed).toBe(true);
    expect(await codeOf(host.call('lock', {}))).toBe(
      'ProtocolError/destroyed: the connection is closed',
    );
    port2.close();
  });

  it('a late reply after a timeout is ignored', async () => {
    const { port1, port2 } = new MessageChannel();
    const host = createHostEndpoint(port1, hostHandlers());
    cleanup.push(() => {
      host.destroy();
      port2.close();
    });
    let id = '';
    port2.onmessage = (e) => {
      id = e.data.id;
    };
    expect(await codeOf(host.call('lock', {}, { timeoutMs: 5 }))).toMatch(/timeout/);
    port2.postMessage({ ns: 'trine', v: 1, id, result: {} });
    port2.postMessage({ ns: 'trine', v: 1, id: 'x', method: 'ui', params: { visible: false } });
    const reply = await new Promise((r) => {
      port2.onmessage = (e) => r(e.data);
    });
    expect(reply).toEqual({ ns: 'trine', v: 1, id: 'x', result: {} });
  });
});
