/**
 * @module kdf-worker — a module Web Worker that seals and opens shares (Argon2id is
 * memory-hard and takes a quarter of a second or more: it must never block the UI
 * thread). One worker serves one operation and is then terminated, so its memory — the
 * Argon2 state and the password bytes inside hash-wasm's linear memory — goes with it.
 *
 * In: `{op:'seal', envelope, secret, kdf?}` | `{op:'open', record, secret}` |
 * `{op:'hash', secret, salt, kdf}` (the realm scheme's h = Argon2id(answer): the worker
 * only stretches; realm-crypto and the v2 seal run on the page, they are cheap).
 * Out: `{type:'progress', stage}`, then `{type:'result', value}` or
 * `{type:'error', error:{name, code?, message}}` (core's messages never hold secrets).
 */
import { isTrineError } from '@trine/core/errors';
import { hashAnswer } from '@trine/core/kdf';
import { openShare, sealShare } from '@trine/core/seal';
import type { KdfJob, KdfReply } from './kdf-types.ts';

const post = (m: KdfReply) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (event: MessageEvent<KdfJob>) => {
  const job = event.data;
  const onProgress = (stage: 'kdf' | 'encrypt' | 'done') => post({ type: 'progress', stage });
  try {
    if (job.op === 'seal') {
      const opts = job.kdf ? { kdf: job.kdf, onProgress } : { onProgress };
      post({ type: 'result', value: await sealShare(job.envelope, job.secret, opts) });
    } else if (job.op === 'hash') {
      onProgress('kdf');
      const h = await hashAnswer(job.secret, job.salt, job.kdf);
      onProgress('done');
      // Transferred, not copied: the worker keeps no copy of h.
      (self as unknown as Worker).postMessage({ type: 'result', value: h } satisfies KdfReply, [
        h.buffer,
      ]);
    } else {
      post({ type: 'result', value: await openShare(job.record, job.secret, { onProgress }) });
    }
  } catch (e) {
    if (isTrineError(e)) {
      post({ type: 'error', error: { name: 'TrineError', code: e.code, message: e.message } });
    } else if (e instanceof TypeError || e instanceof RangeError) {
      post({ type: 'error', error: { name: e.name, message: e.message } });
    } else {
      post({ type: 'error', error: { name: 'Error', message: 'the key derivation failed' } });
    }
  }
};
