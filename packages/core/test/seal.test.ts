import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../src/bytes.ts';
import { generateEntropy } from '../src/entropy.ts';
import { encodeEnvelope } from '../src/envelope.ts';
import { DEFAULT_KDF, KDF_FLOOR } from '../src/kdf.ts';
import { openShare, SEAL_OPEN_FAILED_MESSAGE, sealShare } from '../src/seal.ts';
import { encodeSealedRecord, type SealedRecord } from '../src/sealed-record.ts';
import { type SplitShares, splitSecret } from '../src/shamir.ts';
import { CTX, caught, expectClass, expectCode, expectNoSecret, flipBit } from './helpers.ts';

const PASSWORD = 'correct horse battery staple 🐎';
const ANSWER = '  Café  au LAIT ';
const FAST = { kdf: KDF_FLOOR };

let shares: SplitShares;
let device: SealedRecord;
let recovery: SealedRecord;

beforeAll(async () => {
  shares = await splitSecret(generateEntropy(), CTX);
  device = await sealShare(shares.device, PASSWORD, FAST);
  recovery = await sealShare(shares.recovery, ANSWER, FAST);
});

/** A copy of `record` with base64url field bytes flipped at (byte, bit). */
function flipField(
  record: SealedRecord,
  field: 'nonce' | 'ciphertext' | 'salt',
  byte: number,
  bit: number,
): SealedRecord {
  const copy = structuredClone(record);
  if (field === 'salt') {
    const b = fromBase64Url(copy.kdf.salt);
    copy.kdf.salt = toBase64Url(flipBit(b, byte % b.length, bit));
  } else {
    const b = fromBase64Url(copy[field]);
    copy[field] = toBase64Url(flipBit(b, byte % b.length, bit));
  }
  return copy;
}

