/**
 * One hostile-input list run against every exported function of every module
 * (STYLE.md §9): each call must return or throw a TrineError with a known code, a
 * TypeError or a RangeError raised by our own checks (not an engine message such as
 * "Cannot read properties of undefined") — never another class, never hang.
 */
import { describe, expect, it } from 'vitest';
import * as answer from '../src/answer.ts';
import * as bytes from '../src/bytes.ts';
import * as entropy from '../src/entropy.ts';
import * as envelope from '../src/envelope.ts';
import * as errors from '../src/errors.ts';
import * as kdf from '../src/kdf.ts';
import * as mnemonic from '../src/mnemonic.ts';
import * as realmCrypto from '../src/realm-crypto.ts';
import * as seal from '../src/seal.ts';
import * as sealV2 from '../src/seal-v2.ts';
import * as sealedRecord from '../src/sealed-record.ts';
import * as shamir from '../src/shamir.ts';
import * as wipe from '../src/wipe.ts';
import { CTX } from './helpers.ts';

function deep(n: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < n; i++) v = { a: v, share: v };
  return v;
}

const HOSTILE: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['0', 0],
  ['-1', -1],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['2^53', 2 ** 53],
  ['1.5', 1.5],
  ['true', true],
  ['bigint', 10n],
  ['symbol', Symbol('x')],
  ['function', () => 1],
  ["''", ''],
  ["'abc'", 'abc'],
  ['unicode', '\u0000\ud800🐎\u202e'],
  ['huge string', 'A'.repeat(1 << 20)],
  ['JSON text', '{"v":1}'],
  ['deep JSON text', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['[]', []],
  ['[1,2,3]', [1, 2, 3]],
  ['array of 10^5', new Array(100_000).fill(0)],
  ['{}', {}],
  ['__proto__ object', JSON.parse('{"__proto__":{"v":1,"role":1},"constructor":{"prototype":1}}')],
  ['null-proto object', Object.create(null)],
  ['deep object', deep(2000)],
  ['Uint8Array(0)', new Uint8Array(0)],
  ['Uint8Array(1)', new Uint8Array(1)],
  ['Uint8Array(15)', new Uint8Array(15)],
  ['Uint8Array(17)', new Uint8Array(17)],
  ['Uint8Array(1 MiB)', new Uint8Array(1 << 20)],
  ['Uint16Array(16)', new Uint16Array(16)],
  ['ArrayBuffer(32)', new ArrayBuffer(32)],
  ['Date', new Date(0)],
  ['Map', new Map([['v', 1]])],
  ['Promise', Promise.resolve(1)],
  ['Error', new Error('x')],
];

/**
 * Engine-generated messages mean an input slipped past our checks. (Our own messages
 * avoid the words "undefined" and "null", so a message like "must be null bytes" —
 * a real bug this list found — is caught too.)
 */
const ENGINE_MESSAGE =
  /Cannot read|Cannot convert|is not a function|is not iterable|is not a constructor|Maximum call stack|Invalid array length|undefined|null/;

