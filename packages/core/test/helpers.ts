/**
 * @module test/helpers — shared fixtures and assertions for the core test suite.
 */
import { expect } from 'vitest';
import { isTrineError, TRINE_ERROR_CODES, type TrineErrorCode } from '../src/errors.ts';

/** A valid context for splits in tests (not secret). */
export const CTX = {
  walletId: '0b6f3f0e-6a4c-4c61-9d7e-3f2a1b0c9d8e',
  keyId: 'a1'.repeat(28),
  epoch: 1,
} as const;

/** Runs `fn` (sync or async) and returns what it threw, failing the test if it did not. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw, but the call succeeded');
}

/** Asserts `fn` throws a TrineError with `code` (and, if given, exactly `message`). */
export async function expectCode(
  fn: () => unknown,
  code: TrineErrorCode,
  message?: string | RegExp,
): Promise<Error> {
  const e = await caught(fn);
  expect(isTrineError(e), `expected TrineError ${code}, got ${String(e)}`).toBe(true);
  expect((e as { code: string }).code).toBe(code);
  expect(TRINE_ERROR_CODES).toContain((e as { code: string }).code);
  if (typeof message === 'string') expect((e as Error).message).toBe(message);
  else if (message) expect((e as Error).message).toMatch(message);
  return e as Error;
}

/** Asserts `fn` throws exactly this error class (TypeError, RangeError). */
export async function expectClass(
  fn: () => unknown,
  cls: typeof TypeError | typeof RangeError,
  message?: RegExp,
): Promise<void> {
  const e = await caught(fn);
  expect(e).toBeInstanceOf(cls);
  expect((e as Error).constructor).toBe(cls);
  if (message) expect((e as Error).message).toMatch(message);
}

/** Asserts that no secret string occurs anywhere in an error (message, JSON, details). */
export function expectNoSecret(e: unknown, ...secrets: string[]): void {
  const err = e as Error & { details?: unknown; cause?: unknown };
  const texts = [
    String(err?.message),
    String(err?.stack),
    JSON.stringify(err),
    JSON.stringify(err?.details ?? null),
    String((err?.cause as Error | undefined)?.message ?? ''),
  ];
  for (const s of secrets) {
    expect(s.length).toBeGreaterThan(0);
    for (const t of texts) expect(t.includes(s), 'a secret appears in an error').toBe(false);
  }
}

/** Flips bit `bit` of byte `i` in a copy. */
export function flipBit(bytes: Uint8Array, i: number, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[i]! ^= 1 << bit;
  return out;
}
