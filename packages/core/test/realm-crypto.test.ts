/**
 * realm-crypto and the v2 sealed record: round trips (fast-check), t-of-n recovery with
 * failed and lying realms, and the hostile-input list a malicious realm can send.
 */
import { ristretto255, ristretto255_oprf } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { equalBytes, fromBase64Url, toBase64Url } from '../src/bytes.ts';
import { generateEntropy } from '../src/entropy.ts';
import { hashAnswer, KDF_FLOOR } from '../src/kdf.ts';
import {
  blindRequest,
  checkRealmPublicKey,
  createRegistration,
  finalizeEvaluation,
  oprfInput,
  type RealmAnswer,
  realmInfo,
  realmPad,
  sealKeyV2,
  unlockKeyCandidates,
  unlockTag,
} from '../src/realm-crypto.ts';
import { openShare, SEAL_OPEN_FAILED_MESSAGE, sealShare } from '../src/seal.ts';
import { openShareV2, sealShareV2, SEAL_OPEN_FAILED_MESSAGE as V2_MSG } from '../src/seal-v2.ts';
import {
  encodeSealedRecord,
  parseSealedRecord,
  type SealedKdf,
  type SealedRecordV2,
} from '../src/sealed-record.ts';
import { combineShares, type SplitShares, splitSecret } from '../src/shamir.ts';
import { CTX, expectCode, flipBit } from './helpers.ts';

const ID = { appId: 'dev', iss: 'https://issuer.example', sub: 'user-1', walletId: CTX.walletId };
const INFO = realmInfo(ID);

interface TestRealm {
  id: string;
  sk: Uint8Array;
  pk: Uint8Array;
}

function makeRealm(id: string): TestRealm {
  const kp = ristretto255_oprf.poprf(new Uint8Array(0)).generateKeyPair();
  return { id, sk: kp.secretKey, pk: kp.publicKey };
}

/** The whole client ↔ realm evaluation, server step by noble (as apps/realm does). */
function evaluate(realm: TestRealm, x: Uint8Array, info = INFO): Uint8Array {
  const state = blindRequest(x, info, realm.pk);
  const r = ristretto255_oprf.poprf(info).blindEvaluate(realm.sk, state.blinded);
  return finalizeEvaluation(x, info, state, r.evaluated, r.proof);
}

const h32 = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 31 + seed) & 0xff);

let realms: TestRealm[];
beforeAll(() => {
  realms = ['realm-a', 'realm-b', 'realm-c'].map(makeRealm);
});

describe('realm-crypto: derivations', () => {
  it('info is the JSON array of docs/realms.md', () => {
    expect(new TextDecoder().decode(INFO)).toBe(
      JSON.stringify(['trine-realm/v1', 'dev', 'https://issuer.example', 'user-1', CTX.walletId]),
    );
  });

  it('the output is a deterministic function of (key, x, info): blinds do not matter', () => {
    const x = oprfInput(h32(1));
    const a = evaluate(realms[0]!, x);
    const b = evaluate(realms[0]!, x);
    expect(a.length).toBe(64);
    expect(equalBytes(a, b)).toBe(true);
    expect(equalBytes(a, evaluate(realms[1]!, x))).toBe(false); // another realm key
    expect(equalBytes(a, evaluate(realms[0]!, oprfInput(h32(2))))).toBe(false); // another guess
    const otherUser = realmInfo({ ...ID, sub: 'user-2' });
    expect(equalBytes(a, evaluate(realms[0]!, x, otherUser))).toBe(false); // another user
  });

  it('pads, tags and K are domain-separated by realm id and epoch', () => {
    const o = new Uint8Array(64).fill(7);
    const U = new Uint8Array(32).fill(9);
    expect(realmPad(o, 'r1', 1).length).toBe(33);
    // The x-coordinate byte stays unmasked: any guess (right or wrong) unmasks to a share
    // with the real x, so a thief of one realm cannot rule a wrong guess out by x = 0.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (out) => {
        const pad = realmPad(out, 'r1', 1);
        return pad[32] === 0 && pad.subarray(0, 32).some((b) => b !== 0);
      }),
      { numRuns: 200 },
    );
    expect(equalBytes(realmPad(o, 'r1', 1), realmPad(o, 'r2', 1))).toBe(false);
    expect(equalBytes(realmPad(o, 'r1', 1), realmPad(o, 'r1', 2))).toBe(false);
    expect(equalBytes(unlockTag(U, 'r1', 1), unlockTag(U, 'r1', 2))).toBe(false);
    expect(equalBytes(unlockTag(U, 'r1', 1), unlockTag(U, 'r2', 1))).toBe(false);
    expect(equalBytes(sealKeyV2(h32(1), U), sealKeyV2(h32(2), U))).toBe(false);
    expect(equalBytes(sealKeyV2(h32(1), U), sealKeyV2(h32(1), new Uint8Array(32)))).toBe(false);
  });
});

