/**
 * @module popup-link — the wallet iframe ↔ wallet popup window channel (DESIGN.md §2.12:
 * where the browser cannot confirm that the frame is visible, the approval happens in a
 * first-party, top-level window of the wallet's origin that the host cannot overlay).
 *
 * The iframe opens `approve.html#<nonce>` with `window.open` from the user's click; the
 * popup answers its opener; both sides accept a message only when its `source` is the
 * other window, its `origin` is the wallet's own origin, and it carries the request's
 * 128-bit nonce. Messages are posted with the wallet origin as `targetOrigin`, never `*`.
 * The popup never signs and holds no share: it shows the screen and returns the user's
 * answer (and the password the iframe needs to open its device share).
 *
 * Messages (`{ trine: 'approval', v: 1, nonce, … }`):
 *   popup → iframe  `ready` | `approve {password, stay}` | `cancel`
 *   iframe → popup  `request {request}` | `progress {text}` | `retry {error}` | `done`
 */
import type { Snap } from './ui/snapshot.ts';

export interface PopupRequest {
  title: string;
  /** The requesting origin and the wallet's network, shown in the popup's header. */
  hostOrigin: string;
  network: string;
  body: Snap[];
  /** A password field (no unlock session). */
  password: boolean;
  /** The "stay unlocked" checkbox (with the password only). */
  stay: boolean;
  approveLabel: string;
  cancelLabel: string;
}

export type ToIframe =
  | { type: 'ready' }
  | { type: 'approve'; password: string; stay: boolean }
  | { type: 'cancel' };
export type ToPopup =
  | { type: 'request'; request: PopupRequest }
  | { type: 'progress'; text: string }
  | { type: 'retry'; error: string }
  | { type: 'done' };

type Envelope<T> = T & { trine: 'approval'; v: 1; nonce: string };

const NONCE = /^[0-9a-f]{32}$/;

/** A fresh 128-bit nonce (hex). */
export function newNonce(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function isNonce(v: unknown): v is string {
  return typeof v === 'string' && NONCE.test(v);
}

/** Wraps a message for `postMessage`. */
export function envelope<T extends object>(nonce: string, m: T): Envelope<T> {
  return { trine: 'approval', v: 1, nonce, ...m };
}

/**
 * Narrows a MessageEvent to one of ours: right source window, the wallet's own origin,
 * the nonce; then the shape. Anything else is `undefined` (ignored).
 */
export function readToIframe(e: MessageEvent, from: Window, nonce: string): ToIframe | undefined {
  const d = ours(e, from, nonce);
  if (!d) return undefined;
  if (d.type === 'ready' || d.type === 'cancel') return { type: d.type };
  if (d.type === 'approve' && typeof d.password === 'string' && typeof d.stay === 'boolean') {
    if (d.password.length > 1024) return undefined;
    return { type: 'approve', password: d.password, stay: d.stay };
  }
  return undefined;
}

export function readToPopup(e: MessageEvent, from: Window, nonce: string): ToPopup | undefined {
  const d = ours(e, from, nonce);
  if (!d) return undefined;
  if (d.type === 'done') return { type: 'done' };
  if (d.type === 'progress' && typeof d.text === 'string')
    return { type: 'progress', text: d.text };
  if (d.type === 'retry' && typeof d.error === 'string') return { type: 'retry', error: d.error };
  if (d.type === 'request' && isRequest(d.request)) return { type: 'request', request: d.request };
  return undefined;
}

function ours(e: MessageEvent, from: Window, nonce: string): Record<string, unknown> | undefined {
  if (e.source !== from) return undefined;
  if (e.origin !== location.origin) return undefined;
  const d = e.data as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null) return undefined;
  if (d.trine !== 'approval' || d.v !== 1 || d.nonce !== nonce) return undefined;
  return d;
}

function isRequest(v: unknown): v is PopupRequest {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.title === 'string' &&
    typeof r.hostOrigin === 'string' &&
    typeof r.network === 'string' &&
    Array.isArray(r.body) &&
    typeof r.password === 'boolean' &&
    typeof r.stay === 'boolean' &&
    typeof r.approveLabel === 'string' &&
    typeof r.cancelLabel === 'string'
  );
}

/** Where the popup page is served (the wallet build's base, e.g. `/embed/approve.html`). */
export function popupUrl(nonce: string): string {
  const base = import.meta.env?.BASE_URL ?? '/embed/';
  return new URL(`${base}approve.html#${nonce}`, location.origin).href;
}
