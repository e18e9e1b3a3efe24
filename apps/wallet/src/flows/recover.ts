/**
 * @module flows/recover — recover on a new device or after a forgotten password:
 * answer → recovery share (vault, opened in a worker) + auth share → combined and
 * key-checked → new password → re-share to epoch + 1 (reshare.ts keeps two shares of one
 * epoch reachable at every instant) → new device share stored. Same wallet, same address.
 */
import { wipe } from '@trine/core/wipe';
import { loadCardano } from '../cardano.ts';
import {
  type Ctx,
  cancelled,
  combine,
  interact,
  kdfText,
  loadWallet,
  type WalletState,
} from '../context.ts';
import { userMessage } from '../errors.ts';
import { ReshareError } from '../reshare.ts';
import { h } from '../ui/dom.ts';
import { passwordField, textField } from '../ui/fields.ts';
import { p, Screen } from '../ui/screen.ts';
import {
  checkAnswerGiven,
  checkNewPassword,
  checkPasswordConfirm,
  PASSWORD_RULE_TEXT,
  preloadPasswordStrength,
} from '../validators.ts';
import { VaultError } from '../vault-client.ts';
import { reshareWith } from './reshare-step.ts';

/** What opening the recovery share produced: the key (caller wipes) and the answer. */
interface Recovered {
  entropy: Uint8Array;
  answer: string;
  epoch: number;
  question: string;
}

/**
 * Runs the recovery screens. `reason` is shown first (e.g. why the device share is
 * stale). Resolves with the fresh wallet state.
 */
export async function recoverFlow(ctx: Ctx, reason?: string): Promise<WalletState> {
  for (;;) {
    try {
      return await recoverOnce(ctx, reason);
    } catch (e) {
      // 409: another device re-shared first. Nothing changed; start again from fresh state.
      if (!(e instanceof ReshareError && e.reason === 'stale')) throw e;
      reason = userMessage(e);
    }
  }
}

async function recoverOnce(ctx: Ctx, reason?: string): Promise<WalletState> {
  const state = await loadWallet(ctx);
  if (!state) throw new VaultError(404, 'wallet_not_found', 'no wallet');
  const recovered = await interact<Recovered>(ctx.view, (done, fail) => {
    const answer = textField(
      'Your answer',
      'Case and extra spaces do not matter; accents and spelling do.',
      true,
    );
    return new Screen({
      title: 'Recover your wallet',
      body: [
        reason ? h('p', { class: 'notice' }, reason) : null,
        p(
          'Answer your security question to unlock the wallet on this device, then choose a new password for it.',
        ),
        h('p', { class: 'question' }, h('strong', null, 'Question: '), state.meta.question),
      ],
      fields: [answer.wrap],
      submitLabel: 'Continue',
      cancelLabel: 'Cancel',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        const problems = checkAnswerGiven(answer.input.value);
        answer.problems(problems);
        if (problems.length) {
          answer.input.focus();
          return;
        }
        screen.busy(true);
        try {
          done(await openRecovery(ctx, state, answer.input.value, screen));
        } catch (e) {
          screen.busy(false);
          screen.error(userMessage(e, 'answer'));
        }
      },
    });
  });
  try {
    await interact<void>(ctx.view, (done, fail) => {
      const pw = passwordField('New password for this browser', 'new-password', PASSWORD_RULE_TEXT);
      preloadPasswordStrength().catch(() => {}); // the strength check's chunk
      const pw2 = passwordField('Type it again', 'new-password');
      return new Screen({
        title: 'Choose a new password',
        body: [p('Your answer was right. This password protects your key share in this browser.')],
        fields: [pw.wrap, pw2.wrap],
        submitLabel: 'Save and finish',
        cancelLabel: 'Cancel',
        onCancel: () => fail(cancelled()),
        onSubmit: async (screen) => {
          const a = await checkNewPassword(pw.input.value, [recovered.question, recovered.answer]);
          const b = checkPasswordConfirm(pw.input.value, pw2.input.value);
          pw.problems(a);
          pw2.problems(b);
          if (a.length || b.length) {
            (a.length ? pw : pw2).input.focus();
            return;
          }
          screen.busy(true);
          try {
            await reshareWith(
              ctx,
              state,
              recovered.entropy,
              recovered.epoch,
              {
                password: pw.input.value,
                answer: recovered.answer,
                question: recovered.question,
              },
              screen,
            );
            done();
          } catch (e) {
            if (e instanceof ReshareError) {
              // stale: start again (recoverFlow); device_store_failed: the vault moved on.
              fail(e);
              return;
            }
            screen.busy(false);
            screen.error(userMessage(e));
          }
        },
      });
    });
  } finally {
    wipe(recovered.entropy);
  }
  const fresh = await loadWallet(ctx);
  if (!fresh) throw new VaultError(404, 'wallet_not_found', 'no wallet');
  return fresh;
}

/** Answer → the combined, key-checked entropy (recovery share + auth share). */
async function openRecovery(
  ctx: Ctx,
  state: WalletState,
  answer: string,
  screen: Screen,
): Promise<Recovered> {
  const cardano = loadCardano();
  screen.progress('Fetching your recovery share…');
  const rec = await ctx.vault.getRecovery();
  const share = await ctx.kdf.open(rec.sealed, answer, (s) =>
    screen.progress(kdfText(s, 'answer')),
  );
  screen.progress('Fetching the wallet service’s share…');
  const auth = await ctx.vault.getAuthShare();
  const entropy = await combine(
    ctx,
    [share, auth.authShare],
    state.meta.walletId,
    state.meta.keyId,
    rec.epoch,
    await cardano,
    screen,
  );
  try {
    // The key is right (key id checked); the addresses must be the ones the vault lists.
    const info = (await cardano).deriveWallet(entropy, state.meta.network);
    if (
      info.baseAddress !== state.meta.addresses.base ||
      info.rewardAddress !== state.meta.addresses.reward
    ) {
      throw new Error('the wallet service lists other addresses than this key has');
    }
  } catch (e) {
    wipe(entropy);
    throw e;
  }
  return { entropy, answer, epoch: rec.epoch, question: rec.question };
}
