import { Decoder, Encoder } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bech32Decode } from '../src/bech32.ts';
import { type Cbor, decode, encode, encodeHex, fromHex, Tag, toHex } from '../src/cbor.ts';
import { decodeValue, encodeUtxo, encodeValue, valueFromJson } from '../src/value.ts';
import { BASE, BASE_HEX, cborx, POLICY, REWARD, REWARD_HEX } from './helpers.ts';

describe('CBOR encoder: RFC 8949 Appendix A vectors', () => {
  const vectors: Array<[Cbor, string]> = [
    [0, '00'],
    [1, '01'],
    [10, '0a'],
    [23, '17'],
    [24, '1818'],
    [25, '1819'],
    [100, '1864'],
    [1000, '1903e8'],
    [1000000, '1a000f4240'],
    [1000000000000, '1b000000e8d4a51000'],
    [18446744073709551615n, '1bffffffffffffffff'],
    [-1, '20'],
    [-10, '29'],
    [-100, '3863'],
    [-1000, '3903e7'],
    [new Uint8Array([]), '40'],
    [new Uint8Array([1, 2, 3, 4]), '4401020304'],
    ['', '60'],
    ['a', '6161'],
    ['IETF', '6449455446'],
    ['ü', '62c3bc'],
    [[], '80'],
    [[1, 2, 3], '83010203'],
    [[1, [2, 3], [4, 5]], '8301820203820405'],
    [
      Array.from({ length: 25 }, (_, i) => i + 1),
      '98190102030405060708090a0b0c0d0e0f101112131415161718181819',
    ],
    [new Map(), 'a0'],
    [
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, 4],
      ]),
      'a201020304',
    ],
    [new Tag(24, new Uint8Array([0x64, 0x49, 0x45, 0x54, 0x46])), 'd818456449455446'],
    [false, 'f4'],
    [true, 'f5'],
    [null, 'f6'],
  ];
  for (const [item, hex] of vectors) {
    it(`${hex}`, () => {
      expect(encodeHex(item)).toBe(hex);
      const back = decode(hex);
      expect(encodeHex(back)).toBe(hex);
    });
  }

  it('refuses what it cannot encode', () => {
    expect(() => encode(1.5)).toThrow(new RangeError('CBOR integers only'));
    expect(() => encode(2n ** 64n)).toThrow(new RangeError('CBOR argument out of range'));
    expect(() => encode({} as Cbor)).toThrow(new TypeError('unsupported CBOR item'));
  });

  it('decodes indefinite arrays and maps, refuses malformed input with RangeError', () => {
    expect(encodeHex(decode('9f0102ff'))).toBe('820102');
    expect(encodeHex(decode('bf0102ff'))).toBe('a10102');
    for (const bad of [
      '',
      '18',
      '5a00000010',
      '820102ff',
      '83',
      'ff',
      '1c',
      '0001',
      'f8ff',
      '5f4100ff',
    ]) {
      expect(() => decode(bad), bad).toThrow(RangeError);
    }
    expect(() => decode(`${'81'.repeat(100)}00`)).toThrow(
      new RangeError('CBOR: nested too deeply'),
    );
  });

  it('property: decode(encode(x)) re-encodes identically, and cbor-x agrees with the bytes', () => {
    const leaf = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
      fc.uint8Array({ maxLength: 40 }),
      fc.string({ maxLength: 20 }),
      fc.boolean(),
      fc.constant(null),
    );
    const tree = fc.letrec((tie) => ({
      item: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('item'), { maxLength: 4 })),
    })).item as fc.Arbitrary<Cbor>;
    const enc = new Encoder({ useRecords: false, variableMapSize: true } as never);
    const dec = new Decoder({
      useRecords: false,
      mapsAsObjects: false,
      int64AsType: 'bigint',
    } as never);
    fc.assert(
      fc.property(tree, (x) => {
        const bytes = encode(x);
        expect(encode(decode(bytes))).toEqual(bytes);
        // cbor-x re-encodes the value it decoded from our bytes to the same bytes.
        const viaCborx = enc.encode(dec.decode(Buffer.from(bytes)));
        expect(toHex(viaCborx)).toBe(toHex(bytes));
      }),
      { numRuns: 200 },
    );
  });
});

