import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSL } from '../src/csl.ts';
import { decodeTx } from '../src/decode-tx.ts';
import { deriveWallet, keyIdFromEntropy } from '../src/keys.ts';
import { signData } from '../src/sign-data.ts';
import { signTx } from '../src/sign-tx.ts';
import { buildTx, ME, OTHER, POLICY, TXH } from './fixtures.ts';
import { hex, keyHash, verifyDataSignature, verifyWitnesses } from './helpers.ts';

const entropyArb = fc
  .constantFrom(16, 20, 24, 28, 32)
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
const networkArb = fc.constantFrom('mainnet' as const, 'preprod' as const, 'preview' as const);

describe('properties', () => {
  it('deriveWallet is deterministic, addresses parse back to its key hashes and network', () => {
    fc.assert(
      fc.property(entropyArb, networkArb, (entropy, network) => {
        const a = deriveWallet(entropy, network);
        expect(deriveWallet(entropy.slice(), network)).toEqual(a);
        expect(keyIdFromEntropy(entropy)).toBe(a.keyId);
        const base = CSL.BaseAddress.from_address(CSL.Address.from_bech32(a.baseAddress))!;
        expect(base.payment_cred().to_keyhash()!.to_hex()).toBe(a.paymentKeyHash);
        expect(base.stake_cred().to_keyhash()!.to_hex()).toBe(a.stakeKeyHash);
        expect(CSL.Address.from_bech32(a.rewardAddress).network_id()).toBe(a.networkId);
        expect(a.networkId).toBe(network === 'mainnet' ? 1 : 0);
      }),
      { numRuns: 25 },
    );
  });

  it('decodeTx returns the outputs a tx was built with', () => {
    const outArb = fc.record({
      to: fc.constantFrom(ME.baseAddress, OTHER.baseAddress),
      lovelace: fc.bigInt({ min: 1n, max: 45_000_000_000_000_000n }).map(String),
      asset: fc.option(
        fc.tuple(
          fc.uint8Array({ maxLength: 32 }),
          fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String),
        ),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(outArb, { minLength: 1, maxLength: 5 }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (outs, fee) => {
          const tx = buildTx({
            outputs: outs.map((o) => ({
              address: o.to,
              lovelace: o.lovelace,
              ...(o.asset
                ? { assets: [[POLICY, hex(o.asset[0]), o.asset[1]] as [string, string, string]] }
                : {}),
            })),
            fee: fee.toString(),
          });
          const s = decodeTx(tx, { network: 'preprod' });
          expect(s.fee).toBe(fee.toString());
          expect(s.networkMismatch).toBe(false);
          expect(
            s.outputs.map((o) => [
              o.address,
              o.lovelace,
              o.assets.map((a) => [a.assetName, a.quantity]),
            ]),
          ).toEqual(
            outs.map((o) => [o.to, o.lovelace, o.asset ? [[hex(o.asset[0]), o.asset[1]]] : []]),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('signTx witnesses and signData signatures always verify independently', () => {
    fc.assert(
      fc.property(
        entropyArb,
        fc.integer({ min: 1, max: 200 }),
        fc.uint8Array({ maxLength: 300 }),
        (entropy, n, payload) => {
          const me = deriveWallet(entropy, 'preview');
          const tx = buildTx({
            inputs: [[TXH(n), n]],
            withdrawals: [[me.rewardAddress, String(n)]],
          });
          const signers = verifyWitnesses(
            tx,
            signTx(entropy, 'preview', tx, { partialSign: false }),
          );
          expect(signers).toEqual([me.paymentKeyHash, me.stakeKeyHash]);
          const sig = signData(entropy, 'preview', me.baseAddress, hex(payload));
          const parts = verifyDataSignature(sig.signature, sig.key);
          expect(keyHash(parts.pub)).toBe(me.paymentKeyHash);
          expect(hex(parts.payload)).toBe(hex(payload));
        },
      ),
      { numRuns: 20 },
    );
  });
});
