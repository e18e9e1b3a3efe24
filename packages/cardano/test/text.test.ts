import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyText, classifyUtf8, type HiddenClass, MAX_COMBINING_RUN } from '../src/text.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('classifyUtf8: printable text', () => {
  it.each([
    ['ASCII with tab and line feeds', 'Sign in to example.com\n\tnonce: 42\n'],
    ['CRLF line ends', 'line 1\r\nline 2'],
    ['CJK and accents', '東京 ✓ café naïve'],
    ['Arabic and Hebrew letters', 'مرحبا שלום'],
    ['no-break and ideographic spaces (Zs)', 'a\u00a0b\u3000c'],
    ['emoji without joiners or selectors', '🚀🎉'],
    [`${MAX_COMBINING_RUN} combining marks in a row`, `e${'\u0301'.repeat(MAX_COMBINING_RUN)}`],
  ])('%s → text', (_name, s) => {
    const c = classifyUtf8(utf8(s));
    expect(c).toEqual({ printable: true, text: s, visible: s, hidden: [] });
  });
});

describe('classifyUtf8: hidden classes → not printable, written out', () => {
  const cases: [string, Uint8Array | string, HiddenClass, string][] = [
    ['invalid UTF-8 byte', Uint8Array.of(0x61, 0xff, 0x62), 'invalid_utf8', 'a⟨0xFF⟩b'],
    ['overlong encoding of "/"', Uint8Array.of(0xc0, 0xaf), 'invalid_utf8', '⟨0xC0⟩⟨0xAF⟩'],
    [
      'CESU surrogate bytes (U+D800)',
      Uint8Array.of(0xed, 0xa0, 0x80),
      'invalid_utf8',
      '⟨0xED⟩⟨0xA0⟩⟨0x80⟩',
    ],
    ['truncated sequence', Uint8Array.of(0xe2, 0x82), 'invalid_utf8', '⟨0xE2⟩⟨0x82⟩'],
    ['NUL (Cc)', 'a\u0000b', 'control', 'a⟨U+0000⟩b'],
    ['ESC (Cc)', 'x\u001b[2Jy', 'control', 'x⟨U+001B⟩[2Jy'],
    ['lone CR (Cc)', 'a\rb', 'control', 'a⟨U+000D⟩b'],
    ['C1 control U+0085', 'a\u0085b', 'control', 'a⟨U+0085⟩b'],
    ['DEL', 'a\u007fb', 'control', 'a⟨U+007F⟩b'],
    ['soft hyphen U+00AD (Cf)', 'pay\u00adpal', 'format', 'pay⟨U+00AD⟩pal'],
    ['zero-width space U+200B (Cf)', 'a\u200bb', 'format', 'a⟨U+200B⟩b'],
    ['zero-width joiner U+200D (Cf)', '👨\u200d👩', 'format', '👨⟨U+200D⟩👩'],
    ['word joiner U+2060', 'a\u2060b', 'format', 'a⟨U+2060⟩b'],
    ['invisible times U+2062', 'a\u2062b', 'format', 'a⟨U+2062⟩b'],
    ['invisible plus U+2064', 'a\u2064b', 'format', 'a⟨U+2064⟩b'],
    ['BOM U+FEFF', '\ufeffhello', 'format', '⟨U+FEFF⟩hello'],
    ['interlinear annotation U+FFF9', 'a\ufff9b', 'format', 'a⟨U+FFF9⟩b'],
    ['right-to-left mark U+200F', 'pay \u200f10', 'bidi_control', 'pay ⟨U+200F⟩10'],
    ['Arabic letter mark U+061C', 'a\u061cb', 'bidi_control', 'a⟨U+061C⟩b'],
    ['RLO override U+202E', 'pay \u202eevil', 'bidi_control', 'pay ⟨U+202E⟩evil'],
    ['RLI isolate U+2067', 'a\u2067b\u2069', 'bidi_control', 'a⟨U+2067⟩b⟨U+2069⟩'],
    ['tag characters (U+E0000 block)', 'ok\u{e0041}\u{e0042}', 'tag', 'ok⟨U+E0041⟩⟨U+E0042⟩'],
    ['cancel tag U+E007F', 'a\u{e007f}', 'tag', 'a⟨U+E007F⟩'],
    ['variation selector VS16', '❤\ufe0f', 'variation_selector', '❤⟨U+FE0F⟩'],
    ['variation selector VS17 (U+E0100)', 'a\u{e0100}', 'variation_selector', 'a⟨U+E0100⟩'],
    ['Mongolian free variation selector', 'a\u180bb', 'variation_selector', 'a⟨U+180B⟩b'],
    ['private use U+E000', 'a\ue000b', 'private_use', 'a⟨U+E000⟩b'],
    ['supplementary private use U+F0000', 'a\u{f0000}', 'private_use', 'a⟨U+F0000⟩'],
    ['unassigned U+0378', 'a\u0378b', 'unassigned', 'a⟨U+0378⟩b'],
    ['noncharacter U+FFFF', 'a\uffffb', 'unassigned', 'a⟨U+FFFF⟩b'],
    ['noncharacter U+FDD0', 'a\ufdd0b', 'unassigned', 'a⟨U+FDD0⟩b'],
    ['unassigned U+2065 (between the invisible operators)', 'a\u2065b', 'unassigned', 'a⟨U+2065⟩b'],
    ['line separator U+2028 (Zl)', 'a\u2028b', 'line_separator', 'a⟨U+2028⟩b'],
    ['paragraph separator U+2029 (Zp)', 'a\u2029b', 'line_separator', 'a⟨U+2029⟩b'],
    ['Hangul filler U+3164 (default ignorable)', 'a\u3164b', 'default_ignorable', 'a⟨U+3164⟩b'],
    ['combining grapheme joiner U+034F', 'a\u034fb', 'default_ignorable', 'a⟨U+034F⟩b'],
    [
      'a run of combining marks',
      `a${'\u0301'.repeat(MAX_COMBINING_RUN + 1)}`,
      'combining_run',
      `a${'\u0301'.repeat(MAX_COMBINING_RUN)}⟨U+0301⟩`,
    ],
  ];
  it.each(cases)('%s', (_name, input, cls, visible) => {
    const c = classifyUtf8(typeof input === 'string' ? utf8(input) : input);
    expect(c.printable).toBe(false);
    expect(c.hidden).toEqual([cls]);
    expect(c.visible).toBe(visible);
  });

  it('a lone surrogate in a JavaScript string is a surrogate', () => {
    const c = classifyText('a\ud800b');
    expect(c.hidden).toEqual(['surrogate']);
    expect(c.visible).toBe('a⟨U+D800⟩b');
  });

  it('lists every class found, in order', () => {
    expect(classifyUtf8(utf8('\u200f\u{e0041}\u00ad\u200f')).hidden).toEqual([
      'bidi_control',
      'tag',
      'format',
    ]);
  });

  it('property: printable ⇔ visible equals the text; every hidden code point is written out', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const c = classifyUtf8(bytes);
        if (c.printable) {
          expect(c.visible).toBe(c.text);
          expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(c.text);
        } else {
          expect(c.hidden.length).toBeGreaterThan(0);
          expect(c.visible).toMatch(/⟨(U\+[0-9A-F]{4,6}|0x[0-9A-F]{2})⟩/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a non-Uint8Array / non-string (TypeError)', () => {
    expect(() => classifyUtf8('x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => classifyText(1 as unknown as string)).toThrow(TypeError);
  });
});
