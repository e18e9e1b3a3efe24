/**
 * Invariant 8 across the vault and the realms (docs/realms.md "Re-share"): the re-share
 * steps with realms — register epoch n+1 at every realm (signed), vault PUT (signed, CAS,
 * the vault keeps epoch n until commit), device write, realm commit, vault commit — and a
 * crash at each of them. After every crash the user can still reach two shares of one
 * epoch, and every record the vault lists still opens through the realms.
 *
 * The realms are three real apps/realm instances (test/realm-world.ts) reached through
 * the real realm client; the vault is a small model of its contract (CAS + kept
 * previous epoch).
 */
import { encodeEnvelope, type ShareEnvelope } from '@trine/core/envelope';
import { deriveManagementKey } from '@trine/core/management-key';
import { openShare } from '@trine/core/seal';
import type { SealedRecord } from '@trine/core/sealed-record';
import { combineShares, splitSecret } from '@trine/core/shamir';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { managementOf, realmSetup, sealRecovery } from '../src/context.ts';
import { openRecoveryShare } from '../src/flows/recover.ts';
import { commitRealms } from '../src/realms.ts';
import { type ReshareDeps, reshare } from '../src/reshare.ts';
import { type PutSharesBody, VaultError } from '../src/vault-client.ts';
import { nodeKdf, type RealmWorld, realmPool, realmWorld } from './realm-world.ts';

beforeAll(() => realmPool(3, 100));

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const keyId = 'ab'.repeat(28);
const entropy = Uint8Array.from({ length: 32 }, (_, i) => i * 5 + 3);
const PASSWORD = 'old password 1';
const NEW_PASSWORD = 'new password 2';
const ANSWER = 'Rex';

interface EpochRecords {
  epoch: number;
  auth: ShareEnvelope;
  recovery: SealedRecord;
}

interface World extends RealmWorld {
  vault: EpochRecords & { prev?: EpochRecords; managementKey?: string };
  device: { epoch: number; sealed: SealedRecord; password: string };
  log: string[];
}

async function world(legacy = false): Promise<World> {
  const rw = await realmWorld(3, 2, 100);
  const s = await splitSecret(entropy, { walletId, keyId, epoch: 1 });
  const recovery = legacy
    ? await nodeKdf.seal(s.recovery, ANSWER)
    : await sealRecovery(rw.ctx, s.recovery, ANSWER, 1, managementOf(entropy, walletId), false);
  // The same object as rw: its ctx reads `vaultRecovery` from it.
  const w: World = Object.assign(rw, {
    vault: { epoch: 1, auth: s.auth, recovery },
    device: { epoch: 1, sealed: await nodeKdf.seal(s.device, PASSWORD), password: PASSWORD },
    log: [],
  });
  if (!legacy) w.vault.managementKey = 'registered';
  return w;
}

type Crash =
  | { at: 'realm-down' }
  | { at: 'realm-put-lost' }
  | { at: 'put'; after?: boolean }
  | { at: 'store' }
  | { at: 'realm-commit' }
  | { at: 'vault-commit' };

function deps(w: World, crash?: Crash): ReshareDeps {
  const management = managementOf(entropy, walletId);
  return {
    sealDevice: (env, password) => nodeKdf.seal(env, password),
    async sealRecovery(env, answer, epoch) {
      w.log.push('realms');
      if (crash?.at === 'realm-down') w.realms[1]!.down = true;
      if (crash?.at === 'realm-put-lost') w.realms[2]!.crashAfter = 'PUT /registration';
      return sealRecovery(w.ctx, env, answer, epoch, management, true);
    },
    async putShares(body: PutSharesBody) {
      w.log.push('put');
      if (crash?.at === 'put' && !crash.after) throw new Error('crash before the PUT');
      if (body.expectedEpoch !== w.vault.epoch) throw new VaultError(409, 'stale_epoch', 'stale');
      if (!w.vault.managementKey && !body.managementKey) {
        throw new VaultError(401, 'management_signature_required', 'no key');
      }
      const prev = { epoch: w.vault.epoch, auth: w.vault.auth, recovery: w.vault.recovery };
      const managementKey = w.vault.managementKey ?? body.managementKey;
      w.vault = {
        epoch: body.epoch,
        auth: body.authShare,
        recovery: body.recovery!.sealed,
        prev,
        ...(managementKey ? { managementKey } : {}),
      };
      if (crash?.at === 'put' && crash.after) throw new Error('crash after the commit');
    },
    async getAuthShare() {
      return { epoch: w.vault.epoch, authShare: w.vault.auth };
    },
    async storeDevice(sealed, epoch) {
      w.log.push('store');
      if (crash?.at === 'store') throw new Error('crash at the device write');
      w.device = { epoch, sealed, password: NEW_PASSWORD };
    },
    async commit(epoch) {
      w.log.push('commit');
      if (crash?.at === 'realm-commit') throw new Error('crash before the realm commit');
      const setup = (await realmSetup(w.ctx, walletId))!;
      const failed = await commitRealms(setup, epoch, management.signer);
      if (failed.length) throw failed[0];
      if (crash?.at === 'vault-commit') throw new Error('crash before the vault commit');
      delete w.vault.prev;
    },
  };
}

