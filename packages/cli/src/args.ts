/**
 * @module args — shared option handling: the mnemonic (inline or from a file) and the
 * network.
 */
import { parseArgs } from 'node:util';
import { type Network, parseNetwork } from '@trine/cardano/address';
import { mnemonicToEntropy } from '@trine/core/mnemonic';
import { CliError } from './cli-error.ts';
import { readSecretFile } from './io.ts';

type Spec = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

export const MNEMONIC_OPTIONS = {
  mnemonic: { type: 'string' },
  'mnemonic-file': { type: 'string' },
} as const satisfies Spec;

export const NETWORK_OPTION = {
  network: { type: 'string', default: 'mainnet' },
} as const satisfies Spec;

/** --network with no default: sign-tx and sign-data take it from what they sign. */
export const OPTIONAL_NETWORK_OPTION = {
  network: { type: 'string' },
} as const satisfies Spec;

/** parseArgs with strict checking, turning its errors into USAGE errors. */
export function parse<T extends Spec>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (e) {
    throw new CliError('USAGE', (e as Error).message);
  }
}

/** The wallet entropy from --mnemonic or --mnemonic-file (exactly one). Caller wipes it. */
export function entropyFrom(values: {
  mnemonic?: string | undefined;
  'mnemonic-file'?: string | undefined;
}): Uint8Array {
  const inline = values.mnemonic;
  const file = values['mnemonic-file'];
  if ((inline === undefined) === (file === undefined)) {
    throw new CliError('USAGE', 'give exactly one of --mnemonic or --mnemonic-file');
  }
  const words = inline ?? readSecretFile(file!, 'mnemonic');
  return mnemonicToEntropy(words);
}

export function networkFrom(values: { network?: string | undefined }): Network {
  return parseNetwork(values.network ?? 'mainnet');
}

export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new CliError('USAGE', `${flag} is required`);
  return value;
}
