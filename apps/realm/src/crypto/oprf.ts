/**
 * @module crypto/oprf — the realm's side of RFC 9497 POPRF (mode 0x02) over
 * ristretto255-SHA512, with `@noble/curves`' `ristretto255_oprf` (docs/realms.md "Crypto").
 *
 * The realm key pair comes from a 32-byte seed by RFC 9497 §3.2.1 DeriveKeyPair; the seed
 * lives outside the database (TRINE_REALM_KEY). The public info binds app, user and
 * wallet and is computed here from the *verified* token, never taken from the client.
 * A blinded element is decoded and checked before the guess is counted (a non-canonical
 * encoding or the identity is refused, RFC 9497 §3.3), so hostile input costs nothing.
 */
import { ristretto255, ristretto255_oprf } from '@noble/curves/ed25519.js';
import { abytes } from '@trine/core/bytes';

/** RFC 9497 §4.1 ciphersuite identifier. */
export const SUITE = 'ristretto255-SHA512' as const;
export const MODE = 'poprf' as const;
/** The `info` of DeriveKeyPair (RFC 9497 §3.2.1 `info`): a label for this use of the seed. */
export const REALM_KEY_INFO = new TextEncoder().encode('trine-realm/oprf-key/v1');
/** First element of the POPRF public info (docs/realms.md). */
export const INFO_LABEL = 'trine-realm/v1';
/** Serialised element and scalar sizes of ristretto255 (RFC 9497 §4.1: Ne = Ns = 32). */
export const ELEMENT_BYTES = 32;
export const PROOF_BYTES = 64;

export interface RealmKeyPair {
  /** 32-byte scalar. Secret: never logged, never stored in the database. */
  secretKey: Uint8Array;
  /** 32-byte ristretto255 element: what clients pin. */
  publicKey: Uint8Array;
}

/** RFC 9497 §3.2.1 DeriveKeyPair for mode POPRF: the realm key from its seed. */
export function deriveRealmKeyPair(
  seed: Uint8Array,
  keyInfo: Uint8Array = REALM_KEY_INFO,
): RealmKeyPair {
  abytes(seed, 32, 'seed');
  const { secretKey, publicKey } = ristretto255_oprf
    .poprf(new Uint8Array(0))
    .deriveKeyPair(seed, keyInfo);
  return { secretKey, publicKey };
}

/** The POPRF public info: UTF-8 of `JSON.stringify(["trine-realm/v1", appId, iss, sub, walletId])`. */
export function poprfInfo(appId: string, iss: string, sub: string, walletId: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify([INFO_LABEL, appId, iss, sub, walletId]));
}

/** Why a blinded element was refused (the problem detail names it; no bytes echoed). */
export class InvalidElementError extends Error {
  override readonly name = 'InvalidElementError';
}

/**
 * Decodes a client's blinded element: exactly 32 bytes, the canonical ristretto255
 * encoding (RFC 9496 §4.3.1 decode refuses the rest), and not the identity (RFC 9497 §3.3).
 */
export function checkBlindedElement(bytes: Uint8Array): void {
  if (bytes.length !== ELEMENT_BYTES) {
    throw new InvalidElementError(`the blinded element must be ${ELEMENT_BYTES} bytes`);
  }
  let point: InstanceType<typeof ristretto255.Point>;
  try {
    point = ristretto255.Point.fromBytes(bytes);
  } catch {
    throw new InvalidElementError('the blinded element is not a canonical ristretto255 encoding');
  }
  if (point.equals(ristretto255.Point.ZERO)) {
    throw new InvalidElementError('the blinded element is the identity');
  }
}

/** A random-number source of the proof (RFC 9497 §2.2.1 RandomScalar); injectable for vectors. */
export type ProofRng = (bytesLength?: number) => Uint8Array<ArrayBuffer>;

/**
 * RFC 9497 §3.3.3 BlindEvaluate (POPRF): `evaluated = (sk + m)^-1 · blinded` with
 * `m = HashToScalar("Info" ‖ info)`, and the DLEQ proof against the tweaked key. The
 * caller has checked `blinded` (checkBlindedElement) and counted the guess.
 */
export function blindEvaluate(
  secretKey: Uint8Array,
  info: Uint8Array,
  blinded: Uint8Array,
  rng?: ProofRng,
): { evaluated: Uint8Array; proof: Uint8Array } {
  checkBlindedElement(blinded);
  const poprf = ristretto255_oprf.poprf(info);
  return rng
    ? poprf.blindEvaluate(secretKey, blinded, rng)
    : poprf.blindEvaluate(secretKey, blinded);
}
