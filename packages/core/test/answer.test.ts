import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ANSWER_CHARS, normalizeAnswer } from '../src/answer.ts';
import { expectClass, expectCode } from './helpers.ts';

describe('normalizeAnswer', () => {
  it.each([
    // Latin: composed vs decomposed accents, case, spaces
    ['  Café  au LAIT ', 'café au lait'],
    ['Cafe\u0301 au lait', 'café au lait'],
    ['CAFÉ\tAU\nLAIT', 'café au lait'],
    ['Ｃａｆé　ａｕ　ｌａｉｔ', 'café au lait'], // full-width Latin, ideographic spaces
    ['Straße', 'straße'],
    ['ﬁsh', 'fish'], // ligature (NFKC compatibility)
    ['İstanbul', 'i̇stanbul'], // locale-independent: U+0130 → i + U+0307 everywhere
    ['ΟΔΟΣ', 'οδος'], // Greek, final sigma handled by toLowerCase
    // Japanese: half-width katakana → full-width, ideographic space, full-width digits
    ['ﾄｳｷｮｳ　ﾀﾜｰ', 'トウキョウ タワー'],
    ['トウキョウ タワー', 'トウキョウ タワー'],
    ['ｶﾞｷﾞ', 'ガギ'], // half-width voiced marks compose
    ['東京\u3000\u3000２０２４', '東京 2024'],
    // Chinese (no case): only width/space changes
    ['  我的 第一只  猫 ', '我的 第一只 猫'],
    ['北京（中国）', '北京(中国)'],
    // Cyrillic: case
    ['МОСКВА', 'москва'],
    ['Ёлка  ПАЛКА', 'ёлка палка'],
    ['Е\u0308лка', 'ёлка'], // decomposed Ё
    // Arabic: presentation forms fold to base letters; no case
    ['\uFEB3\uFEE0\uFE8E\uFEE1', 'سلام'],
    ['  مرحبا   بالعالم ', 'مرحبا بالعالم'],
  ])('%j → %j', (input, want) => {
    expect(normalizeAnswer(input)).toBe(want);
  });

  it('gives the same result for composed and decomposed forms (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        fc.pre(s.normalize('NFKC').trim() !== '');
        let a: string;
        try {
          a = normalizeAnswer(s.normalize('NFC'));
        } catch {
          return; // empty after normalisation: covered below
        }
        expect(normalizeAnswer(s.normalize('NFD'))).toBe(a);
        expect(normalizeAnswer(s.normalize('NFKD'))).toBe(a);
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent (property, any Unicode)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        let once: string;
        try {
          once = normalizeAnswer(s);
        } catch (e) {
          expect((e as { code?: string }).code).toBe('ANSWER_EMPTY');
          return;
        }
        expect(normalizeAnswer(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('never has leading/trailing/double whitespace or upper case (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        let out: string;
        try {
          out = normalizeAnswer(s);
        } catch {
          return;
        }
        expect(out).toBe(out.trim());
        expect(out).not.toMatch(/\s\s|[^\S ]/u);
        expect(out.toLowerCase()).toBe(out);
      }),
      { numRuns: 500 },
    );
  });

  it.each(['', '   ', '\u3000', '\n\t\u00a0', '\u2003\u2029'])(
    'refuses %j with ANSWER_EMPTY',
    async (s) => {
      await expectCode(() => normalizeAnswer(s), 'ANSWER_EMPTY', 'the answer is empty');
    },
  );

  it('refuses non-strings and over-long answers', async () => {
    await expectClass(
      () => normalizeAnswer(undefined as never),
      TypeError,
      /answer must be a string/,
    );
    await expectClass(() => normalizeAnswer('a'.repeat(MAX_ANSWER_CHARS + 1)), RangeError);
    expect(normalizeAnswer('A'.repeat(MAX_ANSWER_CHARS))).toBe('a'.repeat(MAX_ANSWER_CHARS));
  });
});
