/**
 * @module wipe — best-effort zeroing of secret buffers (DESIGN.md §2.7: key material
 * is zeroed after use, best effort).
 *
 * JavaScript cannot guarantee that no copy of a secret survives (the engine may have
 * moved or copied the backing store, strings are immutable), so this only removes the
 * copies we hold. See the README's "Security considerations".
 */
import { abytes } from './bytes.ts';

/**
 * Zero-fills every given buffer in place. `undefined` and `null` are skipped so that
 * `finally { wipe(key, maybeKey) }` works for buffers that were never assigned.
 *
 * @example
 * const key = await deriveSealKey(pw, salt, KDF_FLOOR, 'device');
 * try { use(key); } finally { wipe(key); }
 */
export function wipe(...buffers: ReadonlyArray<Uint8Array | undefined | null>): void {
  // Check everything first so a bad argument never leaves some buffers unwiped silently.
  for (let i = 0; i < buffers.length; i++) {
    const b = buffers[i];
    if (b !== undefined && b !== null) abytes(b, undefined, `buffer ${i}`);
  }
  for (const b of buffers) b?.fill(0);
}

/**
 * Runs `fn(buf)` and zero-fills `buf` afterwards: after it returns, after it throws,
 * and — when `fn` returns a promise — after the promise settles.
 *
 * @example
 * const words = withWiped(generateEntropy(), (e) => entropyToMnemonic(e));
 * const env = await withWiped(await openKey(), async (key) => decrypt(key));
 */
export function withWiped<T>(buf: Uint8Array, fn: (buf: Uint8Array) => Promise<T>): Promise<T>;
export function withWiped<T>(buf: Uint8Array, fn: (buf: Uint8Array) => T): T;
export function withWiped<T>(buf: Uint8Array, fn: (buf: Uint8Array) => T): T | Promise<T> {
  abytes(buf, undefined, 'buf');
  if (typeof fn !== 'function') throw new TypeError('fn must be a function');
  let result: T;
  try {
    result = fn(buf);
  } catch (e) {
    buf.fill(0);
    throw e;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).finally(() => buf.fill(0)) as Promise<Awaited<T>> as T;
  }
  buf.fill(0);
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
