/**
 * @module flows/approve — every signature needs the user's click inside the iframe, on a
 * screen that shows what is signed (DESIGN.md §2.6): the decoded transaction or the
 * signData payload, the requesting origin, and — unless the user opted into an unlock
 * session — the password. The host cannot approve: only a submit of this form signs.
 *
 * On approval: device share (worker) + auth share → combined, key-checked entropy →
 * sign → wipe. Reject / Escape → `user_declined` (CIP-30 UserDeclined).
 */
import { wipe } from '@trine/core/wipe';
import { addressHex } from '@trine/protocol/bech32';
import { ProtocolError } from '@trine/protocol/errors';
import type {
  ResolvedInput,
  SignDataParams,
  SignDataResult,
  SignTxParams,
  SignTxResult,
} from '@trine/protocol/methods';
import { type CardanoApi, loadCardano } from '../cardano.ts';
import {
  type Ctx,
  cancelled,
  currentDevice,
  interact,
  loadWallet,
  mark,
  unlockWithPassword,
  type WalletState,
  walletInfo,
} from '../context.ts';
import { isWrongSecret, StaleDeviceError, userMessage } from '../errors.ts';
import { payloadView } from '../payload-view.ts';
import type { ToPopup } from '../popup-link.ts';
import { popupLink } from '../popup-opener.ts';
import { UNLOCK_MINUTES } from '../session.ts';
import { txView } from '../tx-view.ts';
import { type Child, h } from '../ui/dom.ts';
import { checkbox, passwordField } from '../ui/fields.ts';
import { p, Screen } from '../ui/screen.ts';
import { snapshot } from '../ui/snapshot.ts';
import { renderPayloadView, renderTxView } from '../ui/tx-render.ts';
import {
  canConfirmFrameVisibility,
  feedInput,
  frameTooSmall,
  frameTooSmallSettled,
  ReviewGate,
  watchFrameVisibility,
  watchWindowVisibility,
} from '../visibility.ts';
import { recoverFlow } from './recover.ts';

interface Approval<T> {
  title: string;
  content: Child[];
  approveLabel: string;
  sign(entropy: Uint8Array, cardano: CardanoApi): T;
}

async function walletOrThrow(ctx: Ctx): Promise<WalletState> {
  const state = await loadWallet(ctx);
  if (!state) throw new ProtocolError('wallet_missing', 'the user has no wallet yet');
  return state;
}

/**
 * Makes sure this device holds a current device share, offering recovery when it does
 * not (DESIGN.md §6: a lost or stale device share → recover with the answer).
 */
export async function ensureDevice(ctx: Ctx, state: WalletState): Promise<WalletState> {
  try {
    currentDevice(state);
    return state;
  } catch (e) {
    if (!(e instanceof StaleDeviceError)) throw e;
    await interact<void>(
      ctx.view,
      (done, fail) =>
        new Screen({
          title: 'Recovery needed on this device',
          body: [
            h('p', { class: 'notice' }, e.message),
            p(
              'Answer your security question to unlock your wallet here. Your wallet and its address stay the same.',
            ),
          ],
          submitLabel: 'Recover now',
          cancelLabel: 'Cancel',
          onCancel: () => fail(cancelled()),
          onSubmit: () => done(),
        }),
    );
    return recoverFlow(ctx);
  }
}

async function approve<T>(ctx: Ctx, initial: WalletState, a: Approval<T>): Promise<T> {
  let state = await ensureDevice(ctx, initial);
  const cardano = await loadCardano();
  for (;;) {
    try {
      return await approveOnce(ctx, state, a, cardano);
    } catch (e) {
      if (!(e instanceof StaleDeviceError)) throw e;
      // The vault moved to a newer epoch while we were looking: recover, then approve again.
      state = await ensureDevice(ctx, { ...state, device: undefined });
    }
  }
}

async function approveOnce<T>(
  ctx: Ctx,
  state: WalletState,
  a: Approval<T>,
  cardano: CardanoApi,
): Promise<T> {
  // Where the frame's visibility cannot be confirmed (no IntersectionObserver v2) or the
  // host gives it too little room, the approval moves to the wallet's own window.
  if (!canConfirmFrameVisibility() || (await frameTooSmallSettled())) {
    return approveInPopup(ctx, state, a, cardano);
  }
  return approveInFrame(ctx, state, a, cardano).catch((e: unknown) => {
    if (e instanceof MovedToPopup) return approveInPopup(ctx, state, a, cardano);
    throw e;
  });
}

/** The host shrank the frame below a usable size during the review: use the popup. */
class MovedToPopup extends Error {
  override readonly name = 'MovedToPopup';
}

