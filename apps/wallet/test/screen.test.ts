// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { passwordField } from '../src/ui/fields.ts';
import { Screen, View } from '../src/ui/screen.ts';

function mount(opts: Partial<ConstructorParameters<typeof Screen>[0]> = {}) {
  document.body.replaceChildren();
  const root = document.createElement('main');
  document.body.append(root);
  const pw = passwordField('Password', 'current-password', 'At least 12 characters');
  const screen = new Screen({
    title: 'Approve transaction',
    fields: [pw.wrap],
    submitLabel: 'Approve',
    cancelLabel: 'Reject',
    ...opts,
  });
  new View(root).show(screen);
  return { screen, pw, root };
}

describe('Screen (keyboard and accessibility)', () => {
  it('labels every field, links the hint, and focuses the first field', () => {
    const { pw } = mount();
    const label = document.querySelector(`label[for="${pw.input.id}"]`);
    expect(label?.textContent).toBe('Password');
    expect(pw.input.getAttribute('aria-describedby')).toContain(`${pw.input.id}-hint`);
    expect(document.activeElement).toBe(pw.input);
  });

  it('Enter (form submit) runs onSubmit; Escape runs onCancel', async () => {
    const onSubmit = vi.fn();
    const onCancel = vi.fn();
    const { screen } = mount({ onSubmit, onCancel });
    screen.form.requestSubmit();
    await Promise.resolve();
    expect(onSubmit).toHaveBeenCalledTimes(1);
    screen.root.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('disables every control while busy and ignores Escape then', () => {
    const onCancel = vi.fn();
    const { screen, pw } = mount({ onCancel });
    screen.busy(true);
    screen.progress('Checking your password…');
    expect(pw.input.disabled).toBe(true);
    expect([...screen.form.querySelectorAll('button')].every((b) => b.disabled)).toBe(true);
    expect(screen.form.querySelector('[role=status]')?.textContent).toBe('Checking your password…');
    screen.root.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(onCancel).not.toHaveBeenCalled();
    screen.busy(false);
    expect(pw.input.disabled).toBe(false);
  });

  it('announces errors in an alert region and moves focus there; field problems mark the input', () => {
    const { screen, pw } = mount();
    screen.error('That password is not right. Please try again.');
    const alert = screen.form.querySelector('[role=alert]') as HTMLElement;
    expect(alert.textContent).toBe('That password is not right. Please try again.');
    expect(alert.hidden).toBe(false);
    expect(document.activeElement).toBe(alert);
    pw.problems(['Type your password.']);
    expect(pw.input.getAttribute('aria-invalid')).toBe('true');
    pw.problems([]);
    expect(pw.input.hasAttribute('aria-invalid')).toBe(false);
  });

  it('sets text as text, never as markup', () => {
    const { root } = mount({ title: '<img src=x onerror=alert(1)>' });
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('h1')?.textContent).toBe('<img src=x onerror=alert(1)>');
  });
});