describe('bech32 (BIP-173) with CIP-19 test vectors', () => {
  it('decodes base and reward addresses to the published bytes', () => {
    expect(bech32Decode(BASE)).toEqual({ prefix: 'addr_test', bytes: fromHex(BASE_HEX) });
    expect(toHex(bech32Decode(REWARD).bytes)).toBe(REWARD_HEX);
    expect(
      toHex(
        bech32Decode(
          'addr1qx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgse35a3x',
        ).bytes,
      ),
    ).toBe(`01${BASE_HEX.slice(2)}`);
  });
  it('refuses a flipped character, mixed case and junk', () => {
    const flipped = `${BASE.slice(0, 20)}${BASE[20] === 'q' ? 'p' : 'q'}${BASE.slice(21)}`;
    expect(() => bech32Decode(flipped)).toThrow(new RangeError('bech32 checksum mismatch'));
    expect(() => bech32Decode(`A${BASE.slice(1)}`)).toThrow(
      new RangeError('bech32 must not mix case'),
    );
    expect(() => bech32Decode('addr1b')).toThrow(RangeError);
    expect(() => bech32Decode(`${BASE.slice(0, -1)}o`)).toThrow(
      new RangeError('bech32 has an invalid character'),
    );
  });
});

describe('values and UTxOs (Conway CDDL)', () => {
  it('a coin-only value is a bare uint; with assets it is [coin, {policy: {name: qty}}] in canonical order', () => {
    expect(encodeValue(valueFromJson({ lovelace: '1000000' }))).toBe('1a000f4240');
    const hex = encodeValue(
      valueFromJson({
        lovelace: '2',
        assets: {
          [`${POLICY}.cafe`]: '3',
          [`${POLICY}.`]: '1',
          [`${'00'.repeat(28)}.ff`]: '18446744073709551615',
        },
      }),
    );
    expect(cborx(hex)).toEqual([
      2,
      new Map<string, Map<string, unknown>>([
        [`h'${'00'.repeat(28)}'`, new Map([["h'ff'", '18446744073709551615n']])],
        [
          `h'${POLICY}'`,
          new Map([
            ["h''", 1],
            ["h'cafe'", 3],
          ]),
        ],
      ]),
    ]);
    expect(decodeValue(hex)).toEqual(
      valueFromJson({
        lovelace: '2',
        assets: {
          [`${POLICY}.cafe`]: '3',
          [`${POLICY}.`]: '1',
          [`${'00'.repeat(28)}.ff`]: '18446744073709551615',
        },
      }),
    );
  });

  it('decodeValue refuses what is not a value', () => {
    for (const bad of ['', '20', '8100', '820100', `8201a1410ba0`, '6161']) {
      expect(() => decodeValue(bad), bad).toThrow(RangeError);
    }
  });

  it('a UTxO is [[tx hash, index], [address bytes, value]] (+ datum hash or inline datum)', () => {
    const hash = 'ab'.repeat(32);
    expect(
      cborx(encodeUtxo({ txHash: hash, index: 7, address: BASE, value: { lovelace: '5' } })),
    ).toEqual([
      [`h'${hash}'`, 7],
      [`h'${BASE_HEX}'`, 5],
    ]);
    expect(
      cborx(
        encodeUtxo({
          txHash: hash,
          index: 0,
          address: BASE_HEX,
          value: { lovelace: '5' },
          datumHash: 'cd'.repeat(32),
        }),
      ),
    ).toEqual([
      [`h'${hash}'`, 0],
      [`h'${BASE_HEX}'`, 5, `h'${'cd'.repeat(32)}'`],
    ]);
    const inline = encodeUtxo({
      txHash: hash,
      index: 1,
      address: BASE,
      value: { lovelace: '5' },
      inlineDatum: 'd87980',
    });
    expect(inline).toBe(`82825820${hash}01a30058390${BASE_HEX.slice(1)}0105028201d81843d87980`);
  });
});
