/**
 * @module realm-crypto — the wallet side of the recovery realms (docs/realms.md, DESIGN.md
 * §8): the POPRF client (RFC 9497, ristretto255-SHA512, mode 0x02, via @noble/curves),
 * the per-realm pads and masked shares, the unlock key `U` split t-of-n, the unlock tags
 * and the recovery seal key `K`.
 *
 *   x       = HKDF(h, info "trine/realm/oprf-input/v1", 32)       h = Argon2id(answer)
 *   info    = JSON.stringify(["trine-realm/v1", appId, iss, sub, walletId])
 *   o_i     = POPRF_i(x; info)                                      64 bytes, proof checked
 *   pad_i   = HKDF(o_i, info "trine/realm/mask/v1" ‖ realmId ‖ epoch, 32) ‖ 0x00
 *             (the share's last byte is its x-coordinate: public, so left unmasked —
 *             masked, a wrong guess could unmask it to 0, which no share has, and a thief
 *             of one realm could rule that guess out offline)
 *   u_i     = split(U, n, t)[i]          masked_i = u_i XOR pad_i (stored at realm i)
 *   tag_i   = HMAC-SHA256(U, "trine/realm/unlock-tag/v1" ‖ realmId ‖ epoch)
 *   K       = HKDF(h ‖ U, info "trine/recovery/seal/v2", 32)
 *
 * Why no MAC on the masked share and why the tag is keyed by U: see docs/realms.md. A
 * realm that lies (a bad point, a bad proof, wrong lengths) gets `REALM_RESPONSE_INVALID`,
 * never a wrong key: the DLEQ proof is checked against the realm's *pinned* public key
 * (from the app configuration), so a realm cannot evaluate under another key either. A
 * masked share that a realm alters cannot be detected here (it has no MAC by design); it
 * yields a wrong `U`, which the AEAD of the sealed record then refuses — so callers try
 * every t-subset of the answers (`unlockKeyCandidates`) and one lying realm out of n > t
 * cannot stop a recovery.
 *
 * With t = 1 (the dev app: one in-process realm) U is not split but replicated
 * (u_i = U ‖ 0x01): shamir-secret-sharing needs t ≥ 2, and a constant polynomial is what
 * a 1-of-n Shamir split is.
 */
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { combine, split } from 'shamir-secret-sharing';
import { abytes, utf8 } from './bytes.ts';
import { TrineError } from './errors.ts';
import { wipe } from './wipe.ts';

export const REALM_SCHEME = 'trine-realm/v1' as const;
export const REALM_SUITE = 'ristretto255-SHA512' as const;
export const OPRF_INPUT_INFO = 'trine/realm/oprf-input/v1';
export const REALM_MASK_INFO = 'trine/realm/mask/v1';
export const UNLOCK_TAG_INFO = 'trine/realm/unlock-tag/v1';
export const SEAL_V2_INFO = 'trine/recovery/seal/v2';

/** Argon2id output of the answer (`h`). */
export const ANSWER_HASH_BYTES = 32;
export const UNLOCK_KEY_BYTES = 32;
/** A Shamir share of U: 32 bytes + the x-coordinate byte. */
export const MASKED_SHARE_BYTES = 33;
export const UNLOCK_TAG_BYTES = 32;
/** ristretto255 element and scalar encodings. */
export const ELEMENT_BYTES = 32;
export const PROOF_BYTES = 64;
/** POPRF output (SHA-512). */
export const REALM_OUTPUT_BYTES = 64;
/** Most realms per app (keeps the t-subset search small and bounded). */
export const MAX_REALMS = 7;

const MAX_ID_CHARS = 128;

/** Who the evaluation is for: bound into the POPRF as public info. */
export interface RealmIdentity {
  appId: string;
  /** The JWT's `iss` and `sub` (the realm takes them from the verified token). */
  iss: string;
  sub: string;
  walletId: string;
}

/** The client's state for one realm evaluation. `blind` is secret: wipe it after use. */
export interface RealmBlind {
  blind: Uint8Array;
  /** Sent to the realm. */
  blinded: Uint8Array;
  /** The realm's pinned public key tweaked by `info` (RFC 9497 §3.3.3). */
  tweakedKey: Uint8Array;
}

function configError(message: string): TrineError {
  return new TrineError('REALM_CONFIG_INVALID', message);
}

function responseError(message: string): TrineError {
  return new TrineError('REALM_RESPONSE_INVALID', message);
}

