/**
 * Export shows the recovery phrase inside the wallet iframe only. The host page — with a
 * spy script installed before the SDK (host-spy.ts) — searches its own DOM, storage,
 * cookies, resource URLs and every message it received, and finds neither the mnemonic,
 * nor any share (device share from the wallet's IndexedDB, auth share and sealed recovery
 * share from the vault), nor the password or the answer.
 */
import { ANSWER, clickInFrame, PASSWORD } from './demo-page.ts';
import { env, expect, test } from './fixtures.ts';
import { installHostSpy } from './host-spy.ts';
import { devToken, vaultGet, vaultRecovery } from './vault-api.ts';
import { deviceRecords } from './wallet-storage.ts';

/**
 * The secret parts of a share record: every `share` and `ciphertext` string (headers
 * such as walletId and keyId are public: the host legitimately knows them).
 */
function secretStrings(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) secretStrings(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'share' || k === 'ciphertext') && typeof x === 'string') out.push(x);
      else secretStrings(x, out);
    }
  }
  return out;
}

test('export shows the mnemonic in the iframe; the host never sees it or any share', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  await context.addInitScript(installHostSpy);
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();
  await demo.signPayment();
  await page.getByRole('button', { name: 'Sign message' }).click();
  await demo.approve('Sign a message', 'Sign message');
  await expect(page.locator('#signature')).toHaveText(/^[0-9a-f]+$/);

  await demo.manage('Show recovery phrase');
  const w = demo.wallet;
  await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await clickInFrame(w.getByRole('button', { name: 'Show the words' }));
  await expect(w.getByRole('heading', { name: 'Your recovery phrase' })).toBeVisible({
    timeout: 30_000,
  });
  const words = await w.locator('ol.words li').allTextContents();
  expect(words).toHaveLength(24);
  await demo.shot('wallet-export');
  // While the words are on screen, the host's DOM has none of them.
  const hostText = await page.evaluate(() => document.documentElement.outerHTML);
  expect(hostText).not.toContain(words.slice(0, 3).join(' '));
  await clickInFrame(w.getByRole('button', { name: /close/ }));
  await expect(page.locator('#manage-result')).toHaveText(/Recovery phrase shown/);

  // What the secrets are: the mnemonic, the password, the answer, and every share.
  const records = await deviceRecords(demo.walletFrame());
  expect(records).toHaveLength(1);
  const token = await devToken(env.vault, user);
  const auth = await vaultGet(env.vault, token, '/auth-share');
  expect(auth.status).toBe(200);
  const recovery = await vaultRecovery(env.vault, token);
  expect(recovery.status).toBe(200);
  const shareStrings = [
    ...secretStrings((records[0] as { sealed: unknown }).sealed),
    ...secretStrings((auth.body as { authShare: unknown }).authShare),
    ...secretStrings((recovery.body as { sealed: unknown }).sealed),
  ];
  expect(shareStrings).toHaveLength(3);
  for (const s of shareStrings) expect(s.length).toBeGreaterThanOrEqual(32);
  const phrases = words.slice(0, -2).map((_, i) => words.slice(i, i + 3).join(' '));

  // Everything the host page holds or received.
  const haystack = await page.evaluate(async () => {
    const spy = window as unknown as { __seen: unknown[] };
    const dump: string[] = [
      document.documentElement.outerHTML,
      document.body.textContent ?? '',
      document.cookie,
      JSON.stringify({ ...localStorage }),
      JSON.stringify({ ...sessionStorage }),
      JSON.stringify(performance.getEntries().map((e) => e.name)),
      JSON.stringify((await indexedDB.databases()).map((d) => d.name)),
      JSON.stringify(await caches.keys()),
      location.href,
    ];
    for (const m of spy.__seen) {
      try {
        dump.push(JSON.stringify(m));
      } catch {
        dump.push(String(m));
      }
    }
    return { text: dump.join('\n'), messages: spy.__seen.length };
  });
  // The spy did see the protocol traffic (so an absence below means something).
  expect(haystack.messages).toBeGreaterThan(10);
  expect(haystack.text).toContain(address);
  const lower = haystack.text.toLowerCase();
  for (const p of phrases) expect(lower).not.toContain(p);
  expect(haystack.text).not.toContain(PASSWORD);
  expect(lower).not.toContain(ANSWER.toLowerCase());
  for (const s of shareStrings) expect(haystack.text).not.toContain(s);
});
