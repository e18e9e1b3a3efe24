/**
 * @module host-link — the wallet's side of the host connection: validate the handshake
 * against the app's allowed origins (@trine/protocol/handshake), then serve the wallet
 * methods and call the host's over the transferred MessagePort (@trine/protocol/endpoint).
 */
import { createWalletEndpoint, type Endpoint, type Handlers } from '@trine/protocol/endpoint';
import type { ProtocolError } from '@trine/protocol/errors';
import { listenForHello } from '@trine/protocol/handshake';
import type { HostMethods, Network, WalletMethods } from '@trine/protocol/methods';
import type { HostLink } from './context.ts';

export interface Connected {
  origin: string;
  network: Network;
  endpoint: Endpoint<HostMethods>;
}

/**
 * Waits for the first valid hello from the parent window whose origin is allowed (and,
 * where the browser has `location.ancestorOrigins`, whose every ancestor is allowed), then
 * serves `handlers(…)` on its port. `allowedOrigins` may still be loading: the host hears
 * `pending` meanwhile, and a rejection (unknown_app, vault_unavailable) is its refusal.
 */
export function acceptHost(options: {
  appId: string;
  allowedOrigins: readonly string[] | Promise<readonly string[]>;
  handlers: (link: Connected) => Handlers<WalletMethods>;
  onRefuse?: (error: ProtocolError) => void;
}): Promise<Connected> {
  return new Promise((resolve) => {
    const listen = {
      allowedOrigins: options.allowedOrigins,
      appId: options.appId,
      onAccept: ({
        port,
        origin,
        network,
      }: {
        port: MessagePort;
        origin: string;
        network: Network;
      }) => {
        const link = { origin, network } as Connected;
        let served: Handlers<WalletMethods> | undefined;
        // The endpoint needs the handlers and the handlers need the endpoint: late-bind.
        const proxy = new Proxy({} as Handlers<WalletMethods>, {
          get: (_t, key) => (served ? served[key as keyof WalletMethods] : undefined),
        });
        link.endpoint = createWalletEndpoint(port, proxy);
        served = options.handlers(link);
        resolve(link);
      },
    };
    listenForHello(options.onRefuse ? { ...listen, onRefuse: options.onRefuse } : listen);
  });
}

/** The HostLink flows use, over the endpoint. */
export function hostLink(endpoint: Endpoint<HostMethods>): HostLink {
  return {
    ui: async (visible) => {
      await endpoint.call('ui', { visible });
    },
    resolveInputs: async (inputs) => (await endpoint.call('resolveInputs', { inputs })).inputs,
    walletChanged: async (wallet) => {
      await endpoint.call('walletChanged', { wallet });
    },
  };
}
