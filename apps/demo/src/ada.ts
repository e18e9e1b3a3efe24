/**
 * @module ada — amounts on the demo page in the wallet's one ada format (the wallet's
 * apps/wallet/src/ada.ts), so the balance the dApp shows reads exactly like the figures
 * on the wallet's approval screen. Written again here because the demo is host code and
 * never imports the wallet (DESIGN.md §1); test/ada.test.ts checks both agree.
 *
 * The rule: lovelace → ada by integer division (never a float), always six decimals,
 * thousands separated by `,`, a real minus sign `−`, and the unit `ADA` on mainnet,
 * `tADA` on a test network.
 */

const LOVELACE_PER_ADA = 1_000_000n;

/** The networks the wallet names (the demo itself runs on a test network only). */
export type AdaNetwork = 'mainnet' | 'preprod' | 'preview';

/**
 * `formatAda(1234567891n, 'mainnet')` → `'1,234.567891 ADA'`,
 * `formatAda(-2000000n, 'preprod')` → `'−2.000000 tADA'`.
 */
export function formatAda(lovelace: bigint, network: AdaNetwork): string {
  const abs = lovelace < 0n ? -lovelace : lovelace;
  const whole = (abs / LOVELACE_PER_ADA).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (abs % LOVELACE_PER_ADA).toString().padStart(6, '0');
  return `${lovelace < 0n ? '−' : ''}${whole}.${frac} ${network === 'mainnet' ? 'ADA' : 'tADA'}`;
}
