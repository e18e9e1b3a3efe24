/**
 * @module text — is a byte string safe to show as plain text? Used for signData payloads
 * (CIP-30) and for text that comes inside a transaction (asset names, anchor URLs).
 *
 * Text is "printable" only when it is valid UTF-8 and every code point is one a reader
 * sees: no control (Cc, except tab and line feed, and CR only before LF), format (Cf:
 * soft hyphen, zero-width characters, U+2060–2064, bidi marks, BOM, …), private-use
 * (Co), unassigned (Cn, which includes the noncharacters), surrogate (Cs), tag
 * (U+E0000–E007F), variation selector, bidi control, other default-ignorable code point
 * (Hangul fillers, combining grapheme joiner), line or paragraph separator (Zl, Zp),
 * and no run of more than {@link MAX_COMBINING_RUN} combining marks (which can stack
 * over and hide neighbouring text). Anything else is shown as hex with the text beside
 * it, each hidden code point written out as `⟨U+200F⟩` and each invalid byte as `⟨0xFF⟩`.
 * Unicode properties come from the JavaScript engine's tables, so a character newer than
 * the engine counts as unassigned (fail closed).
 */

/** Why a text was not printable (one entry per class found, in order of first sight). */
export type HiddenClass =
  | 'invalid_utf8'
  | 'control'
  | 'format'
  | 'private_use'
  | 'unassigned'
  | 'surrogate'
  | 'tag'
  | 'variation_selector'
  | 'bidi_control'
  | 'default_ignorable'
  | 'line_separator'
  | 'combining_run';

export interface TextClass {
  /** True when every code point is visible (see the module comment). */
  printable: boolean;
  /** The decoded text (invalid bytes as U+FFFD); show it only when `printable`. */
  text: string;
  /** The text with every hidden code point as `⟨U+XXXX⟩` and invalid byte as `⟨0xNN⟩`. */
  visible: string;
  /** The classes that made it not printable; empty when printable. */
  hidden: HiddenClass[];
}

/** More combining marks than this in a row is treated as hiding (stacked marks). */
export const MAX_COMBINING_RUN = 4;

const TAG = (cp: number) => cp >= 0xe0000 && cp <= 0xe007f;
const VARIATION = /^\p{Variation_Selector}$/u;
const BIDI = /^\p{Bidi_Control}$/u;
const CONTROL = /^\p{Cc}$/u;
const SURROGATE = /^\p{Cs}$/u;
const PRIVATE = /^\p{Co}$/u;
const UNASSIGNED = /^\p{Cn}$/u;
const FORMAT = /^\p{Cf}$/u;
const SEPARATOR = /^[\p{Zl}\p{Zp}]$/u;
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const COMBINING = /^\p{M}$/u;

/** The hidden class of one code point, or undefined when it is visible. */
export function hiddenClassOf(cp: number, next?: number): HiddenClass | undefined {
  const ch = String.fromCodePoint(cp);
  if (TAG(cp)) return 'tag';
  if (VARIATION.test(ch)) return 'variation_selector';
  if (BIDI.test(ch)) return 'bidi_control';
  if (CONTROL.test(ch)) {
    if (cp === 0x09 || cp === 0x0a || (cp === 0x0d && next === 0x0a)) return undefined;
    return 'control';
  }
  if (SURROGATE.test(ch)) return 'surrogate';
  if (PRIVATE.test(ch)) return 'private_use';
  if (UNASSIGNED.test(ch)) return 'unassigned';
  if (FORMAT.test(ch)) return 'format';
  if (SEPARATOR.test(ch)) return 'line_separator';
  if (IGNORABLE.test(ch)) return 'default_ignorable';
  return undefined;
}

const codePoint = (cp: number) => `⟨U+${cp.toString(16).toUpperCase().padStart(4, '0')}⟩`;

/**
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
 * Returns code points, with `-1 - byte` for each byte that is not part of a valid sequence.
 */
function decodeUtf8(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out.push(b);
      i += 1;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b >= 0xc2 && b <= 0xdf) [need, cp, min] = [1, b & 0x1f, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, cp, min] = [2, b & 0x0f, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, cp, min] = [3, b & 0x07, 0x10000];
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok) {
      out.push(cp);
      i += need + 1;
    } else {
      out.push(-1 - b);
      i += 1;
    }
  }
  return out;
}

function classify(cps: number[]): TextClass {
  const hidden: HiddenClass[] = [];
  const note = (c: HiddenClass) => {
    if (!hidden.includes(c)) hidden.push(c);
  };
  let text = '';
  let visible = '';
  let run = 0;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp < 0) {
      note('invalid_utf8');
      text += '\ufffd';
      visible += `⟨0x${(-1 - cp).toString(16).toUpperCase().padStart(2, '0')}⟩`;
      run = 0;
      continue;
    }
    const ch = String.fromCodePoint(cp);
    text += ch;
    const cls = hiddenClassOf(cp, cps[i + 1]);
    if (cls) {
      note(cls);
      visible += codePoint(cp);
      run = 0;
      continue;
    }
    if (COMBINING.test(ch)) {
      run += 1;
      if (run > MAX_COMBINING_RUN) {
        note('combining_run');
        visible += codePoint(cp);
        continue;
      }
    } else {
      run = 0;
    }
    visible += ch;
  }
  return { printable: hidden.length === 0, text, visible, hidden };
}

/**
 * Classifies UTF-8 bytes.
 *
 * @example
 * classifyUtf8(new TextEncoder().encode('pay\u200f')).visible // 'pay⟨U+200F⟩'
 */
export function classifyUtf8(bytes: Uint8Array): TextClass {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  return classify(decodeUtf8(bytes));
}

/** Classifies a JavaScript string (lone surrogates count as `surrogate`). */
export function classifyText(text: string): TextClass {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  const cps: number[] = [];
  for (const ch of text) cps.push(ch.codePointAt(0)!);
  return classify(cps);
}
