/**
 * @module realms — the wallet's use of the recovery realms (docs/realms.md "Flows"):
 * evaluate the answer hash at the realms, register a new epoch (create, re-share),
 * rebuild the unlock key U at recovery and open the v2 sealed record, unlock (reset the
 * counters) and commit. The crypto is @trine/core/realm-crypto; the HTTP is realm-client.
 *
 * Every intermediate secret (x, blinds, realm outputs, candidate unlock keys) is wiped here;
 * `h` and the returned U belong to the caller, who wipes them.
 */
import { fromBase64Url } from '@trine/core/bytes';
import type { ShareEnvelope } from '@trine/core/envelope';
import { isTrineError } from '@trine/core/errors';
import {
  blindRequest,
  createRegistration,
  finalizeEvaluation,
  oprfInput,
  type RealmIdentity,
  realmInfo,
  unlockKeyCandidates,
  unlockTag,
} from '@trine/core/realm-crypto';
import { openShareV2 } from '@trine/core/seal-v2';
import type { SealedRecordV2 } from '@trine/core/sealed-record';
import { wipe } from '@trine/core/wipe';
import {
  atRealms,
  type RealmClient,
  type RealmConfig,
  RealmError,
  RealmQuorumError,
  type RegistrationInfo,
  type Signer,
} from './realm-client.ts';

/** What the realm steps need: the client, the app's realms and t, and who the user is. */
export interface RealmSetup {
  client: RealmClient;
  realms: readonly RealmConfig[];
  threshold: number;
  identity: RealmIdentity;
}

/** The answer was wrong (the AEAD refused every candidate U). */
export class WrongAnswerError extends Error {
  override readonly name = 'WrongAnswerError';
  readonly code = 'answer_wrong';
  /** Attempts left before lockout: the least over the realms that counted this one. */
  readonly remaining: number;
  constructor(remaining: number) {
    super(`the answer does not match (${remaining} attempts left)`);
    this.remaining = remaining;
  }
}

/** Too many realms are locked (or down) to recover with the answer. */
export class RecoveryLockedError extends Error {
  override readonly name = 'RecoveryLockedError';
  readonly code = 'recovery_locked';
  readonly locked: string[];
  readonly unavailable: string[];
  readonly needed: number;
  constructor(needed: number, locked: string[], unavailable: string[]) {
    super(`recovery with the answer is locked at ${locked.length} realm(s); ${needed} must answer`);
    this.needed = needed;
    this.locked = locked;
    this.unavailable = unavailable;
  }
}

interface Evaluated {
  realm: RealmConfig;
  output: Uint8Array;
  maskedShare: Uint8Array | null;
  guesses: number;
  guessLimit: number;
}

function realmKey(realm: RealmConfig): Uint8Array {
  try {
    return fromBase64Url(realm.publicKey, 'realm public key');
  } catch {
    throw new RealmError(
      realm.id,
      0,
      'bad_config',
      `the key of recovery realm ${realm.id} is not valid`,
    );
  }
}

/** Evaluates h at `realms` in parallel (signed when `signer`: not counted); ≥ needed must answer. */
async function evaluateAt(
  setup: RealmSetup,
  realms: readonly RealmConfig[],
  h: Uint8Array,
  epoch: number,
  needed: number,
  signerFor?: (realm: RealmConfig) => Signer | undefined,
): Promise<{ answers: Evaluated[]; failures: RealmError[] }> {
  const x = oprfInput(h);
  const info = realmInfo(setup.identity);
  try {
    const settled = await atRealms(realms, needed, async (realm) => {
      const state = blindRequest(x, info, realmKey(realm));
      try {
        const ev = await setup.client.evaluate(
          realm,
          { walletId: setup.identity.walletId, epoch, blinded: state.blinded },
          signerFor?.(realm),
        );
        const output = finalizeEvaluation(x, info, state, ev.evaluated, ev.proof);
        return {
          realm,
          output,
          maskedShare: ev.maskedShare,
          guesses: ev.guesses,
          guessLimit: ev.guessLimit,
        };
      } finally {
        wipe(state.blind);
      }
    });
    return {
      answers: settled.flatMap((s) => (s.ok ? [s.value] : [])),
      failures: settled.flatMap((s) => (s.ok ? [] : [s.error])),
    };
  } finally {
    wipe(x);
  }
}

/**
 * `GET registration` at the realms; at least `needed` must answer. The map holds the
 * realms that answered (null: none held there); a realm that did not answer is absent.
 */
export async function registrations(
  setup: RealmSetup,
  needed = setup.realms.length,
): Promise<Map<string, RegistrationInfo | null>> {
  const settled = await atRealms(setup.realms, needed, (realm) =>
    setup.client.getRegistration(realm),
  );
  return new Map(settled.flatMap((s) => (s.ok ? [[s.realm.id, s.value] as const] : [])));
}

