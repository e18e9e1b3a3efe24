// @vitest-environment happy-dom
/**
 * The wallet window itself (popup.ts, the boot of approve.html) in a DOM, played by the
 * attackers who can reach it: a page that opens approve.html itself or frames it, another
 * window posting into it, a host that sends words nobody asked for or a second request,
 * a fast press before the review delay. And the user's side: approve sends the password
 * once and clears the field, closing unanswered is a cancel, the recovery phrase leaves
 * the DOM when the window closes. e2e covers the same window in Chromium
 * (approval.spec.ts, manage-popup.spec.ts); this runs each rule alone.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { envelope, newNonce, type PopupRequest } from '../src/popup-link.ts';
import { REVIEW_MS } from '../src/visibility.ts';

interface Posted {
  message: Record<string, unknown>;
  origin: string;
}

const WORDS = 'abandon ability able about above absent absorb abstract absurd abuse access accident'
  .split(' ')
  .concat(
    'acid acoustic acquire across act action actor actress adapt add addict address'.split(' '),
  );

function request(over: Partial<PopupRequest> = {}): PopupRequest {
  return {
    kind: 'sign',
    title: 'Approve transaction',
    hostOrigin: 'https://app.example',
    network: 'preprod',
    body: [{ t: 'p', a: {}, c: ['Send 1 ADA'] }],
    password: true,
    stay: false,
    approveLabel: 'Approve and sign',
    cancelLabel: 'Reject',
    ...over,
  };
}

/** Boots a fresh approve.html with `hash`, opened by a fake opener that records posts. */
async function boot(o: { hash?: string; opener?: boolean; framed?: boolean } = {}) {
  const nonce = newNonce();
  const posted: Posted[] = [];
  const opener = {
    postMessage: (message: Record<string, unknown>, origin: string) =>
      posted.push({ message, origin }),
  } as unknown as Window;
  document.body.innerHTML = '<main id="app"></main>';
  history.replaceState(null, '', `/approve.html#${o.hash ?? nonce}`);
  Object.defineProperty(window, 'opener', {
    value: o.opener === false ? null : opener,
    configurable: true,
  });
  // Framed by another page (to redress it): `top` is not this window.
  Object.defineProperty(window, 'top', {
    value: o.framed ? ({} as Window) : window,
    configurable: true,
  });
  vi.resetModules();
  await import('../src/popup.ts');
  const send = (m: Record<string, unknown>, from: Window = opener, n = nonce) =>
    window.dispatchEvent(
      new MessageEvent('message', {
        data: envelope(n, m as never),
        origin: location.origin,
        source: from,
      }),
    );
  const app = () => document.getElementById('app') as HTMLElement;
  const button = (name: string) =>
    [...app().querySelectorAll('button')].find((b) => b.textContent === name);
  const types = () => posted.map((p) => p.message.type);
  return { nonce, posted, opener, send, app, button, types };
}

/** A real press: pointer-down (the review gate counts it), then the click. */
function press(b: HTMLButtonElement | undefined) {
  if (!b) throw new Error('no such button');
  b.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
  b.click();
}

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => {
  // Each boot's pagehide handler would post to its own opener: fire them now, harmlessly.
  window.dispatchEvent(new Event('pagehide'));
});

