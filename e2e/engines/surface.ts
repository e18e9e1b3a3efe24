/**
 * @module engines/surface — what a flow step may do to one document (the demo page, the
 * wallet iframe, or a wallet-origin popup window), the same for every engine driver
 * (Firefox through WebDriver BiDi, WebKit through classic WebDriver). Steps find things
 * the way a user does — a heading's text, a button's name, a field's label — with one
 * in-page script (LOCATE) that every driver runs, so the engines are asked the same thing.
 */

/** A user-level query: a heading, a button or a labelled form control, by visible text. */
export type Query =
  | { role: 'heading'; name: string | RegExp }
  | { role: 'button'; name: string | RegExp }
  | { role: 'field'; name: string | RegExp };

/** One document in one browser. Every method waits (polling) up to `timeoutMs`. */
export interface Surface {
  /** Which document this is (for messages): `page`, `wallet iframe`, `wallet popup`. */
  readonly label: string;
  /** Resolves when the query matches a visible element; rejects after the timeout. */
  waitFor(q: Query, timeoutMs?: number): Promise<void>;
  /** True if the query matches a visible element now. */
  has(q: Query): Promise<boolean>;
  /** Clears the labelled field and types `value` with real key events. */
  fill(label: string, value: string): Promise<void>;
  /** Clicks the visible, enabled button with this name (waits until it is enabled). */
  click(name: string | RegExp): Promise<void>;
  /** textContent of the first element matching a CSS selector ('' when none). */
  text(css: string): Promise<string>;
  /** Runs an expression (JavaScript source) in the document and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
}

/** One browser profile: a device. A new one has no device share. */
export interface Device {
  readonly engine: string;
  /** The top-level page. */
  readonly page: Surface;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** The wallet's cross-site iframe in the page (waits for it to load). */
  wallet(): Promise<Surface>;
  /**
   * The newest wallet-origin window the page opened (a popup), or null when there is none
   * now. Newest: the storage window may stay open under an approval window.
   */
  popup(): Promise<Surface | null>;
  close(): Promise<void>;
}

/** How a device's browser is set up (beyond a fresh profile). */
export interface DeviceOptions {
  /**
   * Third-party storage blocked, as a privacy-minded user sets it: Firefox
   * `network.cookie.cookieBehavior` 1 (reject third-party cookies and storage).
   */
  blockThirdPartyStorage?: boolean;
}

/** An engine: opens devices (fresh profiles) and reports its version. */
export interface Engine {
  readonly name: string;
  version(): Promise<string>;
  newDevice(options?: DeviceOptions): Promise<Device>;
  /** Stops everything the engine started (drivers, Xvfb). */
  stop(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** A serialisable form of a Query for the in-page script. */
export function wire(q: Query): { role: string; name: string; regex: boolean } {
  return q.name instanceof RegExp
    ? { role: q.role, name: q.name.source, regex: true }
    : { role: q.role, name: q.name, regex: false };
}

/**
 * The in-page locator, as source text (not a function: a TypeScript transform could add
 * helpers to a function's source that do not exist in the page). Called with a wired
 * Query (+ `enabled`: buttons must not be disabled); returns the element or null. Names
 * are compared after collapsing whitespace; a string matches exactly.
 */
export const LOCATE = `function (q) {
  var norm = function (s) { return (s || '').replace(/\\s+/g, ' ').trim(); };
  var match = q.regex
    ? (function (re) { return function (s) { return re.test(norm(s)); }; })(new RegExp(q.name))
    : function (s) { return norm(s) === q.name; };
  var shown = function (el) {
    if (!el || !el.isConnected || el.closest('[hidden]')) return false;
    var r = el.getClientRects();
    return r.length > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  var all = function (sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); };
  var found = null;
  if (q.role === 'heading') {
    found = all('h1,h2,h3,h4,h5,h6,[role=heading]').filter(function (e) {
      return shown(e) && match(e.textContent);
    })[0];
  } else if (q.role === 'button') {
    found = all('button,[role=button],input[type=submit],input[type=button]').filter(function (e) {
      return shown(e) && match(e.getAttribute('aria-label') || e.textContent || e.value);
    })[0];
    if (found && q.enabled && found.disabled) return null;
  } else if (q.role === 'field') {
    var labels = all('label').filter(function (l) { return shown(l) && match(l.textContent); });
    for (var i = 0; i < labels.length && !found; i++) {
      var c = labels[i].control;
      if (c && shown(c)) found = c;
    }
    if (!found) {
      found = all('[aria-label]').filter(function (e) {
        return shown(e) && match(e.getAttribute('aria-label'));
      })[0];
    }
  }
  return found || null;
}`;

/** Thrown by a probe to stop polling at once (e.g. the demo already shows an error). */
export class FatalStep extends Error {}

/** Polls `probe` until it returns a non-null value or the time is up. */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | null | undefined>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null && v !== undefined) return v;
    } catch (e) {
      if (e instanceof FatalStep) throw e;
      // A navigation or a frame swap mid-probe: try again until the deadline.
      last = e;
    }
    if (Date.now() >= until) {
      const why = last instanceof Error ? ` (last error: ${last.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function queryText(q: Query): string {
  return `${q.role} ${q.name instanceof RegExp ? q.name : JSON.stringify(q.name)}`;
}
