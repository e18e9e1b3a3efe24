/**
 * @module bench/wallet — `npm run bench:wallet`: the wallet in headless Chromium, through
 * the demo dApp and a real cross-site iframe (the e2e servers: vault + built wallet on
 * 127.0.0.1, demo on localhost). Median ms of RUNS runs (default 5) of:
 *
 *   baseline   a blank same-setup iframe (vault /healthz framed by the demo page) → load
 *   ready-cold Connect → "Wallet connected." for an existing wallet, fresh profile (cold cache)
 *   ready-warm the same after a reload of the same profile (warm HTTP cache)
 *   create     "Create wallet" click → connected (KDF ×2 + CSL + vault)
 *   unlock+sign "Approve and sign" click → witness set shown (password KDF + auth share + sign)
 *   recover    answer "Continue" → new-password screen, plus "Save and finish" → done
 *
 * and bytes of the wallet's JS + wasm (raw, gzip, brotli) and of the SDK
 * (packages/web3-sdk/scripts/size.mjs). Writes bench/results/wallet.json, prints a table.
 * Ratios to the baseline make runs on a noisy shared machine comparable.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { type BrowserContext, chromium, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/chromium.ts';
import { ANSWER, NEW_PASSWORD, PASSWORD } from '../e2e/demo-page.ts';
import { listenSocket, ROOT, startDemo, startVault } from '../e2e/servers.ts';
import { ensureBuilt } from '../scripts/ensure-built.mjs';

const RUNS = Number(process.env.RUNS ?? 5);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function profile(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'trine-bench-profile-'));
  mkdirSync(join(dir, 'Default'), { recursive: true });
  writeFileSync(
    join(dir, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: 0 } }),
  );
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function bytesOf(files: string[]) {
  let raw = 0;
  let gzip = 0;
  let brotli = 0;
  for (const f of files) {
    const b = readFileSync(f);
    raw += b.length;
    gzip += gzipSync(b, { level: 9 }).length;
    brotli += brotliCompressSync(b).length;
  }
  return { raw, gzip, brotli, files: files.length };
}

ensureBuilt(['wallet', 'demo']);
const demoSocket = await listenSocket();
const demoPort = demoSocket.port;
const demoUrl = `http://localhost:${demoPort}`;
const vault = await startVault({
  devOrigins: [demoUrl],
  env: {
    TRINE_RATE_IP: '100000/60',
    TRINE_RATE_USER: '100000/60',
    TRINE_RATE_RECOVERY_IP: '100000/3600',
    TRINE_RATE_RECOVERY_USER: '100000/3600',
  },
});
const demo = await startDemo(demoSocket, vault.url);
const open = (page: Page) => page.goto(`${demoUrl}/?wallet=${encodeURIComponent(vault.url)}`);
const frame = (page: Page) => page.frameLocator('iframe[title="Trine wallet"]');
const connected = (page: Page) =>
  page.locator('#status').filter({ hasText: 'Wallet connected.' }).waitFor({ timeout: 60_000 });
async function signIn(page: Page, user: string) {
  await page.getByLabel('User id').fill(user);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signed-in-as').filter({ hasText: user }).waitFor();
}

const t: Record<string, number[]> = {
  baseline: [],
  'ready-cold': [],
  'ready-warm': [],
  create: [],
  'unlock+sign': [],
  recover: [],
};
try {
  for (let run = 0; run < RUNS; run++) {
    const user = `bench-${Date.now()}-${run}`;
    // create (fresh profile, new user)
    const a = await profile();
    await open(a.page);
    const baseline = await a.page.evaluate(async (src) => {
      const f = document.createElement('iframe');
      const start = performance.now();
      const loaded = new Promise((r) => f.addEventListener('load', r, { once: true }));
      f.src = src;
      document.body.append(f);
      await loaded;
      f.remove();
      return performance.now() - start;
    }, `${vault.url}/healthz`);
    t.baseline!.push(baseline);
    await signIn(a.page, user);
    await a.page.getByRole('button', { name: 'Connect wallet' }).click();
    const w = frame(a.page);
    await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await w.getByLabel('Type the password again').fill(PASSWORD);
    await w.getByLabel('Answer', { exact: true }).fill(ANSWER);
    await w.getByLabel('Type the answer again').fill(ANSWER);
    let s = performance.now();
    await w.getByRole('button', { name: 'Create wallet' }).click();
    await connected(a.page);
    t.create!.push(performance.now() - s);
    // unlock + sign
    await a.page.getByRole('button', { name: 'Build and sign payment' }).click();
    await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await a.page.waitForTimeout(700);
    s = performance.now();
    await w.getByRole('button', { name: 'Approve and sign' }).click();
    await a.page
      .locator('#witness-set')
      .filter({ hasText: /^[0-9a-f]+$/ })
      .waitFor();
    t['unlock+sign']!.push(performance.now() - s);
    await a.close();

    // ready cold / warm and recover on a second device
    const b = await profile();
    await open(b.page);
    await signIn(b.page, user);
    s = performance.now();
    await b.page.getByRole('button', { name: 'Connect wallet' }).click();
    await connected(b.page);
    t['ready-cold']!.push(performance.now() - s);
    await b.page.reload();
    await signIn(b.page, user);
    s = performance.now();
    await b.page.getByRole('button', { name: 'Connect wallet' }).click();
    await connected(b.page);
    t['ready-warm']!.push(performance.now() - s);
    await b.page.getByRole('button', { name: 'Recover', exact: true }).click();
    const bw = frame(b.page);
    await bw.getByLabel('Your answer').fill(ANSWER);
    s = performance.now();
    await bw.getByRole('button', { name: 'Continue' }).click();
    await bw.getByLabel('New password for this browser').waitFor({ timeout: 30_000 });
    let recover = performance.now() - s;
    await bw.getByLabel('New password for this browser').fill(NEW_PASSWORD);
    await bw.getByLabel('Type it again').fill(NEW_PASSWORD);
    s = performance.now();
    await bw.getByRole('button', { name: 'Save and finish' }).click();
    await b.page.locator('#manage-result').filter({ hasText: 'Recovered' }).waitFor();
    recover += performance.now() - s;
    t.recover!.push(recover);
    await b.close();
    process.stdout.write(`run ${run + 1}/${RUNS} done\n`);
  }
} finally {
  await demo.stop();
  await vault.stop();
}

const assets = join(ROOT, 'apps/wallet/dist/assets');
const all = readdirSync(assets).map((f) => join(assets, f));
execFileSync(process.execPath, [join(ROOT, 'packages/web3-sdk/scripts/size.mjs')], {
  stdio: 'ignore',
});
const sdk = JSON.parse(readFileSync(join(ROOT, 'bench/results/sdk-size.json'), 'utf8')).results;
const base = median(t.baseline!);
const timings = Object.fromEntries(
  Object.entries(t).map(([k, v]) => [
    k,
    {
      medianMs: Math.round(median(v)),
      runs: v.map(Math.round),
      xBaseline: +(median(v) / base).toFixed(1),
    },
  ]),
);
const sizes = {
  walletJs: bytesOf(all.filter((f) => f.endsWith('.js'))),
  walletWasm: bytesOf(all.filter((f) => f.endsWith('.wasm'))),
  walletEntry: bytesOf(all.filter((f) => /\/embed-.*\.js$/.test(f))),
  sdkMain: sdk.main,
  sdkTypical: sdk.typical,
};
const result = {
  date: new Date().toISOString(),
  node: process.version,
  chromium: execFileSync(CHROMIUM, ['--version'], {
    encoding: 'utf8',
  }).trim(),
  runs: RUNS,
  timings,
  sizes,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/wallet.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('\n| measure | median ms | × baseline | runs (ms) |\n|---|---:|---:|---|');
for (const [k, v] of Object.entries(timings)) {
  console.log(`| ${k} | ${v.medianMs} | ${v.xBaseline} | ${v.runs.join(', ')} |`);
}
console.log('\n| bytes | raw | gzip | brotli |\n|---|---:|---:|---:|');
for (const [k, v] of Object.entries(sizes)) {
  console.log(`| ${k} | ${v.raw} | ${v.gzip} | ${v.brotli} |`);
}
console.log('\nwrote bench/results/wallet.json');
