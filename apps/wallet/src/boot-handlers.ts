/**
 * @module boot-handlers — the methods the wallet serves from its first screen: `connect`
 * and `lock` here, the user flows (create, sign, manage) from wallet.ts, which is loaded
 * by `import()` on the first call that needs it (or while the browser is idle after
 * `connect`). So `enable()` for an existing wallet loads no key, share, realm, CBOR or
 * word-list code (issue 13, item 3).
 */
import type { Handlers } from '@trine/protocol/endpoint';
import { ProtocolError } from '@trine/protocol/errors';
import type { WalletMethods } from '@trine/protocol/methods';
import type { Ctx } from './context.ts';
import { loadWallet, verifiedWalletInfo } from './wallet-state.ts';

type FlowHandlers = Omit<Handlers<WalletMethods>, 'connect' | 'lock'>;

/** The boot handlers; `loadFlows` makes the flow handlers (once). */
export function createBootHandlers(
  ctx: Ctx,
  loadFlows: () => Promise<FlowHandlers>,
): Handlers<WalletMethods> {
  let flows: Promise<FlowHandlers> | undefined;
  const getFlows = () => {
    flows ??= loadFlows();
    flows.catch(() => {
      flows = undefined;
    });
    return flows;
  };
  /** The same mapping the flows use (errors.ts), loaded only when connect fails. */
  const hostError = async (e: unknown) => (await import('./errors.ts')).toHostError(e);
  return {
    connect: async ({ network }) => {
      try {
        if (!ctx.app.networks.includes(network)) {
          throw new ProtocolError('invalid_params', `this app does not use ${network}`);
        }
        ctx.network = network;
        const state = await loadWallet(ctx);
        // The flows are needed for any next call: fetch them when the browser is idle.
        idle(() => void getFlows().catch(() => undefined));
        if (!state) return { state: 'none' as const };
        if (state.meta.network !== network) {
          throw new ProtocolError(
            'network_mismatch',
            `the user's wallet is on ${state.meta.network}, not ${network}`,
          );
        }
        // Addresses only when derived on this device (wallet-state.ts verifiedWalletInfo).
        const wallet = verifiedWalletInfo(state);
        if (!wallet) return { state: 'unverified' as const };
        const unlocked =
          state.device && ctx.session.active(state.meta.walletId, state.device.epoch);
        return { state: unlocked ? ('unlocked' as const) : ('locked' as const), wallet };
      } catch (e) {
        throw await hostError(e);
      }
    },
    createWallet: async (params) =>
      (await getFlowsOrFail(getFlows, hostError)).createWallet(params),
    signTx: async (params) => (await getFlowsOrFail(getFlows, hostError)).signTx(params),
    signData: async (params) => (await getFlowsOrFail(getFlows, hostError)).signData(params),
    manage: async (params) => (await getFlowsOrFail(getFlows, hostError)).manage(params),
    lock: async () => {
      ctx.session.clear();
      return {};
    },
  };
}

async function getFlowsOrFail(
  getFlows: () => Promise<FlowHandlers>,
  hostError: (e: unknown) => Promise<ProtocolError>,
): Promise<FlowHandlers> {
  try {
    return await getFlows();
  } catch {
    throw await hostError(new Error('the wallet could not load its code'));
  }
}

function idle(fn: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 2000 });
  else setTimeout(fn, 50);
}
