// @vitest-environment happy-dom
/**
 * @module focus.test — keyboard focus in the wallet's document (the modal the host
 * overlays): the first field is focused on every screen (also when the frame first
 * refuses focus, as WebKit does in a frame that is hidden or not focused), Tab and
 * Shift+Tab cycle within the dialog, Escape cancels where cancel exists.
 *
 * happy-dom does not move focus on Tab itself: `tab()` dispatches the keydown as a
 * browser does and, unless the wallet prevented it, moves focus to the next element in
 * document order — the browser's own default, which is what a Tab out of the frame would be.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../src/context.ts';
import { createFlow } from '../src/flows/create.ts';
import { h } from '../src/ui/dom.ts';
import { passwordField, textField } from '../src/ui/fields.ts';
import { Screen, View } from '../src/ui/screen.ts';

const TABBABLE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

/** The browser's Tab: the keydown first, then (if not prevented) the default move. */
function tab(shift = false): void {
  const from = (document.activeElement as HTMLElement | null) ?? document.body;
  const e = new KeyboardEvent('keydown', {
    key: 'Tab',
    shiftKey: shift,
    bubbles: true,
    cancelable: true,
  });
  from.dispatchEvent(e);
  if (e.defaultPrevented) return;
  const all = [...document.querySelectorAll<HTMLElement>(TABBABLE)].filter(
    (el) => !(el as HTMLButtonElement).disabled && !el.closest('[hidden], [inert]'),
  );
  const i = all.indexOf(from);
  const next = shift ? all[i === -1 ? all.length - 1 : i - 1] : all[i + 1];
  // Past either end the browser leaves the document (the host page, or its own UI).
  if (next) next.focus();
  else (document.activeElement as HTMLElement | null)?.blur();
}

const label = (el: Element | null): string =>
  el instanceof HTMLInputElement
    ? (document.querySelector(`label[for="${el.id}"]`)?.textContent ?? el.id)
    : el === document.body || !el
      ? 'body'
      : `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent}`;

function mount(opts: Partial<ConstructorParameters<typeof Screen>[0]> = {}) {
  const root = document.createElement('main');
  document.body.append(root);
  const view = new View(root);
  const pw = passwordField('Password', 'current-password');
  const note = textField('Note');
  const screen = new Screen({
    title: 'Approve transaction',
    fields: [pw.wrap, note.wrap],
    submitLabel: 'Approve',
    cancelLabel: 'Reject',
    ...opts,
  });
  view.show(screen);
  return { view, screen, pw, note, root };
}

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

describe('focus order and the trap', () => {
  it('Tab goes close → fields → buttons and wraps from the last control to the first', () => {
    mount();
    const seen = [label(document.activeElement)];
    for (let i = 0; i < 5; i++) {
      tab();
      seen.push(label(document.activeElement));
    }
    expect(seen).toEqual([
      'Password',
      'Note',
      'button:Reject',
      'button:Approve',
      'button:Close',
      'Password',
    ]);
  });

  it('Shift+Tab wraps from the first control to the last', () => {
    mount();
    tab(true); // Password → Close (the header's close button comes first)
    expect(label(document.activeElement)).toBe('button:Close');
    tab(true);
    expect(label(document.activeElement)).toBe('button:Approve');
    tab(true);
    expect(label(document.activeElement)).toBe('button:Reject');
  });

  it('skips disabled and hidden controls; from the heading or body Tab stays inside', () => {
    const { screen, pw, note } = mount();
    note.wrap.hidden = true;
    screen.allowSubmit(false);
    screen.heading.focus();
    tab(true);
    expect(label(document.activeElement)).toBe('button:Reject');
    (document.activeElement as HTMLElement).blur();
    expect(document.activeElement).toBe(document.body);
    tab();
    expect(label(document.activeElement)).toBe('button:Close');
    pw.input.focus();
    tab();
    expect(label(document.activeElement)).toBe('button:Reject');
    tab();
    expect(label(document.activeElement)).toBe('button:Close');
  });

  it('a message screen (nothing to tab to) keeps focus on its heading', () => {
    const root = document.createElement('main');
    document.body.append(root);
    const view = new View(root);
    view.message('Trine wallet', h('p', null, 'Waiting for the app.'));
    const heading = root.querySelector('h1');
    expect(document.activeElement).toBe(heading);
    tab();
    expect(document.activeElement).toBe(heading);
    tab(true);
    expect(document.activeElement).toBe(heading);
  });

  it('the control: without the trap, Tab from the last control leaves the document', () => {
    // The same keydown on an element outside any View is not prevented, so the emulated
    // browser default runs: the assertion above can fail.
    const outside = document.createElement('button');
    outside.textContent = 'last';
    document.body.append(outside);
    outside.focus();
    tab();
    expect(document.activeElement).toBe(document.body);
  });
});

