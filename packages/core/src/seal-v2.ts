/**
 * @module seal-v2 — sealing a recovery envelope (role 3) as a v2 record (docs/realms.md):
 * AES-256-GCM under `K = HKDF(h ‖ U)`, where `h` = Argon2id(answer) (kdf.ts `hashAnswer`,
 * in a worker) and `U` = the realms' unlock key (realm-crypto). Only the cheap part is
 * here, and this module does not import the Argon2id code, so the wallet page can seal
 * and open without loading it (the KDF parameters are policy-checked where `h` is made).
 */
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { fromBase64Url, toBase64Url } from './bytes.ts';
import { headerOf, parseEnvelope, ROLE, type ShareEnvelope, TAG_BYTES } from './envelope.ts';
import { TrineError } from './errors.ts';
import { ANSWER_HASH_BYTES, sealKeyV2, UNLOCK_KEY_BYTES } from './realm-crypto.ts';
import {
  additionalData,
  NONCE_BYTES,
  parseSealedRecord,
  REALMS_SCHEME,
  SEALED_ALG,
  SEALED_VERSION_REALMS,
  type SealedKdf,
  type SealedRealms,
  type SealedRecordV2,
} from './sealed-record.ts';

/** The same text as seal.ts's (GCM cannot tell a wrong secret from tampering). */
export const SEAL_OPEN_FAILED_MESSAGE = 'wrong password/answer, or the record was altered';

/** What a v2 seal needs besides the envelope (docs/realms.md). */
export interface SealV2Input {
  /** `h`: Argon2id of the normalised answer under `kdf` (kdf.ts `hashAnswer`). */
  h: Uint8Array;
  /** `U`: the realms' unlock key (realm-crypto `createRegistration`). */
  unlockKey: Uint8Array;
  /** The Argon2id parameters and salt `h` was made with (stored, authenticated). */
  kdf: SealedKdf;
  /** Threshold, realm ids (config order) and realm epoch (stored, authenticated). */
  realms: Omit<SealedRealms, 'scheme'>;
}

function v2Key(h: Uint8Array, unlockKey: Uint8Array): Uint8Array {
  if (!(h instanceof Uint8Array) || h.length !== ANSWER_HASH_BYTES) {
    throw new TypeError(`h must be a ${ANSWER_HASH_BYTES}-byte Uint8Array`);
  }
  if (!(unlockKey instanceof Uint8Array) || unlockKey.length !== UNLOCK_KEY_BYTES) {
    throw new TypeError(`unlockKey must be a ${UNLOCK_KEY_BYTES}-byte Uint8Array`);
  }
  return sealKeyV2(h, unlockKey);
}

/**
 * Seals a recovery envelope (role 3) as a v2 record under `K = HKDF(h ‖ U)`: opening it
 * needs the answer (through Argon2id) *and* t realms' cooperation (through U), so the
 * record alone allows no offline guess. Synchronous work only (AES-GCM): the Argon2id
 * part (`h`) is done before, in the KDF worker.
 *
 * @example
 * const sealed = sealShareV2(shares.recovery, { h, unlockKey, kdf, realms });
 */
export function sealShareV2(envelope: ShareEnvelope, input: SealV2Input): SealedRecordV2 {
  const env = parseEnvelope(envelope);
  if (env.role !== ROLE.recovery) {
    throw new TrineError('INVALID_ARGUMENT', 'only recovery shares (role 3) are sealed as v2');
  }
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object');
  const head = {
    v: SEALED_VERSION_REALMS,
    alg: SEALED_ALG,
    kdf: input.kdf,
    header: headerOf(env),
    realms: { scheme: REALMS_SCHEME, ...input.realms },
  };
  // additionalData validates kdf and realms (coded errors for hostile input).
  const aad = additionalData(head);
  const key = v2Key(input.h, input.unlockKey);
  const nonce = randomBytes(NONCE_BYTES);
  const share = fromBase64Url(env.share, 'share');
  const tag = fromBase64Url(env.tag, 'tag');
  const plaintext = new Uint8Array(share.length + tag.length);
  try {
    plaintext.set(share, 0);
    plaintext.set(tag, share.length);
    const ciphertext = gcm(key, nonce, aad).encrypt(plaintext);
    return parseSealedRecord({
      ...head,
      nonce: toBase64Url(nonce),
      ciphertext: toBase64Url(ciphertext),
    }) as SealedRecordV2;
  } finally {
    key.fill(0);
    share.fill(0);
    plaintext.fill(0);
  }
}

/**
 * Opens a v2 recovery record with `h` and a candidate `U`. A wrong answer, a wrong U (a
 * realm lied, or too few honest realms) and tampering are one `SEAL_OPEN_FAILED`. A v1
 * record → `SEALED_UNSUPPORTED` (open it with `openShare` and the answer).
 */
export function openShareV2(record: unknown, h: Uint8Array, unlockKey: Uint8Array): ShareEnvelope {
  const r = parseSealedRecord(record);
  if (r.v !== SEALED_VERSION_REALMS) {
    throw new TrineError(
      'SEALED_UNSUPPORTED',
      'a v1 record opens with the answer alone (openShare)',
    );
  }
  const key = v2Key(h, unlockKey);
  let plaintext: Uint8Array | undefined;
  try {
    try {
      plaintext = gcm(key, fromBase64Url(r.nonce, 'nonce'), additionalData(r)).decrypt(
        fromBase64Url(r.ciphertext, 'ciphertext'),
      );
    } catch {
      throw new TrineError('SEAL_OPEN_FAILED', SEAL_OPEN_FAILED_MESSAGE);
    }
    const split = plaintext.length - TAG_BYTES;
    return parseEnvelope({
      ...r.header,
      share: toBase64Url(plaintext.subarray(0, split)),
      tag: toBase64Url(plaintext.subarray(split)),
    });
  } finally {
    key.fill(0);
    plaintext?.fill(0);
  }
}
