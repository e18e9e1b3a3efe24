/**
 * @module device-store — the sealed device share in the wallet origin's IndexedDB
 * (DESIGN.md §6), one record per (appId, walletId).
 *
 * The record is sealed (Argon2id + AES-GCM under the password, @trine/core/seal), so the
 * store itself holds nothing usable without the password. Beside it we keep the public
 * facts derived from the key at creation/recovery time (key id, network, addresses): the
 * wallet trusts those over the vault's copy when it tells the host its addresses.
 * A `put` replaces the previous record in one transaction, so a crash leaves either the
 * old or the new record, never neither (DESIGN.md §2.8).
 */
import { parseSealedRecord, type SealedRecord } from '@trine/core/sealed-record';
import type { Network } from '@trine/protocol/methods';

export interface DeviceRecord {
  appId: string;
  walletId: string;
  epoch: number;
  keyId: string;
  network: Network;
  addresses: { base: string; reward: string };
  sealed: SealedRecord;
  updatedAt: number;
}

export const DB_NAME = 'trine-wallet';
const DB_VERSION = 1;
const STORE = 'device';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new Error('this browser refused to use local storage for the wallet'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(new Error('could not save on this device'));
    tx.onabort = () => reject(new Error('could not save on this device (aborted)'));
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a stored record; a damaged one reads as absent (the user can recover). */
export function parseDeviceRecord(v: unknown): DeviceRecord | undefined {
  if (!isRecord(v) || !isRecord(v.addresses)) return undefined;
  try {
    const sealed = parseSealedRecord(v.sealed);
    if (
      typeof v.appId !== 'string' ||
      typeof v.walletId !== 'string' ||
      typeof v.keyId !== 'string' ||
      typeof v.network !== 'string' ||
      typeof v.addresses.base !== 'string' ||
      typeof v.addresses.reward !== 'string' ||
      typeof v.epoch !== 'number' ||
      sealed.header.epoch !== v.epoch ||
      sealed.header.walletId !== v.walletId ||
      sealed.header.role !== 1
    ) {
      return undefined;
    }
    return {
      appId: v.appId,
      walletId: v.walletId,
      epoch: v.epoch,
      keyId: v.keyId,
      network: v.network as Network,
      addresses: { base: v.addresses.base, reward: v.addresses.reward },
      sealed,
      updatedAt: typeof v.updatedAt === 'number' ? v.updatedAt : 0,
    };
  } catch {
    return undefined;
  }
}

export interface DeviceStore {
  get(appId: string, walletId: string): Promise<DeviceRecord | undefined>;
  put(record: DeviceRecord): Promise<void>;
  remove(appId: string, walletId: string): Promise<void>;
  close(): void;
}

/**
 * Opens (creating on first use) the device-share database.
 *
 * @example
 * const store = await openDeviceStore();
 * const rec = await store.get(appId, walletId);
 */
export async function openDeviceStore(
  factory: IDBFactory = globalThis.indexedDB,
  name = DB_NAME,
): Promise<DeviceStore> {
  if (!factory) throw new Error('this browser has no IndexedDB for the wallet');
  const open = factory.open(name, DB_VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains(STORE)) {
      db.createObjectStore(STORE, { keyPath: ['appId', 'walletId'] });
    }
  };
  const db = await req(open);
  return {
    async get(appId, walletId) {
      const tx = db.transaction(STORE, 'readonly');
      const value = await req(tx.objectStore(STORE).get([appId, walletId]));
      return parseDeviceRecord(value);
    },
    async put(record) {
      const tx = db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put({ ...record });
      await done(tx);
    },
    async remove(appId, walletId) {
      const tx = db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).delete([appId, walletId]);
      await done(tx);
    },
    close() {
      db.close();
    },
  };
}

/** Asks the browser to keep the wallet's storage under pressure (best effort). */
export async function requestPersistence(): Promise<boolean> {
  try {
    return (await navigator.storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}
