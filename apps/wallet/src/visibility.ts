/**
 * @module visibility — "an approval counts only after the frame was confirmed visible and
 * uncovered for the whole review time" (DESIGN.md §2.12), as a small state machine
 * (`ReviewGate`) fed by two sources:
 *
 * - `watchFrameVisibility`: Chromium's IntersectionObserver v2 (`trackVisibility`) on a
 *   transparent, full-frame, topmost sentinel. `isVisible` is false when anything of the
 *   host's covers any part of the frame (a `pointer-events: none` cover included), or the
 *   frame is faded or transformed; the intersection ratio falls below 1 when the host
 *   enlarges or clips the frame so part of it is out of view.
 * - `watchWindowVisibility`: for the wallet's own top-level popup window, which the host
 *   cannot overlay: visible while the document is shown and has the focus.
 *
 * Where IntersectionObserver v2 is missing (Firefox, Safari) `canConfirmFrameVisibility()`
 * is false and the approval moves to the popup (ui/popup-client.ts).
 */

/** Review time: the approve button is enabled after this long of continuous visibility. */
export const REVIEW_MS = 600;
/** Below this frame size the screen cannot show what is signed: the popup is used. */
export const MIN_FRAME = { width: 280, height: 360 } as const;
/** Part of the sentinel that must be in the top-level viewport (rounding slack). */
const MIN_RATIO = 0.98;

/** One user input as the gate sees it (from a pointerdown or keydown). */
export interface GateInput {
  kind: 'pointer' | 'key';
  /** `KeyboardEvent.key` for keys. */
  key?: string;
  /** A key held down (auto-repeat): never a fresh press. */
  repeat?: boolean;
  /** A character typed into a text field (not Enter): it does not restart the review. */
  typing?: boolean;
  /** `Event.timeStamp` (same clock as `now`). */
  time: number;
}

export interface ReviewGateOptions {
  reviewMs?: number;
  /** Called when the approve button must be enabled or disabled. */
  onChange: (enabled: boolean) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * The review state machine. Hidden → (visible) reviewing → (reviewMs of continuous
 * visibility, no early press) enabled. Losing visibility at any point goes back to
 * hidden; a press (pointer, or a key other than typing in a field) while reviewing
 * restarts the review, so a hammering cursor or a held key never reaches the button.
 * Once enabled, an approval counts only when the press that caused it (pointer-down,
 * or Enter/Space key-down) happened after enablement, is not a key repeat, and
 * visibility held since.
 *
 * @example
 * const gate = new ReviewGate({ onChange: (on) => (button.disabled = !on) });
 * gate.setVisible(true); // … 600 ms later onChange(true)
 * form.onsubmit = () => { if (!gate.take()) return; sign(); };
 */
export class ReviewGate {
  readonly #reviewMs: number;
  readonly #onChange: (enabled: boolean) => void;
  readonly #now: () => number;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #clearTimer: (handle: unknown) => void;
  #visible = false;
  #enabled = false;
  #enabledAt = Number.POSITIVE_INFINITY;
  #timer: unknown;
  /** The last press was fresh (after enablement, no repeat) and an activating one. */
  #armed = false;
  #stopped = false;

