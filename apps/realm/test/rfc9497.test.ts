/**
 * RFC 9497 Appendix A.1.3 (ristretto255-SHA512, POPRF mode) test vectors run against the
 * realm's own code path: its key derivation (deriveRealmKeyPair with the vector's
 * KeyInfo) and its evaluation (blindEvaluate, the function the HTTP route calls, with the
 * vector's proof random scalar); the client's blind and finalize (noble) complete the
 * transcript. Then the same transcript over HTTP with the realm-computed info.
 */
import { readFileSync } from 'node:fs';
import { ristretto255, ristretto255_oprf } from '@noble/curves/ed25519.js';
import { numberToBytesLE } from '@noble/curves/utils.js';
import { fromBase64Url, fromHex, toBase64Url, toHex } from '@trine/core/bytes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blindEvaluate,
  deriveRealmKeyPair,
  poprfInfo,
  REALM_KEY_INFO,
} from '../src/crypto/oprf.ts';
import {
  type Backend,
  call,
  evaluateAt,
  makeRealm,
  openBackend,
  type TestRealm,
  user,
} from './helpers.ts';

interface Vector {
  Input: string;
  Info: string;
  Blind: string;
  BlindedElement: string;
  EvaluationElement: string;
  Proof: string;
  ProofRandomScalar: string;
  Output: string;
}
const FILE = JSON.parse(
  readFileSync(
    new URL('./vectors/rfc9497-poprf-ristretto255-sha512.json', import.meta.url),
    'utf8',
  ),
) as { source: string; Seed: string; KeyInfo: string; skSm: string; pkSm: string; tests: Vector[] };

const Fn = ristretto255.Point.Fn;
/** An RNG whose next RandomScalar (RFC 9497 §2.1, noble's hash-to-field of 48 bytes) is `scalar`. */
const fixedScalar = (scalarHex: string) => {
  const n = Fn.fromBytes(fromHex(scalarHex));
  const bytes = numberToBytesLE(n - 1n, 48) as Uint8Array<ArrayBuffer>;
  let used = false;
  return (len?: number) => {
    if (used || len !== 48) throw new Error(`unexpected RNG call (${len})`);
    used = true;
    return bytes;
  };
};

describe('RFC 9497 A.1.3 POPRF ristretto255-SHA512 vectors on the realm code path', () => {
  it('names its source', () => {
    expect(FILE.source).toMatch(/RFC 9497.*Appendix A\.1\.3/);
    expect(FILE.tests).toHaveLength(2);
  });

  it('DeriveKeyPair(Seed, KeyInfo) gives skSm and pkSm', () => {
    const k = deriveRealmKeyPair(fromHex(FILE.Seed), fromHex(FILE.KeyInfo));
    expect(toHex(k.secretKey)).toBe(FILE.skSm);
    expect(toHex(k.publicKey)).toBe(FILE.pkSm);
    // The realm's own label gives another key from the same seed.
    expect(toHex(deriveRealmKeyPair(fromHex(FILE.Seed)).secretKey)).not.toBe(FILE.skSm);
    expect(new TextDecoder().decode(REALM_KEY_INFO)).toBe('trine-realm/oprf-key/v1');
  });

  for (const [i, v] of FILE.tests.entries()) {
    it(`vector ${i + 1}: blind → realm blindEvaluate (element and proof) → finalize = Output`, () => {
      const k = deriveRealmKeyPair(fromHex(FILE.Seed), fromHex(FILE.KeyInfo));
      const info = fromHex(v.Info);
      const input = fromHex(v.Input);
      const client = ristretto255_oprf.poprf(info);
      const b = client.blind(input, k.publicKey, fixedScalar(v.Blind));
      expect(toHex(b.blind)).toBe(v.Blind);
      expect(toHex(b.blinded)).toBe(v.BlindedElement);
      const ev = blindEvaluate(k.secretKey, info, b.blinded, fixedScalar(v.ProofRandomScalar));
      expect(toHex(ev.evaluated)).toBe(v.EvaluationElement);
      expect(toHex(ev.proof)).toBe(v.Proof);
      const out = client.finalize(input, b.blind, ev.evaluated, b.blinded, ev.proof, b.tweakedKey);
      expect(toHex(out)).toBe(v.Output);
      // A flipped proof bit, or another realm's pinned key, fails the client's check.
      const bad = ev.proof.slice();
      bad[0]! ^= 1;
      expect(() =>
        client.finalize(input, b.blind, ev.evaluated, b.blinded, bad, b.tweakedKey),
      ).toThrow();
      const other = ristretto255_oprf
        .poprf(info)
        .blind(input, deriveRealmKeyPair(new Uint8Array(32).fill(7)).publicKey);
      expect(() =>
        client.finalize(input, b.blind, ev.evaluated, b.blinded, ev.proof, other.tweakedKey),
      ).toThrow();
      // A proof with a non-canonical scalar (c ≥ ℓ) is refused, not reduced.
      const nonCanonical = ev.proof.slice();
      nonCanonical.set(new Uint8Array(32).fill(0xff), 0);
      expect(() =>
        client.finalize(input, b.blind, ev.evaluated, b.blinded, nonCanonical, b.tweakedKey),
      ).toThrow();
    });
  }
});

describe('the same transcript over HTTP, info computed by the realm from the token', () => {
  let backend: Backend;
  let realm: TestRealm;
  beforeAll(async () => {
    backend = await openBackend('PGlite');
    realm = await makeRealm(backend.database);
  });
  afterAll(async () => {
    await realm.close();
    await backend.close();
  });

  it('GET /v1/realm pins the key derived from the seed', async () => {
    const r = await call(realm.app, 'GET', '/v1/realm');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      realmId: 'realm-test-a',
      suite: 'ristretto255-SHA512',
      mode: 'poprf',
      publicKey: toBase64Url(deriveRealmKeyPair(realm.seed).publicKey),
    });
  });

  it('client finalize of the HTTP answer = POPRF Evaluate(sk, input) under ["trine-realm/v1", app, iss, sub, wallet]', async () => {
    const u = await user();
    const input = fromHex(FILE.tests[1]!.Input);
    const { output, reply } = await evaluateAt(realm, u, input, 1);
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      maskedShare: null,
      guesses: 0,
      guessLimit: 10,
      counted: false,
    });
    const info = poprfInfo('dev', u.iss, u.sub, u.walletId);
    expect(new TextDecoder().decode(info)).toBe(
      JSON.stringify(['trine-realm/v1', 'dev', u.iss, u.sub, u.walletId]),
    );
    const sk = deriveRealmKeyPair(realm.seed).secretKey;
    expect(toHex(output!)).toBe(toHex(ristretto255_oprf.poprf(info).evaluate(sk, input)));
    // A client that assumed other info (another wallet id) cannot verify the proof.
    const wrong = ristretto255_oprf.poprf(poprfInfo('dev', u.iss, u.sub, crypto.randomUUID()));
    const b = wrong.blind(input, fromBase64Url(realm.publicKey));
    const r2 = await call(realm.app, 'POST', '/v1/apps/dev/evaluate', {
      token: u.token,
      body: { walletId: u.walletId, epoch: 1, blinded: toBase64Url(b.blinded) },
    });
    expect(r2.status).toBe(200);
    expect(() =>
      wrong.finalize(
        input,
        b.blind,
        fromBase64Url(r2.json.evaluated),
        b.blinded,
        fromBase64Url(r2.json.proof),
        b.tweakedKey,
      ),
    ).toThrow();
  });
});
