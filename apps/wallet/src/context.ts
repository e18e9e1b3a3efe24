/**
 * @module context — what every flow shares: the app, the host link, the vault, the
 * realms, the device store, the KDF worker, the unlock session and the view; plus the
 * helpers that read the wallet's state, rebuild its key from two shares, seal a recovery
 * share for the realm scheme and check the realms' counters after a password unlock.
 */
import { toBase64Url } from '@trine/core/bytes';
import type { ShareEnvelope } from '@trine/core/envelope';
import { deriveManagementKey, type ManagementKey } from '@trine/core/management-key';
import type { SealStage } from '@trine/core/seal';
import { sealShareV2 } from '@trine/core/seal-v2';
import type { KdfParams, SealedRecord } from '@trine/core/sealed-record';
import { wipe } from '@trine/core/wipe';
import type { Network, OutRef, ResolvedInput, WalletInfo } from '@trine/protocol/methods';
import { type ActivityNotice, noteActivity, readActivity } from './activity.ts';
import { loadCardano } from './cardano.ts';
import type { DeviceRecord, DeviceStore } from './device-store.ts';
import { StaleDeviceError, UserCancelled } from './errors.ts';
import type { Kdf } from './kdf-client.ts';
import { type RealmClient, type Signer, tokenIdentity } from './realm-client.ts';
import { type RealmSetup, type RealmStatus, realmStatus, registerAtRealms } from './realms.ts';
import { reconstruct } from './reconstruct.ts';
import type { UnlockSession } from './session.ts';
import type { Screen, View } from './ui/screen.ts';
import type { AppConfig, VaultClient } from './vault-client.ts';
import type { WalletState } from './wallet-state.ts';

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
  /** The app's recovery realms (docs/realms.md); the app config lists them. */
  realms: RealmClient;
  /** The user's JWT (for its iss/sub: the POPRF info binds them). */
  getToken(): Promise<string>;
  /** Set after a password unlock when the realms counted wrong attempts (see noteRealmStatus). */
  realmNotice?: RealmNotice | undefined;
  /** Set after a password unlock when security events are new since the last visit (activity.ts). */
  activityNotice?: ActivityNotice | undefined;
  /**
   * The checks started by the last password unlock — the realms' counters and the vault's
   * new security events (settles, never rejects).
   */
  securityCheck?: Promise<void> | undefined;
  store: DeviceStore;
  kdf: Kdf;
  session: UnlockSession;
  view: View;
  host: HostLink;
}

export {
  loadWallet,
  verifiedWalletInfo,
  type WalletState,
  walletInfo,
} from './wallet-state.ts';

/** The device record if it is current; throws StaleDeviceError when missing or old. */
export function currentDevice(state: WalletState): DeviceRecord {
  const d = state.device;
  if (!d) throw new StaleDeviceError(true);
  if (d.epoch < state.meta.epoch) throw new StaleDeviceError(false);
  return d;
}

/** The progress text for a KDF stage while opening with a password or an answer. */
export function kdfText(stage: SealStage, what: 'password' | 'answer'): string {
  if (stage === 'kdf') return `Checking your ${what} (this takes a moment)…`;
  if (stage === 'encrypt') return 'Decrypting your key share…';
  return 'Key share unlocked.';
}

/**
 * Password → device share (worker) → auth share (vault) → combined, key-checked entropy.
 * The auth-share read, the CSL load and the realms' status read run while the worker
 * stretches the password (each takes less than Argon2id), so the click waits for the
 * KDF alone; what they return is used only once the password opened the device share (a
 * typo costs one audited read of a share that is useless without the device share). The
 * caller wipes the result.
 */
