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
      kind: 'sign',
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

describe('popup-link: export and delete (hostile input)', () => {
  const nonce = newNonce();
  const words =
    'abandon ability able about above absent absorb abstract absurd abuse access accident account accuse achieve acid acoustic acquire across act action actor actress actual'.split(
      ' ',
    );
  const del = {
    kind: 'delete',
    title: 'Delete wallet',
    hostOrigin: 'https://app.example',
    network: 'preprod',
    body: [{ t: 'p', a: { class: 'notice' }, c: ['This deletes your wallet.'] }],
    password: true,
    stay: false,
    approveLabel: 'Delete wallet',
    cancelLabel: 'Cancel',
    confirmWord: 'DELETE',
    danger: true,
  };
  const toPopup = (m: object, source = popup, origin = location.origin, n = nonce) =>
    readToPopup(event(envelope(n, m), source, origin), popup, nonce);
  const toIframe = (m: object, source = popup, origin = location.origin, n = nonce) =>
    readToIframe(event(envelope(n, m), source, origin), popup, nonce);

  it('accepts a delete request, an approve with its confirmation, the words, a field retry', () => {
    expect(toPopup({ type: 'request', request: del })).toEqual({ type: 'request', request: del });
    expect(toIframe({ type: 'approve', password: 'pw', stay: false, confirm: 'DELETE' })).toEqual({
      type: 'approve',
      password: 'pw',
      stay: false,
      confirm: 'DELETE',
    });
    const got = toPopup({ type: 'words', words });
    expect(got).toEqual({ type: 'words', words });
    // A copy: emptying what the popup shows never touches the message's array.
    expect(got && 'words' in got && got.words).not.toBe(words);
    for (const n of [12, 15, 18, 21]) {
      expect(toPopup({ type: 'words', words: words.slice(0, n) })).toBeDefined();
    }
    expect(toPopup({ type: 'retry', error: 'Wrong.', field: 'password' })).toEqual({
      type: 'retry',
      error: 'Wrong.',
      field: 'password',
    });
    expect(toPopup({ type: 'retry', error: 'Type DELETE.', field: 'confirm' })).toMatchObject({
      field: 'confirm',
    });
  });

  it('ignores the words, a delete request or a confirmation from the wrong window, origin or nonce', () => {
    const msgs: [object, 'popup' | 'iframe'][] = [
      [{ type: 'words', words }, 'popup'],
      [{ type: 'request', request: del }, 'popup'],
      [{ type: 'approve', password: '', stay: false, confirm: 'DELETE' }, 'iframe'],
    ];
    for (const [m, to] of msgs) {
      const read = to === 'popup' ? toPopup : toIframe;
      expect(read(m, other)).toBeUndefined();
      expect(read(m, popup, 'https://host.example')).toBeUndefined();
      expect(read(m, popup, 'null')).toBeUndefined();
      expect(read(m, popup, location.origin, newNonce())).toBeUndefined();
      expect(read(m, popup, location.origin, nonce.toUpperCase())).toBeUndefined();
      expect(read(m)).toBeDefined();
    }
  });

  it('refuses malformed or oversized fields', () => {
    const badRequests = [
      { ...del, kind: 'wipe' },
      { ...del, kind: undefined },
      { ...del, confirmWord: 'delete' },
      { ...del, confirmWord: 'DELETE!' },
      { ...del, confirmWord: 'D'.repeat(17) },
      { ...del, confirmWord: 1 },
      // A delete without its confirmation word, an export with one.
      { ...del, confirmWord: undefined },
      { ...del, kind: 'export' },
      { ...del, danger: 'yes' },
      { ...del, title: 'x'.repeat(201) },
      { ...del, approveLabel: 'x'.repeat(201) },
      { ...del, cancelLabel: 7 },
      { ...del, network: 'x'.repeat(33) },
      { ...del, hostOrigin: 'x'.repeat(2001) },
      { ...del, body: 'text' },
      { ...del, body: ['x'.repeat(600 * 1024)] },
      { ...del, password: 1 },
    ];
    for (const request of badRequests) {
      expect(toPopup({ type: 'request', request })).toBeUndefined();
    }
    const badWords = [
      words.slice(0, 23),
      [...words, 'zoo'],
      [],
      words.map((w, i) => (i === 3 ? 'ABOUT' : w)),
      words.map((w, i) => (i === 3 ? '<img>' : w)),
      words.map((w, i) => (i === 3 ? 'ab' : w)),
      words.map((w, i) => (i === 3 ? 'abandonedx' : w)),
      words.map((w, i) => (i === 3 ? 42 : w)),
      'abandon ability',
      Array(24).fill('x'.repeat(100_000)),
    ];
    for (const w of badWords) expect(toPopup({ type: 'words', words: w })).toBeUndefined();
    for (const m of [
      { type: 'retry', error: 'x', field: 'answer' },
      { type: 'retry', error: 'x', field: 1 },
      { type: 'retry', error: 'x'.repeat(1001) },
      { type: 'progress', text: 'x'.repeat(1001) },
      { type: 'progress', text: 5 },
    ]) {
      expect(toPopup(m)).toBeUndefined();
    }
    for (const m of [
      { type: 'approve', password: 'pw', stay: false, confirm: 1 },
      { type: 'approve', password: 'pw', stay: false, confirm: 'x'.repeat(257) },
      { type: 'approve', password: 'pw', stay: 'no' },
      { type: 'approve', stay: false, confirm: 'DELETE' },
      { type: 'words', words },
    ]) {
      expect(toIframe(m)).toBeUndefined();
    }
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
