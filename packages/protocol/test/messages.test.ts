import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, ProtocolError } from '../src/errors.ts';
import { MAX_PAYLOAD_BYTES, MAX_TX_BYTES } from '../src/limits.ts';
import {
  errorMessage,
  helloMessage,
  parseHandshakeReply,
  parseHello,
  parseRequest,
  parseResponse,
  readyMessage,
  refusedMessage,
  requestMessage,
  resultMessage,
} from '../src/messages.ts';
import { ALL_METHODS, HOST_METHODS, WALLET_METHODS } from '../src/methods.ts';
import { BASE_TEST, TX_HASH, WALLET } from './fixtures.ts';

/** One valid params and result per method of both directions. */
const SAMPLES: Record<string, { params: unknown; result: unknown }> = {
  connect: { params: { network: 'preprod' }, result: { state: 'unlocked', wallet: WALLET } },
  createWallet: { params: {}, result: WALLET },
  signTx: {
    params: {
      tx: '84a0a0f5f6',
      partialSign: false,
      resolvedInputs: [
        {
          txHash: TX_HASH,
          index: 0,
          address: BASE_TEST,
          value: { lovelace: '5000000', assets: { [`${'b'.repeat(56)}.cafe`]: '7' } },
        },
      ],
    },
    result: { witnessSet: 'a0' },
  },
  signData: { params: { address: BASE_TEST, payload: '' }, result: { signature: '84', key: 'a4' } },
  manage: { params: { flow: 'changePassword' }, result: { done: true } },
  lock: { params: {}, result: {} },
  getToken: { params: {}, result: { token: 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2ln' } },
  resolveInputs: {
    params: { inputs: [{ txHash: TX_HASH, index: 3 }] },
    result: {
      inputs: [{ txHash: TX_HASH, index: 3, address: BASE_TEST, value: { lovelace: '1' } }],
    },
  },
  ui: { params: { visible: true }, result: {} },
  walletChanged: { params: { wallet: null }, result: {} },
};

const req = (method: string, params: unknown, id = 'r1') => ({
  ns: 'trine',
  v: 1,
  id,
  method,
  params,
});

describe('method table', () => {
  it('has a sample for every method of both directions, and no other method', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(ALL_METHODS).sort());
    expect(Object.keys(WALLET_METHODS)).toEqual([
      'connect',
      'createWallet',
      'signTx',
      'signData',
      'manage',
      'lock',
    ]);
    expect(Object.keys(HOST_METHODS)).toEqual(['getToken', 'resolveInputs', 'ui', 'walletChanged']);
  });

  for (const [method, { params, result }] of Object.entries(SAMPLES)) {
    it(`${method}: request and response round-trip through structuredClone`, () => {
      const r = parseRequest(structuredClone(requestMessage('id-1', method, params)));
      expect(r).toEqual({ ok: true, value: requestMessage('id-1', method, params) });
      const spec = ALL_METHODS[method as keyof typeof ALL_METHODS] as {
        result(v: unknown): unknown;
      };
      const s = parseResponse(structuredClone(resultMessage('id-1', result)), spec.result);
      expect(s).toEqual({ ok: true, value: resultMessage('id-1', result) });
    });
  }

  it('strips fields it does not know (a smuggled secret never survives validation)', () => {
    const r = parseResponse(
      resultMessage('a', { witnessSet: 'a0', mnemonic: 'abandon …', privateKey: 'ff' }),
      WALLET_METHODS.signTx.result,
    );
    expect(r).toEqual({ ok: true, value: resultMessage('a', { witnessSet: 'a0' }) });
    const w = WALLET_METHODS.createWallet.result({
      ...WALLET,
      share: 'x',
      addresses: { ...WALLET.addresses, k: 1 },
    });
    expect(w).toEqual(WALLET);
  });
});

describe('manage flows', () => {
  it("accepts 'activity' (the Security activity screen) like the other flows; refuses an unknown one", () => {
    const parse = WALLET_METHODS.manage.params;
    for (const flow of [
      'recover',
      'changePassword',
      'changeQuestion',
      'export',
      'delete',
      'activity',
    ]) {
      expect(parse({ flow })).toEqual({ flow });
    }
    for (const flow of ['activities', 'Activity', '', 1, null]) {
      expect(() => parse({ flow })).toThrow(ProtocolError);
    }
  });
});

