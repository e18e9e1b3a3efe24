/**
 * @module engines/flow — the main user flow as small steps, written once against
 * `Device`/`Surface` so every engine runs the same thing: open the demo, sign in, create
 * the wallet, approve a payment (the witness verified in Node, as e2e/verify.ts does),
 * approve signData, reload → unlock and sign, recover on a new profile → sign.
 *
 * Where a wallet screen appears is one function, `walletScreen`: a wallet-origin popup
 * window if the page opened one (the approval path for engines without
 * IntersectionObserver v2, and the first-party path when iframe storage is blocked), else
 * the wallet iframe. Change it there when the wallet's screens move.
 */
import assert from 'node:assert/strict';
import { bech32Decode } from '@trine/web3-sdk/bech32';
import { ANSWER, NEW_PASSWORD, PASSWORD } from '../demo-page.ts';
import { devToken, vaultGet } from '../vault-api.ts';
import {
  bodyOfUnsignedTx,
  paymentKeyHash,
  txId,
  verifySignData,
  vkeyWitnesses,
  witnessVerifies,
} from '../verify.ts';
import { type Device, FatalStep, poll, type Surface } from './surface.ts';

/** The wallet ignores an approve earlier than this after its screen appears. */
const REVIEW_MS = 700;
const SLOW_MS = 60_000;
/** The frame's button that opens the approval in the wallet's own window (flows/approve.ts). */
const OPEN_WINDOW = 'Open the wallet window';

