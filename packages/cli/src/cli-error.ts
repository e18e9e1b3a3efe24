/**
 * @module cli-error — errors of the `trine` command itself (usage and files).
 * Library errors (TrineError from @trine/core and @trine/cardano) keep their own codes;
 * main.ts prints either as `trine: error [CODE]: message` on stderr.
 */
/**
 * NETWORK_CONFLICT: --network disagrees with the network the signed address or tx states.
 * RECOVERY_NEEDS_REALMS: a recovery share sealed under the realms (v2) cannot open offline.
 */
export const CLI_ERROR_CODES = [
  'USAGE',
  'FILE_UNREADABLE',
  'OUTPUT_EXISTS',
  'NETWORK_CONFLICT',
  'RECOVERY_NEEDS_REALMS',
] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
  }
}
