/**
 * @module host-link — the wallet's side of the host connection: validate the handshake
 * against the app's allowed origins (@trine/protocol/handshake), then serve the wallet
 * methods and call the host's over the transferred MessagePort (@trine/protocol/endpoint).
 */
import { createWalletEndpoint, type Endpoint, type Handlers } from '@trine/protocol/endpoint';
import type { ProtocolError } from '@trine/protocol/errors';
import { acceptHello, listenForHello } from '@trine/protocol/handshake';
import type { HostMethods, Network, WalletMethods } from '@trine/protocol/methods';
import type { HostLink } from './context.ts';

export interface Connected {
  origin: string;
  network: Network;
  endpoint: Endpoint<HostMethods>;
}

/**
 * Holds the latest hello-like message from the parent window while the wallet still loads
 * its app config (the host repeats its hello every 250 ms: without this, the first one is
 * lost and the handshake waits for the next). Only the parent's messages carrying one
 * port are kept, and only the latest (older ports are closed); nothing is answered or
 * trusted here: `acceptHost` validates the held message exactly like a live one.
 */
export function holdHello(): { take(): MessageEvent | undefined } {
  let held: MessageEvent | undefined;
  let taken = false;
  const onMessage = (event: MessageEvent) => {
    if (event.source !== window.parent || event.ports.length !== 1) return;
    if (held) for (const port of held.ports) port.close();
    held = event;
  };
  addEventListener('message', onMessage);
  return {
    take: () => {
      if (!taken) removeEventListener('message', onMessage);
      taken = true;
      const e = held;
      held = undefined;
      return e;
    },
  };
}

/**
 * Waits for the first valid hello from the parent window whose origin is allowed (and
 * matches `location.ancestorOrigins[0]` where the browser has it), then serves
 * `handlers(…)` on its port.
 */
export function acceptHost(options: {
  appId: string;
  allowedOrigins: readonly string[];
  handlers: (link: Connected) => Handlers<WalletMethods>;
  onRefuse?: (error: ProtocolError) => void;
  /** A hello that arrived before the config (holdHello): checked first, like a live one. */
  held?: MessageEvent | undefined;
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
    if (options.held) {
      const r = acceptHello(options.held, options.allowedOrigins, location.ancestorOrigins, {
        appId: options.appId,
      });
      if (r.ok) {
        listen.onAccept(r);
        return;
      }
      options.onRefuse?.(r.error);
    }
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
