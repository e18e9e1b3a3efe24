import { isTrineError, type TrineError } from '@trine/core/errors';
import { describe, expect, it } from 'vitest';
import { CSL } from '../src/csl.ts';
import { signData } from '../src/sign-data.ts';
import { ENTROPY, ME, ME_MAINNET, OTHER, POLICY } from './fixtures.ts';
import { hex, keyHash, verifyDataSignature } from './helpers.ts';

const PAYLOAD = hex(new TextEncoder().encode('Sign in to example.com: nonce 42'));

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isTrineError(e) ? e.code : (e as Error).name;
  }
  return 'no error';
};

describe('signData', () => {
  it('base address (bech32 and hex) → payment key; verified with noble', () => {
    const addrHex = CSL.Address.from_bech32(ME.baseAddress).to_hex();
    for (const address of [ME.baseAddress, addrHex]) {
      const out = signData(ENTROPY, 'preprod', address, PAYLOAD);
      const parts = verifyDataSignature(out.signature, out.key);
      expect(keyHash(parts.pub)).toBe(ME.paymentKeyHash);
      expect(hex(parts.address)).toBe(addrHex);
      expect(hex(parts.payload)).toBe(PAYLOAD); // unhashed
    }
  });

  it('enterprise address of our payment key → payment key', () => {
    const ent = CSL.EnterpriseAddress.new(
      0,
      CSL.Credential.from_keyhash(CSL.Ed25519KeyHash.from_hex(ME.paymentKeyHash)),
    )
      .to_address()
      .to_bech32();
    const out = signData(ENTROPY, 'preprod', ent, PAYLOAD);
    expect(keyHash(verifyDataSignature(out.signature, out.key).pub)).toBe(ME.paymentKeyHash);
  });

  it('reward address → stake key', () => {
    const out = signData(ENTROPY, 'preprod', ME.rewardAddress, '');
    expect(keyHash(verifyDataSignature(out.signature, out.key).pub)).toBe(ME.stakeKeyHash);
  });

  it('refuses addresses that are not ours, with the CIP-30 DataSignError code', () => {
    const scriptAddr = CSL.EnterpriseAddress.new(
      0,
      CSL.Credential.from_scripthash(CSL.ScriptHash.from_hex(POLICY)),
    )
      .to_address()
      .to_bech32();
    // scriptCredential tells CIP-30 AddressNotPK (script) from ProofGeneration (key not ours)
    const cases: [string, boolean][] = [
      [OTHER.baseAddress, false],
      [OTHER.rewardAddress, false],
      [ME_MAINNET.baseAddress, false], // right keys, wrong network
      [scriptAddr, true],
      ['Ae2tdPwUPEZHtBmjZBF4YpMkK9tMSPTE2ADEZTPN97saNkhG78TvXdp3GDk', false], // Byron
    ];
    for (const [address, script] of cases) {
      let err: unknown;
      try {
        signData(ENTROPY, 'preprod', address, PAYLOAD);
      } catch (e) {
        err = e;
      }
      expect(isTrineError(err, 'ADDRESS_NOT_OURS')).toBe(true);
      expect((err as TrineError).details?.scriptCredential === true).toBe(script);
    }
  });

  it('malformed payload and address have stable codes and say what is wrong', () => {
    expect(codeOf(() => signData(ENTROPY, 'preprod', ME.baseAddress, 'abc'))).toBe(
      'PAYLOAD_MALFORMED',
    );
    expect(codeOf(() => signData(ENTROPY, 'preprod', ME.baseAddress, 'zz'))).toBe(
      'PAYLOAD_MALFORMED',
    );
    expect(
      codeOf(() => signData(ENTROPY, 'preprod', ME.baseAddress, '00'.repeat(16 * 1024 + 1))),
    ).toBe('PAYLOAD_MALFORMED');
    expect(codeOf(() => signData(ENTROPY, 'preprod', 'addr_test1qqqq', PAYLOAD))).toBe(
      'ADDRESS_MALFORMED',
    );
    expect(() =>
      signData(ENTROPY, 'preprod', ME.baseAddress, 'abc'),
    ).toThrowErrorMatchingInlineSnapshot(`[TrineError: payload must be even-length hex]`);
  });
});