async function settle(call: () => unknown): Promise<{ ok: true } | { ok: false; error: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('HANG: no result within 10 s')), 10_000);
  });
  try {
    await Promise.race([Promise.resolve().then(call), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

function checkError(where: string, error: unknown): void {
  if (errors.isTrineError(error)) {
    expect(errors.TRINE_ERROR_CODES, where).toContain(error.code);
    expect(error).toBeInstanceOf(errors.TrineError);
    return;
  }
  const cls = (error as Error)?.constructor;
  expect([TypeError, RangeError], `${where}: ${String(error)}`).toContain(cls);
  expect((error as Error).message, where).not.toMatch(ENGINE_MESSAGE);
}

// A fast, valid record and envelopes for the argument positions not under test.
const shares = await shamir.splitSecret(new Uint8Array(16).fill(7), CTX);
const sealed = await seal.sealShare(shares.device, 'pw', { kdf: kdf.KDF_FLOOR });
const FAST = { kdf: kdf.KDF_FLOOR };
const SALT = new Uint8Array(16).fill(1);
const H = new Uint8Array(32).fill(2);
const U = new Uint8Array(32).fill(3);
const V2IN = {
  h: H,
  unlockKey: U,
  kdf: { name: 'argon2id' as const, ...kdf.KDF_FLOOR, salt: bytes.toBase64Url(SALT) },
  realms: { threshold: 1, ids: ['r1'], epoch: 1 },
};
const sealedV2 = sealV2.sealShareV2(shares.recovery, V2IN);
const REALM_PK = (await import('@noble/curves/ed25519.js')).ristretto255_oprf
  .poprf(new Uint8Array(0))
  .generateKeyPair().publicKey;
const X = realmCrypto.oprfInput(H);
const INFO = realmCrypto.realmInfo({ appId: 'a', iss: 'i', sub: 's', walletId: 'w' });
const BLIND = realmCrypto.blindRequest(X, INFO, REALM_PK);
const OUT = { realmId: 'r1', output: new Uint8Array(64) };

/** Valid arguments per function; each position is replaced by each hostile value. */
const VALID: Record<string, unknown[]> = {
  'answer.normalizeAnswer': ['x'],
  'bytes.abytes': [new Uint8Array(1), 1, 'value'],
  'bytes.toBase64Url': [new Uint8Array(1)],
  'bytes.fromBase64Url': ['AA', 'value'],
  'bytes.toHex': [new Uint8Array(1)],
  'bytes.fromHex': ['00', 'value'],
  'bytes.equalBytes': [new Uint8Array(1), new Uint8Array(1)],
  'bytes.utf8': ['x'],
  'entropy.generateEntropy': [16],
  'entropy.isEntropySize': [16],
  'envelope.parseHeader': [envelope.headerOf(shares.auth)],
  'envelope.parseEnvelope': [shares.auth],
  'envelope.encodeHeader': [envelope.headerOf(shares.auth)],
  'envelope.encodeEnvelope': [shares.auth],
  'envelope.headerOf': [shares.auth],
  'envelope.headerBytes': [envelope.headerOf(shares.auth)],
  'errors.TrineError': ['INVALID_ARGUMENT', 'message', {}],
  'errors.isTrineError': [new Error('x'), 'INVALID_ARGUMENT'],
  'kdf.checkKdfParams': [kdf.KDF_FLOOR],
  'kdf.hashAnswer': ['x', SALT, kdf.KDF_FLOOR],
  'kdf.deriveSealKey': [new Uint8Array(1), new Uint8Array(16), kdf.KDF_FLOOR, 'device'],
  'mnemonic.entropyToMnemonic': [new Uint8Array(16)],
  'mnemonic.mnemonicToEntropy': [`${'abandon '.repeat(11)}about`],
  'seal.sealShare': [shares.device, 'pw', FAST],
  'seal.openShare': [sealed, 'pw', {}],
  'sealV2.sealShareV2': [shares.recovery, V2IN],
  'sealV2.openShareV2': [sealedV2, H, U],
  'realmCrypto.checkRealmId': ['r1', 'realm id'],
  'realmCrypto.checkThreshold': [1, 1],
  'realmCrypto.checkRealmPublicKey': [REALM_PK],
  'realmCrypto.realmInfo': [{ appId: 'a', iss: 'i', sub: 's', walletId: 'w' }],
  'realmCrypto.oprfInput': [H],
  'realmCrypto.blindRequest': [X, INFO, REALM_PK],
  'realmCrypto.finalizeEvaluation': [X, INFO, BLIND, REALM_PK, new Uint8Array(64)],
  'realmCrypto.realmPad': [new Uint8Array(64), 'r1', 1],
  'realmCrypto.unlockTag': [U, 'r1', 1],
  'realmCrypto.sealKeyV2': [H, U],
  'realmCrypto.createRegistration': [[OUT], 1, 1],
  'realmCrypto.unlockKeyCandidates': [[{ ...OUT, maskedShare: new Uint8Array(33) }], 1, 1],
  'sealedRecord.parseSealedRecord': [sealed],
  'sealedRecord.encodeSealedRecord': [sealed],
  'sealedRecord.additionalData': [sealed],
  'shamir.shareTag': [new Uint8Array(16), envelope.headerOf(shares.auth), new Uint8Array(17)],
  'shamir.splitSecret': [new Uint8Array(16), CTX],
  'shamir.combineShares': [[shares.device, shares.auth], {}],
  'wipe.wipe': [new Uint8Array(1)],
  'wipe.withWiped': [new Uint8Array(1), () => 1],
};

const MODULES = {
  answer,
  bytes,
  entropy,
  envelope,
  errors,
  kdf,
  mnemonic,
  realmCrypto,
  seal,
  sealV2,
  sealedRecord,
  shamir,
  wipe,
};
const FUNCTIONS = Object.entries(MODULES).flatMap(([m, mod]) =>
  Object.entries(mod)
    .filter(([, v]) => typeof v === 'function')
    .map(([name, fn]) => [`${m}.${name}`, fn as (...a: unknown[]) => unknown] as const),
);

describe('hostile inputs against every export', () => {
  it('covers every exported function', () => {
    expect(FUNCTIONS.map(([n]) => n).sort()).toEqual(Object.keys(VALID).sort());
  });

  it.each(FUNCTIONS)('%s', async (name, fn) => {
    const valid = VALID[name]!;
    const construct = name === 'errors.TrineError';
    const positions = Math.max(valid.length, 1);
    for (let pos = 0; pos < positions; pos++) {
      for (const [label, value] of HOSTILE) {
        // A hostile *string* as password runs one floor-cost KDF (the few short strings
        // in the list); every other hostile value fails a type/length check first.
        const args = [...valid];
        args[pos] = value;
        const where = `${name}(arg ${pos} = ${label})`;
        const r = await settle(() => (construct ? Reflect.construct(fn, args) : fn(...args)));
        if (!r.ok) checkError(where, r.error);
      }
    }
  });
});
