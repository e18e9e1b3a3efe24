// @vitest-environment happy-dom
/**
 * The iframe ↔ popup channel's guards (popup-link.ts) and the snapshot that carries the
 * approval content (ui/snapshot.ts): wrong window, wrong origin, wrong nonce and bad
 * shapes are ignored; text stays text.
 */
import { describe, expect, it } from 'vitest';
import { envelope, isNonce, newNonce, readToIframe, readToPopup } from '../src/popup-link.ts';
import { h } from '../src/ui/dom.ts';
import { rebuild, snapshot } from '../src/ui/snapshot.ts';

const popup = {} as Window;
const other = {} as Window;

function event(data: unknown, source: Window, origin = location.origin): MessageEvent {
  return { data, source, origin } as unknown as MessageEvent;
}

describe('popup-link guards', () => {
  const nonce = newNonce();
  it('makes 128-bit hex nonces', () => {
    expect(isNonce(nonce)).toBe(true);
    expect(newNonce()).not.toBe(nonce);
    expect(isNonce('xyz')).toBe(false);
  });

  it('accepts the popup’s own messages', () => {
    const approve = envelope(nonce, { type: 'approve', password: 'pw', stay: true });
    expect(readToIframe(event(approve, popup), popup, nonce)).toEqual({
      type: 'approve',
      password: 'pw',
      stay: true,
    });
    expect(readToIframe(event(envelope(nonce, { type: 'cancel' }), popup), popup, nonce)).toEqual({
      type: 'cancel',
    });
  });

  it('ignores another window, another origin, another nonce, a bad shape', () => {
    const approve = envelope(nonce, { type: 'approve', password: 'pw', stay: false });
    expect(readToIframe(event(approve, other), popup, nonce)).toBeUndefined();
    expect(
      readToIframe(event(approve, popup, 'https://host.example'), popup, nonce),
    ).toBeUndefined();
    expect(readToIframe(event(approve, popup), popup, newNonce())).toBeUndefined();
    for (const bad of [
      null,
      'approve',
      { ...approve, v: 2 },
      { ...approve, trine: 'x' },
      { ...approve, password: 1 },
      { ...approve, password: 'x'.repeat(2000) },
      { ...approve, type: 'sign' },
    ]) {
      expect(readToIframe(event(bad, popup), popup, nonce)).toBeUndefined();
    }
  });

  it('the popup accepts only a well-formed request from its opener', () => {
    const request = {
      title: 'Approve transaction',
      hostOrigin: 'https://app.example',
      network: 'preprod',
      body: [],
      password: true,
      stay: true,
      approveLabel: 'Approve and sign',
      cancelLabel: 'Reject',
    };
    const m = envelope(nonce, { type: 'request', request });
    expect(readToPopup(event(m, popup), popup, nonce)).toEqual({ type: 'request', request });
    expect(readToPopup(event(m, other), popup, nonce)).toBeUndefined();
    const broken = envelope(nonce, { type: 'request', request: { ...request, password: 'yes' } });
    expect(readToPopup(event(broken, popup), popup, nonce)).toBeUndefined();
    expect(readToPopup(event(envelope(nonce, { type: 'done' }), popup), popup, nonce)).toEqual({
      type: 'done',
    });
  });
});

describe('snapshot / rebuild', () => {
  it('round-trips the approval content as text, never markup', () => {
    const content = h(
      'dl',
      { class: 'kv' },
      h('dt', { class: 'attention' }, 'To'),
      h('dd', null, '<img src=x onerror=alert(1)>', h('span', { class: 'note' }, 'addr_test1…')),
    );
    const [copy] = rebuild(structuredClone(snapshot([content]))) as HTMLElement[];
    expect(copy?.outerHTML).toBe(content.outerHTML);
    expect(copy?.querySelector('img')).toBeNull();
    expect(copy?.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('turns unknown tags into divs (kept, not dropped) and drops unknown attributes', () => {
    const [el] = rebuild([
      { t: 'script', a: { src: 'x', class: 'c' }, c: ['hello'] },
    ]) as HTMLElement[];
    expect(el?.tagName).toBe('DIV');
    expect(el?.getAttribute('src')).toBeNull();
    expect(el?.className).toBe('c');
    expect(el?.textContent).toBe('hello');
  });

  it('refuses a malformed snapshot', () => {
    expect(() => rebuild('x')).toThrow(TypeError);
    expect(() => rebuild([{ t: 1, a: {}, c: [] }])).toThrow(TypeError);
    expect(() => rebuild([{ t: 'div', a: {}, c: 'x' }])).toThrow(TypeError);
  });
});
