/**
 * @module sign-data — CIP-30 `signData` / CIP-8 message signing.
 *
 * Returns `{signature, key}` (CIP-30 DataSignature):
 * - `signature`: COSE_Sign1 (RFC 9052 §4.2, untagged) =
 *   `[protected: bstr .cbor {1: -8, "address": addr}, {"hashed": false}, payload, sig]`;
 *   the signature is Ed25519 over `Sig_structure = ["Signature1", protected, h'', payload]`
 *   (RFC 9052 §4.4) and the payload is the raw bytes, not hashed (CIP-8 "hashed": false).
 * - `key`: COSE_Key (RFC 9053 §7.2) = `{1: 1 (OKP), 3: -8 (EdDSA), -1: 6 (Ed25519), -2: x}`.
 *   CIP-30's optional `kid` is omitted (as Lucid and Eternl do).
 * Payment key for our base or enterprise address, stake key for our reward address;
 * any other address → TrineError ADDRESS_NOT_OURS.
 */
import { toHex } from '@trine/core/bytes';
import { TrineError } from '@trine/core/errors';
import { type Network, networkIdOf, parseAddress, parseNetwork } from './address.ts';
import { type CborValue, encodeCbor } from './cbor.ts';
import { CSL, freeAll } from './csl.ts';
import { assertEntropy, withAccountKeys } from './keys.ts';

/**
 * Largest payload accepted, in bytes. CIP-30 sets no limit; 16 KiB (Cardano's max tx
 * size) is far above any login challenge or message and bounds the work and the
 * approval screen.
 */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

export interface DataSignature {
  /** COSE_Sign1, CBOR hex. */
  signature: string;
  /** COSE_Key, CBOR hex. */
  key: string;
}

/** COSE labels (RFC 9052 §3.1, RFC 9053 §2.2 and §7.1). */
const COSE = { alg: 1, kty: 1, keyAlg: 3, crv: -1, x: -2, EdDSA: -8, OKP: 1, Ed25519: 6 };

/** Parses the payload hex: TypeError for a non-string, PAYLOAD_MALFORMED otherwise. */
export function parsePayload(payloadHex: unknown): Uint8Array {
  if (typeof payloadHex !== 'string') throw new TypeError('payload must be a hex string');
  if (payloadHex.length > MAX_PAYLOAD_BYTES * 2) {
    throw new TrineError('PAYLOAD_MALFORMED', `payload exceeds ${MAX_PAYLOAD_BYTES} bytes`, {
      details: { limit: MAX_PAYLOAD_BYTES },
    });
  }
  if (payloadHex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(payloadHex)) {
    throw new TrineError('PAYLOAD_MALFORMED', 'payload must be even-length hex');
  }
  const out = new Uint8Array(payloadHex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = Number.parseInt(payloadHex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

type Role = 'payment' | 'stake';

/** Which of our keys controls `address`; throws ADDRESS_NOT_OURS when none does. */
function roleFor(
  address: CSL.Address,
  networkId: number,
  paymentKeyHash: string,
  stakeKeyHash: string,
): Role {
  const kind = address.kind();
  const notOurs = (why: string, scriptCredential = false): never => {
    throw new TrineError('ADDRESS_NOT_OURS', `address is not this wallet's: ${why}`, {
      details: { scriptCredential },
    });
  };
  if (kind === CSL.AddressKind.Byron) return notOurs('Byron address');
  if (address.network_id() !== networkId) return notOurs('network id differs');
  const keyHashOf = (cred: CSL.Credential | undefined): string | undefined => {
    if (!cred) return undefined;
    const h = cred.to_keyhash();
    const hex = h?.to_hex();
    freeAll(h, cred);
    return hex;
  };
  const hasScript = (cred: CSL.Credential | undefined): boolean => {
    const s = cred?.has_script_hash() ?? false;
    cred?.free();
    return s;
  };
  if (kind === CSL.AddressKind.Base) {
    const base = CSL.BaseAddress.from_address(address);
    if (!base) return notOurs('unreadable base address');
    const script = hasScript(base.payment_cred());
    const pay = keyHashOf(base.payment_cred());
    const stk = keyHashOf(base.stake_cred());
    base.free();
    if (pay === paymentKeyHash && stk === stakeKeyHash) return 'payment';
    return notOurs('credentials differ', script);
  }
  if (kind === CSL.AddressKind.Enterprise) {
    const script = hasScript(address.payment_cred());
    if (keyHashOf(address.payment_cred()) === paymentKeyHash) return 'payment';
    return notOurs('payment credential differs', script);
  }
  if (kind === CSL.AddressKind.Reward) {
    const reward = CSL.RewardAddress.from_address(address);
    if (!reward) return notOurs('unreadable reward address');
    const script = hasScript(reward.payment_cred());
    const stk = keyHashOf(reward.payment_cred());
    reward.free();
    if (stk === stakeKeyHash) return 'stake';
    return notOurs('stake credential differs', script);
  }
  return notOurs('pointer addresses are not used by this wallet');
}

/**
 * Signs `payloadHex` for `address` (CIP-30 signData).
 *
 * @example
 * const { signature, key } = signData(entropy, 'preprod', info.baseAddress, '48656c6c6f');
 */
export function signData(
  entropy: Uint8Array,
  network: Network,
  address: string,
  payloadHex: string,
): DataSignature {
  assertEntropy(entropy);
  const networkId = networkIdOf(parseNetwork(network));
  const payload = parsePayload(payloadHex);
  const addr = parseAddress(address);
  let addressBytes: Uint8Array;
  try {
    addressBytes = addr.to_bytes();
    return withAccountKeys(entropy, (keys) => {
      const role = roleFor(addr, networkId, keys.paymentKeyHash, keys.stakeKeyHash);
      const sk = role === 'payment' ? keys.payment : keys.stake;
      const pub = role === 'payment' ? keys.paymentPub : keys.stakePub;
      const protectedMap: CborValue = {
        map: [
          [COSE.alg, COSE.EdDSA],
          ['address', addressBytes],
        ],
      };
      const protectedBytes = encodeCbor(protectedMap);
      // RFC 9052 §4.4: Sig_structure for COSE_Sign1, empty external_aad.
      const toSign = encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
      const sig = sk.sign(toSign);
      const sigBytes = sig.to_bytes();
      sig.free();
      const coseSign1 = encodeCbor([
        protectedBytes,
        { map: [['hashed', false]] },
        payload,
        sigBytes,
      ]);
      const coseKey = encodeCbor({
        map: [
          [COSE.kty, COSE.OKP],
          [COSE.keyAlg, COSE.EdDSA],
          [COSE.crv, COSE.Ed25519],
          [COSE.x, pub],
        ],
      });
      return { signature: toHex(coseSign1), key: toHex(coseKey) };
    });
  } finally {
    addr.free();
  }
}
