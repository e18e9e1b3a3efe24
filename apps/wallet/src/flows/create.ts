/**
 * @module flows/create — create a wallet: password + security question → fresh entropy
 * → addresses → three shares of epoch 1 → device share sealed under the password (KDF
 * worker) and, in parallel, the recovery share: h = Argon2id(answer) (worker), evaluated
 * at every recovery realm, registered there (epoch 1, with the management public key),
 * sealed v2 under h ‖ U (docs/realms.md "Create") → vault (auth share, sealed recovery,
 * management key) → commit epoch 1 at the realms (signed) → this device (sealed device
 * share). The realms are written before the vault, the vault before the device: if saving
 * on the device then fails, the auth and recovery shares still recover the wallet.
 */
import { toBase64Url } from '@trine/core/bytes';
import { generateEntropy } from '@trine/core/entropy';
import { splitSecret } from '@trine/core/shamir';
import { wipe } from '@trine/core/wipe';
import type { WalletInfo } from '@trine/protocol/methods';
import { loadCardano } from '../cardano.ts';
import {
  type AnswerHash,
  type Ctx,
  cancelled,
  interact,
  managementOf,
  mark,
  prepareAnswerHash,
  realmSetup,
  sealRecovery,
  walletInfo,
  wipeAnswerHash,
} from '../context.ts';
import { type DeviceRecord, requestPersistence } from '../device-store.ts';
import { userMessage } from '../errors.ts';
import { commitRealms } from '../realms.ts';
import { h } from '../ui/dom.ts';
import { passwordField, questionPicker, textField } from '../ui/fields.ts';
import { p, Screen } from '../ui/screen.ts';
import {
  ANSWER_RULE_TEXT,
  checkAnswerConfirm,
  checkNewAnswer,
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
    // The recovery share's answer hash (a fresh salt; h depends on the answer alone) starts
    // as soon as the answer is typed twice alike, while the user goes on to the button:
    // the click then waits for the password's Argon2id mostly (context.ts
    // prepareAnswerHash). One at a time: a changed answer starts the next once this one is
    // done, or at the click.
    let ahead: { answer: string; hash: ReturnType<typeof prepareAnswerHash> } | undefined;
    let busy = false;
    const hashAhead = () => {
      const a = answer.input.value;
      if (busy || ahead?.answer === a) return;
      if (a !== answer2.input.value || checkNewAnswer(a, question.value()).length) return;
      ahead?.hash.discard();
      const hash = prepareAnswerHash(ctx, a);
      ahead = { answer: a, hash };
      busy = true;
      hash.settled.then(() => {
        busy = false;
      });
    };
    answer.input.addEventListener('input', hashAhead);
    answer2.input.addEventListener('input', hashAhead);
    const discardAhead = () => {
      ahead?.hash.discard();
      ahead = undefined;
    };
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
      onCancel: () => {
        discardAhead();
        fail(cancelled());
      },
      onSubmit: async (screen) => {
        mark('create:submit');
        const password = pw.input.value;
        const q = question.value();
        const checks: [{ problems(l: string[]): void }, string[]][] = [
          [pw, await checkNewPassword(password, [q, answer.input.value])],
          [pw2, checkPasswordConfirm(password, pw2.input.value)],
          [question, checkQuestion(q)],
          // Each problem under the field it is about (an empty answer under "Answer").
          [answer, checkNewAnswer(answer.input.value, q)],
          [answer2, checkAnswerConfirm(answer.input.value, answer2.input.value)],
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
        mark('create:checked');
        const a = answer.input.value;
        if (ahead?.answer !== a) {
          discardAhead();
          ahead = { answer: a, hash: prepareAnswerHash(ctx, a) };
        }
        try {
          // Taken once: a retry after a failure hashes anew (under a new salt).
          const hash = ahead.hash.take();
          ahead = undefined;
          done(await createWallet(ctx, password, q, a, screen, hash));
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
  answerHash?: Promise<AnswerHash>,
): Promise<WalletInfo> {
  // sealRecovery wipes the answer hash it uses; if we stop before it, wipe it here.
  let hashUsed = false;
  try {
    return await createSteps();
  } finally {
    if (!hashUsed) wipeAnswerHash(answerHash);
  }
  async function createSteps(): Promise<WalletInfo> {
    screen?.progress('Loading the Cardano library…');
    const cardano = await loadCardano();
    mark('create:csl');
    void requestPersistence();
    screen?.progress('Generating your key…');
    const entropy = generateEntropy(32);
    const walletId = crypto.randomUUID();
    let shares: Awaited<ReturnType<typeof splitSecret>>;
    let info: ReturnType<typeof cardano.deriveWallet>;
    let management: ReturnType<typeof managementOf>;
    try {
      info = cardano.deriveWallet(entropy, ctx.network);
      shares = await splitSecret(entropy, { walletId, keyId: info.keyId, epoch: 1 });
      management = managementOf(entropy, walletId);
    } finally {
      wipe(entropy);
    }
    const addresses = { base: info.baseAddress, reward: info.rewardAddress };
    mark('create:split');
    let device: Awaited<ReturnType<typeof ctx.kdf.seal>>;
    let record: DeviceRecord;
    try {
      screen?.progress(
        'Locking your key shares with your password and answer, and registering with the recovery services (this takes a moment)…',
      );
      // First registration at every realm: unsigned (none exists yet; docs/realms.md).
      const [sealedDevice, recovery] = await Promise.all([
        ctx.kdf.seal(shares.device, password).finally(() => mark('create:device-sealed')),
        (() => {
          hashUsed = true;
          return sealRecovery(
            ctx,
            shares.recovery,
            answer,
            1,
            management,
            false,
            undefined,
            answerHash,
          );
        })(),
      ]);
      device = sealedDevice;
      mark('create:sealed');
      screen?.progress('Saving to the wallet service…');
      await ctx.vault.createWallet({
        walletId,
        keyId: info.keyId,
        network: ctx.network,
        addresses,
        epoch: 1,
        authShare: shares.auth,
        recovery: { question, sealed: recovery },
        managementKey: toBase64Url(management.key.publicKey),
      });
      mark('create:vault');
      // Commit epoch 1 at the realms (signed): it tells a realm this registration reached
      // the vault, so only an uncommitted one can be an orphan of a create that stopped
      // before the vault. (Today's realm does not let a new create replace such an orphan:
      // a retry gets 409 registration_mismatch — an open item, see apps/wallet/README.md.)
      // Best effort. It and the device write both need only the vault's answer, so they
      // run at once (a round trip less on the click).
      const committing = (async () => {
        try {
          const setup = await realmSetup(ctx, walletId);
          if (setup) await commitRealms(setup, 1, management.signer);
        } catch {
          // The wallet exists at the vault; an uncommitted epoch 1 is still a valid registration.
        }
      })();
      screen?.progress('Saving on this device…');
      record = {
        appId: ctx.appId,
        walletId,
        epoch: 1,
        keyId: info.keyId,
        network: ctx.network,
        addresses,
        sealed: device,
        updatedAt: Date.now(),
      };
      try {
        await ctx.store.put(record);
      } finally {
        await committing;
        mark('create:committed');
      }
    } finally {
      wipe(management.key.secretKey);
    }
    mark('create:stored');
    const meta = {
      walletId,
      keyId: info.keyId,
      network: ctx.network,
      addresses,
      epoch: 1,
      question,
    };
    return walletInfo({ meta, device: record });
  }
}
