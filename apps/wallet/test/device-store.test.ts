import 'fake-indexeddb/auto';
import { KDF_FLOOR } from '@trine/core/kdf';
import { sealShare } from '@trine/core/seal';
import { splitSecret } from '@trine/core/shamir';
import { describe, expect, it } from 'vitest';
import { type DeviceRecord, openDeviceStore, parseDeviceRecord } from '../src/device-store.ts';

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const keyId = 'ab'.repeat(28);

async function record(epoch: number): Promise<DeviceRecord> {
  const s = await splitSecret(new Uint8Array(32).fill(9), { walletId, keyId, epoch });
  return {
    appId: 'dev',
    walletId,
    epoch,
    keyId,
    network: 'preprod',
    addresses: { base: 'addr_test1x', reward: 'stake_test1x' },
    sealed: await sealShare(s.device, 'a good password', { kdf: KDF_FLOOR }),
    updatedAt: 1,
  };
}

describe('device store (IndexedDB)', () => {
  it('stores, replaces and removes the record per (appId, walletId)', async () => {
    const store = await openDeviceStore(indexedDB, `t-${Math.random()}`);
    expect(await store.get('dev', walletId)).toBeUndefined();
    const r1 = await record(1);
    await store.put(r1);
    expect(await store.get('dev', walletId)).toEqual(r1);
    expect(await store.get('other-app', walletId)).toBeUndefined();
    const r2 = await record(2);
    await store.put(r2);
    expect((await store.get('dev', walletId))?.epoch).toBe(2);
    await store.remove('dev', walletId);
    expect(await store.get('dev', walletId)).toBeUndefined();
    store.close();
  });

  it('reads a damaged or inconsistent record as absent', async () => {
    const r = await record(2);
    expect(parseDeviceRecord(r)).toEqual(r);
    expect(parseDeviceRecord({ ...r, epoch: 1 })).toBeUndefined(); // header says 2
    expect(parseDeviceRecord({ ...r, sealed: { v: 1 } })).toBeUndefined();
    expect(parseDeviceRecord('x')).toBeUndefined();
  });
});
