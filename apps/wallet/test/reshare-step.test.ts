/**
 * flows/reshare-step wiring: the management key derived from the entropy signs the vault
 * PUT and both commits, the key goes into the PUT body only for a legacy (v1) wallet, the
 * realms get epoch n+1 and commit it, and a v2 wallet is never downgraded to a v1 record
 * when the app config stops listing realms.
 */
import { toBase64Url } from '@trine/core/bytes';
import { deriveManagementKey } from '@trine/core/management-key';
import { splitSecret } from '@trine/core/shamir';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCardano } from '../src/cardano.ts';
import type { WalletState } from '../src/context.ts';
import { managementOf, sealRecovery } from '../src/context.ts';
import { reshareWith } from '../src/flows/reshare-step.ts';
import { RealmError, type Signer } from '../src/realm-client.ts';
import { UnlockSession } from '../src/session.ts';
import type { PutSharesBody } from '../src/vault-client.ts';
import { type RealmWorld, realmWorld } from './realm-world.ts';

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
    const w = realmWorld(3, 2, 10);
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
    for (const d of w.doubles) {
      expect([...[...d.registrations.values()][0]!.epochs.keys()]).toEqual([2]);
    }
    expect(entropy[0]).toBe(2); // not wiped: the caller owns it
  });

  it('a legacy wallet sends its management public key in the PUT (migration)', async () => {
    const w = realmWorld(3, 2, 10);
    const calls = wire(w);
    await reshareWith(w.ctx, state, entropy, 1, secrets, undefined, true);
    expect(calls.put?.[0].managementKey).toBe(toBase64Url(mk().publicKey));
    expect(calls.put?.[0].recovery?.sealed.v).toBe(2);
  });

  it('refuses to downgrade a v2 wallet when the app stops listing realms (nothing sent)', async () => {
    const w = realmWorld(3, 2, 10);
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
