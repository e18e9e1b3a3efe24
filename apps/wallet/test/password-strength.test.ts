/**
 * Password strength (issue 9, item 4): a new device-share password is rated with
 * zxcvbn-ts and refused below score 3 with what makes it weak and a suggestion; the
 * basic rule still speaks first; words of the recovery question count against it; and
 * the estimator (≈1 MB of dictionaries) is reachable from the wallet's entry only by a
 * dynamic import, so the first screen does not load it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare, rate } from '../src/password-strength.ts';
import { checkNewPassword, PASSWORD_MIN_SCORE, PASSWORD_RULE_TEXT } from '../src/validators.ts';

describe('checkNewPassword', () => {
  it.each([
    ['Password1234', 'This is similar to a commonly used password.'],
    ['iloveyou12345', 'This is similar to a commonly used password.'],
    ['p@ssw0rd12345', 'This is similar to a commonly used password.'],
    ['qwertyuiop123', 'This is similar to a commonly used password.'],
  ])('refuses %j, saying why and what to do', async (pw, why) => {
    const problems = await checkNewPassword(pw);
    expect(problems).toHaveLength(1);
    const [text] = problems as [string];
    expect(text).toMatch(
      /^This password is too easy to guess: someone who copies this browser's data could find it in about [^.]+\./,
    );
    expect(text).toContain(why);
    expect(text).toMatch(/Add more words that are less common\./);
    expect(text).not.toContain('undefined');
  });

  it('accepts strong passwords (the ones the e2e suite and the README use among them)', async () => {
    for (const pw of [
      'Correct horse 42', // e2e/demo-page.ts PASSWORD
      'Battery staple 43', // e2e/demo-page.ts NEW_PASSWORD
      'correct horse battery staple 42',
      'maple-orbit-lantern',
      'Ww9#kLp2$vQz',
    ]) {
      expect(await checkNewPassword(pw), pw).toEqual([]);
      expect(rate(pw).score).toBeGreaterThanOrEqual(PASSWORD_MIN_SCORE);
    }
  });

  it('the basic rule speaks first (no rating of a password that is too short)', async () => {
    expect(await checkNewPassword('Ab1!')).toEqual(['Use at least 12 characters (4 so far).']);
    expect(await checkNewPassword('abcdefghijklmnop')).toEqual([
      'Mix at least two kinds of characters: lower-case, upper-case, digits, symbols or spaces.',
    ]);
  });

  it('the recovery answer (and question) count against the password', async () => {
    // the flows pass [question, answer]: a password that is the answer plus a digit is weak
    const context = ['What was the name of your street?', 'Zorblatt Quindle'];
    expect(await checkNewPassword('Zorblatt Quindle1')).toEqual([]);
    const [text] = (await checkNewPassword('Zorblatt Quindle1', context)) as [string];
    expect(text).toContain('There should not be any personal or page related data.');
  });

  it('a weak password that passes the old rule (12+ chars, 2 classes) is now refused', async () => {
    // 'Password1234' was accepted by checkPassword alone
    const { checkPassword } = await import('../src/validators.ts');
    expect(checkPassword('Password1234')).toEqual([]);
    expect(await checkNewPassword('Password1234')).toHaveLength(1);
  });

  it('prepare() (run when idle, before the click) builds the estimator once; ratings are unchanged', () => {
    const before = rate('Password1234', ['Pet?']);
    const f = prepare();
    expect(prepare()).toBe(f); // once
    expect(rate('Password1234', ['Pet?'])).toEqual(before);
    expect(rate('Correct horse 42', []).score).toBeGreaterThanOrEqual(PASSWORD_MIN_SCORE);
  });

  it('the rule text says so', () => {
    expect(PASSWORD_RULE_TEXT).toContain('hard to guess');
  });
});

describe('lazy loading', () => {
  const SRC = new URL('../src/', import.meta.url).pathname;
  /** Modules reachable from `entry` through static imports (dynamic import() is not followed). */
  function staticGraph(entry: string): Set<string> {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
        const spec = m[1]!;
        if (/^import\s+type\s/.test(m[0].trim())) continue;
        if (spec.startsWith('.')) visit(join(dirname(file), spec));
        else seen.add(spec);
      }
    };
    visit(entry);
    return seen;
  }

  it('no static import from the wallet entry reaches the estimator', () => {
    const graph = staticGraph(join(SRC, 'main.ts'));
    expect([...graph].filter((m) => m.includes('zxcvbn'))).toEqual([]);
    expect(graph.has(join(SRC, 'password-strength.ts'))).toBe(false);
    // nor one from the flows (loaded by import() from boot-handlers), which use validators.ts
    const flows = staticGraph(join(SRC, 'wallet.ts'));
    expect(flows.has(join(SRC, 'validators.ts'))).toBe(true);
    expect([...flows].filter((m) => m.includes('zxcvbn'))).toEqual([]);
    expect(flows.has(join(SRC, 'password-strength.ts'))).toBe(false);
    // and validators.ts reaches it by import() only
    expect(readFileSync(join(SRC, 'validators.ts'), 'utf8')).toContain(
      "import('./password-strength.ts')",
    );
  });
});
