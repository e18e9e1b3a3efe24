/**
 * flows/reshare-step wiring: the management key derived from the entropy signs the vault
 * PUT and both commits, the key goes into the PUT body only for a legacy (v1) wallet, the
 * realms get epoch n+1 and commit it, and a v2 wallet is never downgraded to a v1 record
 * when the app config stops listing realms.
 */
import { fromBase64Url, toBase64Url } from '@trine/core/bytes';
import { deriveManagementKey } from '@trine/core/management-key';
import type { SealedRecordV2 } from '@trine/core/sealed-record';
import { splitSecret } from '@trine/core/shamir';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCardano } from '../src/cardano.ts';
import type { WalletState } from '../src/context.ts';
import { managementOf, prepareAnswerHash, realmSetup, sealRecovery } from '../src/context.ts';
import { isLegacyWallet } from '../src/flows/manage.ts';
import { reshareWith } from '../src/flows/reshare-step.ts';
import { RealmError, type Signer } from '../src/realm-client.ts';
import { openWithRealms } from '../src/realms.ts';
import { UnlockSession } from '../src/session.ts';
import type { PutSharesBody } from '../src/vault-client.ts';
import { type RealmWorld, realmPool, realmWorld } from './realm-world.ts';

beforeAll(() => realmPool(3, 10));

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const entropy = Uint8Array.from({ length: 32 }, (_, i) => i * 3 + 2);
let keyId: string;
let state: WalletState;

beforeAll(async () => {
  const cardano = await loadCardano();
  const info = cardano.deriveWallet(entropy, 'preprod');
  keyId = info.keyId;
  state = {
    meta: {
      walletId,
      keyId,
      network: 'preprod',
      addresses: { base: info.baseAddress, reward: info.rewardAddress },
      epoch: 1,
      question: 'Pet?',
    },
    device: undefined,
  };
});

function wire(w: RealmWorld) {
  const calls: { put?: [PutSharesBody, Signer]; commit?: [number, Signer]; stored?: number } = {};
  Object.assign(w.ctx, {
    session: new UnlockSession(),
    store: {
      put: async (r: { epoch: number }) => {
        calls.stored = r.epoch;
      },
    },
    vault: {
      ...w.ctx.vault,
      putShares: async (body: PutSharesBody, signer: Signer) => {
        calls.put = [body, { ...signer, secretKey: Uint8Array.from(signer.secretKey) }];
      },
      getAuthShare: async () => {
        throw new Error('not used');
      },
      commit: async (epoch: number, signer: Signer) => {
        calls.commit = [epoch, { ...signer, secretKey: Uint8Array.from(signer.secretKey) }];
      },
    },
  });
  return calls;
}

const secrets = { password: 'a new password 12', answer: 'Rex', question: 'Pet?' };
const mk = () => deriveManagementKey(entropy, walletId);

