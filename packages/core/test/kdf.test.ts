import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../src/bytes.ts';
import {
  checkKdfParams,
  DEFAULT_KDF,
  deriveSealKey,
  KDF_CEILING,
  KDF_FLOOR,
  KDF_MAX_WORK,
} from '../src/kdf.ts';
import { expectClass, expectCode } from './helpers.ts';

const SALT = Uint8Array.from({ length: 16 }, (_, i) => i);

describe('checkKdfParams', () => {
  it('accepts the default, the floor and values up to the ceiling', () => {
    expect(checkKdfParams(DEFAULT_KDF)).toEqual({ m: 65536, t: 3, p: 1 });
    expect(checkKdfParams(KDF_FLOOR)).toEqual({ m: 19456, t: 2, p: 1 });
    expect(checkKdfParams({ m: KDF_CEILING.m, t: 4, p: KDF_CEILING.p })).toEqual({
      m: 1048576,
      t: 4,
      p: 8,
    });
    expect(checkKdfParams({ m: 262144, t: 16, p: 4 })).toEqual({ m: 262144, t: 16, p: 4 });
  });

  it.each([
    { m: 19455, t: 2, p: 1 },
    { m: 19456, t: 1, p: 1 },
    { m: 1024, t: 1, p: 1 },
  ])('refuses %o as KDF_PARAMS_TOO_WEAK', async (params) => {
    await expectCode(() => checkKdfParams(params), 'KDF_PARAMS_TOO_WEAK');
  });

  it('names the floor in the message', async () => {
    await expectCode(
      () => checkKdfParams({ m: 1024, t: 1, p: 1 }),
      'KDF_PARAMS_TOO_WEAK',
      'Argon2id parameters m=1024 KiB, t=1 are below the floor m=19456 KiB, t=2',
    );
  });

  it.each([
    { m: 1048577, t: 2, p: 1 },
    { m: 65536, t: 17, p: 1 },
    { m: 65536, t: 3, p: 9 },
    { m: 1048576, t: 5, p: 1 }, // each field in range, total work too high
    { m: KDF_MAX_WORK / 8 + 1024, t: 8, p: 1 },
  ])('refuses %o as KDF_PARAMS_TOO_COSTLY', async (params) => {
    await expectCode(() => checkKdfParams(params), 'KDF_PARAMS_TOO_COSTLY');
  });

  it('refuses non-integers with TypeError/RangeError', async () => {
    await expectClass(() => checkKdfParams(null as never), TypeError);
    await expectClass(
      () => checkKdfParams({ m: '65536', t: 3, p: 1 } as never),
      TypeError,
      /kdf\.m/,
    );
    await expectClass(() => checkKdfParams({ m: 65536, t: 3.5, p: 1 }), RangeError, /kdf\.t/);
    await expectClass(() => checkKdfParams({ m: 65536, t: 3, p: 0 }), RangeError, /kdf\.p/);
    await expectClass(() => checkKdfParams({ m: Number.NaN, t: 3, p: 1 }), RangeError);
  });
});

describe('deriveSealKey', () => {
  it('equals HKDF-SHA256(Argon2id) computed with an independent Argon2id (@noble/hashes)', async () => {
    const secret = utf8('correct horse battery staple');
    const key = await deriveSealKey(secret, SALT, KDF_FLOOR, 'device');
    const stretched = await argon2idAsync(secret, SALT, { m: 19456, t: 2, p: 1, dkLen: 32 });
    const expected = hkdf(sha256, stretched, SALT, utf8('trine/v1/seal/device'), 32);
    expect(toHex(key)).toBe(toHex(expected));
    expect(toHex(secret)).toBe(toHex(utf8('correct horse battery staple'))); // input untouched
  });

  it('separates roles, salts and secrets', async () => {
    const pw = utf8('pw');
    const a = toHex(await deriveSealKey(pw, SALT, KDF_FLOOR, 'device'));
    const b = toHex(await deriveSealKey(pw, SALT, KDF_FLOOR, 'recovery'));
    const c = toHex(await deriveSealKey(pw, new Uint8Array(16), KDF_FLOOR, 'device'));
    const d = toHex(await deriveSealKey(utf8('pW'), SALT, KDF_FLOOR, 'device'));
    expect(new Set([a, b, c, d]).size).toBe(4);
    expect(a).toHaveLength(64);
  });

  it('checks its arguments before any work', async () => {
    const t0 = performance.now();
    await expectCode(
      () => deriveSealKey(utf8('pw'), SALT, { m: 1048576, t: 16, p: 8 }, 'device'),
      'KDF_PARAMS_TOO_COSTLY',
    );
    // m = 1 GiB, t = 16 would take over a minute if any work were done.
    expect(performance.now() - t0).toBeLessThan(2000);
    await expectCode(
      () => deriveSealKey(new Uint8Array(0), SALT, KDF_FLOOR, 'device'),
      'SECRET_EMPTY',
    );
    await expectClass(
      () => deriveSealKey(utf8('pw'), new Uint8Array(8), KDF_FLOOR, 'device'),
      RangeError,
      /salt must be 16 bytes/,
    );
    await expectClass(() => deriveSealKey(utf8('pw'), SALT, KDF_FLOOR, 'auth' as never), TypeError);
    await expectClass(() => deriveSealKey('pw' as never, SALT, KDF_FLOOR, 'device'), TypeError);
  });
});
