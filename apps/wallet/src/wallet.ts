/**
 * @module wallet — the user flows the wallet serves to the host (DESIGN.md §6), one user
 * flow at a time (`connect` and `lock` are in boot-handlers.ts, which loads this module). A flow that needs the user asks the host to show the iframe
 * (`ui {visible:true}`) and hides it when done; errors reach the host only as
 * ProtocolErrors from `toHostError` (no secret, no foreign text).
 */

import type { Handlers } from '@trine/protocol/endpoint';
import { ProtocolError } from '@trine/protocol/errors';
import type { WalletMethods } from '@trine/protocol/methods';
import { type Ctx, loadWallet, mark, walletInfo } from './context.ts';
import { toHostError, UserCancelled, userMessage } from './errors.ts';
import { prepareSignData, prepareSignTx, signDataFlow, signTxFlow } from './flows/approve.ts';
import { createFlow } from './flows/create.ts';
import {
  changePasswordFlow,
  changeQuestionFlow,
  deleteFlow,
  exportFlow,
  rearmFlow,
} from './flows/manage.ts';
import { recoverFlow } from './flows/recover.ts';
import { h } from './ui/dom.ts';
import { Screen } from './ui/screen.ts';

/** Runs `fn` after every earlier user flow finished (one modal at a time). */
function serialiser() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The user flows' methods; boot-handlers.ts serves `connect` and `lock` and loads these. */
export function createFlowHandlers(ctx: Ctx): Omit<Handlers<WalletMethods>, 'connect' | 'lock'> {
  const exclusive = serialiser();

  /** Shows the iframe, runs the flow, shows a failure until closed, hides the iframe. */
  const userFlow = <T>(fn: () => Promise<T>): Promise<T> =>
    exclusive(async () => {
      await ctx.host.ui(true).catch(() => undefined);
      try {
        const result = await fn();
        await offerRearm(ctx);
        mark('flow-done');
        return result;
      } catch (e) {
        if (!(e instanceof UserCancelled)) await showFailure(ctx, e);
        throw e;
      } finally {
        ctx.view.message('Trine wallet', h('p', null, 'Waiting for the app.'));
        await ctx.host.ui(false).catch(() => undefined);
      }
    });

  const announce = async () => {
    try {
      const state = await loadWallet(ctx);
      await ctx.host.walletChanged(state ? walletInfo(state) : null);
    } catch {
      // the host will ask with connect
    }
  };

  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw toHostError(e);
    }
  };

  return {
    createWallet: () =>
      guard(async () => {
        if (await ctx.vault.getWallet()) {
          throw new ProtocolError('invalid_params', 'the user already has a wallet for this app');
        }
        const info = await userFlow(() => createFlow(ctx));
        void ctx.host.walletChanged(info).catch(() => undefined);
        return info;
      }),

    signTx: (params) =>
      guard(async () => {
        const prepared = await prepareSignTx(ctx, params);
        return userFlow(() => signTxFlow(ctx, params, prepared));
      }),

    signData: (params) =>
      guard(async () => {
        const prepared = await prepareSignData(ctx, params);
        return userFlow(() => signDataFlow(ctx, params, prepared));
      }),

    manage: ({ flow }) =>
      guard(async () => {
        const run = {
          recover: () => recoverFlow(ctx).then(() => undefined),
          changePassword: () => changePasswordFlow(ctx),
          changeQuestion: () => changeQuestionFlow(ctx),
          export: () => exportFlow(ctx),
          delete: () => deleteFlow(ctx),
        }[flow];
        try {
          await userFlow(run);
        } catch (e) {
          if (e instanceof UserCancelled) return { done: false };
          throw e;
        }
        if (flow !== 'export') await announce();
        return { done: true };
      }),
  };
}

/**
 * docs/realms.md: after a password unlock that found wrong recovery attempts at the
 * realms (context.ts noteRealmStatus), say so and offer "Re-arm recovery". Shown once per
 * page (dismissing it clears it); the re-arm itself is an ordinary re-share.
 */
async function offerRearm(ctx: Ctx): Promise<void> {
  // The status check runs in the background after a password unlock: give it a moment.
  if (ctx.realmCheck) {
    await Promise.race([ctx.realmCheck, new Promise((r) => setTimeout(r, 1500))]);
    ctx.realmCheck = undefined;
  }
  const notice = ctx.realmNotice;
  if (!notice) return;
  ctx.realmNotice = undefined;
  const rearm = await new Promise<boolean>((resolve) => {
    ctx.view.show(
      new Screen({
        title: 'Wrong recovery attempts',
        body: [h('p', { class: 'notice' }, notice.text)],
        submitLabel: 'Re-arm recovery',
        cancelLabel: 'Later',
        onSubmit: () => resolve(true),
        onCancel: () => resolve(false),
      }),
    );
  });
  if (!rearm) return;
  try {
    await rearmFlow(ctx, notice.text);
  } catch (e) {
    if (!(e instanceof UserCancelled)) await showFailure(ctx, e);
  }
}

/** A failure screen the user closes (Enter, Escape or the button). */
function showFailure(ctx: Ctx, e: unknown): Promise<void> {
  return new Promise<void>((resolve) => {
    ctx.view.show(
      new Screen({
        title: 'That did not work',
        body: [h('p', { class: 'error-text' }, userMessage(e))],
        submitLabel: 'Close',
        onSubmit: () => resolve(),
        onCancel: () => resolve(),
      }),
    );
  });
}
