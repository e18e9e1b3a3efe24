/**
 * The guess counter as an attacker meets it: 12 concurrent wrong evaluations against a
 * limit of 10 (exactly 10 counted, 2 refused), the count surviving a restart on the same
 * data folder or database, lockout, reset by the right tag, per-app and per-user
 * isolation, per-realm keys, the per-user limit on uncounted evaluations, and the
 * database thief who holds one realm's tables and OPRF key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { fromBase64Url, toBase64Url } from '@trine/core/bytes';
import { combine, split } from 'shamir-secret-sharing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deriveRealmKeyPair, poprfInfo } from '../src/crypto/oprf.ts';
import { openDatabase } from '../src/db/open.ts';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  evaluateAt,
  expectProblem,
  freshPgDatabase,
  hOf,
  makeRealm,
  mgmtKey,
  openBackend,
  oprfInput,
  PG_URL,
  padOf,
  regBody,
  snapshot,
  type TestRealm,
  tagOf,
  type UserCtx,
  user,
  xor,
} from './helpers.ts';

async function registered(realm: TestRealm, u: UserCtx) {
  const body = regBody(u, mgmtKey(u.walletId), 1);
  const r = await call(realm.app, 'PUT', `/v1/apps/${u.appId}/registration`, {
    token: u.token,
    body,
  });
  expect(r.status).toBe(201);
  return body;
}

for (const kind of BACKENDS) {
  describe(`guess counter on ${kind}${BACKEND_NOTE}`, () => {
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

    it('12 concurrent wrong evaluations against limit 10: exactly 10 counted, 2 refused (423)', async () => {
      const u = await user();
      await registered(realm, u);
      const x = oprfInput(hOf('wrong', 's'));
      const replies = await Promise.all(
        Array.from({ length: 12 }, () => evaluateAt(realm, u, x, 1).then((e) => e.reply)),
      );
      const ok = replies.filter((r) => r.status === 200);
      const locked = replies.filter((r) => r.status === 423);
      expect(ok).toHaveLength(10);
      expect(locked).toHaveLength(2);
      for (const r of locked) expectProblem(r, 423, 'registration_locked');
      // Each counted answer carries its own count: 1..10, no two alike.
      expect(ok.map((r) => r.json.guesses).sort((a, b) => a - b)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
      const g = await call(realm.app, 'GET', '/v1/apps/dev/registration', { token: u.token });
      expect(g.json).toMatchObject({ guesses: 10, guessLimit: 10, locked: true });
      // Locked: another evaluation is refused and changes nothing.
      const before = await snapshot(backend.database);
      expectProblem((await evaluateAt(realm, u, x, 1)).reply, 423, 'registration_locked');
      expect(await snapshot(backend.database)).toBe(before);
    });

    it('lockout, then the right tag (known from the other realms) unlocks and resets', async () => {
      const u = await user();
      const body = await registered(realm, u);
      for (let i = 0; i < 10; i++) await evaluateAt(realm, u, new Uint8Array([i]), 1);
      expectProblem(
        (await evaluateAt(realm, u, new Uint8Array(1), 1)).reply,
        423,
        'registration_locked',
      );
      const wrong = await call(realm.app, 'POST', '/v1/apps/dev/unlock', {
        token: u.token,
        body: {
          walletId: u.walletId,
          epoch: 1,
          unlockTag: toBase64Url(new Uint8Array(32).fill(1)),
        },
      });
      expectProblem(wrong, 403, 'unlock_tag_wrong');
      const right = await call(realm.app, 'POST', '/v1/apps/dev/unlock', {
        token: u.token,
        body: { walletId: u.walletId, epoch: 1, unlockTag: body.unlockTag },
      });
      expect(right.status).toBe(200);
      expect(right.json.wrongGuesses).toBe(9);
      const { reply } = await evaluateAt(realm, u, new Uint8Array(1), 1);
      expect(reply.json).toMatchObject({ counted: true, guesses: 1 });
    });

    it("each realm refuses another app's and another user's registration", async () => {
      const alice = await user('alice');
      const body = await registered(realm, alice);
      // Bob (same app) sees none, and his evaluation never touches Alice's counter or share.
      const bob = { ...(await user('bob')), walletId: alice.walletId };
      expectProblem(
        await call(realm.app, 'GET', '/v1/apps/dev/registration', { token: bob.token }),
        404,
        'registration_not_found',
      );
      const b = await evaluateAt(realm, bob, new Uint8Array(1), 1);
      expect(b.reply.json).toMatchObject({ counted: false, maskedShare: null });
      expectProblem(
        await call(realm.app, 'POST', '/v1/apps/dev/unlock', {
          token: bob.token,
          body: { walletId: alice.walletId, epoch: 1, unlockTag: body.unlockTag },
        }),
        404,
        'registration_not_found',
      );
      // Alice's dev token on the other app: that app does not trust the dev issuer.
      expectProblem(
        await call(realm.app, 'GET', '/v1/apps/other/registration', { token: alice.token }),
        401,
        'unauthorized',
      );
      // The same subject at the other app (its own issuer) is another user with its own registration.
      const aliceOther = await user('alice', 'other');
      expectProblem(
        await call(realm.app, 'GET', '/v1/apps/other/registration', { token: aliceOther.token }),
        404,
        'registration_not_found',
      );
      expectProblem(
        await call(realm.app, 'GET', '/v1/apps/dev/registration', { token: aliceOther.token }),
        401,
        'unauthorized',
      );
      const g = await call(realm.app, 'GET', '/v1/apps/dev/registration', { token: alice.token });
      expect(g.json.guesses).toBe(0);
      // The other app's limit is its own (5).
      await registered(realm, aliceOther);
      for (let i = 0; i < 5; i++) await evaluateAt(realm, aliceOther, new Uint8Array(1), 1);
      expectProblem(
        (await evaluateAt(realm, aliceOther, new Uint8Array(1), 1)).reply,
        423,
        'registration_locked',
      );
      expect((await evaluateAt(realm, alice, new Uint8Array(1), 1)).reply.json.guesses).toBe(1);
    });

    it('a second realm key gives different outputs for the same input and info', async () => {
      const second = await makeRealm(backend.database, { realmId: 'realm-test-b' });
      const u = await user();
      const x = oprfInput(hOf('same', 'same'));
      const a1 = await evaluateAt(realm, u, x, 1);
      const a2 = await evaluateAt(realm, u, x, 1);
      const b1 = await evaluateAt(second, u, x, 1);
      expect(toBase64Url(a1.output!)).toBe(toBase64Url(a2.output!));
      expect(toBase64Url(b1.output!)).not.toBe(toBase64Url(a1.output!));
      expect(second.publicKey).not.toBe(realm.publicKey);
    });

    it('uncounted evaluations (no registration) are limited per user, in the database', async () => {
      const limited = await makeRealm(backend.database, {
        limits: { freeEvaluations: { limit: 3, windowSec: 3600 } },
      });
      const u = await user();
      for (let i = 0; i < 3; i++) {
        expect((await evaluateAt(limited, u, new Uint8Array(1), 1)).reply.status).toBe(200);
      }
      expectProblem(
        (await evaluateAt(limited, u, new Uint8Array(1), 1)).reply,
        429,
        'rate_limited',
      );
      // The bucket is in the database: a new realm process on it still refuses.
      const again = await makeRealm(backend.database, {
        limits: { freeEvaluations: { limit: 3, windowSec: 3600 } },
      });
      expectProblem((await evaluateAt(again, u, new Uint8Array(1), 1)).reply, 429, 'rate_limited');
      // Another user is not affected.
      expect((await evaluateAt(again, await user(), new Uint8Array(1), 1)).reply.status).toBe(200);
    });

    it('database thief with one realm of t = 2 (tables + OPRF key) cannot test a guess; with t = 1 can', async () => {
      const answers = ['rex', 'max', 'bella', 'luna', 'Rex the dog', 'charlie'];
      const right = 'Rex the dog';
      const salt = 'salt-x';
      for (const t of [2, 1]) {
        await backend.reset();
        const u = await user();
        const U = crypto.getRandomValues(new Uint8Array(32));
        // t = 1: the unlock key itself is the share (a one-realm setup).
        const shares = t === 2 ? await split(U, 2, 2) : [U.slice()];
        const x = oprfInput(hOf(right, salt));
        const { output } = await evaluateAt(realm, u, x, 1);
        const share0 = shares[0]!;
        const body = {
          walletId: u.walletId,
          epoch: 1,
          maskedShare: toBase64Url(
            t === 2
              ? xor(share0, padOf(output!, realm.realmId, 1))
              : xor(new Uint8Array([0, ...share0]), padOf(output!, realm.realmId, 1)),
          ),
          unlockTag: toBase64Url(tagOf(U, realm.realmId, 1)),
          managementKey: toBase64Url(mgmtKey(u.walletId).publicKey),
        };
        await call(realm.app, 'PUT', '/v1/apps/dev/registration', { token: u.token, body });
        // The thief: the stolen row, the realm's key, the public info; offline.
        const stolen = JSON.parse(await snapshot(backend.database)) as {
          reg: { user_key: string; wallet_id: string }[];
          ep: { masked_share: string; unlock_tag: string }[];
        };
        const row = stolen.ep[0]!;
        const [iss, sub] = JSON.parse(stolen.reg[0]!.user_key) as [string, string];
        const sk = deriveRealmKeyPair(realm.seed).secretKey;
        const poprf = ristretto255_oprf.poprf(poprfInfo('dev', iss, sub, stolen.reg[0]!.wallet_id));
        const hits: string[] = [];
        for (const guess of answers) {
          const o = poprf.evaluate(sk, oprfInput(hOf(guess, salt)));
          const candidate = xor(fromBase64Url(row.masked_share), padOf(o, realm.realmId, 1));
          // Best offline check: rebuild U from what this realm yields and test the tag.
          // With t = 2 the other share is missing: any stand-in gives a U that fails for
          // every guess alike; with t = 1 the candidate is U.
          // (A wrong guess yields random bytes, whose last byte, the share's x, can be 0 —
          // no share — or equal the stand-in's: the stand-in takes another x, so combine
          // never refuses a duplicate; once in 256 runs it did.)
          const x = candidate[32]!;
          const Ucand =
            t === 2
              ? x === 0
                ? new Uint8Array(32)
                : await combine([
                    candidate,
                    crypto
                      .getRandomValues(new Uint8Array(33))
                      .map((v, i) => (i === 32 ? (x === 2 ? 3 : 2) : v)),
                  ])
              : candidate.slice(1);
          if (toBase64Url(tagOf(Ucand, realm.realmId, 1)) === row.unlock_tag) hits.push(guess);
        }
        if (t === 2) expect(hits).toEqual([]);
        else expect(hits).toEqual([right]);
      }
    });
  });
}

describe(`the counter survives a restart${BACKEND_NOTE}`, () => {
  it('PGlite: same data folder, new realm instance', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-realm-restart-'));
    try {
      const seed = crypto.getRandomValues(new Uint8Array(32));
      const first = await makeRealm(await openDatabase({ dataDir: dir }), { keySeed: seed });
      const u = await user();
      await registered(first, u);
      for (let i = 0; i < 4; i++) await evaluateAt(first, u, new Uint8Array([i]), 1);
      await first.database.close();
      const second = await makeRealm(await openDatabase({ dataDir: dir }), { keySeed: seed });
      const g = await call(second.app, 'GET', '/v1/apps/dev/registration', { token: u.token });
      expect(g.json.guesses).toBe(4);
      for (let i = 0; i < 6; i++) await evaluateAt(second, u, new Uint8Array([i]), 1);
      expectProblem(
        (await evaluateAt(second, u, new Uint8Array(1), 1)).reply,
        423,
        'registration_locked',
      );
      await second.database.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // A PGlite data folder is initialised and reopened: slow on a loaded machine.
  }, 180_000);

  // Defined only with a PostgreSQL cluster (BACKEND_NOTE says when it is not).
  if (PG_URL)
    it('PostgreSQL: same database, new pool', async () => {
      const fresh = await freshPgDatabase();
      try {
        const seed = crypto.getRandomValues(new Uint8Array(32));
        const first = await makeRealm(await openDatabase({ url: fresh.url }), { keySeed: seed });
        const u = await user();
        await registered(first, u);
        for (let i = 0; i < 7; i++) await evaluateAt(first, u, new Uint8Array([i]), 1);
        await first.database.close();
        const second = await makeRealm(await openDatabase({ url: fresh.url }), { keySeed: seed });
        const g = await call(second.app, 'GET', '/v1/apps/dev/registration', { token: u.token });
        expect(g.json.guesses).toBe(7);
        await second.database.close();
      } finally {
        await fresh.drop();
      }
    });
});
