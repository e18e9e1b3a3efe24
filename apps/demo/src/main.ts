/**
 * @module main — the demo dApp: sign in (dev issuer), connect the Trine wallet through
 * @trine/web3-sdk, show the address and balance (an in-memory test chain funded here),
 * build a payment with Lucid Evolution over the SDK's CIP-30 object (loaded lazily, see
 * payment.ts), sign and submit it, sign a message, run the wallet's manage flows, and show every
 * failure as a user would read it (CIP-30 error code + a sentence).
 *
 * The page never holds a key, a share, a password or an answer: it sees addresses,
 * witness sets, signatures and errors only (DESIGN.md §2.1).
 */
import type { LucidEvolution } from '@lucid-evolution/lucid';
import { type Cip30Api, createTrine, type Trine } from '@trine/web3-sdk';
import { createMemoryChainProvider } from '@trine/web3-sdk/memory';
import { decodeValue } from '@trine/web3-sdk/value';
import { formatAda } from './ada.ts';
import { FOREIGN_ADDRESS, RECIPIENT } from './addresses.ts';
import { type Cip30Context, describeError } from './cip30-errors.ts';
import { readConfig } from './config.ts';
import type { BuiltPayment } from './payment.ts';

const PAY_LOVELACE = 2_000_000n;
/** Test UTxOs given to a wallet with none, so there is something to spend. */
const FUNDING = ['10000000', '5000000', '2500000'];

const config = readConfig(location.search, location.origin);
const chain = createMemoryChainProvider();

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
};
const ada = (lovelace: bigint): string => formatAda(lovelace, config.network);
const sum = (utxos: { value: { lovelace: string } }[]): bigint =>
  utxos.reduce((s, u) => s + BigInt(u.value.lovelace), 0n);

/** Lucid and its WebAssembly: fetched on first need (connect starts it), never before. */
const loadPayment = () => import('./payment.ts');
type Payment = Awaited<ReturnType<typeof loadPayment>>;
let lucid: { api: Cip30Api; ready: Promise<{ pay: Payment; lucid: LucidEvolution }> } | null = null;

/** Lucid over the chain with the current CIP-30 object as its wallet (one per `api`). */
async function lucidFor(current: Cip30Api) {
  if (lucid?.api !== current) {
    const ready = loadPayment().then(async (pay) => ({
      pay,
      lucid: await pay.connectLucid(chain, current, config.network),
    }));
    lucid = { api: current, ready };
    // A failed load is retried on the next use, not cached.
    ready.catch(() => {
      if (lucid?.ready === ready) lucid = null;
    });
  }
  return lucid.ready;
}

let token: string | null = null;
let trine: Trine | null = null;
let api: Cip30Api | null = null;
let lastTx: BuiltPayment | null = null;
let lastWitnesses: string | null = null;
let busy = false;

$('host-origin').textContent = location.origin;
$('wallet-url').textContent = config.walletUrl;
$('network').textContent = config.network;
$('pay-amount').textContent = ada(PAY_LOVELACE);

function status(text: string): void {
  $('status').textContent = text;
}

function showError(e: unknown, context: Cip30Context): void {
  const shown = describeError(e, context);
  const box = $('error');
  box.replaceChildren();
  const strong = document.createElement('strong');
  strong.textContent = shown.title;
  const text = document.createElement('span');
  text.textContent = ` — ${shown.text}`;
  box.append(strong, text);
  if (shown.info) {
    const info = document.createElement('span');
    info.className = 'muted';
    info.textContent = ` (wallet says: ${shown.info})`;
    box.append(info);
  }
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  box.dataset.code = typeof code === 'number' ? String(code) : '';
  box.dataset.reason = shown.reason ?? '';
  box.hidden = false;
  box.focus();
  status('');
}

function clearError(): void {
  const box = $('error');
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.code;
}

function refreshButtons(): void {
  const connected = api !== null && trine?.wallet != null;
  ($('connect') as HTMLButtonElement).disabled = busy || token === null;
  for (const id of ['sign-tx', 'sign-data', 'sign-foreign']) {
    ($(id) as HTMLButtonElement).disabled = busy || !connected;
  }
  ($('submit-tx') as HTMLButtonElement).disabled = busy || !connected || lastWitnesses === null;
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-flow]')) {
    b.disabled = busy || trine === null;
  }
}

/** Runs one user action: one at a time, errors shown, buttons refreshed. */
async function action(context: Cip30Context, run: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  clearError();
  refreshButtons();
  try {
    await run();
  } catch (e) {
    showError(e, context);
  } finally {
    busy = false;
    refreshButtons();
  }
}

async function fetchToken(userId: string): Promise<string> {
  const r = await fetch(config.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: userId }),
  });
  if (!r.ok) throw new Error(`sign-in failed: the token service answered ${r.status}`);
  const body = (await r.json()) as { token?: unknown };
  if (typeof body.token !== 'string') throw new Error('sign-in failed: no token in the answer');
  return body.token;
}

