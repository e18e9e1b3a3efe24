/**
 * The re-share ordering (DESIGN.md §2.8): with a vault that swaps auth + recovery
 * atomically under a compare-and-swap, and a device store that replaces its record in one
 * step, a crash at any step leaves two shares of one epoch that the user can open.
 */
import { encodeEnvelope, type ShareEnvelope } from '@trine/core/envelope';
import { KDF_FLOOR } from '@trine/core/kdf';
import { openShare, sealShare } from '@trine/core/seal';
import type { SealedRecord } from '@trine/core/sealed-record';
import { combineShares, splitSecret } from '@trine/core/shamir';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ReshareDeps, ReshareError, reshare } from '../src/reshare.ts';
import { type PutSharesBody, VaultError } from '../src/vault-client.ts';

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const keyId = 'ab'.repeat(28);
const entropy = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const PASSWORD = 'old password 1';
const NEW_PASSWORD = 'new password 2';
const ANSWER = 'Rex';

interface World {
  vault: { epoch: number; auth: ShareEnvelope; recovery: SealedRecord };
  device: { epoch: number; sealed: SealedRecord; password: string };
  log: string[];
}

const seal = (env: ShareEnvelope, secret: string) => sealShare(env, secret, { kdf: KDF_FLOOR });

async function world(): Promise<World> {
  const s = await splitSecret(entropy, { walletId, keyId, epoch: 1 });
  return {
    vault: { epoch: 1, auth: s.auth, recovery: await seal(s.recovery, ANSWER) },
    device: { epoch: 1, sealed: await seal(s.device, PASSWORD), password: PASSWORD },
    log: [],
  };
}

/** Deps over the world; `crashAt` makes that step throw (after it took effect, if `after`). */
function deps(w: World, crash?: { at: string; after?: boolean; error?: unknown }): ReshareDeps {
  const maybeCrash = (step: string, when: 'before' | 'after') => {
    if (crash?.at === step && (crash.after ? 'after' : 'before') === when) {
      throw crash.error ?? new Error(`crash at ${step}`);
    }
  };
  return {
    async sealDevice(env, secret) {
      w.log.push(`seal:${env.role}`);
      maybeCrash('seal', 'before');
      return seal(env, secret);
    },
    async sealRecovery(env, secret) {
      w.log.push(`seal:${env.role}`);
      maybeCrash('seal', 'before');
      return seal(env, secret);
    },
    async putShares(body: PutSharesBody) {
      w.log.push('put');
      maybeCrash('put', 'before');
      if (body.expectedEpoch !== w.vault.epoch) throw new VaultError(409, 'stale_epoch', 'stale');
      if (!body.recovery) throw new Error('test vault: recovery required');
      w.vault = { epoch: body.epoch, auth: body.authShare, recovery: body.recovery.sealed };
      maybeCrash('put', 'after');
    },
    async getAuthShare() {
      w.log.push('getAuth');
      return { epoch: w.vault.epoch, authShare: w.vault.auth };
    },
    async storeDevice(sealed, epoch) {
      w.log.push('store');
      maybeCrash('store', 'before');
      w.device = { epoch, sealed, password: NEW_PASSWORD };
    },
  };
}

/** Every pair of shares the user can open now (device with its password, recovery with the answer). */
async function reachablePairs(w: World): Promise<string[]> {
  const out: string[] = [];
  const recovery = await openShare(w.vault.recovery, ANSWER);
  const device = await openShare(w.device.sealed, w.device.password);
  const tryPair = async (name: string, shares: ShareEnvelope[]) => {
    try {
      const s = await combineShares(shares, { walletId, keyId });
      if (Buffer.from(s).equals(Buffer.from(entropy))) out.push(name);
    } catch {
      // not a pair of one epoch
    }
  };
  await tryPair('auth+recovery', [w.vault.auth, recovery]);
  await tryPair('device+auth', [device, w.vault.auth]);
  await tryPair('device+recovery', [device, recovery]);
  return out;
}

const input = () => ({
  entropy,
  walletId,
  keyId,
  currentEpoch: 1,
  password: NEW_PASSWORD,
  answer: ANSWER,
  question: 'What was the name of your first pet?',
});