/** The origin line every approval starts with. */
function originLine(ctx: Ctx, state: WalletState) {
  return h(
    'p',
    { class: 'origin' },
    'Requested by ',
    h('strong', null, ctx.hostOrigin),
    ` for your ${state.meta.network} wallet.`,
  );
}

/**
 * Unlock (password or session) → sign. Throws what the caller shows: StaleDeviceError and
 * non-retryable errors end the flow, retryable ones stay on the screen.
 */
async function signWith<T>(
  ctx: Ctx,
  state: WalletState,
  a: Approval<T>,
  cardano: CardanoApi,
  answer: { password: string; stay: boolean },
  ui: { progress(text: string): void },
): Promise<T> {
  const { walletId, epoch } = state.device ?? { walletId: '', epoch: 0 };
  const unlocked = ctx.session.active(walletId, epoch);
  let entropy: Uint8Array | undefined;
  try {
    entropy =
      ctx.session.take(walletId, epoch) ??
      (await unlockWithPassword(ctx, state, answer.password, ui));
    ui.progress('Signing…');
    const result = a.sign(entropy, cardano);
    mark('signed');
    if (!unlocked && answer.stay) ctx.session.start(entropy, walletId, epoch);
    return result;
  } finally {
    wipe(entropy);
  }
}

function approveInFrame<T>(
  ctx: Ctx,
  state: WalletState,
  a: Approval<T>,
  cardano: CardanoApi,
): Promise<T> {
  const { walletId, epoch } = state.device ?? { walletId: '', epoch: 0 };
  const unlocked = ctx.session.active(walletId, epoch);
  let guard: { stop(): void } | undefined;
  const finish =
    <V>(fn: (v: V) => void) =>
    (v: V) => {
      guard?.stop();
      fn(v);
    };
  return interact<T>(ctx.view, (doneRaw, failRaw) => {
    const done = finish(doneRaw);
    const fail = finish(failRaw);
    const pw = passwordField('Password', 'current-password');
    const stay = checkbox(`Stay unlocked for ${UNLOCK_MINUTES} minutes (on this page only)`);
    let gate: ReviewGate | undefined;
    let signing = false;
    const screen = new Screen({
      title: a.title,
      network: state.meta.network,
      stickyActions: true,
      body: [originLine(ctx, state), ...a.content],
      fields: unlocked ? [p('Your wallet is unlocked on this page.')] : [pw.wrap, stay.wrap],
      submitLabel: a.approveLabel,
      cancelLabel: 'Reject',
      // Start at the top: what is signed comes before the password (Tab reaches it next).
      initialFocus: 'heading',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        // Only a fresh press after the frame was fully visible for the whole review time
        // counts (DESIGN.md §2.12); a covered, faded or clipped frame never enables it.
        if (!gate?.take()) {
          screen.error('Press the button again to approve.');
          return;
        }
        if (!unlocked && pw.input.value === '') {
          pw.problems(['Type your password.']);
          pw.input.focus();
          return;
        }
        pw.problems([]);
        screen.busy(true);
        signing = true;
        try {
          const result = await signWith(
            ctx,
            state,
            a,
            cardano,
            { password: pw.input.value, stay: stay.input.checked },
            screen,
          );
          pw.input.value = '';
          done(result);
        } catch (e) {
          if (e instanceof StaleDeviceError || !isRetryable(e)) {
            fail(e);
            return;
          }
          signing = false;
          screen.busy(false);
          screen.error(userMessage(e, 'password'), isWrongSecret(e) ? pw.input : undefined);
          pw.input.select();
        }
      },
    });
    const onResize = () => {
      if (frameTooSmall() && !signing) fail(new MovedToPopup());
    };
    addEventListener('resize', onResize);
    gate = guardScreen(screen, (stop) => {
      guard = {
        stop: () => {
          removeEventListener('resize', onResize);
          stop();
        },
      };
    });
    return screen;
  });
}

/**
 * Puts `screen`'s submit button under a ReviewGate fed by the frame's visibility and the
 * user's presses. `keep` receives the teardown.
 */
export function guardScreen(screen: Screen, keep: (stop: () => void) => void): ReviewGate {
  const status = h('p', { class: 'review-hint', role: 'status' });
  const gate = new ReviewGate({
    onChange: (on) => {
      screen.allowSubmit(on);
      status.textContent = on ? '' : 'The button turns on once the wallet is fully in view.';
    },
  });
  screen.allowSubmit(false);
  status.textContent = 'The button turns on once the wallet is fully in view.';
  screen.form.append(status);
  const input = feedInput(gate);
  const watch = canConfirmFrameVisibility()
    ? watchFrameVisibility((v) => gate.setVisible(v))
    : // No IntersectionObserver v2 (manage screens only; approvals use the popup there).
      watchWindowVisibility((v) => gate.setVisible(v));
  keep(() => {
    gate.stop();
    input.stop();
    watch.stop();
  });
  return gate;
}