describe('parseRequest', () => {
  const code = (data: unknown, specs: object = ALL_METHODS) => {
    const r = parseRequest(data, specs as typeof ALL_METHODS);
    return r.ok ? 'ok' : `${r.error.code}: ${r.error.message} (id ${r.id})`;
  };

  it('names each failure with a stable code', () => {
    expect(code(null)).toBe('invalid_message: message must be an object (id undefined)');
    expect(code({ ...req('connect', { network: 'preprod' }), ns: 'penpal' })).toBe(
      "invalid_message: message.ns must be 'trine' (id r1)",
    );
    expect(code({ ...req('connect', { network: 'preprod' }), v: 2 })).toBe(
      'unsupported_version: message.v must be 1 (id r1)',
    );
    expect(code({ ...req('connect', { network: 'preprod' }), id: 'bad id' })).toBe(
      'invalid_message: message.id must be 1..64 chars of [A-Za-z0-9_-] (id undefined)',
    );
    expect(code(req('transfer', {}))).toBe('unknown_method: unknown method "transfer" (id r1)');
    expect(code(req('toString', {}))).toBe('unknown_method: unknown method "toString" (id r1)');
    expect(code(req('connect', { network: 'testnet' }))).toBe(
      'invalid_params: connect: params.network must be one of mainnet, preprod, preview (id r1)',
    );
    expect(code(req('signTx', { tx: 'abc', partialSign: false }))).toBe(
      'invalid_params: signTx: params.tx must be even-length hex (id r1)',
    );
    expect(code(req('signTx', { tx: 'a0', partialSign: 'no' }))).toBe(
      'invalid_params: signTx: params.partialSign must be a boolean (id r1)',
    );
  });

  it('only accepts methods of the table it is given (direction)', () => {
    expect(code(req('getToken', {}), WALLET_METHODS)).toBe(
      'unknown_method: unknown method "getToken" (id r1)',
    );
    expect(code(req('signTx', { tx: 'a0', partialSign: true }), HOST_METHODS)).toBe(
      'unknown_method: unknown method "signTx" (id r1)',
    );
  });

  it('enforces the size caps exactly at the limit', () => {
    const atTx = 'ab'.repeat(MAX_TX_BYTES);
    expect(code(req('signTx', { tx: atTx, partialSign: false }))).toBe('ok');
    expect(code(req('signTx', { tx: `${atTx}ab`, partialSign: false }))).toBe(
      `invalid_params: signTx: params.tx must be at most ${MAX_TX_BYTES} bytes (id r1)`,
    );
    const atPayload = 'ab'.repeat(MAX_PAYLOAD_BYTES);
    expect(code(req('signData', { address: BASE_TEST, payload: atPayload }))).toBe('ok');
    expect(code(req('signData', { address: BASE_TEST, payload: `${atPayload}00` }))).toBe(
      `invalid_params: signData: params.payload must be at most ${MAX_PAYLOAD_BYTES} bytes (id r1)`,
    );
    expect(code({ ...req('lock', {}), id: 'a'.repeat(64) })).toBe('ok');
    expect(code({ ...req('lock', {}), id: 'a'.repeat(65) })).toMatch(
      /^invalid_message: message.id/,
    );
    expect(
      code(
        req('resolveInputs', {
          inputs: Array.from({ length: 2049 }, () => ({ txHash: TX_HASH, index: 0 })),
        }),
      ),
    ).toBe('invalid_params: resolveInputs: params.inputs must hold at most 2048 items (id r1)');
  });

  it('refuses wallet info whose addresses do not match its network', () => {
    const mainnet = { ...WALLET, network: 'mainnet', networkId: 1 };
    expect(code(req('walletChanged', { wallet: mainnet }))).toBe(
      'invalid_params: walletChanged: params.wallet.addresses.base must start with addr1 (id r1)',
    );
    const badHex = {
      ...WALLET,
      addresses: { ...WALLET.addresses, baseHex: `01${WALLET.addresses.baseHex.slice(2)}` },
    };
    expect(code(req('walletChanged', { wallet: badHex }))).toBe(
      'invalid_params: walletChanged: params.wallet.addresses.baseHex is for another network (id r1)',
    );
    const swapped = {
      ...WALLET,
      addresses: { ...WALLET.addresses, rewardHex: WALLET.addresses.baseHex },
    };
    expect(code(req('walletChanged', { wallet: swapped }))).toBe(
      'invalid_params: walletChanged: params.wallet.addresses.rewardHex is not a reward address (id r1)',
    );
  });
});

