/**
 * The 401 answer is no oracle for "does this app trust issuer X?" (issue 8, item 9): a
 * forged token naming an issuer the app trusts, one naming an issuer another app trusts,
 * and one naming an issuer nobody trusts get byte-identical problem documents and the
 * same WWW-Authenticate header; so do a well-signed but expired token and a wrong
 * audience from the trusted issuer.
 */

import { REJECTED } from '@trine/server-kit/token';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  expectProblem,
  makeIssuer,
  makeVault,
  openBackend,
  type TestVault,
} from './helpers.ts';

describe.each(BACKENDS)(`401 details without an issuer oracle on %s${BACKEND_NOTE}`, (kind) => {
  let be: Backend;
  let v: TestVault;
  beforeAll(async () => {
    be = await openBackend(kind);
    await be.reset();
    v = await makeVault(be.database);
  });
  afterAll(async () => be.close());

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

  it('trusted, other-app-trusted and unknown issuers answer the same 401', async () => {
    const devKid = v.dev.jwks.keys[0]!.kid!;
    const stranger = await makeIssuer('https://idp.stranger.test/', 'dev');
    const tokens = {
      'trusted issuer, forged signature, known kid': await forged(v.dev.iss, devKid),
      'trusted issuer, forged signature, unknown kid': await forged(v.dev.iss, 'nope'),
      'issuer trusted by the app "other" only': await forged(v.other.iss, v.other.kid),
      'issuer trusted by the app "other", its real signature': await v.other.sign('alice'),
      'untrusted issuer, forged signature': await forged('https://idp.stranger.test/', 'k1'),
      'untrusted issuer, its real signature': await stranger.sign('alice'),
      'trusted issuer, real signature, wrong audience': await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: v.other.kid })
        .setIssuer(v.other.iss)
        .setAudience('dev')
        .setSubject('alice')
        .setExpirationTime('1h')
        .sign(v.other.privateKey),
    };
    const answers: Record<string, string> = {};
    for (const [what, token] of Object.entries(tokens)) {
      const r = await call(v.app, 'GET', '/v1/apps/dev/wallet', { token });
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
    // the same for the app "other", whose trusted issuer is the dev app's untrusted one
    const viaOther = await call(v.app, 'GET', '/v1/apps/other/wallet', {
      token: await forged(v.other.iss, v.other.kid, v.other.aud),
    });
    const viaOtherUntrusted = await call(v.app, 'GET', '/v1/apps/other/wallet', {
      token: await forged(v.dev.iss, devKid, v.other.aud),
    });
    expect(viaOther.text).toBe(viaOtherUntrusted.text);
    expect(viaOther.json.detail).toBe(REJECTED);
  });

  it('an expired token from the trusted issuer says no more than a forged one', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: v.other.kid })
      .setIssuer(v.other.iss)
      .setAudience(v.other.aud)
      .setSubject('alice')
      .setExpirationTime(past)
      .sign(v.other.privateKey);
    const a = await call(v.app, 'GET', '/v1/apps/other/wallet', { token: expired });
    const b = await call(v.app, 'GET', '/v1/apps/other/wallet', {
      token: await forged('https://nobody.test/', 'x', v.other.aud, past),
    });
    expectProblem(a, 401, 'unauthorized');
    expect(a.text).toBe(b.text);
    expect(a.text).not.toMatch(/ERR_|expired|issuer|trusted/i);
  });
});