describe('the wallet window (approve.html)', () => {
  it('opened with no opener or a bad nonce, it shows a notice and posts nothing', async () => {
    const bad = await boot({ hash: 'not-a-nonce' });
    expect(bad.app().textContent).toContain('This window opens from the wallet inside an app');
    expect(bad.posted).toEqual([]);
    const orphan = await boot({ opener: false });
    expect(orphan.app().textContent).toContain('This window opens from the wallet inside an app');
  });

  it('framed inside another page (a redressing attempt), it refuses: no ready, no screen', async () => {
    const w = await boot({ framed: true });
    expect(w.app().textContent).toContain('This window opens from the wallet inside an app');
    expect(w.posted).toEqual([]);
    w.send({ type: 'request', request: request() });
    expect(w.button('Approve and sign')).toBeUndefined();
  });

  it('says ready to its opener only, at its own origin, and drops the nonce from the address', async () => {
    const w = await boot();
    expect(w.posted).toEqual([
      { message: envelope(w.nonce, { type: 'ready' }), origin: location.origin },
    ]);
    expect(location.hash).toBe('');
    expect(location.href).not.toContain(w.nonce);
  });

  it('ignores a request from another window, with another nonce, or of a bad shape', async () => {
    const w = await boot();
    const stranger = { postMessage: () => undefined } as unknown as Window;
    w.send({ type: 'request', request: request() }, stranger);
    w.send({ type: 'request', request: request() }, w.opener, newNonce());
    w.send({ type: 'request', request: { ...request(), kind: 'transfer' } });
    w.send({ type: 'request', request: request({ kind: 'delete' }) }); // no confirm word
    expect(w.app().querySelector('h1, h2')?.textContent).not.toBe('Approve transaction');
    expect(w.button('Approve and sign')).toBeUndefined();
  });

  it('shows the first request only: a second one cannot swap what the user reviews', async () => {
    const w = await boot();
    w.send({ type: 'request', request: request() });
    w.send({
      type: 'request',
      request: request({ title: 'Something else', approveLabel: 'Other' }),
    });
    expect(w.app().textContent).toContain('Approve transaction');
    expect(w.app().textContent).toContain('https://app.example');
    expect(w.app().textContent).not.toContain('Something else');
  });

  it('a press before the review delay approves nothing; after it, approve posts the password once and clears it', async () => {
    const w = await boot();
    w.send({ type: 'request', request: request() });
    const approve = w.button('Approve and sign') as HTMLButtonElement;
    expect(approve.disabled).toBe(true);
    const pw = w.app().querySelector('input[type=password]') as HTMLInputElement;
    pw.value = 'Correct horse 42';
    // Too early: the button is disabled, and a forced submit is refused by the gate.
    press(approve);
    approve.form?.requestSubmit();
    expect(w.types()).toEqual(['ready']);
    await later(REVIEW_MS + 100);
    expect(approve.disabled).toBe(false);
    press(approve);
    const approvals = w.posted.filter((p) => p.message.type === 'approve');
    expect(approvals).toHaveLength(1);
    expect(approvals[0]?.message).toMatchObject({ password: 'Correct horse 42', stay: false });
    expect(pw.value).toBe('');
    // Answered: closing the window now is not a cancel.
    window.dispatchEvent(new Event('pagehide'));
    expect(w.types()).not.toContain('cancel');
  });

  it('an empty password is not sent; a retry shows the error and lets the user try again', async () => {
    const w = await boot();
    w.send({ type: 'request', request: request() });
    await later(REVIEW_MS + 100);
    press(w.button('Approve and sign'));
    expect(w.types()).toEqual(['ready']);
    expect(w.app().textContent).toContain('Type your password.');
    const pw = w.app().querySelector('input[type=password]') as HTMLInputElement;
    pw.value = 'wrong one';
    press(w.button('Approve and sign'));
    expect(w.types()).toEqual(['ready', 'approve']);
    w.send({ type: 'retry', error: 'That password is not right.', field: 'password' });
    expect(w.app().textContent).toContain('That password is not right.');
    expect(pw.getAttribute('aria-invalid')).toBe('true');
    expect((w.button('Approve and sign') as HTMLButtonElement).disabled).toBe(false);
  });

  it('closing it unanswered is a cancel, never an approval', async () => {
    const w = await boot();
    w.send({ type: 'request', request: request() });
    window.dispatchEvent(new Event('pagehide'));
    expect(w.types()).toEqual(['ready', 'cancel']);
  });

  it('a delete needs its confirmation word typed exactly', async () => {
    const w = await boot();
    w.send({
      type: 'request',
      request: request({
        kind: 'delete',
        title: 'Delete this wallet',
        approveLabel: 'Delete wallet',
        cancelLabel: 'Cancel',
        confirmWord: 'DELETE',
        danger: true,
      }),
    });
    await later(REVIEW_MS + 100);
    const [pw, confirm] = [...w.app().querySelectorAll('input')].filter(
      (i) => i.type === 'password' || i.type === 'text',
    ) as HTMLInputElement[];
    pw!.value = 'Correct horse 42';
    confirm!.value = 'delete';
    press(w.button('Delete wallet'));
    expect(w.types()).toEqual(['ready']);
    expect(w.app().textContent).toContain('Type DELETE in capitals.');
    confirm!.value = 'DELETE';
    press(w.button('Delete wallet'));
    expect(w.posted.at(-1)?.message).toMatchObject({ type: 'approve', confirm: 'DELETE' });
  });

  it('shows words only after its own export request was answered, and removes them on close', async () => {
    const w = await boot();
    // Words nobody asked for (a host pushing a phrase to phish with): ignored.
    w.send({ type: 'words', words: WORDS });
    expect(w.app().textContent).not.toContain('abandon');
    w.send({
      type: 'request',
      request: request({
        kind: 'export',
        title: 'Show your recovery phrase',
        approveLabel: 'Show phrase',
        cancelLabel: 'Cancel',
      }),
    });
    w.send({ type: 'words', words: WORDS });
    expect(w.app().textContent).not.toContain('abandon');
    await later(REVIEW_MS + 100);
    (w.app().querySelector('input[type=password]') as HTMLInputElement).value = 'pw';
    press(w.button('Show phrase'));
    w.send({ type: 'words', words: WORDS });
    expect(w.app().querySelectorAll('ol.words li')).toHaveLength(24);
    expect(w.app().textContent).toContain('abandon');
    window.dispatchEvent(new Event('pagehide'));
    expect(w.app().textContent).not.toContain('abandon');
    expect(w.app().querySelector('ol.words')).toBeNull();
  });
});
