/**
 * Faults of the server side, through Caddy, each followed by the recoverability check of
 * every wallet (api.ts checkRecoverable: the vault holds exactly one epoch's auth share
 * and recovery record, the ones the client sent, and they combine to the wallet's secret):
 *
 * - vault processes SIGKILLed again and again while re-shares are in flight (the kill
 *   lands before, inside or after the re-share transaction, or while the answer is on
 *   its way), while the other process keeps serving;
 * - PostgreSQL stopped and started again under load: every answer meanwhile is a clear
 *   503 problem, and service comes back with the same vault processes.
 *
 * TRINE_FAULT_KILLS (default 12) sets how many kills.
 */
import {
  alive,
  loadState,
  startPostgres,
  startVault,
  stopPostgres,
  stopVault,
} from '../../infra/local/shape.ts';
import { call, callLog, checkRecoverable, SimWallet } from './api.ts';
import { expect, shape, test } from './fixtures.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KILLS = Number(process.env.TRINE_FAULT_KILLS ?? 12);

test('SIGKILL of a vault process in the middle of re-shares, many times: nothing lost or mixed', async () => {
  test.setTimeout(600_000);
  const s = shape();
  const tag = Date.now().toString(36);
  const wallets = await Promise.all(
    Array.from({ length: 10 }, (_, i) => SimWallet.create(s, `kill-${tag}-${i}`)),
  );
  const statuses: Record<string, number> = {};
  const okAt: number[] = [];
  let inFlight = 0;
  callLog.on = true;
  const inFlightAtKill: number[] = [];
  let stop = false;
  const drivers = wallets.map(async (w) => {
    while (!stop) {
      inFlight++;
      const st = await w.reshare().finally(() => {
        inFlight--;
      });
      statuses[st] = (statuses[st] ?? 0) + 1;
      if (st === 200) okAt.push(Date.now());
    }
  });
  const windows: { killed: number; back: number; vault: number }[] = [];
  try {
    await sleep(1000);
    for (let k = 0; k < KILLS; k++) {
      await sleep(150 + Math.floor(Math.random() * 600));
      const i = k % s.vaultUrls.length;
      inFlightAtKill.push(inFlight);
      const killed = Date.now();
      await stopVault(s, i, 'SIGKILL');
      await sleep(200 + Math.floor(Math.random() * 400));
      await startVault(s, i);
      windows.push({ killed, back: Date.now(), vault: i });
      // Caddy checks /readyz every 2 s: let it see this process again before the next
      // kill (of the other one), or nothing would be left to serve.
      await sleep(2500);
    }
    await sleep(500);
  } finally {
    stop = true;
    await Promise.all(drivers);
  }
  for (const w of wallets) await checkRecoverable(w);

  const total = wallets.reduce(
    (a, w) => ({
      ok: a.ok + w.outcomes.ok,
      committed: a.committed + w.outcomes.ambiguousCommitted,
      notCommitted: a.notCommitted + w.outcomes.ambiguousNotCommitted,
      stale: a.stale + w.outcomes.stale,
    }),
    { ok: 0, committed: 0, notCommitted: 0, stale: 0 },
  );
  console.log(
    `faults: ${KILLS} SIGKILLs, re-shares in flight at each kill: ${inFlightAtKill.join(',')}; ` +
      `statuses ${JSON.stringify(statuses)}; re-shares acknowledged ${total.ok}, ` +
      `unanswered-but-committed ${total.committed}, unanswered-and-not-committed ${total.notCommitted}, ` +
      `stale ${total.stale}; max epoch ${Math.max(...wallets.map((w) => w.epoch))}`,
  );
  // Only success, "may have happened" (503 from Caddy for a request whose process died)
  // or stale (Caddy retried a request whose first attempt had committed) — never a 500.
  for (const st of Object.keys(statuses)) expect(['200', '409', '503', '0']).toContain(st);
  expect(total.ok).toBeGreaterThan(KILLS * 5);
  // The kills hit re-shares in flight…
  expect(inFlightAtKill.some((n) => n > 0)).toBe(true);
  expect(total.committed + total.notCommitted).toBeGreaterThan(0);
  console.log(
    `faults: kill windows (ms, 200s inside): ${windows
      .map((w) => `${w.back - w.killed}/${okAt.filter((t) => t > w.killed && t < w.back).length}`)
      .join(' ')}`,
  );
  for (const w of windows) {
    if (!okAt.some((t) => t > w.killed && t < w.back)) {
      console.log(
        JSON.stringify(
          callLog.entries
            .filter((e) => e.t > w.killed - 200 && e.t < w.back + 200)
            .map((e) => [e.t - w.killed, e.method, e.path.slice(-10), e.status, e.ms]),
        ),
      );
    }
  }
  // …and the other process served while each one was down.
  for (const w of windows) {
    expect(
      okAt.some((t) => t > w.killed && t < w.back),
      `kill of vault ${w.vault}`,
    ).toBe(true);
  }
});

