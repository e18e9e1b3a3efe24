/**
 * @module guards — small named asserts that narrow `unknown` (noble's `abytes` style).
 *
 * Each throws `ProtocolError('invalid_params', '<title> …')` naming the field; the message
 * parsers turn that into `invalid_message` for responses. Lengths are checked before any
 * regular expression runs, so hostile sizes cost nothing.
 */
import { isProtocolError, ProtocolError, type ProtocolErrorCode } from './errors.ts';

const HEX_RE = /^[0-9a-fA-F]*$/;
const DECIMAL_RE = /^(0|[1-9][0-9]{0,29})$/;

function bad(title: string, what: string): never {
  throw new ProtocolError('invalid_params', `${title} ${what}`);
}

/** A plain object (not null, not an array). */
export function record(value: unknown, title: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    bad(title, 'must be an object');
  }
  return value as Record<string, unknown>;
}

/** An array of at most `max` items. */
export function list(value: unknown, title: string, max: number): unknown[] {
  if (!Array.isArray(value)) bad(title, 'must be an array');
  if (value.length > max) bad(title, `must hold at most ${max} items`);
  return value;
}

/** A string of 1..max chars (0..max with `allowEmpty`), optionally matching `re`. */
export function text(
  value: unknown,
  title: string,
  max: number,
  re?: RegExp,
  allowEmpty = false,
): string {
  if (typeof value !== 'string') bad(title, 'must be a string');
  if (value.length > max) bad(title, `must be at most ${max} chars`);
  if (!allowEmpty && value.length === 0) bad(title, 'must not be empty');
  if (re && !re.test(value)) bad(title, 'has an invalid format');
  return value;
}

/** Even-length hex of `minBytes..maxBytes` bytes. */
export function hex(value: unknown, title: string, maxBytes: number, minBytes = 1): string {
  if (typeof value !== 'string') bad(title, 'must be a hex string');
  if (value.length > maxBytes * 2) bad(title, `must be at most ${maxBytes} bytes`);
  if (value.length < minBytes * 2) bad(title, `must be at least ${minBytes} bytes`);
  if (value.length % 2 !== 0 || !HEX_RE.test(value)) bad(title, 'must be even-length hex');
  return value;
}

/** A boolean. */
export function bool(value: unknown, title: string): boolean {
  if (typeof value !== 'boolean') bad(title, 'must be a boolean');
  return value;
}

/** An integer in 0..max. */
export function uint(value: unknown, title: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) bad(title, 'must be an integer');
  if (value < 0 || value > max) bad(title, `must be in 0..${max}`);
  return value;
}

/** A non-negative decimal integer string (lovelace and asset quantities, < 10^30). */
export function decimal(value: unknown, title: string): string {
  return text(value, title, 30, DECIMAL_RE);
}

/** One of `values`. */
export function oneOf<const T extends string>(
  value: unknown,
  title: string,
  values: readonly T[],
): T {
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    bad(title, `must be one of ${values.join(', ')}`);
  }
  return value as T;
}

/**
 * Wraps a validator so that it throws nothing but ProtocolError, even for values with
 * throwing getters or proxies (anything else becomes `code` with `<title> is malformed`).
 */
export function guarded<A extends unknown[], T>(
  f: (...args: A) => T,
  title: string,
  code: ProtocolErrorCode = 'invalid_params',
): (...args: A) => T {
  return (...args: A): T => {
    try {
      return f(...args);
    } catch (e) {
      if (isProtocolError(e)) throw e;
      throw new ProtocolError(code, `${title} is malformed`);
    }
  };
}
