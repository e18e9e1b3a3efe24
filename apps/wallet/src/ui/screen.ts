/**
 * @module ui/screen — one screen of a flow: heading, body, a form whose submit runs an
 * async action with progress and errors, and keyboard handling (Enter submits through the
 * native form; View handles Escape = cancel and keeps Tab inside the dialog). Progress goes to a polite live region, errors to an
 * assertive one, and focus moves to the first field (or the heading) when shown and to
 * the error when one appears.
 */
import { type Child, clear, h } from './dom.ts';

export interface ScreenOptions {
  title: string;
  /** Paragraphs or nodes under the title. */
  body?: Child[];
  /** Form content (fields) placed before the buttons. */
  fields?: Child[];
  submitLabel?: string;
  /** Omit for screens that cannot be cancelled. */
  cancelLabel?: string;
  /** Style of the submit button. */
  danger?: boolean;
  /** Where focus goes when shown: the first field (forms) or the heading (review screens). */
  initialFocus?: 'first' | 'heading';
  onSubmit?: (screen: Screen) => void | Promise<void>;
  onCancel?: () => void;
  /**
   * Approval layout: the form (password, approve, cancel) is a sticky bar at the bottom
   * of the frame, so the action and what it acts on are on screen together at any size.
   */
  stickyActions?: boolean;
  /** Shows a clear testnet marker in the header when not `mainnet`. */
  network?: string;
}

export class Screen {
  readonly root: HTMLElement;
  readonly heading: HTMLHeadingElement;
  readonly form: HTMLFormElement;
  readonly #status: HTMLElement;
  readonly #alert: HTMLElement;
  readonly #bar: HTMLProgressElement;
  readonly #submit: HTMLButtonElement | undefined;
  #busy = false;
  /** The input an error() marked invalid (cleared with the error). */
  #invalid: HTMLElement | undefined;
  /** Whether the approval gate lets the submit button be enabled (visibility.ts). */
  #submitAllowed = true;

