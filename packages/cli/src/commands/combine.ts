/**
 * @module combine — `trine combine DIR`: the mnemonic back from any two of the three
 * shares written by `trine split`, fully offline (the first piece of the recovery kit).
 *
 * Each share file is tried on its own; a missing, damaged or unopenable file is reported
 * on stderr by its error code and skipped. With three usable shares all are combined
 * (every envelope tag is checked); if that fails (one share altered, or shares of two
 * epochs), each pair is tried. The result is always checked against the envelopes'
 * keyId (DESIGN.md §2 invariant 5): a wrong or stale share yields an error, never a
 * wrong mnemonic.
 *
 * A recovery share sealed under the recovery realms as well (record v2, docs/realms.md:
 * what the wallet stores at the vault since realms) cannot be opened offline: it needs t
 * realms' answers to rebuild the unlock key. It is skipped with RECOVERY_NEEDS_REALMS;
 * device + auth still recover offline.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdFromEntropy } from '@trine/cardano/keys';
import { parseEnvelope, ROLE_NAME, type ShareEnvelope } from '@trine/core/envelope';
import { isTrineError, TrineError } from '@trine/core/errors';
import { entropyToMnemonic } from '@trine/core/mnemonic';
import { openShare } from '@trine/core/seal';
import { combineShares } from '@trine/core/shamir';
import { wipe } from '@trine/core/wipe';
import { parse } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { readSecretFile, readTextFile } from '../io.ts';
import { SHARE_FILES } from './split.ts';

export const combineHelp = `trine combine DIR [--password-file F] [--answer-file F]
  Prints the mnemonic from any two of DIR's device.share (needs --password-file),
  auth.share and recovery.share (needs --answer-file). Runs offline: no network at all.
  device.share + auth.share always recover offline. A recovery share written by
  \`trine split\` is sealed with the answer only and opens offline; the recovery share
  the wallet keeps at the vault is also sealed under the recovery realms (record v2) and
  opens only through them (in the wallet): combine skips it (RECOVERY_NEEDS_REALMS).`;

export async function combine(argv: string[], warn: (line: string) => void): Promise<string> {
  const { values, positionals } = parse(
    argv,
    { 'password-file': { type: 'string' }, 'answer-file': { type: 'string' } },
    true,
  );
  if (positionals.length !== 1)
    throw new CliError('USAGE', 'give exactly one folder: trine combine DIR');
  const dir = positionals[0]!;
  if (!existsSync(dir)) throw new CliError('FILE_UNREADABLE', `folder ${dir} does not exist`);
  const password =
    values['password-file'] === undefined
      ? undefined
      : readSecretFile(values['password-file'], 'password');
  const answer =
    values['answer-file'] === undefined
      ? undefined
      : readSecretFile(values['answer-file'], 'answer');

  const envelopes: ShareEnvelope[] = [];
  const skipped: string[] = [];
  const attempt = async (file: string, load: () => Promise<ShareEnvelope> | ShareEnvelope) => {
    const path = join(dir, file);
    if (!existsSync(path)) return void skipped.push(`${file}: missing`);
    try {
      envelopes.push(await load());
    } catch (e) {
      skipped.push(`${file}: ${codeOf(e)}`);
    }
  };
  await attempt(SHARE_FILES.device, async () => {
    if (password === undefined) throw new CliError('USAGE', 'no --password-file');
    return expectRole(
      await openShare(readTextFile(join(dir, SHARE_FILES.device), 'share'), password),
      1,
    );
  });
  await attempt(SHARE_FILES.auth, () =>
    expectRole(parseEnvelope(readTextFile(join(dir, SHARE_FILES.auth), 'share', 8192)), 2),
  );
  await attempt(SHARE_FILES.recovery, async () => {
    const text = readTextFile(join(dir, SHARE_FILES.recovery), 'share');
    if (needsRealms(text)) {
      throw new CliError(
        'RECOVERY_NEEDS_REALMS',
        'this recovery share is sealed under the recovery realms too (record v2): it opens only through the realms (recover in the wallet); offline, use device.share + auth.share',
      );
    }
    if (answer === undefined) throw new CliError('USAGE', 'no --answer-file');
    return expectRole(await openShare(text, answer), 3);
  });
  for (const line of skipped) warn(`trine: warning: not used: ${line}`);
  if (envelopes.length < 2) {
    throw new TrineError(
      'SHARES_TOO_FEW',
      `need two usable shares, have ${envelopes.length} (${skipped.join('; ')})`,
    );
  }

  const candidates: ShareEnvelope[][] = [envelopes];
  if (envelopes.length === 3) {
    const [a, b, c] = envelopes as [ShareEnvelope, ShareEnvelope, ShareEnvelope];
    candidates.push([a, b], [a, c], [b, c]);
  }
  let firstError: unknown;
  for (const set of candidates) {
    try {
      const entropy = await combineChecked(set);
      try {
        if (set.length < envelopes.length) {
          const used = set.map((e) => ROLE_NAME[e.role]).join(' + ');
          warn(
            `trine: warning: all three shares did not agree (${codeOf(firstError)}); used ${used}`,
          );
        }
        return entropyToMnemonic(entropy);
      } finally {
        wipe(entropy);
      }
    } catch (e) {
      firstError ??= e;
    }
  }
  throw firstError;
}

async function combineChecked(set: ShareEnvelope[]): Promise<Uint8Array> {
  const entropy = await combineShares(set);
  const keyId = set[0]!.keyId;
  if (keyIdFromEntropy(entropy) !== keyId) {
    wipe(entropy);
    throw new TrineError('KEY_ID_MISMATCH', 'the combined key does not match the wallet key id');
  }
  return entropy;
}

function expectRole(envelope: ShareEnvelope, role: 1 | 2 | 3): ShareEnvelope {
  if (envelope.role !== role) {
    throw new TrineError(
      'ENVELOPE_MALFORMED',
      `expected a ${ROLE_NAME[role]} share, found a ${ROLE_NAME[envelope.role]} share`,
    );
  }
  return envelope;
}

/** A sealed record v2 (docs/realms.md): `{v: 2, realms: {...}, ...}`. */
function needsRealms(text: string): boolean {
  try {
    const record = JSON.parse(text) as { v?: unknown; realms?: unknown };
    return record?.v === 2 || (typeof record?.realms === 'object' && record.realms !== null);
  } catch {
    return false; // not JSON: openShare reports it with its own code
  }
}

function codeOf(e: unknown): string {
  if (isTrineError(e) || e instanceof CliError) return `${e.code} (${e.message})`;
  return 'UNEXPECTED';
}
