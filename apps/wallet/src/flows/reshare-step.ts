/**
 * @module flows/reshare-step — the re-share of every management flow, wired to the
 * vault, the KDF worker and the device store, with progress on the screen. The ordering
 * argument lives in reshare.ts.
 */
import { loadCardano } from '../cardano.ts';
import type { Ctx, WalletState } from '../context.ts';
import { reshare } from '../reshare.ts';
import type { Screen } from '../ui/screen.ts';

const STEP_TEXT = {
  split: 'Splitting your key into new shares…',
  seal: 'Locking the new shares with your password and answer (this takes a moment)…',
  vault: 'Saving to the wallet service…',
  device: 'Saving on this device…',
  done: 'Done.',
} as const;

/** Re-shares `entropy` (not wiped here) from `currentEpoch` to the next epoch. */
export async function reshareWith(
  ctx: Ctx,
  state: WalletState,
  entropy: Uint8Array,
  currentEpoch: number,
  secrets: { password: string; answer: string; question: string },
  screen?: Screen,
): Promise<number> {
  const { meta } = state;
  const cardano = await loadCardano();
  const info = cardano.deriveWallet(entropy, meta.network);
  ctx.session.clear();
  return reshare(
    {
      seal: (env, secret) => ctx.kdf.seal(env, secret),
      putShares: (body) => ctx.vault.putShares(body),
      getAuthShare: () => ctx.vault.getAuthShare(),
      storeDevice: (sealed, epoch) =>
        ctx.store.put({
          appId: ctx.appId,
          walletId: meta.walletId,
          epoch,
          keyId: meta.keyId,
          network: meta.network,
          addresses: { base: info.baseAddress, reward: info.rewardAddress },
          sealed,
          updatedAt: Date.now(),
        }),
      step: (s) => screen?.progress(STEP_TEXT[s]),
    },
    {
      entropy,
      walletId: meta.walletId,
      keyId: meta.keyId,
      currentEpoch,
      password: secrets.password,
      answer: secrets.answer,
      question: secrets.question,
    },
  );
}
