/**
 * The wallet's realm steps end to end (without a browser): create-time registration at
 * every realm, recovery through t of n realms with one down or lying, wrong answers and
 * the attempts left, lockout said plainly, unlock resetting the counters, signed
 * re-registration, and the notice after a password unlock. The realms are three real
 * apps/realm instances (test/realm-world.ts: own PGlite, own OPRF key, t = 2) reached
 * through the wallet's real realm client.
 */
import { toBase64Url } from '@trine/core/bytes';
import { deriveManagementKey } from '@trine/core/management-key';
import type { SealedRecordV2 } from '@trine/core/sealed-record';
import { combineShares, type SplitShares, splitSecret } from '@trine/core/shamir';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  managementOf,
  noteRealmStatus,
  realmNoticeText,
  realmSetup,
  sealRecovery,
} from '../src/context.ts';
import { userMessage } from '../src/errors.ts';
import { openRecoveryShare } from '../src/flows/recover.ts';
import { RealmError, RealmQuorumError, tokenIdentity } from '../src/realm-client.ts';
import {
  RecoveryLockedError,
  realmStatus,
  registerAtRealms,
  unlockRealms,
  WrongAnswerError,
} from '../src/realms.ts';
import { ISS, type RealmWorld, realmPool, realmWorld, startRealm } from './realm-world.ts';

beforeAll(() => realmPool(3, 10));

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const keyId = 'ab'.repeat(28);
const entropy = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const ANSWER = 'Rex the Dog';

let w: RealmWorld;
let shares: SplitShares;

async function created(): Promise<SealedRecordV2> {
  shares = await splitSecret(entropy, { walletId, keyId, epoch: 1 });
  const sealed = await sealRecovery(
    w.ctx,
    shares.recovery,
    ANSWER,
    1,
    managementOf(entropy, walletId),
    false,
  );
  w.vaultRecovery = { epoch: 1, question: 'Pet?', sealed };
  return sealed as SealedRecordV2;
}

async function recover(answer: string) {
  const r = await openRecoveryShare(w.ctx, walletId, answer);
  const secret = await combineShares([r.share, shares.auth], { walletId, keyId });
  return { ...r, secret };
}

beforeEach(async () => {
  w = await realmWorld(3, 2, 10);
});

