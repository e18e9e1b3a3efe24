/**
 * @module The demo's ada format is the wallet's, figure for figure: examples, then the
 * wallet's own formatter (apps/wallet/src/ada.ts, read here by the test only — the demo's
 * code never imports the wallet) over random amounts on every network.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAda as walletFormat } from '../../wallet/src/ada.ts';
import { formatAda } from '../src/ada.ts';

describe('formatAda', () => {
  it('writes six decimals, thousands separators, tADA on a test network', () => {
    expect(formatAda(17_500_000n, 'preprod')).toBe('17.500000 tADA');
    expect(formatAda(1_234_567_891n, 'mainnet')).toBe('1,234.567891 ADA');
    expect(formatAda(0n, 'preview')).toBe('0.000000 tADA');
    expect(formatAda(1n, 'preprod')).toBe('0.000001 tADA');
    expect(formatAda(-2_000_000n, 'preprod')).toBe('−2.000000 tADA');
    expect(formatAda(45_000_000_000_000_000n, 'mainnet')).toBe('45,000,000,000.000000 ADA');
  });

  it('equals the wallet’s formatter for any amount and network', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.constantFrom('mainnet', 'preprod', 'preview' as const),
        (n, network) => formatAda(n, network) === walletFormat(n, network),
      ),
      { numRuns: 2000 },
    );
  });
});
