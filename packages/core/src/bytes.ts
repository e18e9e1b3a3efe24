/**
 * @module bytes — small byte helpers: base64url (RFC 4648 §5, no padding), hex,
 * constant-time equality and the named asserts used at every public boundary.
 */
import { TrineError } from './errors.ts';

/** Throws TypeError unless `value` is a Uint8Array (of `length`, when given). */
export function abytes(
  value: unknown,
  length?: number,
  title = 'value',
): asserts value is Uint8Array {
  // Hostile `length`/`title` must not turn into engine errors or odd messages.
  if (typeof title !== 'string') title = 'value';
  if (length !== undefined && (typeof length !== 'number' || !Number.isSafeInteger(length))) {
    throw new TypeError('length must be an integer');
  }
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${title} must be a Uint8Array`);
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${title} must be ${length} bytes, got ${value.length}`);
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Encodes bytes as base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes canonical base64url without padding. Rejects padding, other alphabets and
 * non-canonical trailing bits, so one byte string has exactly one encoding (envelopes
 * are authenticated, so their encoding must be canonical).
 */
export function fromBase64Url(text: string, title = 'value'): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`${title} must be a base64url string`);
  if (!B64URL.test(text) || text.length % 4 === 1) {
    throw new TrineError('INVALID_ARGUMENT', `${title} is not valid base64url`);
  }
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  if (toBase64Url(out) !== text) {
    throw new TrineError('INVALID_ARGUMENT', `${title} is not canonical base64url`);
  }
  return out;
}

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Parses hex (either case, even length). */
export function fromHex(text: string, title = 'value'): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`${title} must be a hex string`);
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new TrineError('INVALID_ARGUMENT', `${title} is not valid hex`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Constant-time equality for byte strings of equal length (length itself is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  abytes(a, undefined, 'a');
  abytes(b, undefined, 'b');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const encoder = new TextEncoder();
/** UTF-8 encode. */
export function utf8(text: string): Uint8Array {
  // TextEncoder silently encodes undefined as "" and numbers as digits: refuse instead.
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  return encoder.encode(text);
}
