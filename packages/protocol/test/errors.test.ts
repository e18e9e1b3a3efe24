import { describe, expect, it } from 'vitest';
import {
  fromWireError,
  isProtocolError,
  isProtocolErrorCode,
  PROTOCOL_ERROR_CODES,
  ProtocolError,
  toCip30Error,
  toWireError,
} from '../src/errors.ts';
import * as guards from '../src/guards.ts';
import { acceptHello, isOrigin } from '../src/handshake.ts';
import * as messages from '../src/messages.ts';
import { parseWireError } from '../src/messages.ts';
import * as methods from '../src/methods.ts';
import { hostileValues } from './fixtures.ts';

describe('ProtocolError', () => {
  it('has a stable name, code and wire shape', () => {
    const e = new ProtocolError('user_declined', 'no');
    expect([e.name, e.code, e.message, e instanceof Error]).toEqual([
      'ProtocolError',
      'user_declined',
      'no',
      true,
    ]);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'user_declined', message: 'no' });
    expect(fromWireError(e.toJSON())).toMatchObject({
      name: 'ProtocolError',
      code: 'user_declined',
      message: 'no',
    });
  });

  it('is recognised across realms by name and code', () => {
    expect(isProtocolError({ name: 'ProtocolError', code: 'timeout', message: '' })).toBe(true);
    expect(isProtocolError({ name: 'ProtocolError', code: 'nope' })).toBe(false);
    expect(isProtocolError(new ProtocolError('timeout', ''), 'destroyed')).toBe(false);
    expect(isProtocolError(new Error('x'))).toBe(false);
  });

  it('toWireError keeps coded errors (cut to 1024 chars) and hides everything else', () => {
    expect(
      toWireError(new ProtocolError('vault_unavailable', 'v'.repeat(5000))).message,
    ).toHaveLength(1024);
    expect(toWireError(new Error('mnemonic: abandon abandon …'))).toEqual({
      code: 'internal',
      message: 'internal error',
    });
    expect(toWireError({ code: 'user_declined', message: 'forged' })).toEqual({
      code: 'internal',
      message: 'internal error',
    });
  });

  it('codes are unique and snake_case', () => {
    expect(new Set(PROTOCOL_ERROR_CODES).size).toBe(PROTOCOL_ERROR_CODES.length);
    for (const c of PROTOCOL_ERROR_CODES) expect(c).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(isProtocolErrorCode('timeout')).toBe(true);
    expect(isProtocolErrorCode('__proto__')).toBe(false);
  });
});

