/**
 * @module validators — the form rules the wallet shows and enforces: password strength
 * and confirmation, recovery question and answer.
 *
 * Every function returns the list of problems in plain words (empty = valid), so the
 * form can show them next to the field and announce them through aria-live.
 *
 * A new password must also be hard to guess: `checkNewPassword` rates it with zxcvbn-ts
 * (password-strength.ts), which is imported only when a password is first checked (or
 * preloaded by a password screen), so its dictionaries never weigh on the first screen.
 */
import { normalizeAnswer } from '@trine/core/answer';

/** Minimum password length in characters (Unicode code points). */
export const PASSWORD_MIN_CHARS = 12;
/** Longest password we accept (core refuses more than 4096 UTF-16 code units). */
export const PASSWORD_MAX_CHARS = 1024;
/** Character classes a password must mix (at least two of them). */
export const PASSWORD_MIN_CLASSES = 2;

/** The least zxcvbn score (0..4) a new password needs: 3 = "safely unguessable". */
export const PASSWORD_MIN_SCORE = 3;

/** The rule as shown under the password field. */
export const PASSWORD_RULE_TEXT =
  `At least ${PASSWORD_MIN_CHARS} characters, mixing at least ${PASSWORD_MIN_CLASSES} of: ` +
  'lower-case letters, upper-case letters, digits, and other characters (symbols, spaces); ' +
  'and hard to guess: a few unrelated words work well.';

export const ANSWER_MIN_CHARS = 3;
export const ANSWER_MAX_CHARS = 256;
export const QUESTION_MIN_CHARS = 8;
export const QUESTION_MAX_CHARS = 200;

/** The rule as shown under the answer field (what normalisation ignores and keeps). */
export const ANSWER_RULE_TEXT =
  'Case and extra spaces do not matter; accents and spelling do. ' +
  `At least ${ANSWER_MIN_CHARS} characters.`;

/** The character classes present in `password`. */
export function passwordClasses(password: string): Set<'lower' | 'upper' | 'digit' | 'other'> {
  const out = new Set<'lower' | 'upper' | 'digit' | 'other'>();
  for (const ch of password) {
    if (/\p{Ll}/u.test(ch)) out.add('lower');
    else if (/\p{Lu}/u.test(ch)) out.add('upper');
    else if (/\p{Nd}/u.test(ch)) out.add('digit');
    else out.add('other');
  }
  return out;
}

/**
 * Problems with a new password (empty when it follows the rule).
 *
 * @example
 * checkPassword('short') // ['Use at least 12 characters (5 so far).', …]
 */
export function checkPassword(password: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_CHARS) {
    problems.push(`Use at least ${PASSWORD_MIN_CHARS} characters (${length} so far).`);
  }
  if (length > PASSWORD_MAX_CHARS) {
    problems.push(`Use at most ${PASSWORD_MAX_CHARS} characters.`);
  }
  if (length > 0 && passwordClasses(password).size < PASSWORD_MIN_CLASSES) {
    problems.push(
      'Mix at least two kinds of characters: lower-case, upper-case, digits, symbols or spaces.',
    );
  }
  if (length > 0 && new Set(password).size === 1) {
    problems.push('Do not repeat a single character.');
  }
  return problems;
}

type StrengthModule = typeof import('./password-strength.ts');
let strength: Promise<StrengthModule> | undefined;

/**
 * Starts loading the strength estimator (a separate chunk) without waiting for it; the
 * password screens call it when they open, so the check on submit rarely waits.
 */
export function preloadPasswordStrength(): Promise<StrengthModule> {
  if (!strength) {
    strength = import('./password-strength.ts').catch((e: unknown) => {
      strength = undefined; // a failed chunk load (offline) may be retried on the next check
      throw e;
    });
    // Its dictionaries are built when the page is idle (the user reads, starts typing),
    // not on the submit click (password-strength.ts `prepare`).
    strength
      .then((m) => {
        const run = () => m.prepare();
        if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 500 });
        else setTimeout(run, 0);
      })
      .catch(() => undefined);
  }
  return strength;
}

/**
 * Problems with a new password: the rule of `checkPassword`, then (when that holds) how
 * guessable it is. A score below PASSWORD_MIN_SCORE is refused with what makes it weak
 * and a suggestion. `context` lists what an attacker would try first (the recovery
 * question and answer): a password built from them is rated weaker.
 *
 * @example
 * await checkNewPassword('Password1234') // ['This password is too easy to guess …']
 */
export async function checkNewPassword(
  password: string,
  context: readonly string[] = [],
): Promise<string[]> {
  const basic = checkPassword(password);
  if (basic.length > 0) return basic;
  let rate: StrengthModule['rate'];
  try {
    ({ rate } = await preloadPasswordStrength());
  } catch {
    return ['The password check could not be loaded. Check your connection and try again.'];
  }
  const s = rate(password, context);
  if (s.score >= PASSWORD_MIN_SCORE) return [];
  const why = s.warning ? ` ${withStop(s.warning)}` : '';
  const tips = s.suggestions.length
    ? ` ${s.suggestions.map(withStop).join(' ')}`
    : ' Add another word or two that are not related to each other or to you.';
  return [
    `This password is too easy to guess: someone who copies this browser's data could find it in about ${s.crackTime}.${why}${tips}`,
  ];
}

const withStop = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

/** Problems with the confirmation of a new password. */
export function checkPasswordConfirm(password: string, confirm: string): string[] {
  return password === confirm ? [] : ['The two passwords are not the same.'];
}

/** Problems with a recovery question (a custom one, or one from the list). */
export function checkQuestion(question: string): string[] {
  const q = question.trim();
  if (q.length < QUESTION_MIN_CHARS) {
    return [`Write a question of at least ${QUESTION_MIN_CHARS} characters.`];
  }
  if (q.length > QUESTION_MAX_CHARS)
    return [`Keep the question under ${QUESTION_MAX_CHARS} characters.`];
  return [];
}

function normalized(answer: string): string {
  try {
    return normalizeAnswer(answer);
  } catch {
    return '';
  }
}

/**
 * Problems with a new recovery answer, compared after the same normalisation core
 * applies when sealing (so "Paris" and " paris " count as equal confirmations).
 */
export function checkAnswer(answer: string, confirm: string, question = ''): string[] {
  return [...checkNewAnswer(answer, question), ...checkAnswerConfirm(answer, confirm)];
}

/**
 * Problems with a new recovery answer itself (shown under the answer field; the
 * confirmation's own problem goes under the confirmation, `checkAnswerConfirm`).
 */
export function checkNewAnswer(answer: string, question = ''): string[] {
  const problems: string[] = [];
  const a = normalized(answer);
  if ([...a].length < ANSWER_MIN_CHARS) {
    problems.push(`Write an answer of at least ${ANSWER_MIN_CHARS} characters.`);
  }
  if (answer.length > ANSWER_MAX_CHARS)
    problems.push(`Keep the answer under ${ANSWER_MAX_CHARS} characters.`);
  if (a.length > 0 && question && a === normalized(question)) {
    problems.push('The answer must not repeat the question.');
  }
  return problems;
}

/** Problems with the confirmation of a new answer (after core's normalisation). */
export function checkAnswerConfirm(answer: string, confirm: string): string[] {
  return normalized(answer) === normalized(confirm) ? [] : ['The two answers are not the same.'];
}

/** Problems with an answer typed to recover (only that it is not empty). */
export function checkAnswerGiven(answer: string): string[] {
  return normalized(answer) ? [] : ['Type your answer.'];
}
