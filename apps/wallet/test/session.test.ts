import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UnlockSession } from '../src/session.ts';

describe('UnlockSession', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('hands out copies, for the same wallet and epoch only', () => {
    const s = new UnlockSession();
    const e = new Uint8Array([1, 2, 3]);
    s.start(e, 'w', 2, 5);
    e.fill(0); // the caller wipes its own copy
    const got = s.take('w', 2);
    expect([...(got ?? [])]).toEqual([1, 2, 3]);
    got?.fill(0);
    expect([...(s.take('w', 2) ?? [])]).toEqual([1, 2, 3]);
    expect(s.take('w', 3)).toBeUndefined();
    expect(s.take('other', 2)).toBeUndefined();
  });

  it('expires after the idle time, and each use restarts it', () => {
    const expired = vi.fn();
    const s = new UnlockSession(expired);
    s.start(new Uint8Array([7]), 'w', 1, 5);
    vi.advanceTimersByTime(4 * 60_000);
    expect(s.take('w', 1)).toBeDefined();
    vi.advanceTimersByTime(4 * 60_000);
    expect(s.active('w', 1)).toBe(true);
    vi.advanceTimersByTime(60_001);
    expect(s.active('w', 1)).toBe(false);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('clear() forgets the entropy; copies already handed out stay the caller’s', () => {
    const s = new UnlockSession();
    s.start(new Uint8Array([9, 9]), 'w', 1);
    const held = (s as unknown as { take(w: string, e: number): Uint8Array }).take('w', 1);
    s.clear();
    expect(s.take('w', 1)).toBeUndefined();
    expect([...held]).toEqual([9, 9]); // copies handed out are the caller's to wipe
  });
});
