/**
 * @module storage-link — the wallet iframe ↔ wallet storage window channel, for browsers
 * that block the iframe's storage (third-party storage blocked: Chrome with third-party
 * cookies blocked, Playwright's default context, Brave, …).
 *
 * The storage window is `approve.html#store-<nonce>`, a first-party top-level window of
 * the wallet's origin, opened by `window.open` from the user's click in the iframe. Its
 * IndexedDB is the wallet origin's own, which the browser does not block. It keeps the
 * device records for the iframe: the iframe still does every piece of cryptography, and
 * a record is sealed under the password before it ever crosses, so the window holds
 * nothing a password-less thief could use (the same as the iframe's own store).
 *
 * Same rules as popup-link.ts: a message counts only when its `source` is the other
 * window, its `origin` is the wallet's own origin and it carries the 128-bit nonce;
 * messages are posted with the wallet origin as `targetOrigin`, never `*`.
 *
 * Messages (`{ trine: 'storage', v: 1, nonce, … }`):
 *   window → iframe  `ready` | `result {id, ok, value?}`
 *   iframe → window  `op {id, op, args}` | `done`
 */
import { isNonce } from './popup-link.ts';

export const STORE_OPS = ['get', 'put', 'remove', 'getSeen', 'putSeen'] as const;
export type StoreOp = (typeof STORE_OPS)[number];

export type ToIframe =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: boolean; value?: unknown };
export type ToWindow = { type: 'op'; id: number; op: StoreOp; args: unknown[] } | { type: 'done' };

/** The hash prefix that puts approve.html in storage-window mode. */
export const STORE_HASH = 'store-';

export function storageEnvelope<T extends object>(nonce: string, m: T) {
  return { trine: 'storage', v: 1, nonce, ...m };
}

function ours(e: MessageEvent, from: Window, nonce: string): Record<string, unknown> | undefined {
  if (e.source !== from || e.origin !== location.origin) return undefined;
  const d = e.data as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null) return undefined;
  if (d.trine !== 'storage' || d.v !== 1 || d.nonce !== nonce || !isNonce(nonce)) return undefined;
  return d;
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function readToIframe(e: MessageEvent, from: Window, nonce: string): ToIframe | undefined {
  const d = ours(e, from, nonce);
  if (!d) return undefined;
  if (d.type === 'ready') return { type: 'ready' };
  if (d.type === 'result' && isId(d.id) && typeof d.ok === 'boolean') {
    return { type: 'result', id: d.id, ok: d.ok, value: d.value };
  }
  return undefined;
}

export function readToWindow(e: MessageEvent, from: Window, nonce: string): ToWindow | undefined {
  const d = ours(e, from, nonce);
  if (!d) return undefined;
  if (d.type === 'done') return { type: 'done' };
  if (
    d.type === 'op' &&
    isId(d.id) &&
    STORE_OPS.includes(d.op as StoreOp) &&
    Array.isArray(d.args) &&
    d.args.length <= 3
  ) {
    return { type: 'op', id: d.id, op: d.op as StoreOp, args: d.args };
  }
  return undefined;
}

/** Where the storage window is served (the wallet build's base, e.g. `/embed/approve.html`). */
export function storageWindowUrl(nonce: string): string {
  const base = import.meta.env?.BASE_URL ?? '/embed/';
  return new URL(`${base}approve.html#${STORE_HASH}${nonce}`, location.origin).href;
}
