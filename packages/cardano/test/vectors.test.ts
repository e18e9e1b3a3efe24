/**
 * Published vectors (test/vectors/*.json, each naming its source): CIP-1852 derivations
 * from cardano-serialization-lib's address tests and from the cardano-addresses README,
 * and CIP-30 signData outputs of Lucid and Eternl from CardanoSharp's tests.
 */
import { describe, expect, it } from 'vitest';
import { CSL } from '../src/csl.ts';
import { deriveWallet, keyIdFromEntropy } from '../src/keys.ts';
import { signData } from '../src/sign-data.ts';
import { bech32Bytes, hex, keyHash, unhex, verifyDataSignature } from './helpers.ts';
import signDataVectors from './vectors/cip30-signdata-cardanosharp.json' with { type: 'json' };
import caVector from './vectors/cip1852-cardano-addresses-readme.json' with { type: 'json' };
import cslVectors from './vectors/cip1852-csl-address-rs.json' with { type: 'json' };

const paymentHashOf = (bech32: string): string => {
  const a = CSL.Address.from_bech32(bech32);
  return a.payment_cred()!.to_keyhash()!.to_hex();
};

describe('CIP-1852 vectors: cardano-serialization-lib rust/src/tests/address.rs', () => {
  for (const v of cslVectors.vectors) {
    it(`${v.name}: base and reward addresses on both networks`, () => {
      const entropy = unhex(v.entropy);
      const test = deriveWallet(entropy, 'preprod');
      const main = deriveWallet(entropy, 'mainnet');
      expect(test.baseAddress).toBe(v.testnet.base);
      expect(main.baseAddress).toBe(v.mainnet.base);
      expect(deriveWallet(entropy, 'preview').baseAddress).toBe(v.testnet.base);
      // enterprise address = our payment key hash alone
      expect(paymentHashOf(v.testnet.enterprise)).toBe(test.paymentKeyHash);
      expect(paymentHashOf(v.mainnet.enterprise)).toBe(main.paymentKeyHash);
      const t = v.testnet as { reward?: string };
      const m = v.mainnet as { reward?: string };
      if (t.reward) expect(test.rewardAddress).toBe(t.reward);
      if (m.reward) expect(main.rewardAddress).toBe(m.reward);
      expect(test.networkId).toBe(0);
      expect(main.networkId).toBe(1);
    });
  }
});

describe('CIP-1852 vectors: cardano-addresses README', () => {
  const entropy = unhex(caVector.entropy);
  const w = deriveWallet(entropy, 'preprod');

  it('key hashes and testnet base / reward addresses', () => {
    expect(w.paymentKeyHash).toBe(caVector.paymentKeyHash);
    expect(w.stakeKeyHash).toBe(caVector.stakeKeyHash);
    expect(w.baseAddress).toBe(caVector.testnet.base);
    expect(w.rewardAddress).toBe(caVector.testnet.reward);
    expect(paymentHashOf(caVector.testnet.enterprise)).toBe(w.paymentKeyHash);
  });

  it('payment and stake xpubs hash to the published key hashes (noble blake2b)', () => {
    const addrXvk = bech32Bytes(caVector.addrXvk);
    const stakeXvk = bech32Bytes(caVector.stakeXvk);
    expect(addrXvk).toHaveLength(64);
    expect(keyHash(addrXvk.slice(0, 32))).toBe(w.paymentKeyHash);
    expect(keyHash(stakeXvk.slice(0, 32))).toBe(w.stakeKeyHash);
  });

  it('account xpub equals the public half of the published acct_xsk; keyId is its blake2b-224', () => {
    const acct = CSL.Bip32PrivateKey.from_bytes(bech32Bytes(caVector.acctXsk));
    const acctXpub = acct.to_public().as_bytes();
    acct.free();
    expect(w.accountXpub).toBe(hex(acctXpub));
    expect(w.keyId).toBe(keyHash(acctXpub));
    expect(keyIdFromEntropy(entropy)).toBe(w.keyId);
  });

  it('root key from entropy equals the published root_xsk', () => {
    const published = CSL.Bip32PrivateKey.from_bytes(bech32Bytes(caVector.rootXsk));
    const ours = CSL.Bip32PrivateKey.from_bip39_entropy(entropy, new Uint8Array());
    expect(ours.to_public().to_hex()).toBe(published.to_public().to_hex());
    published.free();
    ours.free();
  });
});

describe('CIP-30 signData vectors: Lucid / Eternl outputs (CardanoSharp tests)', () => {
  const entropy = unhex(signDataVectors.entropy);
  const w = deriveWallet(entropy, 'mainnet');
  for (const v of signDataVectors.vectors) {
    it(`${v.wallet}: byte-identical COSE_Sign1 and COSE_Key`, () => {
      const payloadHex = hex(new TextEncoder().encode(v.payloadUtf8));
      const out = signData(entropy, 'mainnet', w.baseAddress, payloadHex);
      expect(out.signature).toBe(v.signature);
      expect(out.key).toBe(v.key);
      // and the published vector verifies under the independent verifier
      const parts = verifyDataSignature(v.signature, v.key);
      expect(hex(parts.address)).toBe(CSL.Address.from_bech32(w.baseAddress).to_hex());
      expect(keyHash(parts.pub)).toBe(w.paymentKeyHash);
    });
  }
});
