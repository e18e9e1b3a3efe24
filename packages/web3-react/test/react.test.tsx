/**
 * The bindings with React Testing Library in happy-dom. The Trine instance is a stand-in
 * with the SDK's interface (a real one needs the wallet iframe, which the SDK's own tests
 * and the e2e suite drive); what is tested here is the binding: state, events, SSR.
 */

import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { Cip30Api, Trine, TrineEvents } from '@trine/web3-sdk';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectButton, TrineProvider, useCip30, useTrine } from '../src/index.tsx';

afterEach(cleanup);

const ADDR =
  'addr_test1qz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgs68faae';
const WALLET = {
  walletId: 'w1',
  network: 'preprod' as const,
  networkId: 0 as const,
  addresses: { base: ADDR, reward: 'stake_test1x', baseHex: '00', rewardHex: 'e0' },
};

function fakeTrine(o: { enabled?: boolean; fail?: object } = {}) {
  const listeners = new Map<string, Set<(v: unknown) => void>>();
  let wallet: typeof WALLET | null = null;
  let enabled = o.enabled ?? false;
  const calls: string[] = [];
  const api = { getNetworkId: async () => 0 } as unknown as Cip30Api;
  const emit = (e: keyof TrineEvents, v: unknown) => {
    for (const f of listeners.get(e) ?? []) f(v);
  };
  const trine: Trine = {
    enable: async () => {
      calls.push('enable');
      if (o.fail) throw o.fail;
      wallet = WALLET;
      enabled = true;
      return api;
    },
    isEnabled: async () => enabled,
    manage: async () => ({ done: true }),
    get wallet() {
      return wallet;
    },
    disconnect: () => {
      calls.push('disconnect');
      wallet = null;
      enabled = false;
      emit('disconnect', undefined);
    },
    on: (e, f) => {
      const set = listeners.get(e) ?? new Set();
      listeners.set(e, set);
      set.add(f as (v: unknown) => void);
      return () => set.delete(f as (v: unknown) => void);
    },
    destroy: () => calls.push('destroy'),
  };
  return { trine, calls, emit, api };
}

function Status() {
  const t = useTrine();
  const api = useCip30();
  return (
    <p data-testid="s">
      {`${t.status} ${t.address ?? '-'} ${t.network} ${t.error?.reason ?? '-'} ${api ? 'api' : 'no-api'}`}
    </p>
  );
}

const text = () => screen.getByTestId('s').textContent;

describe('TrineProvider + useTrine + ConnectButton', () => {
  it('idle → connecting → connected with the address; the button disconnects', async () => {
    const f = fakeTrine();
    render(
      <TrineProvider trine={f.trine}>
        <Status />
        <ConnectButton className="host-btn" />
      </TrineProvider>,
    );
    expect(text()).toBe('idle - preprod - no-api');
    const button = screen.getByRole('button', { name: 'Connect wallet' });
    expect(button.className).toBe('host-btn');
    expect(button.getAttribute('style')).toBeNull(); // no styles of its own: the host's theme
    await act(async () => {
      fireEvent.click(button);
    });
    expect(text()).toBe(`connected ${ADDR} preprod - api`);
    const connected = screen.getByRole('button', { name: /^Disconnect addr_test1qz…68faae$/ });
    expect(connected.dataset.status).toBe('connected');
    await act(async () => {
      fireEvent.click(connected);
    });
    expect(f.calls).toEqual(['enable', 'disconnect']);
    expect(text()).toBe('idle - preprod - no-api');
  });

  it('a failure is status error with the SDK’s reason; the button offers a retry', async () => {
    const f = fakeTrine({ fail: { code: -3, info: 'no', reason: 'origin_not_allowed' } });
    render(
      <TrineProvider trine={f.trine}>
        <Status />
        <ConnectButton />
      </TrineProvider>,
    );
    await act(async () => {
      fireEvent.click(screen.getByRole('button'));
    });
    expect(text()).toBe('error - preprod origin_not_allowed no-api');
    expect(screen.getByRole('button').textContent).toBe('Connect wallet (retry)');
    expect(screen.getByRole('button').dataset.reason).toBe('origin_not_allowed');
  });

  it('reconnects on mount when this site was enabled before (isEnabled after a reload)', async () => {
    const f = fakeTrine({ enabled: true });
    await act(async () => {
      render(
        <TrineProvider trine={f.trine}>
          <Status />
        </TrineProvider>,
      );
    });
    expect(f.calls).toEqual(['enable']);
    expect(text()).toBe(`connected ${ADDR} preprod - api`);
  });

  it('autoConnect={false} waits for the user', async () => {
    const f = fakeTrine({ enabled: true });
    await act(async () => {
      render(
        <TrineProvider trine={f.trine} autoConnect={false}>
          <Status />
        </TrineProvider>,
      );
    });
    expect(f.calls).toEqual([]);
  });

  it('an account change reconnects; a deleted wallet (null) goes idle', async () => {
    const f = fakeTrine();
    render(
      <TrineProvider trine={f.trine}>
        <Status />
        <ConnectButton />
      </TrineProvider>,
    );
    await act(async () => {
      fireEvent.click(screen.getByRole('button'));
    });
    await act(async () => {
      f.emit('accountChange', WALLET);
    });
    expect(f.calls).toEqual(['enable', 'enable']);
    await act(async () => {
      f.emit('accountChange', null);
    });
    expect(text()).toBe('idle - preprod - no-api');
  });

  it('destroys the SDK it created on unmount, never one it was given', () => {
    const given = fakeTrine();
    const r = render(<TrineProvider trine={given.trine} />);
    r.unmount();
    expect(given.calls).toEqual([]);
    const made = render(
      <TrineProvider
        options={{
          walletUrl: 'https://wallet.example',
          appId: 'dev',
          network: 'preview',
          getToken: () => 't',
          chainProvider: {
            getUtxos: async () => [],
            getProtocolParameters: async () => ({}),
            submitTx: async () => '',
          },
          storage: null,
        }}
      >
        <Status />
      </TrineProvider>,
    );
    expect(text()).toBe('idle - preview - no-api');
    made.unmount();
    expect(document.querySelector('iframe')).toBeNull();
  });

  it('useTrine outside a provider is a clear error', () => {
    expect(() => render(<Status />)).toThrow('useTrine() must be used inside <TrineProvider>');
  });

  it('renders on the server (SSR): no window needed, status idle', () => {
    const html = renderToString(
      <TrineProvider trine={fakeTrine().trine}>
        <Status />
        <ConnectButton />
      </TrineProvider>,
    );
    expect(html).toContain('idle - preprod - no-api');
    expect(html).toContain('Connect wallet');
  });
});
