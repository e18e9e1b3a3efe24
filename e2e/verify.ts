/**
 * @module verify — independent checks of what the wallet returns, with @noble/curves
 * (ed25519) and @noble/hashes (blake2b), and cbor-x for decoding: no Cardano library.
 *
 * A CIP-30 witness set `{0: [[vkey, signature], …]}` (optionally a #6.258 set) must hold
 * signatures over blake2b-256 of the transaction body's bytes; each vkey's blake2b-224
 * must be a key hash the transaction needs (here: the payment key hash of the address).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { bech32Decode } from '@trine/protocol/bech32';
import { Decoder, Tag } from 'cbor-x';

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

function items(v: unknown): unknown[] {
  if (v instanceof Tag) return items(v.value);
  if (v instanceof Set) return [...v];
  if (Array.isArray(v)) return v;
  throw new Error('not an array or set');
}

/** The body bytes of a transaction built as `0x84 body a0 f5 f6` (the demo's unsigned form). */
export function bodyOfUnsignedTx(txHex: string): Uint8Array {
  if (!txHex.startsWith('84') || !txHex.endsWith('a0f5f6')) {
    throw new Error('not an unsigned 4-item transaction with an empty witness set');
  }
  return hexToBytes(txHex.slice(2, -6));
}

export interface VkeyWitness {
  vkey: Uint8Array;
  signature: Uint8Array;
}

export function vkeyWitnesses(witnessSetHex: string): VkeyWitness[] {
  const ws = decoder.decode(hexToBytes(witnessSetHex)) as Map<number, unknown>;
  if (!(ws instanceof Map)) throw new Error('the witness set is not a map');
  return items(ws.get(0)).map((w) => {
    const [vkey, signature] = items(w) as [Uint8Array, Uint8Array];
    return { vkey: new Uint8Array(vkey), signature: new Uint8Array(signature) };
  });
}

export const txId = (body: Uint8Array): string => bytesToHex(blake2b(body, { dkLen: 32 }));

/** The payment key hash (hex) of a base/enterprise bech32 address. */
export function paymentKeyHash(address: string): string {
  return bytesToHex(bech32Decode(address).bytes.subarray(1, 29));
}

/** True when `w` is an ed25519 signature by a key hashing to `keyHashHex` over the body. */
export function witnessVerifies(w: VkeyWitness, body: Uint8Array, keyHashHex: string): boolean {
  const hash = blake2b(body, { dkLen: 32 });
  return (
    bytesToHex(blake2b(w.vkey, { dkLen: 28 })) === keyHashHex &&
    ed25519.verify(w.signature, hash, w.vkey)
  );
}

/**
 * Verifies a CIP-30 signData result: COSE_Sign1 `[protected, unprotected, payload, sig]`
 * over `Sig_structure = ["Signature1", protected, h'', payload]` (RFC 9052 §4.4), with
 * the COSE_Key's x (-2) as the public key. Returns the protected `address` header (hex).
 */
export function verifySignData(
  signatureHex: string,
  keyHex: string,
  payloadHex: string,
): { valid: boolean; addressHex: string; vkey: Uint8Array } {
  const [prot, , payload, sig] = decoder.decode(hexToBytes(signatureHex)) as [
    Uint8Array,
    unknown,
    Uint8Array,
    Uint8Array,
  ];
  const key = decoder.decode(hexToBytes(keyHex)) as Map<number, unknown>;
  const vkey = new Uint8Array(key.get(-2) as Uint8Array);
  const headers = decoder.decode(prot) as Map<unknown, unknown>;
  const address = headers.get('address') as Uint8Array;
  // Encoded by hand: CBOR libraries differ on typed arrays (cbor-x tags them).
  const bstr = (b: Uint8Array) =>
    Buffer.concat([
      Buffer.from(
        b.length < 24
          ? [0x40 | b.length]
          : b.length < 256
            ? [0x58, b.length]
            : [0x59, b.length >> 8, b.length & 0xff],
      ),
      Buffer.from(b),
    ]);
  const sigStructure = Buffer.concat([
    Buffer.from([0x84, 0x6a]),
    Buffer.from('Signature1'),
    bstr(prot),
    Buffer.from([0x40]),
    bstr(hexToBytes(payloadHex)),
  ]);
  return {
    valid:
      bytesToHex(payload) === payloadHex && ed25519.verify(new Uint8Array(sig), sigStructure, vkey),
    addressHex: bytesToHex(address),
    vkey,
  };
}
