/**
 * @module flows/manage — change password, change security question, export the
 * recovery phrase, delete the wallet. (Recovery is flows/recover.ts.)
 *
 * Change password: a new password means a new device share, and we re-share to a new
 * epoch (rather than re-sealing the same device share) so that a copy of the old sealed
 * device share plus the old password — the usual reason to change a password — opens
 * nothing any more. A new split also changes the recovery share, which must be sealed
 * under the answer, so this flow asks for the answer too and checks it against the
 * vault's current recovery record before re-sharing (a typo would otherwise lock the new
 * recovery share under a wrong answer). Users who forgot the answer change the question
 * first (that needs only the password).
 *
 * Re-arm recovery (docs/realms.md): after the realms counted wrong guesses at the answer,
 * a re-share with the same password and answer re-registers every realm, which resets
 * their counters (and the attacker's progress: the new salt makes old guesses useless).
 * Checking the answer first evaluates it at the realms *signed* with the management key
 * (derived from the entropy the password opened), so that check is not counted.
 *
 * Delete signs `DELETE …/wallet` and each realm's `DELETE …/registration` with the
 * management key (a JWT alone cannot destroy: invariant 11).
 *
 * Every re-share goes through reshare.ts, which keeps two shares of one epoch reachable
 * at every instant (DESIGN.md §2.8). A wallet still on the v1 recovery record moves to
 * v2 + realms with its next re-share here (migration).
 */
import { entropyToMnemonic } from '@trine/core/mnemonic';
import { wipe } from '@trine/core/wipe';
import { loadCardano } from '../cardano.ts';
import {
  type Ctx,
  cancelled,
  combine,
  interact,
  loadWallet,
  managementOf,
  realmSetup,
  unlockWithPassword,
  type WalletState,
} from '../context.ts';
import { isWrongSecret, StaleDeviceError, userMessage } from '../errors.ts';
import { type PopupLink, popupLink } from '../popup-opener.ts';
import { atRealms } from '../realm-client.ts';
import { ReshareError } from '../reshare.ts';
import { h } from '../ui/dom.ts';
import { type Field, passwordField, questionPicker, textField } from '../ui/fields.ts';
import { p, Screen } from '../ui/screen.ts';
import {
  ANSWER_RULE_TEXT,
  checkAnswerConfirm,
  checkAnswerGiven,
  checkNewAnswer,
  checkNewPassword,
  checkPasswordConfirm,
  checkQuestion,
  PASSWORD_RULE_TEXT,
  preloadPasswordStrength,
} from '../validators.ts';
import { VaultError } from '../vault-client.ts';
import {
  canConfirmFrameVisibility,
  frameTooSmall,
  frameTooSmallSettled,
  type ReviewGate,
} from '../visibility.ts';
import { ensureDevice, guardScreen, POPUP_BLOCKED, popupRetry } from './approve.ts';
import { openRecoveryShare } from './recover.ts';
import { reshareWith } from './reshare-step.ts';

async function walletState(ctx: Ctx): Promise<WalletState> {
  const state = await loadWallet(ctx);
  if (!state) throw new VaultError(404, 'wallet_not_found', 'no wallet');
  return ensureDevice(ctx, state);
}

/** Shows problems per field; focuses the first bad one; true when all are fine. */
type Checked = readonly [Field | { problems(l: string[]): void }, string[]];

function validate(list: readonly Checked[]): boolean {
  let ok = true;
  for (const [field, problems] of list) {
    field.problems(problems);
    if (problems.length && ok) {
      ok = false;
      if ('input' in field) field.input.focus();
    }
  }
  return ok;
}

/** Errors that end the flow (the user must start again) rather than stay on the form. */
function fatal(e: unknown): boolean {
  return e instanceof ReshareError || e instanceof StaleDeviceError;
}

