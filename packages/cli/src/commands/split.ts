/**
 * @module split — `trine split`: the offline version of wallet creation (DESIGN.md §3, §5).
 *
 * Writes four files into --out:
 * - device.share   the device share sealed under the password (sealed record JSON)
 * - auth.share     the auth-share envelope: exactly the vault's `authShare` value
 * - recovery.share the recovery share sealed under the answer: the vault's `sealed` value
 * - wallet.json    {walletId, keyId, network, addresses:{base, reward}} (+ question if given)
 * Nothing is written unless all four can be: existing files are never overwritten.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deriveWallet } from '@trine/cardano/keys';
import { encodeEnvelope } from '@trine/core/envelope';
import { sealShare } from '@trine/core/seal';
import { encodeSealedRecord } from '@trine/core/sealed-record';
import { splitSecret } from '@trine/core/shamir';
import { wipe } from '@trine/core/wipe';
import {
  entropyFrom,
  MNEMONIC_OPTIONS,
  NETWORK_OPTION,
  networkFrom,
  parse,
  required,
} from '../args.ts';
import { CliError } from '../cli-error.ts';
import { readSecretFile, writeNewFile } from '../io.ts';

export const SHARE_FILES = {
  device: 'device.share',
  auth: 'auth.share',
  recovery: 'recovery.share',
  wallet: 'wallet.json',
} as const;

export const splitHelp = `trine split (--mnemonic "<words>" | --mnemonic-file F) --password-file F --answer-file F --out DIR [--network N] [--question "<text>"]
  Splits the wallet's entropy 2-of-3 and writes device.share (sealed with the password),
  auth.share (the vault's authShare value), recovery.share (sealed with the answer: the
  vault's recovery.sealed value) and wallet.json. Any two of the three shares give the
  mnemonic back with \`trine combine\`. The answer is normalised (NFKC, trimmed, spaces
  collapsed, lower-case) exactly as the wallet does. Argon2id m=64 MiB t=3 p=1.
  This recovery.share is a v1 record (the answer alone opens it, offline, with no guess
  counting): keep it as safe as the device share. The wallet's own recovery share at the
  vault (v2) also needs the recovery realms; split does not register with any realm.`;

export async function split(argv: string[]): Promise<string> {
  const { values } = parse(argv, {
    ...MNEMONIC_OPTIONS,
    ...NETWORK_OPTION,
    'password-file': { type: 'string' },
    'answer-file': { type: 'string' },
    out: { type: 'string' },
    question: { type: 'string' },
  });
  const network = networkFrom(values);
  const out = required(values.out, '--out');
  const password = readSecretFile(required(values['password-file'], '--password-file'), 'password');
  const answer = readSecretFile(required(values['answer-file'], '--answer-file'), 'answer');
  const entropy = entropyFrom(values);
  try {
    const wallet = deriveWallet(entropy, network);
    const walletId = crypto.randomUUID();
    const shares = await splitSecret(entropy, { walletId, keyId: wallet.keyId, epoch: 1 });
    const device = await sealShare(shares.device, password);
    const recovery = await sealShare(shares.recovery, answer);
    const info = {
      walletId,
      keyId: wallet.keyId,
      network,
      addresses: { base: wallet.baseAddress, reward: wallet.rewardAddress },
      ...(values.question === undefined ? {} : { question: values.question }),
    };
    try {
      mkdirSync(out, { recursive: true, mode: 0o700 });
    } catch {
      throw new CliError('FILE_UNREADABLE', `cannot create the output folder ${out}`);
    }
    const files: [string, string][] = [
      [SHARE_FILES.device, `${encodeSealedRecord(device)}\n`],
      [SHARE_FILES.auth, `${encodeEnvelope(shares.auth)}\n`],
      [SHARE_FILES.recovery, `${encodeSealedRecord(recovery)}\n`],
      [SHARE_FILES.wallet, `${JSON.stringify(info, null, 2)}\n`],
    ];
    for (const [name] of files) assertAbsent(join(out, name));
    for (const [name, text] of files) writeNewFile(join(out, name), text);
    return JSON.stringify({ out, ...info }, null, 2);
  } finally {
    wipe(entropy);
  }
}

function assertAbsent(path: string): void {
  if (existsSync(path)) {
    throw new CliError('OUTPUT_EXISTS', `${path} exists already; refusing to overwrite a share`);
  }
}
