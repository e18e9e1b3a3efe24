/**
 * RFC 9497 Appendix A.1.3 (ristretto255-SHA512, POPRF) test vectors, run through the
 * wallet's own client code path (realm-crypto `blindRequest` / `finalizeEvaluation`) with
 * the vectors' fixed blinds, and the server step with @noble/curves (what apps/realm uses)
 * with the vectors' fixed proof scalar. Source of the file: see its "source" field.
 */
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/bytes.ts';
import { blindRequest, finalizeEvaluation } from '../src/realm-crypto.ts';
import vectors from './vectors/rfc9497-poprf-ristretto255-sha512.json' with { type: 'json' };

const ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/**
 * noble draws a scalar as (LE(48 random bytes) mod (n − 1)) + 1 (RFC 9380 hash_to_field
 * style); this rng returns the 48 bytes that make it exactly `scalarHex` (LE), so the
 * RFC's fixed Blind / ProofRandomScalar go through the real code path.
 */
function fixedScalarRng(scalarHex: string): (n?: number) => Uint8Array {
  let value = 0n;
  const le = fromHex(scalarHex);
  for (let i = le.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(le[i]!);
  expect(value > 0n && value < ORDER).toBe(true);
  return (n = 48) => {
    const out = new Uint8Array(n);
    let v = value - 1n;
    for (let i = 0; i < n; i++) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  };
}

describe('RFC 9497 A.1.3 POPRF ristretto255-SHA512 vectors', () => {
  const poprf = (info: Uint8Array) => ristretto255_oprf.poprf(info);

  it('names its source', () => {
    expect(vectors.source).toMatch(/RFC 9497.*A\.1\.3/);
    expect(vectors.identifier).toBe('ristretto255-SHA512');
    expect(vectors.mode).toBe(2);
  });

  it('DeriveKeyPair(Seed, KeyInfo) gives skSm / pkSm', () => {
    const kp = poprf(new Uint8Array(0)).deriveKeyPair(
      fromHex(vectors.seed),
      fromHex(vectors.keyInfo),
    );
    expect(toHex(kp.secretKey)).toBe(vectors.skSm);
    expect(toHex(kp.publicKey)).toBe(vectors.pkSm);
  });

  for (const [i, v] of vectors.vectors.entries()) {
    if (v.Batch !== 1) continue; // the wallet evaluates one element per realm request
    it(`vector ${i + 1}: client blind → server evaluate + proof → client verify + finalize`, () => {
      const input = fromHex(v.Input);
      const info = fromHex(v.Info);
      const pk = fromHex(vectors.pkSm);
      const state = blindRequest(input, info, pk, fixedScalarRng(v.Blind));
      expect(toHex(state.blind)).toBe(v.Blind);
      expect(toHex(state.blinded)).toBe(v.BlindedElement);

      const server = poprf(info).blindEvaluate(
        fromHex(vectors.skSm),
        state.blinded,
        fixedScalarRng(v.Proof.r) as (n?: number) => Uint8Array<ArrayBuffer>,
      );
      expect(toHex(server.evaluated)).toBe(v.EvaluationElement);
      expect(toHex(server.proof)).toBe(v.Proof.proof);

      const out = finalizeEvaluation(input, info, state, server.evaluated, server.proof);
      expect(toHex(out)).toBe(v.Output);
      // The RFC's own Evaluate (server-side, unblinded) agrees.
      expect(toHex(poprf(info).evaluate(fromHex(vectors.skSm), input))).toBe(v.Output);
    });

    it(`vector ${i + 1}: the RFC's evaluation + proof finalise through our code with the fixed blind`, () => {
      const input = fromHex(v.Input);
      const info = fromHex(v.Info);
      const state = blindRequest(input, info, fromHex(vectors.pkSm), fixedScalarRng(v.Blind));
      const out = finalizeEvaluation(
        input,
        info,
        state,
        fromHex(v.EvaluationElement),
        fromHex(v.Proof.proof),
      );
      expect(toHex(out)).toBe(v.Output);
    });
  }
});
