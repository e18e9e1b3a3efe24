/**
 * The KDF client's worker pool (issue 13, item 2): a warm worker is reused, create's two
 * jobs run on two workers at once, never more than two, idle workers are terminated (and
 * on close), a failed worker is not reused, and errors keep their class and code.
 */
import { describe, expect, it } from 'vitest';
import { createKdf, KDF_MEASURE, type WorkerSpawn } from '../src/kdf-client.ts';
import type { KdfJob, KdfReply } from '../src/kdf-types.ts';

/** A stand-in Worker that answers each job after `ms` (or fails it as told). */
class FakeWorker {
  onmessage: ((e: MessageEvent<KdfReply>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  jobs: KdfJob[] = [];
  constructor(
    readonly id: number,
    readonly ms: number,
    readonly mode: { crash?: boolean; fail?: boolean },
    readonly log: string[] = [],
  ) {}
  postMessage(job: KdfJob) {
    this.jobs.push(job);
    this.log.push('start');
    setTimeout(() => {
      this.log.push('end');
      if (this.mode.crash) {
        this.onerror?.({ preventDefault() {} } as ErrorEvent);
        return;
      }
      const reply: KdfReply = this.mode.fail
        ? { type: 'error', error: { name: 'TrineError', code: 'SEAL_OPEN_FAILED', message: 'no' } }
        : { type: 'result', value: null, ms: this.ms };
      this.onmessage?.({ data: { type: 'progress', stage: 'kdf' } } as MessageEvent<KdfReply>);
      this.onmessage?.({ data: reply } as MessageEvent<KdfReply>);
    }, this.ms);
  }
  terminate() {
    this.terminated = true;
  }
}

function spawner(ms = 5, mode: { crash?: boolean; fail?: boolean } = {}) {
  const made: FakeWorker[] = [];
  /** Every job's start and end across all workers, in order (no clock involved). */
  const log: string[] = [];
  const spawn: WorkerSpawn = () => {
    const w = new FakeWorker(made.length, ms, mode, log);
    made.push(w);
    return w as unknown as Worker;
  };
  return { spawn, made, log };
}

const record = {} as Parameters<ReturnType<typeof createKdf>['open']>[0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createKdf (worker pool)', () => {
  it('warm(2) starts two workers, each warmed once; jobs then reuse them', async () => {
    const { spawn, made } = spawner(10);
    const kdf = createKdf(spawn);
    kdf.warm(2);
    kdf.warm(2);
    kdf.warm(5); // never more than two
    await sleep(30);
    expect(made).toHaveLength(2);
    await Promise.all([kdf.open(record, 'a'), kdf.open(record, 'b')]);
    expect(made).toHaveLength(2);
    expect(made.map((w) => w.jobs.map((j) => j.op))).toEqual([
      ['warm', 'open'],
      ['warm', 'open'],
    ]);
    kdf.close();
    expect(made.every((w) => w.terminated)).toBe(true);
  });

  it('warm() starts one worker, and the next job reuses it', async () => {
    const { spawn, made } = spawner();
    const kdf = createKdf(spawn);
    kdf.warm();
    kdf.warm(); // idempotent
    await sleep(20);
    expect(made).toHaveLength(1);
    expect(made[0]!.jobs.map((j) => j.op)).toEqual(['warm']);
    const stages: string[] = [];
    await kdf.open(record, 'pw', (s) => stages.push(s));
    expect(stages).toEqual(['kdf']);
    expect(made).toHaveLength(1);
    expect(made[0]!.jobs.map((j) => j.op)).toEqual(['warm', 'open']);
    kdf.close();
  });

  it('runs two jobs at once on two workers, a third waits for one of them', async () => {
    const { spawn, made, log } = spawner(30);
    const kdf = createKdf(spawn);
    await Promise.all([
      kdf.open(record, 'a'),
      kdf.hash('b', new Uint8Array(16), kdf.params),
      kdf.open(record, 'c'),
    ]);
    expect(made).toHaveLength(2);
    expect(made.flatMap((w) => w.jobs)).toHaveLength(3);
    // Two at once, the third only after one ended (by order, not by a clock: a loaded
    // machine stretched a wall-clock bound).
    expect(log).toEqual(['start', 'start', 'end', 'start', 'end', 'end']);
    kdf.close();
  });

  it('terminates idle workers after idleMs, and on close(); a later job starts a new one', async () => {
    const { spawn, made } = spawner();
    const kdf = createKdf(spawn, undefined, 40);
    await kdf.open(record, 'a');
    expect(made[0]!.terminated).toBe(false);
    await sleep(80);
    expect(made[0]!.terminated).toBe(true);
    await kdf.open(record, 'b');
    expect(made).toHaveLength(2);
    kdf.close();
    expect(made[1]!.terminated).toBe(true);
  });

  it('a failed job keeps its class and code; a crashed worker is not reused', async () => {
    const failing = spawner(1, { fail: true });
    const kdf = createKdf(failing.spawn);
    await expect(kdf.open(record, 'wrong')).rejects.toMatchObject({
      name: 'TrineError',
      code: 'SEAL_OPEN_FAILED',
    });
    kdf.close();
    const crashing = spawner(1, { crash: true });
    const k2 = createKdf(crashing.spawn);
    await expect(k2.open(record, 'x')).rejects.toThrow('the key derivation worker failed to start');
    expect(crashing.made[0]!.terminated).toBe(true);
    await expect(k2.open(record, 'x')).rejects.toThrow();
    expect(crashing.made).toHaveLength(2);
    k2.close();
  });

  it('records the worker-reported time of each job (not of warm-ups) as a measure', async () => {
    performance.clearMeasures(KDF_MEASURE);
    const { spawn } = spawner(3);
    const kdf = createKdf(spawn);
    kdf.warm();
    await kdf.open(record, 'a');
    expect(performance.getEntriesByName(KDF_MEASURE)).toHaveLength(1);
    kdf.close();
  });

  it('a spawn that throws rejects with a plain message', async () => {
    const kdf = createKdf(() => {
      throw new Error('blocked by CSP');
    });
    await expect(kdf.open(record, 'a')).rejects.toThrow(
      'this browser cannot start the key derivation worker',
    );
  });
});
