/**
 * @module main — the `trine` command: derive, sign and offline split/combine.
 *
 * `main(argv, io)` returns the exit code: 0 success, 1 an error with a code, 2 a usage
 * error. Results go to stdout, errors to stderr as `trine: error [CODE]: message`.
 * Messages never contain a mnemonic, password, answer or share.
 */
import { isTrineError } from '@trine/core/errors';
import { CliError } from './cli-error.ts';
import { combine, combineHelp } from './commands/combine.ts';
import { derive, deriveHelp } from './commands/derive.ts';
import { signData, signDataHelp } from './commands/sign-data.ts';
import { signTx, signTxHelp } from './commands/sign-tx.ts';
import { split, splitHelp } from './commands/split.ts';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
};

export const HELP = `trine — Trine's offline wallet tool (keys, signing, 2-of-3 recovery kit)

Commands:
${[deriveHelp, signTxHelp, signDataHelp, splitHelp, combineHelp].join('\n\n')}

Networks: mainnet, preprod, preview. derive and split default to mainnet; sign-tx and
sign-data take the network from the transaction or address (--network only when it
does not say, and a --network that contradicts it is refused: NETWORK_CONFLICT).

Security: a mnemonic given with --mnemonic is visible to other users and processes of
this machine (ps, /proc) and may land in your shell history. Prefer --mnemonic-file F
(a file only you can read) wherever --mnemonic is accepted. Passwords and answers are
only ever read from files; one trailing newline is removed.

Errors go to stderr as "trine: error [CODE]: message"; exit code 1 (2 for usage errors).`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'derive':
        io.stdout(derive(rest));
        return 0;
      case 'sign-tx':
        io.stdout(signTx(rest));
        return 0;
      case 'sign-data':
        io.stdout(signData(rest));
        return 0;
      case 'split':
        io.stdout(await split(rest));
        return 0;
      case 'combine':
        io.stdout(await combine(rest, io.stderr));
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(
          'USAGE',
          `unknown command "${command.slice(0, 40)}" (try: trine --help)`,
        );
    }
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`trine: error [${e.code}]: ${e.message}`);
      return e.code === 'USAGE' ? 2 : 1;
    }
    if (isTrineError(e)) {
      io.stderr(`trine: error [${e.code}]: ${e.message}`);
      return 1;
    }
    if (e instanceof TypeError || e instanceof RangeError) {
      io.stderr(`trine: error [INVALID_ARGUMENT]: ${e.message}`);
      return 1;
    }
    // Never print an unknown error's message: it could carry input bytes.
    io.stderr('trine: error [INTERNAL]: unexpected failure');
    return 1;
  }
}
