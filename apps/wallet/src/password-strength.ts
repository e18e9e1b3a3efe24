/**
 * @module password-strength — rates a new device-share password with zxcvbn-ts (its
 * English and common dictionaries, keyboard graphs and l33t rules).
 *
 * Loaded only by a dynamic import from validators.ts: the dictionaries are ~1 MB of
 * JavaScript, and the wallet's first screen must not wait for them (README of the wallet:
 * the entry chunk stays small). The device-share password is what stands between a
 * device thief who also holds the user's JWT and the funds (issue 9), so it is rated as
 * an offline guessing target, not as a login password.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

export interface Strength {
  /** 0..4 (zxcvbn's scale); the wallet asks for at least MIN_SCORE. */
  score: 0 | 1 | 2 | 3 | 4;
  /** What makes it weak (zxcvbn's warning), or null. */
  warning: string | null;
  /** What to do instead. */
  suggestions: string[];
  /** How long guessing it would take at 10^4 guesses per second (an offline attacker). */
  crackTime: string;
}

let factory: ZxcvbnFactory | undefined;

/**
 * Builds the estimator's ranked dictionaries now (no password involved). The first
 * `rate` otherwise pays it: ~120 ms on the page's thread here (later ones 10–20 ms), on
 * the click of "Create wallet" / "Save and finish". validators.ts calls it when the
 * browser is idle after the chunk loads.
 */
export function prepare(): ZxcvbnFactory {
  if (factory) return factory;
  factory = new ZxcvbnFactory({
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
    // Off: the edit-distance pass costs 100 ms to 2 s per check on a slow machine; the
    // dictionary, l33t, keyboard and sequence matchers already catch the common cases.
    useLevenshteinDistance: false,
  });
  // zxcvbn-ts builds its matchers' tables on the first check: one on a constant.
  factory.check('trine-warm-up', []);
  return factory;
}

/** Rates `password`; `userInputs` (the question, the app's name…) count as known words. */
export function rate(password: string, userInputs: readonly string[] = []): Strength {
  const f = prepare();
  const words = userInputs
    .flatMap((s) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u))
    .filter((w) => w.length > 2);
  const r = f.check(password, [...userInputs, ...words]);
  return {
    score: r.score,
    warning: r.feedback.warning || null,
    suggestions: r.feedback.suggestions,
    crackTime: r.crackTimes.offlineSlowHashingXPerSecond.display,
  };
}
