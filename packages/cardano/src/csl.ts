/**
 * @module csl — the one place that knows where cardano-serialization-lib comes from.
 *
 * `#csl` is a package import map (package.json "imports"): a browser bundle gets
 * `@emurgo/cardano-serialization-lib-browser`, Node and Vitest get `-nodejs`. Both are
 * pinned to the same version and expose the same API for keys and signing.
 *
 * CSL throws plain strings (not Error objects) for deserialisation failures and may
 * throw a wasm `RuntimeError` on a Rust panic. {@link cslCall} turns any of those into a
 * TrineError with a caller-chosen code and a message that never echoes the input.
 */

import { TrineError, type TrineErrorCode } from '@trine/core/errors';
import * as CSL from '#csl';

export { CSL };

/** Length cap for CSL error text we keep as `cause` (it may quote input, never secrets). */
const MAX_CAUSE = 200;

/**
 * Runs `fn` and converts anything CSL throws into `TrineError(code, message)`.
 * TrineErrors and TypeErrors raised inside `fn` pass through unchanged.
 */
export function cslCall<T>(code: TrineErrorCode, message: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TrineError || e instanceof TypeError) throw e;
    const text = typeof e === 'string' ? e : e instanceof Error ? e.message : 'unknown error';
    throw new TrineError(code, message, { cause: text.slice(0, MAX_CAUSE) });
  }
}

/** Calls `.free()` on every CSL object given, ignoring ones already freed or absent. */
export function freeAll(...objects: ({ free(): void } | undefined | null)[]): void {
  for (const o of objects) {
    try {
      o?.free();
    } catch {
      // already freed: nothing to do
    }
  }
}
