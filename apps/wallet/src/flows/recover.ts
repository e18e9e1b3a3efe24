/**
 * @module flows/recover — recover on a new device or after a forgotten password:
 * answer → h = Argon2id(answer) (worker) → evaluated at the recovery realms (t of n, in
 * parallel; each counts the guess) → U → the v2 recovery share opened under h ‖ U
 * (docs/realms.md "Recover") + auth share → combined and key-checked → `unlock` at the
 * realms (resets their counters; they say how many wrong attempts came before) → new
 * password → re-share to epoch + 1 (reshare.ts keeps two shares of one epoch reachable at
 * every instant) → new device share stored. Same wallet, same address.
 *
 * A v1 recovery record (a wallet created before realms) opens with the answer alone; its
 * re-share here moves it to v2 + realms and registers its management key (migration).
 */

import { fromBase64Url } from '@trine/core/bytes';
import type { SealedRecordV2 } from '@trine/core/sealed-record';
import { wipe } from '@trine/core/wipe';
import { loadCardano } from '../cardano.ts';
import {
  type Ctx,
  cancelled,
  combine,
  interact,
  kdfText,
  loadWallet,
  mark,
  prepareAnswerHash,
  realmSetup,
  type WalletState,
} from '../context.ts';
import { isWrongSecret, userMessage } from '../errors.ts';
import { openWithRealms, realmStatus, unlockRealms } from '../realms.ts';
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
  /** The record was v1: the re-share registers the management key (migration). */
  legacy: boolean;
  /** What the realms reported on unlock (wrong attempts before this one). */
  wrongBefore: { wrongGuesses: number; since: string | null } | null;
  /** The vault listed other addresses than the rebuilt key has (this device uses the key's). */
  addressMismatch: boolean;
}

const RECOVER_TEXT =
  'Answer your security question to unlock the wallet on this device, then choose a new password for it.';
/** The recovery's first words when this browser holds no record of the wallet. */
export const FIRST_OPEN_TEXT =
  'This browser has not opened your wallet yet. Answer your security question to unlock it here, then choose a password for this browser. Your wallet and its address stay the same.';

/** Said on the password screen when the vault's address copy is not the key's. */
export const ADDRESS_MISMATCH_TEXT =
  'The wallet service listed a different address for this wallet than your key has. This device uses only the address derived from your key; the app receives that one. If this keeps happening, tell the app’s support: someone may have changed the wallet service’s records.';

/**
 * Said plainly before the user types: realms at their guess limit, and what remains.
 * Best effort (an unreachable realm just says nothing here).
 */
