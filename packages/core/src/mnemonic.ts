/**
 * @module mnemonic — BIP39 (English) entropy ↔ mnemonic (DESIGN.md §3: import accepts
 * valid BIP39 English mnemonics of 12–24 words, checksum verified).
 *
 * The conversion itself is @scure/bip39's; this module decides *why* an input is
 * invalid (length, unknown word, checksum) on its own, so the error codes do not depend
 * on another library's message text. Messages never contain the words: a mnemonic is
 * the wallet.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  entropyToMnemonic as scureEntropyToMnemonic,
  mnemonicToEntropy as scureMnemonicToEntropy,
} from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { abytes } from './bytes.ts';
import { isEntropySize } from './entropy.ts';
import { TrineError } from './errors.ts';

/** Word counts BIP39 defines (ENT = 128..256 bits, CS = ENT/32, MS = (ENT+CS)/11). */
export const MNEMONIC_LENGTHS = [12, 15, 18, 21, 24] as const;
/** Longest accepted mnemonic text: 24 words of ≤ 8 letters plus generous whitespace. */
const MAX_MNEMONIC_CHARS = 1024;

const WORD_INDEX: ReadonlyMap<string, number> = new Map(wordlist.map((w, i) => [w, i]));

/**
 * The BIP39 English mnemonic of `entropy` (16, 20, 24, 28 or 32 bytes), words joined by
 * one space. Throws `ENTROPY_INVALID` for any other length.
 *
 * @example
 * entropyToMnemonic(new Uint8Array(16)); // 'abandon abandon … abandon about'
 */
export function entropyToMnemonic(entropy: Uint8Array): string {
  abytes(entropy, undefined, 'entropy');
  if (!isEntropySize(entropy.length)) {
    throw new TrineError(
      'ENTROPY_INVALID',
      `entropy must be 16, 20, 24, 28 or 32 bytes, got ${entropy.length}`,
    );
  }
  return scureEntropyToMnemonic(entropy, wordlist);
}

/**
 * Splits and canonicalises mnemonic input into lower-case words. Accepts a string
 * (any Unicode whitespace between words, leading/trailing whitespace, any case; NFKD
 * first, as BIP39 specifies) or an array of words.
 */
function toWords(words: string | readonly string[]): string[] {
  let text: string;
  if (typeof words === 'string') {
    text = words;
  } else if (Array.isArray(words)) {
    if (words.length > 48) {
      throw new TrineError(
        'MNEMONIC_INVALID_LENGTH',
        `a mnemonic has 12, 15, 18, 21 or 24 words, got ${words.length}`,
      );
    }
    for (const w of words) {
      if (typeof w !== 'string') throw new TypeError('mnemonic words must be strings');
    }
    text = words.join(' ');
  } else {
    throw new TypeError('mnemonic must be a string or an array of words');
  }
  if (text.length > MAX_MNEMONIC_CHARS) {
    throw new TrineError('MNEMONIC_INVALID_LENGTH', 'mnemonic text is too long');
  }
  const trimmed = text.normalize('NFKD').trim().toLowerCase();
  return trimmed === '' ? [] : trimmed.split(/\s+/u);
}

/**
 * The entropy of a BIP39 English mnemonic. Tolerates extra whitespace and upper case.
 * Throws, in this order of checking:
 * - `MNEMONIC_INVALID_LENGTH` unless there are 12, 15, 18, 21 or 24 words;
 * - `MNEMONIC_UNKNOWN_WORD` for a word not in the English list (the message gives its
 *   position, never the word);
 * - `MNEMONIC_BAD_CHECKSUM` when the last CS bits do not match SHA-256 of the entropy.
 *
 * The caller owns the returned buffer and should `wipe` it after use.
 *
 * @example
 * const entropy = mnemonicToEntropy('  Abandon abandon … ABOUT '); // 16 bytes
 */
export function mnemonicToEntropy(words: string | readonly string[]): Uint8Array {
  const list = toWords(words);
  if (!(MNEMONIC_LENGTHS as readonly number[]).includes(list.length)) {
    throw new TrineError(
      'MNEMONIC_INVALID_LENGTH',
      `a mnemonic has 12, 15, 18, 21 or 24 words, got ${list.length}`,
    );
  }
  const indexes = list.map((word, i) => {
    const index = WORD_INDEX.get(word);
    if (index === undefined) {
      throw new TrineError(
        'MNEMONIC_UNKNOWN_WORD',
        `word ${i + 1} of ${list.length} is not in the BIP39 English word list`,
        { details: { position: i + 1 } },
      );
    }
    return index;
  });
  if (!checksumMatches(indexes)) {
    throw new TrineError('MNEMONIC_BAD_CHECKSUM', 'the mnemonic checksum does not match');
  }
  // Our checks passed, so @scure's must too; it does the conversion we return.
  return scureMnemonicToEntropy(list.join(' '), wordlist);
}

/**
 * BIP39: the 11-bit word indexes concatenate to ENT bits of entropy followed by
 * CS = ENT/32 bits, which must equal the first CS bits of SHA-256(entropy).
 */
function checksumMatches(indexes: readonly number[]): boolean {
  const totalBits = indexes.length * 11;
  const csBits = totalBits / 33;
  const entBytes = (totalBits - csBits) / 8;
  const bits = new Uint8Array(Math.ceil(totalBits / 8));
  let pos = 0;
  for (const index of indexes) {
    for (let b = 10; b >= 0; b--, pos++) {
      if ((index >> b) & 1) bits[pos >> 3]! |= 0x80 >> (pos & 7);
    }
  }
  const entropy = bits.subarray(0, entBytes);
  const hash = sha256(entropy);
  // CS ≤ 8 bits, so the checksum is the top CS bits of the byte after the entropy.
  const mask = (0xff << (8 - csBits)) & 0xff;
  const ok = ((bits[entBytes]! ^ hash[0]!) & mask) === 0;
  bits.fill(0);
  hash.fill(0);
  return ok;
}