/**
 * The approval in the wallet's own window: the frame shows why and a button that opens
 * it (window.open needs the user's click); the popup returns approve (+ password) or
 * cancel; the frame signs and reports progress, errors (the popup stays open to retry)
 * and completion.
 */
function approveInPopup<T>(
  ctx: Ctx,
  state: WalletState,
  a: Approval<T>,
  cardano: CardanoApi,
): Promise<T> {
  const { walletId, epoch } = state.device ?? { walletId: '', epoch: 0 };
  const unlocked = ctx.session.active(walletId, epoch);
  // The popup draws the origin line itself (from hostOrigin and network).
  const body = snapshot(a.content.filter(Boolean) as Node[]);
  return interact<T>(ctx.view, (doneRaw, failRaw) => {
    const link = popupLink({
      title: a.title,
      network: state.meta.network,
      body: [
        originLine(ctx, state),
        h(
          'p',
          { class: 'notice' },
          'This browser cannot confirm that the wallet is fully visible inside this page, so you review and approve in a separate wallet window that the page cannot cover.',
        ),
      ],
      cancelLabel: 'Reject',
      request: {
        kind: 'sign',
        title: a.title,
        hostOrigin: ctx.hostOrigin,
        network: state.meta.network,
        body,
        password: !unlocked,
        stay: !unlocked,
        approveLabel: a.approveLabel,
        cancelLabel: 'Reject',
      },
      waitText: 'Review and answer in the wallet window.',
      closedText: 'The wallet window was closed. Open it again to approve, or reject.',
      blockedText: POPUP_BLOCKED('reject'),
      onFrameCancel: () => fail(cancelled()),
      onAnswer: async (m, link) => {
        if (m.type === 'cancel') return fail(cancelled());
        const { screen } = link;
        link.hold = true;
        screen.busy(true);
        const ui = {
          progress: (text: string) => {
            screen.progress(text);
            link.post({ type: 'progress', text });
          },
        };
        try {
          const result = await signWith(ctx, state, a, cardano, m, ui);
          link.post({ type: 'done' });
          done(result);
        } catch (e) {
          link.hold = false;
          if (e instanceof StaleDeviceError || !isRetryable(e)) {
            link.post({ type: 'done' });
            fail(e);
            return;
          }
          screen.busy(false);
          link.post(popupRetry(e));
          screen.progress('Review and answer in the wallet window.');
        }
      },
    });
    const done = (v: T) => {
      link.stop();
      doneRaw(v);
    };
    const fail = (e: unknown) => {
      link.stop();
      failRaw(e);
    };
    return link.screen;
  });
}

/** The frame's message for a blocked popup; `other` is the way out ("reject", "cancel"). */
export const POPUP_BLOCKED = (other: string) =>
  `Your browser blocked the wallet window. Allow pop-ups for this site, then press the button again, or ${other}.`;

/** The popup's retry for `e`: the message, under the password field when it is wrong. */
export function popupRetry(e: unknown): ToPopup {
  const error = userMessage(e, 'password');
  return isWrongSecret(e) ? { type: 'retry', error, field: 'password' } : { type: 'retry', error };
}

/** Errors the user can fix on the same screen (a wrong password, a network blip). */
function isRetryable(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  const name = (e as { name?: unknown })?.name;
  return (
    (name === 'TrineError' && (code === 'SEAL_OPEN_FAILED' || code === 'SECRET_EMPTY')) ||
    name === 'VaultError'
  );
}