async function lockedNotice(ctx: Ctx, walletId: string): Promise<string | null> {
  try {
    const setup = await realmSetup(ctx, walletId);
    if (!setup) return null;
    const status = await realmStatus(setup);
    if (status.locked.length === 0) return null;
    const n = setup.realms.length;
    const open = n - status.locked.length;
    if (open >= setup.threshold) {
      return `Recovery with your answer is locked at ${status.locked.length} of ${n} recovery services after too many wrong answers. It still works through the other ${open} (${setup.threshold} are needed), so you can still try — carefully.`;
    }
    return `Recovery with your answer is locked: ${status.locked.length} of ${n} recovery services refuse further attempts after too many wrong answers, and ${setup.threshold} are needed. What you can still do: on a device where your wallet still opens with your password, choose “Re-arm recovery” (or change the security question) — that resets the counters; or restore from your 24-word recovery phrase.`;
  } catch {
    return null;
  }
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
  const locked = await lockedNotice(ctx, state.meta.walletId);
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
        locked ? h('p', { class: 'notice' }, locked) : null,
        // No record here: SDK enable() brought the user (no address before this recovery).
        p(state.device ? RECOVER_TEXT : FIRST_OPEN_TEXT),
        h('p', { class: 'question' }, h('strong', null, 'Question: '), state.meta.question),
      ],
      fields: [answer.wrap],
      submitLabel: 'Continue',
      cancelLabel: 'Cancel',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        mark('recover:submit');
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
          screen.error(userMessage(e, 'answer'), isWrongSecret(e) ? answer.input : undefined);
        }
      },
    });
  });
  // The new recovery share's answer hash (fresh salt) runs while the user types the new
  // password: the click then waits for the password's Argon2id alone (context.ts).
  const answerHash = prepareAnswerHash(ctx, recovered.answer);
  try {
    await interact<void>(ctx.view, (done, fail) => {
      const pw = passwordField('New password for this browser', 'new-password', PASSWORD_RULE_TEXT);
      preloadPasswordStrength().catch(() => {}); // the strength check's chunk
      const pw2 = passwordField('Type it again', 'new-password');
      return new Screen({
        title: 'Choose a new password',
        body: [
          p('Your answer was right. This password protects your key share in this browser.'),
          recovered.addressMismatch ? h('p', { class: 'notice' }, ADDRESS_MISMATCH_TEXT) : null,
          recovered.wrongBefore && recovered.wrongBefore.wrongGuesses > 0
            ? h(
                'p',
                { class: 'notice' },
                `${recovered.wrongBefore.wrongGuesses} wrong recovery attempt${recovered.wrongBefore.wrongGuesses === 1 ? '' : 's'} came before yours${recovered.wrongBefore.since ? ` since ${new Date(recovered.wrongBefore.since).toLocaleString()}` : ''}. If they were not yours, someone may be guessing your answer: consider changing the security question.`,
              )
            : null,
        ],
        fields: [pw.wrap, pw2.wrap],
        submitLabel: 'Save and finish',
        cancelLabel: 'Cancel',
        onCancel: () => fail(cancelled()),
        onSubmit: async (screen) => {
          mark('reshare:submit');
          const a = await checkNewPassword(pw.input.value, [recovered.question, recovered.answer]);
          const b = checkPasswordConfirm(pw.input.value, pw2.input.value);
          pw.problems(a);
          pw2.problems(b);
          if (a.length || b.length) {
            (a.length ? pw : pw2).input.focus();
            return;
          }
          screen.busy(true);
          mark('reshare:checked');
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
                // Once: a retry after a failure hashes again (the first was wiped).
                answerHash: answerHash.take(),
              },
              screen,
              recovered.legacy,
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
    answerHash.discard();
    wipe(recovered.entropy);
  }
  mark('recover:reshared');
  const fresh = await loadWallet(ctx);
  if (!fresh) throw new VaultError(404, 'wallet_not_found', 'no wallet');
  return fresh;
}

/**
 * Opens the vault's current recovery record with `answer`: v2 through the realms (h in
 * the worker, then t realm evaluations), v1 with the answer alone (legacy). `signer`
 * (when the caller already holds the secret) makes the realm evaluations uncounted.
 * Returns the recovery share, the record, and what the realms need for `unlock`.
 */
export async function openRecoveryShare(
  ctx: Ctx,
  walletId: string,
  answer: string,
  screen?: Screen,
  signer?: { walletId: string; secretKey: Uint8Array },
) {
  screen?.progress('Fetching your recovery share…');
  const rec = await ctx.vault.getRecovery();
  mark('recover:record');
  if (rec.sealed.v === 1) {
    const share = await ctx.kdf.open(rec.sealed, answer, (s) =>
      screen?.progress(kdfText(s, 'answer')),
    );
    return { rec, share, realms: null };
  }
  const sealed: SealedRecordV2 = rec.sealed;
  const setup = await realmSetup(ctx, walletId);
  if (!setup) throw new VaultError(0, 'bad_response', 'the app lists no recovery services');
  const h = await ctx.kdf.hash(
    answer,
    fromBase64Url(sealed.kdf.salt, 'salt'),
    { m: sealed.kdf.m, t: sealed.kdf.t, p: sealed.kdf.p },
    (s) => screen?.progress(kdfText(s, 'answer')),
  );
  mark('recover:h');
  try {
    screen?.progress('Asking the recovery services…');
    const r = await openWithRealms(setup, sealed, h, signer);
    mark('recover:realms-opened');
    return {
      rec,
      share: r.envelope,
      realms: { setup, unlockKey: r.unlockKey, evaluated: r.evaluated },
    };
  } finally {
    wipe(h);
  }
}

/** Answer → the combined, key-checked entropy (recovery share + auth share). */
async function openRecovery(
  ctx: Ctx,
  state: WalletState,
  answer: string,
  screen: Screen,
): Promise<Recovered> {
  const cardano = loadCardano();
  // Read while the answer is stretched; used only once the answer opened the recovery share.
  const authShare = ctx.vault.getAuthShare();
  authShare.catch(() => undefined);
  const { rec, share, realms } = await openRecoveryShare(ctx, state.meta.walletId, answer, screen);
  try {
    screen.progress('Fetching the wallet service’s share…');
    const auth = await authShare;
    const entropy = await combine(
      ctx,
      [share, auth.authShare],
      state.meta.walletId,
      state.meta.keyId,
      rec.epoch,
      await cardano,
      screen,
    );
    mark('recover:combined');
    // The key is right (key id checked). The addresses the host will get are derived from
    // it here and kept in the device record (reshare-step.ts); the vault's copy is only
    // compared, so that a substituted one is said to the user, never used.
    let addressMismatch: boolean;
    try {
      const info = (await cardano).deriveWallet(entropy, state.meta.network);
      addressMismatch =
        info.baseAddress !== state.meta.addresses.base ||
        info.rewardAddress !== state.meta.addresses.reward;
    } catch (e) {
      wipe(entropy);
      throw e;
    }
    mark('recover:derived');
    // The right answer: reset the counters of the realms that counted it.
    const wrongBefore =
      realms && rec.sealed.v === 2
        ? await unlockRealms(
            realms.setup,
            realms.evaluated,
            realms.unlockKey,
            rec.sealed.realms.epoch,
          )
        : null;
    mark('recover:unlocked');
    return {
      entropy,
      answer,
      epoch: rec.epoch,
      question: rec.question,
      legacy: rec.sealed.v === 1,
      wrongBefore,
      addressMismatch,
    };
  } finally {
    wipe(realms?.unlockKey);
  }
}
