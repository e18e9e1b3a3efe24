/**
 * @module context — what every flow shares: the app, the host link, the vault, the
 * device store, the KDF worker, the unlock session and the view; plus the helpers that
 * read the wallet's state and rebuild its key from two shares.
 */
import type { ShareEnvelope } from '@trine/core/envelope';
import type { SealStage } from '@trine/core/seal';
import { addressHex } from '@trine/protocol/bech32';
import type { Network, OutRef, ResolvedInput, WalletInfo } from '@trine/protocol/methods';
import { loadCardano } from './cardano.ts';
import type { DeviceRecord, DeviceStore } from './device-store.ts';
import { StaleDeviceError, UserCancelled } from './errors.ts';
import type { Kdf } from './kdf-client.ts';
import { reconstruct } from './reconstruct.ts';
import type { UnlockSession } from './session.ts';
import type { Screen, View } from './ui/screen.ts';
import type { AppConfig, VaultClient, WalletMeta } from './vault-client.ts';

/** What the wallet asks of the host (DESIGN.md §6). */
export interface HostLink {
  ui(visible: boolean): Promise<void>;
  resolveInputs(inputs: OutRef[]): Promise<ResolvedInput[]>;
  walletChanged(wallet: WalletInfo | null): Promise<void>;
}

export interface Ctx {
  appId: string;
  app: AppConfig;
  /** The host page's origin, pinned at the handshake. */
  hostOrigin: string;
  /** The network the host connected with. */
  network: Network;
  vault: VaultClient;
  store: DeviceStore;
  kdf: Kdf;
  session: UnlockSession;
  view: View;
  host: HostLink;
}

/** The wallet as the vault and this device know it. */
export interface WalletState {
  meta: WalletMeta;
  /** The device share record, when this browser has one (possibly stale). */
  device: DeviceRecord | undefined;
}

/** Reads the wallet's metadata and this device's record; null when there is no wallet. */
export async function loadWallet(ctx: Ctx): Promise<WalletState | null> {
  const meta = await ctx.vault.getWallet();
  if (!meta) return null;
  const device = await ctx.store.get(ctx.appId, meta.walletId);
  return { meta, device };
}

/** The device record if it is current; throws StaleDeviceError when missing or old. */
export function currentDevice(state: WalletState): DeviceRecord {
  const d = state.device;
  if (!d) throw new StaleDeviceError(true);
  if (d.epoch < state.meta.epoch) throw new StaleDeviceError(false);
  return d;
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

/** The progress text for a KDF stage while opening with a password or an answer. */
export function kdfText(stage: SealStage, what: 'password' | 'answer'): string {
  if (stage === 'kdf') return `Checking your ${what} (this takes a moment)…`;
  if (stage === 'encrypt') return 'Decrypting your key share…';
  return 'Key share unlocked.';
}

/**
 * Password → device share (worker) → auth share (vault) → combined, key-checked entropy.
 * The auth share is fetched only after the password opened the device share, so a typo
 * costs no vault request. The caller wipes the result.
 */
export async function unlockWithPassword(
  ctx: Ctx,
  state: WalletState,
  password: string,
  screen?: Pick<Screen, 'progress'>,
): Promise<Uint8Array> {
  const device = currentDevice(state);
  const cardano = loadCardano();
  const deviceShare = await ctx.kdf.open(device.sealed, password, (s) =>
    screen?.progress(kdfText(s, 'password')),
  );
  screen?.progress('Fetching the wallet service’s share…');
  const auth = await ctx.vault.getAuthShare();
  if (auth.epoch > device.epoch) throw new StaleDeviceError(false);
  return combine(
    ctx,
    [deviceShare, auth.authShare],
    device.walletId,
    device.keyId,
    device.epoch,
    await cardano,
    screen,
  );
}

/** Combines two shares and checks the key id (DESIGN.md §2.5). */
export async function combine(
  _ctx: Ctx,
  shares: ShareEnvelope[],
  walletId: string,
  keyId: string,
  epoch: number,
  cardano: Awaited<ReturnType<typeof loadCardano>>,
  screen?: Pick<Screen, 'progress'>,
): Promise<Uint8Array> {
  screen?.progress('Rebuilding your key…');
  return reconstruct(shares, { walletId, keyId, epoch }, cardano.keyIdFromEntropy);
}

/**
 * Shows `build`'s screen and resolves when the flow calls `done`, rejects when it calls
 * `fail` (Escape / Cancel → UserCancelled).
 */
export function interact<T>(
  view: View,
  build: (done: (value: T) => void, fail: (e: unknown) => void) => Screen,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    view.show(build(resolve, reject));
  });
}

export const cancelled = () => new UserCancelled();