/**
 * Registers `epoch` at the app's realms (create and re-share): evaluates h (signed with
 * `signer` when given), picks a fresh U, puts each realm's masked share and tag —
 * unsigned where the realm holds no registration yet, else signed with expectedEpoch =
 * the latest epoch it holds. Nothing is committed, so a failure here leaves the previous
 * epoch whole. Returns U and the realms that did not take part.
 *
 * Create needs every realm (nothing starts with less redundancy than configured). A
 * re-share goes ahead with any t of them: one realm down must not stop a recovery on a
 * new device. A realm that misses it keeps its older registration (useless once the vault
 * commits the new epoch: the new record needs the new U) until the next re-share (re-arm)
 * brings it up to date. A realm whose registration could not be read is not
 * evaluated at all (an unsigned evaluation there would count as a guess).
 */
export async function registerAtRealms(
  setup: RealmSetup,
  h: Uint8Array,
  epoch: number,
  managementPublicKey: Uint8Array,
  signer?: Signer,
): Promise<Uint8Array> {
  return (await registerAtRealmsDetailed(setup, h, epoch, managementPublicKey, signer)).unlockKey;
}

export async function registerAtRealmsDetailed(
  setup: RealmSetup,
  h: Uint8Array,
  epoch: number,
  managementPublicKey: Uint8Array,
  signer?: Signer,
): Promise<{ unlockKey: Uint8Array; missed: string[] }> {
  const n = setup.realms.length;
  const needed = signer ? Math.max(1, setup.threshold) : n;
  const held = signer ? await registrations(setup, needed) : null;
  const candidates = held ? setup.realms.filter((r) => held.has(r.id)) : setup.realms;
  // Sign only where a key is registered (a realm with none does not count anyway).
  const { answers } = await evaluateAt(setup, candidates, h, epoch, needed, (realm) =>
    held?.get(realm.id) ? signer : undefined,
  );
  let unlockKey: Uint8Array | undefined;
  const fillers: Uint8Array[] = [];
  try {
    const byId = new Map(answers.map((a) => [a.realm.id, a.output]));
    // A realm without an answer gets a throw-away output: its share is never sent.
    const reg = await createRegistration(
      setup.realms.map((r) => {
        let output = byId.get(r.id);
        if (!output) {
          output = crypto.getRandomValues(new Uint8Array(64));
          fillers.push(output);
        }
        return { realmId: r.id, output };
      }),
      epoch,
      setup.threshold,
    );
    unlockKey = reg.unlockKey;
    const reachable = setup.realms.filter((r) => byId.has(r.id));
    const settled = await atRealms(reachable, needed, async (realm) => {
      const info = held?.get(realm.id);
      const latest = info?.epochs.length ? Math.max(...info.epochs) : null;
      if (latest !== null && !signer) {
        throw new RealmError(
          realm.id,
          0,
          'signature_needed',
          'this realm already holds a registration',
        );
      }
      const r = reg.realms[setup.realms.indexOf(realm)]!;
      await setup.client.putRegistration(
        realm,
        {
          walletId: setup.identity.walletId,
          epoch,
          maskedShare: r.maskedShare,
          unlockTag: r.unlockTag,
          managementKey: managementPublicKey,
        },
        latest !== null && signer ? { signer, expectedEpoch: latest } : null,
      );
    });
    const ok = new Set(settled.flatMap((x) => (x.ok ? [x.realm.id] : [])));
    return { unlockKey, missed: setup.realms.filter((r) => !ok.has(r.id)).map((r) => r.id) };
  } catch (e) {
    wipe(unlockKey);
    throw e;
  } finally {
    for (const a of answers) wipe(a.output);
    wipe(...fillers);
  }
}

/** What a successful recovery at the realms produced. The caller wipes `unlockKey`. */
export interface RealmRecovery {
  envelope: ShareEnvelope;
  unlockKey: Uint8Array;
  /** The realms that evaluated (to unlock: reset their counters). */
  evaluated: RealmConfig[];
}

/**
 * Recovery: evaluates h at the record's realms (all in parallel; t must answer), rebuilds
 * the candidate U's, opens the v2 record with the first that fits. A wrong answer →
 * WrongAnswerError (attempts left); too many locked/down realms → RecoveryLockedError or
 * RealmQuorumError. `signer` (when the caller already holds the secret, e.g. checking the
 * answer before a password change) makes the evaluations uncounted.
 */
