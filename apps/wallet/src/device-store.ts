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
 *
 * Beside it, per (appId, walletId), the id of the newest security event this device has
 * shown the user (the "new since your last visit" notice, src/activity.ts). It lives in a
 * second database (`<name>-seen`) rather than a new store of this one: a new store would
 * need a version upgrade, which an older wallet tab still open on the same site blocks
 * (the open would hang until that tab closes). Losing it only means one notice fewer.
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
const SEEN_STORE = 'seen';

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
  /** The newest security event id shown to the user on this device, if any. */
  getSeen(appId: string, walletId: string): Promise<string | undefined>;
  putSeen(appId: string, walletId: string, eventId: string): Promise<void>;
  close(): void;
}

async function openDb(factory: IDBFactory, name: string, store: string): Promise<IDBDatabase> {
  const open = factory.open(name, DB_VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains(store)) {
      db.createObjectStore(store, { keyPath: ['appId', 'walletId'] });
    }
  };
  const db = await req(open);
  // A later version (a newer wallet in another tab) must not wait for this tab.
  db.onversionchange = () => db.close();
  return db;
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
  const db = await openDb(factory, name, STORE);
  // Opened on first use; a failure there costs only the "new activity" notice.
  let seenDb: Promise<IDBDatabase> | undefined;
  const seen = () => {
    seenDb ??= openDb(factory, `${name}-seen`, SEEN_STORE);
    return seenDb;
  };
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
      const s = await seen().catch(() => undefined);
      if (s) {
        const tx2 = s.transaction(SEEN_STORE, 'readwrite');
        tx2.objectStore(SEEN_STORE).delete([appId, walletId]);
        await done(tx2).catch(() => undefined);
      }
    },
    async getSeen(appId, walletId) {
      const tx = (await seen()).transaction(SEEN_STORE, 'readonly');
      const v: unknown = await req(tx.objectStore(SEEN_STORE).get([appId, walletId]));
      const id = isRecord(v) ? v.eventId : undefined;
      // "0": this device saw an empty list (every event is newer).
      return typeof id === 'string' && /^(0|[1-9][0-9]{0,19})$/.test(id) ? id : undefined;
    },
    async putSeen(appId, walletId, eventId) {
      const tx = (await seen()).transaction(SEEN_STORE, 'readwrite');
      tx.objectStore(SEEN_STORE).put({ appId, walletId, eventId });
      await done(tx);
    },
    close() {
      db.close();
      void seenDb?.then((s) => s.close()).catch(() => undefined);
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