describe('create: registration at every realm', () => {
  it('registers epoch 1 at all realms (unsigned: none existed) and seals a v2 record naming them', async () => {
    const rec = await created();
    expect(rec.v).toBe(2);
    expect(rec.realms).toEqual({
      scheme: 'trine-realm/v1',
      threshold: 2,
      ids: ['realm-a', 'realm-b', 'realm-c'],
      epoch: 1,
    });
    const mk = toBase64Url(deriveManagementKey(entropy, walletId).publicKey);
    for (const d of w.realms) {
      expect(d.log).toEqual([`POST /v1/apps/dev/evaluate`, `PUT /v1/apps/dev/registration`]);
      const reg = (await d.registration())!;
      expect(reg.walletId).toBe(walletId);
      expect(reg.managementKey).toBe(mk);
      expect(reg.guesses).toBe(0); // create-time evaluations are not counted (none existed)
    }
    // Nothing secret in what the vault stores: no answer, no h.
    expect(JSON.stringify(rec)).not.toContain('Rex');
  });

  it('create fails cleanly when a realm is down (every realm needs its share): nothing sealed', async () => {
    w.realms[2]!.down = true;
    shares = await splitSecret(entropy, { walletId, keyId, epoch: 1 });
    const err = await sealRecovery(
      w.ctx,
      shares.recovery,
      ANSWER,
      1,
      managementOf(entropy, walletId),
      false,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(RealmQuorumError);
    expect(err.failures.map((f: RealmError) => [f.realmId, f.code])).toEqual([
      ['realm-c', 'network'],
    ]);
    expect(userMessage(err)).toMatch(/Not enough recovery services answered/);
  });
});

describe('recover through the realms', () => {
  it('the right answer (normalised) opens with all realms up, and unlock resets the counters', async () => {
    await created();
    const r = await recover('  rex THE dog ');
    expect(Buffer.from(r.secret).equals(Buffer.from(entropy))).toBe(true);
    for (const d of w.realms) expect((await d.registration())!.guesses).toBe(1);
    const setup = (await realmSetup(w.ctx, walletId))!;
    const out = await unlockRealms(setup, r.realms!.evaluated, r.realms!.unlockKey, 1);
    expect(out.wrongGuesses).toBe(0);
    for (const d of w.realms) expect((await d.registration())!.guesses).toBe(0);
  });

  it('tolerates n − t = 1 realm down', async () => {
    await created();
    w.realms[0]!.down = true;
    const r = await recover(ANSWER);
    expect(Buffer.from(r.secret).equals(Buffer.from(entropy))).toBe(true);
    expect(r.realms!.evaluated.map((x) => x.id)).toEqual(['realm-b', 'realm-c']);
  });

  it('two realms down (fewer than t) → RealmQuorumError, nothing opened', async () => {
    await created();
    w.realms[0]!.down = true;
    w.realms[1]!.down = true;
    await expect(recover(ANSWER)).rejects.toBeInstanceOf(RealmQuorumError);
  });

  it('a realm that lies about the masked share cannot stop recovery (other t-subset)', async () => {
    await created();
    await w.realms[1]!.setMaskedShare(1, toBase64Url(new Uint8Array(33).fill(0x42)));
    const r = await recover(ANSWER);
    expect(Buffer.from(r.secret).equals(Buffer.from(entropy))).toBe(true);
  });

  it('a realm that evaluates under another key (bad proof) is dropped, never yields a wrong key', async () => {
    await created();
    // Its host now answers with another OPRF key (same database, same id): a lying operator.
    const c = w.realms[2]!;
    c.impostor = (await startRealm(c.config.id, { database: c.realm.database })).realm;
    const r = await recover(ANSWER);
    expect(Buffer.from(r.secret).equals(Buffer.from(entropy))).toBe(true);
    expect(r.realms!.evaluated.map((x) => x.id)).toEqual(['realm-a', 'realm-b']);
  });

  it('a wrong answer says how many attempts remain (min over realms), then lockout is said plainly', async () => {
    await created();
    // realm-a counted 3 more wrong guesses than the others (someone else tried there)
    await w.realms[0]!.setGuesses(3);
    const err = await recover('Fido').catch((e) => e);
    expect(err).toBeInstanceOf(WrongAnswerError);
    expect(err.remaining).toBe(6); // realm-a: 10 − 4
    expect(userMessage(err, 'answer')).toMatch(
      /6 attempts left before recovery with the answer locks/,
    );
    for (let i = 0; i < 6; i++) await recover('Fido').catch(() => undefined);
    // realm-a is locked now (10), b and c are at 7: still 2 of 3 open → still a wrong answer
    const again = await recover('Fido').catch((e) => e);
    expect(again).toBeInstanceOf(WrongAnswerError);
    expect(again.remaining).toBe(2);
    await recover('Fido').catch(() => undefined);
    await recover('Fido').catch(() => undefined);
    const locked = await recover(ANSWER).catch((e) => e); // even the right answer now
    expect(locked).toBeInstanceOf(RecoveryLockedError);
    expect(locked.locked.sort()).toEqual(['realm-a', 'realm-b', 'realm-c']);
    expect(userMessage(locked, 'answer')).toMatch(/locked.*re-arm recovery.*24-word/s);
    const status = await realmStatus((await realmSetup(w.ctx, walletId))!);
    expect(status.locked).toHaveLength(3);
  });

  it('unlock after wrong attempts reports them (the "since" the realm sends)', async () => {
    await created();
    await recover('Fido').catch(() => undefined);
    await recover('Rover').catch(() => undefined);
    const r = await recover(ANSWER);
    const out = await unlockRealms(
      (await realmSetup(w.ctx, walletId))!,
      r.realms!.evaluated,
      r.realms!.unlockKey,
      1,
    );
    expect(out.wrongGuesses).toBe(2);
  });

  it('a v1 (legacy) record still opens with the answer alone, no realm is asked', async () => {
    shares = await splitSecret(entropy, { walletId, keyId, epoch: 1 });
    w.vaultRecovery = {
      epoch: 1,
      question: 'Pet?',
      sealed: await w.ctx.kdf.seal(shares.recovery, ANSWER),
    };
    const r = await recover(ANSWER);
    expect(r.realms).toBeNull();
    expect(Buffer.from(r.secret).equals(Buffer.from(entropy))).toBe(true);
    for (const d of w.realms) expect(d.log).toEqual([]);
  });
});

describe('re-share registration and signed evaluation', () => {
  it('a later registration must be signed (the realm refuses an unsigned one) and is, by expected epoch', async () => {
    await created();
    const setup = (await realmSetup(w.ctx, walletId))!;
    const h = new Uint8Array(32).fill(1);
    const mk = deriveManagementKey(entropy, walletId);
    // Unsigned, it stops at the first step: the real realm releases no uncounted evaluation
    // for an epoch it does not hold (the OPRF output does not depend on the epoch, so that
    // would be a free guess), and counts nothing.
    const unsigned = await registerAtRealms(setup, h, 2, mk.publicKey).catch((e) => e);
    expect(unsigned).toBeInstanceOf(RealmQuorumError);
    expect(unsigned.failures.map((f: RealmError) => f.code)).toEqual([
      'epoch_not_found',
      'epoch_not_found',
      'epoch_not_found',
    ]);
    for (const d of w.realms) expect((await d.registration())!.guesses).toBe(0);
    // And an unsigned PUT over the existing registration is refused as such.
    const put = await setup.client
      .putRegistration(
        w.realms[0]!.config,
        {
          walletId,
          epoch: 2,
          maskedShare: new Uint8Array(33),
          unlockTag: new Uint8Array(32),
          managementKey: mk.publicKey,
        },
        null,
      )
      .catch((e) => e);
    expect([put.status, put.code]).toEqual([401, 'management_signature_required']);
    // A wrong key's signature is refused too.
    const other = deriveManagementKey(new Uint8Array(32).fill(9), walletId);
    const wrong = await registerAtRealms(setup, h, 2, other.publicKey, {
      walletId,
      secretKey: other.secretKey,
    }).catch((e) => e);
    expect(wrong).toBeInstanceOf(RealmQuorumError);
    expect(wrong.failures[0].code).toBe('management_signature_invalid');
    const u = await registerAtRealms(setup, h, 2, mk.publicKey, {
      walletId,
      secretKey: mk.secretKey,
    });
    expect(u).toHaveLength(32);
    for (const d of w.realms) {
      const reg = (await d.registration())!;
      expect(reg.epochs).toEqual([1, 2]); // the previous epoch kept until commit
      expect(reg.guesses).toBe(0); // signed evaluations are not counted
    }
  });

  it('checking the answer with the management key (password change) is not counted', async () => {
    await created();
    const m = managementOf(entropy, walletId);
    const r = await openRecoveryShare(w.ctx, walletId, ANSWER, undefined, m.signer);
    expect(r.share.role).toBe(3);
    for (const d of w.realms) expect((await d.registration())!.guesses).toBe(0);
    const wrong = await openRecoveryShare(w.ctx, walletId, 'Fido', undefined, m.signer).catch(
      (e) => e,
    );
    expect(wrong).toBeInstanceOf(WrongAnswerError);
    for (const d of w.realms) expect((await d.registration())!.guesses).toBe(0);
  });
});

describe('the notice after a password unlock', () => {
  it('3 wrong attempts → "3 wrong recovery attempts since …" with the re-arm advice; none → no notice', async () => {
    await created();
    const state = {
      meta: { walletId } as never,
      device: { updatedAt: Date.now() - 60_000 } as never,
    };
    await noteRealmStatus(w.ctx, state);
    expect(w.ctx.realmNotice).toBeUndefined();
    for (const a of ['Fido', 'Rover', 'Spot']) await recover(a).catch(() => undefined);
    await noteRealmStatus(w.ctx, state);
    expect(w.ctx.realmNotice?.text).toMatch(/^3 wrong recovery attempts since .+Re-arm recovery/);
    expect(realmNoticeText({ wrongAttempts: 1, lastWrongAt: null, locked: [] }, 0)).toMatch(
      /^1 wrong recovery attempt since/,
    );
  });
});

describe('realm client', () => {
  it('reads iss/sub from the token payload; a malformed token → bad_token, no token text', () => {
    expect(tokenIdentity(w.token)).toEqual({ iss: ISS, sub: w.sub });
    for (const t of ['', 'a.b', 'x.eyJpc3MiOjF9.y', 'secret-token-text']) {
      const e = (() => {
        try {
          tokenIdentity(t);
        } catch (err) {
          return err as RealmError;
        }
      })();
      expect(e).toBeInstanceOf(RealmError);
      expect(e?.code).toBe('bad_token');
      expect(e?.message).not.toContain('secret-token-text');
    }
  });

  it('validates responses: wrong lengths → bad_response naming the realm; problems keep their code', async () => {
    const answers: Record<string, unknown>[] = [
      { evaluated: 'AA', proof: toBase64Url(new Uint8Array(64)), guesses: 0, guessLimit: 10 },
      { evaluated: toBase64Url(new Uint8Array(32)), proof: 'AA', guesses: 0, guessLimit: 10 },
      {
        evaluated: toBase64Url(new Uint8Array(32)),
        proof: toBase64Url(new Uint8Array(64)),
        maskedShare: toBase64Url(new Uint8Array(32)),
        guesses: 0,
        guessLimit: 10,
      },
      {
        evaluated: toBase64Url(new Uint8Array(32)),
        proof: toBase64Url(new Uint8Array(64)),
        guesses: -1,
        guessLimit: 10,
      },
    ];
    const { createRealmClient } = await import('../src/realm-client.ts');
    for (const a of answers) {
      const client = createRealmClient({
        appId: 'dev',
        getToken: async () => w.token,
        fetch: (async () =>
          new Response(JSON.stringify(a), { status: 200 })) as unknown as typeof fetch,
      });
      const e = await client
        .evaluate(
          { id: 'r9', url: 'https://r9.test', publicKey: 'x' },
          { walletId, epoch: 1, blinded: new Uint8Array(32) },
        )
        .catch((x) => x);
      expect(e).toBeInstanceOf(RealmError);
      expect(e.code).toBe('bad_response');
      expect(e.realmId).toBe('r9');
    }
    const client = createRealmClient({
      appId: 'dev',
      getToken: async () => w.token,
      fetch: (async () =>
        new Response(JSON.stringify({ code: 'registration_locked', title: 'Locked' }), {
          status: 423,
        })) as unknown as typeof fetch,
    });
    const e = await client
      .evaluate(
        { id: 'r9', url: 'https://r9.test', publicKey: 'x' },
        { walletId, epoch: 1, blinded: new Uint8Array(32) },
      )
      .catch((x) => x);
    expect([e.status, e.code]).toEqual([423, 'registration_locked']);
    expect(e.message).not.toContain(w.token);
  });
});
