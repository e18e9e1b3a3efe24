/**
 * @module storage-window — `approve.html#store-<nonce>`: the wallet's first-party window
 * that keeps the device records for an iframe whose own storage the browser blocks
 * (storage-link.ts). It answers only its opener (wallet origin, the nonce), checks every
 * record it is given (a malformed one is refused, not stored), never sees a password or
 * an unsealed share, and closes when the iframe says the flow is done.
 */
import { type DeviceStore, openDeviceStore, parseDeviceRecord } from './device-store.ts';
import { readToWindow, storageEnvelope, type ToIframe } from './storage-link.ts';
import { h } from './ui/dom.ts';
import type { View } from './ui/screen.ts';

const ID = /^[A-Za-z0-9._-]{1,128}$/;
const str = (v: unknown): string => {
  if (typeof v !== 'string' || !ID.test(v)) throw new Error('bad id');
  return v;
};

/** Runs one store operation from the iframe on this window's own IndexedDB. */
export async function runStoreOp(
  store: DeviceStore,
  op: string,
  args: unknown[],
): Promise<unknown> {
  switch (op) {
    case 'get':
      return (await store.get(str(args[0]), str(args[1]))) ?? null;
    case 'put': {
      const record = parseDeviceRecord(args[0]);
      if (!record || !ID.test(record.appId)) throw new Error('bad record');
      await store.put(record);
      return null;
    }
    case 'remove':
      await store.remove(str(args[0]), str(args[1]));
      return null;
    case 'getSeen':
      return (await store.getSeen(str(args[0]), str(args[1]))) ?? null;
    case 'putSeen': {
      const id = args[2];
      if (typeof id !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(id)) throw new Error('bad id');
      await store.putSeen(str(args[0]), str(args[1]), id);
      return null;
    }
    default:
      throw new Error('unknown op');
  }
}

export function bootStorageWindow(view: View, nonce: string, opener: Window): void {
  const post = (m: ToIframe) => opener.postMessage(storageEnvelope(nonce, m), location.origin);
  view.message(
    'Trine wallet — keeping your key share',
    h(
      'p',
      null,
      'This browser does not let the wallet keep data inside the app, so this wallet window keeps your sealed key share on this device. Keep it open until the wallet in the app is done: it closes by itself.',
    ),
  );
  const store = openDeviceStore();
  addEventListener('message', (e) => {
    const m = readToWindow(e, opener, nonce);
    if (!m) return;
    if (m.type === 'done') {
      view.message('Done', h('p', null, 'You can close this window.'));
      setTimeout(() => window.close(), 300);
      return;
    }
    void store
      .then((s) => runStoreOp(s, m.op, m.args))
      .then(
        (value) => post({ type: 'result', id: m.id, ok: true, value }),
        () => post({ type: 'result', id: m.id, ok: false }),
      );
  });
  // Ready only once this window's own storage really opened.
  void store.then(
    () => post({ type: 'ready' }),
    () =>
      view.message(
        'Storage unavailable',
        h('p', null, 'This browser does not let the wallet keep data, even in its own window.'),
      ),
  );
}
