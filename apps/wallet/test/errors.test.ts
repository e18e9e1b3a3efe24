import { TrineError } from '@trine/core/errors';
import { ProtocolError } from '@trine/protocol/errors';
import { describe, expect, it } from 'vitest';
import {
  isWrongSecret,
  StaleDeviceError,
  toHostError,
  UserCancelled,
  userMessage,
  waitText,
} from '../src/errors.ts';
import { createRealmClient, RealmError, RealmQuorumError } from '../src/realm-client.ts';
import { RecoveryLockedError, WrongAnswerError } from '../src/realms.ts';
import { ReshareError } from '../src/reshare.ts';
import { createVaultClient, problem, VaultError } from '../src/vault-client.ts';

describe('userMessage', () => {
  it('tells a wrong password from a wrong answer', () => {
    const e = new TrineError(
      'SEAL_OPEN_FAILED',
      'wrong password/answer, or the record was altered',
    );
    expect(userMessage(e, 'password')).toBe('That password is not right. Please try again.');
    expect(userMessage(e, 'answer')).toBe(
      'That answer does not match. Check the spelling and accents (case and spaces do not matter).',
    );
  });

  it('sends a stale device share to recovery', () => {
    expect(userMessage(new TrineError('SHARES_MIXED_EPOCHS', 'x'))).toContain(
      'Recover with your security answer',
    );
    expect(userMessage(new StaleDeviceError(true))).toContain('has no key share');
    expect(userMessage(new StaleDeviceError(false))).toContain('out of date');
  });

  it('says nothing was signed when shares do not fit', () => {
    for (const code of ['KEY_ID_MISMATCH', 'SHARES_AUTH_FAILED', 'SHARES_MIXED_WALLETS'] as const) {
      expect(userMessage(new TrineError(code, 'x'))).toContain('nothing was signed');
    }
  });

  it('maps vault problems by code, then by status', () => {
    expect(userMessage(problem(409, { code: 'stale_epoch', detail: 'epoch 3 != 2' }))).toBe(
      'Your wallet was changed from another device. Please start again.',
    );
    expect(userMessage(problem(429, { code: 'rate_limited' }))).toContain('Too many attempts');
    expect(userMessage(problem(401, {}))).toContain('Sign in to the app again');
    expect(userMessage(new VaultError(0, 'network', 'x'))).toContain('cannot be reached');
    expect(userMessage(problem(502, null))).toContain('has a problem');
  });

  it('explains both re-share failures', () => {
    expect(userMessage(new ReshareError('stale', 'x'))).toContain('nothing was changed');
    expect(userMessage(new ReshareError('device_store_failed', 'x'))).toContain(
      'recover with your security answer',
    );
  });

  it('never echoes a foreign error', () => {
    expect(userMessage(new Error('secret words abandon abandon'))).toBe(
      'Something went wrong in the wallet. Please try again.',
    );
  });
});

describe('toHostError', () => {
  const wire = (e: unknown) => toHostError(e).toJSON();

  it('cancel → user_declined (CIP-30 UserDeclined)', () => {
    expect(wire(new UserCancelled())).toEqual({
      code: 'user_declined',
      message: 'the user declined',
    });
  });

  it('keeps protocol errors', () => {
    expect(wire(new ProtocolError('wallet_missing', 'none'))).toEqual({
      code: 'wallet_missing',
      message: 'none',
    });
  });

  it('maps signing errors to their CIP-30 families', () => {
    expect(wire(new TrineError('PROOF_GENERATION', 'needs a foreign key')).code).toBe(
      'proof_generation',
    );
    expect(wire(new TrineError('TX_MALFORMED', 'tx cannot be decoded')).code).toBe(
      'invalid_params',
    );
    expect(
      wire(new TrineError('ADDRESS_NOT_OURS', 'x', { details: { scriptCredential: true } })).code,
    ).toBe('address_not_ours');
    expect(wire(new TrineError('ADDRESS_NOT_OURS', 'x')).code).toBe('proof_generation');
  });

  it('maps vault failures without their text', () => {
    expect(wire(problem(404, { code: 'not_found', detail: 'no wallet' }))).toEqual({
      code: 'wallet_missing',
      message: 'the user has no wallet',
    });
    expect(wire(problem(429, { code: 'rate_limited' })).code).toBe('too_many_requests');
    // The vault's Retry-After (read by the vault client) reaches the host as retryAfter.
    const limited = Object.assign(problem(429, { code: 'rate_limited' }), { retryAfter: 42 });
    expect(wire(limited)).toEqual({
      code: 'too_many_requests',
      message: 'the vault is rate-limiting',
      retryAfter: 42,
    });
    expect(wire(problem(401, { code: 'invalid_token' }))).toEqual({
      code: 'token_refused',
      message: 'the vault refused the token',
    });
    expect(wire(problem(500, { detail: 'db down at 10.0.0.3' }))).toEqual({
      code: 'vault_unavailable',
      message: 'the vault failed (500)',
    });
  });

  it('never leaks a secret-bearing message from a share or a foreign error', () => {
    expect(wire(new TrineError('SEAL_OPEN_FAILED', 'x'))).toEqual({
      code: 'internal',
      message: 'the wallet could not complete the request',
    });
    expect(wire(new Error('password hunter2'))).toEqual({
      code: 'internal',
      message: 'internal error',
    });
    expect(wire(new StaleDeviceError(true)).code).toBe('user_declined');
  });
});

