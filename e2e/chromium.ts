/**
 * @module chromium — how every root-level browser run here starts Debian's Chromium
 * (TOOLCHAIN.md: no browser download; these flags keep it off the closed network and
 * runnable as root). Used by e2e/, e2e/prod/ and bench/wallet.bench.ts.
 */
export const CHROMIUM = process.env.TRINE_E2E_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
