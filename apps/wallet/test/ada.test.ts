/**
 * @module test/ada — the wallet's one ada format (src/ada.ts): exact, six decimals,
 * grouped, `ADA` on mainnet and `tADA` on test networks; and ADA_AMOUNT, the pattern the
 * screen tests hold every amount to.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADA_AMOUNT, adaUnit, formatAda } from '../src/ada.ts';

describe('formatAda', () => {
  it.each([
    ['0', 'mainnet', '0.000000 ADA'],
    ['1', 'mainnet', '0.000001 ADA'],
    ['1000000', 'preprod', '1.000000 tADA'],
    ['1234567891', 'mainnet', '1,234.567891 ADA'],
    ['-2500000', 'preview', '−2.500000 tADA'],
    ['45000000000000000', 'mainnet', '45,000,000,000.000000 ADA'],
  ] as const)('formatAda(%s, %s) = %s', (l, network, text) => {
    expect(formatAda(l, network)).toBe(text);
  });

  it('signs positive amounts when asked, never zero; takes bigints', () => {
    expect(formatAda('1500000', 'mainnet', true)).toBe('+1.500000 ADA');
    expect(formatAda('0', 'mainnet', true)).toBe('0.000000 ADA');
    expect(formatAda(-1n, 'preprod', true)).toBe('−0.000001 tADA');
  });

  it('the unit says test funds on every network but mainnet', () => {
    expect([adaUnit('mainnet'), adaUnit('preprod'), adaUnit('preview')]).toEqual([
      'ADA',
      'tADA',
      'tADA',
    ]);
  });

  it('a non-integer is shown as given in lovelace, not guessed at', () => {
    expect(formatAda('1.5', 'mainnet')).toBe('1.5 lovelace');
    // BigInt() would read these as 0, 16 and 1: not here.
    expect(formatAda('', 'mainnet')).toBe(' lovelace');
    expect(formatAda('0x10', 'mainnet')).toBe('0x10 lovelace');
    expect(formatAda(' 1', 'mainnet')).toBe(' 1 lovelace');
  });

  it('exact for any lovelace: digits back to the same integer; ADA_AMOUNT matches it whole', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (n) => {
        const text = formatAda(n, 'preprod');
        const digits = text.replace(/[^0-9]/g, '');
        const back = BigInt(digits) * (text.startsWith('−') ? -1n : 1n);
        expect(back).toBe(n);
        expect(text.match(ADA_AMOUNT)).toEqual([text]);
      }),
    );
  });
});