const input = (legacy = false) => ({
  entropy,
  walletId,
  keyId,
  currentEpoch: 1,
  password: NEW_PASSWORD,
  answer: ANSWER,
  question: 'Pet?',
  ...(legacy
    ? {
        registerManagementKey: Buffer.from(
          deriveManagementKey(entropy, walletId).publicKey,
        ).toString('base64url'),
      }
    : {}),
});

/** Opens a vault recovery record the way recovery does (through the realms for v2). */
async function openRecord(w: World, rec: EpochRecords): Promise<ShareEnvelope | null> {
  w.vaultRecovery = { epoch: rec.epoch, question: 'Pet?', sealed: rec.recovery };
  try {
    return (await openRecoveryShare(w.ctx, walletId, ANSWER)).share;
  } catch {
    return null;
  }
}

/** Every pair of one epoch the user can open now, named "<epoch>:<pair>". */
async function reachable(w: World): Promise<string[]> {
  const out: string[] = [];
  const device = await openShare(w.device.sealed, w.device.password);
  const tryPair = async (name: string, shares: (ShareEnvelope | null)[]) => {
    if (shares.some((s) => s === null)) return;
    try {
      const s = await combineShares(shares as ShareEnvelope[], { walletId, keyId });
      if (Buffer.from(s).equals(Buffer.from(entropy))) out.push(name);
    } catch {
      // not a pair of one epoch
    }
  };
  for (const rec of [w.vault, w.vault.prev].filter((r): r is EpochRecords => !!r)) {
    const recovery = await openRecord(w, rec);
    await tryPair(`${rec.epoch}:auth+recovery`, [rec.auth, recovery]);
    await tryPair(`${rec.epoch}:device+auth`, [device, rec.auth]);
  }
  return out.sort();
}

