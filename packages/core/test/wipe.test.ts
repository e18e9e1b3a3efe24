import { describe, expect, it } from 'vitest';
import { wipe, withWiped } from '../src/wipe.ts';
import { expectClass } from './helpers.ts';

describe('wipe', () => {
  it('zero-fills every buffer and skips undefined/null', () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([4, 5]);
    wipe(a, undefined, b, null);
    expect([...a, ...b]).toEqual([0, 0, 0, 0, 0]);
  });

  it('zeroes only the view of a larger buffer', () => {
    const all = new Uint8Array([9, 9, 9, 9]);
    wipe(all.subarray(1, 3));
    expect([...all]).toEqual([9, 0, 0, 9]);
  });

  it('refuses a non-buffer before wiping anything', async () => {
    const a = new Uint8Array([1]);
    await expectClass(() => wipe(a, 'secret' as never), TypeError, /buffer 1 must be a Uint8Array/);
    expect(a[0]).toBe(1);
  });
});

describe('withWiped', () => {
  it('returns the result and zeroes the buffer (sync)', () => {
    const buf = new Uint8Array([7, 7]);
    const sum = withWiped(buf, (b) => b[0]! + b[1]!);
    expect(sum).toBe(14);
    expect([...buf]).toEqual([0, 0]);
  });

  it('zeroes the buffer when fn throws, and rethrows the same error', () => {
    const buf = new Uint8Array([7]);
    const boom = new Error('boom');
    expect(() =>
      withWiped(buf, () => {
        throw boom;
      }),
    ).toThrow(boom);
    expect(buf[0]).toBe(0);
  });

  it('zeroes only after an async fn settles (resolve)', async () => {
    const buf = new Uint8Array([5]);
    let seen = -1;
    const p = withWiped(buf, async (b) => {
      await new Promise((r) => setTimeout(r, 5));
      seen = b[0]!;
      return 'ok';
    });
    expect(buf[0]).toBe(5);
    await expect(p).resolves.toBe('ok');
    expect(seen).toBe(5);
    expect(buf[0]).toBe(0);
  });

  it('zeroes after an async fn rejects', async () => {
    const buf = new Uint8Array([5]);
    await expect(
      withWiped(buf, async () => {
        throw new RangeError('nope');
      }),
    ).rejects.toThrow(RangeError);
    expect(buf[0]).toBe(0);
  });

  it('checks its arguments', async () => {
    await expectClass(() => withWiped('x' as never, () => 1), TypeError, /buf must be/);
    await expectClass(() => withWiped(new Uint8Array(1), 1 as never), TypeError, /fn must be/);
  });
});