export async function changePasswordFlow(ctx: Ctx): Promise<void> {
  const state = await walletState(ctx);
  await interact<void>(ctx.view, (done, fail) => {
    const current = passwordField('Current password', 'current-password');
    const answer = textField(
      'Answer to your security question',
      'Needed because the recovery share is renewed too.',
      true,
    );
    const pw = passwordField('New password', 'new-password', PASSWORD_RULE_TEXT);
    preloadPasswordStrength().catch(() => {}); // the strength check's chunk
    const pw2 = passwordField('Type the new password again', 'new-password');
    return new Screen({
      title: 'Change password',
      body: [
        p('Your key is split again into new shares; the old password and old shares stop working.'),
        h('p', { class: 'question' }, h('strong', null, 'Question: '), state.meta.question),
      ],
      fields: [current.wrap, answer.wrap, pw.wrap, pw2.wrap],
      submitLabel: 'Change password',
      cancelLabel: 'Cancel',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        if (
          !validate([
            [current, current.input.value ? [] : ['Type your current password.']],
            [answer, checkAnswerGiven(answer.input.value)],
            [pw, await checkNewPassword(pw.input.value, [state.meta.question, answer.input.value])],
            [pw2, checkPasswordConfirm(pw.input.value, pw2.input.value)],
          ])
        ) {
          return;
        }
        screen.busy(true);
        let entropy: Uint8Array | undefined;
        let step: 'password' | 'answer' = 'password';
        try {
          entropy = await unlockWithPassword(ctx, state, current.input.value, screen);
          step = 'answer';
          const legacy = await checkAnswerAgainstVault(
            ctx,
            state,
            entropy,
            answer.input.value,
            screen,
          );
          await reshareWith(
            ctx,
            state,
            entropy,
            state.meta.epoch,
            {
              password: pw.input.value,
              answer: answer.input.value,
              question: state.meta.question,
            },
            screen,
            legacy,
          );
          done();
        } catch (e) {
          if (fatal(e)) return fail(e);
          screen.busy(false);
          // A wrong password or answer is shown under (and tied to) its own field.
          const field = step === 'password' ? current.input : answer.input;
          screen.error(userMessage(e, step), isWrongSecret(e) ? field : undefined);
        } finally {
          wipe(entropy);
        }
      },
    });
  });
}

/**
 * Opens the vault's current recovery share with `answer` and checks it belongs to the
 * same key (combine with the known entropy's shares is not possible — different split —
 * so we combine recovery + auth and compare). With realms, the evaluations are signed
 * with the management key (uncounted: we already hold the secret). Resolves with
 * whether the record is v1 (legacy: the re-share registers the management key).
 */
async function checkAnswerAgainstVault(
  ctx: Ctx,
  state: WalletState,
  entropy: Uint8Array,
  answer: string,
  screen: Screen,
): Promise<boolean> {
  screen.progress('Checking your answer…');
  const management = managementOf(entropy, state.meta.walletId);
  let opened: Awaited<ReturnType<typeof openRecoveryShare>>;
  try {
    opened = await openRecoveryShare(ctx, state.meta.walletId, answer, screen, management.signer);
  } finally {
    wipe(management.key.secretKey);
  }
  wipe(opened.realms?.unlockKey);
  const { rec, share } = opened;
  const auth = await ctx.vault.getAuthShare();
  const cardano = await loadCardano();
  const again = await combine(
    ctx,
    [share, auth.authShare],
    state.meta.walletId,
    state.meta.keyId,
    rec.epoch,
    cardano,
    screen,
  );
  const same = again.length === entropy.length && again.every((b, i) => b === entropy[i]);
  wipe(again);
  if (!same) throw new Error('the recovery share does not match this wallet');
  return rec.sealed.v === 1;
}

/**
 * Re-arm recovery (docs/realms.md): password + the same answer → a re-share that
 * re-registers every realm (counters back to 0). Offered after a password unlock when
 * the realms counted wrong attempts.
 */