export async function unlockWithPassword(
  ctx: Ctx,
  state: WalletState,
  password: string,
  screen?: Pick<Screen, 'progress'>,
): Promise<Uint8Array> {
  const device = currentDevice(state);
  mark('unlock');
  const cardano = loadCardano();
  const opening = ctx.kdf.open(device.sealed, password, (s) =>
    screen?.progress(kdfText(s, 'password')),
  );
  const auth = ctx.vault.getAuthShare();
  // docs/realms.md: after a password unlock, look at the realms' counters, and at the
  // vault's security events (issue 8: "a notice after unlock when something new
  // happened"). No secret needed, JWT only. Read now, applied only after the unlock.
  const notice = realmNoticeOf(ctx, state).catch(() => null);
  const events = readActivity(ctx);
  events.catch(() => undefined);
  auth.catch(() => undefined);
  cardano.catch(() => undefined);
  const deviceShare = await opening;
  mark('device-share');
  screen?.progress('Fetching the wallet service’s share…');
  const { epoch, authShare } = await auth;
  mark('auth-share');
  if (epoch > device.epoch) throw new StaleDeviceError(false);
  const entropy = await combine(
    ctx,
    [deviceShare, authShare],
    device.walletId,
    device.keyId,
    device.epoch,
    await cardano,
    screen,
  );
  mark('combined');
  // Both checks were read during the KDF and are applied only now, the password being
  // right; in the background: signing must not wait for them.
  ctx.securityCheck = Promise.all([
    notice.then((n) => {
      if (n !== null) ctx.realmNotice = n;
    }),
    noteActivity(ctx, state.meta.walletId, events).catch(() => undefined),
  ]).then(() => undefined);
  return entropy;
}

/**
 * A User Timing mark `trine:<step>` (a name and a time, nothing else): bench/wallet.bench.ts
 * reads them to say where an unlock's time goes.
 */
export function mark(step: string): void {
  try {
    performance.mark(`trine:${step}`);
  } catch {
    // no User Timing: nothing to record
  }
}

/** The notice shown after a password unlock when someone guessed at the answer. */
export interface RealmNotice {
  walletId: string;
  status: RealmStatus;
  /** The text: "3 wrong recovery attempts since …". */
  text: string;
}

/**
 * Reads every realm's registration (best effort). When a realm counted wrong attempts
 * since its last reset (or a wrong attempt is newer than this device's last re-share),
 * sets `ctx.realmNotice` for the UI (the "Re-arm recovery" offer).
 */
export async function noteRealmStatus(ctx: Ctx, state: WalletState): Promise<void> {
  const notice = await realmNoticeOf(ctx, state);
  if (notice !== null) ctx.realmNotice = notice;
}

/**
 * What noteRealmStatus would set: the notice, `undefined` (nothing to say: clear it) or
 * null (an app without realms: leave it).
 */
async function realmNoticeOf(
  ctx: Ctx,
  state: WalletState,
): Promise<RealmNotice | undefined | null> {
  const setup = await realmSetup(ctx, state.meta.walletId);
  if (!setup) return null;
  const status = await realmStatus(setup);
  const lastVisit = state.device?.updatedAt ?? 0;
  const newer = status.lastWrongAt !== null && Date.parse(status.lastWrongAt) > lastVisit;
  if (status.wrongAttempts === 0 && !newer && status.locked.length === 0) return undefined;
  return {
    walletId: state.meta.walletId,
    status,
    text: realmNoticeText(status, lastVisit),
  };
}

/** "3 wrong recovery attempts since 1 Dec 2026, 21:04" (plain, no host text). */
export function realmNoticeText(status: RealmStatus, since: number): string {
  const n = Math.max(status.wrongAttempts, status.lastWrongAt ? 1 : 0);
  const when = since > 0 ? new Date(since).toLocaleString() : 'this wallet was last secured';
  const attempts = `${n} wrong recovery attempt${n === 1 ? '' : 's'} since ${when}`;
  const locked = status.locked.length
    ? ` Recovery with your answer is now locked at ${status.locked.length} of the recovery services.`
    : '';
  return `${attempts}.${locked} Someone may be guessing your security answer. Re-arm recovery to reset the counters (and consider changing the question).`;
}

/** The realm setup of this app and user, or null when the app has no realms (legacy). */
export async function realmSetup(ctx: Ctx, walletId: string): Promise<RealmSetup | null> {
  if (ctx.app.realms.length === 0) return null;
  const { iss, sub } = tokenIdentity(await ctx.getToken());
  return {
    client: ctx.realms,
    realms: ctx.app.realms,
    threshold: ctx.app.realmThreshold,
    identity: { appId: ctx.appId, iss, sub, walletId },
  };
}

/** The management key and signer of a wallet (docs/realms.md). The caller wipes `key.secretKey`. */
export function managementOf(
  entropy: Uint8Array,
  walletId: string,
): { key: ManagementKey; signer: Signer } {
  const key = deriveManagementKey(entropy, walletId);
  return { key, signer: { walletId, secretKey: key.secretKey } };
}

