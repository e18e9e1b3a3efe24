/**
 * The hostile-input list: every entry is a request an attacker (or a broken client) can
 * send; each must get a 4xx RFC 9457 problem with its stable code and leave the realm's
 * state tables (registrations, epochs, used nonces) exactly as they were. The only thing
 * a refused request may touch is a rate-limit counter.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { fromBase64Url, fromHex, toBase64Url } from '@trine/core/bytes';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poprfInfo } from '../src/crypto/oprf.ts';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  type CallOptions,
  call,
  evaluateAt,
  expectProblem,
  makeRealm,
  mgmtKey,
  openBackend,
  putSigned,
  regBody,
  signed,
  snapshot,
  type TestRealm,
  testIssuers,
  type UserCtx,
  user,
} from './helpers.ts';

/** RFC 9496 §A.2 bad encodings (non-canonical, negative, non-square), and the identity. */
const BAD_ELEMENTS: [string, string][] = [
  [
    'non-canonical field encoding (s ≥ p)',
    '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  ],
  [
    'non-canonical field encoding (2^255 − 1)',
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ],
  [
    'non-canonical field encoding (p + 6)',
    'f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ],
  [
    'non-canonical field encoding (p)',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ],
  [
    'negative field element (s = 1)',
    '0100000000000000000000000000000000000000000000000000000000000000',
  ],
  ['negative field element', '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['non-square x²', '26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371'],
  ['non-square x²', '4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f'],
  ['the identity element', '0000000000000000000000000000000000000000000000000000000000000000'],
];

interface Case {
  name: string;
  method: string;
  path: string;
  opts: CallOptions;
  status: number;
  code: string;
}

for (const kind of BACKENDS) {
  describe(`hostile input on ${kind}${BACKEND_NOTE}`, () => {
    let backend: Backend;
    let realm: TestRealm;
    let alice: UserCtx;
    let key: ReturnType<typeof mgmtKey>;
    let goodBlinded: string;
    beforeAll(async () => {
      backend = await openBackend(kind);
      realm = await makeRealm(backend.database);
      alice = await user('alice');
      key = mgmtKey(alice.walletId);
      const put = await call(realm.app, 'PUT', '/v1/apps/dev/registration', {
        token: alice.token,
        body: regBody(alice, key, 1),
      });
      expect(put.status).toBe(201);
      // Some state worth protecting: two counted guesses and a second (uncommitted) epoch.
      await evaluateAt(realm, alice, new Uint8Array([1]), 1);
      await evaluateAt(realm, alice, new Uint8Array([2]), 1);
      expect((await putSigned(realm, alice, key, regBody(alice, key, 2), 1)).status).toBe(200);
      await evaluateAt(realm, alice, new Uint8Array([3]), 2);
      const poprf = ristretto255_oprf.poprf(poprfInfo('dev', alice.iss, alice.sub, alice.walletId));
      goodBlinded = toBase64Url(
        poprf.blind(new Uint8Array(1), fromBase64Url(realm.publicKey)).blinded,
      );
    });
    afterAll(async () => {
      await realm.close();
      await backend.close();
    });

    const evalBody = (blinded: unknown, extra: Record<string, unknown> = {}) => ({
      walletId: alice.walletId,
      epoch: 2,
      blinded,
      ...extra,
    });

    async function cases(): Promise<Case[]> {
      const t = alice.token;
      const E = '/v1/apps/dev/evaluate';
      const R = '/v1/apps/dev/registration';
      const U = '/v1/apps/dev/unlock';
      const C = '/v1/apps/dev/registration/commit';
      const ev = (
        name: string,
        body: unknown,
        status: number,
        code: string,
        o: CallOptions = {},
      ): Case => ({
        name: `evaluate: ${name}`,
        method: 'POST',
        path: E,
        opts: { token: t, body, ...o },
        status,
        code,
      });
      const list: Case[] = [];
      for (const [what, hex] of BAD_ELEMENTS) {
        list.push(ev(what, evalBody(toBase64Url(fromHex(hex))), 400, 'invalid_element'));
      }
      const last = goodBlinded.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const nonCanonical = goodBlinded.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1];
      list.push(
        ev('31 bytes', evalBody(toBase64Url(randomBytes(31))), 400, 'invalid_element'),
        ev('33 bytes', evalBody(toBase64Url(randomBytes(33))), 400, 'invalid_element'),
        ev('64 bytes', evalBody(toBase64Url(randomBytes(48))), 400, 'invalid_element'),
        ev('empty element', evalBody(''), 400, 'invalid_element'),
        ev(
          'base64 with + and /',
          evalBody(goodBlinded.replace(/./, '+').replace(/.$/, '/')),
          400,
          'invalid_body',
        ),
        ev('base64url with padding', evalBody(`${goodBlinded}=`), 400, 'invalid_body'),
        ev('non-canonical base64url (trailing bits)', evalBody(nonCanonical), 400, 'invalid_body'),
        ev('element too long a string', evalBody('A'.repeat(200)), 400, 'invalid_body'),
        ev('element a number', evalBody(12), 400, 'invalid_body'),
        ev('walletId not a UUID', evalBody(goodBlinded, { walletId: 'x' }), 400, 'invalid_body'),
        ev('epoch 0', evalBody(goodBlinded, { epoch: 0 }), 400, 'invalid_body'),
        ev('epoch negative', evalBody(goodBlinded, { epoch: -1 }), 400, 'invalid_body'),
        ev('epoch fractional', evalBody(goodBlinded, { epoch: 1.5 }), 400, 'invalid_body'),
        ev('epoch a string', evalBody(goodBlinded, { epoch: '2' }), 400, 'invalid_body'),
        ev('epoch 2^31', evalBody(goodBlinded, { epoch: 2 ** 31 }), 400, 'invalid_body'),
        ev('an extra field', evalBody(goodBlinded, { guesses: 0 }), 400, 'invalid_body'),
        ev('a missing field', { walletId: alice.walletId, epoch: 2 }, 400, 'invalid_body'),
        ev('a JSON array', [1, 2], 400, 'invalid_body'),
        ev('JSON null', null, 400, 'invalid_body'),
        ev('not JSON', undefined, 400, 'invalid_body', { rawBody: '{"walletId":' }),
        ev('text/plain', undefined, 415, 'unsupported_media_type', {
          rawBody: JSON.stringify(evalBody(goodBlinded)),
          headers: { 'content-type': 'text/plain' },
        }),
        ev('form content type', undefined, 415, 'unsupported_media_type', {
          rawBody: 'a=b',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        ev('a 20 KiB body', undefined, 413, 'body_too_large', {
          rawBody: JSON.stringify(evalBody(goodBlinded, { pad: 'x'.repeat(20_000) })),
        }),
        ev('an unknown epoch', evalBody(goodBlinded, { epoch: 7 }), 404, 'epoch_not_found'),
        ev(
          'another wallet id',
          evalBody(goodBlinded, { walletId: randomUUID() }),
          409,
          'registration_mismatch',
        ),
        ev('a foreign origin', evalBody(goodBlinded), 403, 'forbidden_origin', {
          headers: { origin: 'https://evil.example' },
        }),
      );
      // Tokens.
      const { dev, other } = await testIssuers();
      const expired = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: dev.kid })
        .setIssuer(dev.iss)
        .setAudience('dev')
        .setSubject('alice')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(dev.privateKey);
      const hs = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(dev.iss)
        .setAudience('dev')
        .setSubject('alice')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(JSON.stringify(dev.jwks.keys[0])));
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const none = `${b64({ alg: 'none' })}.${b64({ iss: dev.iss, aud: 'dev', sub: 'alice', exp: 9e9 })}.`;
      const wrongAud = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: dev.kid })
        .setIssuer(dev.iss)
        .setAudience('other-app')
        .setSubject('alice')
        .setExpirationTime('1h')
        .sign(dev.privateKey);
      for (const [what, token] of [
        ['an expired token', expired],
        ['an HS256 token keyed with the public key', hs],
        ['an alg:none token', none],
        ['a token for another audience', wrongAud],
        ['another issuer’s token', await other.sign('alice')],
        ['garbage', 'not.a.jwt'],
      ] as const) {
        list.push(ev(what, evalBody(goodBlinded), 401, 'unauthorized', { token }));
      }
      list.push(ev('no token', evalBody(goodBlinded), 401, 'unauthorized', { token: '' }));
      list.push({
        name: 'evaluate: unknown app',
        method: 'POST',
        path: '/v1/apps/nope/evaluate',
        opts: { token: t, body: evalBody(goodBlinded) },
        status: 404,
        code: 'app_not_found',
      });
      // Registration bodies (checked before any signature or state).
      const put = (name: string, body: unknown, status: number, code: string): Case => ({
        name: `put: ${name}`,
        method: 'PUT',
        path: R,
        opts: { token: t, body },
        status,
        code,
      });
      const good = regBody(alice, key, 3);
      const smallOrder = toBase64Url(fromHex(`01${'00'.repeat(31)}`));
      const notAPoint = toBase64Url(fromHex(`02${'00'.repeat(30)}80`));
      list.push(
        put(
          'masked share 32 bytes',
          { ...good, maskedShare: toBase64Url(randomBytes(32)) },
          400,
          'invalid_body',
        ),
        put(
          'masked share 34 bytes',
          { ...good, maskedShare: toBase64Url(randomBytes(34)) },
          400,
          'invalid_body',
        ),
        put(
          'tag 31 bytes',
          { ...good, unlockTag: toBase64Url(randomBytes(31)) },
          400,
          'invalid_body',
        ),
        put(
          'management key 31 bytes',
          { ...good, managementKey: toBase64Url(randomBytes(31)) },
          400,
          'invalid_body',
        ),
        put(
          'management key of small order',
          { ...good, managementKey: smallOrder },
          422,
          'invalid_management_key',
        ),
        put(
          'management key not a point',
          { ...good, managementKey: notAPoint },
          422,
          'invalid_management_key',
        ),
        put('another realm’s body', { ...good, realmId: 'realm-elsewhere' }, 422, 'realm_mismatch'),
        put('unsigned, different content', good, 401, 'management_signature_required'),
        put('epoch as a string', { ...good, epoch: '3' }, 400, 'invalid_body'),
      );
      // Signatures.
      const raw = JSON.stringify(good);
      const sig = (o: Partial<Parameters<typeof signed>[1]> & { k?: ReturnType<typeof mgmtKey> }) =>
        signed(o.k ?? key, {
          method: 'PUT',
          path: R,
          appId: 'dev',
          walletId: alice.walletId,
          expectedEpoch: 2,
          body: raw,
          ...o,
        });
      const signedPut = (
        name: string,
        headers: Record<string, string>,
        code: string,
        body = raw,
      ): Case => ({
        name: `put: ${name}`,
        method: 'PUT',
        path: R,
        opts: { token: t, rawBody: body, headers },
        status: 401,
        code,
      });
      list.push(
        signedPut(
          'signed by another key',
          sig({ k: mgmtKey(alice.walletId) }),
          'management_signature_invalid',
        ),
        signedPut(
          'signature over another body',
          sig({ body: JSON.stringify(regBody(alice, key, 3)) }),
          'management_signature_invalid',
        ),
        signedPut(
          'signature for a stale expectedEpoch',
          sig({ expectedEpoch: 1 }),
          'management_signature_invalid',
        ),
        signedPut(
          'signature for another app',
          sig({ appId: 'other' }),
          'management_signature_invalid',
        ),
        signedPut(
          'signature for DELETE',
          sig({ method: 'DELETE' }),
          'management_signature_invalid',
        ),
        signedPut(
          'signature 10 minutes old',
          sig({ now: Math.floor(Date.now() / 1000) - 600 }),
          'management_signature_expired',
        ),
        signedPut(
          'signature from the future',
          sig({ now: Math.floor(Date.now() / 1000) + 600 }),
          'management_signature_expired',
        ),
        signedPut(
          'a malformed signature',
          { ...sig({}), 'trine-mgmt-signature': 'abc' },
          'management_signature_invalid',
        ),
        signedPut(
          'a malformed nonce',
          { ...sig({}), 'trine-mgmt-nonce': 'short' },
          'management_signature_invalid',
        ),
        signedPut(
          'a header missing',
          (({ 'trine-mgmt-nonce': _n, ...h }) => h)(sig({})),
          'management_signature_required',
        ),
        signedPut(
          'the body changed after signing',
          sig({}),
          'management_signature_invalid',
          JSON.stringify({ ...good, epoch: 4 }),
        ),
      );
      const delHeaders = signed(mgmtKey(alice.walletId), {
        method: 'DELETE',
        path: R,
        appId: 'dev',
        walletId: alice.walletId,
        expectedEpoch: null,
      });
      list.push(
        {
          name: 'delete: unsigned',
          method: 'DELETE',
          path: R,
          opts: { token: t },
          status: 401,
          code: 'management_signature_required',
        },
        {
          name: 'delete: another key',
          method: 'DELETE',
          path: R,
          opts: { token: t, headers: delHeaders },
          status: 401,
          code: 'management_signature_invalid',
        },
        {
          name: 'commit: unsigned',
          method: 'POST',
          path: C,
          opts: { token: t, body: { epoch: 2 } },
          status: 401,
          code: 'management_signature_required',
        },
        {
          name: 'commit: extra field',
          method: 'POST',
          path: C,
          opts: { token: t, body: { epoch: 2, all: true } },
          status: 400,
          code: 'invalid_body',
        },
        {
          name: 'unlock: wrong tag',
          method: 'POST',
          path: U,
          opts: {
            token: t,
            body: { walletId: alice.walletId, epoch: 2, unlockTag: toBase64Url(randomBytes(32)) },
          },
          status: 403,
          code: 'unlock_tag_wrong',
        },
        {
          name: 'unlock: tag 31 bytes',
          method: 'POST',
          path: U,
          opts: {
            token: t,
            body: { walletId: alice.walletId, epoch: 2, unlockTag: toBase64Url(randomBytes(31)) },
          },
          status: 400,
          code: 'invalid_body',
        },
        {
          name: 'unlock: unknown epoch',
          method: 'POST',
          path: U,
          opts: {
            token: t,
            body: { walletId: alice.walletId, epoch: 9, unlockTag: toBase64Url(randomBytes(32)) },
          },
          status: 404,
          code: 'epoch_not_found',
        },
        {
          name: 'get: bad app id',
          method: 'GET',
          path: '/v1/apps/UPPER/registration',
          opts: { token: t },
          status: 400,
          code: 'invalid_body',
        },
      );
      return list;
    }

    it('every entry → its 4xx problem, state unchanged, no secret echoed', async () => {
      const list = await cases();
      expect(list.length).toBeGreaterThan(60);
      const before = await snapshot(backend.database);
      const stored = JSON.parse(before).ep.flatMap(
        (e: { masked_share: string; unlock_tag: string }) => [e.masked_share, e.unlock_tag],
      );
      for (const c of list) {
        const r = await call(realm.app, c.method, c.path, c.opts);
        try {
          expectProblem(r, c.status, c.code);
        } catch (e) {
          throw new Error(`${c.name}: ${(e as Error).message}`);
        }
        for (const secret of stored) expect(r.text, c.name).not.toContain(secret);
        expect(await snapshot(backend.database), c.name).toBe(before);
      }
      // The logs name no token, element, share or tag either.
      const logs = realm.logs.join('');
      for (const secret of [...stored, alice.token, goodBlinded])
        expect(logs).not.toContain(secret);
    });

    it('replays of signed requests are refused and change nothing', async () => {
      const E = '/v1/apps/dev/evaluate';
      const raw = JSON.stringify(evalBody(goodBlinded));
      const h = signed(key, {
        method: 'POST',
        path: E,
        appId: 'dev',
        walletId: alice.walletId,
        expectedEpoch: 2,
        body: raw,
      });
      const first = await call(realm.app, 'POST', E, {
        token: alice.token,
        rawBody: raw,
        headers: h,
      });
      expect(first.json.counted).toBe(false);
      // A re-registration of the uncommitted epoch 2 (expectedEpoch 2, stable across the replay).
      const putBody = JSON.stringify(regBody(alice, key, 2));
      const R = '/v1/apps/dev/registration';
      const hp = signed(key, {
        method: 'PUT',
        path: R,
        appId: 'dev',
        walletId: alice.walletId,
        expectedEpoch: 2,
        body: putBody,
      });
      expect(
        (await call(realm.app, 'PUT', R, { token: alice.token, rawBody: putBody, headers: hp }))
          .status,
      ).toBe(200);
      const before = await snapshot(backend.database);
      expectProblem(
        await call(realm.app, 'POST', E, { token: alice.token, rawBody: raw, headers: h }),
        401,
        'management_signature_replayed',
      );
      expectProblem(
        await call(realm.app, 'PUT', R, { token: alice.token, rawBody: putBody, headers: hp }),
        401,
        'management_signature_replayed',
      );
      expect(await snapshot(backend.database)).toBe(before);
      // Replayed at another realm: that realm has never seen the nonce, but a body that
      // names its realm is refused there (the wallet should always send realmId).
      const other = await makeRealm(backend.database, { realmId: 'realm-test-b' });
      const bound = JSON.stringify(regBody(alice, key, 2, { realmId: realm.realmId }));
      const hb = signed(key, {
        method: 'PUT',
        path: R,
        appId: 'dev',
        walletId: alice.walletId,
        expectedEpoch: 2,
        body: bound,
      });
      expect(
        (await call(realm.app, 'PUT', R, { token: alice.token, rawBody: bound, headers: hb }))
          .status,
      ).toBe(200);
      const before2 = await snapshot(backend.database);
      expectProblem(
        await call(other.app, 'PUT', R, { token: alice.token, rawBody: bound, headers: hb }),
        422,
        'realm_mismatch',
      );
      expect(await snapshot(backend.database)).toBe(before2);
    });
  });
}
