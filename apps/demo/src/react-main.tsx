/**
 * @module react-main — the React page of the demo (`/react.html`): the same wallet through
 * @trine/web3-react — `<TrineProvider>`, `<ConnectButton>` (unstyled: it takes this page's
 * stylesheet), `useTrine()` and `useCip30()`. `?user=` names the dev-issuer user; the other
 * query parameters are the main page's.
 */
import { ConnectButton, TrineProvider, useCip30, useTrine } from '@trine/web3-react';
import { createMemoryChainProvider } from '@trine/web3-sdk/memory';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { readConfig } from './config.ts';

const config = readConfig(location.search, location.origin);
const user = new URLSearchParams(location.search).get('user') ?? 'react-demo-user';
const chain = createMemoryChainProvider();

async function getToken(): Promise<string> {
  const r = await fetch(config.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: user }),
  });
  const body = (await r.json()) as { token?: unknown };
  if (typeof body.token !== 'string') throw new Error('no token');
  return body.token;
}

function Wallet() {
  const { status, address, error } = useTrine();
  const api = useCip30();
  const [networkId, setNetworkId] = useState<number | null>(null);
  useEffect(() => {
    if (api) void api.getNetworkId().then(setNetworkId);
  }, [api]);
  return (
    <dl className="kv">
      <dt>Status</dt>
      <dd id="react-status">{status}</dd>
      <dt>Address</dt>
      <dd id="react-address" className="mono">
        {address ?? '—'}
      </dd>
      <dt>Network id (CIP-30 getNetworkId)</dt>
      <dd id="react-network-id">{networkId ?? '—'}</dd>
      <dt>Error reason</dt>
      <dd id="react-error">{error?.reason ?? '—'}</dd>
    </dl>
  );
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <TrineProvider
      options={{
        walletUrl: config.walletUrl,
        appId: config.appId,
        network: config.network,
        getToken,
        chainProvider: chain,
        handshakeTimeoutMs: config.handshakeTimeoutMs,
      }}
    >
      <main>
        <h1>Trine React demo</h1>
        <ConnectButton />
        <Wallet />
      </main>
    </TrineProvider>,
  );
}
