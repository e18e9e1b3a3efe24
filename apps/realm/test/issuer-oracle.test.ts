/**
 * A realm's 401 is no oracle for "does this app trust issuer X?" (issue 8, item 9, which
 * the vault met first; the realm's own copy of the verifier still said "the token issuer
 * is not trusted by this app" and quoted jose's codes until both servers verified tokens
 * with @trine/server-kit/token). Played as an attacker who probes a realm with forged and
 * real tokens of trusted, other-app-trusted and unknown issuers: every answer is the same
 * bytes, and none costs the registration a counted guess.
 */
import { REJECTED } from '@trine/server-kit/token';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  call,
  expectProblem,
  makeIssuer,
  makeRealm,
  openBackend,
  type TestRealm,
  testIssuers,
  type UserCtx,
  user,
} from './helpers.ts';

describe('realm 401 details without an issuer oracle (PGlite)', () => {
  let be: Backend;
  let realm: TestRealm;
  let alice: UserCtx;
  beforeAll(async () => {
    be = await openBackend('PGlite');
    realm = await makeRealm(be.database);
    alice = await user('alice');
  });
  afterAll(async () => {
    await realm.close();
    await be.close();
  });

  async function forged(iss: string, kid: string, aud = 'dev', exp: number | string = '1h') {
    const { privateKey } = await generateKeyPair('ES256');
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(iss)
      .setAudience(aud)
      .setSubject('alice')
      .setExpirationTime(exp)
      .sign(privateKey);
  }

  it('trusted, other-app-trusted and unknown issuers, forged or real, expired: one answer', async () => {
    const { dev, other } = await testIssuers();
    const stranger = await makeIssuer('https://idp.stranger.test/', 'dev');
    const past = Math.floor(Date.now() / 1000) - 3600;
    const tokens: Record<string, string> = {
      'trusted issuer, forged signature, known kid': await forged(dev.iss, dev.kid),
      'trusted issuer, forged signature, unknown kid': await forged(dev.iss, 'nope'),
      'trusted issuer, real signature, expired': await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: dev.kid })
        .setIssuer(dev.iss)
        .setAudience('dev')
        .setSubject('alice')
        .setIssuedAt(past - 3600)
        .setExpirationTime(past)
        .sign(dev.privateKey),
      'trusted issuer, real signature, wrong audience': await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: dev.kid })
        .setIssuer(dev.iss)
        .setAudience('other-app')
        .setSubject('alice')
        .setExpirationTime('1h')
        .sign(dev.privateKey),
      'issuer trusted by the app "other" only, its real signature': await other.sign('alice'),
      'untrusted issuer, forged signature': await forged(stranger.iss, 'k1'),
      'untrusted issuer, its real signature': await stranger.sign('alice'),
    };
    const answers: Record<string, string> = {};
    for (const [what, token] of Object.entries(tokens)) {
      const r = await call(realm.app, 'POST', '/v1/apps/dev/evaluate', {
        token,
        body: { walletId: alice.walletId, epoch: 1, blinded: 'A'.repeat(43) },
      });
      expectProblem(r, 401, 'unauthorized');
      expect(r.json.detail, what).toBe(REJECTED);
      answers[what] = JSON.stringify({
        status: r.status,
        body: r.json,
        auth: r.headers.get('www-authenticate'),
        type: r.headers.get('content-type'),
      });
    }
    const distinct = new Set(Object.values(answers));
    expect(distinct.size, JSON.stringify(answers, null, 1)).toBe(1);
    // No log line names the issuer either (the realm's logs are the operator's, but a
    // shared log pipeline should not become the oracle instead).
    expect(realm.logs.join('')).not.toContain('idp.stranger.test');
  });
});
