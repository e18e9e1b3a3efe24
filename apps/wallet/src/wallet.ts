/**
 * @module wallet — the user flows the wallet serves to the host (DESIGN.md §6), one user
 * flow at a time (`connect` and `lock` are in boot-handlers.ts, which loads this module). A flow that needs the user asks the host to show the iframe
 * (`ui {visible:true}`) and hides it when done; errors reach the host only as
 * ProtocolErrors from `toHostError` (no secret, no foreign text).
 */

import type { Handlers } from '@trine/protocol/endpoint';
import { ProtocolError } from '@trine/protocol/errors';
import type { WalletMethods } from '@trine/protocol/methods';
import { catchUpActivity, describeEvent, markSeen, stillUnseen } from './activity.ts';
import { createBootHandlers } from './boot-handlers.ts';
import { type Ctx, loadWallet, mark, verifiedWalletInfo } from './context.ts';
import { toHostError, UserCancelled, userMessage } from './errors.ts';
import { activityFlow } from './flows/activity.ts';
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
import { type Child, h } from './ui/dom.ts';
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

/**
 * Every method the wallet serves: boot-handlers.ts's `connect` and `lock` with this
 * module's flows (already loaded here). main.ts builds the same pair but loads the flows
 * by `import()`; tests use this.
 */
export function createHandlers(ctx: Ctx): Handlers<WalletMethods> {
  return createBootHandlers(ctx, async () => createFlowHandlers(ctx));
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
        await offerNotice(ctx);
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
      if (!state) return await ctx.host.walletChanged(null);
      // No record on this device (nothing verified): nothing to announce.
      const info = verifiedWalletInfo(state);
      if (info) await ctx.host.walletChanged(info);
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
        // The wallet.create event is the user's own: not "new" at the next unlock.
        void catchUpActivity(ctx, info.walletId);
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
          activity: () => activityFlow(ctx),
        }[flow];
        try {
          await userFlow(run);
        } catch (e) {
          if (e instanceof UserCancelled) return { done: false };
          throw e;
        }
        if (flow !== 'export' && flow !== 'activity') await announce();
        return { done: true };
      }),
  };
}

/**
 * After a password unlock, one notice for what the background checks found (context.ts):
 * wrong recovery attempts at the realms (docs/realms.md: offers "Re-arm recovery") and
 * security events new since this device's last visit (activity.ts). Shown once: showing
 * it marks the events seen and clears the realm notice; "See all security activity"
 * opens the full screen.
 */
export async function offerNotice(ctx: Ctx): Promise<void> {
  // The checks run in the background after a password unlock: give them a moment.
  if (ctx.securityCheck) {
    await Promise.race([ctx.securityCheck, new Promise((r) => setTimeout(r, 4000))]);
    ctx.securityCheck = undefined;
  }
  const realm = ctx.realmNotice;
  const pending = ctx.activityNotice;
  ctx.realmNotice = undefined;
  ctx.activityNotice = undefined;
  const activity = pending ? await stillUnseen(ctx, pending) : undefined;
  if (!realm && !activity) return;
  if (activity) await markSeen(ctx, activity.walletId, activity.newestId);
  const body: Child[] = [];
  if (realm) {
    // Alone, the realm part is the screen's title; with new events, a part of its own.
    if (activity) body.push(h('h2', null, 'Wrong recovery attempts'));
    body.push(h('p', { class: 'notice' }, realm.text));
  }
  if (activity) {
    body.push(
      h('h2', null, 'New security activity since your last visit'),
      h('ol', { class: 'events' }, ...activity.events.map((e) => h('li', null, describeEvent(e)))),
      activity.more ? h('p', null, 'And more: see all security activity.') : null,
      h(
        'p',
        null,
        'If you do not recognise this, someone may have your sign-in to this app: change your password and security question.',
      ),
    );
  }
  const choice = await new Promise<'rearm' | 'activity' | 'close'>((resolve) => {
    const all = h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => resolve('activity') },
      'See all security activity',
    );
    ctx.view.show(
      new Screen({
        title: realm && !activity ? 'Wrong recovery attempts' : 'Security notice',
        body: [...body, all],
        submitLabel: realm ? 'Re-arm recovery' : 'OK',
        cancelLabel: realm ? 'Later' : 'Close',
        initialFocus: 'heading',
        onSubmit: () => resolve(realm ? 'rearm' : 'close'),
        onCancel: () => resolve('close'),
      }),
    );
  });
  try {
    if (choice === 'rearm' && realm) await rearmFlow(ctx, realm.text);
    if (choice === 'activity') await activityFlow(ctx);
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
