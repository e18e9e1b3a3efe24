/**
 * One hostile-input list run against every export (STYLE.md §9): each call either
 * succeeds or throws TypeError or a TrineError with a known code — never a raw CSL
 * string, a wasm panic, a crash or a hang — and no error text carries the entropy.
 */

import { isTrineError } from '@trine/core/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNetwork } from '../src/address.ts';
import { type DecodeTxOptions, decodeTx } from '../src/decode-tx.ts';
import { CARDANO_ERROR_CODES } from '../src/errors.ts';
import { deriveWallet, keyIdFromEntropy } from '../src/keys.ts';
import { signData } from '../src/sign-data.ts';
import { signTx } from '../src/sign-tx.ts';
import { buildTx, ENTROPY, ME, ME_MAINNET } from './fixtures.ts';
import { hex } from './helpers.ts';

const GOOD_TX = buildTx();
const BYRON = 'Ae2tdPwUPEZHtBmjZBF4YpMkK9tMSPTE2ADEZTPN97saNkhG78TvXdp3GDk';
const ENTROPY_HEX = hex(ENTROPY);

const HOSTILE: unknown[] = [
  undefined,
  null,
  0,
  -1,
  Number.NaN,
  1n,
  true,
  {},
  [],
  [1, 2],
  () => 1,
  Symbol('s'),
  '',
  ' ',
  'a',
  'abc',
  'zz',
  '0x00',
  '00',
  'ff',
  'a0',
  '80',
  '84',
  '9f',
  'bf',
  '84a0a0f5f6',
  '84a100800080f5f6',
  'c0',
  'ffffffffffffffff',
  GOOD_TX.slice(0, -2),
  GOOD_TX.slice(0, 40),
  `${GOOD_TX}00`,
  GOOD_TX.toUpperCase(),
  '00'.repeat(70 * 1024),
  'x'.repeat(200_000),
  BYRON,
  ME.baseAddress,
  ME_MAINNET.baseAddress,
  ME.baseAddress.slice(0, -1),
  `${ME.baseAddress}q`,
  'addr1',
  'stake_test1',
  'addr_test1\u0000',
  '\u{1F600}',
  new Uint8Array(0),
  new Uint8Array(15),
  new Uint8Array(33),
  ENTROPY,
  'preprod',
  'testnet',
];

const KNOWN = new Set<string>(CARDANO_ERROR_CODES);

function check(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof TypeError) return;
    expect(isTrineError(e), `unexpected ${String(e)}`).toBe(true);
    const err = e as Error & { code: string; cause?: unknown };
    expect(KNOWN.has(err.code)).toBe(true);
    expect(err.message).not.toContain(ENTROPY_HEX);
    expect(String(err.cause ?? '')).not.toContain(ENTROPY_HEX);
  }
}

describe('hostile inputs against every export', () => {
  it('deriveWallet / keyIdFromEntropy / parseNetwork', () => {
    for (const a of HOSTILE) {
      check(() => parseNetwork(a));
      check(() => keyIdFromEntropy(a as Uint8Array));
      for (const b of HOSTILE) check(() => deriveWallet(a as Uint8Array, b as 'preprod'));
    }
  });

  it('signTx', () => {
    for (const a of HOSTILE) {
      check(() => signTx(ENTROPY, 'preprod', a as string, { partialSign: false }));
      check(() => signTx(ENTROPY, a as 'preprod', GOOD_TX, { partialSign: true }));
      check(() => signTx(a as Uint8Array, 'preprod', GOOD_TX, { partialSign: true }));
      check(() => signTx(ENTROPY, 'preprod', GOOD_TX, a as { partialSign: boolean }));
      check(() =>
        signTx(ENTROPY, 'preprod', GOOD_TX, { partialSign: false, resolvedInputs: a as [] }),
      );
      check(() =>
        signTx(ENTROPY, 'preprod', GOOD_TX, {
          partialSign: false,
          resolvedInputs: [{ txHash: a, index: a, address: a, value: a } as never],
        }),
      );
    }
  });

  it('signData', () => {
    for (const a of HOSTILE) {
      check(() => signData(ENTROPY, 'preprod', a as string, '00'));
      check(() => signData(ENTROPY, 'preprod', ME.baseAddress, a as string));
      check(() => signData(ENTROPY, a as 'preprod', ME.baseAddress, '00'));
      check(() => signData(a as Uint8Array, 'preprod', ME.baseAddress, '00'));
    }
  });

  it('decodeTx', () => {
    for (const a of HOSTILE) {
      check(() => decodeTx(a as string));
      check(() => decodeTx(GOOD_TX, a as DecodeTxOptions));
      check(() => decodeTx(GOOD_TX, { network: a as 'preprod' }));
      check(() => decodeTx(GOOD_TX, { walletAddresses: a as string[] }));
      check(() => decodeTx(GOOD_TX, { walletAddresses: [a as string] }));
      check(() => decodeTx(GOOD_TX, { resolvedInputs: a as [] }));
    }
  });

  it('random bytes, truncations and bit flips of a real tx never escape as raw errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        check(() => decodeTx(hex(bytes)));
        check(() => signTx(ENTROPY, 'preprod', hex(bytes), { partialSign: true }));
      }),
      { numRuns: 300 },
    );
    const good = Buffer.from(GOOD_TX, 'hex');
    fc.assert(
      fc.property(
        fc.nat(good.length - 1),
        fc.integer({ min: 1, max: 255 }),
        fc.nat(good.length),
        (i, x, cut) => {
          const mutated = Buffer.from(good);
          mutated[i] = mutated[i]! ^ x;
          check(() => decodeTx(mutated.toString('hex')));
          check(() =>
            signTx(ENTROPY, 'preprod', mutated.subarray(0, cut).toString('hex'), {
              partialSign: true,
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stable codes for the common mistakes', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isTrineError(e) ? e.code : (e as Error).name;
      }
      return 'ok';
    };
    expect(code(() => decodeTx('abc'))).toBe('TX_MALFORMED');
    expect(code(() => decodeTx(''))).toBe('TX_MALFORMED');
    expect(code(() => decodeTx('84a0a0f5f6'))).toBe('TX_MALFORMED');
    expect(code(() => decodeTx('00'.repeat(64 * 1024 + 1)))).toBe('TX_TOO_LARGE');
    expect(code(() => decodeTx(GOOD_TX.slice(0, -4)))).toBe('TX_MALFORMED');
    expect(code(() => decodeTx(42 as unknown as string))).toBe('TypeError');
    expect(code(() => parseNetwork('testnet'))).toBe('NETWORK_UNKNOWN');
    expect(code(() => deriveWallet(new Uint8Array(15), 'preprod'))).toBe('ENTROPY_INVALID');
    expect(code(() => signData(ENTROPY, 'preprod', BYRON, '00'))).toBe('ADDRESS_NOT_OURS');
    expect(code(() => signData(ENTROPY, 'preprod', 'addr_test1xyz', '00'))).toBe(
      'ADDRESS_MALFORMED',
    );
    expect(code(() => decodeTx(GOOD_TX, { walletAddresses: ['nope'] }))).toBe('ADDRESS_MALFORMED');
  });
});
