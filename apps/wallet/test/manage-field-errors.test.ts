// @vitest-environment happy-dom
/**
 * @module manage-field-errors.test — on the manage screens a wrong password (or answer)
 * is shown under the field it is about (aria-invalid, aria-describedby → the error), not
 * only in the screen's alert: change password (wrong current password; wrong answer),
 * re-arm recovery, change question. Real parts: the in-process vault and realms of
 * test/full-stack.ts, a wallet made by the wallet's own create code, the real KDF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../src/context.ts';
import { changePasswordFlow, changeQuestionFlow, rearmFlow } from '../src/flows/manage.ts';
import { View } from '../src/ui/screen.ts';
import { createUserWallet, type Stack, startStack } from './full-stack.ts';

const ANSWER = 'Rex the dog';
const PASSWORD = 'a long device password 12';
const WRONG = 'That password is not right. Please try again.';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(0, 1, 10, { inProcessRealm: true });
  await createUserWallet(stack, ANSWER, PASSWORD);
}, 120_000);
afterAll(() => stack?.close());

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

/** Runs `flow` on a fresh screen, fills `values`, submits, waits for the alert. */
async function submit(
  flow: (ctx: Ctx) => Promise<void>,
  values: Record<string, string>,
  alert: string | RegExp,
) {
  document.body.replaceChildren();
  const root = document.createElement('main');
  document.body.append(root);
  const ctx = { ...stack.ctx, view: new View(root), hostOrigin: 'https://app.example' } as Ctx;
  const run = flow(ctx).catch(() => undefined);
  await expect.poll(() => root.querySelector('form'), { timeout: 10_000 }).not.toBeNull();
  for (const [label, value] of Object.entries(values)) field(label).input.value = value;
  root.querySelector('form')?.requestSubmit();
  await expect
    .poll(() => root.querySelector('[role=alert]')?.textContent ?? '', { timeout: 30_000 })
    .toMatch(alert);
  return { root, run };
}

describe('manage screens: the wrong secret under its own field', () => {
  it('change password: a wrong current password marks "Current password" only', async () => {
    await submit(
      changePasswordFlow,
      {
        'Current password': 'not my password 99',
        'Answer to your security question': ANSWER,
        'New password': 'correct horse battery staple 42!',
        'Type the new password again': 'correct horse battery staple 42!',
      },
      WRONG,
    );
    expect(field('Current password')).toMatchObject({ invalid: true, described: [WRONG] });
    expect(field('Answer to your security question').invalid).toBe(false);
    expect(field('New password').invalid).toBe(false);
  }, 60_000);

  it('change password: a wrong answer marks the answer field, not the password', async () => {
    await submit(
      changePasswordFlow,
      {
        'Current password': PASSWORD,
        'Answer to your security question': 'Felix the cat',
        'New password': 'correct horse battery staple 42!',
        'Type the new password again': 'correct horse battery staple 42!',
      },
      /answer does not match/,
    );
    const answer = field('Answer to your security question');
    expect(answer.invalid).toBe(true);
    expect(answer.described.join(' ')).toMatch(/answer does not match/);
    expect(field('Current password').invalid).toBe(false);
  }, 60_000);

  it('re-arm recovery and change question: a wrong password marks "Password"', async () => {
    await submit(
      rearmFlow,
      { Password: 'not my password 99', 'Answer to your security question': ANSWER },
      WRONG,
    );
    expect(field('Password')).toMatchObject({ invalid: true, described: [WRONG] });
    expect(field('Answer to your security question').invalid).toBe(false);

    await submit(
      changeQuestionFlow,
      {
        Password: 'not my password 99',
        'Your question': '',
        'New answer': 'Blue Thunder',
        'Type the new answer again': 'Blue Thunder',
      },
      WRONG,
    );
    expect(field('Password')).toMatchObject({ invalid: true, described: [WRONG] });
    expect(field('New answer').invalid).toBe(false);
  }, 60_000);

  it('a problem that is not about a secret marks no field', async () => {
    const vault = stack.ctx.vault;
    const down = {
      ...vault,
      getAuthShare: async () => {
        throw new (await import('../src/vault-client.ts')).VaultError(0, 'network', 'down');
      },
    };
    document.body.replaceChildren();
    const root = document.createElement('main');
    document.body.append(root);
    const ctx = { ...stack.ctx, vault: down, view: new View(root) } as unknown as Ctx;
    void rearmFlow(ctx).catch(() => undefined);
    await expect.poll(() => root.querySelector('form')).not.toBeNull();
    field('Password').input.value = PASSWORD;
    field('Answer to your security question').input.value = ANSWER;
    root.querySelector('form')?.requestSubmit();
    await expect
      .poll(() => root.querySelector('[role=alert]')?.textContent ?? '', { timeout: 30_000 })
      .toMatch(/cannot be reached/);
    expect(field('Password').invalid).toBe(false);
  }, 60_000);
});