describe('sealShare / openShare', () => {
  it('open(seal(x)) = x for device and recovery envelopes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 16, max: 64 })
          .chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.constantFrom('device', 'recovery') as fc.Arbitrary<'device' | 'recovery'>,
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''),
        async (secret, role, pw) => {
          const s = await splitSecret(secret, { ...CTX, epoch: 7 });
          const sealed = await sealShare(s[role], pw, FAST);
          expect(sealed.header).toEqual({
            v: 1,
            ...CTX,
            epoch: 7,
            role: s[role].role,
            threshold: 2,
          });
          expect(encodeEnvelope(await openShare(sealed, pw))).toBe(encodeEnvelope(s[role]));
          // …and through the canonical text form, as stored by the vault and the CLI.
          expect(await openShare(encodeSealedRecord(sealed), pw)).toEqual(s[role]);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('uses DEFAULT_KDF when no parameters are given, and opens at it', async () => {
    const sealed = await sealShare(shares.device, PASSWORD);
    expect(sealed.kdf).toMatchObject({ name: 'argon2id', ...DEFAULT_KDF });
    expect(await openShare(sealed, PASSWORD)).toEqual(shares.device);
  });

  it('fresh salt and nonce every time', async () => {
    const again = await sealShare(shares.device, PASSWORD, FAST);
    expect(again.kdf.salt).not.toBe(device.kdf.salt);
    expect(again.nonce).not.toBe(device.nonce);
    expect(again.ciphertext).not.toBe(device.ciphertext);
    expect(fromBase64Url(again.kdf.salt)).toHaveLength(16);
    expect(fromBase64Url(again.nonce)).toHaveLength(12);
    // share (33) + envelope tag (16) + GCM tag (16)
    expect(fromBase64Url(again.ciphertext)).toHaveLength(65);
  });

  it('reports progress kdf → encrypt → done', async () => {
    const stages: string[] = [];
    await sealShare(shares.device, PASSWORD, { ...FAST, onProgress: (s) => stages.push(s) });
    await openShare(device, PASSWORD, { onProgress: (s) => stages.push(s) });
    expect(stages).toEqual(['kdf', 'encrypt', 'done', 'kdf', 'encrypt', 'done']);
  });

  it('refuses to seal an auth share, an empty password or an empty answer', async () => {
    await expectCode(
      () => sealShare(shares.auth, PASSWORD, FAST),
      'INVALID_ARGUMENT',
      'only device (role 1) and recovery (role 3) shares are sealed; auth shares never are',
    );
    await expectCode(
      () => sealShare(shares.device, '', FAST),
      'SECRET_EMPTY',
      'the password is empty',
    );
    await expectCode(() => sealShare(shares.recovery, ' \u3000\n', FAST), 'ANSWER_EMPTY');
    await expectCode(
      () => sealShare({ ...shares.device, tag: 'x' }, PASSWORD, FAST),
      'ENVELOPE_MALFORMED',
    );
  });

  it('refuses weak, costly and unknown options before any work', async () => {
    await expectCode(
      () => sealShare(shares.device, PASSWORD, { kdf: { m: 8192, t: 1, p: 1 } }),
      'KDF_PARAMS_TOO_WEAK',
    );
    await expectCode(
      () => sealShare(shares.device, PASSWORD, { kdf: { m: 1048576, t: 16, p: 1 } }),
      'KDF_PARAMS_TOO_COSTLY',
    );
    await expectClass(
      () => sealShare(shares.device, PASSWORD, { kdf: KDF_FLOOR, fast: true } as never),
      TypeError,
      /unknown option "fast"/,
    );
    await expectClass(
      () => openShare(device, PASSWORD, { kdf: KDF_FLOOR } as never),
      TypeError,
      /unknown option "kdf"/,
    );
    await expectClass(
      () => sealShare(shares.device, PASSWORD, { onProgress: 1 } as never),
      TypeError,
    );
  });

  it('a wrong password or a wrong answer → SEAL_OPEN_FAILED with the fixed message', async () => {
    for (const wrong of ['correct horse battery staple', `${PASSWORD} `, PASSWORD.toUpperCase()]) {
      const e = await expectCode(
        () => openShare(device, wrong),
        'SEAL_OPEN_FAILED',
        SEAL_OPEN_FAILED_MESSAGE,
      );
      expectNoSecret(e, PASSWORD, wrong, shares.device.share);
    }
    const e = await expectCode(
      () => openShare(recovery, 'café au thé'),
      'SEAL_OPEN_FAILED',
      'wrong password/answer, or the record was altered',
    );
    expectNoSecret(e, 'café au thé', shares.recovery.share);
    await expectCode(() => openShare(device, ''), 'SECRET_EMPTY');
    await expectCode(() => openShare(recovery, '   '), 'ANSWER_EMPTY');
  });

  it.each([
    'café au lait',
    'CAFÉ AU LAIT',
    'cafe\u0301 au lait',
    '\u3000Ｃａｆé\u3000ａｕ\u3000ｌａｉｔ\u3000',
    'Café\n\tau\u00a0lait',
  ])('answer variant %j opens the recovery record', async (variant) => {
    expect(await openShare(recovery, variant)).toEqual(shares.recovery);
  });

  it('the password is NFKC-normalised but not case- or space-folded', async () => {
    const sealed = await sealShare(shares.device, 'ﬁle Å', FAST); // ligature, U+212B ANGSTROM SIGN
    expect(await openShare(sealed, 'file Å')).toEqual(shares.device);
    await expectCode(() => openShare(sealed, 'File Å'), 'SEAL_OPEN_FAILED');
    await expectCode(() => openShare(sealed, 'file  Å'), 'SEAL_OPEN_FAILED');
  });
});

describe('tampering with a sealed record', () => {
  it('a flipped bit anywhere in nonce, ciphertext or salt → SEAL_OPEN_FAILED (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('nonce', 'ciphertext', 'salt') as fc.Arbitrary<
          'nonce' | 'ciphertext' | 'salt'
        >,
        fc.nat({ max: 64 }),
        fc.nat({ max: 7 }),
        async (field, byte, bit) => {
          const e = await caught(() => openShare(flipField(device, field, byte, bit), PASSWORD));
          expect(e).toMatchObject({
            name: 'TrineError',
            code: 'SEAL_OPEN_FAILED',
            message: SEAL_OPEN_FAILED_MESSAGE,
          });
        },
      ),
      { numRuns: 10 },
    );
  });

  it('first and last bit of the ciphertext (envelope tag, GCM tag) → SEAL_OPEN_FAILED', async () => {
    await expectCode(
      () => openShare(flipField(device, 'ciphertext', 0, 0), PASSWORD),
      'SEAL_OPEN_FAILED',
    );
    await expectCode(
      () => openShare(flipField(device, 'ciphertext', 64, 7), PASSWORD),
      'SEAL_OPEN_FAILED',
    );
    await expectCode(
      () => openShare(flipField(device, 'ciphertext', 40, 3), PASSWORD),
      'SEAL_OPEN_FAILED',
    );
  });

  it.each([
    ['header.epoch', (r: SealedRecord) => ({ ...r, header: { ...r.header, epoch: 2 } })],
    [
      'header.walletId',
      (r: SealedRecord) => ({
        ...r,
        header: { ...r.header, walletId: '11111111-2222-4333-8444-555555555555' },
      }),
    ],
    [
      'header.keyId',
      (r: SealedRecord) => ({ ...r, header: { ...r.header, keyId: 'b2'.repeat(28) } }),
    ],
    [
      'header.role 1 → 3',
      (r: SealedRecord) => ({ ...r, header: { ...r.header, role: 3 as const } }),
    ],
    ['kdf.t', (r: SealedRecord) => ({ ...r, kdf: { ...r.kdf, t: 3 } })],
    ['kdf.m', (r: SealedRecord) => ({ ...r, kdf: { ...r.kdf, m: 19457 } })],
    ['kdf.p', (r: SealedRecord) => ({ ...r, kdf: { ...r.kdf, p: 2 } })],
  ])('changing %s → SEAL_OPEN_FAILED', async (_, change) => {
    await expectCode(
      () => openShare(change(device), PASSWORD),
      'SEAL_OPEN_FAILED',
      SEAL_OPEN_FAILED_MESSAGE,
    );
  });

  it.each([
    [
      'header.role → 2',
      'SEALED_MALFORMED',
      (r: SealedRecord) => ({ ...r, header: { ...r.header, role: 2 } }),
    ],
    [
      'header.threshold',
      'SEALED_MALFORMED',
      (r: SealedRecord) => ({ ...r, header: { ...r.header, threshold: 3 } }),
    ],
    [
      'kdf.m below floor',
      'KDF_PARAMS_TOO_WEAK',
      (r: SealedRecord) => ({ ...r, kdf: { ...r.kdf, m: 1024 } }),
    ],
    [
      'kdf.t below floor',
      'KDF_PARAMS_TOO_WEAK',
      (r: SealedRecord) => ({ ...r, kdf: { ...r.kdf, t: 1 } }),
    ],
    [
      'kdf.m above ceiling',
      'KDF_PARAMS_TOO_COSTLY',
      (r: SealedRecord) => ({ ...r, kdf: { ...r.kdf, m: 2097152 } }),
    ],
    [
      'kdf.m×t above ceiling',
      'KDF_PARAMS_TOO_COSTLY',
      (r: SealedRecord) => ({ ...r, kdf: { ...r.kdf, m: 1048576, t: 16 } }),
    ],
    [
      'kdf.name',
      'SEALED_UNSUPPORTED',
      (r: SealedRecord) => ({ ...r, kdf: { ...r.kdf, name: 'scrypt' } }),
    ],
    ['alg', 'SEALED_UNSUPPORTED', (r: SealedRecord) => ({ ...r, alg: 'A128GCM' })],
    ['v', 'SEALED_UNSUPPORTED', (r: SealedRecord) => ({ ...r, v: 3 })], // v 2 is realms (realm-crypto.test)
    ['an extra field', 'SEALED_MALFORMED', (r: SealedRecord) => ({ ...r, note: 'hi' })],
    ['a missing field', 'SEALED_MALFORMED', ({ nonce: _n, ...rest }: SealedRecord) => rest],
    [
      'a truncated ciphertext',
      'SEALED_MALFORMED',
      (r: SealedRecord) => ({ ...r, ciphertext: r.ciphertext.slice(0, 40) }),
    ],
    [
      'a short nonce',
      'SEALED_MALFORMED',
      (r: SealedRecord) => ({ ...r, nonce: r.nonce.slice(0, 8) }),
    ],
    [
      'non-canonical base64url',
      'SEALED_MALFORMED',
      (r: SealedRecord) => ({ ...r, nonce: `${r.nonce}=` }),
    ],
  ] as const)('changing %s → %s, before any KDF work', async (_, code, change) => {
    const stages: string[] = [];
    await expectCode(
      () => openShare(change(device) as never, PASSWORD, { onProgress: (s) => stages.push(s) }),
      code,
    );
    expect(stages).toEqual([]); // the 'kdf' stage never started
  });

  it('tampering with the text form too', async () => {
    const text = encodeSealedRecord(device);
    await expectCode(
      () => openShare(text.replace('"epoch":1', '"epoch":3'), PASSWORD),
      'SEAL_OPEN_FAILED',
    );
    await expectCode(
      () => openShare(text.slice(0, -2), PASSWORD),
      'SEALED_MALFORMED',
      'sealed record is not valid JSON',
    );
  });

  it('never puts the password, the answer or the share in an error', async () => {
    const errors = [
      await caught(() => openShare(device, 'hunter2-wrong')),
      await caught(() => openShare(recovery, 'my secret answer')),
      await caught(() => openShare(flipField(device, 'nonce', 1, 1), PASSWORD)),
      await caught(() => sealShare(shares.auth, PASSWORD, FAST)),
      await caught(() => sealShare(shares.device, PASSWORD, { kdf: { m: 1, t: 1, p: 1 } })),
    ];
    for (const e of errors) {
      expectNoSecret(
        e,
        PASSWORD,
        'hunter2-wrong',
        'my secret answer',
        'café au lait',
        shares.device.share,
        shares.recovery.share,
      );
    }
  });
});