test('PostgreSQL restarted with requests in flight: clear 503s, then service without restarting the vaults', async () => {
  test.setTimeout(300_000);
  const s = shape();
  const pids = [...s.pids.vaults];
  const tag = Date.now().toString(36);
  const wallets = await Promise.all(
    Array.from({ length: 7 }, (_, i) => SimWallet.create(s, `pg-${tag}-${i}`)),
  );
  const seen: { t: number; status: number; code?: string; ctype: string | null }[] = [];
  let stop = false;
  // Half the wallets read (metadata, auth share) and record every answer; the other
  // half re-share, whose read-back after an unanswered write waits for the database.
  const readers = wallets.slice(0, 4).map(async (w, i) => {
    for (let n = i; !stop; n++) {
      const path = n % 2 === 0 ? '/wallet' : '/wallet/auth-share';
      const r = await call(s, 'GET', `/v1/apps/${s.appId}${path}`, { token: w.token });
      seen.push({
        t: Date.now(),
        status: r.status,
        code: r.json?.code,
        ctype: r.headers.get('content-type'),
      });
      if (r.status !== 200) await sleep(50);
    }
  });
  const writers = wallets.slice(4).map(async (w) => {
    while (!stop) {
      const st = await w.reshare();
      seen.push({ t: Date.now(), status: st, ctype: null });
    }
  });
  const drivers = [...readers, ...writers];
  let down = 0;
  let up = 0;
  try {
    await sleep(1500);
    // stopPostgres blocks this event loop until PostgreSQL is down (longer now that the
    // realms hold connections to the cluster too): answers that arrived meanwhile are
    // recorded once it returns, so "down" starts then, not before the call.
    stopPostgres(s);
    down = Date.now();
    await sleep(4000);
    startPostgres(s);
    up = Date.now();
    // Back: every wallet answered 200 again, with no vault restarted.
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const recent = seen.filter((x) => x.t > up + 500);
      if (recent.length > 30 && recent.slice(-30).every((x) => x.status === 200)) break;
      await sleep(200);
    }
  } finally {
    stop = true;
    await Promise.all(drivers);
  }
  const during = seen.filter((x) => x.t > down + 300 && x.t < up && x.ctype !== null);
  const after = seen.filter((x) => x.t > up);
  const backAfter = (after.find((x) => x.status === 200)?.t ?? Number.NaN) - up;
  console.log(
    `faults: PostgreSQL down ${up - down} ms; ${during.length} answers meanwhile: ` +
      `${JSON.stringify(count(during.map((x) => `${x.status} ${x.code}`)))}; ` +
      `first 200 ${backAfter} ms after it was back; all statuses ${JSON.stringify(count(seen.map((x) => x.status)))}`,
  );
  expect(during.length).toBeGreaterThanOrEqual(5);
  for (const x of during) {
    expect(x.status).toBe(503);
    expect(x.code).toBe('unavailable');
    expect(x.ctype).toMatch(/^application\/problem\+json/);
  }
  for (const x of seen) expect([200, 409, 503]).toContain(x.status);
  console.log(
    `faults: last answers ${after
      .slice(-30)
      .map((x) => x.status)
      .join(',')}`,
  );
  expect(after.slice(-30).every((x) => x.status === 200)).toBe(true);
  // The same processes, never restarted.
  expect(loadState(s.dir).pids.vaults).toEqual(pids);
  for (const p of pids) expect(alive(p)).toBe(true);
  for (const w of wallets) await checkRecoverable(w);
});

function count<T extends string | number>(xs: T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[String(x)] = (out[String(x)] ?? 0) + 1;
  return out;
}
