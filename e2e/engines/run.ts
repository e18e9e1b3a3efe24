/**
 * @module engines/run — the main flow in engines other than Chromium: Debian's Firefox ESR
 * (WebDriver BiDi, headless) and WebKitGTK's MiniBrowser (WebKitWebDriver, under Xvfb).
 * `npm run e2e:engines` (optionally `-- firefox` or `-- webkit`). It builds the wallet and
 * demo when stale and starts the same servers as the Chromium suite (e2e/global-setup.ts:
 * wallet + vault on http://127.0.0.1:V, the demo on http://localhost:D — two sites), then
 * per engine runs each test, prints what the engine offers the wallet iframe (storage,
 * Storage Access API, IntersectionObserver v2) and ends with `N passed, N failed`; exit
 * code 1 on any failure. scripts/test.mjs reads that line.
 */
import { ANSWER, NEW_PASSWORD, PASSWORD } from '../demo-page.ts';
import globalSetup from '../global-setup.ts';
import { firefox } from './firefox.ts';
import {
  approve,
  assertSignedBy,
  connectAndCreate,
  connectAndRecover,
  connectExisting,
  connectedAddress,
  openDemo,
  type Sites,
  signedPayment,
  signIn,
  signMessage,
  signPayment,
  submitPayment,
  vaultWallet,
  walletScreen,
} from './flow.ts';
import { collected, probeWalletFrame } from './probe.ts';

async function createOnScreen(d: Device): Promise<string> {
  const w = await walletScreen(d, /^Create your .* wallet$/);
  await w.fill('Password', PASSWORD);
  await w.fill('Type the password again', PASSWORD);
  await w.fill('Answer', ANSWER);
  await w.fill('Type the answer again', ANSWER);
  await w.click('Create wallet');
  return connectedAddress(d);
}

async function approvePayment(d: Device, password: string) {
  await approve(d, 'Approve transaction', 'Approve and sign', password);
  return signedPayment(d);
}

import { type Device, type Engine, poll } from './surface.ts';
import { webkit } from './webkit.ts';

interface Ctx {
  engine: Engine;
  sites: Sites;
  user: string;
  step(name: string): void;
}

type Test = (c: Ctx) => Promise<void>;

/** create → sign → signData → reload → unlock and sign → new profile: recover → sign. */
const mainFlow: Test = async ({ engine, sites, user, step }) => {
  const d: Device = await engine.newDevice();
  step('open the demo, sign in');
  await openDemo(d, sites);
  await signIn(d, user);
  step('connect → create the wallet');
  const address = await connectAndCreate(d);
  step('what the wallet iframe sees');
  await probeWalletFrame(d, engine.name);
  step('sign a payment → the witness verifies → submit');
  const first = await signPayment(d, PASSWORD);
  assertSignedBy(first.txHex, first.witnessSetHex, address);
  await submitPayment(d, first.txHex);
  step('signData → the COSE_Sign1 verifies');
  await signMessage(d, address, `Log in to the Trine demo in ${engine.name}, nonce 42`, PASSWORD);
  step('reload → connect (locked) → unlock with the password and sign');
  await d.reload();
  await d.page.waitFor({ role: 'heading', name: 'Trine demo dApp' });
  await signIn(d, user);
  const again = await connectExisting(d);
  if (again !== address) throw new Error(`after reload the address changed: ${again}`);
  const second = await signPayment(d, PASSWORD);
  assertSignedBy(second.txHex, second.witnessSetHex, address);

  step('a new profile (new device) → connect → recover with the answer → sign');
  const other = await engine.newDevice();
  await openDemo(other, sites);
  await signIn(other, user);
  const there = await connectAndRecover(other);
  if (there !== address) throw new Error(`the new device shows another address: ${there}`);
  const third = await signPayment(other, NEW_PASSWORD);
  assertSignedBy(third.txHex, third.witnessSetHex, address);
  const meta = await vaultWallet(sites, user);
  if (meta.epoch !== 2 || meta.addresses.base !== address) {
    throw new Error(`the vault holds epoch ${meta.epoch}, address ${meta.addresses.base}`);
  }
  step('the new device signs again with its new password');
  const fourth = await signPayment(other, NEW_PASSWORD);
  assertSignedBy(fourth.txHex, fourth.witnessSetHex, address);
};