/** A realm id: 1..128 printable characters, no line break (it goes into HKDF/HMAC info). */
export function checkRealmId(id: unknown, title = 'realm id'): string {
  if (
    typeof id !== 'string' ||
    id.length === 0 ||
    id.length > MAX_ID_CHARS ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    /[\u0000-\u001f\u007f]/.test(id)
  ) {
    throw configError(`${title} must be 1 to ${MAX_ID_CHARS} printable characters`);
  }
  return id;
}

function checkEpoch(epoch: unknown): number {
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 1) {
    throw new RangeError('epoch must be a positive integer');
  }
  return epoch;
}

/** Checks a threshold t for n realms: 1 ≤ t ≤ n ≤ MAX_REALMS. */
export function checkThreshold(threshold: unknown, n: number): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_REALMS) {
    throw configError(`an app needs 1 to ${MAX_REALMS} realms`);
  }
  if (
    typeof threshold !== 'number' ||
    !Number.isSafeInteger(threshold) ||
    threshold < 1 ||
    threshold > n
  ) {
    throw configError(`the realm threshold must be an integer from 1 to ${n}`);
  }
  return threshold;
}

/** Checks distinct realm ids. */
function checkIds(ids: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    checkRealmId(id);
    if (seen.has(id)) throw configError('realm ids must be distinct');
    seen.add(id);
  }
}

/**
 * Decodes a realm's pinned public key: 32 bytes, a canonical ristretto255 encoding, not
 * the identity. Throws `REALM_CONFIG_INVALID` otherwise.
 */
export function checkRealmPublicKey(publicKey: Uint8Array): Uint8Array {
  abytes(publicKey, undefined, 'realm public key');
  if (publicKey.length !== ELEMENT_BYTES) {
    throw configError(`a realm public key must be ${ELEMENT_BYTES} bytes`);
  }
  try {
    // blind() with a dummy input runs noble's own wire checks (decoding, identity).
    ristretto255_oprf.poprf(new Uint8Array(0)).blind(new Uint8Array(1), publicKey);
  } catch {
    throw configError('the realm public key is not a valid ristretto255 element');
  }
  return publicKey;
}

/** RFC 9497 §1.2: inputs are length-prefixed with two bytes, so at most 65535 bytes. */
function checkInput(value: unknown, title: string): void {
  abytes(value, undefined, title);
  if (value.length > 0xffff) throw new RangeError(`${title} must be at most 65535 bytes`);
}

/** The POPRF public info (UTF-8 of the JSON array, docs/realms.md). */
export function realmInfo(id: RealmIdentity): Uint8Array {
  if (typeof id !== 'object' || id === null) throw new TypeError('identity must be an object');
  for (const k of ['appId', 'iss', 'sub', 'walletId'] as const) {
    const v = id[k];
    if (typeof v !== 'string' || v.length === 0 || v.length > 2048) {
      throw new TypeError(`${k} must be a non-empty string of at most 2048 characters`);
    }
  }
  return utf8(JSON.stringify([REALM_SCHEME, id.appId, id.iss, id.sub, id.walletId]));
}

/** x = HKDF(h, info "trine/realm/oprf-input/v1", 32). The caller wipes the result. */
export function oprfInput(h: Uint8Array): Uint8Array {
  abytes(h, ANSWER_HASH_BYTES, 'h');
  return hkdf(sha256, h, undefined, utf8(OPRF_INPUT_INFO), 32);
}

/**
 * Blinds `x` for one realm (RFC 9497 §3.3.3 Blind, POPRF). `rng` is injectable only for
 * the RFC test vectors (noble draws the blind from it); leave it out otherwise.
 */
export function blindRequest(
  x: Uint8Array,
  info: Uint8Array,
  realmPublicKey: Uint8Array,
  rng?: (bytesLength?: number) => Uint8Array,
): RealmBlind {
  checkInput(x, 'x');
  checkInput(info, 'info');
  checkRealmPublicKey(realmPublicKey);
  const b = ristretto255_oprf
    .poprf(info)
    .blind(x, realmPublicKey, (rng ?? randomBytes) as typeof randomBytes);
  return { blind: b.blind, blinded: b.blinded, tweakedKey: b.tweakedKey };
}

