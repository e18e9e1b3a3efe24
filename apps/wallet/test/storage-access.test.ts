// @vitest-environment happy-dom
/**
 * Blocked storage (storage-access.ts, storage-link.ts): the probe says "keeps data" only
 * for storage that really gives back what was written through another connection; the
 * wallet-window channel ignores another window, another origin, another nonce and bad
 * shapes (a host page imitating the window or the iframe).
 */
import { IDBFactory as FakeFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { newNonce } from '../src/popup-link.ts';
import { probeIndexedDb } from '../src/storage-access.ts';
import { readToIframe, readToWindow, storageEnvelope } from '../src/storage-link.ts';

describe('probeIndexedDb', () => {
  it('a working IndexedDB keeps the value', async () => {
    expect(await probeIndexedDb(new FakeFactory())).toBe(true);
  });

  it('no IndexedDB, or one that refuses to open (Chromium: UnknownError) → blocked', async () => {
    expect(await probeIndexedDb(undefined)).toBe(false);
    const refusing = {
      open() {
        const r = {} as IDBOpenDBRequest & { onerror?: () => void };
        setTimeout(() => r.onerror?.(), 0);
        return r;
      },
    } as unknown as IDBFactory;
    expect(await probeIndexedDb(refusing)).toBe(false);
  });

  it('an open that never answers (a Chromium storage handle seen in headless) → blocked in 3 s', async () => {
    const silent = { open: () => ({}) } as unknown as IDBFactory;
    const t = Date.now();
    expect(await probeIndexedDb(silent)).toBe(false);
    expect(Date.now() - t).toBeLessThan(4000);
  });

  it('storage that accepts writes and forgets them (a fresh database per open) → blocked', async () => {
    const forgetting = {
      open: (name: string, v?: number) => new FakeFactory().open(name, v),
    } as unknown as IDBFactory;
    expect(await probeIndexedDb(forgetting)).toBe(false);
  });
});

describe('storage-link guards', () => {
  const win = {} as Window;
  const other = {} as Window;
  const nonce = newNonce();
  const event = (data: unknown, source: Window, origin = location.origin) =>
    ({ data, source, origin }) as unknown as MessageEvent;

  it('accepts the window’s and the iframe’s own messages', () => {
    expect(readToIframe(event(storageEnvelope(nonce, { type: 'ready' }), win), win, nonce)).toEqual(
      {
        type: 'ready',
      },
    );
    const result = storageEnvelope(nonce, { type: 'result', id: 3, ok: true, value: null });
    expect(readToIframe(event(result, win), win, nonce)).toEqual({
      type: 'result',
      id: 3,
      ok: true,
      value: null,
    });
    const op = storageEnvelope(nonce, { type: 'op', id: 1, op: 'get', args: ['dev', 'w'] });
    expect(readToWindow(event(op, win), win, nonce)).toEqual({
      type: 'op',
      id: 1,
      op: 'get',
      args: ['dev', 'w'],
    });
  });

  it('a host page imitating either side is ignored: window, origin, nonce, shape', () => {
    const op = storageEnvelope(nonce, { type: 'op', id: 1, op: 'put', args: [{}] });
    expect(readToWindow(event(op, other), win, nonce)).toBeUndefined();
    expect(readToWindow(event(op, win, 'https://host.example'), win, nonce)).toBeUndefined();
    expect(readToWindow(event(op, win), win, newNonce())).toBeUndefined();
    expect(readToWindow(event(op, win), win, 'not-a-nonce')).toBeUndefined();
    for (const bad of [
      null,
      { ...op, trine: 'approval' },
      { ...op, v: 2 },
      { ...op, op: 'clear' },
      { ...op, id: -1 },
      { ...op, args: 'x' },
      { ...op, args: [1, 2, 3, 4] },
    ]) {
      expect(readToWindow(event(bad, win), win, nonce)).toBeUndefined();
    }
    const ready = storageEnvelope(nonce, { type: 'ready' });
    expect(readToIframe(event(ready, other), win, nonce)).toBeUndefined();
    expect(readToIframe(event(ready, win, 'https://host.example'), win, nonce)).toBeUndefined();
    expect(
      readToIframe(event({ ...ready, type: 'result', id: 1.5, ok: true }, win), win, nonce),
    ).toBeUndefined();
  });
});