/** h = Argon2id(answer) under a fresh salt, computed ahead of the re-share that uses it. */
export interface AnswerHash {
  h: Uint8Array;
  salt: Uint8Array;
  params: KdfParams;
}

/**
 * A recovery share's answer hash started now, under a **fresh** random salt, for the
 * re-share that follows (recovery: started when the new-password screen opens, so the
 * click on "Save and finish" waits for one Argon2id — the password's — instead of two on
 * two shared cores). `take()` hands the pending hash over once: the taker owns it then
 * (sealRecovery wipes what it used; a taker that never gets there wipes it with
 * `wipeAnswerHash`), and a retry after a failure hashes anew. `discard()` wipes it when
 * it was not taken (cancel, a changed answer).
 *
 * Why not reuse the h that just opened the old record (same answer, same salt, no KDF at
 * all): a realm's POPRF output depends on h only, not on the epoch, and every new
 * registration resets the realm's guess counter. With the old salt kept, the outputs an
 * attacker collected with counted guesses before the reset (and the masked share of the
 * new epoch, released by one more counted guess) would test those guesses against the
 * new record too: the guess limit would stop counting across re-shares. A fresh salt
 * makes every earlier evaluation useless (docs/realms.md, "Create"), so h is new.
 *
 * Holding h in memory while the user types is no new exposure: the wallet's entropy is
 * held on that screen already (it is what is re-shared), and h is worth less than it.
 */
export function prepareAnswerHash(
  ctx: Ctx,
  answer: string,
): { take(): Promise<AnswerHash> | undefined; discard(): void; settled: Promise<void> } {
  const hashed = (async () => {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const params = { ...ctx.kdf.params };
    return { h: await ctx.kdf.hash(answer, salt, params), salt, params };
  })();
  hashed.catch(() => undefined); // a failure surfaces where it is taken (or not at all)
  let taken = false;
  return {
    settled: hashed.then(
      () => undefined,
      () => undefined,
    ),
    take() {
      if (taken) return undefined;
      taken = true;
      return hashed;
    },
    discard() {
      if (taken) return; // the taker may be using it: it wipes it
      taken = true;
      wipeAnswerHash(hashed);
    },
  };
}

/** Wipes a pending answer hash once it is there (no-op for undefined or a failed one). */
export function wipeAnswerHash(hash: Promise<AnswerHash> | undefined): void {
  hash?.then((x) => wipe(x.h)).catch(() => undefined);
}

/**
 * The recovery record of `epoch`: with realms, h = Argon2id(answer) under a fresh salt (in
 * the worker; or `prepared`, computed ahead under its own fresh salt by
 * prepareAnswerHash), the epoch registered at every realm (signed with `signer` where a
 * realm already holds a registration), then a v2 seal under h ‖ U; without realms, a v1
 * seal under the answer (an app not yet configured with realms).
 */
export async function sealRecovery(
  ctx: Ctx,
  envelope: ShareEnvelope,
  answer: string,
  epoch: number,
  management: { key: ManagementKey; signer: Signer },
  reuseSigner: boolean,
  onProgress?: (stage: SealStage) => void,
  prepared?: Promise<AnswerHash>,
): Promise<SealedRecord> {
  const setup = await realmSetup(ctx, management.signer.walletId);
  if (!setup) {
    prepared?.then((x) => wipe(x.h)).catch(() => undefined);
    return ctx.kdf.seal(envelope, answer, onProgress);
  }
  let salt: Uint8Array;
  let params: KdfParams;
  let h: Uint8Array;
  if (prepared) {
    ({ h, salt, params } = await prepared);
  } else {
    salt = crypto.getRandomValues(new Uint8Array(16));
    params = ctx.kdf.params;
    h = await ctx.kdf.hash(answer, salt, params, onProgress);
  }
  mark('seal-recovery:h');
  let unlockKey: Uint8Array | undefined;
  try {
    unlockKey = await registerAtRealms(
      setup,
      h,
      epoch,
      management.key.publicKey,
      reuseSigner ? management.signer : undefined,
    );
    mark('seal-recovery:registered');
    return sealShareV2(envelope, {
      h,
      unlockKey,
      kdf: { name: 'argon2id', ...params, salt: toBase64Url(salt) },
      realms: { threshold: setup.threshold, ids: setup.realms.map((r) => r.id), epoch },
    });
  } finally {
    wipe(h, unlockKey);
  }
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