describe('realm-crypto: registration and recovery (t of n)', () => {
  it('any t of n right answers give back U (property, t ∈ 1..n, n ∈ 1..5)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            t: fc.integer({ min: 1, max: n }),
            epoch: fc.integer({ min: 1, max: 1000 }),
            outputs: fc.array(fc.uint8Array({ minLength: 64, maxLength: 64 }), {
              minLength: n,
              maxLength: n,
            }),
            pick: fc.shuffledSubarray([...Array(n).keys()], { minLength: 1 }),
          }),
        ),
        async ({ n, t, epoch, outputs, pick }) => {
          const ids = outputs.map((_, i) => `r${i}`);
          const reg = await createRegistration(
            outputs.map((output, i) => ({ realmId: ids[i]!, output })),
            epoch,
            t,
          );
          expect(reg.realms).toHaveLength(n);
          const answers: RealmAnswer[] = pick.map((i) => ({
            realmId: ids[i]!,
            output: outputs[i]!,
            maskedShare: reg.realms[i]!.maskedShare,
          }));
          if (answers.length < t) {
            await expectCode(() => unlockKeyCandidates(answers, epoch, t), 'REALM_THRESHOLD_UNMET');
            return;
          }
          const cands = await unlockKeyCandidates(answers, epoch, t);
          expect(cands.length).toBeGreaterThan(0);
          for (const c of cands) expect(equalBytes(c, reg.unlockKey)).toBe(true);
          for (const [i, r] of reg.realms.entries()) {
            expect(equalBytes(r.unlockTag, unlockTag(reg.unlockKey, ids[i]!, epoch))).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('wrong-guess outputs yield no candidate equal to U (and fewer than t shares reveal nothing usable)', async () => {
    const outputs = realms.map((_, i) => new Uint8Array(64).fill(i + 1));
    const reg = await createRegistration(
      realms.map((r, i) => ({ realmId: r.id, output: outputs[i]! })),
      3,
      2,
    );
    const wrong = realms.map((r, i) => ({
      realmId: r.id,
      output: new Uint8Array(64).fill(100 + i),
      maskedShare: reg.realms[i]!.maskedShare,
    }));
    for (const c of await unlockKeyCandidates(wrong, 3, 2)) {
      expect(equalBytes(c, reg.unlockKey)).toBe(false);
    }
    // A masked share alone, without the output: it is a one-time-padded share of U.
    expect(equalBytes(reg.realms[0]!.maskedShare.subarray(0, 32), reg.unlockKey)).toBe(false);
  });

  it('one lying realm out of 3 (t = 2) spoils only the subsets it is in', async () => {
    const outputs = realms.map((_, i) => new Uint8Array(64).fill(i + 1));
    const reg = await createRegistration(
      realms.map((r, i) => ({ realmId: r.id, output: outputs[i]! })),
      1,
      2,
    );
    const answers = realms.map((r, i) => ({
      realmId: r.id,
      output: outputs[i]!,
      maskedShare:
        i === 1 ? new Uint8Array(33).fill(0x5a) : Uint8Array.from(reg.realms[i]!.maskedShare),
    }));
    const cands = await unlockKeyCandidates(answers, 1, 2);
    expect(cands.filter((c) => equalBytes(c, reg.unlockKey))).toHaveLength(1); // {a, c}
  });

  it('refuses bad configuration and bad answers with typed errors', async () => {
    const out = { realmId: 'r', output: new Uint8Array(64) };
    await expectCode(() => createRegistration([out], 1, 2), 'REALM_CONFIG_INVALID');
    await expectCode(() => createRegistration([out, out], 1, 2), 'REALM_CONFIG_INVALID');
    await expectCode(() => createRegistration([], 1, 1), 'REALM_CONFIG_INVALID');
    await expectCode(
      () => createRegistration([{ ...out, realmId: 'a\nb' }], 1, 1),
      'REALM_CONFIG_INVALID',
    );
    await expectCode(
      () =>
        unlockKeyCandidates(
          [{ ...out, maskedShare: new Uint8Array(32) }],
          1,
          1,
        ) as Promise<unknown>,
      'REALM_RESPONSE_INVALID',
    );
    await expect(
      createRegistration([{ ...out, output: new Uint8Array(63) }], 1, 1),
    ).rejects.toThrow(RangeError);
  });
});