export async function openWithRealms(
  setup: RealmSetup,
  record: SealedRecordV2,
  h: Uint8Array,
  signer?: Signer,
): Promise<RealmRecovery> {
  const { threshold, epoch, ids } = record.realms;
  // Only realms the app configuration pins a key for can be asked (the record names them).
  const realms = ids.flatMap((id) => setup.realms.filter((r) => r.id === id));
  let answers: Evaluated[];
  try {
    ({ answers } = await evaluateAt(setup, realms, h, epoch, threshold, () => signer));
  } catch (e) {
    if (e instanceof RealmQuorumError) {
      const locked = e.failures
        .filter((f) => f.code === 'registration_locked')
        .map((f) => f.realmId);
      const missing = ids.filter((id) => !realms.some((r) => r.id === id));
      const unavailable = [
        ...e.failures.filter((f) => f.code !== 'registration_locked').map((f) => f.realmId),
        ...missing,
      ];
      if (locked.length) throw new RecoveryLockedError(threshold, locked, unavailable);
    }
    throw e;
  }
  const withShares = answers.filter((a) => a.maskedShare !== null);
  let candidates: Uint8Array[] = [];
  try {
    try {
      candidates = await unlockKeyCandidates(
        withShares.map((a) => ({
          realmId: a.realm.id,
          output: a.output,
          maskedShare: a.maskedShare!,
        })),
        epoch,
        threshold,
      );
    } catch (e) {
      if (isTrineError(e, 'REALM_THRESHOLD_UNMET')) {
        throw new RealmQuorumError(threshold, []);
      }
      throw e;
    }
    for (const [i, u] of candidates.entries()) {
      try {
        const envelope = openShareV2(record, h, u);
        const unlockKey = Uint8Array.from(u);
        candidates.splice(i, 1);
        wipe(u);
        return { envelope, unlockKey, evaluated: answers.map((a) => a.realm) };
      } catch (e) {
        if (!isTrineError(e, 'SEAL_OPEN_FAILED')) throw e;
      }
    }
    const remaining = Math.min(...answers.map((a) => Math.max(0, a.guessLimit - a.guesses)));
    throw new WrongAnswerError(signer ? Number.POSITIVE_INFINITY : remaining);
  } finally {
    wipe(...candidates);
    for (const a of answers) wipe(a.output);
  }
}

/**
 * After a successful recovery: `unlock` at each realm that evaluated (the tag proves the
 * guess was right; the realm resets its counter). Best effort (a realm that fails keeps
 * its count, which the next re-registration resets anyway). Resolves with the largest
 * number of wrong attempts a realm reported, and since when.
 */
export async function unlockRealms(
  setup: RealmSetup,
  realms: readonly RealmConfig[],
  unlockKey: Uint8Array,
  epoch: number,
): Promise<{ wrongGuesses: number; since: string | null }> {
  const settled = await atRealms(realms, 0, (realm) =>
    setup.client.unlock(realm, {
      walletId: setup.identity.walletId,
      epoch,
      unlockTag: unlockTag(unlockKey, realm.id, epoch),
    }),
  );
  let wrongGuesses = 0;
  let since: string | null = null;
  for (const s of settled) {
    if (s.ok && s.value.wrongGuesses >= wrongGuesses) {
      wrongGuesses = s.value.wrongGuesses;
      since = s.value.since;
    }
  }
  return { wrongGuesses, since };
}

/** `commit {epoch}` at every realm: drops older epochs. Best effort; resolves with failures. */
export async function commitRealms(
  setup: RealmSetup,
  epoch: number,
  signer: Signer,
): Promise<RealmError[]> {
  const settled = await atRealms(setup.realms, 0, (realm) =>
    setup.client.commit(realm, epoch, signer),
  );
  return settled.flatMap((s) => (s.ok ? [] : [s.error]));
}

/** The wrong attempts the realms report now (after a password unlock), for the notice. */
export interface RealmStatus {
  /** Most wrong attempts any realm counted since its last reset. */
  wrongAttempts: number;
  /** The latest wrong attempt, ISO time, or null. */
  lastWrongAt: string | null;
  /** Realms at their limit. */
  locked: string[];
}

/** `GET registration` at every realm that answers (best effort, no secret needed). */
export async function realmStatus(setup: RealmSetup): Promise<RealmStatus> {
  const settled = await atRealms(setup.realms, 0, (realm) => setup.client.getRegistration(realm));
  let wrongAttempts = 0;
  let lastWrongAt: string | null = null;
  const locked: string[] = [];
  for (const s of settled) {
    if (!s.ok || !s.value) continue;
    wrongAttempts = Math.max(wrongAttempts, s.value.guesses);
    if (s.value.lastWrongAt && (!lastWrongAt || s.value.lastWrongAt > lastWrongAt)) {
      lastWrongAt = s.value.lastWrongAt;
    }
    if (s.value.locked) locked.push(s.realm.id);
  }
  return { wrongAttempts, lastWrongAt, locked };
}
