/**
 * @module kdf-client — seal/open a share in a fresh module Web Worker (kdf-worker.ts),
 * with progress stages. Errors come back as the same classes core throws (TrineError
 * with its code, TypeError, RangeError), so the UI maps them like local ones.
 */
import type { ShareEnvelope } from '@trine/core/envelope';
import { TrineError } from '@trine/core/errors';
import type { SealStage } from '@trine/core/seal';
import type { KdfParams, SealedRecord } from '@trine/core/sealed-record';
import type { KdfJob, KdfReply } from './kdf-types.ts';

export type Progress = (stage: SealStage) => void;

/** Runs one job on a worker made by `spawn` (injected for tests). */
export type WorkerSpawn = () => Worker;

export const spawnKdfWorker: WorkerSpawn = () =>
  new Worker(new URL('./kdf-worker.ts', import.meta.url), { type: 'module', name: 'trine-kdf' });

function run<T>(spawn: WorkerSpawn, job: KdfJob, onProgress?: Progress): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = spawn();
    } catch {
      reject(new Error('this browser cannot start the key derivation worker'));
      return;
    }
    const finish = () => worker.terminate();
    worker.onmessage = (event: MessageEvent<KdfReply>) => {
      const m = event.data;
      if (m.type === 'progress') {
        onProgress?.(m.stage);
        return;
      }
      finish();
      if (m.type === 'result') resolve(m.value as T);
      else if (m.error.name === 'TrineError' && m.error.code) {
        reject(new TrineError(m.error.code, m.error.message));
      } else if (m.error.name === 'TypeError') reject(new TypeError(m.error.message));
      else if (m.error.name === 'RangeError') reject(new RangeError(m.error.message));
      else reject(new Error(m.error.message));
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      finish();
      reject(new Error('the key derivation worker failed to start'));
    };
    worker.postMessage(job);
  });
}

/**
 * @trine/core/kdf's DEFAULT_KDF, repeated here because importing kdf.ts would pull the
 * Argon2id wasm into the page bundle (it belongs in the worker). A test pins the two equal.
 */
export const NEW_RECORD_KDF: Readonly<KdfParams> = Object.freeze({ m: 65536, t: 3, p: 1 });

export interface Kdf {
  seal(envelope: ShareEnvelope, secret: string, onProgress?: Progress): Promise<SealedRecord>;
  open(record: SealedRecord, secret: string, onProgress?: Progress): Promise<ShareEnvelope>;
  /** h = Argon2id(normalised answer, salt, kdf) (docs/realms.md). The caller wipes it. */
  hash(
    answer: string,
    salt: Uint8Array,
    kdf: KdfParams,
    onProgress?: Progress,
  ): Promise<Uint8Array>;
  /** The Argon2id parameters new records get (DEFAULT_KDF unless configured). */
  readonly params: KdfParams;
}

/**
 * The worker-backed KDF.
 *
 * @example
 * const kdf = createKdf();
 * const sealed = await kdf.seal(shares.device, password, (s) => show(s));
 */
export function createKdf(spawn: WorkerSpawn = spawnKdfWorker, kdf?: KdfParams): Kdf {
  return {
    seal: (envelope, secret, onProgress) =>
      run(
        spawn,
        kdf ? { op: 'seal', envelope, secret, kdf } : { op: 'seal', envelope, secret },
        onProgress,
      ),
    open: (record, secret, onProgress) => run(spawn, { op: 'open', record, secret }, onProgress),
    hash: (answer, salt, params, onProgress) =>
      run(spawn, { op: 'hash', secret: answer, salt, kdf: params }, onProgress),
    params: kdf ?? { ...NEW_RECORD_KDF },
  };
}
