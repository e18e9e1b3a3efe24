/**
 * @module wallet-state — the wallet as the vault and this device know it, and the
 * WalletInfo the host receives: all that `connect` needs, kept apart from context.ts so
 * the first screen loads no key, share or realm code (context.ts re-exports it).
 */
import { addressHex } from '@trine/protocol/bech32';
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
 * The WalletInfo the host receives. Addresses come from this device's record (derived
 * from the key here) when there is one; the vault's copy is used only on a device that
 * has not unlocked the wallet yet, and must agree with the local one.
 */
export function walletInfo(state: WalletState): WalletInfo {
  const { meta, device } = state;
  const addresses = device?.addresses ?? meta.addresses;
  if (
    device &&
    (device.addresses.base !== meta.addresses.base ||
      device.addresses.reward !== meta.addresses.reward ||
      device.keyId !== meta.keyId)
  ) {
    throw new Error('the vault and this device disagree about the wallet');
  }
  return {
    walletId: meta.walletId,
    network: meta.network,
    networkId: meta.network === 'mainnet' ? 1 : 0,
    addresses: {
      base: addresses.base,
      reward: addresses.reward,
      baseHex: addressHex(addresses.base),
      rewardHex: addressHex(addresses.reward),
    },
  };
}