/**
 * Verifies the realm's DLEQ proof and finalises (RFC 9497 §3.3.3 Finalize) to the 64-byte
 * output `o_i`. Anything wrong in what the realm sent — lengths, a non-canonical or
 * identity element, a proof that does not verify under the pinned key — throws
 * `REALM_RESPONSE_INVALID`. The caller wipes the result (and `state.blind`).
 */
export function finalizeEvaluation(
  x: Uint8Array,
  info: Uint8Array,
  state: RealmBlind,
  evaluated: Uint8Array,
  proof: Uint8Array,
): Uint8Array {
  checkInput(x, 'x');
  checkInput(info, 'info');
  if (!(evaluated instanceof Uint8Array) || evaluated.length !== ELEMENT_BYTES) {
    throw responseError(`the realm's evaluated element must be ${ELEMENT_BYTES} bytes`);
  }
  if (!(proof instanceof Uint8Array) || proof.length !== PROOF_BYTES) {
    throw responseError(`the realm's proof must be ${PROOF_BYTES} bytes`);
  }
  try {
    return ristretto255_oprf
      .poprf(info)
      .finalize(x, state.blind, evaluated, state.blinded, proof, state.tweakedKey);
  } catch {
    // noble throws plain Errors (bad encoding, identity, proof mismatch); none hold secrets,
    // but we say one stable thing for all of them.
    throw responseError("the realm's evaluation is not valid (its proof does not verify)");
  }
}

function labelled(prefix: string, realmId: string, epoch: number): Uint8Array {
  return utf8(`${prefix}${checkRealmId(realmId)}${checkEpoch(epoch)}`);
}

/**
 * pad_i = HKDF(o_i, info "trine/realm/mask/v1" ‖ realmId ‖ epoch, 32) ‖ 0x00: the share's
 * y bytes are masked, its x-coordinate (the last byte, public) is not, so a wrong guess
 * unmasks to a well-formed share that no offline check can tell from the right one.
 */
export function realmPad(output: Uint8Array, realmId: string, epoch: number): Uint8Array {
  abytes(output, REALM_OUTPUT_BYTES, 'realm output');
  const pad = new Uint8Array(MASKED_SHARE_BYTES);
  const y = hkdf(
    sha256,
    output,
    undefined,
    labelled(REALM_MASK_INFO, realmId, epoch),
    MASKED_SHARE_BYTES - 1,
  );
  pad.set(y, 0);
  wipe(y);
  return pad;
}

/** tag_i = HMAC-SHA256(U, "trine/realm/unlock-tag/v1" ‖ realmId ‖ epoch). */
export function unlockTag(unlockKey: Uint8Array, realmId: string, epoch: number): Uint8Array {
  abytes(unlockKey, UNLOCK_KEY_BYTES, 'unlock key');
  return hmac(sha256, unlockKey, labelled(UNLOCK_TAG_INFO, realmId, epoch));
}

