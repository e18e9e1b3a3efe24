/**
 * @module payload-view — how the approval screen shows a signData payload (CIP-30,
 * DESIGN.md §2.6): as text only when @trine/cardano/text finds every code point visible;
 * otherwise as hex with a warning, and beside it the text with each hidden character
 * written out (`⟨U+200F⟩`), so what is signed is never hidden by the rendering.
 */
import { classifyUtf8, type HiddenClass } from '@trine/cardano/text';

export type PayloadView =
  | { kind: 'text'; text: string }
  | {
      kind: 'hex';
      hex: string;
      /** The payload as text with hidden characters and invalid bytes written out. */
      visible: string;
      warning: string;
      hidden: HiddenClass[];
    };

const CLASS_TEXT: Record<HiddenClass, string> = {
  invalid_utf8: 'bytes that are not UTF-8 text',
  control: 'control characters',
  format: 'invisible formatting characters',
  private_use: 'private-use characters',
  unassigned: 'unassigned code points',
  surrogate: 'surrogate code points',
  tag: 'invisible tag characters',
  variation_selector: 'variation selectors',
  bidi_control: 'text-direction controls',
  default_ignorable: 'characters that are normally not drawn',
  line_separator: 'line or paragraph separators',
  combining_run: 'stacked combining marks',
};

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * The signData payload (hex) as the screen shows it.
 *
 * @example
 * payloadView('68690a') // { kind: 'text', text: 'hi\n' }
 * payloadView('e2808f').kind // 'hex' (U+200F RIGHT-TO-LEFT MARK)
 */
export function payloadView(payloadHex: string): PayloadView {
  if (typeof payloadHex !== 'string') throw new TypeError('payloadHex must be a string');
  if (!HEX.test(payloadHex)) throw new RangeError('payloadHex must be even-length hex');
  const hex = payloadHex.toLowerCase();
  if (hex.length === 0) {
    return {
      kind: 'hex',
      hex: '(empty)',
      visible: '',
      warning: 'The message is empty.',
      hidden: [],
    };
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  const c = classifyUtf8(bytes);
  if (c.printable) return { kind: 'text', text: c.text };
  return {
    kind: 'hex',
    hex,
    visible: c.visible,
    hidden: c.hidden,
    warning: `This message contains ${c.hidden.map((h) => CLASS_TEXT[h]).join(', ')}, which could hide what you sign. It is shown as hex; beside it, the text with those characters written out.`,
  };
}
