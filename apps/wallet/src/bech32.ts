/**
 * @module bech32 — decoding a bech32 Cardano address (CIP-19) to its raw bytes, so the
 * wallet can hand the host the CIP-30 `Address` hex without loading the CSL wasm.
 *
 * BIP-173 bech32 (not bech32m: Cardano addresses use the original constant), without the
 * 90-character limit (CIP-19 addresses are longer). Mixed case is refused.
 */

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
const MAX_CHARS = 1024;

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i] as number;
  }
  return chk;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >>> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

/**
 * Decodes a bech32 string into its human-readable prefix and data bytes.
 * Throws TypeError/RangeError naming what is wrong (never echoing the input).
 *
 * @example
 * bech32Decode('stake_test1u…').prefix // 'stake_test'
 */
export function bech32Decode(text: string): { prefix: string; bytes: Uint8Array } {
  if (typeof text !== 'string') throw new TypeError('address must be a string');
  if (text.length > MAX_CHARS) throw new RangeError('address is too long');
  if (text !== text.toLowerCase()) throw new RangeError('address must be lower case');
  const sep = text.lastIndexOf('1');
  if (sep < 1 || sep + 7 > text.length) throw new RangeError('address is not bech32');
  const prefix = text.slice(0, sep);
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c < 33 || c > 126) throw new RangeError('address prefix is not bech32');
  }
  const data: number[] = [];
  for (const ch of text.slice(sep + 1)) {
    const v = CHARSET.indexOf(ch);
    if (v < 0) throw new RangeError('address has a character outside the bech32 alphabet');
    data.push(v);
  }
  if (polymod([...hrpExpand(prefix), ...data]) !== 1) {
    throw new RangeError('address checksum is wrong');
  }
  // 5-bit groups → bytes (BIP-173 convertbits, no padding allowed beyond 4 zero bits).
  const words = data.slice(0, -6);
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = (acc << 5) | w;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >>> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || acc !== 0) throw new RangeError('address has non-zero padding');
  return { prefix, bytes: Uint8Array.from(bytes) };
}

/** The lower-case hex of an address's bytes (CIP-30 `Address`). */
export function addressHex(bech32: string): string {
  const { bytes } = bech32Decode(bech32);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
