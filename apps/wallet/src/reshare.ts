/**
 * @module reshare — moving a wallet to a new epoch (recovery, password change, answer
 * change) without ever losing it (DESIGN.md §2.8).
 *
 * Order, and why it is safe at every instant (n = the current epoch):
 *
 * 1. split the entropy into three new shares of epoch n+1 and seal the device share
 *    (password) and the recovery share (answer) — nothing stored yet: a crash here
 *    leaves epoch n untouched (device n + auth n + recovery n).
 * 2. `PUT /shares {expectedEpoch: n, epoch: n+1, authShare, recovery}` — the vault swaps
 *    auth and recovery together, atomically, only if it is still at n (409 otherwise:
 *    another device re-shared first; we store nothing and the user retries from fresh
 *    state). Before it commits: epoch n is whole. After it commits: auth n+1 + recovery
 *    n+1 (sealed under an answer the user knows — unchanged, or just typed twice) are two
 *    reachable shares of one epoch, even though the device still holds share n.
 * 3. only then write the device share n+1 over the old one (one IndexedDB transaction,
 *    so the store holds the old or the new record, never neither). A crash before it
 *    leaves a stale device share, which the wallet detects (epoch < vault epoch) and
 *    answers by offering recovery with the answer.
 *
 * With recovery realms (docs/realms.md "Re-share") two steps join:
 *
 * 1b. register epoch n+1 at every realm (signed with the management key) and seal the
 *     recovery share as a v2 record under h ‖ U — before the vault PUT. The realms keep
 *     epoch n until commit, so a crash here leaves epoch n whole at the vault *and* the
 *     realms (the v2 recovery record n still opens through the realms' epoch n).
 * 4.  after the device write, `commit` at the realms then at the vault: they drop epoch n
 *     (the vault keeps the previous epoch's records until then, so a crash between 2 and
 *     3 leaves device n + the vault's kept auth n: two shares of one epoch). A commit that
 *     fails is harmless (the old epoch stays kept) and is not an error of the re-share.
 *
 * A PUT that fails without an answer (network error, 5xx) may or may not have committed:
 * we read the auth share back and compare it with ours, byte for byte, to decide.
 */
import { encodeEnvelope, type ShareEnvelope } from '@trine/core/envelope';
import type { SealedRecord } from '@trine/core/sealed-record';
import { splitSecret } from '@trine/core/shamir';
import { isAmbiguous, type PutSharesBody, VaultError } from './vault-client.ts';

export interface ReshareDeps {
  /** Seals the device share under the password (KDF worker). */
  sealDevice(envelope: ShareEnvelope, password: string): Promise<SealedRecord>;
  /**
   * Makes the recovery record of `epoch`: with realms, registers the epoch at every realm
   * and seals v2 (h ‖ U); without (an app with no realms), seals v1 under the answer.
   */
  sealRecovery(envelope: ShareEnvelope, answer: string, epoch: number): Promise<SealedRecord>;
  /** The signed compare-and-swap `PUT …/wallet/shares`. */
  putShares(body: PutSharesBody): Promise<void>;
  getAuthShare(): Promise<{ epoch: number; authShare: ShareEnvelope }>;
  storeDevice(sealed: SealedRecord, epoch: number): Promise<void>;
  /** Realm commits, then the vault's (signed). Failures are swallowed by reshare. */
  commit?(epoch: number): Promise<void>;
  /** Progress for the UI. */
  step?(step: ReshareStep): void;
}

export type ReshareStep = 'split' | 'seal' | 'vault' | 'device' | 'commit' | 'done';

export interface ReshareInput {
  /** The wallet's entropy (not modified, not wiped: the caller owns it). */
  entropy: Uint8Array;
  walletId: string;
  keyId: string;
  /** The epoch the vault is at now (the one the shares were combined from). */
  currentEpoch: number;
  /** The password the new device share is sealed under. */
  password: string;
  /** The answer the new recovery share is sealed under. */
  answer: string;
  /** The recovery question stored beside it. */
  question: string;
  /**
   * base64url management public key, sent only to migrate a wallet the vault holds no key
   * for (created before realms): docs/realms.md "Migration".
   */
  registerManagementKey?: string;
}

/** Why a re-share stopped. `stale`: the vault moved on (409); nothing was changed. */
export class ReshareError extends Error {
  override readonly name = 'ReshareError';
  readonly reason: 'stale' | 'device_store_failed';
  constructor(
    reason: 'stale' | 'device_store_failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * Re-shares to `currentEpoch + 1`. Resolves with the new epoch once the vault and the
 * device both hold it. Throws ReshareError('stale') on 409, ReshareError
 * ('device_store_failed') when the vault committed but this device could not save
 * (the wallet stays recoverable with the answer), or the vault's error otherwise.
 */
export async function reshare(deps: ReshareDeps, input: ReshareInput): Promise<number> {
  const epoch = input.currentEpoch + 1;
  deps.step?.('split');
  const shares = await splitSecret(input.entropy, {
    walletId: input.walletId,
    keyId: input.keyId,
    epoch,
  });
  deps.step?.('seal');
  const [device, recovery] = await Promise.all([
    deps.sealDevice(shares.device, input.password),
    deps.sealRecovery(shares.recovery, input.answer, epoch),
  ]);
  deps.step?.('vault');
  const body: PutSharesBody = {
    expectedEpoch: input.currentEpoch,
    epoch,
    authShare: shares.auth,
    recovery: { question: input.question, sealed: recovery },
  };
  if (input.registerManagementKey) body.managementKey = input.registerManagementKey;
  try {
    await deps.putShares(body);
  } catch (e) {
    if (e instanceof VaultError && e.status === 409) {
      throw new ReshareError(
        'stale',
        'the wallet was changed from another device in the meantime; nothing was changed here — please start again',
        { cause: e },
      );
    }
    if (!isAmbiguous(e) || !(await committed(deps, shares.auth, epoch))) throw e;
  }
  deps.step?.('device');
  try {
    await deps.storeDevice(device, epoch);
  } catch (e) {
    throw new ReshareError(
      'device_store_failed',
      'the vault holds the new shares but this device could not save its own; your wallet is safe — recover it with your security answer next time',
      { cause: e },
    );
  }
  if (deps.commit) {
    deps.step?.('commit');
    try {
      await deps.commit(epoch);
    } catch {
      // Harmless: the vault and the realms keep epoch n beside n+1 until a later commit.
    }
  }
  deps.step?.('done');
  return epoch;
}

/** After an ambiguous failure: did our PUT commit? (our auth share is the vault's now) */
async function committed(deps: ReshareDeps, ours: ShareEnvelope, epoch: number): Promise<boolean> {
  try {
    const now = await deps.getAuthShare();
    return now.epoch === epoch && encodeEnvelope(now.authShare) === encodeEnvelope(ours);
  } catch {
    return false;
  }
}