describe('re-share with realms', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('registers n+1 at every realm (signed), then the vault, the device, and commits both', async () => {
    expect(await reshare(deps(w), input())).toBe(2);
    expect(w.log).toEqual(['realms', 'put', 'store', 'commit']);
    expect(w.vault.recovery.v).toBe(2);
    expect(w.vault.prev).toBeUndefined();
    for (const d of w.realms) {
      const reg = (await d.registration())!;
      expect(reg.epochs).toEqual([2]); // committed: epoch 1 dropped
      expect(d.log.filter((l) => l.startsWith('PUT'))).toHaveLength(2); // create + re-share
    }
    expect(await reachable(w)).toEqual(['2:auth+recovery', '2:device+auth']);
  });

  const cases: [string, Crash, string[]][] = [
    // one realm down (t = 2 of 3 still there): the re-share goes ahead at the other two,
    // so a recovery on a new device is not blocked by one realm; epoch 2 is whole
    [
      'a realm down during registration',
      { at: 'realm-down' },
      ['2:auth+recovery', '2:device+auth'],
    ],
    // one realm took n+1 but its answer was lost: counted as missed, the others suffice
    ['a lost realm PUT answer', { at: 'realm-put-lost' }, ['2:auth+recovery', '2:device+auth']],
    ['the vault PUT (before commit)', { at: 'put' }, ['1:auth+recovery', '1:device+auth']],
    // vault at 2 (keeps 1), device still 1: device + kept auth 1, and recovery 2 via realms
    [
      'the vault PUT (after commit, answer lost)',
      { at: 'put', after: true },
      ['1:auth+recovery', '1:device+auth', '2:auth+recovery'],
    ],
    ['the device write', { at: 'store' }, ['1:auth+recovery', '1:device+auth', '2:auth+recovery']],
    // device at 2 now: the kept epoch 1 still opens (realms keep 1 too until their commit)
    [
      'the realm commit',
      { at: 'realm-commit' },
      ['1:auth+recovery', '2:auth+recovery', '2:device+auth'],
    ],
    // realms dropped epoch 1, the vault still lists it: epoch 2 is whole
    ['the vault commit', { at: 'vault-commit' }, ['2:auth+recovery', '2:device+auth']],
  ];

  for (const [name, crash, pairs] of cases) {
    it(`a crash at ${name} leaves two shares of one epoch reachable`, async () => {
      const result = await reshare(deps(w, crash), input()).catch((e) => e);
      const got = await reachable(w);
      expect(got).toEqual(pairs);
      // Never fewer than one whole epoch; the vault's current records always open.
      expect(got.some((p) => p.startsWith(`${w.vault.epoch}:`))).toBe(true);
      // completes: a failed commit is best effort; one realm missing still leaves t of 3
      const completes = ['realm-commit', 'vault-commit', 'realm-down', 'realm-put-lost'];
      if (completes.includes(crash.at)) expect(result).toBe(2);
      else expect(result).toBeInstanceOf(Error);
    });
  }

  it('two realms down (fewer than t): the registration stops before the vault; epoch 1 whole', async () => {
    w.realms[0]!.down = true;
    w.realms[1]!.down = true;
    await expect(reshare(deps(w), input())).rejects.toBeTruthy();
    expect(w.log).not.toContain('put');
    for (const d of w.realms) d.down = false;
    expect(await reachable(w)).toEqual(['1:auth+recovery', '1:device+auth']);
  });

  it('a realm that missed a re-share keeps only its old epoch; the next re-share brings it up to date', async () => {
    w.realms[2]!.down = true;
    expect(await reshare(deps(w), input())).toBe(2);
    w.realms[2]!.down = false;
    expect((await w.realms[2]!.registration())!.epochs).toEqual([1]);
    expect(await reachable(w)).toEqual(['2:auth+recovery', '2:device+auth']);
    expect(await reshare(deps(w), { ...input(), currentEpoch: 2 })).toBe(3);
    for (const d of w.realms) expect((await d.registration())!.epochs).toEqual([3]);
    expect(await reachable(w)).toEqual(['3:auth+recovery', '3:device+auth']);
  });

  it('after a crash before the vault PUT, the next re-share succeeds (re-registers over the half-made epoch)', async () => {
    await reshare(deps(w, { at: 'put' }), input()).catch(() => undefined);
    for (const d of w.realms) d.down = false;
    expect(await reshare(deps(w), input())).toBe(2);
    expect(await reachable(w)).toEqual(['2:auth+recovery', '2:device+auth']);
  });
});

describe('migration: a wallet created before realms (v1 record, no management key)', () => {
  it('keeps working (v1 opens with the answer) and its next re-share moves it to v2 + realms and registers the key', async () => {
    const w = await world(true);
    expect(w.vault.recovery.v).toBe(1);
    expect(await reachable(w)).toEqual(['1:auth+recovery', '1:device+auth']);
    for (const d of w.realms) expect(await d.registration()).toBeNull();
    expect(await reshare(deps(w), input(true))).toBe(2);
    expect(w.vault.recovery.v).toBe(2);
    expect(w.vault.managementKey).toBe(input(true).registerManagementKey);
    for (const d of w.realms) {
      // first registration at each realm: unsigned PUT, then the signed commit
      expect(d.log.filter((l) => !l.includes('evaluate'))).toEqual([
        'GET /v1/apps/dev/registration',
        'PUT /v1/apps/dev/registration',
        'POST /v1/apps/dev/registration/commit',
      ]);
    }
    expect(await reachable(w)).toEqual(['2:auth+recovery', '2:device+auth']);
  });

  it('without the key in the body, the (modelled) vault refuses the unsigned legacy re-share', async () => {
    const w = await world(true);
    await expect(reshare(deps(w), input(false))).rejects.toMatchObject({
      code: 'management_signature_required',
    });
    expect(w.vault.epoch).toBe(1);
    expect(encodeEnvelope(w.vault.auth)).toContain('"epoch":1');
  });
});
