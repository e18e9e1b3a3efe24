/**
 * @module cbor — the tiny CBOR (RFC 8949) subset the SDK needs for CIP-30 return values:
 * unsigned/negative integers, byte and text strings, arrays, maps and tags. Definite
 * lengths on output; the decoder also reads indefinite arrays and maps, and refuses
 * anything deeper than 64 levels or longer than its input.
 */

/** A CBOR data item as this module models it. */
export type Cbor = bigint | number | string | Uint8Array | Cbor[] | CborMap | Tag | boolean | null;
export type CborMap = Map<Cbor, Cbor>;

/** A tagged item, e.g. `new Tag(24, bytes)` for CIP-5 "encoded CBOR". */
export class Tag {
  constructor(
    readonly tag: number,
    readonly value: Cbor,
  ) {}
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Hex → bytes; RangeError for odd length or a non-hex char. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError('hex must be a string');
  if (!HEX_RE.test(hex)) throw new RangeError('hex must be even-length hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Bytes → lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

// --- encoder --------------------------------------------------------------------------

function head(out: number[], major: number, n: number | bigint): void {
  const v = BigInt(n);
  if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new RangeError('CBOR argument out of range');
  const m = major << 5;
  if (v < 24n) out.push(m | Number(v));
  else if (v < 0x100n) out.push(m | 24, Number(v));
  else if (v < 0x1_0000n) out.push(m | 25, Number(v >> 8n), Number(v & 0xffn));
  else {
    const len = v < 0x1_0000_0000n ? 4 : 8;
    out.push(m | (len === 4 ? 26 : 27));
    for (let i = len - 1; i >= 0; i--) out.push(Number((v >> BigInt(i * 8)) & 0xffn));
  }
}

function write(out: number[], item: Cbor): void {
  if (typeof item === 'number' || typeof item === 'bigint') {
    if (typeof item === 'number' && !Number.isSafeInteger(item))
      throw new RangeError('CBOR integers only');
    const v = BigInt(item);
    if (v >= 0n) head(out, 0, v);
    else head(out, 1, -1n - v);
  } else if (item instanceof Uint8Array) {
    head(out, 2, item.length);
    for (const b of item) out.push(b);
  } else if (typeof item === 'string') {
    const bytes = new TextEncoder().encode(item);
    head(out, 3, bytes.length);
    for (const b of bytes) out.push(b);
  } else if (Array.isArray(item)) {
    head(out, 4, item.length);
    for (const x of item) write(out, x);
  } else if (item instanceof Map) {
    head(out, 5, item.size);
    for (const [k, v] of item) {
      write(out, k);
      write(out, v);
    }
  } else if (item instanceof Tag) {
    head(out, 6, item.tag);
    write(out, item.value);
  } else if (item === false || item === true || item === null) {
    out.push(item === null ? 0xf6 : item ? 0xf5 : 0xf4);
  } else {
    throw new TypeError('unsupported CBOR item');
  }
}

/** Encodes `item` (map keys in the order given). */
export function encode(item: Cbor): Uint8Array {
  const out: number[] = [];
  write(out, item);
  return Uint8Array.from(out);
}

/** Encodes `item` to hex. */
export const encodeHex = (item: Cbor): string => toHex(encode(item));

/** Canonical order of byte-string map keys (RFC 7049 §3.9: shorter first, then bytewise). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

// --- decoder --------------------------------------------------------------------------

const BREAK = Symbol('break');

/** Decodes one item starting at `offset`; returns it and the offset after it. */
export function decodeFirst(
  bytes: Uint8Array,
  offset = 0,
  depth = 0,
): { value: Cbor; end: number } {
  const r = read(bytes, offset, depth);
  if (r.value === BREAK) throw new RangeError('CBOR: unexpected break');
  return r as { value: Cbor; end: number };
}

/** Decodes exactly one item spanning all of `bytes` (hex or bytes). RangeError when malformed. */
export function decode(input: Uint8Array | string): Cbor {
  const bytes = typeof input === 'string' ? fromHex(input) : input;
  const { value, end } = decodeFirst(bytes);
  if (end !== bytes.length) throw new RangeError('CBOR: trailing bytes');
  return value;
}

function read(
  b: Uint8Array,
  pos: number,
  depth: number,
): { value: Cbor | typeof BREAK; end: number } {
  if (depth > 64) throw new RangeError('CBOR: nested too deeply');
  const ib = b[pos];
  if (ib === undefined) throw new RangeError('CBOR: unexpected end');
  const major = ib >> 5;
  const info = ib & 31;
  let p = pos + 1;
  if (ib === 0xff) return { value: BREAK, end: p };
  let arg = 0n;
  let indefinite = false;
  if (info < 24) arg = BigInt(info);
  else if (info <= 27) {
    const n = 1 << (info - 24);
    if (p + n > b.length) throw new RangeError('CBOR: unexpected end');
    for (let i = 0; i < n; i++) arg = (arg << 8n) | BigInt(b[p + i] as number);
    p += n;
  } else if (info === 31 && (major === 4 || major === 5)) indefinite = true;
  else throw new RangeError('CBOR: unsupported additional info');
  const count = (): number => {
    if (arg > BigInt(b.length - p)) throw new RangeError('CBOR: length exceeds input');
    return Number(arg);
  };
  switch (major) {
    case 0:
      return { value: arg, end: p };
    case 1:
      return { value: -1n - arg, end: p };
    case 2:
    case 3: {
      const n = count();
      const slice = b.slice(p, p + n);
      return {
        value: major === 2 ? slice : new TextDecoder('utf-8', { fatal: true }).decode(slice),
        end: p + n,
      };
    }
    case 4:
    case 5: {
      const n = indefinite ? Number.POSITIVE_INFINITY : count();
      const arr: Cbor[] = [];
      const map: CborMap = new Map();
      for (let i = 0; i < n; i++) {
        const k = read(b, p, depth + 1);
        p = k.end;
        if (k.value === BREAK) {
          if (!indefinite) throw new RangeError('CBOR: unexpected break');
          break;
        }
        if (major === 4) arr.push(k.value);
        else {
          const v = decodeFirst(b, p, depth + 1);
          p = v.end;
          map.set(k.value, v.value);
        }
      }
      return { value: major === 4 ? arr : map, end: p };
    }
    case 6: {
      const v = decodeFirst(b, p, depth + 1);
      return { value: new Tag(Number(arg), v.value), end: v.end };
    }
    default:
      if (info === 20 || info === 21) return { value: info === 21, end: p };
      if (info === 22) return { value: null, end: p };
      throw new RangeError('CBOR: unsupported simple value');
  }
}
