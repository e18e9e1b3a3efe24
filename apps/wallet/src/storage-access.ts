/**
 * @module storage-access — can this iframe durably keep the device record, and if not,
 * how the user makes it so, *before* any secret is asked (issue 12: a wallet whose device
 * share cannot be kept must never be created; a sign must never fall into recovery just
 * because the browser blocks third-party storage).
 *
 * 1. At boot, a real probe: open a probe IndexedDB database (the storage the device store
 *    uses), write a random value, read it back through a second connection, delete it;
 *    within 3 s (an open that never answers counts as blocked). Where the permission is
 *    already granted (`navigator.permissions` "storage-access"), the Storage Access API
 *    is asked again without a click, as Chrome and Firefox allow.
 * 2. If blocked, every method that needs the device share (create, sign, manage) first
 *    shows one screen: **Allow storage** (only where `document.requestStorageAccess`
 *    exists: Chrome's `requestStorageAccess({indexedDB: true})` returns a handle whose
 *    `indexedDB` is then used; elsewhere the plain call, then the page's own
 *    `indexedDB`), **Open wallet window** (a first-party window of the wallet origin
 *    that keeps the records, storage-link.ts), or Cancel (`user_declined`, nothing spent).
 * 3. While the window is open, the device store talks to it; the flow's end closes it.
 */
import type { Handlers } from '@trine/protocol/endpoint';
import type { WalletMethods } from '@trine/protocol/methods';
import {
  type DeviceRecord,
  type DeviceStore,
  openDeviceStore,
  parseDeviceRecord,
} from './device-store.ts';
import { newNonce } from './popup-link.ts';
import { readToIframe, type StoreOp, storageEnvelope, storageWindowUrl } from './storage-link.ts';
import { h } from './ui/dom.ts';
import { Screen, type View } from './ui/screen.ts';

const PROBE_DB = 'trine-wallet-probe';
const PROBE_MS = 3000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_r, reject) => setTimeout(() => reject(new Error('timeout')), ms)),
  ]);
}

function idb<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('storage refused'));
  });
}

async function openProbe(factory: IDBFactory): Promise<IDBDatabase> {
  const open = factory.open(PROBE_DB, 1);
  open.onupgradeneeded = () => open.result.createObjectStore('p');
  return idb(open);
}

/**
 * True when `factory` really keeps a value: written in one connection, read back in
 * another (a store that accepts writes and forgets them fails), within 3 s.
 */
export async function probeIndexedDb(factory: IDBFactory | undefined): Promise<boolean> {
  if (!factory) return false;
  const token = newNonce();
  try {
    return await withTimeout(
      (async () => {
        const a = await openProbe(factory);
        const tx = a.transaction('p', 'readwrite');
        tx.objectStore('p').put(token, 'k');
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = tx.onabort = () => reject(new Error('write refused'));
        });
        a.close();
        const b = await openProbe(factory);
        const back = await idb(b.transaction('p', 'readonly').objectStore('p').get('k'));
        const d = b.transaction('p', 'readwrite');
        d.objectStore('p').delete('k');
        b.close();
        return back === token;
      })(),
      PROBE_MS,
    );
  } catch {
    return false;
  }
}

/** What the Storage Access API offers in this browser (typed loosely: not in every lib). */
interface SaaDocument {
  hasStorageAccess?: () => Promise<boolean>;
  requestStorageAccess?: (types?: { indexedDB?: boolean }) => Promise<unknown>;
}
const saa = (): SaaDocument => document as unknown as SaaDocument;

export function hasStorageAccessApi(): boolean {
  return typeof saa().requestStorageAccess === 'function';
}

/**
 * Asks the Storage Access API for storage and returns a factory that really keeps data,
 * or undefined. From a click (or when the permission is already granted).
 */
export async function requestStorage(): Promise<IDBFactory | undefined> {
  const request = saa().requestStorageAccess;
  if (typeof request !== 'function') return undefined;
  // Chrome: a handle whose own indexedDB is the unpartitioned one.
  try {
    const handle = (await request.call(document, { indexedDB: true })) as {
      indexedDB?: IDBFactory;
    } | null;
    if (handle?.indexedDB && (await probeIndexedDb(handle.indexedDB))) return handle.indexedDB;
  } catch {
    // refused, or an engine without the argument: the plain call below
  }
  // Firefox, Safari: access unblocks the document's own storage.
  try {
    await request.call(document);
  } catch {
    return undefined;
  }
  return (await probeIndexedDb(globalThis.indexedDB)) ? globalThis.indexedDB : undefined;
}

async function permissionGranted(): Promise<boolean> {
  try {
    const p = await navigator.permissions?.query({ name: 'storage-access' as PermissionName });
    return p?.state === 'granted';
  } catch {
    return false;
  }
}

/** The boot decision: a store that keeps data, or undefined (blocked). */
export async function openDurableStore(): Promise<DeviceStore | undefined> {
  let factory: IDBFactory | undefined = (await probeIndexedDb(globalThis.indexedDB))
    ? globalThis.indexedDB
    : undefined;
  if (!factory && hasStorageAccessApi() && (await permissionGranted())) {
    factory = await requestStorage();
  }
  if (!factory) return undefined;
  return openDeviceStore(factory).catch(() => undefined);
}

