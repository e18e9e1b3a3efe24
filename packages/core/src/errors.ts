/**
 * @module errors — the one base error class of Trine, with stable codes.
 *
 * Every error Trine raises on purpose is a `TrineError` whose `code` is one of
 * `TRINE_ERROR_CODES`. Codes are stable API: the CLI prints them, the vault puts them
 * in RFC 9457 problem documents, the wallet sends them over postMessage. Messages name
 * what is wrong and never contain secret bytes (STYLE.md §4, §5).
 */

/** Every stable error code. Add new codes at the end of their group; never rename one. */
export const TRINE_ERROR_CODES = [
  // arguments
  'INVALID_ARGUMENT',
  // entropy and mnemonics
  'ENTROPY_INVALID',
  'MNEMONIC_INVALID_LENGTH',
  'MNEMONIC_UNKNOWN_WORD',
  'MNEMONIC_BAD_CHECKSUM',
  // share envelopes
  'ENVELOPE_MALFORMED',
  'ENVELOPE_UNSUPPORTED_VERSION',
  'SHARE_MALFORMED',
  'SHARES_TOO_FEW',
  'SHARES_MIXED_WALLETS',
  'SHARES_MIXED_EPOCHS',
  'SHARES_DUPLICATE_ROLE',
  'SHARES_AUTH_FAILED',
  'KEY_ID_MISMATCH',
  // sealed records
  'SEALED_MALFORMED',
  'SEALED_UNSUPPORTED',
  'KDF_PARAMS_TOO_WEAK',
  'KDF_PARAMS_TOO_COSTLY',
  'SEAL_OPEN_FAILED',
  // passwords and recovery answers
  'SECRET_EMPTY',
  'ANSWER_EMPTY',
  // Cardano
  'TX_MALFORMED',
  'TX_TOO_LARGE',
  'PROOF_GENERATION',
  'ADDRESS_NOT_OURS',
  'ADDRESS_MALFORMED',
  'PAYLOAD_MALFORMED',
  'NETWORK_UNKNOWN',
  // recovery realms (docs/realms.md)
  'REALM_CONFIG_INVALID',
  'REALM_RESPONSE_INVALID',
  'REALM_THRESHOLD_UNMET',
] as const;

export type TrineErrorCode = (typeof TRINE_ERROR_CODES)[number];

export interface TrineErrorOptions {
  /** The underlying error. Never pass an error whose message may hold secret bytes. */
  cause?: unknown;
  /** Non-secret details safe to show or log (lengths, field names, limits). */
  details?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The base error. `code` is stable; `message` is for people.
 *
 * @example
 * throw new TrineError('SHARES_TOO_FEW', 'combine needs 2 shares, got 1');
 */
export class TrineError extends Error {
  override readonly name = 'TrineError';
  readonly code: TrineErrorCode;
  readonly details: Readonly<Record<string, string | number | boolean>> | undefined;

  constructor(code: TrineErrorCode, message: string, options: TrineErrorOptions = {}) {
    // Never let a bad argument turn constructing an error into a different crash.
    const opts: TrineErrorOptions = typeof options === 'object' && options !== null ? options : {};
    super(
      typeof message === 'string' ? message : `(non-string message: ${typeof message})`,
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.code = code;
    this.details = opts.details;
  }

  /** The shape that crosses process and frame boundaries: `{name, code, message}`. */
  toJSON(): { name: string; code: TrineErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** True when `e` is a TrineError (optionally with the given code). Works across realms. */
export function isTrineError(e: unknown, code?: TrineErrorCode): e is TrineError {
  if (typeof e !== 'object' || e === null) return false;
  const candidate = e as { name?: unknown; code?: unknown };
  if (candidate.name !== 'TrineError' || typeof candidate.code !== 'string') return false;
  return code === undefined || candidate.code === code;
}
