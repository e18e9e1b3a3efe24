/**
 * @module wallet-state — the wallet as the vault and this device know it, and the
 * WalletInfo the host receives: all that `connect` needs, kept apart from context.ts so
 * the first screen loads no key, share or realm code (context.ts re-exports it).
 */
import { addressHex } from '@trine/protocol/bech32';
import { ProtocolError } from '@trine/protocol/errors';
import type { WalletInfo } from '@trine/protocol/methods';
import type { Ctx } from './context.ts';
import type { DeviceRecord } from './device-store.ts';
import type { WalletMeta } from './vault-client.ts';

/** The wallet as the vault and this device know it. */
export interface WalletState {
  meta: WalletMeta;
  /** The device share record, when this browser has one (possibly stale). */
  device: DeviceRecord | undefined;
}

/** Reads the wallet's metadata and this device's record; null when there is no wallet. */
export async function loadWallet(
  ctx: Pick<Ctx, 'vault' | 'store' | 'appId'>,
): Promise<WalletState | null> {
  const meta = await ctx.vault.getWallet();
  if (!meta) return null;
  const device = await ctx.store.get(ctx.appId, meta.walletId);
  return { meta, device };
}

/**
 * The WalletInfo the host receives, or null while this device cannot vouch for it. The
 * addresses come only from this device's record, derived from the key rebuilt here at
 * creation or recovery (a stale record still holds the same key's addresses): the vault's
 * copy is never handed on (a vault operator could list its own address there). Without a
 * record the host is told `unverified` (boot-handlers.ts `connect`) until the user
 * recovers here.
 */
export function verifiedWalletInfo(state: WalletState): WalletInfo | null {
  const { meta, device } = state;
  if (!device) return null;
  if (device.keyId !== meta.keyId || device.network !== meta.network) {
    throw new Error('the vault and this device disagree about the wallet');
  }
  return {
    walletId: meta.walletId,
    network: device.network,
    networkId: device.network === 'mainnet' ? 1 : 0,
    addresses: {
      base: device.addresses.base,
      reward: device.addresses.reward,
      baseHex: addressHex(device.addresses.base),
      rewardHex: addressHex(device.addresses.reward),
    },
  };
}

/**
 * verifiedWalletInfo for the calls that need the wallet's addresses (signTx, signData):
 * without a device record they are refused with `account_changed` (the host's API object
 * predates a change on this device; `enable()` again runs the recovery first).
 */
export function walletInfo(state: WalletState): WalletInfo {
  const info = verifiedWalletInfo(state);
  if (!info) {
    throw new ProtocolError(
      'account_changed',
      'this device has not opened the wallet yet; call enable() again',
    );
  }
  return info;
}
