// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { payloadView } from '../src/payload-view.ts';
import { renderPayloadView } from '../src/ui/tx-render.ts';

const hexOf = (s: string) => Buffer.from(s, 'utf8').toString('hex');

function mount(payloadHex: string) {
  const el = renderPayloadView(payloadView(payloadHex));
  document.body.replaceChildren(el);
  return el;
}

describe('signData payload on the screen', () => {
  it('printable UTF-8 is shown as the message text', () => {
    const el = mount(hexOf('Log in to example.com\nnonce: 42'));
    expect(el.querySelector('dt')?.textContent).toBe('Message');
    expect(el.querySelector('pre')?.textContent).toBe('Log in to example.com\nnonce: 42');
    expect(el.querySelector('.notice')).toBeNull();
  });

  it.each([
    [
      'tag characters',
      'I agree\u{e0020}\u{e0074}\u{e006f}',
      'invisible tag characters',
      'I agree⟨U+E0020⟩⟨U+E0074⟩⟨U+E006F⟩',
    ],
    ['a bidi mark', 'send 10\u200f0 ADA', 'text-direction controls', 'send 10⟨U+200F⟩0 ADA'],
    ['a soft hyphen', 'pay\u00adpal', 'invisible formatting characters', 'pay⟨U+00AD⟩pal'],
    ['an invisible operator U+2061', 'a\u2061b', 'invisible formatting characters', 'a⟨U+2061⟩b'],
  ])(
    '%s → hex with a warning and the hidden characters written out',
    (_n, text, words, visible) => {
      const el = mount(hexOf(text));
      const notice = el.querySelector('.notice')?.textContent ?? '';
      expect(notice).toContain(words);
      expect(notice).toContain('It is shown as hex');
      const dts = [...el.querySelectorAll('dt')].map((d) => d.textContent);
      expect(dts).toEqual(['Message (shown as hex)', 'As text, hidden characters written out']);
      const [hexPre, visiblePre] = [...el.querySelectorAll('pre')].map((p) => p.textContent);
      expect(hexPre).toBe(hexOf(text));
      expect(visiblePre).toBe(visible);
    },
  );

  it('binary (not UTF-8) → hex, invalid bytes written out', () => {
    const v = payloadView('ff0061');
    expect(v).toMatchObject({ kind: 'hex', hex: 'ff0061', visible: '⟨0xFF⟩⟨U+0000⟩a' });
  });

  it('the empty payload says so', () => {
    expect(payloadView('')).toMatchObject({ kind: 'hex', warning: 'The message is empty.' });
  });

  it('refuses what is not hex', () => {
    expect(() => payloadView('abc')).toThrow(RangeError);
    expect(() => payloadView(1 as unknown as string)).toThrow(TypeError);
  });
});