export async function rearmFlow(ctx: Ctx, notice?: string): Promise<void> {
  const state = await walletState(ctx);
  await interact<void>(ctx.view, (done, fail) => {
    const current = passwordField('Password', 'current-password');
    const answer = textField('Answer to your security question', undefined, true);
    return new Screen({
      title: 'Re-arm recovery',
      body: [
        notice ? h('p', { class: 'notice' }, notice) : null,
        p(
          'Your key is split again and registered anew with the recovery services; their wrong-attempt counters start again from zero. Your password and answer stay the same.',
        ),
        h('p', { class: 'question' }, h('strong', null, 'Question: '), state.meta.question),
      ],
      fields: [current.wrap, answer.wrap],
      submitLabel: 'Re-arm recovery',
      cancelLabel: 'Not now',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        if (
          !validate([
            [current, current.input.value ? [] : ['Type your password.']],
            [answer, checkAnswerGiven(answer.input.value)],
          ])
        ) {
          return;
        }
        screen.busy(true);
        let entropy: Uint8Array | undefined;
        let step: 'password' | 'answer' = 'password';
        try {
          entropy = await unlockWithPassword(ctx, state, current.input.value, screen);
          step = 'answer';
          const legacy = await checkAnswerAgainstVault(
            ctx,
            state,
            entropy,
            answer.input.value,
            screen,
          );
          await reshareWith(
            ctx,
            state,
            entropy,
            state.meta.epoch,
            {
              password: current.input.value,
              answer: answer.input.value,
              question: state.meta.question,
            },
            screen,
            legacy,
          );
          done();
        } catch (e) {
          if (fatal(e)) return fail(e);
          screen.busy(false);
          // A wrong password or answer is shown under (and tied to) its own field.
          const field = step === 'password' ? current.input : answer.input;
          screen.error(userMessage(e, step), isWrongSecret(e) ? field : undefined);
        } finally {
          wipe(entropy);
        }
      },
    });
  });
}

/**
 * Whether a re-share without the answer (change question) must treat the wallet as
 * legacy: a v1 record and no management key at the vault (docs/realms.md "Migration").
 * Decided from the wallet metadata where it can be: `POST …/wallet/recovery` is limited
 * per wallet to a few an hour, and spending one just to read the record's version left
 * the user short of attempts for a real recovery soon after. The record is read only
 * when the metadata cannot tell: an app listing no realms (a v2 record must then not be
 * downgraded, reshare-step.ts) or a vault that does not report the management key.
 */
export async function isLegacyWallet(
  ctx: Pick<Ctx, 'app' | 'vault'>,
  state: Pick<WalletState, 'meta'>,
): Promise<boolean> {
  const key = state.meta.managementKey;
  // No management key at the vault: a wallet from before realms (its record is v1).
  if (key === null) return true;
  // A key is registered and the re-share seals v2 at the realms: nothing to migrate.
  if (key !== undefined && ctx.app.realms.length > 0) return false;
  return (await ctx.vault.getRecovery()).sealed.v === 1;
}

export async function changeQuestionFlow(ctx: Ctx): Promise<void> {
  const state = await walletState(ctx);
  await interact<void>(ctx.view, (done, fail) => {
    const current = passwordField('Password', 'current-password');
    const question = questionPicker();
    const answer = textField('New answer', ANSWER_RULE_TEXT, true);
    const answer2 = textField('Type the new answer again', undefined, true);
    return new Screen({
      title: 'Change security question',
      body: [
        p(`Current question: ${state.meta.question}`),
        p('Your key is split again; the old answer stops working.'),
      ],
      fields: [current.wrap, question.wrap, answer.wrap, answer2.wrap],
      submitLabel: 'Save new question',
      cancelLabel: 'Cancel',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        const q = question.value();
        if (
          !validate([
            [current, current.input.value ? [] : ['Type your password.']],
            [question, checkQuestion(q)],
            [answer, checkNewAnswer(answer.input.value, q)],
            [answer2, checkAnswerConfirm(answer.input.value, answer2.input.value)],
          ])
        ) {
          return;
        }
        screen.busy(true);
        let entropy: Uint8Array | undefined;
        try {
          entropy = await unlockWithPassword(ctx, state, current.input.value, screen);
          const legacy = await isLegacyWallet(ctx, state);
          await reshareWith(
            ctx,
            state,
            entropy,
            state.meta.epoch,
            {
              password: current.input.value,
              answer: answer.input.value,
              question: q,
            },
            screen,
            legacy,
          );
          done();
        } catch (e) {
          if (fatal(e)) return fail(e);
          screen.busy(false);
          screen.error(userMessage(e, 'password'), isWrongSecret(e) ? current.input : undefined);
        } finally {
          wipe(entropy);
        }
      },
    });
  });
}

/**
 * Whether a screen that shows or destroys secrets moves to the wallet's own window: the
 * browser cannot confirm the frame is visible (no IntersectionObserver v2), or the host
 * gives the frame too little room (DESIGN.md §2.12, as approvals do).
 */
async function needsPopup(): Promise<boolean> {
  return !canConfirmFrameVisibility() || (await frameTooSmallSettled());
}

