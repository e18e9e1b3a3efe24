/**
 * @module flows/reshare-step — the re-share of every management flow (recovery, password
 * change, answer change, re-arm), wired to the vault, the realms, the KDF worker and the
 * device store, with progress on the screen. The ordering argument lives in reshare.ts.
 *
 * The management key is derived here from the entropy: it signs the realm registrations,
 * the vault's `PUT /shares` and both commits. A wallet the vault holds no key for (created
 * before realms: its recovery record is v1) registers it in the same PUT (migration).
 */
import { toBase64Url } from '@trine/core/bytes';
import { wipe } from '@trine/core/wipe';
import { catchUpActivity } from '../activity.ts';
import { loadCardano } from '../cardano.ts';
import {
  type AnswerHash,
  type Ctx,
  managementOf,
  mark,
  realmSetup,
  sealRecovery,
  type WalletState,
} from '../context.ts';
import { RealmError } from '../realm-client.ts';
import { commitRealms } from '../realms.ts';
import { reshare } from '../reshare.ts';
import type { Screen } from '../ui/screen.ts';

const STEP_TEXT = {
  split: 'Splitting your key into new shares…',
  seal: 'Locking the new shares with your password and answer, and registering them with the recovery services (this takes a moment)…',
  vault: 'Saving to the wallet service…',
  device: 'Saving on this device…',
  commit: 'Retiring the old shares…',
  done: 'Done.',
} as const;

/**
 * Re-shares `entropy` (not wiped here) from `currentEpoch` to the next epoch. `legacy`:
 * the current recovery record is v1 (no management key at the vault yet).
 * `secrets.answerHash`: the answer's hash under a fresh salt, already started
 * (context.ts prepareAnswerHash; taken here, wiped by sealRecovery).
 */
export async function reshareWith(
  ctx: Ctx,
  state: WalletState,
  entropy: Uint8Array,
  currentEpoch: number,
  secrets: {
    password: string;
    answer: string;
    question: string;
    answerHash?: Promise<AnswerHash> | undefined;
  },
  screen?: Screen,
  legacy = false,
): Promise<number> {
  const { meta } = state;
  const cardano = await loadCardano();
  const info = cardano.deriveWallet(entropy, meta.network);
  mark('reshare:derived');
  ctx.session.clear();
  const management = managementOf(entropy, meta.walletId);
  try {
    const setup = await realmSetup(ctx, meta.walletId);
    if (!setup && !legacy) {
      // The record is v2 but the app config lists no realms now: never downgrade to an
      // answer-only (offline-guessable) v1 record.
      throw new RealmError(
        '-',
        0,
        'realms_missing',
        'the app lists no recovery services; the recovery record is not weakened',
      );
    }
    const epoch = await reshare(
      {
        sealDevice: (env, password) =>
          ctx.kdf.seal(env, password).finally(() => mark('reshare:device-sealed')),
        sealRecovery: (env, answer, epoch) =>
          sealRecovery(ctx, env, answer, epoch, management, true, undefined, secrets.answerHash),
        putShares: (body) => ctx.vault.putShares(body, management.signer),
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
        commit: async (epoch) => {
          if (setup) await commitRealms(setup, epoch, management.signer);
          await ctx.vault.commit(epoch, management.signer);
        },
        step: (s) => {
          mark(`reshare:${s}`);
          screen?.progress(STEP_TEXT[s]);
        },
      },
      {
        entropy,
        walletId: meta.walletId,
        keyId: meta.keyId,
        currentEpoch,
        password: secrets.password,
        answer: secrets.answer,
        question: secrets.question,
        ...(legacy ? { registerManagementKey: toBase64Url(management.key.publicKey) } : {}),
      },
    );
    // The new registration reset every realm's counter: nothing left to warn about (a
    // status check still running from the unlock read the old counters: drop it too).
    // The unlock's new-activity notice stays (what it found predates this re-share), and
    // the events this re-share wrote count as seen (activity.ts), unless unseen events
    // older than it are there (another device's recovery): then all stay new.
    await ctx.securityCheck;
    mark('reshare:security-checked');
    ctx.securityCheck = undefined;
    ctx.realmNotice = undefined;
    await catchUpActivity(ctx, meta.walletId, currentEpoch);
    return epoch;
  } finally {
    wipe(management.key.secretKey);
  }
}
