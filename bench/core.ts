/**
 * @module bench/core — `npm run bench:core`: custody and Cardano operations in Node.
 *
 * split, combine, seal/open at the default KDF parameters and at the floor, derive,
 * signTx, signData: median of several runs. Baseline, timed in the same run between
 * the operations: blake2b-256 over 1 MiB (@noble/hashes), a fixed CPU workload.
 * Writes bench/results/core.json and prints a markdown table.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { deriveWallet } from '@trine/cardano/keys';
import { signData } from '@trine/cardano/sign-data';
import { signTx } from '@trine/cardano/sign-tx';
import { generateEntropy } from '@trine/core/entropy';
import { DEFAULT_KDF, KDF_FLOOR } from '@trine/core/kdf';
import { openShare, sealShare } from '@trine/core/seal';
import { combineShares, splitSecret } from '@trine/core/shamir';
import { Encoder } from 'cbor-x';
import { machine, median, quantile, type Row, table, time, writeResult } from './lib.ts';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 7;
const FAST_RUNS = quick ? 20 : 200;

const entropy = generateEntropy(32);
const wallet = deriveWallet(entropy, 'preprod');
const header = { walletId: crypto.randomUUID(), keyId: wallet.keyId, epoch: 1 };
const shares = await splitSecret(entropy, header);
const password = 'bench password, not a secret';

const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });
const body = new Map<number, unknown>([
  [0, [[Buffer.alloc(32, 7), 0]]],
  [1, [[Buffer.concat([Buffer.from([0x60]), Buffer.alloc(28, 9)]), 2_000_000]]],
  [2, 170_000],
]);
const txHex = Buffer.concat([
  Buffer.from([0x84]),
  encoder.encode(body),
  Buffer.from([0xa0, 0xf5, 0xf6]),
]).toString('hex');

const MiB = new Uint8Array(1024 * 1024).fill(1);
const baselineName = 'blake2b-256 of 1 MiB (@noble/hashes)';
const baselineRuns: number[] = [];
const baseline = async () =>
  baselineRuns.push(...(await time(() => blake2b(MiB, { dkLen: 32 }), 3, 0)));

const sealedDefault = await sealShare(shares.device, password, { kdf: DEFAULT_KDF });
const sealedFloor = await sealShare(shares.device, password, { kdf: KDF_FLOOR });

const ops: [string, () => unknown, number][] = [
  ['split (32-byte entropy, 2-of-3 + tags)', () => splitSecret(entropy, header), FAST_RUNS],
  ['combine (2 shares + tag check)', () => combineShares([shares.device, shares.auth]), FAST_RUNS],
  [
    `seal at default KDF (m=${DEFAULT_KDF.m} KiB t=${DEFAULT_KDF.t} p=${DEFAULT_KDF.p})`,
    () => sealShare(shares.device, password, { kdf: DEFAULT_KDF }),
    RUNS,
  ],
  [`open at default KDF`, () => openShare(sealedDefault, password), RUNS],
  [
    `seal at floor KDF (m=${KDF_FLOOR.m} KiB t=${KDF_FLOOR.t} p=${KDF_FLOOR.p})`,
    () => sealShare(shares.device, password, { kdf: KDF_FLOOR }),
    RUNS,
  ],
  [`open at floor KDF`, () => openShare(sealedFloor, password), RUNS],
  [
    'derive (CIP-1852 account, addresses, keyId)',
    () => deriveWallet(entropy, 'preprod'),
    quick ? 10 : 50,
  ],
  [
    'signTx (1 input, payment witness)',
    () => signTx(entropy, 'preprod', txHex, { partialSign: false }),
    quick ? 10 : 50,
  ],
  [
    'signData (COSE_Sign1, base address)',
    () => signData(entropy, 'preprod', wallet.baseAddress, '48656c6c6f'),
    quick ? 10 : 50,
  ],
];

const measured: { name: string; samples: number[] }[] = [];
for (const [name, fn, runs] of ops) {
  await baseline();
  measured.push({ name, samples: await time(fn, runs) });
}
await baseline();
const base = median(baselineRuns);
const rows: Row[] = measured.map(({ name, samples }) => {
  const m = median(samples);
  return {
    name,
    runs: samples.length,
    medianMs: m,
    p90Ms: quantile(samples, 0.9),
    opsPerSec: 1000 / m,
    ratioToBaseline: m / base,
  };
});
const md = table(
  rows,
  `${baselineName}: median ${base.toFixed(2)} ms over ${baselineRuns.length} runs`,
);
console.log(md);
const path = writeResult('core.json', {
  benchmark: 'core',
  date: new Date().toISOString(),
  machine: machine(),
  baseline: { name: baselineName, medianMs: base },
  rows,
});
console.log(`\nwrote ${path}`);