/** The wallet's storage gate (apps/wallet/src/storage-access.ts). */
const GATE = 'This browser blocks the wallet’s storage';
const STORAGE_REFUSED = 'The browser did not allow it.';
const storagePaths: Record<string, string> = {};

/**
 * Passes the storage gate if it shows before `next` (a wallet screen) or the demo's
 * "Wallet connected." / witness: Allow storage (the Storage Access API) first; if the
 * browser refuses, the wallet window. Returns what happened.
 */
async function passGate(
  d: Device,
  next: RegExp | null,
): Promise<'no gate' | 'storage access' | 'wallet window'> {
  const seen = await poll(
    `the storage gate or ${next ?? 'the demo going on'}`,
    async () => {
      const frame = await d.wallet();
      if (await frame.has({ role: 'heading', name: GATE })) return 'gate' as const;
      if (next && (await frame.has({ role: 'heading', name: next }))) return 'next' as const;
      // Only a window showing `next`: the storage window of the previous flow can still be
      // open (closing after its "Done") when this flow's gate is about to show.
      const popup = next ? await d.popup() : null;
      if (popup && (await popup.has({ role: 'heading', name: next! }))) return 'next' as const;
      if (!next && (await d.page.text('#status')) === 'Wallet connected.') return 'next' as const;
      return null;
    },
    30_000,
    150,
  );
  if (seen === 'next') return 'no gate';
  const w = await d.wallet();
  // The gate asks for nothing secret.
  for (const f of ['Password', 'Answer']) {
    if (await w.has({ role: 'field', name: f })) throw new Error(`the gate shows a ${f} field`);
  }
  if (await w.has({ role: 'button', name: 'Allow storage' })) {
    await w.click('Allow storage');
    const r = await poll(
      'the gate to go, or the browser to refuse storage access',
      async () => {
        if (!(await w.has({ role: 'heading', name: GATE }))) return 'gone' as const;
        const t = await w.text('[role=alert], .error');
        return t.includes(STORAGE_REFUSED) ? ('refused' as const) : null;
      },
      15_000,
      150,
    );
    if (r === 'gone') return 'storage access';
  }
  await w.click('Open wallet window');
  await poll('the wallet window', async () => d.popup());
  return 'wallet window';
}

/**
 * Third-party storage blocked (Firefox `cookieBehavior` 1; WebKit with ITP): the gate
 * shows before any secret; the flow goes on through storage access or the wallet window:
 * create → sign → reload → sign again with the password alone (the vault stays at
 * epoch 1: no recovery ran).
 */
const blockedStorage: Test = async ({ engine, sites, user, step }) => {
  const d = await engine.newDevice({ blockThirdPartyStorage: true });
  step('open the demo, sign in, connect');
  await openDemo(d, sites);
  await signIn(d, user);
  await d.page.click('Connect wallet');
  step('the gate (or the create screen, if the iframe keeps storage anyway)');
  await probeWalletFrame(d, `${engine.name} (third-party storage blocked)`);
  const first = await passGate(d, /^Create your .* wallet$/);
  storagePaths[engine.name] = first;
  console.log(`    ${engine.name} blocked storage: create → ${first}`);
  const address = await createOnScreen(d);
  step('sign a payment');
  await d.page.click('Build and sign payment');
  await passGate(d, /^Approve transaction$/);
  const one = await approvePayment(d, PASSWORD);
  assertSignedBy(one.txHex, one.witnessSetHex, address);
  step('reload → connect → sign again with the password (no recovery)');
  await d.reload();
  await d.page.waitFor({ role: 'heading', name: 'Trine demo dApp' });
  await signIn(d, user);
  await d.page.click('Connect wallet');
  const after = await passGate(d, null);
  console.log(`    ${engine.name} blocked storage: after reload → ${after}`);
  if ((await connectedAddress(d)) !== address) throw new Error('after reload another address');
  await d.page.click('Build and sign payment');
  await passGate(d, /^Approve transaction$/);
  const two = await approvePayment(d, PASSWORD);
  assertSignedBy(two.txHex, two.witnessSetHex, address);
  const meta = await vaultWallet(sites, user);
  if (meta.epoch !== 1) throw new Error(`a recovery ran: the vault is at epoch ${meta.epoch}`);
};

const partitions: Record<string, boolean> = {};

/**
 * The same device on another top-level site the app allows (http://other.localhost:D):
 * the same wallet connects; its first signature shows whether the engine partitions the
 * iframe's storage by top-level site ("Recovery needed": the device share is not visible
 * there) or not (the approval screen). Either is a working wallet; which one is printed.
 */
