import { CSL } from '@trine/cardano/csl';
import { deriveWallet } from '@trine/cardano/keys';
import { addressHex, bech32Decode } from '@trine/protocol/bech32';
import { describe, expect, it } from 'vitest';

// CSL's root_key_15 entropy (packages/cardano/test/vectors): a public test wallet.
const ENTROPY = Uint8Array.from(Buffer.from('0ccb74f36b7da1649a8144675522d4d8097c6412', 'hex'));

describe('@trine/protocol/bech32 in the wallet: bech32 address → CIP-30 hex', () => {
  for (const network of ['mainnet', 'preprod'] as const) {
    it(`matches CSL for the ${network} base and reward addresses`, () => {
      const w = deriveWallet(ENTROPY, network);
      for (const a of [w.baseAddress, w.rewardAddress]) {
        expect(addressHex(a)).toBe(CSL.Address.from_bech32(a).to_hex());
      }
      expect(bech32Decode(w.rewardAddress).prefix).toBe(
        network === 'mainnet' ? 'stake' : 'stake_test',
      );
    });
  }

  it('refuses a changed character (checksum)', () => {
    const a = deriveWallet(ENTROPY, 'preprod').baseAddress;
    const flipped = `${a.slice(0, 20)}${a[20] === 'q' ? 'p' : 'q'}${a.slice(21)}`;
    expect(() => addressHex(flipped)).toThrow(new RangeError('bech32 checksum mismatch'));
  });

  it('refuses mixed case, bad characters and non-strings', () => {
    const a = deriveWallet(ENTROPY, 'preprod').baseAddress;
    expect(() => addressHex(`${a.slice(0, 10).toUpperCase()}${a.slice(10)}`)).toThrow(
      'bech32 must not mix case',
    );
    // BIP-173: an all-upper-case string is the same address
    expect(addressHex(a.toUpperCase())).toBe(addressHex(a));
    expect(() => addressHex('addr1qqqqqqbqqqqqq')).toThrow(RangeError);
    expect(() => addressHex(42 as unknown as string)).toThrow(TypeError);
  });
});