/** Decodes outside the UI (bad input is refused before the user is bothered). */
export async function prepareSignTx(ctx: Ctx, params: SignTxParams) {
  const state = await walletOrThrow(ctx);
  const cardano = await loadCardano();
  const info = walletInfo(state);
  const walletAddresses = [info.addresses.base, info.addresses.reward];
  const network = state.meta.network;
  let resolved: ResolvedInput[] | undefined = params.resolvedInputs;
  if (!resolved) {
    const first = cardano.decodeTx(params.tx, { network, walletAddresses });
    try {
      resolved = await ctx.host.resolveInputs(
        [...first.inputs, ...first.collateral].map((i) => ({ txHash: i.txHash, index: i.index })),
      );
    } catch {
      resolved = undefined; // the approval screen then shows outputs and fee only
    }
  }
  // CIP-30 partialSign=false: a tx that needs a key this wallet lacks is refused now
  // (ProofGeneration), by the same rules signTx applies, before the user sees anything.
  if (!params.partialSign) {
    const foreign = cardano.foreignKeysNeeded(
      params.tx,
      { baseAddress: info.addresses.base, rewardAddress: info.addresses.reward },
      resolved,
    );
    if (foreign.length > 0) {
      throw new ProtocolError(
        'proof_generation',
        `the transaction needs a signature from a key this wallet does not hold (${foreign
          .slice(0, 3)
          .join(', ')
          .slice(0, 160)})`,
      );
    }
  }
  const summary = cardano.decodeTx(
    params.tx,
    resolved
      ? { network, walletAddresses, resolvedInputs: resolved }
      : { network, walletAddresses },
  );
  return { state, summary, resolved, info };
}

export async function signTxFlow(
  ctx: Ctx,
  params: SignTxParams,
  prepared: Awaited<ReturnType<typeof prepareSignTx>>,
): Promise<SignTxResult> {
  const { state, summary, resolved, info } = prepared;
  const view = txView(summary, {
    network: state.meta.network,
    baseAddress: info.addresses.base,
    rewardAddress: info.addresses.reward,
  });
  if (state.meta.network !== ctx.network) {
    view.warnings.unshift(
      `The app is on ${ctx.network} but your wallet is on ${state.meta.network}.`,
    );
  }
  return approve(ctx, state, {
    title: 'Approve transaction',
    content: [renderTxView(view)],
    approveLabel: 'Approve and sign',
    sign: (entropy, cardano) => {
      const opts = resolved
        ? { partialSign: params.partialSign, resolvedInputs: resolved }
        : { partialSign: params.partialSign };
      return { witnessSet: cardano.signTx(entropy, state.meta.network, params.tx, opts) };
    },
  });
}

/** Shelley header types whose payment (or reward) credential is a script (CIP-19). */
const SCRIPT_PAYMENT_TYPES = new Set([1, 3, 5, 7, 15]);

/** The CIP-19 header type of a bech32 or hex address; undefined when malformed. */
function addressType(address: string): number | undefined {
  try {
    const hex = /^[0-9a-f]+$/.test(address) ? address : addressHex(address);
    if (hex.length < 2 || hex.length % 2 !== 0) return undefined;
    return Number.parseInt(hex.slice(0, 2), 16) >> 4;
  } catch {
    return undefined;
  }
}

/** Refuses, before any UI, an address that is not one of the wallet's. */
export async function prepareSignData(ctx: Ctx, params: SignDataParams) {
  const state = await walletOrThrow(ctx);
  const info = walletInfo(state);
  const a = params.address.toLowerCase();
  const which =
    a === info.addresses.base || a === info.addresses.baseHex
      ? 'payment'
      : a === info.addresses.reward || a === info.addresses.rewardHex
        ? 'stake'
        : undefined;
  if (!which) {
    // CIP-30 DataSignError: a script address has no key at all (AddressNotPK); a key
    // address that is not this wallet's is one it cannot prove (ProofGeneration).
    const type = addressType(a);
    if (type === undefined) throw new ProtocolError('invalid_params', 'the address is malformed');
    if (SCRIPT_PAYMENT_TYPES.has(type)) {
      throw new ProtocolError('address_not_ours', 'the address is a script address, not a key');
    }
    throw new ProtocolError('proof_generation', 'the wallet holds no key for that address');
  }
  return { state, which, info } as const;
}

export function signDataFlow(
  ctx: Ctx,
  params: SignDataParams,
  prepared: Awaited<ReturnType<typeof prepareSignData>>,
): Promise<SignDataResult> {
  const { state, which, info } = prepared;
  const payload = payloadView(params.payload);
  return approve(ctx, state, {
    title: 'Sign a message',
    content: [
      p(
        `The app asks you to sign this message with your ${which === 'payment' ? 'wallet address' : 'stake (reward) address'}. Signing proves you control the wallet; it does not move funds.`,
      ),
      h(
        'dl',
        { class: 'kv' },
        h('dt', null, 'Address'),
        h(
          'dd',
          { class: 'mono' },
          which === 'payment' ? info.addresses.base : info.addresses.reward,
        ),
      ),
      renderPayloadView(payload),
    ],
    approveLabel: 'Sign message',
    sign: (entropy, cardano) =>
      cardano.signData(entropy, state.meta.network, params.address, params.payload),
  });
}
