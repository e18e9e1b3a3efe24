import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, toHex } from '../src/bytes.ts';
import { generateEntropy } from '../src/entropy.ts';
import { headerOf, type ShareEnvelope } from '../src/envelope.ts';
import { combineShares, shareTag, splitSecret } from '../src/shamir.ts';
import { CTX, caught, expectClass, expectCode, expectNoSecret, flipBit } from './helpers.ts';

const AUTH_FAILED =
  'the shares failed authentication: a share or its header was altered, or shares of different splits were mixed';

const PAIRS = [
  ['device', 'auth'],
  ['auth', 'device'],
  ['device', 'recovery'],
  ['recovery', 'device'],
  ['auth', 'recovery'],
  ['recovery', 'auth'],
] as const;

function withShare(env: ShareEnvelope, bytes: Uint8Array): ShareEnvelope {
  return { ...env, share: toBase64Url(bytes) };
}

describe('splitSecret', () => {
  it('makes three tagged envelopes with roles 1/2/3, threshold 2, the given header', async () => {
    const secret = generateEntropy();
    const before = toHex(secret);
    const s = await splitSecret(secret, CTX);
    expect(toHex(secret)).toBe(before); // input untouched
    expect([s.device.role, s.auth.role, s.recovery.role]).toEqual([1, 2, 3]);
    for (const env of [s.device, s.auth, s.recovery]) {
      expect(env).toMatchObject({ v: 1, threshold: 2, ...CTX });
      expect(fromBase64Url(env.share)).toHaveLength(33);
      expect(fromBase64Url(env.tag)).toHaveLength(16);
      expect(toBase64Url(shareTag(secret, headerOf(env), fromBase64Url(env.share)))).toBe(env.tag);
    }
    // x-coordinates (last byte) are distinct and non-zero
    const xs = [s.device, s.auth, s.recovery].map((e) => fromBase64Url(e.share).at(-1));
    expect(new Set(xs).size).toBe(3);
    expect(xs).not.toContain(0);
  });

  it('refuses bad secrets and bad headers', async () => {
    await expectClass(() => splitSecret('abc' as never, CTX), TypeError);
    await expectClass(() => splitSecret(new Uint8Array(15), CTX), RangeError, /16 to 64 bytes/);
    await expectClass(() => splitSecret(new Uint8Array(65), CTX), RangeError);
    await expectClass(() => splitSecret(new Uint8Array(32), null as never), TypeError);
    await expectClass(
      () => splitSecret(new Uint8Array(32), { ...CTX, extra: 1 } as never),
      TypeError,
      /unknown field "extra"/,
    );
    await expectCode(
      () => splitSecret(new Uint8Array(32), { ...CTX, walletId: 'NOT-A-UUID' }),
      'INVALID_ARGUMENT',
      'walletId must be a lower-case UUID',
    );
    await expectCode(
      () => splitSecret(new Uint8Array(32), { ...CTX, keyId: 'xyz' }),
      'INVALID_ARGUMENT',
    );
    await expectCode(
      () => splitSecret(new Uint8Array(32), { ...CTX, epoch: 0 }),
      'INVALID_ARGUMENT',
    );
  });
});

