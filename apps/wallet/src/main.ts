/**
 * @module main — boot of `embed.html` (the page the SDK frames at
 * `{walletUrl}/embed?app={appId}`): read the app id, load the app's public config from
 * the vault (same origin), accept the host's handshake only from an allowed origin, then
 * serve its calls. No secret is ever logged, put in a URL or posted to the host.
 */
import type { Network } from '@trine/protocol/methods';
import { createBootHandlers } from './boot-handlers.ts';
import { loadCardano } from './cardano.ts';
import type { Ctx } from './context.ts';
import { openDeviceStore } from './device-store.ts';
import { acceptHost, holdHello, hostLink } from './host-link.ts';
import { createKdf } from './kdf-client.ts';
import { UnlockSession } from './session.ts';
import { h } from './ui/dom.ts';
import { View } from './ui/screen.ts';
import { createVaultClient } from './vault-client.ts';
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
  // The host's first hello may arrive while the config loads: keep it (validated later).
  const hello = holdHello();
  // The device store opens while the config loads (both are needed before the handshake).
  const opening = openDeviceStore().catch(() => undefined);
  let app: Awaited<ReturnType<typeof vault.getAppConfig>>;
  try {
    app = await vault.getAppConfig();
  } catch {
    hello.take();
    view.message('Wallet unavailable', h('p', null, 'The wallet service cannot be reached.'));
    return;
  }
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
  const store = await opening;
  view.message('Trine wallet', h('p', null, `Connecting to ${app.name}…`));
  await acceptHost({
    appId,
    allowedOrigins: app.allowedOrigins,
    held: hello.take(),
    handlers: (link) => {
      tokenSource = async () => (await link.endpoint.call('getToken', {})).token;
      if (!store) {
        view.message(
          'Storage blocked',
          h('p', null, 'This browser does not let the wallet keep its key share here.'),
        );
      }
      // The realm client (and its crypto) is loaded with the flows, not on the first screen.
      const ctx: Omit<Ctx, 'realms'> & { realms?: Ctx['realms'] } = {
        appId,
        app,
        hostOrigin: link.origin,
        network: link.network as Network,
        vault,
        getToken,
        store: store ?? missingStore(),
        kdf,
        session,
        view,
        host: hostLink(link.endpoint),
      };
      view.message('Trine wallet', h('p', null, 'Waiting for the app.'));
      return createBootHandlers(ctx as Ctx, async () => {
        // The realms' URLs come from the app config (the vault's CSP must allow them).
        const [{ createFlowHandlers }, { createRealmClient }] = await Promise.all([
          import('./wallet.ts'),
          import('./realm-client.ts'),
        ]);
        ctx.realms ??= createRealmClient({ appId, getToken });
        return createFlowHandlers(ctx as Ctx);
      });
    },
  });
}

/** A store that fails every call with the storage message (IndexedDB blocked). */
function missingStore(): Ctx['store'] {
  const fail = () =>
    Promise.reject(new Error('this browser refused to use local storage for the wallet'));
  return { get: async () => undefined, put: fail, remove: fail, close: () => undefined };
}

void boot();
