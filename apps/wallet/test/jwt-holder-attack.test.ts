/**
 * The JWT-holder attack (issue 9, "Tests that must exist"): with only the user's JWT and
 * the public HTTP APIs, collect everything the vault and the realms return; with the
 * correct answer and no realm evaluation nothing collected opens or combines to the
 * secret. Two controls show the test can fail: a v1 (legacy) record falls to the same
 * attack, and the honest path (realm evaluations) opens the v2 record.
 *
 * On this branch the servers are in-process doubles reached by `fetch`: the realm double
 * (test/realm-double.ts) and a vault double that serves exactly the records the wallet's
 * own create code produced. AT MERGE the lead points `collect` at the real apps/vault +
 * apps/realm (same HTTP APIs; only `vaultUrl`, `fetch` and the token change).
 */
import { toBase64Url } from '@trine/core/bytes';
import { splitSecret } from '@trine/core/shamir';
import { describe, expect, it } from 'vitest';
import { managementOf, sealRecovery } from '../src/context.ts';
import { openRecoveryShare } from '../src/flows/recover.ts';
import { collect, tryOffline } from './jwt-holder-attack.ts';
import { realmsFetch } from './realm-double.ts';
import { nodeKdf, realmWorld, TOKEN } from './realm-world.ts';

const walletId = '6a1b2c3d-0000-4000-8000-00000000abcd';
const keyId = 'cd'.repeat(28);
const entropy = Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + 5) & 0xff);
const ANSWER = 'Rex';
const VAULT = 'https://vault.test';

async function setUp(legacy: boolean) {
  const w = realmWorld(3, 2, 10);
  const shares = await splitSecret(entropy, { walletId, keyId, epoch: 1 });
  const sealed = legacy
    ? await nodeKdf.seal(shares.recovery, ANSWER)
    : await sealRecovery(w.ctx, shares.recovery, ANSWER, 1, managementOf(entropy, walletId), false);
  w.vaultRecovery = { epoch: 1, question: 'Pet?', sealed };
  for (const d of w.doubles) d.log.length = 0; // only what the attacker does from here
  const realms = realmsFetch(w.doubles);
  const json = (v: unknown) =>
    new Response(JSON.stringify(v), { headers: { 'content-type': 'application/json' } });
  const vaultRoutes: Record<string, unknown> = {
    'GET /v1/apps/dev': {
      id: 'dev',
      name: 'Dev',
      allowedOrigins: [],
      networks: ['preprod'],
      realms: w.doubles.map((d) => d.config),
      realmThreshold: 2,
    },
    'GET /v1/apps/dev/wallet': {
      walletId,
      keyId,
      network: 'preprod',
      addresses: { base: 'addr_test1x', reward: 'stake_test1x' },
      epoch: 1,
      question: 'Pet?',
      managementKey: toBase64Url(managementOf(entropy, walletId).key.publicKey),
    },
    'GET /v1/apps/dev/wallet/auth-share': { epoch: 1, authShare: shares.auth },
    'POST /v1/apps/dev/wallet/recovery': { epoch: 1, question: 'Pet?', sealed },
  };
  const fetch = (async (input: string, init: RequestInit = {}) => {
    if (!String(input).startsWith(VAULT)) return realms(input, init);
    const u = new URL(input);
    const r = vaultRoutes[`${init.method ?? 'GET'} ${u.pathname}`];
    return r ? json(r) : new Response(null, { status: 404 });
  }) as unknown as typeof globalThis.fetch;
  return { w, fetch };
}

describe('the JWT-holder attack', () => {
  it('v2 + realms: everything a JWT holder can fetch, with the right answer, opens nothing', async () => {
    const { w, fetch } = await setUp(false);
    const collected = await collect({ vaultUrl: VAULT, appId: 'dev', token: TOKEN, fetch });
    // It did get everything public and per-user: the auth share, the record, the counters.
    expect(Object.keys(collected.responses)).toHaveLength(4 + 2 * 3);
    expect(JSON.stringify(collected.responses)).toContain('"role":2');
    expect(JSON.stringify(collected.responses)).toContain('"v":2');
    expect(await tryOffline(collected, ANSWER, { walletId, keyId })).toEqual([]);
    // And the attack made no counted request: no evaluation reached any realm.
    for (const d of w.doubles) expect(d.log.some((l) => l.includes('evaluate'))).toBe(false);
  });

  it('control: the honest path (counted realm evaluations) does open the same record', async () => {
    const { w } = await setUp(false);
    const r = await openRecoveryShare(w.ctx, walletId, ANSWER);
    expect(r.share.role).toBe(3);
  });

  it('control: a v1 (legacy) record falls to this very attack — why migration matters', async () => {
    const { fetch } = await setUp(true);
    const collected = await collect({ vaultUrl: VAULT, appId: 'dev', token: TOKEN, fetch });
    expect(await tryOffline(collected, ANSWER, { walletId, keyId })).toEqual([
      'the v1 record with the answer alone',
    ]);
  });
});