describe('reshareWith', () => {
  it('signs with the wallet’s management key, registers + commits n+1 at every realm', async () => {
    const w = await realmWorld(3, 2, 10);
    const s = await splitSecret(entropy, { walletId, keyId, epoch: 1 });
    await sealRecovery(w.ctx, s.recovery, 'Rex', 1, managementOf(entropy, walletId), false);
    const calls = wire(w);
    expect(await reshareWith(w.ctx, state, entropy, 1, secrets)).toBe(2);
    const [body, signer] = calls.put!;
    expect(body.expectedEpoch).toBe(1);
    expect(body.recovery?.sealed.v).toBe(2);
    expect(body.managementKey).toBeUndefined(); // registered at create already
    expect(signer.walletId).toBe(walletId);
    expect(Buffer.from(signer.secretKey).equals(Buffer.from(mk().secretKey))).toBe(true);
    expect(calls.commit?.[0]).toBe(2);
    expect(calls.stored).toBe(2);
    for (const d of w.realms) expect((await d.registration())!.epochs).toEqual([2]);
    expect(entropy[0]).toBe(2); // not wiped: the caller owns it
  });

  it('an answer hash prepared ahead seals under a fresh salt (never the old record’s), once, and is wiped', async () => {
    const w = await realmWorld(3, 2, 10);
    const s = await splitSecret(entropy, { walletId, keyId, epoch: 1 });
    const old = (await sealRecovery(
      w.ctx,
      s.recovery,
      'Rex',
      1,
      managementOf(entropy, walletId),
      false,
    )) as SealedRecordV2;
    const calls = wire(w);
    const prepared = prepareAnswerHash(w.ctx, 'Rex');
    const taken = prepared.take();
    expect(prepared.take()).toBeUndefined(); // handed over once: a retry hashes anew
    const { h } = await taken!;
    expect(await reshareWith(w.ctx, state, entropy, 1, { ...secrets, answerHash: taken })).toBe(2);
    const sealed = calls.put![0].recovery!.sealed as SealedRecordV2;
    // The attacker's evaluations of guesses under the old salt (counted before the
    // re-share reset the counters) are worthless against the new record: other salt, other h.
    expect(sealed.kdf.salt).not.toBe(old.kdf.salt);
    expect(h.every((b) => b === 0)).toBe(true); // wiped by sealRecovery after use
    prepared.discard(); // taken: the taker owned it; nothing else to do, nothing thrown
    // The new record opens with the answer through the realms at epoch 2.
    const setup = (await realmSetup(w.ctx, walletId))!;
    const h2 = await w.ctx.kdf.hash('Rex', fromBase64Url(sealed.kdf.salt, 'salt'), sealed.kdf);
    const opened = await openWithRealms(setup, sealed, h2);
    expect(opened.envelope.epoch).toBe(2);
  });

  it('a prepared answer hash that is never used is wiped by discard()', async () => {
    const w = await realmWorld(3, 2, 10);
    const made: Uint8Array[] = [];
    const kdf = w.ctx.kdf;
    w.ctx.kdf = {
      ...kdf,
      hash: async (...args: Parameters<typeof kdf.hash>) => {
        const h = await kdf.hash(...args);
        made.push(h);
        return h;
      },
    };
    const prepared = prepareAnswerHash(w.ctx, 'Rex');
    await prepared.settled;
    expect(made[0]!.some((b) => b !== 0)).toBe(true);
    prepared.discard(); // cancel, or a changed answer
    await new Promise((r) => setTimeout(r, 0));
    expect(made[0]!.every((b) => b === 0)).toBe(true);
    expect(prepared.take()).toBeUndefined(); // nothing left to hand over
  });

  it('a legacy wallet sends its management public key in the PUT (migration)', async () => {
    const w = await realmWorld(3, 2, 10);
    const calls = wire(w);
    await reshareWith(w.ctx, state, entropy, 1, secrets, undefined, true);
    expect(calls.put?.[0].managementKey).toBe(toBase64Url(mk().publicKey));
    expect(calls.put?.[0].recovery?.sealed.v).toBe(2);
  });

  it('refuses to downgrade a v2 wallet when the app stops listing realms (nothing sent)', async () => {
    const w = await realmWorld(3, 2, 10);
    const calls = wire(w);
    w.ctx.app.realms = [];
    const err = await reshareWith(w.ctx, state, entropy, 1, secrets).catch((e) => e);
    expect(err).toBeInstanceOf(RealmError);
    expect(err.code).toBe('realms_missing');
    expect(calls).toEqual({});
    // A legacy wallet of an app without realms keeps its v1 record (nothing to lose).
    await reshareWith(w.ctx, state, entropy, 1, secrets, undefined, true);
    expect(calls.put?.[0].recovery?.sealed.v).toBe(1);
  });
});