const REFUSED = new Error('this browser refused to use local storage for the wallet');

/** A device store on the storage window's IndexedDB (storage-link.ts). */
class WindowStore implements DeviceStore {
  private next = 0;
  private readonly pending = new Map<number, (m: { ok: boolean; value?: unknown }) => void>();
  private readonly onMessage = (e: MessageEvent) => {
    const m = readToIframe(e, this.win, this.nonce);
    if (m?.type !== 'result') return;
    this.pending.get(m.id)?.(m);
    this.pending.delete(m.id);
  };
  constructor(
    readonly win: Window,
    readonly nonce: string,
  ) {
    addEventListener('message', this.onMessage);
  }
  private call(op: StoreOp, args: unknown[]): Promise<unknown> {
    if (this.win.closed) return Promise.reject(REFUSED);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        if (!this.win.closed) return;
        clearInterval(timer);
        this.pending.delete(id);
        reject(REFUSED);
      }, 500);
      this.pending.set(id, (m) => {
        clearInterval(timer);
        if (m.ok) resolve(m.value);
        else reject(REFUSED);
      });
      this.win.postMessage(
        storageEnvelope(this.nonce, { type: 'op', id, op, args }),
        location.origin,
      );
    });
  }
  async get(appId: string, walletId: string) {
    return parseDeviceRecord(await this.call('get', [appId, walletId]));
  }
  async put(record: DeviceRecord) {
    await this.call('put', [record]);
  }
  async remove(appId: string, walletId: string) {
    await this.call('remove', [appId, walletId]);
  }
  async getSeen(appId: string, walletId: string) {
    const v = await this.call('getSeen', [appId, walletId]).catch(() => undefined);
    return typeof v === 'string' ? v : undefined;
  }
  async putSeen(appId: string, walletId: string, eventId: string) {
    await this.call('putSeen', [appId, walletId, eventId]);
  }
  close() {
    removeEventListener('message', this.onMessage);
    if (!this.win.closed) {
      this.win.postMessage(storageEnvelope(this.nonce, { type: 'done' }), location.origin);
    }
  }
}

/** A store that fails every write (storage blocked, nothing chosen yet). */
const blockedStore: DeviceStore = {
  get: async () => undefined,
  put: () => Promise.reject(REFUSED),
  remove: () => Promise.reject(REFUSED),
  getSeen: async () => undefined,
  putSeen: () => Promise.reject(REFUSED),
  close: () => undefined,
};

/** Opens the storage window from the click; resolves once it says ready. */
function openWindow(): Promise<WindowStore | 'blocked'> {
  const nonce = newNonce();
  const win = window.open(storageWindowUrl(nonce), '_blank', 'popup,width=480,height=420');
  if (!win) return Promise.resolve('blocked');
  return new Promise((resolve) => {
    const onMessage = (e: MessageEvent) => {
      if (readToIframe(e, win, nonce)?.type !== 'ready') return;
      stop();
      resolve(new WindowStore(win, nonce));
    };
    const timer = setInterval(() => {
      if (win.closed) {
        stop();
        resolve('blocked');
      }
    }, 500);
    const stop = () => {
      clearInterval(timer);
      removeEventListener('message', onMessage);
    };
    addEventListener('message', onMessage);
  });
}

export interface StorageGateDeps {
  view: View;
  /** Shows / hides the iframe (the host's `ui {visible}`). */
  show: () => Promise<unknown>;
  hide: () => Promise<unknown>;
}

/**
 * The device store the flows use (`store`), and `ensure`/`release` around every flow
 * that needs it: with blocked storage `ensure` shows the storage screen and resolves
 * only once a store that keeps data is in place (or throws UserCancelled).
 */
export class StorageGate {
  private current: DeviceStore;
  private window: WindowStore | undefined;
  readonly store: DeviceStore;

  constructor(
    durable: DeviceStore | undefined,
    private readonly deps: StorageGateDeps,
  ) {
    this.current = durable ?? blockedStore;
    this.durable = durable !== undefined;
    const cur = () => (this.window && !this.window.win.closed ? this.window : this.current);
    // What the wallet window held, remembered in this frame's memory while it lives (sealed
    // records only, as the window's storage holds them): after a reload `connect` cannot
    // read the window's storage until a flow opens it, and once one did the record must
    // not vanish when the window closes (the host would be told `unverified` again).
    const known = new Map<string, DeviceRecord>();
    const key = (a: string, w: string) => `${a}\u0000${w}`;
    this.store = {
      get: async (a, w) => {
        const viaWindow = cur() === this.window;
        const r = await cur().get(a, w);
        if (viaWindow) {
          if (r) known.set(key(a, w), r);
          else known.delete(key(a, w));
          return r;
        }
        return r ?? (this.durable ? undefined : known.get(key(a, w)));
      },
      put: async (r) => {
        const viaWindow = cur() === this.window;
        await cur().put(r);
        if (viaWindow) known.set(key(r.appId, r.walletId), r);
      },
      remove: async (a, w) => {
        await cur().remove(a, w);
        known.delete(key(a, w));
      },
      getSeen: (a, w) => cur().getSeen(a, w),
      putSeen: (a, w, e) => cur().putSeen(a, w, e),
      close: () => cur().close(),
    };
  }
  private durable: boolean;