describe('realm-crypto: a malicious realm (hostile evaluation responses)', () => {
  const x = oprfInput(h32(3));
  const realm = () => realms[0]!;
  const good = () => {
    const state = blindRequest(x, INFO, realm().pk);
    const r = ristretto255_oprf.poprf(INFO).blindEvaluate(realm().sk, state.blinded);
    return { state, ...r };
  };
  const identity = ristretto255.Point.ZERO.toBytes();
  // 2^255 − 1: not a canonical field element; p itself (non-canonical encoding of 0)
  const nonCanonical = [
    Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 0x7f : 0xff)),
    Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0xed : i === 31 ? 0x7f : 0xff)),
    Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0x01 : 0)), // negative (odd) s
  ];

  const cases: [string, (g: ReturnType<typeof good>) => [Uint8Array, Uint8Array]][] = [
    ['an evaluated element of 31 bytes', (g) => [g.evaluated.slice(1), g.proof]],
    ['an evaluated element of 33 bytes', (g) => [Uint8Array.of(...g.evaluated, 0), g.proof]],
    ['the identity element', (g) => [identity, g.proof]],
    ...nonCanonical.map(
      (e, i) =>
        [`non-canonical element #${i + 1}`, (g: ReturnType<typeof good>) => [e, g.proof]] as [
          string,
          (g: ReturnType<typeof good>) => [Uint8Array, Uint8Array],
        ],
    ),
    ['a proof of 63 bytes', (g) => [g.evaluated, g.proof.slice(1)]],
    ['a proof with one bit flipped', (g) => [g.evaluated, flipBit(g.proof, 5, 3)]],
    ['an all-zero proof', (g) => [g.evaluated, new Uint8Array(64)]],
    [
      'a non-canonical proof scalar (≥ group order)',
      (g) => [
        g.evaluated,
        Uint8Array.of(...g.proof.slice(0, 32), ...new Uint8Array(32).fill(0xff)),
      ],
    ],
    [
      'the evaluation under another key (with its own valid proof)',
      (g) => {
        const r = ristretto255_oprf.poprf(INFO).blindEvaluate(realms[1]!.sk, g.state.blinded);
        return [r.evaluated, r.proof];
      },
    ],
    ['the blinded element sent back unevaluated', (g) => [g.state.blinded, g.proof]],
  ];

  for (const [name, mutate] of cases) {
    it(`${name} → REALM_RESPONSE_INVALID, never an output`, async () => {
      const g = good();
      const [evaluated, proof] = mutate(g);
      await expectCode(
        () => finalizeEvaluation(x, INFO, g.state, evaluated, proof),
        'REALM_RESPONSE_INVALID',
      );
    });
  }

  it('a pinned public key that is the identity, non-canonical or the wrong length → REALM_CONFIG_INVALID', async () => {
    for (const pk of [identity, ...nonCanonical, new Uint8Array(31)]) {
      await expectCode(() => checkRealmPublicKey(pk), 'REALM_CONFIG_INVALID');
      await expectCode(() => blindRequest(x, INFO, pk), 'REALM_CONFIG_INVALID');
    }
  });

  it('a good response still finalises (the list above is not vacuous)', () => {
    const g = good();
    expect(finalizeEvaluation(x, INFO, g.state, g.evaluated, g.proof)).toHaveLength(64);
  });
});

