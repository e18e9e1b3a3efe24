/**
 * @module entropy — wallet entropy from the platform CSPRNG (DESIGN.md §3: entropy is
 * `crypto.getRandomValues`, 32 bytes for new wallets).
 */
import { TrineError } from './errors.ts';

/** BIP39 entropy sizes in bytes: 128, 160, 192, 224 and 256 bits (12–24 words). */
export const ENTROPY_SIZES = [16, 20, 24, 28, 32] as const;
export type EntropySize = (typeof ENTROPY_SIZES)[number];

/** True when `n` is a BIP39 entropy size in bytes. */
export function isEntropySize(n: unknown): n is EntropySize {
  return typeof n === 'number' && (ENTROPY_SIZES as readonly number[]).includes(n);
}

/**
 * Returns `bytes` fresh random bytes from `crypto.getRandomValues` (Node ≥ 19 and every
 * browser expose it as a global). Throws `ENTROPY_INVALID` for a size BIP39 does not
 * define. The caller owns the buffer and should `wipe` it after use.
 *
 * @example
 * const entropy = generateEntropy(); // 32 bytes → a 24-word mnemonic
 */
export function generateEntropy(bytes: number = 32): Uint8Array {
  if (typeof bytes !== 'number') throw new TypeError('bytes must be a number');
  if (!isEntropySize(bytes)) {
    throw new TrineError(
      'ENTROPY_INVALID',
      `entropy must be 16, 20, 24, 28 or 32 bytes, got ${String(bytes).slice(0, 16)}`,
    );
  }
  const out = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(out);
  return out;
}