  constructor(options: ReviewGateOptions) {
    this.#reviewMs = options.reviewMs ?? REVIEW_MS;
    this.#onChange = options.onChange;
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer =
      options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  get visible(): boolean {
    return this.#visible;
  }

  /** A visibility report. Any report of "not visible" resets the review. */
  setVisible(visible: boolean): void {
    if (this.#stopped) return;
    if (!visible) {
      this.#visible = false;
      this.#disable();
      return;
    }
    if (this.#visible) return;
    this.#visible = true;
    this.#restart();
  }

  /** A pointer-down or key-down anywhere on the screen. */
  input(e: GateInput): void {
    if (this.#stopped) return;
    if (!this.#enabled) {
      this.#armed = false;
      // Pressing before the button is enabled is no review: start again.
      if (this.#visible && !e.typing) this.#restart();
      return;
    }
    const activating = e.kind === 'pointer' || e.key === 'Enter' || e.key === ' ';
    this.#armed = activating && e.repeat !== true && e.time >= this.#enabledAt;
  }

  /** True when an approval submitted now counts; consumes the press. */
  take(): boolean {
    const ok = !this.#stopped && this.#enabled && this.#visible && this.#armed;
    this.#armed = false;
    return ok;
  }

  stop(): void {
    this.#stopped = true;
    this.#clear();
  }

  #restart(): void {
    this.#disable();
    this.#timer = this.#setTimer(() => {
      this.#timer = undefined;
      if (!this.#visible || this.#stopped) return;
      this.#enabled = true;
      this.#enabledAt = this.#now();
      this.#onChange(true);
    }, this.#reviewMs);
  }

  #disable(): void {
    this.#clear();
    this.#armed = false;
    this.#enabledAt = Number.POSITIVE_INFINITY;
    if (this.#enabled) {
      this.#enabled = false;
      this.#onChange(false);
    }
  }

  #clear(): void {
    if (this.#timer !== undefined) this.#clearTimer(this.#timer);
    this.#timer = undefined;
  }
}

type V2Entry = IntersectionObserverEntry & { isVisible?: boolean };

/** True where the browser can tell whether the frame is covered (IntersectionObserver v2). */
export function canConfirmFrameVisibility(): boolean {
  return (
    typeof IntersectionObserver === 'function' &&
    typeof IntersectionObserverEntry === 'function' &&
    'isVisible' in IntersectionObserverEntry.prototype
  );
}

/** True when the host gives the frame too little room to show what is signed. */
export function frameTooSmall(w: Pick<Window, 'innerWidth' | 'innerHeight'> = window): boolean {
  return w.innerWidth < MIN_FRAME.width || w.innerHeight < MIN_FRAME.height;
}

/**
 * `frameTooSmall`, after giving a just-shown frame up to `ms` to get its size. The host
 * is asked to show the frame right before an approval (`ui {visible:true}`), and in a
 * cross-site (out-of-process) iframe the new size arrives a little later: measured at
 * once, a frame about to be full size read as too small and the approval went to the
 * popup for no reason (e2e sign.spec "reload → unlock", 2 runs in 3). A host that keeps
 * the frame small still gets the popup, only up to `ms` later.
 */
export function frameTooSmallSettled(
  w: Pick<
    Window,
    'innerWidth' | 'innerHeight' | 'addEventListener' | 'removeEventListener'
  > = window,
  ms = 1000,
): Promise<boolean> {
  if (!frameTooSmall(w)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      w.removeEventListener('resize', onResize);
      resolve(frameTooSmall(w));
    };
    const onResize = () => {
      if (!frameTooSmall(w)) finish();
    };
    const timer = setTimeout(finish, ms);
    w.addEventListener('resize', onResize);
  });
}

/**
 * Whether one IntersectionObserver v2 entry of the full-frame sentinel means "the whole
 * frame is in view, unobscured and untransformed".
 */
export function entryVisible(e: V2Entry): boolean {
  return e.isIntersecting && e.intersectionRatio >= MIN_RATIO && e.isVisible === true;
}

/**
 * Reports the frame's visibility to `report` (false first, then as the browser finds
 * it). Also false while the frame is smaller than `MIN_FRAME`.
 */
export function watchFrameVisibility(report: (visible: boolean) => void): { stop(): void } {
  const sentinel = document.createElement('div');
  sentinel.className = 'visibility-sentinel';
  sentinel.setAttribute('aria-hidden', 'true');
  document.body.append(sentinel);
  let last = false;
  let small = frameTooSmall();
  const emit = () => report(last && !small);
  const onResize = () => {
    small = frameTooSmall();
    emit();
  };
  addEventListener('resize', onResize);
  report(false);
  let observer: IntersectionObserver | undefined;
  try {
    observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries as V2Entry[]) last = entryVisible(e);
        emit();
      },
      {
        threshold: [0, 0.5, MIN_RATIO, 1],
        trackVisibility: true,
        delay: 100,
      } as IntersectionObserverInit,
    );
    observer.observe(sentinel);
  } catch {
    observer = undefined; // stays "not visible": nothing can be approved in the frame
  }
  return {
    stop: () => {
      observer?.disconnect();
      removeEventListener('resize', onResize);
      sentinel.remove();
    },
  };
}

/** The popup window's visibility: shown and focused (the host cannot cover it). */
export function watchWindowVisibility(report: (visible: boolean) => void): { stop(): void } {
  const emit = () => report(document.visibilityState === 'visible' && document.hasFocus());
  addEventListener('focus', emit);
  addEventListener('blur', emit);
  document.addEventListener('visibilitychange', emit);
  emit();
  return {
    stop: () => {
      removeEventListener('focus', emit);
      removeEventListener('blur', emit);
      document.removeEventListener('visibilitychange', emit);
    },
  };
}

/**
 * Feeds every pointer-down and key-down of `root`'s document (capture phase, before any
 * handler) into the gate.
 */
export function feedInput(gate: ReviewGate, target: Document = document): { stop(): void } {
  const onPointer = (e: Event) => gate.input({ kind: 'pointer', time: e.timeStamp });
  const onKey = (e: Event) => {
    const k = e as KeyboardEvent;
    const t = k.target as HTMLElement | null;
    const field = t instanceof HTMLInputElement && (t.type === 'password' || t.type === 'text');
    gate.input({
      kind: 'key',
      key: k.key,
      repeat: k.repeat,
      typing: field && k.key !== 'Enter',
      time: k.timeStamp,
    });
  };
  target.addEventListener('pointerdown', onPointer, true);
  target.addEventListener('keydown', onKey, true);
  return {
    stop: () => {
      target.removeEventListener('pointerdown', onPointer, true);
      target.removeEventListener('keydown', onKey, true);
    },
  };
}
