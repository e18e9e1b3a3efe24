/**
 * @module main — boot of `embed.html` (the page the SDK frames at
 * `{walletUrl}/embed?app={appId}`): read the app id, load the app's public config from
 * the vault (same origin), accept the host's handshake only from an allowed origin, then
 * serve its calls. No secret is ever logged, put in a URL or posted to the host.
 */
import type { Handlers } from '@trine/protocol/endpoint';
import { isProtocolError, ProtocolError } from '@trine/protocol/errors';
import { type Network, WALLET_METHODS, type WalletMethods } from '@trine/protocol/methods';
import { createBootHandlers } from './boot-handlers.ts';
import { loadCardano } from './cardano.ts';
import type { Ctx } from './context.ts';
import { acceptHost, hostLink } from './host-link.ts';
import { createKdf } from './kdf-client.ts';
import { UnlockSession } from './session.ts';
import { guardStorage, openDurableStore, StorageGate } from './storage-access.ts';
import { h } from './ui/dom.ts';
import { View } from './ui/screen.ts';
import { createVaultClient, VaultError } from './vault-client.ts';
import { loadWallet } from './wallet-state.ts';
import './style.css';

const APP_ID = /^[A-Za-z0-9._-]{1,128}$/;

async function boot(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  const view = new View(root);
  const appId = new URLSearchParams(location.search).get('app') ?? '';
  if (!APP_ID.test(appId)) {
    view.message('Wallet unavailable', h('p', null, 'This page needs an app id (?app=…).'));
    return;
  }
  if (window.parent === window) {
    view.message(
      'Trine wallet',
      h('p', null, 'This wallet runs inside the app that uses it. Open that app instead.'),
    );
    return;
  }
  // The endpoint exists only after the handshake; the vault asks the host for the token.
  let tokenSource: (() => Promise<string>) | undefined;
  const getToken = () => {
    if (!tokenSource) return Promise.reject(new Error('not connected'));
    return tokenSource();
  };
  const vault = createVaultClient({ baseUrl: location.origin, appId, getToken });
  // Listen for the host's hello at once, before the config is loaded: the host then hears
  // `pending` within milliseconds (a running wallet, not a blocked frame), and an unknown
  // app or an unreachable vault is its refusal instead of a silent timeout.
  const config = vault.getAppConfig().catch((e: unknown) => {
    throw e instanceof VaultError && e.status === 404
      ? new ProtocolError('unknown_app', 'the vault does not know this app id')
      : new ProtocolError('vault_unavailable', 'the wallet cannot load its configuration');
  });
  const session = new UnlockSession();
  const kdf = createKdf();
  addEventListener('pagehide', () => {
    session.clear();
    kdf.close();
  });
  // The user started typing (a password, an answer): start the KDF worker and load CSL
  // now, so the click waits only for Argon2id. Nothing starts before the first keystroke
  // (an approval screen the user only looks at costs nothing). A screen with two fields
  // typed into (create, a new password) runs two KDF jobs at once: warm two workers.
  const typed = new WeakSet<HTMLInputElement>();
  let fields = 0;
  document.addEventListener(
    'input',
    (event) => {
      const el = event.target;
      if (!(el instanceof HTMLInputElement)) return;
      if (!typed.has(el)) {
        typed.add(el);
        fields++;
      }
      kdf.warm(Math.min(fields, 2));
      void loadCardano().catch(() => undefined);
    },
    { capture: true },
  );
  // Probed before any screen: blocked storage is a gate before every secret (storage-access.ts).
  const store = openDurableStore();
  const connected = acceptHost({
    appId,
    allowedOrigins: config.then((a) => a.allowedOrigins),
    handlers: (link) => {
      tokenSource = async () => (await link.endpoint.call('getToken', {})).token;
      // Both settled before any hello is accepted (the config) or soon after (the store).
      return lateHandlers(async () => {
        const [app, kept] = [await config, await store];
        const host = hostLink(link.endpoint);
        const gate = new StorageGate(kept, {
          view,
          show: () => host.ui(true),
          hide: () => host.ui(false),
        });
        // The realm client (and its crypto) is loaded with the flows, not on the first screen.
        const ctx: Omit<Ctx, 'realms'> & { realms?: Ctx['realms'] } = {
          appId,
          app,
          hostOrigin: link.origin,
          network: link.network as Network,
          vault,
          getToken,
          store: gate.store,
          kdf,
          session,
          view,
          host,
        };
        view.message('Trine wallet', h('p', null, 'Waiting for the app.'));
        const handlers = createBootHandlers(ctx as Ctx, async () => {
          // The realms' URLs come from the app config (the vault's CSP must allow them).
          const [{ createFlowHandlers }, { createRealmClient }] = await Promise.all([
            import('./wallet.ts'),
            import('./realm-client.ts'),
          ]);
          ctx.realms ??= createRealmClient({ appId, getToken });
          return createFlowHandlers(ctx as Ctx);
        });
        return guardStorage(handlers, gate, async () => {
          const state = await loadWallet(ctx as Ctx);
          return !!state?.device && state.device.epoch >= state.meta.epoch;
        });
      });
    },
  });
  let app: Awaited<typeof config>;
  try {
    app = await config;
  } catch (e) {
    view.message(
      'Wallet unavailable',
      h(
        'p',
        null,
        isProtocolError(e, 'unknown_app')
          ? 'This app is not registered with the wallet service.'
          : 'The wallet service cannot be reached.',
      ),
    );
    return;
  }
  view.message('Trine wallet', h('p', null, `Connecting to ${app.name}…`));
  await connected;
}

/** Handlers whose construction awaits `make` (the store opening); each call waits for it. */
function lateHandlers(make: () => Promise<Handlers<WalletMethods>>): Handlers<WalletMethods> {
  const ready = make();
  return new Proxy({} as Handlers<WalletMethods>, {
    get: (_t, key) =>
      typeof key === 'string' && Object.hasOwn(WALLET_METHODS, key)
        ? async (params: never) => {
            const handlers = await ready;
            return (handlers[key as keyof WalletMethods] as (p: never) => unknown)(params);
          }
        : undefined,
  });
}

void boot();