describe('reshare (an app without realms: v1 records)', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('moves vault and device to epoch 2, vault first, device after the PUT succeeded', async () => {
    expect(await reshare(deps(w), input())).toBe(2);
    expect(w.log).toEqual(['seal:1', 'seal:3', 'put', 'store']);
    expect(w.vault.epoch).toBe(2);
    expect(w.device.epoch).toBe(2);
    expect(await reachablePairs(w)).toEqual(['auth+recovery', 'device+auth', 'device+recovery']);
    expect(entropy[0]).toBe(1); // the caller's entropy is not wiped by reshare
  });

  it('sends the CAS body with the new epoch, the auth share and the re-sealed recovery', async () => {
    let sent: PutSharesBody | undefined;
    const d = deps(w);
    const put = d.putShares;
    d.putShares = async (b) => {
      sent = b;
      await put(b);
    };
    await reshare(d, input());
    expect(sent?.expectedEpoch).toBe(1);
    expect(sent?.epoch).toBe(2);
    expect(sent?.authShare.role).toBe(2);
    expect(sent?.authShare.epoch).toBe(2);
    expect(sent?.recovery?.question).toBe('What was the name of your first pet?');
    expect(sent?.recovery?.sealed.header.role).toBe(3);
    expect(JSON.stringify(sent)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(sent)).not.toContain(ANSWER);
  });

  for (const crash of [
    { at: 'seal' },
    { at: 'put' },
    { at: 'put', after: true, error: new Error('crash after commit') },
    { at: 'store' },
  ]) {
    it(`keeps two shares of one epoch reachable after a crash at ${crash.at}${crash.after ? ' (after commit)' : ''}`, async () => {
      await expect(reshare(deps(w, crash), input())).rejects.toThrow();
      const pairs = await reachablePairs(w);
      expect(pairs.length).toBeGreaterThanOrEqual(1);
      expect(w.vault.auth.epoch).toBe(w.vault.recovery.header.epoch); // atomic swap
      if (crash.at === 'seal' || (crash.at === 'put' && !crash.after)) {
        expect(w.vault.epoch).toBe(1);
        expect(pairs).toEqual(['auth+recovery', 'device+auth', 'device+recovery']);
      } else {
        // vault at 2, device stale at 1: the answer still recovers the wallet
        expect(w.vault.epoch).toBe(2);
        expect(w.device.epoch).toBe(1);
        expect(pairs).toEqual(['auth+recovery']);
      }
    });
  }

  it('stores nothing and says "stale" on 409', async () => {
    w.vault.epoch = 5; // another device re-shared meanwhile
    const err = await reshare(deps(w), input()).catch((e) => e);
    expect(err).toBeInstanceOf(ReshareError);
    expect(err.reason).toBe('stale');
    expect(w.log).not.toContain('store');
    expect(w.device.epoch).toBe(1);
  });

  it('reports device_store_failed when the vault committed but the device write failed', async () => {
    const err = await reshare(deps(w, { at: 'store' }), input()).catch((e) => e);
    expect(err).toBeInstanceOf(ReshareError);
    expect(err.reason).toBe('device_store_failed');
    expect(err.message).toContain('recover it with your security answer');
  });

  it('after an ambiguous failure (lost response), reads the auth share back: committed → stores', async () => {
    const d = deps(w, { at: 'put', after: true, error: new VaultError(0, 'network', 'lost') });
    expect(await reshare(d, input())).toBe(2);
    expect(w.log).toEqual(['seal:1', 'seal:3', 'put', 'getAuth', 'store']);
    expect(w.device.epoch).toBe(2);
  });

  it('after an ambiguous failure that did not commit, stores nothing and rethrows', async () => {
    const d = deps(w, { at: 'put', error: new VaultError(503, 'http_503', 'down') });
    await expect(reshare(d, input())).rejects.toMatchObject({ name: 'VaultError', status: 503 });
    expect(w.log).toEqual(['seal:1', 'seal:3', 'put', 'getAuth']);
    expect(w.device.epoch).toBe(1);
  });

  it('a non-ambiguous refusal (400) is not read back', async () => {
    const d = deps(w, { at: 'put', error: new VaultError(400, 'bad_request', 'bad') });
    await expect(reshare(d, input())).rejects.toMatchObject({ status: 400 });
    expect(w.log).not.toContain('getAuth');
  });

  it('the committed check compares the auth share byte for byte', async () => {
    // Another device's PUT committed epoch 2 with a different split: not ours.
    const other = await splitSecret(entropy, { walletId, keyId, epoch: 2 });
    const d = deps(w, { at: 'put', error: new VaultError(0, 'network', 'lost') });
    d.getAuthShare = async () => ({ epoch: 2, authShare: other.auth });
    await expect(reshare(d, input())).rejects.toMatchObject({ code: 'network' });
    expect(encodeEnvelope(other.auth)).not.toBe(encodeEnvelope(w.vault.auth));
    expect(w.device.epoch).toBe(1);
  });
});
