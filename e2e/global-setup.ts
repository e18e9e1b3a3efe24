/**
 * @module global-setup — builds the wallet and the demo when stale, then starts one vault
 * and the demo server for the whole run; the returned function stops them.
 *
 * Sites: the wallet (and vault) on http://127.0.0.1:V, the demo on http://localhost:D —
 * two sites. The same demo server is also reachable as http://127.0.0.1:D, an origin the
 * app does NOT allow (the refused-host test), and as http://other.localhost:D, a third
 * site the app allows (Chromium resolves *.localhost to loopback and treats it as a
 * secure context; its registrable domain differs from localhost's): the partitioning test.
 *
 * Rate limits are generous so the suite is not throttled, except the per-wallet recovery
 * limit (TRINE_RATE_RECOVERY_USER=3/3600), which a test checks (the 4th attempt → 429).
 *
 * The in-process recovery realm's guess limit for the dev app is lowered to 4
 * (TRINE_DEV_GUESS_LIMIT; the default is 10), so the lockout is quick to reach. It stays
 * above the vault's recovery limit, as in the defaults (10 > 5): through the wallet the
 * vault's limit bites first; a JWT holder who calls the realm directly meets the realm's.
 */
import { ensureBuilt } from '../scripts/ensure-built.mjs';
import { listenSocket, startDemo, startVault } from './servers.ts';

export const RECOVERY_LIMIT = 3;
/** The realm's guesses per registration before it locks (the dev app, in-process realm). */
export const GUESS_LIMIT = 4;

export default async function globalSetup(): Promise<() => Promise<void>> {
  ensureBuilt(['wallet', 'demo'], { log: (l) => console.log(l) });
  // The demo's socket is bound first: the vault must know the demo's origin, the demo the
  // vault's URL, and neither port may change between being chosen and being listened on.
  const demoSocket = await listenSocket();
  const demoPort = demoSocket.port;
  const demoUrl = `http://localhost:${demoPort}`;
  const otherSiteUrl = `http://other.localhost:${demoPort}`;
  const vault = await startVault({
    devOrigins: [demoUrl, otherSiteUrl],
    env: {
      TRINE_RATE_IP: '100000/60',
      TRINE_RATE_USER: '100000/60',
      TRINE_RATE_RECOVERY_IP: '100000/3600',
      TRINE_RATE_RECOVERY_USER: `${RECOVERY_LIMIT}/3600`,
      TRINE_DEV_GUESS_LIMIT: String(GUESS_LIMIT),
    },
  }).catch(async (e) => {
    await demoSocket.close();
    throw e;
  });
  const demo = await startDemo(demoSocket, vault.url).catch(async (e) => {
    await vault.stop();
    throw e;
  });
  process.env.TRINE_E2E_VAULT = vault.url;
  process.env.TRINE_E2E_DEMO = demoUrl;
  process.env.TRINE_E2E_DEMO_REFUSED = `http://127.0.0.1:${demoPort}`;
  process.env.TRINE_E2E_DEMO_OTHER_SITE = otherSiteUrl;
  return async () => {
    await demo.stop();
    await vault.stop();
  };
}