/** The host shrank the frame below a usable size during the screen: use the popup. */
class MovedToPopup extends Error {
  override readonly name = 'MovedToPopup';
}

/**
 * Fails the screen with MovedToPopup when the host shrinks the frame below a usable size
 * (not while the screen works on an answer). Returns the teardown.
 */
function watchShrink(screen: Screen, fail: (e: unknown) => void): () => void {
  const onResize = () => {
    if (frameTooSmall() && !screen.isBusy) fail(new MovedToPopup());
  };
  addEventListener('resize', onResize);
  return () => removeEventListener('resize', onResize);
}

/** The popup flow when the in-frame one moved there; anything else is rethrown. */
const movedTo =
  <T>(popup: () => Promise<T>) =>
  (e: unknown): Promise<T> => {
    if (e instanceof MovedToPopup) return popup();
    throw e;
  };

const POPUP_WHY =
  'This browser cannot confirm that the wallet is fully visible inside this page, so this happens in a separate wallet window that the page cannot cover.';

const EXPORT_WARNING =
  'Anyone who sees these 24 words can take everything in this wallet, without your password. Make sure no one is watching and no screen is being shared. Write them on paper; never type them into a website.';

/** Password → the 24 words (the entropy is wiped; the caller empties the array). */
async function unlockWords(
  ctx: Ctx,
  state: WalletState,
  password: string,
  ui: Pick<Screen, 'progress'>,
): Promise<string[]> {
  let entropy: Uint8Array | undefined;
  try {
    entropy = await unlockWithPassword(ctx, state, password, ui);
    return entropyToMnemonic(entropy).split(' ');
  } finally {
    wipe(entropy);
  }
}

/**
 * Shows the recovery phrase inside the iframe only (DESIGN.md §2.1): never posted to the
 * host, removed from the DOM when the screen closes. Where the frame's visibility cannot
 * be confirmed, in the wallet's own window instead (exportInPopup).
 */
export async function exportFlow(ctx: Ctx): Promise<void> {
  const state = await walletState(ctx);
  if (await needsPopup()) return exportInPopup(ctx, state);
  let stopGuard: () => void = () => {};
  let stopShrink: () => void = () => {};
  const words = await interact<string[] | undefined>(ctx.view, (done, fail) => {
    const current = passwordField('Password', 'current-password');
    let gate: ReviewGate | undefined;
    const screen = new Screen({
      title: 'Show recovery phrase',
      body: [h('p', { class: 'notice' }, EXPORT_WARNING)],
      fields: [current.wrap],
      submitLabel: 'Show the words',
      cancelLabel: 'Cancel',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        if (!gate?.take()) return screen.error('Press the button again to continue.');
        if (!validate([[current, current.input.value ? [] : ['Type your password.']]])) return;
        screen.busy(true);
        try {
          done(await unlockWords(ctx, state, current.input.value, screen));
        } catch (e) {
          if (fatal(e)) return fail(e);
          screen.busy(false);
          screen.error(userMessage(e, 'password'), isWrongSecret(e) ? current.input : undefined);
        }
      },
    });
    // The same review gate as a signature (DESIGN.md §2.12).
    gate = guardScreen(screen, (stop) => {
      stopGuard = stop;
    });
    stopShrink = watchShrink(screen, fail);
    return screen;
  })
    .catch(movedTo(async () => undefined))
    .finally(() => {
      stopGuard();
      stopShrink();
    });
  if (!words) return exportInPopup(ctx, state);
  try {
    await interact<void>(ctx.view, (done) => {
      const list = h('ol', { class: 'words' }, ...words.map((w) => h('li', null, w)));
      return new Screen({
        title: 'Your recovery phrase',
        body: [p('Write these words down in order. Close this screen when you are done.'), list],
        submitLabel: 'I have written them down — close',
        onCancel: () => done(),
        onSubmit: () => done(),
      });
    });
  } finally {
    words.fill('');
    ctx.view.clear();
  }
}

/**
 * The export in the wallet's own window: the popup asks for the password (review gate),
 * the frame unlocks and posts the words to that window only (its window, the wallet
 * origin, the nonce); the frame's DOM never holds them. Resolves when the user closed
 * the phrase (or the window).
 */
