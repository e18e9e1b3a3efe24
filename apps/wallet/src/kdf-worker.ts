/**
 * @module kdf-worker — a module Web Worker that seals and opens shares (Argon2id is
 * memory-hard and takes a quarter of a second or more: it must never block the UI
 * thread). The page reuses one worker for its jobs and terminates it when idle
 * (kdf-client.ts); every Argon2id call gets a fresh hash-wasm instance, so no job's
 * memory is read by the next.
 *
 * In: `{op:'seal', envelope, secret, kdf?}` | `{op:'open', record, secret}` |
 * `{op:'hash', secret, salt, kdf}` (the realm scheme's h = Argon2id(answer): the worker
 * only stretches; realm-crypto and the v2 seal run on the page, they are cheap) |
 * `{op:'warm'}` (compile the Argon2id wasm with a throw-away input: no secret).
 * Out: `{type:'progress', stage}`, then `{type:'result', value, ms}` or
 * `{type:'error', error:{name, code?, message}}` (core's messages never hold secrets).
 */
import { isTrineError } from '@trine/core/errors';
import { hashAnswer } from '@trine/core/kdf';
import { openShare, sealShare } from '@trine/core/seal';
import { argon2id } from 'hash-wasm';
import type { KdfJob, KdfReply } from './kdf-types.ts';

const post = (m: KdfReply) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (event: MessageEvent<KdfJob>) => {
  const job = event.data;
  const onProgress = (stage: 'kdf' | 'encrypt' | 'done') => post({ type: 'progress', stage });
  const start = performance.now();
  const ms = () => performance.now() - start;
  try {
    if (job.op === 'warm') {
      // hash-wasm compiles its Argon2id and BLAKE2b modules once per worker and caches
      // them: one tiny run (8 KiB, constant input, result discarded) moves that cost off
      // the user's click. @trine/core's floor applies to keys, not to this warm-up.
      await argon2id({
        password: 'trine-warm-up',
        salt: new Uint8Array(16),
        parallelism: 1,
        iterations: 1,
        memorySize: 8,
        hashLength: 32,
        outputType: 'binary',
      });
      post({ type: 'result', value: null, ms: ms() });
    } else if (job.op === 'seal') {
      const opts = job.kdf ? { kdf: job.kdf, onProgress } : { onProgress };
      const value = await sealShare(job.envelope, job.secret, opts);
      post({ type: 'result', value, ms: ms() });
    } else if (job.op === 'hash') {
      onProgress('kdf');
      const h = await hashAnswer(job.secret, job.salt, job.kdf);
      onProgress('done');
      // Transferred, not copied: the worker keeps no copy of h.
      (self as unknown as Worker).postMessage(
        { type: 'result', value: h, ms: ms() } satisfies KdfReply,
        [h.buffer],
      );
    } else {
      const value = await openShare(job.record, job.secret, { onProgress });
      post({ type: 'result', value, ms: ms() });
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
