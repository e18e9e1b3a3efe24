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
 *   popup → iframe  `ready` | `approve {password, stay, confirm?}` | `cancel`
 *   iframe → popup  `request {request}` | `progress {text}` | `retry {error, field?}` |
 *                   `words {words}` | `done`
 *
 * A request's `kind` says what the popup is for: `sign` (signTx/signData), `export` (the
 * recovery phrase: the frame unlocks and sends the words here, the only place they are
 * ever posted) or `delete` (`confirmWord` is the word the user must type, `danger` styles
 * the button). After `words`, `cancel` means the user closed the phrase: nothing more
 * follows. Every field is type-checked and size-bounded on receipt; anything else is
 * ignored, never half-read.
 */
import type { Snap } from './ui/snapshot.ts';

export type PopupKind = 'sign' | 'export' | 'delete';

export interface PopupRequest {
  kind: PopupKind;
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
  /** A "Type <word> to confirm" field (delete); capitals only, at most 16. */
  confirmWord?: string;
  /** Danger styling of the approve button (delete). */
  danger?: boolean;
}

export type ToIframe =
  | { type: 'ready' }
  | { type: 'approve'; password: string; stay: boolean; confirm?: string }
  | { type: 'cancel' };
export type ToPopup =
  | { type: 'request'; request: PopupRequest }
  | { type: 'progress'; text: string }
  /** `field`: the input the error is about (shown under it). */
  | { type: 'retry'; error: string; field?: 'password' | 'confirm' }
  /** The recovery phrase (export only). */
  | { type: 'words'; words: string[] }
  | { type: 'done' };

type Envelope<T> = T & { trine: 'approval'; v: 1; nonce: string };

const NONCE = /^[0-9a-f]{32}$/;
/** Size bounds: the password and confirm inputs' maxlength, and texts the wallet writes. */
export const MAX_PASSWORD = 1024;
export const MAX_CONFIRM = 256;
const MAX_TEXT = 1000;
const MAX_LABEL = 200;
/** The serialized body (a decoded transaction with many outputs stays far below). */
const MAX_BODY = 512 * 1024;
/** BIP-39: 12 to 24 words of 3 to 8 lowercase letters. */
const WORD = /^[a-z]{3,8}$/;
const WORD_COUNTS = new Set([12, 15, 18, 21, 24]);
const CONFIRM_WORD = /^[A-Z]{1,16}$/;

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

const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

/**
 * Narrows a MessageEvent to one of ours: right source window, the wallet's own origin,
 * the nonce; then the shape. Anything else is `undefined` (ignored).
 */
export function readToIframe(e: MessageEvent, from: Window, nonce: string): ToIframe | undefined {
  const d = ours(e, from, nonce);
  if (!d) return undefined;
  if (d.type === 'ready' || d.type === 'cancel') return { type: d.type };
  if (d.type === 'approve' && text(d.password, MAX_PASSWORD) && typeof d.stay === 'boolean') {
    if (d.confirm === undefined) return { type: 'approve', password: d.password, stay: d.stay };
    if (!text(d.confirm, MAX_CONFIRM)) return undefined;
    return { type: 'approve', password: d.password, stay: d.stay, confirm: d.confirm };
  }
  return undefined;
}

export function readToPopup(e: MessageEvent, from: Window, nonce: string): ToPopup | undefined {
  const d = ours(e, from, nonce);
  if (!d) return undefined;
  if (d.type === 'done') return { type: 'done' };
  if (d.type === 'progress' && text(d.text, MAX_TEXT)) return { type: 'progress', text: d.text };
  if (d.type === 'retry' && text(d.error, MAX_TEXT)) {
    if (d.field === undefined) return { type: 'retry', error: d.error };
    if (d.field !== 'password' && d.field !== 'confirm') return undefined;
    return { type: 'retry', error: d.error, field: d.field };
  }
  if (d.type === 'words' && isWords(d.words)) return { type: 'words', words: [...d.words] };
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

function isWords(v: unknown): v is string[] {
  return (
    Array.isArray(v) &&
    WORD_COUNTS.has(v.length) &&
    v.every((w) => typeof w === 'string' && WORD.test(w))
  );
}

function isRequest(v: unknown): v is PopupRequest {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  if (
    !(
      (r.kind === 'sign' || r.kind === 'export' || r.kind === 'delete') &&
      text(r.title, MAX_LABEL) &&
      text(r.hostOrigin, MAX_LABEL * 10) &&
      text(r.network, 32) &&
      Array.isArray(r.body) &&
      typeof r.password === 'boolean' &&
      typeof r.stay === 'boolean' &&
      text(r.approveLabel, MAX_LABEL) &&
      text(r.cancelLabel, MAX_LABEL) &&
      (r.confirmWord === undefined ||
        (typeof r.confirmWord === 'string' && CONFIRM_WORD.test(r.confirmWord))) &&
      (r.danger === undefined || typeof r.danger === 'boolean')
    )
  ) {
    return false;
  }
  // A delete always asks for its confirmation word; nothing else does.
  if ((r.kind === 'delete') !== (r.confirmWord !== undefined)) return false;
  try {
    return JSON.stringify(r.body).length <= MAX_BODY;
  } catch {
    return false;
  }
}

/** Where the popup page is served (the wallet build's base, e.g. `/embed/approve.html`). */
export function popupUrl(nonce: string): string {
  const base = import.meta.env?.BASE_URL ?? '/embed/';
  return new URL(`${base}approve.html#${nonce}`, location.origin).href;
}
