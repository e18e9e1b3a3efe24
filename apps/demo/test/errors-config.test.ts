/**
 * @module The demo's error sentences and its query-string config.
 */
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/cip30-errors.ts';
import { readConfig } from '../src/config.ts';

describe('describeError', () => {
  it('names CIP-30 errors by method context', () => {
    expect(describeError({ code: 1, info: 'needs a foreign key' }, 'signTx')).toEqual({
      title: 'TxSignError 1 · ProofGeneration',
      text: 'This transaction needs a signature from a key this wallet does not hold.',
      info: 'needs a foreign key',
    });
    expect(describeError({ code: 3, info: 'x' }, 'signData').title).toBe(
      'DataSignError 3 · UserDeclined',
    );
    expect(describeError({ code: -3, info: 'x' }, 'signTx').title).toBe('APIError -3 · Refused');
    expect(describeError({ code: 2, info: 'x' }, 'submitTx').title).toBe('TxSendError 2 · Failure');
    expect(describeError({ maxSize: 4 }, 'api')).toEqual({
      title: 'PaginateError',
      text: 'Only 4 pages exist.',
    });
    expect(describeError(new Error('sign-in failed'), 'api')).toEqual({
      title: 'Error',
      text: 'sign-in failed',
    });
  });
});

describe('describeError: what the user reads', () => {
  it('a cancelled create (enable() → Refused, user_declined) says it was cancelled', () => {
    expect(
      describeError({ code: -3, info: 'the user declined', reason: 'user_declined' }, 'api'),
    ).toEqual({
      title: 'APIError -3 · Refused · user_declined',
      text: 'You cancelled in the wallet, so nothing was created or changed.',
      info: 'the user declined',
      reason: 'user_declined',
    });
    // A refusal that is not the user's keeps the wallet's wording; a declined signature
    // keeps its own.
    expect(describeError({ code: -3, info: 'x' }, 'api').text).toBe(
      'The wallet refused the request.',
    );
    expect(describeError({ code: 2, info: 'x', reason: 'user_declined' }, 'signTx').text).toBe(
      'You declined to sign the transaction.',
    );
  });

  it('a rate limit says how long to wait', () => {
    expect(
      describeError({ code: -3, info: 'x', reason: 'rate_limited', retryAfter: 42 }, 'api').text,
    ).toBe('Too many attempts. Try again in 42 s.');
  });
});

describe('readConfig', () => {
  it('uses loopback defaults and query overrides', () => {
    expect(readConfig('', 'http://localhost:5173')).toEqual({
      walletUrl: 'http://127.0.0.1:8787',
      tokenUrl: 'http://localhost:5173/dev/token',
      appId: 'dev',
      network: 'preprod',
      handshakeTimeoutMs: 15000,
    });
    const c = readConfig(
      '?wallet=http://127.0.0.1:9/&network=preview&handshakeMs=3000&app=x',
      'http://localhost:1',
    );
    expect([c.walletUrl, c.network, c.handshakeTimeoutMs, c.appId]).toEqual([
      'http://127.0.0.1:9',
      'preview',
      3000,
      'x',
    ]);
  });
});
