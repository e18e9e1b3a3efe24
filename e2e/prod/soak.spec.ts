/**
 * Load: a steady-rate soak through Caddy over HTTPS on the auth-share and metadata routes
 * (bench/soak.ts) with zero errors. TRINE_SOAK_SECONDS (default 30 here: CI's time is
 * shared; `npm run bench` soaks 120 s) and TRINE_SOAK_RATE (default 50 req/s) set it.
 * Reports throughput and p50/p99.
 */
import { soak } from '../../bench/soak.ts';
import { expect, shape, test } from './fixtures.ts';

test('soak through Caddy at a steady rate: zero errors', async () => {
  const seconds = Number(process.env.TRINE_SOAK_SECONDS ?? 30);
  const rate = Number(process.env.TRINE_SOAK_RATE ?? 50);
  test.setTimeout((seconds + 120) * 1000);
  const r = await soak(shape(), { seconds, rate, log: (l) => console.log(l) });
  console.log(
    `soak: ${r.seconds} s at ${rate} req/s target → ${r.throughput} req/s, ${r.ok}/${r.sent} ok, ` +
      `p50 ${r.latencyMs.p50} ms, p90 ${r.latencyMs.p90} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms; ` +
      `by route ${JSON.stringify(r.byRoute)}; errors ${JSON.stringify(r.errors)}`,
  );
  expect(r.errors).toEqual({});
  expect(r.ok).toBe(r.sent);
  expect(r.sent).toBeGreaterThanOrEqual(Math.floor(seconds * rate * 0.98));
  expect(r.throughput).toBeGreaterThan(rate * 0.9);
});
