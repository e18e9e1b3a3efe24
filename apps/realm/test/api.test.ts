/**
 * The realm API of docs/realms.md end to end with app.request() on real databases:
 * register (first unsigned, later signed), read, counted evaluation, unlock, epochs kept
 * until commit, delete; the full t-of-n flow of the wallet done with noble directly;
 * mounting under a prefix as the vault will; OpenAPI, health, CORS.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { fromBase64Url, toBase64Url } from '@trine/core/bytes';
import { Hono } from 'hono';
import { combine, split } from 'shamir-secret-sharing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  evaluateAt,
  expectProblem,
  hOf,
  makeRealm,
  mgmtKey,
  openBackend,
  oprfInput,
  padOf,
  putSigned,
  regBody,
  signed,
  type TestRealm,
  tagOf,
  user,
  WALLET_ORIGIN,
  xor,
} from './helpers.ts';

for (const kind of BACKENDS) {
  describe(`realm API on ${kind}${BACKEND_NOTE}`, () => {
    let backend: Backend;
    let realm: TestRealm;
    beforeAll(async () => {
      backend = await openBackend(kind);
      realm = await makeRealm(backend.database);
    });
    afterAll(async () => {
      await realm.close();
      await backend.close();
    });
    beforeEach(() => backend.reset());

    it('first registration unsigned → 201; GET shows it without share or tag', async () => {
      const u = await user();
      const key = mgmtKey(u.walletId);
      const body = regBody(u, key, 1);
      const r = await call(realm.app, 'PUT', '/v1/apps/dev/registration', { token: u.token, body });
      expect(r.status).toBe(201);
      const expected = {
        walletId: u.walletId,
        epochs: [1],
        guesses: 0,
        guessLimit: 10,
        locked: false,
        lastWrongAt: null,
        lastUnlockAt: null,
        managementKey: toBase64Url(key.publicKey),
      };
      expect(r.json).toEqual(expected);
      const g = await call(realm.app, 'GET', '/v1/apps/dev/registration', { token: u.token });
      expect(g.status).toBe(200);
      expect(g.json).toEqual(expected);
      expect(g.text).not.toContain(body.maskedShare);
      expect(g.text).not.toContain(body.unlockTag);
      // The same first registration again (a retried create) is a no-op 200.
      const again = await call(realm.app, 'PUT', '/v1/apps/dev/registration', {
        token: u.token,
        body,
      });
      expect(again.status).toBe(200);
      // Anything else unsigned is refused: a JWT alone never replaces a registration.
      const other = await call(realm.app, 'PUT', '/v1/apps/dev/registration', {
        token: u.token,
        body: regBody(u, mgmtKey(u.walletId), 2),
      });
      expectProblem(other, 401, 'management_signature_required');
      const none = await call(realm.app, 'GET', '/v1/apps/dev/registration', {
        token: (await user()).token,
      });
      expectProblem(none, 404, 'registration_not_found');
    });

    it('evaluate counts before answering; the right tag resets and reports the wrong ones', async () => {
      const u = await user();
      const key = mgmtKey(u.walletId);
      const body = regBody(u, key, 1);
      await call(realm.app, 'PUT', '/v1/apps/dev/registration', { token: u.token, body });
      const x = oprfInput(hOf('rex', 's1'));
      for (let i = 1; i <= 3; i++) {
        const { reply } = await evaluateAt(realm, u, x, 1);
        expect(reply.status).toBe(200);
        expect(reply.json).toMatchObject({
          maskedShare: body.maskedShare,
          guesses: i,
          guessLimit: 10,
          counted: true,
        });
      }
      const g = await call(realm.app, 'GET', '/v1/apps/dev/registration', { token: u.token });
      expect(g.json.guesses).toBe(3);
      expect(typeof g.json.lastWrongAt).toBe('string');
      const wrong = await call(realm.app, 'POST', '/v1/apps/dev/unlock', {
        token: u.token,
        body: { walletId: u.walletId, epoch: 1, unlockTag: toBase64Url(new Uint8Array(32)) },
      });
      expectProblem(wrong, 403, 'unlock_tag_wrong');
      expect(
        (await call(realm.app, 'GET', '/v1/apps/dev/registration', { token: u.token })).json
          .guesses,
      ).toBe(3);
      const right = await call(realm.app, 'POST', '/v1/apps/dev/unlock', {
        token: u.token,
        body: { walletId: u.walletId, epoch: 1, unlockTag: body.unlockTag },
      });
      expect(right.status).toBe(200);
      expect(right.json.wrongGuesses).toBe(2);
      expect(Date.parse(right.json.since)).toBeLessThanOrEqual(Date.now());
      const after = await call(realm.app, 'GET', '/v1/apps/dev/registration', { token: u.token });
      expect(after.json).toMatchObject({ guesses: 0, locked: false });
      expect(typeof after.json.lastUnlockAt).toBe('string');
      expect(typeof after.json.lastWrongAt).toBe('string');
      // Unlocking again right away: nothing wrong since.
      const again = await call(realm.app, 'POST', '/v1/apps/dev/unlock', {
        token: u.token,
        body: { walletId: u.walletId, epoch: 1, unlockTag: body.unlockTag },
      });
      expect(again.json.wrongGuesses).toBe(0);
      expect(Date.parse(again.json.since)).toBeGreaterThanOrEqual(Date.parse(right.json.since));
    });

    it('re-registration is signed, keeps the old epoch until commit, resets the counter', async () => {
      const u = await user();
      const key = mgmtKey(u.walletId);
      const b1 = regBody(u, key, 1);
      await call(realm.app, 'PUT', '/v1/apps/dev/registration', { token: u.token, body: b1 });
      await evaluateAt(realm, u, oprfInput(hOf('a', 'b')), 1);
      const b2 = regBody(u, key, 2);
      const r = await putSigned(realm, u, key, b2, 1);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ epochs: [1, 2], guesses: 0, lastWrongAt: expect.any(String) });
      // Both epochs answer (a crash before the vault's CAS leaves epoch 1 in use).
      const e1 = await evaluateAt(realm, u, oprfInput(hOf('a', 'b')), 1);
      expect(e1.reply.json.maskedShare).toBe(b1.maskedShare);
      const e2 = await evaluateAt(realm, u, oprfInput(hOf('a', 'b')), 2);
      expect(e2.reply.json.maskedShare).toBe(b2.maskedShare);
      // A retried re-share may replace the uncommitted epoch 2 (expectedEpoch = 2 now).
      const b2b = regBody(u, key, 2);
      expect((await putSigned(realm, u, key, b2b, 2)).status).toBe(200);
      // Below the latest: stale.
      expectProblem(await putSigned(realm, u, key, regBody(u, key, 1), 2), 409, 'stale_epoch');
      // Commit (signed, expectedEpoch = the latest held) drops epoch 1.
      const path = '/v1/apps/dev/registration/commit';
      const raw = JSON.stringify({ epoch: 2 });
      const c = await call(realm.app, 'POST', path, {
        token: u.token,
        rawBody: raw,
        headers: signed(key, {
          method: 'POST',
          path,
          appId: 'dev',
          walletId: u.walletId,
          expectedEpoch: 2,
          body: raw,
        }),
      });
      expect(c.status).toBe(200);
      expect(c.json.epochs).toEqual([2]);
      expectProblem(
        await evaluateAt(realm, u, new Uint8Array(1), 1).then((e) => e.reply),
        404,
        'epoch_not_found',
      );
      // A commit of an epoch the realm does not hold is refused (keeps the user's epochs).
      const raw9 = JSON.stringify({ epoch: 9 });
      const c9 = await call(realm.app, 'POST', path, {
        token: u.token,
        rawBody: raw9,
        headers: signed(key, {
          method: 'POST',
          path,
          appId: 'dev',
          walletId: u.walletId,
          expectedEpoch: 2,
          body: raw9,
        }),
      });
      expectProblem(c9, 404, 'epoch_not_found');
    });

    it('a signed evaluation is not counted; delete is signed; registration_mismatch', async () => {
      const u = await user();
      const key = mgmtKey(u.walletId);
      const b1 = regBody(u, key, 1);
      await call(realm.app, 'PUT', '/v1/apps/dev/registration', { token: u.token, body: b1 });
      const blindedBody = async () => {
        const { reply } = await evaluateAt(realm, u, new Uint8Array([1]), 1);
        return reply;
      };
      expect((await blindedBody()).json.guesses).toBe(1);
      // Signed evaluation: build the body first, sign its bytes.
      const { ristretto255_oprf } = await import('@noble/curves/ed25519.js');
      const { poprfInfo } = await import('../src/crypto/oprf.ts');
      const poprf = ristretto255_oprf.poprf(poprfInfo('dev', u.iss, u.sub, u.walletId));
      const bl = poprf.blind(new Uint8Array([2]), fromBase64Url(realm.publicKey));
      const raw = JSON.stringify({
        walletId: u.walletId,
        epoch: 2,
        blinded: toBase64Url(bl.blinded),
      });
      const path = '/v1/apps/dev/evaluate';
      const r = await call(realm.app, 'POST', path, {
        token: u.token,
        rawBody: raw,
        headers: signed(key, {
          method: 'POST',
          path,
          appId: 'dev',
          walletId: u.walletId,
          expectedEpoch: 2,
          body: raw,
        }),
      });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ counted: false, guesses: 1, maskedShare: null });
      // Another wallet id against this registration: refused, not counted.
      const stranger = { ...u, walletId: crypto.randomUUID() };
      expectProblem(
        (await evaluateAt(realm, stranger, new Uint8Array(1), 1)).reply,
        409,
        'registration_mismatch',
      );
      // Delete without a signature: refused; with it: gone.
      const reg = '/v1/apps/dev/registration';
      expectProblem(
        await call(realm.app, 'DELETE', reg, { token: u.token }),
        401,
        'management_signature_required',
      );
      const d = await call(realm.app, 'DELETE', reg, {
        token: u.token,
        headers: signed(key, {
          method: 'DELETE',
          path: reg,
          appId: 'dev',
          walletId: u.walletId,
          expectedEpoch: null,
        }),
      });
      expect(d.status).toBe(204);
      expectProblem(
        await call(realm.app, 'GET', reg, { token: u.token }),
        404,
        'registration_not_found',
      );
    });

    it('wallet flow, 3 realms t = 2: register, recover through 2 (one down), unlock, combine U', async () => {
      const realms = [
        realm,
        await makeRealm(backend.database, { realmId: 'realm-test-b' }),
        await makeRealm(backend.database, { realmId: 'realm-test-c' }),
      ];
      // Three realms sharing one database here is a test economy: tables are keyed by app
      // and user, so they need distinct users; each realm has its own key and id.
      const u = await user();
      const key = mgmtKey(u.walletId);
      const x = oprfInput(hOf('Rex the dog', 'salt-1'));
      const U = crypto.getRandomValues(new Uint8Array(32));
      const shares = await split(U, 3, 2);
      const outputs: Uint8Array[] = [];
      // Before any registration: not counted, and each realm's key gives its own output.
      for (const r of realms) outputs.push((await evaluateAt(r, u, x, 1)).output!);
      // Distinct realm keys give unrelated outputs for the same input and info.
      expect(new Set(outputs.map((o) => toBase64Url(o))).size).toBe(3);
      // One user per realm would be the real deployment; here the realms share tables, so
      // register realm i's epoch under the same user only at realm 0 and use users b, c.
      const users = [
        u,
        { ...(await user()), walletId: u.walletId },
        { ...(await user()), walletId: u.walletId },
      ];
      const regs = [];
      for (const [i, r] of realms.entries()) {
        const ui = users[i]!;
        const { output } = await evaluateAt(r, ui, x, 1);
        const masked = xor(shares[i]!, padOf(output!, r.realmId, 1));
        const body = {
          walletId: u.walletId,
          epoch: 1,
          maskedShare: toBase64Url(masked),
          unlockTag: toBase64Url(tagOf(U, r.realmId, 1)),
          managementKey: toBase64Url(key.publicKey),
          realmId: r.realmId,
        };
        const put = await call(r.app, 'PUT', '/v1/apps/dev/registration', {
          token: ui.token,
          body,
        });
        expect(put.status).toBe(201);
        regs.push(body);
      }
      // Recover with the right answer through realms 0 and 2 (realm 1 "down").
      const got: Uint8Array[] = [];
      for (const i of [0, 2]) {
        const r = realms[i]!;
        const { output, reply } = await evaluateAt(r, users[i]!, x, 1);
        expect(reply.json.counted).toBe(true);
        got.push(xor(fromBase64Url(reply.json.maskedShare), padOf(output!, r.realmId, 1)));
      }
      const U2 = await combine(got);
      expect(toBase64Url(U2)).toBe(toBase64Url(U));
      for (const i of [0, 2]) {
        const r = realms[i]!;
        const un = await call(r.app, 'POST', '/v1/apps/dev/unlock', {
          token: users[i]!.token,
          body: { walletId: u.walletId, epoch: 1, unlockTag: toBase64Url(tagOf(U2, r.realmId, 1)) },
        });
        expect(un.status).toBe(200);
        expect(un.json.wrongGuesses).toBe(0);
      }
      // A wrong answer: the shares come out wrong, U is wrong, the tags are refused.
      const bad: Uint8Array[] = [];
      const xw = oprfInput(hOf('Max the dog', 'salt-1'));
      for (const i of [0, 2]) {
        const r = realms[i]!;
        const { output, reply } = await evaluateAt(r, users[i]!, xw, 1);
        bad.push(xor(fromBase64Url(reply.json.maskedShare), padOf(output!, r.realmId, 1)));
      }
      const Uw = await combine(bad);
      expect(toBase64Url(Uw)).not.toBe(toBase64Url(U));
      const refused = await call(realms[0]!.app, 'POST', '/v1/apps/dev/unlock', {
        token: users[0]!.token,
        body: {
          walletId: u.walletId,
          epoch: 1,
          unlockTag: toBase64Url(tagOf(Uw, realms[0]!.realmId, 1)),
        },
      });
      expectProblem(refused, 403, 'unlock_tag_wrong');
      // realmId in a body must be this realm's.
      const mis = await call(realms[1]!.app, 'PUT', '/v1/apps/dev/registration', {
        token: (await user()).token,
        body: { ...regs[0], walletId: crypto.randomUUID() },
      });
      expectProblem(mis, 422, 'realm_mismatch');
    });

    it('mounted under /realm in a parent app (as the vault does): problems, signatures on both paths', async () => {
      const parent = new OpenAPIHono();
      parent.get('/v1/apps/:appId', (c) => c.json({ vault: true }));
      parent.route('/realm', realm.app);
      const plain = new Hono();
      plain.route('/realm', realm.app);
      for (const host of [parent, plain]) {
        const info = await call(host, 'GET', '/realm/v1/realm');
        expect(info.json.publicKey).toBe(realm.publicKey);
        const u = await user();
        const key = mgmtKey(u.walletId);
        const p1 = await call(host, 'PUT', '/realm/v1/apps/dev/registration', {
          token: u.token,
          body: regBody(u, key, 1),
        });
        expect(p1.status).toBe(201);
        expectProblem(
          await call(host, 'GET', '/realm/v1/apps/nope/registration', { token: u.token }),
          404,
          'app_not_found',
        );
        const { output, reply } = await evaluateAt(
          { app: host, publicKey: realm.publicKey },
          u,
          new Uint8Array(3),
          1,
          { prefix: '/realm' },
        );
        expect(reply.json.counted).toBe(true);
        expect(output).toHaveLength(64);
        // Signed with the path below the realm's base …
        for (const [epoch, signedPath] of [
          [2, '/v1/apps/dev/registration'],
          [3, '/realm/v1/apps/dev/registration'],
        ] as const) {
          const raw = JSON.stringify(regBody(u, key, epoch));
          const r = await call(host, 'PUT', '/realm/v1/apps/dev/registration', {
            token: u.token,
            rawBody: raw,
            headers: signed(key, {
              method: 'PUT',
              path: signedPath,
              appId: 'dev',
              walletId: u.walletId,
              expectedEpoch: epoch - 1,
              body: raw,
            }),
          });
          expect(r.status).toBe(200);
        }
        // … or the full path seen by the host; any other path is refused.
        const raw = JSON.stringify(regBody(u, key, 4));
        const r = await call(host, 'PUT', '/realm/v1/apps/dev/registration', {
          token: u.token,
          rawBody: raw,
          headers: signed(key, {
            method: 'PUT',
            path: '/v1/apps/dev/wallet/shares',
            appId: 'dev',
            walletId: u.walletId,
            expectedEpoch: 3,
            body: raw,
          }),
        });
        expectProblem(r, 401, 'management_signature_invalid');
        const doc = await call(host, 'GET', '/realm/v1/openapi.json');
        expect(doc.status).toBe(200);
      }
      const vault = await call(parent, 'GET', '/v1/apps/dev');
      expect(vault.json).toEqual({ vault: true });
    });

    it('OpenAPI, health, readiness, CORS', async () => {
      const doc = await call(realm.app, 'GET', '/v1/openapi.json');
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.json.paths).sort()).toEqual([
        '/healthz',
        '/readyz',
        '/v1/apps/{appId}/evaluate',
        '/v1/apps/{appId}/registration',
        '/v1/apps/{appId}/registration/commit',
        '/v1/apps/{appId}/unlock',
        '/v1/realm',
      ]);
      expect((await call(realm.app, 'GET', '/healthz')).json).toEqual({ ok: true });
      expect((await call(realm.app, 'GET', '/readyz')).json).toEqual({ ok: true });
      const pre = await call(realm.app, 'OPTIONS', '/v1/apps/dev/evaluate', {
        headers: { origin: WALLET_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(WALLET_ORIGIN);
      expect(pre.headers.get('access-control-allow-headers')).toContain('trine-mgmt-signature');
      expectProblem(
        await call(realm.app, 'OPTIONS', '/v1/apps/dev/evaluate', {
          headers: { origin: 'https://evil.example' },
        }),
        403,
        'forbidden_origin',
      );
      const u = await user();
      expectProblem(
        await call(realm.app, 'GET', '/v1/apps/dev/registration', {
          token: u.token,
          headers: { origin: 'https://evil.example' },
        }),
        403,
        'forbidden_origin',
      );
      const ok = await call(realm.app, 'GET', '/v1/apps/dev/registration', {
        token: u.token,
        headers: { origin: WALLET_ORIGIN },
      });
      expect(ok.headers.get('access-control-allow-origin')).toBe(WALLET_ORIGIN);
      expectProblem(await call(realm.app, 'GET', '/nope'), 404, 'not_found');
    });
  });
}