  get blocked(): boolean {
    return !this.durable && !(this.window && !this.window.win.closed);
  }

  async ensure(): Promise<void> {
    if (!this.blocked) return;
    await this.deps.show().catch(() => undefined);
    const chosen = await new Promise<DeviceStore | WindowStore>((resolve, reject) => {
      const api = hasStorageAccessApi();
      const allow = h(
        'button',
        {
          type: 'button',
          onclick: async () => {
            screen.busy(true);
            const factory = await requestStorage();
            const store = factory
              ? await openDeviceStore(factory).catch(() => undefined)
              : undefined;
            screen.busy(false);
            if (store) resolve(store);
            else
              screen.error(
                'The browser did not allow it. Open the wallet window instead, or allow this site’s storage in the browser’s settings and reload.',
              );
          },
        },
        'Allow storage',
      );
      const screen: Screen = new Screen({
        title: 'This browser blocks the wallet’s storage',
        initialFocus: 'heading',
        body: [
          h(
            'p',
            null,
            'The wallet keeps one of your key shares on this device, sealed with your password. This browser does not let it keep anything while it runs inside this app (third-party storage is blocked).',
          ),
          h('p', null, 'Nothing has been asked or created yet. Choose how to go on:'),
          h(
            'ul',
            null,
            api
              ? h(
                  'li',
                  null,
                  'Allow storage: the browser lets the wallet keep its share in this app.',
                )
              : null,
            h(
              'li',
              null,
              'Open wallet window: a small window of the wallet’s own site keeps the share while you use the wallet. Keep it open until it closes by itself.',
            ),
          ),
          api ? allow : null,
        ],
        submitLabel: 'Open wallet window',
        cancelLabel: 'Cancel',
        onSubmit: async (s) => {
          s.busy(true);
          const w = await openWindow();
          s.busy(false);
          if (w === 'blocked') {
            s.error(
              'The wallet window did not open. Allow pop-ups for this site, then press the button again.',
            );
          } else resolve(w);
        },
        // errors.ts reaches the realm and share code: loaded when needed, not on the first
        // screen (test/boot-split.test.ts).
        onCancel: () =>
          void import('./errors.ts').then(({ UserCancelled }) => reject(new UserCancelled())),
      });
      this.deps.view.show(screen);
    });
    if (chosen instanceof WindowStore) this.window = chosen;
    else {
      this.current = chosen;
      this.durable = true;
    }
  }

  /** The screen shown between flows. */
  idle(): void {
    this.deps.view.message('Trine wallet', h('p', null, 'Waiting for the app.'));
  }

  hide(): Promise<unknown> {
    return this.deps.hide().catch(() => undefined);
  }

  /** After a flow: closes the storage window (the records stay in its storage). */
  release(): void {
    const w = this.window;
    this.window = undefined;
    w?.close();
  }
}

/** Methods that read or write the device share: each passes the gate first. */
const NEEDS_STORE = new Set<keyof WalletMethods>(['createWallet', 'signTx', 'signData', 'manage']);

/** Wraps the wallet's handlers so that every flow needing the device share passes the gate. */
export function guardStorage(
  handlers: Handlers<WalletMethods>,
  gate: StorageGate,
  /**
   * True when the store now holds this wallet's current device record. On a blocked
   * browser `connect` cannot read the record while the wallet window is closed, so it
   * answers `unverified` and the SDK asks for the recovery; once the gate has opened the
   * window and the record is there, nothing needs recovering: the call answers done and
   * the SDK's next `connect` reads the record (no answer asked, no recovery spent).
   */
  hasCurrentRecord: () => Promise<boolean> = async () => false,
): Handlers<WalletMethods> {
  // One gated flow at a time (as createHandlers runs its flows): a second call waits
  // instead of opening a second gate or window.
  let tail: Promise<unknown> = Promise.resolve();
  const one = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
  return new Proxy(handlers, {
    get(target, key, receiver) {
      const fn = Reflect.get(target, key, receiver) as unknown;
      if (typeof fn !== 'function' || !NEEDS_STORE.has(key as keyof WalletMethods)) return fn;
      return (params: unknown) => {
        if (!gate.blocked) return (fn as (p: unknown) => unknown).call(target, params);
        return one(() => gated(params));
      };
      async function gated(params: unknown) {
        try {
          await gate.ensure();
        } catch (e) {
          gate.idle();
          await gate.hide();
          throw (await import('./errors.ts')).toHostError(e);
        }
        try {
          const recover =
            key === 'manage' && (params as { flow?: unknown } | null)?.flow === 'recover';
          if (recover && (await hasCurrentRecord())) {
            // No flow ran to hide the frame (and release the host page's inert): do it here.
            gate.idle();
            await gate.hide();
            return { done: true };
          }
          return await (fn as (p: unknown) => unknown).call(target, params);
        } finally {
          gate.release();
        }
      }
    },
  });
}
