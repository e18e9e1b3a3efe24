// @vitest-environment happy-dom
/**
 * The wallet window's store operations (storage-window.ts) on a real (fake-indexeddb)
 * device store: a sealed record round-trips; a malformed record, a bad id or an unknown
 * operation from a message is refused and stores nothing.
 */

import { KDF_FLOOR } from '@trine/core/kdf';
import { sealShare } from '@trine/core/seal';
import { splitSecret } from '@trine/core/shamir';
import { IDBFactory as FakeFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { type DeviceRecord, openDeviceStore } from '../src/device-store.ts';
import { runStoreOp } from '../src/storage-window.ts';

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const keyId = 'ab'.repeat(28);

async function record(): Promise<DeviceRecord> {
  const s = await splitSecret(new Uint8Array(32).fill(9), { walletId, keyId, epoch: 1 });
  return {
    appId: 'dev',
    walletId,
    epoch: 1,
    keyId,
    network: 'preprod',
    addresses: { base: 'addr_test1x', reward: 'stake_test1x' },
    sealed: await sealShare(s.device, 'a good password', { kdf: KDF_FLOOR }),
    updatedAt: 1,
  };
}

describe('wallet window store operations', () => {
  it('a sealed record round-trips; seen ids too', async () => {
    const store = await openDeviceStore(new FakeFactory());
    const rec = await record();
    await runStoreOp(store, 'put', [JSON.parse(JSON.stringify(rec))]);
    const back = (await runStoreOp(store, 'get', ['dev', walletId])) as DeviceRecord;
    expect(back.keyId).toBe(keyId);
    expect(back.sealed).toEqual(rec.sealed);
    await runStoreOp(store, 'putSeen', ['dev', walletId, '42']);
    expect(await runStoreOp(store, 'getSeen', ['dev', walletId])).toBe('42');
    await runStoreOp(store, 'remove', ['dev', walletId]);
    expect(await runStoreOp(store, 'get', ['dev', walletId])).toBeNull();
  });

  it('refuses a malformed record, a bad id, a bad seen id, an unknown op; nothing stored', async () => {
    const store = await openDeviceStore(new FakeFactory());
    const rec = await record();
    await expect(runStoreOp(store, 'put', [{ ...rec, epoch: 2 }])).rejects.toThrow();
    await expect(runStoreOp(store, 'put', [{ ...rec, appId: '../x' }])).rejects.toThrow();
    await expect(runStoreOp(store, 'put', ['not a record'])).rejects.toThrow();
    await expect(runStoreOp(store, 'get', [{}, walletId])).rejects.toThrow();
    await expect(runStoreOp(store, 'putSeen', ['dev', walletId, '<b>'])).rejects.toThrow();
    await expect(runStoreOp(store, 'clear', [])).rejects.toThrow();
    expect(await runStoreOp(store, 'get', ['dev', walletId])).toBeNull();
    expect(await store.getSeen('dev', walletId)).toBeUndefined();
  });
});
