/**
 * Faults of the recovery realms (3 standalone processes behind Caddy, threshold 2):
 * realm processes SIGKILLed again and again while wallets keep re-sharing through them
 * (register the new epoch at the realms, at least t of them → signed PUT at the vault →
 * commit at both). A
 * kill lands before, inside or after a realm's registration or commit transaction. Then,
 * as for the vault: nothing lost — every wallet's vault record is of one epoch, the one
 * it sent, and opens with its answer through the realms, first with one realm still dead
 * (the remaining two suffice), then with all three (the killed one restarted on its port,
 * its registrations and counters in its own database).
 *
 * TRINE_REALM_KILLS (default 6) sets how many kills.
 */
import { alive, startRealm, stopRealm } from '../../infra/local/shape.ts';
import { checkRecoverable, SimWallet } from './api.ts';
import { expect, shape, test } from './fixtures.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KILLS = Number(process.env.TRINE_REALM_KILLS ?? 6);

test('SIGKILL of a realm process in the middle of re-shares: nothing lost, every wallet recovers through the realms', async () => {
  test.setTimeout(600_000);
  const s = shape();
  expect(s.realms.map((r) => r.id)).toEqual(['realm-a', 'realm-b', 'realm-c']);
  const tag = Date.now().toString(36);
  const wallets = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      SimWallet.create(s, `realm-kill-${tag}-${i}`, { realms: true }),
    ),
  );
  let inFlight = 0;
  const inFlightAtKill: number[] = [];
  const okAt: number[] = [];
  let stop = false;
  const drivers = wallets.map(async (w) => {
    while (!stop) {
      inFlight++;
      const st = await w.reshare().finally(() => {
        inFlight--;
      });
      if (st === 200) okAt.push(Date.now());
      else if (st === 0) await sleep(100); // a realm is down: the wallet would retry later
    }
  });
  const windows: { killed: number; back: number; realm: number }[] = [];
  try {
    await sleep(1500);
    for (let k = 0; k < KILLS; k++) {
      await sleep(200 + Math.floor(Math.random() * 800));
      const i = k % s.realms.length;
      inFlightAtKill.push(inFlight);
      const killed = Date.now();
      await stopRealm(s, i, 'SIGKILL');
      expect(alive(s.pids.realms[i]!)).toBe(false);
      await sleep(300 + Math.floor(Math.random() * 700));
      await startRealm(s, i);
      windows.push({ killed, back: Date.now(), realm: i });
      // Caddy checks /readyz every 2 s: let it see the realm again.
      await sleep(2500);
    }
  } finally {
    stop = true;
    await Promise.all(drivers);
  }
  const total = wallets.reduce(
    (a, w) => ({
      ok: a.ok + w.outcomes.ok,
      realmsFailed: a.realmsFailed + w.outcomes.realmsFailed,
      ambiguous: a.ambiguous + w.outcomes.ambiguousCommitted + w.outcomes.ambiguousNotCommitted,
      stale: a.stale + w.outcomes.stale,
    }),
    { ok: 0, realmsFailed: 0, ambiguous: 0, stale: 0 },
  );
  console.log(
    `realm faults: ${KILLS} SIGKILLs, re-shares in flight at each kill: ${inFlightAtKill.join(',')}; ` +
      `re-shares acknowledged ${total.ok}, stopped at the realms ${total.realmsFailed}, ` +
      `ambiguous at the vault ${total.ambiguous}, stale ${total.stale}; ` +
      `epochs ${wallets.map((w) => w.epoch).join(',')}`,
  );
  // The kills hit re-shares in flight. A re-share needs t = 2 realms: with one down it goes
  // ahead at the other two (the dead one misses that epoch), so kills need not stop any.
  expect(inFlightAtKill.some((n) => n > 0)).toBe(true);
  expect(total.ok).toBeGreaterThan(KILLS * 2);
  expect(total.stale).toBe(0);

  // One realm dead: every wallet still opens through the other two (t = 2).
  await stopRealm(s, 0, 'SIGKILL');
  try {
    for (const w of wallets) await checkRecoverable(w);
  } finally {
    await startRealm(s, 0);
    await sleep(2500); // Caddy's health check sees it again
  }
  // All three again, the restarted one included (its registrations survived the kills).
  for (const w of wallets) await checkRecoverable(w);
  for (const w of wallets) {
    let holding = 0;
    for (const r of s.realms) {
      const reg = await w.realmSetup().client.getRegistration(r);
      if (reg?.epochs.includes(w.epoch)) holding++;
      expect(reg?.guesses).toBe(0); // the unlock after each recovery reset the counter
    }
    // at least t realms hold the wallet's epoch (one may have missed it while dead)
    expect(holding, w.user).toBeGreaterThanOrEqual(2);
  }
  // And the wallets keep re-sharing through the restarted realms: all three take it.
  for (const w of wallets) expect(await w.reshare()).toBe(200);
  for (const w of wallets) {
    for (const r of s.realms) {
      const reg = await w.realmSetup().client.getRegistration(r);
      expect(reg?.epochs, `${w.user} at ${r.id}`).toContain(w.epoch);
    }
    await checkRecoverable(w);
  }
});
