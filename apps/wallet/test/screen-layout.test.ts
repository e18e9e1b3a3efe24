// @vitest-environment happy-dom
/**
 * The approval layout of ui/screen.ts: close (×) rejects, the testnet marker, the sticky
 * action bar class, and the review gate's hold on the submit button across busy states.
 */
import { describe, expect, it, vi } from 'vitest';
import { Screen, View } from '../src/ui/screen.ts';

function mount(opts: Partial<ConstructorParameters<typeof Screen>[0]> = {}, cancellable = true) {
  document.body.replaceChildren();
  const root = document.createElement('main');
  document.body.append(root);
  const screen = new Screen({
    title: 'Approve transaction',
    submitLabel: 'Approve and sign',
    ...(cancellable ? { cancelLabel: 'Reject' } : {}),
    stickyActions: true,
    ...opts,
  });
  new View(root).show(screen);
  return screen;
}

describe('approval layout', () => {
  it('× rejects like the Reject button', () => {
    const onCancel = vi.fn();
    const screen = mount({ onCancel });
    const close = screen.root.querySelector<HTMLButtonElement>('button.close');
    expect(close?.getAttribute('aria-label')).toBe('Close');
    close?.click();
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('no × on a screen that cannot be cancelled', () => {
    const screen = mount({}, false);
    expect(screen.root.querySelector('button.close')).toBeNull();
  });

  it('a testnet marker for any network but mainnet', () => {
    expect(mount({ network: 'preprod' }).root.querySelector('.testnet')?.textContent).toBe(
      'Testnet · preprod',
    );
    expect(mount({ network: 'mainnet' }).root.querySelector('.testnet')).toBeNull();
  });

  it('the action bar is sticky on approval screens only', () => {
    expect(mount().form.className).toBe('actions sticky');
    expect(mount({ stickyActions: false }).form.className).toBe('actions');
  });

  it('busy(false) keeps the gate’s "not yet" (the button stays disabled)', () => {
    const screen = mount();
    screen.allowSubmit(false);
    expect(screen.submitButton?.disabled).toBe(true);
    screen.busy(true);
    screen.busy(false);
    expect(screen.submitButton?.disabled).toBe(true);
    screen.allowSubmit(true);
    expect(screen.submitButton?.disabled).toBe(false);
    screen.busy(true);
    screen.allowSubmit(true); // the gate cannot enable a busy screen
    expect(screen.submitButton?.disabled).toBe(true);
  });
});
