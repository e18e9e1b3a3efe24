/**
 * @module bench/kdf-measure — picks the Argon2id implementation by measurement
 * (DESIGN.md §3): hash-wasm vs @noble/hashes, in Node and in headless Chromium.
 *
 *   npx tsx packages/core/bench/kdf-measure.ts [--runs 3] [--no-browser]
 *
 * Node runs the cases directly. For Chromium, kdf-browser-entry.ts is bundled with
 * esbuild (an IIFE, no server needed), injected into about:blank of Debian's
 * /usr/bin/chromium via Playwright, and run on the page. Writes
 * bench/results/kdf-measure.json and prints a markdown table of medians (ms).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { type CaseResult, runKdfCases } from './kdf-cases.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Math.max(3, Number(args[runsArg + 1]) || 3) : 3;
const CHROMIUM = '/usr/bin/chromium';

async function inChromium(runs: number): Promise<{ version: string; results: CaseResult[] }> {
  const bundle = await build({
    entryPoints: [join(here, 'kdf-browser-entry.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]!.text;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    await page.addScriptTag({ content: code });
    const results = await page.evaluate(
      (n) =>
        (
          globalThis as unknown as { runKdfCases: (n: number) => Promise<CaseResult[]> }
        ).runKdfCases(n),
      runs,
    );
    return { version: browser.version(), results };
  } finally {
    await browser.close();
  }
}

const node = await runKdfCases(RUNS);
let browser: { version: string; results: CaseResult[] } | { skipped: string };
if (args.includes('--no-browser')) browser = { skipped: '--no-browser' };
else if (!existsSync(CHROMIUM))
  browser = { skipped: `${CHROMIUM} not found (apt-get install -y chromium)` };
else browser = await inChromium(RUNS);

const result = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
  },
  node: { version: process.version, results: node },
  chromium: browser,
  runs: RUNS,
  statistic: 'median of runs after one warm-up, ms',
};
const out = join(here, 'results', 'kdf-measure.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

const chromiumRows = 'results' in browser ? browser.results : [];
console.log(
  `| case | m KiB | t | p | Node ${process.version} | Chromium ${'version' in browser ? browser.version : '(skipped)'} |`,
);
console.log('|---|---|---|---|---|---|');
for (const row of node) {
  const c = chromiumRows.find((r) => r.name === row.name);
  console.log(
    `| ${row.name} | ${row.m || '–'} | ${row.t || '–'} | ${row.p || '–'} | ${row.medianMs} | ${c ? c.medianMs : '–'} |`,
  );
}
console.log(`\nwrote ${out}`);
