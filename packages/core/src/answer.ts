/**
 * @module answer — recovery-answer normalisation (DESIGN.md §3: "Unicode NFKC, trim,
 * collapse whitespace, lower-case; documented; the same function at creation and at
 * recovery"). `seal.ts` always applies it to role-3 secrets, so no caller can forget.
 */
import { TrineError } from './errors.ts';

/** Longest accepted answer, in UTF-16 code units, before normalisation. */
export const MAX_ANSWER_CHARS = 4096;

/**
 * Normalises a recovery answer so that what a person would call "the same answer"
 * derives the same key:
 *
 * 1. Unicode NFKC (UAX #15): composed ≡ decomposed accents, full-width ≡ ASCII,
 *    half-width ≡ full-width katakana, ideographic space → U+0020, ligatures split.
 * 2. Trim leading and trailing whitespace.
 * 3. Collapse every run of Unicode whitespace (`\s`, which includes U+3000, U+00A0,
 *    line breaks) to one U+0020.
 * 4. Lower-case with the locale-independent `String.prototype.toLowerCase`
 *    (never `toLocaleLowerCase`: a Turkish device must derive the same key).
 * 5. NFKC again, because lower-casing can produce sequences NFKC would change.
 *
 * Throws `ANSWER_EMPTY` when nothing is left, TypeError for a non-string, RangeError
 * above `MAX_ANSWER_CHARS`. The result never varies with locale or platform.
 *
 * @example
 * normalizeAnswer('  Café  au LAIT ') === 'café au lait';
 * normalizeAnswer('ＴＯＫＹＯ　タワー') === 'tokyo タワー';
 */
export function normalizeAnswer(answer: string): string {
  if (typeof answer !== 'string') throw new TypeError('answer must be a string');
  if (answer.length > MAX_ANSWER_CHARS) {
    throw new RangeError(`answer must be at most ${MAX_ANSWER_CHARS} characters`);
  }
  const out = answer
    .normalize('NFKC')
    .trim()
    .replace(/\s+/gu, ' ')
    .toLowerCase()
    .normalize('NFKC')
    // NFKC of some compatibility characters (e.g. U+00A8 → " ̈") yields U+0020; trim
    // and collapse once more so the function is idempotent.
    .trim()
    .replace(/\s+/gu, ' ');
  if (out.length === 0) throw new TrineError('ANSWER_EMPTY', 'the answer is empty');
  return out;
}