describe('sealed record v2', () => {
  let shares: SplitShares;
  let kdf: SealedKdf;
  let h: Uint8Array;
  const salt = new Uint8Array(16).fill(3);
  beforeAll(async () => {
    shares = await splitSecret(generateEntropy(), CTX);
    kdf = { name: 'argon2id', ...KDF_FLOOR, salt: toBase64Url(salt) };
    h = await hashAnswer('  Rex ', salt, KDF_FLOOR);
  });
  const realmsParam = { threshold: 2, ids: ['realm-a', 'realm-b', 'realm-c'], epoch: 1 };

  it('open(seal(x)) = x with the same h and U; the record round-trips its canonical JSON', async () => {
    const U = new Uint8Array(32).fill(1);
    const rec = sealShareV2(shares.recovery, { h, unlockKey: U, kdf, realms: realmsParam });
    expect(rec.v).toBe(2);
    expect(rec.realms).toEqual({ scheme: 'trine-realm/v1', ...realmsParam });
    const text = encodeSealedRecord(rec);
    expect(encodeSealedRecord(parseSealedRecord(text))).toBe(text);
    const env = openShareV2(JSON.parse(text), h, U);
    const secret = await combineShares([env, shares.auth], CTX);
    expect(secret).toHaveLength(32);
  });

  it('the same answer hash (normalised) opens; the answer alone or a wrong U does not', async () => {
    const U = new Uint8Array(32).fill(2);
    const rec = sealShareV2(shares.recovery, { h, unlockKey: U, kdf, realms: realmsParam });
    const h2 = await hashAnswer('rex', salt, KDF_FLOOR);
    expect(openShareV2(rec, h2, U).role).toBe(3);
    await expectCode(() => openShareV2(rec, h, new Uint8Array(32).fill(3)), 'SEAL_OPEN_FAILED');
    await expectCode(() => openShareV2(rec, new Uint8Array(32).fill(9), U), 'SEAL_OPEN_FAILED');
    // The JWT holder's offline attempt: the answer alone through the v1 path.
    await expectCode(() => openShare(rec, 'Rex'), 'SEALED_UNSUPPORTED');
  });

  it('any flipped bit in nonce, ciphertext, salt, realm params or header fails (property)', async () => {
    const U = new Uint8Array(32).fill(4);
    const rec = sealShareV2(shares.recovery, { h, unlockKey: U, kdf, realms: realmsParam });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('nonce', 'ciphertext'),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        async (field, byte, bit) => {
          const copy = structuredClone(rec) as SealedRecordV2;
          const b = fromBase64Url(copy[field as 'nonce' | 'ciphertext']);
          copy[field as 'nonce' | 'ciphertext'] = toBase64Url(flipBit(b, byte % b.length, bit));
          await expectCode(() => openShareV2(copy, h, U), 'SEAL_OPEN_FAILED');
        },
      ),
      { numRuns: 40 },
    );
    for (const change of [
      (r: SealedRecordV2) => {
        r.realms.threshold = 1;
      },
      (r: SealedRecordV2) => {
        r.realms.epoch = 2;
      },
      (r: SealedRecordV2) => {
        r.realms.ids = ['realm-a', 'realm-b', 'realm-x'];
      },
      (r: SealedRecordV2) => {
        r.header.epoch = 2;
      },
    ]) {
      const copy = structuredClone(rec) as SealedRecordV2;
      change(copy);
      await expectCode(() => openShareV2(copy, h, U), 'SEAL_OPEN_FAILED');
    }
  });

  it('both seal modules say the same thing on a failed open', () => {
    expect(V2_MSG).toBe(SEAL_OPEN_FAILED_MESSAGE);
  });

  it('v1 records still parse and open with the answer alone (migration)', async () => {
    const v1 = await sealShare(shares.recovery, 'Rex', { kdf: KDF_FLOOR });
    expect(parseSealedRecord(encodeSealedRecord(v1)).v).toBe(1);
    expect((await openShare(v1, ' REX ')).role).toBe(3);
    await expectCode(() => openShareV2(v1, h, new Uint8Array(32)), 'SEALED_UNSUPPORTED');
  });

  it('refuses malformed v2 records with coded errors', async () => {
    const U = new Uint8Array(32).fill(5);
    const rec = sealShareV2(shares.recovery, { h, unlockKey: U, kdf, realms: realmsParam });
    const bad: [unknown, string][] = [
      [{ ...rec, realms: undefined }, 'SEALED_MALFORMED'],
      [{ ...rec, realms: { ...rec.realms, scheme: 'other/v9' } }, 'SEALED_UNSUPPORTED'],
      [{ ...rec, realms: { ...rec.realms, threshold: 4 } }, 'SEALED_MALFORMED'],
      [{ ...rec, realms: { ...rec.realms, threshold: 0 } }, 'SEALED_MALFORMED'],
      [{ ...rec, realms: { ...rec.realms, ids: [] } }, 'SEALED_MALFORMED'],
      [{ ...rec, realms: { ...rec.realms, ids: ['a', 'a'] } }, 'SEALED_MALFORMED'],
      [{ ...rec, realms: { ...rec.realms, ids: ['a\u0000'] } }, 'SEALED_MALFORMED'],
      [{ ...rec, realms: { ...rec.realms, extra: 1 } }, 'SEALED_MALFORMED'],
      [{ ...rec, v: 3 }, 'SEALED_UNSUPPORTED'],
      [{ ...rec, header: { ...rec.header, role: 1 } }, 'SEALED_MALFORMED'],
    ];
    for (const [value, code] of bad) {
      await expectCode(() => parseSealedRecord(value), code as 'SEALED_MALFORMED');
    }
    // A v1 record with a realms field is malformed (exact keys per version).
    const v1 = await sealShare(shares.recovery, 'Rex', { kdf: KDF_FLOOR });
    await expectCode(() => parseSealedRecord({ ...v1, realms: rec.realms }), 'SEALED_MALFORMED');
    // Device shares are never v2.
    await expectCode(
      () => sealShareV2(shares.device, { h, unlockKey: U, kdf, realms: realmsParam }),
      'INVALID_ARGUMENT',
    );
    expect(() =>
      sealShareV2(shares.recovery, { h, unlockKey: U.slice(1), kdf, realms: realmsParam }),
    ).toThrow(TypeError);
  });
});
