/**
 * @module browser-smoke — a quick real-browser check of the built wallet (not a test
 * suite: the e2e suite lives in e2e/). Starts nothing itself: run the vault with
 * TRINE_WALLET_DIR=apps/wallet/dist and TRINE_DEV_ORIGINS=<host origin>, then
 *
 *   VAULT=http://127.0.0.1:8791 HOST_PORT=5601 npx tsx apps/wallet/scripts/browser-smoke.ts
 *
 * It serves a bare host page on http://localhost:HOST_PORT (another site than the
 * vault's 127.0.0.1), frames `/embed?app=dev`, speaks the protocol by hand, and drives
 * create → signData → signTx → change password → export → lock through the iframe's UI,
 * saving screenshots in SHOTS (default /tmp/trine-shots).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Frame, type Page } from '@playwright/test';
import { CSL } from '@trine/cardano/csl';
import { deriveWallet } from '@trine/cardano/keys';

// The Chromium flags of TOOLCHAIN.md (the same list as e2e/chromium.ts; a script of
// this package does not import from the repository's e2e folder).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const VAULT = process.env.VAULT ?? 'http://127.0.0.1:8791';
const HOST_PORT = Number(process.env.HOST_PORT ?? 5601);
const SHOTS = process.env.SHOTS ?? '/tmp/trine-shots';
const PASSWORD = 'correct horse 42';
const NEW_PASSWORD = 'battery staple 43';
mkdirSync(SHOTS, { recursive: true });

const HOST_HTML = `<!doctype html><html><head><title>host</title>
<style>body{font-family:sans-serif;background:#eef} iframe{width:480px;height:640px;border:1px solid #999;background:#fff}</style>
</head><body><h1>Host dApp</h1><div id="log"></div><script>
const WALLET = ${JSON.stringify(VAULT)};
const iframe = document.createElement('iframe');
iframe.src = WALLET + '/embed?app=dev';
document.body.append(iframe);
let port, seq = 0; const pending = new Map();
window.uiVisible = []; window.token = '';
window.ready = new Promise((resolve) => {
  const timer = setInterval(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = (e) => {
      const m = e.data;
      if (m && m.type === 'ready') { clearInterval(timer); port = ch.port1; port.onmessage = onPort; resolve('ready'); }
      else if (m && m.type === 'refused') { clearInterval(timer); resolve('refused:' + m.error.code); }
    };
    try { iframe.contentWindow.postMessage({ns:'trine', v:1, type:'hello', appId:'dev', network:'preprod'}, WALLET, [ch.port2]); } catch {}
  }, 250);
});
function onPort(e) {
  const m = e.data;
  if (m.method) {
    let result = {};
    if (m.method === 'getToken') result = { token: window.token };
    if (m.method === 'ui') window.uiVisible.push(m.params.visible);
    if (m.method === 'resolveInputs') result = { inputs: window.resolved || [] };
    port.postMessage({ ns:'trine', v:1, id: m.id, result });
    return;
  }
  const p = pending.get(m.id); if (!p) return; pending.delete(m.id);
  if (m.error) p.reject(new Error(m.error.code + ': ' + m.error.message)); else p.resolve(m.result);
}
window.call = (method, params) => new Promise((resolve, reject) => {
  const id = 'h' + (++seq); pending.set(id, { resolve, reject });
  port.postMessage({ ns:'trine', v:1, id, method, params });
});
</script></body></html>`;

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(HOST_HTML);
});
await new Promise<void>((r) => server.listen(HOST_PORT, 'localhost', r));

const token = (
  (await (
    await fetch(`${VAULT}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: `smoke-${Date.now()}` }),
    })
  ).json()) as { token: string }
).token;

const profile = join(tmpdir(), `trine-smoke-${Date.now()}`);
mkdirSync(join(profile, 'Default'), { recursive: true });
writeFileSync(
  join(profile, 'Default', 'Preferences'),
  JSON.stringify({ profile: { cookie_controls_mode: 0 } }),
);
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
  viewport: { width: 900, height: 760 },
});
const page: Page = context.pages()[0] ?? (await context.newPage());
const consoleLines: string[] = [];
page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
page.on('crash', () => consoleLines.push('[CRASH]'));
page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
const step = (s: string) => console.log(`— ${s}`);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
let wallet: Frame;
try {
  await page.goto(`http://localhost:${HOST_PORT}/`);
  step(`handshake: ${await page.evaluate('window.ready')}`);
  await page.evaluate((t) => {
    (window as unknown as { token: string }).token = t;
  }, token);
  wallet = page.frames().find((f) => f.url().startsWith(VAULT))!;
  await shot('01-idle');
  step(`connect: ${JSON.stringify(await page.evaluate("call('connect', {network:'preprod'})"))}`);

  const created = page.evaluate("call('createWallet', {})");
  await wallet.getByLabel('Password', { exact: true }).waitFor();
  await shot('02-create');
  await wallet.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await wallet.getByLabel('Type the password again').fill(PASSWORD);
  await wallet.getByLabel('Answer', { exact: true }).fill('Rex the dog');
  await wallet.getByLabel('Type the answer again').fill('rex  the DOG');
  await wallet.getByLabel('Type the answer again').press('Enter');
  const info = (await created) as { addresses: { base: string; baseHex: string } };
  step(`created: ${JSON.stringify(info)}`);

  const signedData = page
    .evaluate(
      ([address, payload]) =>
        (window as unknown as { call: (m: string, p: unknown) => Promise<unknown> }).call(
          'signData',
          { address, payload },
        ),
      [info.addresses.baseHex, Buffer.from('Sign in to the host', 'utf8').toString('hex')] as const,
    )
    .catch((e) => `error ${e}`);
  await wallet.getByRole('heading', { name: 'Sign a message' }).waitFor();
  await shot('03-sign-data');
  await wallet.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await wallet.getByRole('button', { name: 'Sign message' }).click();
  step(`signData: ${JSON.stringify(await signedData).slice(0, 120)}…`);

  // A tx spending a (pretend) UTxO of the wallet: 2 ADA out, change back.
  const ins = CSL.TransactionInputs.new();
  ins.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex('ab'.repeat(32)), 0));
  const outs = CSL.TransactionOutputs.new();
  outs.add(
    CSL.TransactionOutput.new(
      CSL.Address.from_bech32(deriveWallet(new Uint8Array(32).fill(3), 'preprod').baseAddress),
      CSL.Value.new(CSL.BigNum.from_str('2000000')),
    ),
  );
  outs.add(
    CSL.TransactionOutput.new(
      CSL.Address.from_bech32(info.addresses.base),
      CSL.Value.new(CSL.BigNum.from_str('7800000')),
    ),
  );
  const body = CSL.TransactionBody.new_tx_body(ins, outs, CSL.BigNum.from_str('200000'));
  body.set_ttl(CSL.BigNum.from_str('99999999'));
  const tx = CSL.Transaction.new(body, CSL.TransactionWitnessSet.new()).to_hex();
  const resolved = [
    {
      txHash: 'ab'.repeat(32),
      index: 0,
      address: info.addresses.base,
      value: { lovelace: '10000000' },
    },
  ];
  const signedTx = page
    .evaluate(
      ([t, r]) =>
        (window as unknown as { call: (m: string, p: unknown) => Promise<unknown> }).call(
          'signTx',
          { tx: t, partialSign: false, resolvedInputs: r },
        ),
      [tx, resolved] as const,
    )
    .catch((e) => `error ${e}`);
  await wallet.getByRole('heading', { name: 'Approve transaction' }).waitFor();
  await shot('04-approve-tx');
  await wallet.getByLabel('Password', { exact: true }).fill('wrong password!!');
  await wallet.getByRole('button', { name: 'Approve and sign' }).click();
  await wallet.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
  await shot('05-wrong-password');
  await wallet.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await wallet.getByLabel(/Stay unlocked/).check();
  await wallet.getByRole('button', { name: 'Approve and sign' }).click();
  step(`signTx: ${JSON.stringify(await signedTx).slice(0, 120)}…`);
  step(
    `connect (unlocked?): ${JSON.stringify(await page.evaluate("call('connect', {network:'preprod'})")).slice(0, 40)}`,
  );
  // Unlocked: no password field; approval still needs the click inside the frame.
  const unlockedSign = page
    .evaluate(
      ([address, payload]) =>
        (window as unknown as { call: (m: string, p: unknown) => Promise<unknown> }).call(
          'signData',
          { address, payload },
        ),
      [info.addresses.baseHex, '00ff'] as const,
    )
    .catch((e) => `error ${e}`);
  await wallet.getByRole('heading', { name: 'Sign a message' }).waitFor();
  step(
    `password field while unlocked: ${await wallet.getByLabel('Password', { exact: true }).count()}`,
  );
  // The host covers the frame with a translucent layer (clickjacking set-up).
  await page.evaluate(() => {
    const d = document.createElement('div');
    d.id = 'cover';
    d.style.cssText = 'position:fixed;inset:0;background:rgba(255,255,255,0.3);pointer-events:none';
    document.body.append(d);
  });
  await page.waitForTimeout(800);
  await wallet.getByRole('button', { name: 'Sign message' }).click();
  const refused = await wallet.getByRole('alert').filter({ hasText: 'covered' }).count();
  step(`approval refused while covered: ${refused === 1}`);
  await shot('05b-covered');
  await page.evaluate(() => document.getElementById('cover')?.remove());
  await page.waitForTimeout(800);
  await wallet.getByRole('button', { name: 'Sign message' }).click();
  step(`unlocked signData (hex payload): ${JSON.stringify(await unlockedSign).slice(0, 60)}…`);
  await page.evaluate("call('lock', {})");
  step(
    `after lock: ${JSON.stringify(await page.evaluate("call('connect', {network:'preprod'})")).slice(0, 30)}`,
  );

  const changed = page
    .evaluate("call('manage', {flow:'changePassword'})")
    .catch((e) => `error ${e}`);
  await wallet.getByRole('heading', { name: 'Change password' }).waitFor();
  await wallet.getByLabel('Current password').fill(PASSWORD);
  await wallet.getByLabel('Answer to your security question').fill('REX THE DOG');
  await wallet.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await wallet.getByLabel('Type the new password again').fill(NEW_PASSWORD);
  await shot('06-change-password');
  await wallet.getByLabel('Type the new password again').press('Enter');
  step(`changePassword: ${JSON.stringify(await changed)}`);

  const exported = page.evaluate("call('manage', {flow:'export'})").catch((e) => `error ${e}`);
  await wallet.getByRole('heading', { name: 'Show recovery phrase' }).waitFor();
  await wallet.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await wallet.getByRole('button', { name: 'Show the words' }).click();
  await wallet.getByRole('heading', { name: 'Your recovery phrase' }).waitFor();
  const words = await wallet.locator('.words li').count();
  await wallet.getByRole('button', { name: /close/ }).click();
  step(
    `export: ${JSON.stringify(await exported)}, ${words} words shown, left in DOM: ${await wallet.locator('.words li').count()}`,
  );

  // Recovery on this device (as after a forgotten password): answer → new password.
  const recovered = page.evaluate("call('manage', {flow:'recover'})").catch((e) => `error ${e}`);
  await wallet.getByLabel('Your answer').fill('rex the dog');
  await wallet.getByLabel('Your answer').press('Enter');
  await wallet.getByLabel('New password for this browser').fill(PASSWORD);
  await wallet.getByLabel('Type it again').fill(PASSWORD);
  await shot('07-recover-new-password');
  await wallet.getByLabel('Type it again').press('Enter');
  step(`recover: ${JSON.stringify(await recovered)}`);
  const after = (await page.evaluate("call('connect', {network:'preprod'})")) as {
    wallet: { addresses: { base: string } };
  };
  step(`same address after recovery: ${after.wallet.addresses.base === info.addresses.base}`);
  step(`ui visible calls: ${JSON.stringify(await page.evaluate('window.uiVisible'))}`);

  // A second device (fresh profile = empty IndexedDB), same user: signing needs recovery.
  const profileB = join(tmpdir(), `trine-smoke-b-${Date.now()}`);
  mkdirSync(join(profileB, 'Default'), { recursive: true });
  writeFileSync(
    join(profileB, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: 0 } }),
  );
  const contextB = await chromium.launchPersistentContext(profileB, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 900, height: 760 },
  });
  try {
    const pageB = contextB.pages()[0] ?? (await contextB.newPage());
    await pageB.goto(`http://localhost:${HOST_PORT}/`);
    await pageB.evaluate('window.ready');
    await pageB.evaluate((t) => {
      (window as unknown as { token: string }).token = t;
    }, token);
    const walletB = pageB.frames().find((f) => f.url().startsWith(VAULT))!;
    step(
      `device B connect: ${JSON.stringify(await pageB.evaluate("call('connect', {network:'preprod'})")).slice(0, 30)}`,
    );
    // 'unverified': no address before the key is rebuilt here; recover, then sign.
    const recoverB = pageB.evaluate("call('manage', {flow:'recover'})").catch((e) => `error ${e}`);
    await walletB.getByRole('heading', { name: 'Recover your wallet' }).waitFor();
    await pageB.screenshot({ path: join(SHOTS, '08-device-b-recover.png') });
    await walletB.getByLabel('Your answer').fill('wrong answer');
    await walletB.getByLabel('Your answer').press('Enter');
    await walletB.getByRole('alert').filter({ hasText: 'does not match' }).waitFor();
    step('device B: wrong answer refused');
    await walletB.getByLabel('Your answer').fill('Rex the dog');
    await walletB.getByLabel('Your answer').press('Enter');
    await walletB.getByLabel('New password for this browser').fill('device b password 1');
    await walletB.getByLabel('Type it again').fill('device b password 1');
    await walletB.getByLabel('Type it again').press('Enter');
    step(`device B recovered: ${JSON.stringify(await recoverB)}`);
    const signB = pageB
      .evaluate(
        ([address, payload]) =>
          (window as unknown as { call: (m: string, p: unknown) => Promise<unknown> }).call(
            'signData',
            { address, payload },
          ),
        [info.addresses.base, '68656c6c6f'] as const,
      )
      .catch((e) => `error ${e}`);
    await walletB.getByRole('heading', { name: 'Sign a message' }).waitFor();
    await walletB.getByLabel('Password', { exact: true }).fill('device b password 1');
    await walletB.getByRole('button', { name: 'Sign message' }).click();
    step(`device B signData after recovery: ${JSON.stringify(await signB).slice(0, 50)}…`);
  } finally {
    await contextB.close();
  }

  // Device A's share is now stale (B re-shared): signing offers recovery; cancel → declined.
  const staleA = page
    .evaluate(
      ([address, payload]) =>
        (window as unknown as { call: (m: string, p: unknown) => Promise<unknown> }).call(
          'signData',
          { address, payload },
        ),
      [info.addresses.base, '68656c6c6f'] as const,
    )
    .catch((e) => `error ${e}`);
  await wallet.getByRole('heading', { name: 'Recovery needed on this device' }).waitFor();
  step(`device A stale notice: ${await wallet.locator('.notice').first().textContent()}`);
  await wallet.getByRole('button', { name: 'Cancel' }).press('Escape');
  step(`device A after Escape: ${await staleA}`);

  const deleted = page.evaluate("call('manage', {flow:'delete'})").catch((e) => `error ${e}`);
  await wallet.getByRole('heading', { name: 'Delete wallet' }).waitFor();
  await shot('09-delete');
  await wallet.getByLabel('Type DELETE to confirm').fill('DELETE');
  await wallet.getByRole('button', { name: 'Delete wallet' }).click();
  step(
    `delete: ${JSON.stringify(await deleted)}; connect: ${JSON.stringify(await page.evaluate("call('connect', {network:'preprod'})"))}`,
  );
} catch (e) {
  console.log('FAILED:', e);
  await shot('99-failure');
} finally {
  console.log(consoleLines.join('\n'));
  await context.close();
  server.close();
}
