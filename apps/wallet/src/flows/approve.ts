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
  unlockWithPassword,
  type WalletState,
  walletInfo,
} from '../context.ts';
import { StaleDeviceError, userMessage } from '../errors.ts';
import { payloadView } from '../payload-view.ts';
import { UNLOCK_MINUTES } from '../session.ts';
import { txView } from '../tx-view.ts';
import { type Child, h } from '../ui/dom.ts';
import { checkbox, passwordField } from '../ui/fields.ts';
import { p, Screen } from '../ui/screen.ts';
import { renderPayloadView, renderTxView } from '../ui/tx-render.ts';
import { watchVisibility } from '../visibility.ts';
import { recoverFlow } from './recover.ts';

/** Submits earlier than this after the screen appeared are ignored (double-click traps). */
const MIN_REVIEW_MS = 600;

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

function approveOnce<T>(
  ctx: Ctx,
  state: WalletState,
  a: Approval<T>,
  cardano: CardanoApi,
): Promise<T> {
  const { walletId, epoch } = state.device ?? { walletId: '', epoch: 0 };
  const unlocked = ctx.session.active(walletId, epoch);
  let visibility: ReturnType<typeof watchVisibility> | undefined;
  const finish =
    <V>(fn: (v: V) => void) =>
    (v: V) => {
      visibility?.stop();
      fn(v);
    };
  return interact<T>(ctx.view, (doneRaw, failRaw) => {
    const done = finish(doneRaw);
    const fail = finish(failRaw);
    const pw = passwordField('Password', 'current-password');
    const stay = checkbox(`Stay unlocked for ${UNLOCK_MINUTES} minutes (on this page only)`);
    const screen = new Screen({
      title: a.title,
      body: [
        h(
          'p',
          { class: 'origin' },
          'Requested by ',
          h('strong', null, ctx.hostOrigin),
          ` for your ${state.meta.network} wallet.`,
        ),
        ...a.content,
      ],
      fields: unlocked ? [p('Your wallet is unlocked on this page.')] : [pw.wrap, stay.wrap],
      submitLabel: a.approveLabel,
      cancelLabel: 'Reject',
      // Start at the top: what is signed comes before the password (Tab reaches it next).
      initialFocus: 'heading',
      onCancel: () => fail(cancelled()),
      onSubmit: async (screen) => {
        // A click while the host covers or fades the frame (IntersectionObserver v2, where
        // the browser has it) is not an approval. With no password to type, that and the
        // early click (the button starts disabled) are the clickjacking risks.
        if (unlocked && visibility?.visible() === false) {
          screen.error(
            'The wallet window is covered or hidden by the page, so it cannot be approved.',
          );
          return;
        }
        if (!unlocked && pw.input.value === '') {
          pw.problems(['Type your password.']);
          pw.input.focus();
          return;
        }
        pw.problems([]);
        screen.busy(true);
        let entropy: Uint8Array | undefined;
        try {
          entropy =
            ctx.session.take(walletId, epoch) ??
            (await unlockWithPassword(ctx, state, pw.input.value, screen));
          screen.progress('Signing…');
          const result = a.sign(entropy, cardano);
          if (!unlocked && stay.input.checked) ctx.session.start(entropy, walletId, epoch);
          pw.input.value = '';
          done(result);
        } catch (e) {
          if (e instanceof StaleDeviceError || !isRetryable(e)) {
            fail(e);
            return;
          }
          screen.busy(false);
          screen.error(userMessage(e, 'password'));
          pw.input.select();
        } finally {
          wipe(entropy);
        }
      },
    });
    // Watch the approve button itself: covering or fading it is what clickjacking needs.
    const approveButton = screen.submitButton;
    if (approveButton) {
      visibility = watchVisibility(approveButton);
      // Enabled only once the user could have seen the screen (double-click traps).
      approveButton.disabled = true;
      setTimeout(() => {
        approveButton.disabled = false;
      }, MIN_REVIEW_MS);
    }
    return screen;
  });
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
  if (!which)
    throw new ProtocolError('proof_generation', 'the wallet holds no key for that address');
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
