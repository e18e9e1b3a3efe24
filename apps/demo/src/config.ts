/**
 * @module config — where the demo finds the wallet and its token: query parameters with
 * loopback defaults (`npm start` serves the wallet and vault on http://127.0.0.1:8787 and
 * this page on http://localhost:5173: two different sites).
 *
 * `?wallet=` wallet (= vault) origin · `?token=` token endpoint (default: this page's
 * `/dev/token`, which the demo server relays to the vault's dev issuer) · `?app=` app id ·
 * `?network=` preprod | preview · `?handshakeMs=` handshake timeout.
 */

export type DemoNetwork = 'preprod' | 'preview';

export interface DemoConfig {
  walletUrl: string;
  tokenUrl: string;
  appId: string;
  network: DemoNetwork;
  handshakeTimeoutMs: number;
}

export const DEFAULT_WALLET_URL = 'http://127.0.0.1:8787';

/** Reads the config from `search` (location.search) relative to `origin`. */
export function readConfig(search: string, origin: string): DemoConfig {
  const q = new URLSearchParams(search);
  const network = q.get('network') === 'preview' ? 'preview' : 'preprod';
  const ms = Number(q.get('handshakeMs') ?? 15_000);
  return {
    walletUrl: (q.get('wallet') ?? DEFAULT_WALLET_URL).replace(/\/+$/, ''),
    tokenUrl: new URL(q.get('token') ?? '/dev/token', origin).href,
    appId: q.get('app') ?? 'dev',
    network,
    handshakeTimeoutMs: Number.isFinite(ms) && ms >= 1000 ? ms : 15_000,
  };
}