export interface Sites {
  vault: string;
  demo: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens the demo pointing at the vault. */
export async function openDemo(d: Device, s: Sites): Promise<void> {
  await d.goto(`${s.demo}/?${new URLSearchParams({ wallet: s.vault })}`);
  await d.page.waitFor({ role: 'heading', name: 'Trine demo dApp' });
}

export async function signIn(d: Device, user: string): Promise<void> {
  await d.page.fill('User id', user);
  await d.page.click('Sign in');
  await poll('"Signed in as …"', async () =>
    (await d.page.text('#signed-in-as')) === `Signed in as ${user}.` ? true : null,
  );
}

/**
 * The surface showing the wallet screen titled `heading`: a wallet-origin popup window
 * when one is open and shows it, else the wallet iframe.
 */
export async function walletScreen(
  d: Device,
  heading: string | RegExp,
  timeoutMs = 30_000,
): Promise<Surface> {
  const q = { role: 'heading', name: heading } as const;
  return poll(
    `the wallet screen ${heading} (popup or iframe)`,
    async () => {
      // A call the dApp made failed: say what the demo shows instead of timing out.
      const err = (await d.page.text('#error')).trim();
      if (err) throw new FatalStep(`the demo shows an error: ${err}`);
      const popup = await d.popup();
      if (popup && (await popup.has(q))) return popup;
      const frame = await d.wallet();
      return (await frame.has(q)) ? frame : null;
    },
    timeoutMs,
    150,
  );
}

/** Waits for the demo's "Wallet connected." and returns the address it shows. */
export async function connectedAddress(d: Device): Promise<string> {
  await poll(
    '"Wallet connected." on the demo',
    async () => {
      const err = await d.page.text('#error');
      if (err.trim()) throw new FatalStep(`the demo shows an error: ${err.trim()}`);
      return (await d.page.text('#status')) === 'Wallet connected.' ? true : null;
    },
    SLOW_MS,
  );
  const address = await d.page.text('#address');
  assert.match(address, /^addr_test1[0-9a-z]+$/);
  return address;
}

/** Connect for a new user: fills the create screen. Returns the address. */
export async function connectAndCreate(d: Device): Promise<string> {
  await d.page.click('Connect wallet');
  const w = await walletScreen(d, /^Create your .* wallet$/);
  await w.fill('Password', PASSWORD);
  await w.fill('Type the password again', PASSWORD);
  await w.fill('Answer', ANSWER);
  await w.fill('Type the answer again', ANSWER);
  await w.click('Create wallet');
  return connectedAddress(d);
}

/** Connect for a user whose wallet exists (no screen expected). */
export async function connectExisting(d: Device): Promise<string> {
  await d.page.click('Connect wallet');
  return connectedAddress(d);
}

/**
 * Approves the screen titled `heading` wherever it shows: when the iframe only offers the
 * wallet window (engines without IntersectionObserver v2) it presses that button and
 * continues in the popup. Types the password when one is given, waits out the review
 * delay, clicks `button` (the click waits until the button is enabled).
 */
export async function approve(
  d: Device,
  heading: string,
  button: string,
  password: string | null,
): Promise<void> {
  let w = await walletScreen(d, heading);
  if (w.label === 'wallet iframe' && (await w.has({ role: 'button', name: OPEN_WINDOW }))) {
    // No IntersectionObserver v2 (Firefox, WebKit): the frame only offers the wallet's
    // own window; the review, the password and the approve happen there.
    await w.click(OPEN_WINDOW);
    w = await poll(
      `the wallet popup showing ${JSON.stringify(heading)}`,
      async () => {
        const popup = await d.popup();
        return popup &&
          (await popup.has({ role: 'heading', name: heading })) &&
          (await popup.has({ role: 'button', name: button }))
          ? popup
          : null;
      },
      30_000,
      150,
    );
  }
  const shownAt = Date.now();
  if (password !== null) await w.fill('Password', password);
  const wait = REVIEW_MS - (Date.now() - shownAt);
  if (wait > 0) await sleep(wait);
  await w.click(button);
}

/** Builds the sample payment and approves it; returns the tx and witness set (hex). */
export async function signPayment(d: Device, password: string | null) {
  await d.page.click('Build and sign payment');
  await approve(d, 'Approve transaction', 'Approve and sign', password);
  return signedPayment(d);
}

export async function signedPayment(d: Device) {
  const witnessSetHex = await poll(
    'the witness set on the demo',
    async () => {
      const err = await d.page.text('#error');
      if (err.trim()) throw new FatalStep(`the demo shows an error: ${err.trim()}`);
      const w = await d.page.text('#witness-set');
      return /^[0-9a-f]{20,}$/.test(w) ? w : null;
    },
    SLOW_MS,
  );
  return { txHex: await d.page.text('#tx-cbor'), witnessSetHex };
}

/** The witness is an ed25519 signature by the address's payment key over the body hash. */
export function assertSignedBy(txHex: string, witnessSetHex: string, address: string): void {
  const body = bodyOfUnsignedTx(txHex);
  const witnesses = vkeyWitnesses(witnessSetHex);
  assert.equal(witnesses.length, 1, 'one vkey witness');
  const [w] = witnesses as [(typeof witnesses)[0]];
  assert.ok(witnessVerifies(w, body, paymentKeyHash(address)), 'the witness verifies');
  const flipped = body.slice();
  flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
  assert.ok(!witnessVerifies(w, flipped, paymentKeyHash(address)), 'a flipped body fails');
}

/** Submits the signed payment to the demo's test chain: the id shown is the body hash. */
export async function submitPayment(d: Device, txHex: string): Promise<void> {
  await d.page.click('Submit signed payment');
  const want = txId(bodyOfUnsignedTx(txHex));
  await poll('the submitted tx id', async () =>
    (await d.page.text('#tx-hash')) === want ? true : null,
  );
}

/** signData on a message; checks the COSE_Sign1 and its address header in Node. */
export async function signMessage(
  d: Device,
  address: string,
  message: string,
  password: string | null,
): Promise<void> {
  await d.page.fill('Message', message);
  await d.page.click('Sign message');
  await approve(d, 'Sign a message', 'Sign message', password);
  const signature = await poll(
    'the signature on the demo',
    async () => {
      const s = await d.page.text('#signature');
      return /^[0-9a-f]+$/.test(s) ? s : null;
    },
    SLOW_MS,
  );
  const r = verifySignData(
    signature,
    await d.page.text('#cose-key'),
    Buffer.from(message, 'utf8').toString('hex'),
  );
  assert.ok(r.valid, 'the COSE_Sign1 verifies');
  assert.equal(r.addressHex, Buffer.from(bech32Decode(address).bytes).toString('hex'));
}

/**
 * On a device with no device share: Connect → "Recover your wallet" (the wallet gives the
 * app no address before the key is rebuilt here) → answer → new password → connected.
 * Returns the address the demo then shows.
 */
export async function connectAndRecover(d: Device): Promise<string> {
  await d.page.click('Connect wallet');
  let w = await walletScreen(d, 'Recover your wallet');
  await w.fill('Your answer', '  rex THE dog ');
  await w.click('Continue');
  w = await walletScreen(d, 'Choose a new password', SLOW_MS);
  await w.fill('New password for this browser', NEW_PASSWORD);
  await w.fill('Type it again', NEW_PASSWORD);
  await w.click('Save and finish');
  return connectedAddress(d);
}

/** The vault's view of the user's wallet (epoch, address). */
export async function vaultWallet(s: Sites, user: string) {
  const token = await devToken(s.vault, user);
  return (await vaultGet(s.vault, token, '')).body as {
    epoch: number;
    addresses: { base: string };
  };
}
