/**
 * @module ada — the one way the wallet writes an amount of ada, on every screen that shows
 * one (the approval in the frame and in the popup: headline, outputs, fee, deposits,
 * collateral, balance change, warnings). One rule, so the user never has to wonder
 * whether two screens mean the same figure:
 *
 * - exact: lovelace → ada by integer division, never rounded, never a float;
 * - always six decimals (`2.000000`), so `1.5` and `1.05` cannot be misread and the
 *   smallest unit is always visible;
 * - thousands separated with `,`; a real minus sign `−` (and `+` when a sign is asked for);
 * - the unit `ADA` on mainnet and `tADA` on every test network (preprod, preview), beside
 *   the screen's testnet marker (ui/screen.ts), so test funds never pass for real ones.
 */
import type { Network } from '@trine/protocol/methods';

const LOVELACE_PER_ADA = 1_000_000n;

/** `ADA` on mainnet, `tADA` on a test network. */
export function adaUnit(network: Network): 'ADA' | 'tADA' {
  return network === 'mainnet' ? 'ADA' : 'tADA';
}

/** Digits with `,` every three places. */
function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Lovelace (a decimal string or bigint, may be negative) in the wallet's one ada format:
 * `formatAda('1234567891', 'mainnet')` → `'1,234.567891 ADA'`,
 * `formatAda('-2000000', 'preprod')` → `'−2.000000 tADA'`. A string that is not an
 * integer (never from the decoder) is shown as given, in lovelace, not guessed at.
 */
export function formatAda(lovelace: string | bigint, network: Network, signed = false): string {
  // BigInt() alone would take '', ' 1' or '0x10' as numbers: only plain decimal digits.
  if (typeof lovelace === 'string' && !/^-?\d{1,40}$/.test(lovelace)) return `${lovelace} lovelace`;
  const n = typeof lovelace === 'bigint' ? lovelace : BigInt(lovelace);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const whole = grouped((abs / LOVELACE_PER_ADA).toString());
  const frac = (abs % LOVELACE_PER_ADA).toString().padStart(6, '0');
  const sign = negative ? '−' : signed && n > 0n ? '+' : '';
  return `${sign}${whole}.${frac} ${adaUnit(network)}`;
}

/** A formatter bound to one network (what a screen uses). */
export type AdaFormat = (lovelace: string | bigint, signed?: boolean) => string;

export function adaFormat(network: Network): AdaFormat {
  return (lovelace, signed = false) => formatAda(lovelace, network, signed);
}

/**
 * Matches one amount in the format above, unit included (tests check every screen's text
 * with it: an amount written any other way is a bug).
 */
export const ADA_AMOUNT = /[−+]?\d{1,3}(?:,\d{3})*\.\d{6} t?ADA\b/g;
