/**
 * @module kdf-client — seal/open a share in a module Web Worker (kdf-worker.ts), with
 * progress stages. Errors come back as the same classes core throws (TrineError with its
 * code, TypeError, RangeError), so the UI maps them like local ones.
 *
 * Workers are reused (at most two, for the two jobs create runs at once) and the first is
 * started early by `warm()` — the wallet calls it when the user starts typing a password
 * or an answer — so the click pays only the Argon2id itself: starting a worker and
 * compiling the Argon2id wasm cost 50–100 ms here (TOOLCHAIN.md "Where the time went").
 * Every job gets a fresh hash-wasm instance (its 64 MiB), and idle workers are terminated
 * `idleMs` after the last job and on `close()` (the page calls it on `pagehide`), which
 * releases that memory.
 */
import type { ShareEnvelope } from '@trine/core/envelope';
import { TrineError } from '@trine/core/errors';
import type { SealStage } from '@trine/core/seal';
import type { KdfParams, SealedRecord } from '@trine/core/sealed-record';
import type { KdfJob, KdfReply } from './kdf-types.ts';

export type Progress = (stage: SealStage) => void;

/** Makes the worker (injected for tests). */
export type WorkerSpawn = () => Worker;

export const spawnKdfWorker: WorkerSpawn = () =>
  new Worker(new URL('./kdf-worker.ts', import.meta.url), { type: 'module', name: 'trine-kdf' });

/** How long idle workers are kept (ms): long enough for a retry, short for the memory. */
export const KDF_IDLE_MS = 30_000;

/**
 * The name of the `performance.measure` entries the client records for each job: the
 * worker's own time (Argon2id + AES-GCM). bench/wallet.bench.ts reads them.
 */
export const KDF_MEASURE = 'trine:kdf';

function toError(error: Extract<KdfReply, { type: 'error' }>['error']): Error {
  if (error.name === 'TrineError' && error.code) return new TrineError(error.code, error.message);
  if (error.name === 'TypeError') return new TypeError(error.message);
  if (error.name === 'RangeError') return new RangeError(error.message);
  return new Error(error.message);
}

/**
 * Up to `size` reusable workers: jobs run in parallel on distinct workers (create seals
 * the device and the recovery share at once), and a worker is reused by the next job.
 */
class KdfPool {
  readonly #idle: Worker[] = [];
  #count = 0;
  readonly #waiting: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #spawn: WorkerSpawn;
  readonly #idleMs: number;
  readonly #size: number;

  constructor(spawn: WorkerSpawn, idleMs: number, size: number) {
    this.#spawn = spawn;
    this.#idleMs = idleMs;
    this.#size = size;
  }

  /** Terminates every idle worker now (busy ones finish their job, then go). */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#idle.splice(0)) {
      w.terminate();
      this.#count--;
    }
  }

  async run<T>(job: KdfJob, onProgress?: Progress): Promise<T> {
    return this.#runOn<T>(await this.#acquire(), job, onProgress);
  }

  /**
   * Makes sure `n` workers (at most the pool's size) are started and warm: each new one
   * runs a warm-up job and then waits idle.
   */
  warm(n: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    // Typing keeps warm workers alive (the idle clock restarts with each keystroke).
    this.#timer = this.#count > 0 ? setTimeout(() => this.close(), this.#idleMs) : undefined;
    while (this.#count < Math.min(n, this.#size)) {
      let w: Worker;
      try {
        w = this.#spawn();
      } catch {
        return; // the job that needs it will say so
      }
      this.#count++;
      this.#runOn(w, { op: 'warm' }).catch(() => undefined);
    }
  }

  async #runOn<T>(worker: Worker, job: KdfJob, onProgress?: Progress): Promise<T> {
    let healthy = true;
    try {
      return await new Promise<T>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<KdfReply>) => {
          const m = event.data;
          if (m.type === 'progress') {
            onProgress?.(m.stage);
            return;
          }
          if (m.type === 'result') {
            if (job.op !== 'warm') measure(m.ms);
            resolve(m.value as T);
          } else reject(toError(m.error));
        };
        worker.onerror = (event) => {
          event.preventDefault?.();
          healthy = false;
          reject(new Error('the key derivation worker failed to start'));
        };
        worker.postMessage(job);
      });
    } finally {
      worker.onmessage = null;
      worker.onerror = null;
      this.#release(worker, healthy);
    }
  }

  async #acquire(): Promise<Worker> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (;;) {
      const idle = this.#idle.pop();
      if (idle) return idle;
      if (this.#count < this.#size) {
        let w: Worker;
        try {
          w = this.#spawn();
        } catch {
          throw new Error('this browser cannot start the key derivation worker');
        }
        this.#count++;
        return w;
      }
      await new Promise<void>((r) => this.#waiting.push(r));
    }
  }

  #release(worker: Worker, healthy: boolean): void {
    if (healthy) this.#idle.push(worker);
    else {
      // A worker that failed is not reused.
      worker.terminate();
      this.#count--;
    }
    this.#waiting.shift()?.();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.close(), this.#idleMs);
  }
}

/** Records the worker's own time of a job (no secret: a duration). */
function measure(ms: number): void {
  try {
    const end = performance.now();
    performance.measure(KDF_MEASURE, { start: end - ms, end });
  } catch {
    // no User Timing (old browser, tests): nothing to record
  }
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
  /**
   * Starts `workers` workers (default 1, at most 2) and compiles the Argon2id wasm in each
   * (no secret involved); the wallet calls it when the user starts typing. Idempotent
   * while they are warm.
   */
  warm(workers?: number): void;
  /** Terminates the worker (pagehide); a later job starts a new one. */
  close(): void;
  /** The Argon2id parameters new records get (DEFAULT_KDF unless configured). */
  readonly params: KdfParams;
}

/**
 * The worker-backed KDF.
 *
 * @example
 * const kdf = createKdf();
 * input.addEventListener('input', () => kdf.warm(), { once: true });
 * const sealed = await kdf.seal(shares.device, password, (s) => show(s));
 */
export function createKdf(
  spawn: WorkerSpawn = spawnKdfWorker,
  kdf?: KdfParams,
  idleMs = KDF_IDLE_MS,
): Kdf {
  // Two: the most jobs a flow runs at once (create: device seal + answer hash).
  const worker = new KdfPool(spawn, idleMs, 2);
  return {
    seal: (envelope, secret, onProgress) =>
      worker.run(
        kdf ? { op: 'seal', envelope, secret, kdf } : { op: 'seal', envelope, secret },
        onProgress,
      ),
    open: (record, secret, onProgress) => worker.run({ op: 'open', record, secret }, onProgress),
    hash: (answer, salt, params, onProgress) =>
      worker.run({ op: 'hash', secret: answer, salt, kdf: params }, onProgress),
    warm: (workers = 1) => worker.warm(workers),
    close: () => worker.close(),
    params: kdf ?? { ...NEW_RECORD_KDF },
  };
}
