// @vitest-environment happy-dom
/**
 * @module field-errors.test — errors are shown under the field they are about and tied
 * to it (aria-describedby, aria-invalid): the create screen's empty answer under
 * "Answer" (it used to appear under "Type the answer again"), the confirmation's mismatch
 * under the confirmation, and a wrong password/answer marks its input.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Ctx } from '../src/context.ts';
import { createFlow } from '../src/flows/create.ts';
import { passwordField } from '../src/ui/fields.ts';
import { Screen, View } from '../src/ui/screen.ts';

const STRONG = 'correct horse battery staple 42!';

afterEach(() => {
  document.body.replaceChildren();
});

/** The input labelled `text` and the texts of what describes it. */
function field(text: string) {
  const label = [...document.querySelectorAll('label')].find((l) => l.textContent === text);
  const input = document.getElementById(label?.htmlFor ?? '') as HTMLInputElement;
  const described = (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id))
    .filter((el): el is HTMLElement => el !== null && !el.hidden)
    .map((el) => el.textContent);
  return { input, invalid: input.getAttribute('aria-invalid') === 'true', described };
}

async function submitCreate(values: Record<string, string>) {
  const root = document.createElement('main');
  document.body.append(root);
  const ctx = { view: new View(root), app: { name: 'Demo' }, network: 'preprod' } as unknown as Ctx;
  void createFlow(ctx).catch(() => undefined);
  for (const [label, value] of Object.entries(values)) field(label).input.value = value;
  root.querySelector('form')?.requestSubmit();
  // The password check loads its strength estimator first.
  await expect
    .poll(() => root.querySelector('[role=alert]')?.textContent, { timeout: 10_000 })
    .toBe('Please fix the fields marked below.');
}

describe('create: each problem under its own field', () => {
  it('an empty answer is shown under "Answer", not under its confirmation', async () => {
    await submitCreate({ Password: STRONG, 'Type the password again': STRONG });
    const answer = field('Answer');
    expect(answer.invalid).toBe(true);
    expect(answer.described).toContain('Write an answer of at least 3 characters.');
    const again = field('Type the answer again');
    expect(again.invalid).toBe(false);
    expect(again.described).toEqual([]);
    // Focus goes to the first field with a problem.
    expect(document.activeElement).toBe(answer.input);
  });

  it('a mismatch is shown under the confirmation only', async () => {
    await submitCreate({
      Password: STRONG,
      'Type the password again': STRONG,
      Answer: 'Rex the dog',
      'Type the answer again': 'Rex the cat',
    });
    expect(field('Answer').invalid).toBe(false);
    expect(field('Type the answer again')).toMatchObject({
      invalid: true,
      described: ['The two answers are not the same.'],
    });
  });
});

describe('Screen.error(text, field)', () => {
  it('marks the field invalid and described by the error, and clears both with it', () => {
    const root = document.createElement('main');
    document.body.append(root);
    const pw = passwordField('Password', 'current-password', 'Your wallet password');
    const screen = new Screen({ title: 'Approve', fields: [pw.wrap], submitLabel: 'Approve' });
    new View(root).show(screen);
    screen.error('That password is not right. Please try again.', pw.input);
    expect(field('Password')).toMatchObject({
      invalid: true,
      described: ['Your wallet password', 'That password is not right. Please try again.'],
    });
    expect(document.activeElement?.getAttribute('role')).toBe('alert');
    screen.error('');
    expect(field('Password')).toMatchObject({
      invalid: false,
      described: ['Your wallet password'],
    });
    // An error about no field leaves the field alone.
    screen.error('The wallet service cannot be reached.');
    expect(field('Password').invalid).toBe(false);
  });
});