describe('createWallet with realms: every step, and a crash at each', () => {
  async function run(crash?: 'realm' | 'vault' | 'store') {
    const { createWallet } = await import('../src/flows/create.ts');
    const w = await realmWorld(3, 2, 10);
    const made: { body?: Record<string, unknown>; stored?: unknown } = {};
    Object.assign(w.ctx, {
      network: 'preprod',
      session: new UnlockSession(),
      store: {
        put: async (r: unknown) => {
          if (crash === 'store') throw new Error('crash at the device write');
          made.stored = r;
        },
      },
      vault: {
        ...w.ctx.vault,
        createWallet: async (body: Record<string, unknown>) => {
          if (crash === 'vault') throw new Error('crash at the vault POST');
          made.body = body;
        },
      },
    });
    if (crash === 'realm') w.realms[1]!.down = true;
    const result = await createWallet(w.ctx, 'a good password 12', 'Pet?', 'Rex').catch((e) => e);
    return { w, made, result };
  }

  it('registers at every realm, then the vault (v2 + managementKey), commits epoch 1, then the device', async () => {
    const { w, made, result } = await run();
    expect(result.walletId).toBeDefined();
    const sealed = (made.body!.recovery as { sealed: { v: number } }).sealed;
    expect(sealed.v).toBe(2);
    expect(typeof made.body?.managementKey).toBe('string');
    for (const d of w.realms) {
      expect(d.log).toEqual([
        'POST /v1/apps/dev/evaluate',
        'PUT /v1/apps/dev/registration',
        'POST /v1/apps/dev/registration/commit',
      ]);
    }
    expect(made.stored).toBeDefined();
    // Recovery works from what the vault got (auth share + v2 record through the realms).
    w.vaultRecovery = { epoch: 1, question: 'Pet?', sealed: sealed as never };
    const { openRecoveryShare } = await import('../src/flows/recover.ts');
    const r = await openRecoveryShare(w.ctx, result.walletId, 'Rex');
    expect(r.share.role).toBe(3);
  });

  it('a realm down: nothing reaches the vault or the device', async () => {
    const { made, result } = await run('realm');
    expect(result).toBeInstanceOf(Error);
    expect(made).toEqual({});
  });

  it('a crash at the vault POST: no wallet, the realms hold only uncommitted epoch 1', async () => {
    const { w, made, result } = await run('vault');
    expect(result).toBeInstanceOf(Error);
    expect(made).toEqual({});
    for (const d of w.realms) expect(d.log.some((l) => l.includes('commit'))).toBe(false);
  });

  it('a crash at the device write: the vault holds auth + v2 recovery (still two shares)', async () => {
    const { made, result } = await run('store');
    expect(result).toBeInstanceOf(Error);
    expect((made.body!.recovery as { sealed: { v: number } }).sealed.v).toBe(2);
  });
});

describe('change question: is the wallet legacy? (no recovery attempt spent to find out)', () => {
  const realm = { id: 'r1', url: 'https://r1.example', publicKey: 'k' };
  const ask = (managementKey: string | null | undefined, realms: unknown[], v: 1 | 2) => {
    let recoveryReads = 0;
    const ctx = {
      app: { realms, realmThreshold: realms.length },
      vault: {
        getRecovery: async () => {
          recoveryReads++;
          return { epoch: 1, question: 'Pet?', sealed: { v } };
        },
      },
    } as never;
    const meta = { ...state.meta, ...(managementKey === undefined ? {} : { managementKey }) };
    return isLegacyWallet(ctx, { meta }).then((legacy) => ({ legacy, recoveryReads }));
  };

  it('decided from the metadata when it can be: POST …/recovery is rate-limited per wallet', async () => {
    // No management key at the vault: a pre-realm wallet.
    expect(await ask(null, [realm], 1)).toEqual({ legacy: true, recoveryReads: 0 });
    expect(await ask(null, [], 1)).toEqual({ legacy: true, recoveryReads: 0 });
    // A key and realms: the re-share seals v2 whatever the record was.
    expect(await ask('key', [realm], 2)).toEqual({ legacy: false, recoveryReads: 0 });
  });

  it('reads the record only when the metadata cannot tell', async () => {
    // No realms listed: a v2 record must be known (reshareWith refuses to downgrade it).
    expect(await ask('key', [], 2)).toEqual({ legacy: false, recoveryReads: 1 });
    expect(await ask('key', [], 1)).toEqual({ legacy: true, recoveryReads: 1 });
    // A vault that does not report the key.
    expect(await ask(undefined, [realm], 1)).toEqual({ legacy: true, recoveryReads: 1 });
    expect(await ask(undefined, [realm], 2)).toEqual({ legacy: false, recoveryReads: 1 });
  });
});
