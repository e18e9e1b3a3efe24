/**
 * @module bech32 — BIP-173 bech32 decoding (checksum verified) for Cardano addresses
 * (CIP-5 prefixes; no 90-char limit, since Cardano addresses exceed it). Shared by the
 * wallet and the host SDK: CIP-30 passes addresses as the hex of their bytes, and
 * neither side should load the Cardano wasm just to convert one.
 */

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i] as number;
  }
  return chk;
}

/**
 * Decodes a bech32 string into its prefix and bytes. RangeError for mixed case, a bad
 * character, a bad checksum or bad padding.
 *
 * @example
 * bech32Decode('stake_test1uqehkck0…').prefix; // 'stake_test'
 */
export function bech32Decode(str: string): { prefix: string; bytes: Uint8Array } {
  if (typeof str !== 'string' || str.length > 1024)
    throw new TypeError('bech32 must be a string of at most 1024 chars');
  if (str !== str.toLowerCase() && str !== str.toUpperCase())
    throw new RangeError('bech32 must not mix case');
  const s = str.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || sep + 7 > s.length) throw new RangeError('bech32 separator misplaced');
  const prefix = s.slice(0, sep);
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c < 33 || c > 126) throw new RangeError('bech32 prefix has an invalid character');
  }
  const data: number[] = [];
  for (const c of s.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) throw new RangeError('bech32 has an invalid character');
    data.push(v);
  }
  const expanded: number[] = [];
  for (const c of prefix) expanded.push(c.charCodeAt(0) >> 5);
  expanded.push(0);
  for (const c of prefix) expanded.push(c.charCodeAt(0) & 31);
  if (polymod([...expanded, ...data]) !== 1) throw new RangeError('bech32 checksum mismatch');
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const v of data.slice(0, -6)) {
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0)
    throw new RangeError('bech32 padding is invalid');
  return { prefix, bytes: Uint8Array.from(out) };
}

/**
 * Encodes bytes as bech32 under `prefix` (BIP-173 checksum, no length limit, as CIP-5).
 *
 * @example
 * bech32Encode('addr_test', bytes); // 'addr_test1q…'
 */
export function bech32Encode(prefix: string, bytes: Uint8Array): string {
  const data: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) data.push((acc << (5 - bits)) & 31);
  const expanded: number[] = [];
  for (const c of prefix) expanded.push(c.charCodeAt(0) >> 5);
  expanded.push(0);
  for (const c of prefix) expanded.push(c.charCodeAt(0) & 31);
  const mod = polymod([...expanded, ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  for (let i = 0; i < 6; i++) data.push((mod >>> (5 * (5 - i))) & 31);
  return `${prefix}1${data.map((v) => CHARSET[v]).join('')}`;
}

/**
 * The lower-case hex of a bech32 address's bytes (CIP-30 `cbor<address>` form).
 *
 * @example
 * addressHex('stake_test1uqehkck0…'); // 'e0…'
 */
export function addressHex(bech32: string): string {
  const { bytes } = bech32Decode(bech32);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
