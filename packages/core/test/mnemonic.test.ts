import { wordlist } from '@scure/bip39/wordlists/english.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/bytes.ts';
import { ENTROPY_SIZES, generateEntropy } from '../src/entropy.ts';
import { entropyToMnemonic, mnemonicToEntropy } from '../src/mnemonic.ts';
import { expectClass, expectCode, expectNoSecret } from './helpers.ts';
import vectors from './vectors/bip39-english.json' with { type: 'json' };

describe('generateEntropy', () => {
  it('returns 32 random bytes by default and every BIP39 size on request', () => {
    expect(generateEntropy()).toHaveLength(32);
    for (const n of ENTROPY_SIZES) expect(generateEntropy(n)).toHaveLength(n);
    // Two draws of 256 bits never collide unless the RNG is broken.
    expect(toHex(generateEntropy())).not.toBe(toHex(generateEntropy()));
  });

  it.each([0, 8, 15, 17, 31, 33, 64, -32, 32.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses %s bytes with ENTROPY_INVALID',
    async (n) => {
      await expectCode(() => generateEntropy(n), 'ENTROPY_INVALID');
    },
  );

  it('refuses a non-number with TypeError', async () => {
    await expectClass(() => generateEntropy('32' as never), TypeError, /bytes must be a number/);
  });
});

describe('BIP39 English vectors (trezor/python-mnemonic vectors.json)', () => {
  it('names its source and has all 24 English vectors', () => {
    expect(vectors.source).toMatch(/trezor\/python-mnemonic/);
    expect(vectors.vectors).toHaveLength(24);
  });

  it.each(vectors.vectors)('$entropy ↔ mnemonic', ({ entropy, mnemonic }) => {
    expect(entropyToMnemonic(fromHex(entropy))).toBe(mnemonic);
    expect(toHex(mnemonicToEntropy(mnemonic))).toBe(entropy);
    expect(toHex(mnemonicToEntropy(mnemonic.split(' ')))).toBe(entropy);
  });
});

describe('entropy ↔ mnemonic', () => {
  it('round-trips for every entropy size (property)', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...ENTROPY_SIZES)
          .chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        (entropy) => {
          const words = entropyToMnemonic(entropy);
          expect(words.split(' ')).toHaveLength((entropy.length * 3) / 4);
          expect(toHex(mnemonicToEntropy(words))).toBe(toHex(entropy));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('tolerates extra whitespace (any Unicode space) and upper case', () => {
    const { mnemonic, entropy } = vectors.vectors[12]!;
    const messy = `\n  ${mnemonic.toUpperCase().split(' ').join(' \t\u3000 ')}  \r\n`;
    expect(toHex(mnemonicToEntropy(messy))).toBe(entropy);
  });

  it('refuses entropy of a non-BIP39 length with ENTROPY_INVALID', async () => {
    await expectCode(() => entropyToMnemonic(new Uint8Array(17)), 'ENTROPY_INVALID');
    await expectCode(() => entropyToMnemonic(new Uint8Array(0)), 'ENTROPY_INVALID');
    await expectClass(() => entropyToMnemonic([1, 2] as never), TypeError);
  });

  it.each([0, 1, 11, 13, 23, 25, 48])(
    'refuses %s words with MNEMONIC_INVALID_LENGTH',
    async (n) => {
      await expectCode(
        () => mnemonicToEntropy(Array(n).fill('abandon').join(' ')),
        'MNEMONIC_INVALID_LENGTH',
        `a mnemonic has 12, 15, 18, 21 or 24 words, got ${n}`,
      );
    },
  );

  it('refuses an unknown word with its position only, never the word', async () => {
    const words = vectors.vectors[0]!.mnemonic.split(' ');
    words[4] = 'zebrafish';
    const e = await expectCode(
      () => mnemonicToEntropy(words.join(' ')),
      'MNEMONIC_UNKNOWN_WORD',
      'word 5 of 12 is not in the BIP39 English word list',
    );
    expectNoSecret(e, 'zebrafish', 'abandon');
  });

  it('refuses a bad checksum (last word changed) with MNEMONIC_BAD_CHECKSUM', async () => {
    for (const { mnemonic } of vectors.vectors) {
      const words = mnemonic.split(' ');
      const last = wordlist.indexOf(words.at(-1)!);
      // Flip the lowest bit of the last word: always inside the checksum bits.
      words[words.length - 1] = wordlist[last ^ 1]!;
      const e = await expectCode(
        () => mnemonicToEntropy(words.join(' ')),
        'MNEMONIC_BAD_CHECKSUM',
        'the mnemonic checksum does not match',
      );
      expectNoSecret(e, words.slice(0, 3).join(' '));
    }
  });

  it('finds bad checksums in random mnemonics too (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 7 }),
        (e, d) => {
          const words = entropyToMnemonic(e).split(' ');
          const last = wordlist.indexOf(words[23]!);
          // The last word of 24 holds 3 entropy bits and 8 checksum bits: change only checksum bits.
          words[23] = wordlist[(last & ~0xff) | ((last + d) & 0xff)]!;
          expect(() => mnemonicToEntropy(words.join(' '))).toThrow(/checksum/);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses non-strings with TypeError', async () => {
    await expectClass(() => mnemonicToEntropy(42 as never), TypeError);
    await expectClass(() => mnemonicToEntropy(['abandon', 7] as never), TypeError);
  });
});