const otherSite: Test = async ({ engine, sites, user, step }) => {
  const d = await engine.newDevice();
  step('create on the demo site');
  await openDemo(d, sites);
  await signIn(d, user);
  const address = await connectAndCreate(d);
  step('the same device on another top-level site → connect → sign');
  const other = { ...sites, demo: process.env.TRINE_E2E_DEMO_OTHER_SITE ?? '' };
  await openDemo(d, other);
  await signIn(d, user);
  // Partitioned: no device share there, so Connect leads to the recovery (no address
  // before it); not partitioned: connected at once, and the payment shows its approval.
  await d.page.click('Connect wallet');
  const first = await poll(
    'the recovery screen or "Wallet connected."',
    async () => {
      if ((await d.page.text('#status')) === 'Wallet connected.') return 'connected' as const;
      const frame = await d.wallet();
      return (await frame.has({ role: 'heading', name: 'Recover your wallet' }))
        ? ('recover' as const)
        : null;
    },
    30_000,
    150,
  );
  if (first === 'connected') {
    const there = await connectedAddress(d);
    if (there !== address) throw new Error(`the other site shows another address: ${there}`);
    await d.page.click('Build and sign payment');
  }
  const w = await walletScreen(d, /^(Recover your wallet|Approve transaction)$/);
  const partitioned = first === 'recover';
  console.log(
    `    ${engine.name}: iframe storage ${partitioned ? 'IS' : 'is NOT'} partitioned by top-level site`,
  );
  partitions[engine.name] = partitioned;
  await w.click(partitioned ? 'Cancel' : 'Reject');
  await poll('the demo reports the cancel', async () =>
    (await d.page.text('#error')).trim() ? true : null,
  );
};

const TESTS: [string, Test][] = [
  ['main flow', mainFlow],
  ['another top-level site', otherSite],
  ['third-party storage blocked', blockedStorage],
];

const ENGINES: Record<string, (walletOrigin: string) => Engine> = { firefox, webkit };

async function main(): Promise<number> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  for (const w of wanted) if (!ENGINES[w]) throw new Error(`unknown engine ${w}`);
  const names = wanted.length ? wanted : Object.keys(ENGINES);
  const stopServers = await globalSetup();
  const sites: Sites = {
    vault: process.env.TRINE_E2E_VAULT ?? '',
    demo: process.env.TRINE_E2E_DEMO ?? '',
  };
  let passed = 0;
  let failed = 0;
  try {
    for (const name of names) {
      const make = ENGINES[name];
      if (!make) continue;
      const only = process.env.TRINE_ENGINES_ONLY;
      for (const [title, test] of TESTS.filter(([t]) => !only || t === only)) {
        const engine = make(sites.vault);
        const started = Date.now();
        let current = 'start the engine';
        const user = `eng-${name}-${Date.now().toString(36)}`;
        try {
          await test({
            engine,
            sites,
            user,
            step: (s) => {
              current = s;
              console.log(`  ${name} · ${title} · ${s}`);
            },
          });
          const v = await engine.version();
          console.log(`  ✓ ${name} (${v}) › ${title} (${Date.now() - started} ms)`);
          passed++;
        } catch (e) {
          console.log(`  ✘ ${name} › ${title} — failed at "${current}":`);
          console.log(
            `    ${(e instanceof Error ? e.message : String(e)).split('\n').join('\n    ')}`,
          );
          failed++;
        } finally {
          await engine.stop();
        }
      }
    }
  } finally {
    await stopServers();
  }
  for (const [name, f] of Object.entries(collected)) {
    const part = partitions[name];
    console.log(
      `engines: ${name} facts: IntersectionObserver v2 ${f.intersectionObserverV2 ? 'yes' : 'no'}, ` +
        `requestStorageAccess ${f.requestStorageAccess ? 'yes' : 'no'} (hasStorageAccess ${f.hasStorageAccess}), ` +
        `iframe localStorage ${f.localStorage}, IndexedDB ${f.indexedDB}, ` +
        `partitioned by top-level site ${part === undefined ? '?' : part ? 'yes' : 'no'}`,
    );
  }
  for (const [name, path] of Object.entries(storagePaths)) {
    console.log(`engines: ${name} with third-party storage blocked: create went through ${path}`);
  }
  console.log(`engines: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