describe('CIP-30 error shapes (CIP-0030 §Error Types)', () => {
  it('maps every code in every context', () => {
    const table: Record<string, string> = {};
    for (const code of PROTOCOL_ERROR_CODES) {
      table[code] = (['api', 'signTx', 'signData', 'submitTx', 'paginate'] as const)
        .map((ctx) => JSON.stringify(toCip30Error(code, 'i', ctx, 3)))
        .join(' ');
    }
    expect(table).toMatchInlineSnapshot(`
      {
        "account_changed": "{"code":-4,"info":"i","reason":"account_changed"} {"code":-4,"info":"i","reason":"account_changed"} {"code":-4,"info":"i","reason":"account_changed"} {"code":-4,"info":"i","reason":"account_changed"} {"code":-4,"info":"i","reason":"account_changed"}",
        "address_not_ours": "{"code":-1,"info":"i","reason":"address_not_ours"} {"code":-1,"info":"i","reason":"address_not_ours"} {"code":2,"info":"i","reason":"address_not_ours"} {"code":-1,"info":"i","reason":"address_not_ours"} {"code":-1,"info":"i","reason":"address_not_ours"}",
        "chain_unavailable": "{"code":-2,"info":"i","reason":"chain_unavailable"} {"code":-2,"info":"i","reason":"chain_unavailable"} {"code":-2,"info":"i","reason":"chain_unavailable"} {"code":2,"info":"i","reason":"chain_unavailable"} {"code":-2,"info":"i","reason":"chain_unavailable"}",
        "destroyed": "{"code":-3,"info":"i","reason":"destroyed"} {"code":-3,"info":"i","reason":"destroyed"} {"code":-3,"info":"i","reason":"destroyed"} {"code":-3,"info":"i","reason":"destroyed"} {"code":-3,"info":"i","reason":"destroyed"}",
        "frame_blocked": "{"code":-3,"info":"i","reason":"frame_blocked"} {"code":-3,"info":"i","reason":"frame_blocked"} {"code":-3,"info":"i","reason":"frame_blocked"} {"code":-3,"info":"i","reason":"frame_blocked"} {"code":-3,"info":"i","reason":"frame_blocked"}",
        "internal": "{"code":-2,"info":"i","reason":"internal"} {"code":-2,"info":"i","reason":"internal"} {"code":-2,"info":"i","reason":"internal"} {"code":-2,"info":"i","reason":"internal"} {"code":-2,"info":"i","reason":"internal"}",
        "invalid_message": "{"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"}",
        "invalid_params": "{"code":-1,"info":"i","reason":"invalid_params"} {"code":-1,"info":"i","reason":"invalid_params"} {"code":-1,"info":"i","reason":"invalid_params"} {"code":-1,"info":"i","reason":"invalid_params"} {"code":-1,"info":"i","reason":"invalid_params"}",
        "network_mismatch": "{"code":-3,"info":"i","reason":"network_mismatch"} {"code":-3,"info":"i","reason":"network_mismatch"} {"code":-3,"info":"i","reason":"network_mismatch"} {"code":-3,"info":"i","reason":"network_mismatch"} {"code":-3,"info":"i","reason":"network_mismatch"}",
        "not_connected": "{"code":-3,"info":"i","reason":"not_connected"} {"code":-3,"info":"i","reason":"not_connected"} {"code":-3,"info":"i","reason":"not_connected"} {"code":-3,"info":"i","reason":"not_connected"} {"code":-3,"info":"i","reason":"not_connected"}",
        "origin_refused": "{"code":-3,"info":"i","reason":"origin_not_allowed"} {"code":-3,"info":"i","reason":"origin_not_allowed"} {"code":-3,"info":"i","reason":"origin_not_allowed"} {"code":-3,"info":"i","reason":"origin_not_allowed"} {"code":-3,"info":"i","reason":"origin_not_allowed"}",
        "paginate_out_of_range": "{"code":-1,"info":"i","reason":"paginate_out_of_range"} {"code":-1,"info":"i","reason":"paginate_out_of_range"} {"code":-1,"info":"i","reason":"paginate_out_of_range"} {"code":-1,"info":"i","reason":"paginate_out_of_range"} {"maxSize":3,"reason":"paginate_out_of_range"}",
        "proof_generation": "{"code":-2,"info":"i","reason":"proof_generation"} {"code":1,"info":"i","reason":"proof_generation"} {"code":1,"info":"i","reason":"proof_generation"} {"code":-2,"info":"i","reason":"proof_generation"} {"code":-2,"info":"i","reason":"proof_generation"}",
        "timeout": "{"code":-2,"info":"i","reason":"timeout"} {"code":-2,"info":"i","reason":"timeout"} {"code":-2,"info":"i","reason":"timeout"} {"code":2,"info":"i","reason":"timeout"} {"code":-2,"info":"i","reason":"timeout"}",
        "token_refused": "{"code":-3,"info":"i","reason":"token_refused"} {"code":-3,"info":"i","reason":"token_refused"} {"code":-3,"info":"i","reason":"token_refused"} {"code":-3,"info":"i","reason":"token_refused"} {"code":-3,"info":"i","reason":"token_refused"}",
        "too_many_requests": "{"code":-3,"info":"i","reason":"rate_limited"} {"code":-3,"info":"i","reason":"rate_limited"} {"code":-3,"info":"i","reason":"rate_limited"} {"code":-3,"info":"i","reason":"rate_limited"} {"code":-3,"info":"i","reason":"rate_limited"}",
        "tx_failed": "{"code":-2,"info":"i","reason":"tx_failed"} {"code":-2,"info":"i","reason":"tx_failed"} {"code":-2,"info":"i","reason":"tx_failed"} {"code":2,"info":"i","reason":"tx_failed"} {"code":-2,"info":"i","reason":"tx_failed"}",
        "tx_refused": "{"code":-3,"info":"i","reason":"tx_refused"} {"code":-3,"info":"i","reason":"tx_refused"} {"code":-3,"info":"i","reason":"tx_refused"} {"code":1,"info":"i","reason":"tx_refused"} {"code":-3,"info":"i","reason":"tx_refused"}",
        "unknown_app": "{"code":-3,"info":"i","reason":"unknown_app"} {"code":-3,"info":"i","reason":"unknown_app"} {"code":-3,"info":"i","reason":"unknown_app"} {"code":-3,"info":"i","reason":"unknown_app"} {"code":-3,"info":"i","reason":"unknown_app"}",
        "unknown_method": "{"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"}",
        "unsupported_version": "{"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"} {"code":-2,"info":"i","reason":"protocol_error"}",
        "user_declined": "{"code":-3,"info":"i","reason":"user_declined"} {"code":2,"info":"i","reason":"user_declined"} {"code":3,"info":"i","reason":"user_declined"} {"code":1,"info":"i","reason":"user_declined"} {"code":-3,"info":"i","reason":"user_declined"}",
        "vault_unavailable": "{"code":-2,"info":"i","reason":"vault_unavailable"} {"code":-2,"info":"i","reason":"vault_unavailable"} {"code":-2,"info":"i","reason":"vault_unavailable"} {"code":-2,"info":"i","reason":"vault_unavailable"} {"code":-2,"info":"i","reason":"vault_unavailable"}",
        "wallet_missing": "{"code":-3,"info":"i","reason":"wallet_missing"} {"code":-3,"info":"i","reason":"wallet_missing"} {"code":-3,"info":"i","reason":"wallet_missing"} {"code":-3,"info":"i","reason":"wallet_missing"} {"code":-3,"info":"i","reason":"wallet_missing"}",
      }
    `);
  });
});