describe('combineShares', () => {
  it('combine(split(s)) = s for every pair of roles, in any order, and all three (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 16, max: 64 })
          .chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.constantFrom(...PAIRS),
        async (secret, [a, b]) => {
          const s = await splitSecret(secret, CTX);
          expect(toHex(await combineShares([s[a], s[b]]))).toBe(toHex(secret));
          // All three, the pair first (the first two are combined, the third is verified).
          const third = (['device', 'auth', 'recovery'] as const).find((r) => r !== a && r !== b)!;
          expect(toHex(await combineShares([s[b], s[a], s[third]]))).toBe(toHex(secret));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('accepts envelopes as JSON text and meets an expectation', async () => {
    const secret = generateEntropy();
    const s = await splitSecret(secret, CTX);
    const out = await combineShares([JSON.stringify(s.device), s.auth], CTX);
    expect(toHex(out)).toBe(toHex(secret));
  });

  it('refuses fewer than two shares', async () => {
    const s = await splitSecret(generateEntropy(), CTX);
    await expectCode(() => combineShares([]), 'SHARES_TOO_FEW', 'combining needs 2 shares, got 0');
    await expectCode(
      () => combineShares([s.auth]),
      'SHARES_TOO_FEW',
      'combining needs 2 shares, got 1',
    );
  });

  it('refuses shares of different wallets or keys', async () => {
    const secret = generateEntropy();
    const s = await splitSecret(secret, CTX);
    const other = await splitSecret(secret, {
      ...CTX,
      walletId: '11111111-2222-4333-8444-555555555555',
    });
    const otherKey = await splitSecret(secret, { ...CTX, keyId: 'b2'.repeat(28) });
    await expectCode(
      () => combineShares([s.device, other.auth]),
      'SHARES_MIXED_WALLETS',
      'the shares belong to different wallets',
    );
    await expectCode(() => combineShares([s.device, otherKey.auth]), 'SHARES_MIXED_WALLETS');
  });

  it('refuses shares of different epochs (a stale share)', async () => {
    const secret = generateEntropy();
    const e1 = await splitSecret(secret, CTX);
    const e2 = await splitSecret(secret, { ...CTX, epoch: 2 });
    await expectCode(
      () => combineShares([e1.device, e2.auth]),
      'SHARES_MIXED_EPOCHS',
      'the shares are of different epochs (1, 2)',
    );
  });

  it('refuses duplicate roles, and more than three shares', async () => {
    const s = await splitSecret(generateEntropy(), CTX);
    await expectCode(
      () => combineShares([s.auth, s.auth]),
      'SHARES_DUPLICATE_ROLE',
      'two shares have the same role',
    );
    await expectCode(
      () => combineShares([s.device, s.auth, s.recovery, s.auth]),
      'SHARES_DUPLICATE_ROLE',
    );
  });

  it('refuses a mismatched expectation, each with its code', async () => {
    const s = await splitSecret(generateEntropy(), CTX);
    const pair = [s.device, s.auth];
    await expectCode(
      () => combineShares(pair, { walletId: '11111111-2222-4333-8444-555555555555' }),
      'SHARES_MIXED_WALLETS',
      'the shares belong to another wallet',
    );
    await expectCode(() => combineShares(pair, { keyId: 'b2'.repeat(28) }), 'KEY_ID_MISMATCH');
    await expectCode(
      () => combineShares(pair, { epoch: 2 }),
      'SHARES_MIXED_EPOCHS',
      'the shares are of epoch 1, expected epoch 2',
    );
    await expectCode(() => combineShares(pair, { epoch: -1 }), 'INVALID_ARGUMENT');
    await expectClass(() => combineShares(pair, { epoch: 1, role: 1 } as never), TypeError);
  });

  it('refuses share bytes of different lengths, equal x or x = 0 with SHARE_MALFORMED', async () => {
    const s32 = await splitSecret(generateEntropy(32), CTX);
    const s16 = await splitSecret(generateEntropy(16), CTX);
    await expectCode(
      () => combineShares([s32.device, s16.auth]),
      'SHARE_MALFORMED',
      'the shares have different lengths',
    );
    const dev = fromBase64Url(s32.device.share);
    const auth = fromBase64Url(s32.auth.share);
    auth[auth.length - 1] = dev.at(-1)!;
    await expectCode(
      () => combineShares([s32.device, withShare(s32.auth, auth)]),
      'SHARE_MALFORMED',
      'two shares have the same x-coordinate',
    );
    auth[auth.length - 1] = 0;
    await expectCode(
      () => combineShares([s32.device, withShare(s32.auth, auth)]),
      'SHARE_MALFORMED',
      'a share has x-coordinate 0',
    );
  });

  it('refuses shares of two different splits of the same wallet and epoch', async () => {
    const a = await splitSecret(generateEntropy(), CTX);
    const b = await splitSecret(generateEntropy(), CTX);
    await expectCode(() => combineShares([a.device, b.auth]), 'SHARES_AUTH_FAILED', AUTH_FAILED);
  });

  it('a flipped bit anywhere in any share fails authentication (property)', async () => {
    const secret = generateEntropy();
    const s = await splitSecret(secret, CTX);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PAIRS),
        fc.boolean(),
        fc.nat({ max: 32 }),
        fc.nat({ max: 7 }),
        async ([a, b], first, byte, bit) => {
          const target = first ? a : b;
          const env = withShare(s[target], flipBit(fromBase64Url(s[target].share), byte, bit));
          const pair = first ? [env, s[b]] : [s[a], env];
          const e = await caught(() => combineShares(pair));
          // Flipping the x-coordinate into 0 or into the other share's x is SHARE_MALFORMED.
          expect(['SHARES_AUTH_FAILED', 'SHARE_MALFORMED']).toContain((e as { code: string }).code);
          if ((e as { code: string }).code === 'SHARE_MALFORMED') expect(byte).toBe(32);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a flipped bit in the tag, or in a third (unused) share, fails authentication', async () => {
    const s = await splitSecret(generateEntropy(), CTX);
    for (let bit = 0; bit < 128; bit += 7) {
      const tag = flipBit(fromBase64Url(s.auth.tag), bit >> 3, bit & 7);
      await expectCode(
        () => combineShares([s.device, { ...s.auth, tag: toBase64Url(tag) }]),
        'SHARES_AUTH_FAILED',
        AUTH_FAILED,
      );
    }
    const third = withShare(s.recovery, flipBit(fromBase64Url(s.recovery.share), 3, 1));
    await expectCode(() => combineShares([s.device, s.auth, third]), 'SHARES_AUTH_FAILED');
  });

  it('a changed header field (role swap, epoch, keyId) fails authentication', async () => {
    const s = await splitSecret(generateEntropy(), CTX);
    // Relabel the auth share as recovery: the math would still combine, the tag does not.
    await expectCode(() => combineShares([s.device, { ...s.auth, role: 3 }]), 'SHARES_AUTH_FAILED');
    // Change epoch or keyId consistently on both shares.
    await expectCode(
      () =>
        combineShares([
          { ...s.device, epoch: 2 },
          { ...s.auth, epoch: 2 },
        ]),
      'SHARES_AUTH_FAILED',
    );
    const keyId = 'c3'.repeat(28);
    await expectCode(
      () =>
        combineShares([
          { ...s.device, keyId },
          { ...s.auth, keyId },
        ]),
      'SHARES_AUTH_FAILED',
    );
    const walletId = '99999999-2222-4333-8444-555555555555';
    await expectCode(
      () =>
        combineShares([
          { ...s.device, walletId },
          { ...s.auth, walletId },
        ]),
      'SHARES_AUTH_FAILED',
    );
  });

  it('an encoding broken by tampering is ENVELOPE_MALFORMED', async () => {
    const s = await splitSecret(generateEntropy(), CTX);
    await expectCode(
      () => combineShares([s.device, { ...s.auth, share: `${s.auth.share}=` }]),
      'ENVELOPE_MALFORMED',
    );
    await expectCode(
      () => combineShares([s.device, { ...s.auth, tag: s.auth.tag.slice(1) }]),
      'ENVELOPE_MALFORMED',
    );
    await expectCode(() => combineShares([s.device, { ...s.auth, role: 4 }]), 'ENVELOPE_MALFORMED');
    await expectCode(
      () => combineShares([s.device, { ...s.auth, v: 2 }]),
      'ENVELOPE_UNSUPPORTED_VERSION',
    );
  });

  it('never puts a share or the secret in an error', async () => {
    const secret = generateEntropy();
    const s = await splitSecret(secret, CTX);
    const bad = { ...s.auth, tag: toBase64Url(flipBit(fromBase64Url(s.auth.tag), 0, 0)) };
    for (const call of [
      () => combineShares([s.device, bad]),
      () => combineShares([s.device, { ...s.auth, share: `${s.auth.share}!` }]),
      () => combineShares([s.device, { ...s.auth, epoch: 9 }]),
    ]) {
      expectNoSecret(
        await caught(call),
        s.device.share,
        s.auth.share,
        toHex(secret),
        toBase64Url(secret),
      );
    }
  });
});