/** K = HKDF(h ‖ U, info "trine/recovery/seal/v2", 32). The caller wipes the result. */
export function sealKeyV2(h: Uint8Array, unlockKey: Uint8Array): Uint8Array {
  abytes(h, ANSWER_HASH_BYTES, 'h');
  abytes(unlockKey, UNLOCK_KEY_BYTES, 'unlock key');
  const ikm = new Uint8Array(ANSWER_HASH_BYTES + UNLOCK_KEY_BYTES);
  ikm.set(h, 0);
  ikm.set(unlockKey, ANSWER_HASH_BYTES);
  try {
    return hkdf(sha256, ikm, undefined, utf8(SEAL_V2_INFO), 32);
  } finally {
    wipe(ikm);
  }
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Splits U into n shares of 33 bytes, any t of which rebuild it. */
async function splitUnlockKey(unlockKey: Uint8Array, n: number, t: number): Promise<Uint8Array[]> {
  if (t === 1) {
    return Array.from({ length: n }, () => {
      const s = new Uint8Array(MASKED_SHARE_BYTES);
      s.set(unlockKey, 0);
      s[UNLOCK_KEY_BYTES] = 1;
      return s;
    });
  }
  return split(unlockKey, n, t);
}

async function combineUnlockKey(shares: Uint8Array[], t: number): Promise<Uint8Array> {
  if (t === 1) return shares[0]!.slice(0, UNLOCK_KEY_BYTES);
  return combine(shares);
}

/** One realm's registration for one epoch (docs/realms.md `PUT …/registration`). */
export interface RealmRegistration {
  realmId: string;
  maskedShare: Uint8Array;
  unlockTag: Uint8Array;
}

/**
 * Builds the registration for n realms from their outputs for the right answer (in app
 * config order): a fresh U, its t-of-n split, the masked shares and the tags. Returns U
 * too (the caller derives K from it, then wipes it). Every intermediate is wiped.
 *
 * @example
 * const { unlockKey, realms } = await createRegistration(outputs, 2, 2);
 * const key = sealKeyV2(h, unlockKey); wipe(unlockKey);
 */
export async function createRegistration(
  outputs: ReadonlyArray<{ realmId: string; output: Uint8Array }>,
  epoch: number,
  threshold: number,
): Promise<{ unlockKey: Uint8Array; realms: RealmRegistration[] }> {
  if (!Array.isArray(outputs)) throw new TypeError('outputs must be an array');
  checkEpoch(epoch);
  checkThreshold(threshold, outputs.length);
  checkIds(outputs.map((o) => o.realmId));
  for (const o of outputs) abytes(o.output, REALM_OUTPUT_BYTES, 'realm output');
  const unlockKey = randomBytes(UNLOCK_KEY_BYTES);
  const shares = await splitUnlockKey(unlockKey, outputs.length, threshold);
  try {
    const realms = outputs.map((o, i) => {
      const pad = realmPad(o.output, o.realmId, epoch);
      try {
        return {
          realmId: o.realmId,
          maskedShare: xor(shares[i]!, pad),
          unlockTag: unlockTag(unlockKey, o.realmId, epoch),
        };
      } finally {
        wipe(pad);
      }
    });
    return { unlockKey, realms };
  } finally {
    wipe(...shares);
  }
}

/** One realm's answer at recovery: its output for the guess and the masked share it sent. */
export interface RealmAnswer {
  realmId: string;
  output: Uint8Array;
  maskedShare: Uint8Array;
}

function* subsets<T>(items: readonly T[], k: number, start = 0, acc: T[] = []): Generator<T[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = start; i <= items.length - (k - acc.length); i++) {
    acc.push(items[i]!);
    yield* subsets(items, k, i + 1, acc);
    acc.pop();
  }
}

/**
 * The candidate unlock keys from ≥ t realm answers: one per t-subset (at most C(7, 3) = 35),
 * in order, the first subset first. With the right answer and honest realms every
 * candidate is U; a lying realm spoils only the subsets it is in. Which candidate is right
 * is decided by the sealed record's AEAD (a wrong answer and a lie are indistinguishable
 * here by design). Throws `REALM_THRESHOLD_UNMET` with fewer than t answers,
 * `REALM_RESPONSE_INVALID` for a masked share of the wrong length. The caller wipes every
 * candidate.
 */
export async function unlockKeyCandidates(
  answers: readonly RealmAnswer[],
  epoch: number,
  threshold: number,
): Promise<Uint8Array[]> {
  if (!Array.isArray(answers)) throw new TypeError('answers must be an array');
  checkEpoch(epoch);
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > MAX_REALMS) {
    throw configError(`the realm threshold must be an integer from 1 to ${MAX_REALMS}`);
  }
  if (answers.length < threshold) {
    throw new TrineError(
      'REALM_THRESHOLD_UNMET',
      `recovery needs answers from ${threshold} realms, got ${answers.length}`,
      { details: { threshold, got: answers.length } },
    );
  }
  if (answers.length > MAX_REALMS) throw configError(`at most ${MAX_REALMS} realms`);
  checkIds(answers.map((a) => a.realmId));
  for (const a of answers) {
    abytes(a.output, REALM_OUTPUT_BYTES, 'realm output');
    if (!(a.maskedShare instanceof Uint8Array) || a.maskedShare.length !== MASKED_SHARE_BYTES) {
      throw responseError(`a realm's masked share must be ${MASKED_SHARE_BYTES} bytes`);
    }
  }
  const shares = answers.map((a) => {
    const pad = realmPad(a.output, a.realmId, epoch);
    try {
      return xor(a.maskedShare, pad);
    } finally {
      wipe(pad);
    }
  });
  const out: Uint8Array[] = [];
  try {
    for (const set of subsets(shares, threshold)) {
      try {
        out.push(await combineUnlockKey(set, threshold));
      } catch {
        // Two shares with one x-coordinate: a wrong guess (or a lying realm) made them;
        // this subset simply has no candidate.
      }
    }
    return out;
  } finally {
    wipe(...shares);
  }
}