describe('one hostile-input list against every validating export', () => {
  /** Each returns normally or throws a ProtocolError; nothing else. */
  const exports: Record<string, (v: unknown) => unknown> = {
    parseRequest: (v) => messages.parseRequest(v),
    parseRequestWallet: (v) => messages.parseRequest(v, methods.WALLET_METHODS),
    parseRequestHost: (v) => messages.parseRequest(v, methods.HOST_METHODS),
    parseResponse: (v) => messages.parseResponse(v),
    parseResponseTyped: (v) => messages.parseResponse(v, methods.WALLET_METHODS.signTx.result),
    parseHello: messages.parseHello,
    parseHandshakeReply: messages.parseHandshakeReply,
    parseWireError: messages.parseWireError,
    usableId: messages.usableId,
    isRequestLike: messages.isRequestLike,
    parseWalletInfo: (v) => methods.parseWalletInfo(v),
    parseOutRef: (v) => methods.parseOutRef(v, 'x'),
    parseValue: (v) => methods.parseValue(v, 'x'),
    parseResolvedInput: (v) => methods.parseResolvedInput(v, 'x'),
    'guards.record': (v) => guards.record(v, 'x'),
    'guards.list': (v) => guards.list(v, 'x', 3),
    'guards.text': (v) => guards.text(v, 'x', 10, /^a+$/),
    'guards.hex': (v) => guards.hex(v, 'x', 4),
    'guards.bool': (v) => guards.bool(v, 'x'),
    'guards.uint': (v) => guards.uint(v, 'x', 10),
    'guards.decimal': (v) => guards.decimal(v, 'x'),
    'guards.oneOf': (v) => guards.oneOf(v, 'x', ['a', 'b']),
    acceptHello: (v) =>
      acceptHello(
        { source: 1, origin: v as string, data: v, ports: [] },
        ['https://a.example'],
        null,
        { source: 1 },
      ),
    acceptHelloEvent: (v) =>
      acceptHello(v as never, ['https://a.example'], v as never, { source: 1 }),
    isOrigin,
    toWireError,
    isProtocolError,
  };
  for (const [name, spec] of Object.entries(methods.ALL_METHODS)) {
    exports[`${name}.params`] = spec.params;
    exports[`${name}.result`] = spec.result;
  }

  for (const [name, f] of Object.entries(exports)) {
    it(name, () => {
      for (const v of hostileValues()) {
        let r: unknown;
        try {
          r = f(v);
        } catch (e) {
          expect(e, `${name} threw for ${String(typeof v)}`).toBeInstanceOf(ProtocolError);
          continue;
        }
        // Parsers answer {ok:false, error}; guards may hand back the (hostile) value itself.
        if (r !== v && r && typeof r === 'object' && (r as { ok?: boolean }).ok === false) {
          expect(isProtocolError((r as { error: unknown }).error)).toBe(true);
        }
      }
    });
  }

  it('the parsers reject every hostile value with a ProtocolError result (none is valid)', () => {
    for (const v of hostileValues()) {
      const r = messages.parseRequest(v);
      expect(r.ok).toBe(false);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('retryAfter and reason', () => {
  it('crosses the wire with too_many_requests only, as whole seconds in range', () => {
    const e = new ProtocolError('too_many_requests', 'slow down', { retryAfter: 30 });
    expect(toWireError(e)).toEqual({
      code: 'too_many_requests',
      message: 'slow down',
      retryAfter: 30,
    });
    expect(fromWireError(toWireError(e)).retryAfter).toBe(30);
    for (const bad of [-1, 1.5, 86_401, Number.NaN, '30']) {
      expect(
        new ProtocolError('too_many_requests', 'x', { retryAfter: bad as never }).retryAfter,
      ).toBeUndefined();
    }
    expect(parseWireError({ code: 'too_many_requests', message: 'm', retryAfter: 7 })).toEqual({
      code: 'too_many_requests',
      message: 'm',
      retryAfter: 7,
    });
    // Smuggled on another code, or out of range: dropped by the receiver.
    expect(parseWireError({ code: 'internal', message: 'm', retryAfter: 7 })).toEqual({
      code: 'internal',
      message: 'm',
    });
    expect(parseWireError({ code: 'too_many_requests', message: 'm', retryAfter: 1e9 })).toEqual({
      code: 'too_many_requests',
      message: 'm',
    });
  });

  it('becomes the CIP-30 error object of rate_limited', () => {
    expect(toCip30Error('too_many_requests', 'wait', 'api', 0, 12)).toEqual({
      code: -3,
      info: 'wait',
      reason: 'rate_limited',
      retryAfter: 12,
    });
    expect(toCip30Error('origin_refused', 'no')).toEqual({
      code: -3,
      info: 'no',
      reason: 'origin_not_allowed',
    });
    expect(toCip30Error('unknown_method', 'x').reason).toBe('protocol_error');
  });
});
