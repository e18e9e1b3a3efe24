/**
 * @module test helpers — an INDEPENDENT verifier (no CSL): a minimal CBOR item walker
 * to cut the body bytes out of a raw tx, cbor-x to read witness sets and COSE, and
 * @noble/curves ed25519 + @noble/hashes blake2b to check signatures.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { Decoder } from 'cbor-x';
import { expect } from 'vitest';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** Byte length of the CBOR data item starting at `offset` (RFC 8949 §3), definite or not. */
export function cborItemEnd(bytes: Uint8Array, offset: number): number {
  const ib = bytes[offset];
  if (ib === undefined) throw new Error('truncated CBOR');
  const major = ib >> 5;
  const info = ib & 0x1f;
  let p = offset + 1;
  let arg: number;
  if (info < 24) arg = info;
  else if (info === 24) arg = bytes[p++]!;
  else if (info === 25) {
    arg = (bytes[p]! << 8) | bytes[p + 1]!;
    p += 2;
  } else if (info === 26) {
    arg = new DataView(bytes.buffer, bytes.byteOffset + p, 4).getUint32(0);
    p += 4;
  } else if (info === 27) {
    arg = Number(new DataView(bytes.buffer, bytes.byteOffset + p, 8).getBigUint64(0));
    p += 8;
  } else if (info === 31) {
    if (major === 7) return p; // break
    // indefinite: items until 0xff
    while (bytes[p] !== 0xff) p = cborItemEnd(bytes, p);
    return p + 1;
  } else throw new Error('bad CBOR additional info');
  switch (major) {
    case 0:
    case 1:
    case 7:
      return p;
    case 2:
    case 3:
      return p + arg;
    case 4:
      for (let i = 0; i < arg; i++) p = cborItemEnd(bytes, p);
      return p;
    case 5:
      for (let i = 0; i < 2 * arg; i++) p = cborItemEnd(bytes, p);
      return p;
    case 6:
      return cborItemEnd(bytes, p);
    default:
      throw new Error('unreachable');
  }
}

/** The body bytes of a raw transaction: its first array element, exactly as encoded. */
export function rawBodyBytes(txHex: string): Uint8Array {
  const tx = unhex(txHex);
  const major = tx[0]! >> 5;
  if (major !== 4) throw new Error('tx is not a CBOR array');
  const info = tx[0]! & 0x1f;
  const start = info < 24 || info === 31 ? 1 : 1 + 2 ** (info - 24);
  return tx.slice(start, cborItemEnd(tx, start));
}

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
export const decodeCbor = (bytes: Uint8Array): unknown => decoder.decode(bytes);

/** Decodes a witness set and returns its vkey witnesses after checking the CIP-30 shape. */
export function vkeyWitnesses(witnessSetHex: string): { vkey: Uint8Array; sig: Uint8Array }[] {
  const ws = decodeCbor(unhex(witnessSetHex));
  expect(ws).toBeInstanceOf(Map);
  const map = ws as Map<unknown, unknown>;
  for (const k of map.keys()) expect(k).toBe(0); // only vkey witnesses
  const raw = map.get(0);
  if (raw === undefined) return [];
  const list = raw instanceof Set ? [...raw] : (raw as unknown[]);
  expect(Array.isArray(list)).toBe(true);
  return list.map((w) => {
    expect(Array.isArray(w)).toBe(true);
    const [vkey, sig] = w as [Uint8Array, Uint8Array];
    expect(vkey).toBeInstanceOf(Uint8Array);
    expect(sig).toBeInstanceOf(Uint8Array);
    expect(vkey.length).toBe(32);
    expect(sig.length).toBe(64);
    return { vkey, sig };
  });
}

/** blake2b-224 of a public key, hex (a Cardano key hash). */
export const keyHash = (pub: Uint8Array): string => hex(blake2b(pub, { dkLen: 28 }));

/**
 * Verifies every witness against blake2b-256 of the tx body bytes as they appear in the
 * raw tx; returns the key hashes of the signers.
 */
export function verifyWitnesses(txHex: string, witnessSetHex: string): string[] {
  const txHash = blake2b(rawBodyBytes(txHex), { dkLen: 32 });
  return vkeyWitnesses(witnessSetHex).map(({ vkey, sig }) => {
    expect(ed25519.verify(sig, txHash, vkey)).toBe(true);
    return keyHash(vkey);
  });
}

/** Checks a CIP-30 DataSignature with noble; returns the decoded parts. */
export function verifyDataSignature(signatureHex: string, keyHex: string) {
  const sign1 = decodeCbor(unhex(signatureHex)) as [
    Uint8Array,
    Map<unknown, unknown>,
    Uint8Array,
    Uint8Array,
  ];
  expect(Array.isArray(sign1)).toBe(true);
  expect(sign1).toHaveLength(4);
  const [protectedBytes, unprotected, payload, signature] = sign1;
  const prot = decodeCbor(protectedBytes) as Map<unknown, unknown>;
  expect(prot.get(1)).toBe(-8);
  expect(unprotected.get('hashed')).toBe(false);
  const key = decodeCbor(unhex(keyHex)) as Map<number, unknown>;
  expect(key.get(1)).toBe(1);
  expect(key.get(3)).toBe(-8);
  expect(key.get(-1)).toBe(6);
  const pub = key.get(-2) as Uint8Array;
  expect(pub).toHaveLength(32);
  // RFC 9052 §4.4 Sig_structure, encoded by hand (independent of src/cbor.ts).
  const bstr = (b: Uint8Array) => {
    const h =
      b.length < 24
        ? [0x40 | b.length]
        : b.length < 256
          ? [0x58, b.length]
          : [0x59, b.length >> 8, b.length & 0xff];
    return Buffer.concat([Buffer.from(h), Buffer.from(b)]);
  };
  const sigStructure = Buffer.concat([
    Buffer.from([0x84, 0x6a]),
    Buffer.from('Signature1'),
    bstr(protectedBytes),
    Buffer.from([0x40]),
    bstr(payload),
  ]);
  expect(ed25519.verify(signature, sigStructure, pub)).toBe(true);
  return { address: prot.get('address') as Uint8Array, payload, pub };
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** BIP-173 bech32 decode without the 90-char limit (Cardano keys are longer); checks the checksum. */
export function bech32Bytes(text: string): Uint8Array {
  const pos = text.lastIndexOf('1');
  const hrp = text.slice(0, pos);
  const data = [...text.slice(pos + 1)].map((c) => BECH32.indexOf(c));
  if (data.some((d) => d < 0)) throw new Error('bad bech32 char');
  const G = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  const values = [
    ...[...hrp].map((c) => c.charCodeAt(0) >> 5),
    0,
    ...[...hrp].map((c) => c.charCodeAt(0) & 31),
    ...data,
  ];
  for (const v of values) {
    const top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >> i) & 1) chk ^= G[i]!;
  }
  if (chk !== 1) throw new Error('bad bech32 checksum');
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const d of data.slice(0, -6)) {
    acc = (acc << 5) | d;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