function exportInPopup(ctx: Ctx, state: WalletState): Promise<void> {
  return interact<void>(ctx.view, (doneRaw, failRaw) => {
    /** The words were shown in the popup: its close (or `cancel`) ends the export. */
    let shown = false;
    const link = popupLink({
      title: 'Show recovery phrase',
      network: state.meta.network,
      body: [h('p', { class: 'notice' }, POPUP_WHY)],
      cancelLabel: 'Cancel',
      request: {
        kind: 'export',
        title: 'Show recovery phrase',
        hostOrigin: ctx.hostOrigin,
        network: state.meta.network,
        body: [{ t: 'p', a: { class: 'notice' }, c: [EXPORT_WARNING] }],
        password: true,
        stay: false,
        approveLabel: 'Show the words',
        cancelLabel: 'Cancel',
      },
      waitText: 'Type your password in the wallet window.',
      closedText: 'The wallet window was closed. Open it again to see your phrase, or cancel.',
      blockedText: POPUP_BLOCKED('cancel'),
      onFrameCancel: () => fail(cancelled()),
      onClosed: () => {
        if (shown) done();
        return shown;
      },
      onAnswer: async (m, link) => {
        if (m.type === 'cancel') return shown ? done() : fail(cancelled());
        if (shown) return;
        const { screen } = link;
        link.hold = true;
        screen.busy(true);
        const ui = progressBoth(link);
        let words: string[] | undefined;
        try {
          words = await unlockWords(ctx, state, m.password, ui);
          link.post({ type: 'words', words });
          shown = true;
          link.hold = false;
          screen.progress(
            'Your recovery phrase is shown in the wallet window. Close it when you are done.',
          );
        } catch (e) {
          link.hold = false;
          if (fatal(e)) {
            link.post({ type: 'done' });
            return fail(e);
          }
          screen.busy(false);
          link.post(popupRetry(e));
          screen.progress('Type your password in the wallet window.');
        } finally {
          words?.fill('');
        }
      },
    });
    const done = () => {
      link.stop();
      doneRaw();
    };
    const fail = (e: unknown) => {
      link.stop();
      failRaw(e);
    };
    return link.screen;
  });
}

/** Progress shown in the frame and in the popup. */
function progressBoth(link: PopupLink): Pick<Screen, 'progress'> {
  return {
    progress: (text: string) => {
      link.screen.progress(text);
      link.post({ type: 'progress', text });
    },
  };
}

const DELETE_WARNING =
  'This deletes your wallet’s shares from the wallet service and from this browser. Funds left at its address can then only be reached with the 24-word recovery phrase. Export it first if you have not.';

/**
 * The deletes (invariant 11: signed with the management key the password yields): the
 * vault, then each realm's registration (best effort), then this browser's record.
 */
async function deleteWallet(
  ctx: Ctx,
  state: WalletState,
  password: string | undefined,
  ui: Pick<Screen, 'progress'>,
): Promise<void> {
  let entropy: Uint8Array | undefined;
  try {
    // The password proves the person at the keyboard owns the wallet here, and
    // yields the management key that signs the deletes (invariant 11).
    if (password !== undefined) entropy = await unlockWithPassword(ctx, state, password, ui);
    const management = entropy ? managementOf(entropy, state.meta.walletId) : undefined;
    try {
      ui.progress('Deleting from the wallet service…');
      await ctx.vault.deleteWallet(management?.signer);
      const setup = management ? await realmSetup(ctx, state.meta.walletId) : null;
      if (setup && management) {
        ui.progress('Deleting from the recovery services…');
        // Best effort: the vault's record is gone, so what a realm keeps opens nothing.
        await atRealms(setup.realms, 0, (realm) =>
          setup.client.deleteRegistration(realm, management.signer),
        );
      }
    } finally {
      if (management) wipe(management.key.secretKey);
    }
    ctx.session.clear();
    // No "wrong attempts" notice for a wallet that is gone.
    await ctx.securityCheck;
    ctx.securityCheck = undefined;
    ctx.realmNotice = undefined;
    ctx.activityNotice = undefined;
    ui.progress('Deleting from this browser…');
    await ctx.store.remove(ctx.appId, state.meta.walletId);
  } finally {
    wipe(entropy);
  }
}

