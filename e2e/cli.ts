/**
 * @module cli — an independent check of the wallet's address: the `trine` CLI
 * (@trine/cli, outside the browser) derives the address from an exported mnemonic.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './servers.ts';

export interface Derived {
  baseAddress: string;
  rewardAddress: string;
  paymentKeyHash: string;
  stakeKeyHash: string;
  keyId: string;
}

/** `trine derive --mnemonic-file … --network preprod` (a file: no mnemonic in argv). */
export function trineDerive(mnemonic: string, network = 'preprod'): Derived {
  const dir = mkdtempSync(join(tmpdir(), 'trine-e2e-cli-'));
  try {
    const file = join(dir, 'words.txt');
    writeFileSync(file, `${mnemonic}\n`, { mode: 0o600 });
    const out = execFileSync(
      process.execPath,
      [
        join(ROOT, 'packages/cli/bin/trine.mjs'),
        'derive',
        '--mnemonic-file',
        file,
        '--network',
        network,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    return JSON.parse(out) as Derived;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
