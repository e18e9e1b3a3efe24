/**
 * @module wallet-storage — reads the wallet's IndexedDB inside the wallet origin (the
 * iframe's frame), the way only the wallet itself can.
 */
import type { Frame } from '@playwright/test';

/** The wallet's device records, read inside the wallet origin. */
export function deviceRecords(frame: Frame): Promise<unknown[]> {
  return frame.evaluate(
    () =>
      new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open('trine-wallet');
        open.onerror = () => reject(new Error('cannot open the wallet database'));
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('device')) return resolve([]);
          const all = db.transaction('device').objectStore('device').getAll();
          all.onsuccess = () => resolve(all.result);
          all.onerror = () => reject(new Error('cannot read device records'));
        };
      }),
  );
}