/** DELETE on the vault, then the local device share. */
export async function deleteFlow(ctx: Ctx): Promise<void> {
  const state = await loadWallet(ctx);
  if (!state) throw new VaultError(404, 'wallet_not_found', 'no wallet');
  const hasDevice = state.device !== undefined && state.device.epoch === state.meta.epoch;
  if (await needsPopup()) return deleteInPopup(ctx, state, hasDevice);
  let stopGuard: () => void = () => {};
  let stopShrink: () => void = () => {};
  await interact<void>(ctx.view, (done, fail) => {
    const current = passwordField('Password', 'current-password');
    const confirm = textField('Type DELETE to confirm');
    let gate: ReviewGate | undefined;
    const screen = new Screen({
      title: 'Delete wallet',
      body: [h('p', { class: 'notice' }, DELETE_WARNING)],
      fields: hasDevice ? [current.wrap, confirm.wrap] : [confirm.wrap],
      submitLabel: 'Delete wallet',
      danger: true,
      cancelLabel: 'Cancel',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        if (!gate?.take()) return screen.error('Press the button again to delete.');
        if (
          !validate([
            ...(hasDevice
              ? [[current, current.input.value ? [] : ['Type your password.']] as Checked]
              : []),
            [confirm, confirm.input.value.trim() === 'DELETE' ? [] : ['Type DELETE in capitals.']],
          ])
        ) {
          return;
        }
        screen.busy(true);
        try {
          await deleteWallet(ctx, state, hasDevice ? current.input.value : undefined, screen);
          done();
        } catch (e) {
          if (fatal(e)) return fail(e);
          screen.busy(false);
          screen.error(userMessage(e, 'password'), isWrongSecret(e) ? current.input : undefined);
        }
      },
    });
    gate = guardScreen(screen, (stop) => {
      stopGuard = stop;
    });
    stopShrink = watchShrink(screen, fail);
    return screen;
  })
    .finally(() => {
      stopGuard();
      stopShrink();
    })
    .catch(movedTo(() => deleteInPopup(ctx, state, hasDevice)));
}

/**
 * The delete in the wallet's own window: the popup shows the warning, the password (when
 * this device has a current record) and "Type DELETE to confirm"; the frame checks both
 * again, does the deletes and reports progress, a retry or done to the popup.
 */
function deleteInPopup(ctx: Ctx, state: WalletState, hasDevice: boolean): Promise<void> {
  return interact<void>(ctx.view, (doneRaw, failRaw) => {
    const link = popupLink({
      title: 'Delete wallet',
      network: state.meta.network,
      body: [h('p', { class: 'notice' }, POPUP_WHY)],
      cancelLabel: 'Cancel',
      request: {
        kind: 'delete',
        title: 'Delete wallet',
        hostOrigin: ctx.hostOrigin,
        network: state.meta.network,
        body: [{ t: 'p', a: { class: 'notice' }, c: [DELETE_WARNING] }],
        password: hasDevice,
        stay: false,
        approveLabel: 'Delete wallet',
        cancelLabel: 'Cancel',
        confirmWord: 'DELETE',
        danger: true,
      },
      waitText: 'Confirm in the wallet window.',
      closedText: 'The wallet window was closed. Nothing was deleted. Open it again, or cancel.',
      blockedText: POPUP_BLOCKED('cancel'),
      onFrameCancel: () => fail(cancelled()),
      onAnswer: async (m, link) => {
        if (m.type === 'cancel') return fail(cancelled());
        // The popup checked these; the frame does not take its word for it.
        if (m.confirm?.trim() !== 'DELETE') {
          link.post({ type: 'retry', error: 'Type DELETE in capitals.', field: 'confirm' });
          return;
        }
        if (hasDevice && m.password === '') {
          link.post({ type: 'retry', error: 'Type your password.', field: 'password' });
          return;
        }
        const { screen } = link;
        link.hold = true;
        screen.busy(true);
        try {
          await deleteWallet(ctx, state, hasDevice ? m.password : undefined, progressBoth(link));
          link.post({ type: 'done' });
          done();
        } catch (e) {
          link.hold = false;
          if (fatal(e)) {
            link.post({ type: 'done' });
            return fail(e);
          }
          screen.busy(false);
          link.post(popupRetry(e));
          screen.progress('Confirm in the wallet window.');
        }
      },
    });
    const done = () => {
      link.stop();
      doneRaw();
    };
    const fail = (e: unknown) => {
      link.stop();
      failRaw(e);
    };
    return link.screen;
  });
}
