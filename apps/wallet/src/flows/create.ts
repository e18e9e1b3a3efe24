/**
 * @module flows/create — create a wallet: password + security question → fresh entropy
 * → addresses → three shares of epoch 1 → device share sealed under the password,
 * recovery share under the answer (two workers in parallel) → vault (auth share, sealed
 * recovery) → this device (sealed device share). The vault is written first: if saving
 * on the device then fails, the auth and recovery shares still recover the wallet.
 */
import { generateEntropy } from '@trine/core/entropy';
import { splitSecret } from '@trine/core/shamir';
import { wipe } from '@trine/core/wipe';
import type { WalletInfo } from '@trine/protocol/methods';
import { loadCardano } from '../cardano.ts';
import { type Ctx, cancelled, interact, walletInfo } from '../context.ts';
import { requestPersistence } from '../device-store.ts';
import { userMessage } from '../errors.ts';
import { h } from '../ui/dom.ts';
import { passwordField, questionPicker, textField } from '../ui/fields.ts';
import { p, Screen } from '../ui/screen.ts';
import {
  ANSWER_RULE_TEXT,
  checkAnswer,
  checkNewPassword,
  checkPasswordConfirm,
  checkQuestion,
  PASSWORD_RULE_TEXT,
  preloadPasswordStrength,
} from '../validators.ts';

/** Runs the create screen; resolves with the new wallet's public info. */
export function createFlow(ctx: Ctx): Promise<WalletInfo> {
  return interact<WalletInfo>(ctx.view, (done, fail) => {
    const pw = passwordField('Password', 'new-password', PASSWORD_RULE_TEXT);
    preloadPasswordStrength().catch(() => {}); // the strength check's chunk
    const pw2 = passwordField('Type the password again', 'new-password');
    const question = questionPicker();
    const answer = textField('Answer', ANSWER_RULE_TEXT, true);
    const answer2 = textField('Type the answer again', undefined, true);
    return new Screen({
      title: `Create your ${ctx.app.name} wallet`,
      body: [
        p(
          'Your wallet key is split in three parts: one stays in this browser under your password, one is kept by the wallet service, and one is kept there too, locked with the answer to a security question. Any two parts rebuild the key; no one holds it alone.',
        ),
        p(`Network: ${ctx.network}.`),
      ],
      fields: [
        h('fieldset', null, h('legend', null, 'Password for this browser'), pw.wrap, pw2.wrap),
        h(
          'fieldset',
          null,
          h('legend', null, 'Security question (to recover on a new device)'),
          question.wrap,
          answer.wrap,
          answer2.wrap,
        ),
      ],
      submitLabel: 'Create wallet',
      cancelLabel: 'Cancel',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        const password = pw.input.value;
        const q = question.value();
        const checks: [{ problems(l: string[]): void }, string[]][] = [
          [pw, await checkNewPassword(password, [q, answer.input.value])],
          [pw2, checkPasswordConfirm(password, pw2.input.value)],
          [question, checkQuestion(q)],
          [answer2, checkAnswer(answer.input.value, answer2.input.value, q)],
        ];
        let firstBad: HTMLElement | undefined;
        for (const [field, problems] of checks) {
          field.problems(problems);
          if (problems.length && !firstBad) {
            firstBad = field === question ? question.select : (field as typeof pw).input;
          }
        }
        if (firstBad) {
          screen.error('Please fix the fields marked below.');
          firstBad.focus();
          return;
        }
        screen.busy(true);
        try {
          done(await createWallet(ctx, password, q, answer.input.value, screen));
        } catch (e) {
          screen.busy(false);
          screen.error(userMessage(e));
        }
      },
    });
  });
}

/** The create steps (exported for the e2e suite's reading; used by the screen above). */
export async function createWallet(
  ctx: Ctx,
  password: string,
  question: string,
  answer: string,
  screen?: Screen,
): Promise<WalletInfo> {
  screen?.progress('Loading the Cardano library…');
  const cardano = await loadCardano();
  void requestPersistence();
  screen?.progress('Generating your key…');
  const entropy = generateEntropy(32);
  const walletId = crypto.randomUUID();
  let shares: Awaited<ReturnType<typeof splitSecret>>;
  let info: ReturnType<typeof cardano.deriveWallet>;
  try {
    info = cardano.deriveWallet(entropy, ctx.network);
    shares = await splitSecret(entropy, { walletId, keyId: info.keyId, epoch: 1 });
  } finally {
    wipe(entropy);
  }
  screen?.progress('Locking your key shares with your password and answer (this takes a moment)…');
  const [device, recovery] = await Promise.all([
    ctx.kdf.seal(shares.device, password),
    ctx.kdf.seal(shares.recovery, answer),
  ]);
  screen?.progress('Saving to the wallet service…');
  const addresses = { base: info.baseAddress, reward: info.rewardAddress };
  await ctx.vault.createWallet({
    walletId,
    keyId: info.keyId,
    network: ctx.network,
    addresses,
    epoch: 1,
    authShare: shares.auth,
    recovery: { question, sealed: recovery },
  });
  screen?.progress('Saving on this device…');
  const record = {
    appId: ctx.appId,
    walletId,
    epoch: 1,
    keyId: info.keyId,
    network: ctx.network,
    addresses,
    sealed: device,
    updatedAt: Date.now(),
  };
  await ctx.store.put(record);
  const meta = { walletId, keyId: info.keyId, network: ctx.network, addresses, epoch: 1, question };
  return walletInfo({ meta, device: record });
}