  constructor(readonly options: ScreenOptions) {
    this.heading = h('h1', { tabindex: -1 }, options.title);
    this.#status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.#alert = h('p', { class: 'error', role: 'alert', tabindex: -1, hidden: true });
    this.#bar = h('progress', { class: 'bar', hidden: true, 'aria-hidden': 'true' });
    const buttons = h('div', { class: 'buttons' });
    if (options.cancelLabel) {
      buttons.append(
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => this.cancel() },
          options.cancelLabel,
        ),
      );
    }
    if (options.submitLabel) {
      this.#submit = h(
        'button',
        { type: 'submit', class: options.danger ? 'danger' : 'primary' },
        options.submitLabel,
      );
      buttons.append(this.#submit);
    }
    this.form = h(
      'form',
      {
        novalidate: true,
        class: options.stickyActions ? 'actions sticky' : 'actions',
        onsubmit: (e: Event) => this.#onSubmit(e),
      },
      ...(options.fields ?? []),
      this.#alert,
      this.#bar,
      this.#status,
      buttons,
    );
    this.root = h(
      'section',
      {
        class: 'screen',
        'aria-labelledby': '',
      },
      h(
        'header',
        { class: 'screen-head' },
        this.heading,
        options.network && options.network !== 'mainnet'
          ? h(
              'span',
              { class: 'testnet', title: `${options.network} is a test network` },
              `Testnet · ${options.network}`,
            )
          : null,
        options.cancelLabel
          ? h(
              'button',
              {
                type: 'button',
                class: 'close',
                'aria-label': 'Close',
                title: `Close (${options.cancelLabel})`,
                onclick: () => this.cancel(),
              },
              '×',
            )
          : null,
      ),
      h('div', { class: 'screen-body' }, ...(options.body ?? [])),
      this.form,
    );
    this.heading.id = `h-${Math.random().toString(36).slice(2, 9)}`;
    this.#alert.id = `${this.heading.id}-error`;
    this.root.setAttribute('aria-labelledby', this.heading.id);
  }

  /** The submit button (the approve button on review screens). */
  get submitButton(): HTMLButtonElement | undefined {
    return this.#submit;
  }

  /**
   * Lets the approval gate enable or disable the submit button (it stays disabled while
   * the screen is busy, and busy(false) keeps the gate's choice).
   */
  allowSubmit(on: boolean): void {
    this.#submitAllowed = on;
    if (this.#submit && !this.#busy) this.#submit.disabled = !on;
  }

  cancel(): void {
    if (this.#busy) return;
    this.options.onCancel?.();
  }

  async #onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.#busy || !this.options.onSubmit) return;
    this.error('');
    try {
      await this.options.onSubmit(this);
    } finally {
      if (this.#busy) this.busy(false);
    }
  }

  /** Whether an action is running (busy(true) until busy(false)). */
  get isBusy(): boolean {
    return this.#busy;
  }

  /** Disables every control while an action runs (the host cannot click for the user). */
  busy(on: boolean): void {
    this.#busy = on;
    for (const el of this.form.querySelectorAll<
      HTMLInputElement | HTMLButtonElement | HTMLSelectElement
    >('input, button, select, textarea')) {
      el.disabled = on;
    }
    if (!on && this.#submit) this.#submit.disabled = !this.#submitAllowed;
    this.root.setAttribute('aria-busy', String(on));
    if (!on) {
      this.#bar.hidden = true;
      this.#status.textContent = '';
    }
  }

  /** Shows progress text (and an indeterminate bar). */
  progress(text: string): void {
    this.#bar.hidden = false;
    this.#status.textContent = text;
  }

  /**
   * Shows an error (empty clears it) and moves focus to it. With `field` (the input the
   * error is about: a wrong password or answer) that input is marked aria-invalid and
   * described by the error, until the error is cleared.
   */
  error(text: string, field?: HTMLElement): void {
    if (this.#invalid) {
      const ids = (this.#invalid.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .filter((id) => id && id !== this.#alert.id);
      this.#invalid.setAttribute('aria-describedby', ids.join(' '));
      this.#invalid.removeAttribute('aria-invalid');
      this.#invalid = undefined;
    }
    this.#alert.textContent = text;
    this.#alert.hidden = text === '';
    if (text && field) {
      const ids = field.getAttribute('aria-describedby');
      field.setAttribute('aria-describedby', ids ? `${ids} ${this.#alert.id}` : this.#alert.id);
      field.setAttribute('aria-invalid', 'true');
      this.#invalid = field;
    }
    if (text) this.#alert.focus();
  }

  /** The first enabled, shown field, else the enabled submit button, else the heading. */
  firstFocusable(): HTMLElement {
    const first = [
      ...this.form.querySelectorAll<HTMLElement>(
        'input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])',
      ),
    ].find((el) => !el.closest('[hidden]'));
    return first ?? (this.#submit && !this.#submit.disabled ? this.#submit : this.heading);
  }

  /** Focuses the first enabled field, else the submit button, else the heading. */
  focusFirst(): void {
    this.firstFocusable().focus();
  }
}

const TABBABLE =
  'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])';

/** The elements Tab can reach inside `root`, in document order. */
function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(TABBABLE)].filter(
    (el) => !(el as HTMLInputElement).disabled && !el.closest('[hidden], [inert]'),
  );
}

/**
 * The single place screens are shown. The wallet's document is the modal dialog the host
 * overlays (the SDK makes the host page inert), so View also keeps the keyboard inside
 * it: Tab past the last control wraps to the first, Shift+Tab before the first wraps to
 * the last (a Tab out of the frame would reach only the browser's own UI), and Escape
 * cancels the current screen where it can be cancelled, wherever focus is.
 */
export class View {
  #current: Screen | undefined;
  /** Where focus should be but could not go (a hidden or unfocused frame refuses it). */
  #pending: HTMLElement | undefined;

  constructor(readonly root: HTMLElement) {
    const doc = root.ownerDocument;
    doc.addEventListener('keydown', (e) => this.#onKey(e));
    // WebKit (and Chromium for a frame shown a moment later) refuse focus() in a frame
    // that is hidden or does not have the focus; the host focuses the frame when it shows
    // the overlay, and that is when the wanted element gets it.
    doc.defaultView?.addEventListener('focus', () => this.#retryFocus());
    doc.addEventListener('visibilitychange', () => this.#retryFocus());
    // A pointer chooses for itself where focus goes: nothing is pulled after it.
    doc.addEventListener('pointerdown', () => {
      this.#pending = undefined;
    });
  }

  show(screen: Screen, focus = screen.options.initialFocus ?? 'first'): Screen {
    clear(this.root);
    this.#current = screen;
    this.root.append(screen.root);
    this.#focus(focus === 'heading' ? screen.heading : screen.firstFocusable());
    return screen;
  }

  /** A screen with no action (waiting, finished). */
  message(title: string, ...body: Child[]): void {
    clear(this.root);
    this.#current = undefined;
    const heading = h('h1', { tabindex: -1 }, title);
    this.root.append(h('section', { class: 'screen' }, heading, ...body));
    this.#focus(heading);
  }

  #focus(el: HTMLElement): void {
    el.focus();
    this.#pending = el.ownerDocument.activeElement === el ? undefined : el;
  }

  #retryFocus(): void {
    const el = this.#pending;
    if (!el) return;
    const active = el.ownerDocument.activeElement;
    // Only when nothing else has the focus (never pull it from where the user put it).
    if (el.isConnected && (!active || active === el.ownerDocument.body)) this.#focus(el);
    else this.#pending = undefined;
  }

  #onKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || !this.root.isConnected) return;
    // WebKit refuses focus() in a cross-origin frame the user has not yet interacted with,
    // even once the host focused it: the keys then reach the frame's body. The first key is
    // that interaction, so the refused focus is applied now, and what the user types (or
    // their first Tab) lands in the first field.
    if (this.#pending) {
      this.#retryFocus();
      if (e.key === 'Tab' && !this.#pending) {
        e.preventDefault();
        return;
      }
    }
    if (e.key === 'Escape' && this.#current?.options.onCancel) {
      e.preventDefault();
      this.#current.cancel();
      return;
    }
    if (e.key !== 'Tab') return;
    const list = tabbables(this.root);
    const active = this.root.ownerDocument.activeElement;
    const first = list[0];
    const last = list[list.length - 1];
    if (!first || !last) {
      // Nothing to tab to (a message screen): focus stays on its heading.
      e.preventDefault();
      return;
    }
    const inside = active instanceof HTMLElement && this.root.contains(active);
    const before = (a: Node, b: Node) => (a.compareDocumentPosition(b) & 4) !== 0; // b follows a
    if (e.shiftKey) {
      if (!inside || !list.some((el) => before(el, active))) {
        e.preventDefault();
        last.focus();
      }
    } else if (!inside || !list.some((el) => before(active, el))) {
      e.preventDefault();
      first.focus();
    }
  }

  /** Removes everything shown (used after export, so the words leave the DOM). */
  clear(): void {
    clear(this.root);
  }
}

/** A paragraph. */
export const p = (...children: Child[]) => h('p', null, ...children);
