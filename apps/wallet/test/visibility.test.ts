// @vitest-environment happy-dom
/**
 * The review gate (visibility.ts) driven by fake IntersectionObserver v2 entries and fake
 * timers: every way a host could get an approval without the user having seen the screen.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  entryVisible,
  frameTooSmall,
  frameTooSmallSettled,
  type GateInput,
  REVIEW_MS,
  ReviewGate,
} from '../src/visibility.ts';

/** A fake IntersectionObserver v2 entry of the full-frame sentinel. */
function entry(isVisible: boolean, ratio = 1, isIntersecting = ratio > 0) {
  return { isVisible, intersectionRatio: ratio, isIntersecting } as IntersectionObserverEntry & {
    isVisible: boolean;
  };
}

let t = 0;
const now = () => t;
const press = (over: Partial<GateInput> = {}): GateInput => ({ kind: 'pointer', time: t, ...over });

function gate() {
  const changes: boolean[] = [];
  const g = new ReviewGate({ onChange: (on) => changes.push(on), now });
  return { g, changes };
}

/** Advance the clock and the fake timers together. */
function wait(ms: number) {
  t += ms;
  vi.advanceTimersByTime(ms);
}

beforeEach(() => {
  vi.useFakeTimers();
  t = 1000;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('entryVisible (IntersectionObserver v2 → visible)', () => {
  it('needs isVisible, intersection and the whole frame in view', () => {
    expect(entryVisible(entry(true))).toBe(true);
    expect(entryVisible(entry(false))).toBe(false); // covered, faded, transformed
    expect(entryVisible(entry(true, 0.17))).toBe(false); // enlarged / clipped frame
    expect(entryVisible(entry(true, 0))).toBe(false);
    expect(entryVisible({ intersectionRatio: 1, isIntersecting: true } as never)).toBe(false); // no v2
  });

  it('a frame below the minimum size counts as not usable', () => {
    expect(frameTooSmall({ innerWidth: 420, innerHeight: 640 })).toBe(false);
    expect(frameTooSmall({ innerWidth: 420, innerHeight: 120 })).toBe(true);
    expect(frameTooSmall({ innerWidth: 200, innerHeight: 640 })).toBe(true);
  });
});

describe('ReviewGate', () => {
  it('stays disabled until the frame is first confirmed visible, then for REVIEW_MS', () => {
    const { g, changes } = gate();
    wait(5000); // built while hidden: time before visibility does not count
    expect(g.enabled).toBe(false);
    g.setVisible(entryVisible(entry(true)));
    wait(REVIEW_MS - 1);
    expect(g.enabled).toBe(false);
    wait(1);
    expect(g.enabled).toBe(true);
    expect(changes).toEqual([true]);
  });

  it('any loss of visibility disables and restarts the whole review', () => {
    const { g, changes } = gate();
    g.setVisible(true);
    wait(REVIEW_MS - 50);
    g.setVisible(entryVisible(entry(false))); // a cover appears
    g.setVisible(true);
    wait(REVIEW_MS - 50);
    expect(g.enabled).toBe(false);
    wait(50);
    expect(g.enabled).toBe(true);
    g.setVisible(entryVisible(entry(true, 0.5))); // the frame is resized / clipped
    expect(g.enabled).toBe(false);
    expect(changes).toEqual([true, false]);
    g.setVisible(true);
    wait(REVIEW_MS);
    expect(g.enabled).toBe(true);
  });

  it('a press before enablement restarts the review (a hammering cursor never gets there)', () => {
    const { g } = gate();
    g.setVisible(true);
    for (let i = 0; i < 100; i++) {
      wait(25);
      g.input(press());
    }
    expect(g.enabled).toBe(false);
    wait(REVIEW_MS);
    expect(g.enabled).toBe(true);
  });

  it('typing the password during the review does not restart it; Enter does', () => {
    const { g } = gate();
    g.setVisible(true);
    wait(300);
    g.input(press({ kind: 'key', key: 'a', typing: true }));
    wait(REVIEW_MS - 300);
    expect(g.enabled).toBe(true);
    const h = gate();
    h.g.setVisible(true);
    wait(300);
    h.g.input(press({ kind: 'key', key: 'Enter' }));
    wait(REVIEW_MS - 300);
    expect(h.g.enabled).toBe(false);
  });

  it('counts only a fresh pointer-down or Enter/Space after enablement, once', () => {
    const { g } = gate();
    g.setVisible(true);
    wait(REVIEW_MS);
    expect(g.take()).toBe(false); // no press at all (a held pointer released)
    g.input(press({ time: t - 1 })); // an event stamped before enablement
    expect(g.take()).toBe(false);
    g.input(press());
    expect(g.take()).toBe(true);
    expect(g.take()).toBe(false); // consumed
    g.input(press({ kind: 'key', key: 'Enter' }));
    expect(g.take()).toBe(true);
    g.input(press({ kind: 'key', key: ' ' }));
    expect(g.take()).toBe(true);
  });

  it('a held key (auto-repeat) or a typed letter is not an approval', () => {
    const { g } = gate();
    g.setVisible(true);
    wait(REVIEW_MS);
    g.input(press({ kind: 'key', key: 'Enter', repeat: true }));
    expect(g.take()).toBe(false);
    g.input(press({ kind: 'key', key: 'x', typing: true }));
    expect(g.take()).toBe(false);
  });

  it('a press followed by a loss of visibility does not count', () => {
    const { g } = gate();
    g.setVisible(true);
    wait(REVIEW_MS);
    g.input(press());
    g.setVisible(false);
    g.setVisible(true);
    expect(g.take()).toBe(false);
  });

  it('a press made while hidden, then a reveal: still needs the full review and a new press', () => {
    const { g } = gate();
    g.input(press());
    g.setVisible(true);
    expect(g.take()).toBe(false);
    wait(REVIEW_MS);
    expect(g.take()).toBe(false);
  });

  it('stop() ends everything', () => {
    const { g, changes } = gate();
    g.setVisible(true);
    g.stop();
    wait(REVIEW_MS * 2);
    expect(g.enabled).toBe(false);
    g.input(press());
    expect(g.take()).toBe(false);
    expect(changes).toEqual([]);
  });
});

describe('frameTooSmallSettled: a just-shown frame gets its size before the popup is chosen', () => {
  // (fake timers, as in the whole file)
  const fakeWindow = (width: number, height: number) =>
    Object.assign(new EventTarget(), { innerWidth: width, innerHeight: height });

  it('a frame already big enough: not too small, at once', async () => {
    expect(await frameTooSmallSettled(fakeWindow(960, 720), 1000)).toBe(false);
  });

  it('a frame the host enlarges a moment later (cross-site resize lag): not too small', async () => {
    const w = fakeWindow(0, 0);
    let result: boolean | undefined;
    void frameTooSmallSettled(w, 1000).then((r) => {
      result = r;
    });
    await vi.advanceTimersByTimeAsync(10);
    w.innerWidth = 300; // still too low (height 0): keeps waiting
    w.dispatchEvent(new Event('resize'));
    await vi.advanceTimersByTimeAsync(10);
    expect(result).toBeUndefined();
    Object.assign(w, { innerWidth: 960, innerHeight: 720 });
    w.dispatchEvent(new Event('resize'));
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toBe(false);
  });

  it('a host that keeps the frame small: too small after the wait (the popup)', async () => {
    const w = fakeWindow(270, 720);
    let result: boolean | undefined;
    void frameTooSmallSettled(w, 1000).then((r) => {
      result = r;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(true);
  });
});