async function showWallet(): Promise<void> {
  const w = trine?.wallet ?? null;
  if (!w || !api) {
    $('address').textContent = '—';
    $('balance').textContent = '—';
    $('utxos').textContent = '—';
    return;
  }
  $('address').textContent = w.addresses.base;
  const balance = decodeValue(await api.getBalance());
  $('balance').textContent = ada(balance.coin);
  $('utxos').textContent = String((await chain.getUtxos(w.addresses.base)).length);
  $('payee-balance').textContent = ada(sum(await chain.getUtxos(RECIPIENT)));
}

async function connect(): Promise<void> {
  if (!trine) {
    trine = createTrine({
      walletUrl: config.walletUrl,
      appId: config.appId,
      network: config.network,
      getToken: () => {
        if (!token) throw new Error('not signed in');
        return token;
      },
      chainProvider: chain,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
    });
  }
  status('Connecting to the wallet…');
  api = await trine.enable();
  const base = trine.wallet?.addresses.base;
  if (base && (await chain.getUtxos(base)).length === 0) {
    for (const lovelace of FUNDING) chain.fund(base, { lovelace });
  }
  await showWallet();
  status('Wallet connected.');
  // Warm Lucid up while the user reads the page; errors surface on the Send click.
  lucidFor(api).catch(() => {});
}

async function signPayment(extraForeign: boolean): Promise<void> {
  if (!api || !trine?.wallet) throw new Error('connect the wallet first');
  status('Building the payment with Lucid…');
  const { pay, lucid: l } = await lucidFor(api);
  const foreign = extraForeign ? [chain.fund(FOREIGN_ADDRESS, { lovelace: '3000000' })] : [];
  const tx = await pay.buildPayment(l, RECIPIENT, PAY_LOVELACE, foreign);
  if (extraForeign) {
    status('Waiting for your approval in the wallet…');
    // CIP-30 partialSign=false — every input must be signable by this wallet; it is not.
    await api.signTx(tx.txHex, false);
    return;
  }
  lastTx = tx;
  lastWitnesses = null;
  $('tx-cbor').textContent = tx.txHex;
  $('tx-fee').textContent = ada(tx.fee);
  $('witness-set').textContent = '';
  $('tx-hash').textContent = '';
  status('Waiting for your approval in the wallet…');
  const witnesses = await pay.signPayment(tx);
  lastWitnesses = witnesses;
  $('witness-set').textContent = witnesses;
  status(`Signed. Fee ${ada(tx.fee)}, change ${ada(tx.change)}.`);
}

$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const userId = ($('user-id') as HTMLInputElement).value.trim();
  if (!userId) return;
  void action('api', async () => {
    status('Signing in…');
    token = await fetchToken(userId);
    $('signed-in-as').textContent = `Signed in as ${userId}.`;
    status(`Signed in as ${userId}. Now connect the wallet.`);
  });
});

$('connect').addEventListener('click', () => void action('api', connect));
$('sign-tx').addEventListener('click', () => void action('signTx', () => signPayment(false)));
$('sign-foreign').addEventListener('click', () => void action('signTx', () => signPayment(true)));

$('submit-tx').addEventListener('click', () =>
  action('submitTx', async () => {
    if (!api || !lastTx || !lastWitnesses) return;
    const { pay } = await lucidFor(api);
    // Lucid adds the witnesses and submits through CIP-30 submitTx (→ the in-memory chain).
    const id = await pay.submitPayment(lastTx, lastWitnesses);
    $('tx-hash').textContent = id;
    lastWitnesses = null;
    await showWallet();
    status('Submitted to the test chain.');
  }),
);

$('sign-data-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void action('signData', async () => {
    if (!api || !trine?.wallet) throw new Error('connect the wallet first');
    const text = ($('message') as HTMLInputElement).value;
    const payload = Array.from(new TextEncoder().encode(text), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    status('Waiting for your approval in the wallet…');
    const r = await api.signData(trine.wallet.addresses.baseHex, payload);
    $('signature').textContent = r.signature;
    $('cose-key').textContent = r.key;
    status('Message signed.');
  });
});

const FLOW_DONE: Record<string, string> = {
  recover: 'Recovered: this browser has a fresh key share.',
  changePassword: 'Password changed.',
  changeQuestion: 'Security question changed.',
  export: 'Recovery phrase shown in the wallet (this page never sees it).',
  delete: 'Wallet deleted.',
  activity: 'Security activity shown in the wallet.',
};

for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-flow]')) {
  b.addEventListener('click', () =>
    action('api', async () => {
      if (!trine) return;
      const flow = b.dataset.flow as Parameters<Trine['manage']>[0];
      status('Continue in the wallet…');
      const r = await trine.manage(flow);
      $('manage-result').textContent = r.done ? (FLOW_DONE[flow] ?? 'Done.') : 'Cancelled.';
      if (trine.wallet === null) api = null;
      else if (r.done && flow !== 'export' && flow !== 'activity') api = await trine.enable();
      await showWallet();
      status('');
    }),
  );
}

refreshButtons();