describe('Escape', () => {
  it('cancels where cancel exists, wherever focus is (also on body)', () => {
    const onCancel = vi.fn();
    mount({ onCancel });
    (document.activeElement as HTMLElement).blur();
    document.body.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }),
    );
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('does nothing on a screen that cannot be cancelled', () => {
    const root = document.createElement('main');
    document.body.append(root);
    const screen = new Screen({ title: 'Your recovery phrase', submitLabel: 'Done' });
    new View(root).show(screen);
    const e = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    screen.root.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(false);
  });
});

describe('first-field focus', () => {
  it('fields: the first field; no fields: the submit button; review screens: the heading', () => {
    const { pw } = mount();
    expect(document.activeElement).toBe(pw.input);
    const { screen: noFields } = mount({ fields: [] });
    expect(document.activeElement).toBe(noFields.submitButton);
    const { screen: review } = mount({ initialFocus: 'heading' });
    expect(document.activeElement).toBe(review.heading);
  });

  it('a field in a hidden part is skipped; a gated (disabled) submit gives the heading', () => {
    const hiddenField = textField('Hidden');
    hiddenField.wrap.hidden = true;
    const { screen } = mount({ fields: [hiddenField.wrap] });
    expect(document.activeElement).toBe(screen.submitButton);
    const root = document.createElement('main');
    document.body.append(root);
    const s = new Screen({ title: 'Sign', submitLabel: 'Sign' });
    s.allowSubmit(false);
    new View(root).show(s);
    expect(document.activeElement).toBe(s.heading);
  });

  it('a frame that refuses focus (hidden or unfocused, WebKit) gets it when it is focused', () => {
    const refuse = vi.spyOn(HTMLElement.prototype, 'focus').mockImplementation(() => {});
    const { pw } = mount();
    expect(document.activeElement).toBe(document.body);
    refuse.mockRestore();
    // The host shows the overlay and focuses the frame: the frame's window gets `focus`.
    window.dispatchEvent(new Event('focus'));
    expect(document.activeElement).toBe(pw.input);
  });

  it('a frame focused but refusing focus() until the user acts (WebKit): the first key lands in the first field', () => {
    const refuse = vi.spyOn(HTMLElement.prototype, 'focus').mockImplementation(() => {});
    const { pw } = mount();
    window.dispatchEvent(new Event('focus')); // still refused: no user interaction yet
    expect(document.activeElement).toBe(document.body);
    refuse.mockRestore();
    // The user's first Tab (the interaction): focus goes to the first field, not past it.
    tab();
    expect(document.activeElement).toBe(pw.input);
    tab();
    expect(label(document.activeElement)).toBe('Note');
  });

  it('a click clears the pending focus: nothing is pulled after it', () => {
    const refuse = vi.spyOn(HTMLElement.prototype, 'focus').mockImplementation(() => {});
    mount();
    refuse.mockRestore();
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    window.dispatchEvent(new Event('focus'));
    expect(document.activeElement).toBe(document.body);
  });

  it('never pulls focus from where the user put it', () => {
    const refuse = vi.spyOn(HTMLElement.prototype, 'focus').mockImplementation(() => {});
    const { note } = mount();
    refuse.mockRestore();
    note.input.focus();
    window.dispatchEvent(new Event('focus'));
    expect(document.activeElement).toBe(note.input);
  });

  it('create: the password field; recover-style single field: that field', async () => {
    const root = document.createElement('main');
    document.body.append(root);
    const view = new View(root);
    const ctx = { view, app: { name: 'Demo' }, network: 'preprod' } as unknown as Ctx;
    void createFlow(ctx).catch(() => undefined);
    expect(label(document.activeElement)).toBe('Password');
  });
});
