/**
 * The JWT-holder attack (issue 9, "Tests that must exist"): with only the user's JWT and
 * the public HTTP APIs, collect everything the vault and the realms return; with the
 * correct answer and no realm evaluation nothing collected opens or combines to the
 * secret.
 *
 * Everything is real (test/full-stack.ts): the vault (`buildVault`, dev mode, PGlite) whose
 * app lists three real realms (`createRealm`, own PGlite and OPRF key each, t = 2), and a
 * wallet made by the wallet's own create code through its vault and realm clients. The
 * attacker is `collect` + `tryOffline` (test/jwt-holder-attack.ts), which only sees
 * `fetch` and the token.
 *
 * Controls that show the test can fail: the same `tryOffline`, handed the unlock key U
 * that t counted realm evaluations yield, does open the record (so "opens nothing" is not
 * an artefact of a blind attacker); the honest path opens the same record; and a wallet of
 * an app without realms (a v1 record) falls to this very attack.
 */
import { toBase64Url } from '@trine/core/bytes';
import { combineShares } from '@trine/core/shamir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecoveryShare } from '../src/flows/recover.ts';
import { createUserWallet, type Stack, startStack } from './full-stack.ts';
import { collect, tryOffline } from './jwt-holder-attack.ts';
import { VAULT_URL } from './realm-world.ts';

const ANSWER = 'Rex';

describe('the JWT-holder attack against the real vault and three real realms (t = 2)', () => {
  let stack: Stack;
  let ids: { walletId: string; keyId: string };
  beforeAll(async () => {
    stack = await startStack(3, 2, 10);
    ids = await createUserWallet(stack, ANSWER);
    for (const r of stack.realms) r.log.length = 0; // only what the attacker does from here
  });
  afterAll(() => stack.close());

  it('everything a JWT holder can fetch, with the right answer, opens nothing', async () => {
    const collected = await collect({
      vaultUrl: VAULT_URL,
      appId: 'dev',
      token: stack.token,
      fetch: stack.fetch,
    });
    // It did get everything public and per-user: the app config (with the realms), the
    // metadata, the auth share, the v2 record, each realm's info and counters.
    expect(Object.keys(collected.responses)).toHaveLength(4 + 2 * 3);
    const all = JSON.stringify(collected.responses);
    expect(all).toContain('"role":2');
    expect(all).toContain('"v":2');
    expect(all).toContain(ids.walletId);
    for (const r of stack.realms) expect(all).toContain(r.config.publicKey);
    expect(await tryOffline(collected, ANSWER, ids)).toEqual([]);
    // And the attack made no counted request: no evaluation reached any realm.
    for (const r of stack.realms) {
      expect(r.log.some((l) => l.includes('evaluate') || l.includes('unlock'))).toBe(false);
      expect((await r.registration())!.guesses).toBe(0);
    }
  });

  it('control: handed the U that t counted evaluations give, the same attacker opens the record', async () => {
    const honest = await openRecoveryShare(stack.ctx, ids.walletId, ANSWER);
    const collected = await collect({
      vaultUrl: VAULT_URL,
      appId: 'dev',
      token: stack.token,
      fetch: stack.fetch,
    });
    collected.responses['evaluations at t realms'] = {
      unlockKey: toBase64Url(honest.realms!.unlockKey),
    };
    expect(await tryOffline(collected, ANSWER, ids)).toEqual([
      'the v2 record with a collected value as U',
    ]);
    // The honest path itself: the recovery share + the vault's auth share are the secret.
    const { authShare } = await stack.ctx.vault.getAuthShare();
    expect((await combineShares([honest.share, authShare], ids)).length).toBe(32);
    // It cost one counted guess at each realm that evaluated.
    for (const r of stack.realms) expect((await r.registration())!.guesses).toBe(1);
  });
});

describe('control: a wallet of an app without realms (v1 record) against the real vault', () => {
  let stack: Stack;
  let ids: { walletId: string; keyId: string };
  beforeAll(async () => {
    stack = await startStack(0, 0);
    ids = await createUserWallet(stack, ANSWER);
  });
  afterAll(() => stack.close());

  it('falls to this very attack — why migration to realms matters', async () => {
    const collected = await collect({
      vaultUrl: VAULT_URL,
      appId: 'dev',
      token: stack.token,
      fetch: stack.fetch,
    });
    expect(JSON.stringify(collected.responses)).toContain('"v":1');
    expect(await tryOffline(collected, ANSWER, ids)).toEqual([
      'the v1 record with the answer alone',
    ]);
    // With a wrong answer the same attack opens nothing (the check is not vacuous).
    expect(await tryOffline(collected, 'Fido', ids)).toEqual([]);
  });
});
