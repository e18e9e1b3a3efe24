import { describe, expect, it } from 'vitest';
import {
  checkAnswer,
  checkAnswerGiven,
  checkPassword,
  checkPasswordConfirm,
  checkQuestion,
  PASSWORD_RULE_TEXT,
  passwordClasses,
} from '../src/validators.ts';

describe('password rule', () => {
  it('states the rule it enforces', () => {
    expect(PASSWORD_RULE_TEXT).toContain('At least 12 characters');
    expect(PASSWORD_RULE_TEXT).toContain('at least 2 of');
  });

  it.each([
    ['correct horse battery', []],
    ['Tr0ub4dor&3xx', []],
    ['ÉCOLEécole12', []],
    ['пароль Пароль', []],
  ])('accepts %j', (pw, problems) => {
    expect(checkPassword(pw)).toEqual(problems);
  });

  it('refuses a short password and says how long it is', () => {
    expect(checkPassword('Ab1!')).toEqual(['Use at least 12 characters (4 so far).']);
  });

  it('counts code points, not UTF-16 units', () => {
    // 10 astral characters + 1 = 21 UTF-16 units but 11 code points: still too short.
    expect(checkPassword(`${'😀'.repeat(10)}a`)[0]).toBe('Use at least 12 characters (11 so far).');
  });

  it('refuses a single character class', () => {
    expect(checkPassword('abcdefghijklmnop')).toEqual([
      'Mix at least two kinds of characters: lower-case, upper-case, digits, symbols or spaces.',
    ]);
    expect(checkPassword('123456789012')).toHaveLength(1);
  });

  it('refuses one repeated character even with enough length', () => {
    expect(checkPassword('aaaaaaaaaaaaaaaa')).toContain('Do not repeat a single character.');
  });

  it('refuses an over-long password', () => {
    expect(checkPassword(`Aa${'x'.repeat(1100)}`)).toEqual(['Use at most 1024 characters.']);
  });

  it('knows the classes', () => {
    expect([...passwordClasses('aB3 ')].sort()).toEqual(['digit', 'lower', 'other', 'upper']);
  });

  it('checks the confirmation exactly (no normalisation)', () => {
    expect(checkPasswordConfirm('Secret secret1', 'Secret secret1')).toEqual([]);
    expect(checkPasswordConfirm('Secret secret1', 'secret secret1')).toEqual([
      'The two passwords are not the same.',
    ]);
  });
});

describe('question and answer rules', () => {
  it('needs a real question', () => {
    expect(checkQuestion('Why?')).toEqual(['Write a question of at least 8 characters.']);
    expect(checkQuestion('What was my first bike?')).toEqual([]);
  });

  it('compares answers after normalisation (case, spaces, NFKC)', () => {
    expect(checkAnswer('  Rex  the Dog', 'rex the dog')).toEqual([]);
    expect(checkAnswer('Ｃａｆé au lait', 'café au lait')).toEqual([]);
    expect(checkAnswer('café', 'cafe')).toEqual(['The two answers are not the same.']);
  });

  it('refuses a short answer and one that repeats the question', () => {
    expect(checkAnswer('ab', 'ab')).toEqual(['Write an answer of at least 3 characters.']);
    expect(checkAnswer('My pet?', 'my pet?', 'MY PET?')).toEqual([
      'The answer must not repeat the question.',
    ]);
  });

  it('needs some answer to recover', () => {
    expect(checkAnswerGiven('   ')).toEqual(['Type your answer.']);
    expect(checkAnswerGiven('東京')).toEqual([]);
  });
});