describe('realm errors', () => {
  const cases = [
    new WrongAnswerError(3),
    new RecoveryLockedError(2, ['realm-a', 'realm-b'], ['realm-c']),
    new RealmQuorumError(2, [new RealmError('realm-a', 0, 'network', 'x')]),
    new RealmError('realm-b', 423, 'registration_locked', 'recovery realm realm-b: Locked'),
    new RealmError('realm-b', 500, 'http_500', 'recovery realm realm-b: boom'),
    new TrineError('REALM_RESPONSE_INVALID', 'x'),
  ];

  it('say what happened and what remains, in plain words', () => {
    expect(userMessage(cases[0], 'answer')).toBe(
      'That answer does not match. Check the spelling and accents (case and spaces do not matter). 3 attempts left before recovery with the answer locks.',
    );
    expect(userMessage(new WrongAnswerError(1), 'answer')).toMatch(/1 attempt left/);
    expect(userMessage(cases[1])).toMatch(
      /^Recovery with your answer is locked.*re-arm recovery.*24-word recovery phrase\.$/,
    );
    expect(userMessage(cases[2])).toMatch(/Not enough recovery services answered \(2 are needed\)/);
    expect(userMessage(cases[3])).toMatch(/locked at a recovery service/);
    expect(userMessage(cases[4])).toMatch(/did not answer as expected/);
    expect(userMessage(cases[5])).toMatch(/does not check out/);
  });

  it('reach the host only as user_declined / internal, with no counts or realm ids', () => {
    for (const e of cases.slice(0, 5)) {
      const p = toHostError(e);
      expect(p.code).toBe('user_declined');
      expect(p.message).toBe('recovery did not complete');
    }
    expect(toHostError(cases[5]).code).toBe('internal');
  });
});

describe('rate limits and wrong secrets: the time left and which field', () => {
  /** A fetch answering every request as a rate-limited vault or realm does (RFC 9457 + Retry-After). */
  const limited = (retryAfter: string | null) =>
    (async () =>
      new Response(JSON.stringify({ code: 'rate_limited', title: 'Too Many Requests' }), {
        status: 429,
        headers: {
          'content-type': 'application/problem+json',
          ...(retryAfter === null ? {} : { 'retry-after': retryAfter }),
        },
      })) as unknown as typeof fetch;
  const getToken = async () => 'jwt';
  const realm = { id: 'realm-a', url: 'http://realm.test', publicKey: 'x' };

  it('waitText rounds up and names the unit', () => {
    expect(
      [undefined, -1, Number.NaN, 0, 1, 59, 60, 61, 3599, 3600, 7201].map((s) => waitText(s)),
    ).toEqual([
      'in a while',
      'in a while',
      'in a while',
      'in 1 second',
      'in 1 second',
      'in 59 seconds',
      'in 1 minute',
      'in 2 minutes',
      'in 60 minutes',
      'in about 1 hour',
      'in about 3 hours',
    ]);
  });

  it("the vault's Retry-After reaches the user's sentence and the host's retryAfter", async () => {
    const vault = createVaultClient({
      baseUrl: 'http://vault.test',
      appId: 'dev',
      getToken,
      fetch: limited('125'),
    });
    const e = await vault.getRecovery().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VaultError);
    expect(userMessage(e, 'answer')).toBe('Too many attempts. Please try again in 3 minutes.');
    expect(toHostError(e).toJSON()).toEqual({
      code: 'too_many_requests',
      message: 'the vault is rate-limiting',
      retryAfter: 125,
    });
    const none = await createVaultClient({
      baseUrl: 'http://vault.test',
      appId: 'dev',
      getToken,
      fetch: limited(null),
    })
      .getRecovery()
      .catch((x: unknown) => x);
    expect(userMessage(none)).toBe('Too many attempts. Please try again in a while.');
  });

  it("a realm's Retry-After: one realm, and a quorum lost to rate limits (the longest wait)", async () => {
    const e = await createRealmClient({ appId: 'dev', getToken, fetch: limited('30') })
      .getRegistration(realm)
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RealmError);
    expect((e as RealmError).retryAfter).toBe(30);
    expect(userMessage(e)).toBe(
      'Too many attempts at a recovery service. Please try again in 30 seconds.',
    );
    const slow = new RealmError('realm-b', 429, 'rate_limited', 'x');
    slow.retryAfter = 600;
    expect(userMessage(new RealmQuorumError(2, [e as RealmError, slow]))).toBe(
      'Too many attempts at the recovery services. Nothing was changed; please try again in 10 minutes.',
    );
    // One of them without a Retry-After: no time is promised.
    expect(
      userMessage(
        new RealmQuorumError(2, [e as RealmError, new RealmError('c', 429, 'rate_limited', 'x')]),
      ),
    ).toMatch(/try again in a while\.$/);
    // The host still learns only that recovery did not complete.
    expect(toHostError(e).message).toBe('recovery did not complete');
  });

  it('a wrong password or answer is about its field; other failures are not', () => {
    expect(isWrongSecret(new WrongAnswerError(2))).toBe(true);
    expect(isWrongSecret(new TrineError('SEAL_OPEN_FAILED', 'x'))).toBe(true);
    expect(isWrongSecret(new TrineError('ANSWER_EMPTY', 'x'))).toBe(true);
    expect(isWrongSecret(new RecoveryLockedError(2, ['a'], []))).toBe(false);
    expect(isWrongSecret(problem(429, { code: 'rate_limited' }))).toBe(false);
  });

  it('a cancelled flow reads "Cancelled." in the wallet, not a refusal', () => {
    expect(userMessage(new UserCancelled())).toBe('Cancelled.');
  });
});