describe('parseResponse', () => {
  it('accepts exactly one of result / error and validates the error', () => {
    expect(parseResponse(errorMessage('a', { code: 'user_declined', message: 'no' }))).toEqual({
      ok: true,
      value: errorMessage('a', { code: 'user_declined', message: 'no' }),
    });
    const both = { ...resultMessage('a', {}), error: { code: 'internal', message: '' } };
    const r = parseResponse(both);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect([r.error.code, r.error.message, r.id]).toEqual([
        'invalid_message',
        'response must hold exactly one of result, error',
        'a',
      ]);
  });

  it('maps an error code it does not know to internal, keeping the message', () => {
    expect(
      parseResponse({ ns: 'trine', v: 1, id: 'a', error: { code: 'future_code', message: 'm' } }),
    ).toEqual({
      ok: true,
      value: errorMessage('a', { code: 'internal', message: 'm' }),
    });
  });

  it('turns a result validator failure into invalid_message', () => {
    const r = parseResponse(
      resultMessage('a', { witnessSet: 'xyz' }),
      WALLET_METHODS.signTx.result,
    );
    expect(r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`).toBe(
      'invalid_message: result.witnessSet must be even-length hex',
    );
  });
});

describe('handshake messages', () => {
  it('round-trip', () => {
    expect(parseHello(structuredClone(helloMessage('dev', 'preview')))).toEqual({
      ok: true,
      value: helloMessage('dev', 'preview'),
    });
    expect(parseHandshakeReply(readyMessage())).toEqual({ ok: true, value: readyMessage() });
    const refused = refusedMessage({ code: 'origin_refused', message: 'no' });
    expect(parseHandshakeReply(refused)).toEqual({ ok: true, value: refused });
  });
  it('refuse bad hellos with a code', () => {
    const r = parseHello({ ...helloMessage('dev', 'preview'), v: 9 });
    expect(r.ok ? 'ok' : r.error.code).toBe('unsupported_version');
    const s = parseHello({ ...helloMessage('dev', 'preview'), appId: 'a/b' });
    expect(s.ok ? 'ok' : `${s.error.code}: ${s.error.message}`).toBe(
      'invalid_message: hello.appId is malformed',
    );
  });
});

// --- properties ------------------------------------------------------------------------

const parsers = [
  (d: unknown) => parseRequest(d),
  (d: unknown) => parseRequest(d, WALLET_METHODS),
  (d: unknown) => parseResponse(d),
  (d: unknown) => parseResponse(d, WALLET_METHODS.connect.result),
  (d: unknown) => parseHello(d),
  (d: unknown) => parseHandshakeReply(d),
];

function assertOutcome(r: { ok: boolean; error?: unknown }) {
  if (!r.ok) expect(isProtocolError(r.error)).toBe(true);
}

/** Mutates one field of a valid message to an arbitrary value (or deletes it). */
const mutated = fc
  .tuple(
    fc.constantFrom(...Object.entries(SAMPLES)),
    fc.constantFrom(
      'ns',
      'v',
      'id',
      'method',
      'params',
      'result',
      'error',
      'tx',
      'network',
      'wallet',
    ),
    fc.oneof(fc.anything(), fc.constant(undefined)),
    fc.boolean(),
  )
  .map(([[method, s], key, value, asResponse]) => {
    const m: Record<string, unknown> = asResponse
      ? { ...resultMessage('id1', structuredClone(s.result)) }
      : { ...requestMessage('id1', method, structuredClone(s.params)) };
    const inner = (asResponse ? m.result : m.params) as Record<string, unknown>;
    if (key in m) m[key] = value;
    else if (inner && typeof inner === 'object') inner[key] = value;
    return m;
  });

describe('properties', () => {
  it('random values: every parser returns a value or a coded error, never throws', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }),
        (d) => {
          for (const p of parsers) assertOutcome(p(d));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('mutated valid messages: a value or a coded error; a parsed value re-parses to itself', () => {
    fc.assert(
      fc.property(mutated, (m) => {
        for (const p of parsers) assertOutcome(p(m));
        const r = parseRequest(m);
        if (r.ok) expect(parseRequest(structuredClone(r.value))).toEqual(r);
      }),
      { numRuns: 1000 },
    );
  });

  it('a thrown validator error is always a ProtocolError', () => {
    fc.assert(
      fc.property(fc.anything(), (d) => {
        for (const spec of Object.values(ALL_METHODS)) {
          for (const f of [spec.params, spec.result]) {
            try {
              f(d);
            } catch (e) {
              expect(e).toBeInstanceOf(ProtocolError);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
