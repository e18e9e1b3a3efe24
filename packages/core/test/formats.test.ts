import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../src/bytes.ts';
import {
  encodeEnvelope,
  encodeHeader,
  headerOf,
  parseEnvelope,
  type ShareEnvelope,
} from '../src/envelope.ts';
import {
  additionalData,
  encodeSealedRecord,
  parseSealedRecord,
  type SealedRecord,
} from '../src/sealed-record.ts';
import { expectCode } from './helpers.ts';

const bytes = (min: number, max = min) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map(toBase64Url);
const hex = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('hex'));

const header = (roles: readonly (1 | 2 | 3)[]) =>
  fc.record({
    v: fc.constant(1 as const),
    walletId: fc.uuid(),
    keyId: hex(8, 64),
    epoch: fc.integer({ min: 1, max: 2_147_483_647 }),
    role: fc.constantFrom(...roles),
    threshold: fc.constant(2 as const),
  });

const envelope: fc.Arbitrary<ShareEnvelope> = fc
  .tuple(header([1, 2, 3]), bytes(17, 65), bytes(16))
  .map(([h, share, tag]) => ({ ...h, share, tag }));

const record: fc.Arbitrary<SealedRecord> = fc
  .tuple(
    header([1, 3]),
    fc.integer({ min: 1, max: 4194304 }),
    fc.integer({ min: 1, max: 64 }),
    fc.integer({ min: 1, max: 64 }),
    bytes(16),
    bytes(12),
    bytes(49, 97),
  )
  .map(([h, m, t, p, salt, nonce, ciphertext]) => ({
    v: 1 as const,
    alg: 'A256GCM' as const,
    kdf: { name: 'argon2id' as const, m, t, p, salt },
    header: h,
    nonce,
    ciphertext,
  }));

describe('envelope encoding', () => {
  it('parse(encode(e)) = e and encode is canonical (property)', () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const text = encodeEnvelope(e);
        expect(parseEnvelope(text)).toEqual(e);
        expect(encodeEnvelope(parseEnvelope(text))).toBe(text);
        // Any JSON formatting or key order of the same value encodes to the same text.
        const shuffled = JSON.stringify(Object.fromEntries(Object.entries(e).reverse()), null, 2);
        expect(encodeEnvelope(parseEnvelope(shuffled))).toBe(text);
        expect(encodeHeader(headerOf(e))).toBe(`${text.slice(0, text.indexOf(',"share"'))}}`);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses non-canonical and malformed fields', async () => {
    const [e] = fc.sample(envelope, { numRuns: 1, seed: 7 });
    const ok = e!;
    await expectCode(
      () => parseEnvelope({ ...ok, walletId: ok.walletId.toUpperCase() }),
      'ENVELOPE_MALFORMED',
    );
    await expectCode(() => parseEnvelope({ ...ok, epoch: 1.5 }), 'ENVELOPE_MALFORMED');
    await expectCode(() => parseEnvelope({ ...ok, share: `${ok.share}==` }), 'ENVELOPE_MALFORMED');
    await expectCode(
      () => parseEnvelope({ ...ok, extra: 1 }),
      'ENVELOPE_MALFORMED',
      'envelope has an unexpected field "extra"',
    );
    await expectCode(() => parseEnvelope({ ...ok, v: 2 }), 'ENVELOPE_UNSUPPORTED_VERSION');
  });
});

describe('sealed record encoding', () => {
  it('parse(encode(r)) = r and encode is canonical (property)', () => {
    fc.assert(
      fc.property(record, (r) => {
        const text = encodeSealedRecord(r);
        expect(parseSealedRecord(text)).toEqual(r);
        expect(encodeSealedRecord(parseSealedRecord(JSON.parse(text)))).toBe(text);
        expect(JSON.parse(text)).toEqual(r);
        // The AAD covers everything but nonce and ciphertext.
        const aad = new TextDecoder().decode(additionalData(r));
        expect(JSON.parse(aad)).toEqual({ v: 1, alg: 'A256GCM', kdf: r.kdf, header: r.header });
      }),
      { numRuns: 300 },
    );
  });
});
