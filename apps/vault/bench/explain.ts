/**
 * @module bench/explain — what one auth-share read costs in the database, without HTTP:
 * EXPLAIN ANALYZE of the statements inside trine_read_auth_share (as the request role,
 * RLS on) and the mean latency of the whole function call against a bare primary-key
 * select over the same connection. argv: none; env DATABASE_URL (PostgreSQL) or none
 * (an in-memory PGlite). `npx tsx apps/vault/bench/explain.ts`. Prints text.
 */
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { generateMasterKey, parseMasterKeys } from '../src/crypto/at-rest.ts';
import { openDatabase, withUser } from '../src/db/open.ts';
import { createWalletStore } from '../src/db/wallet-store.ts';
import { resultRows } from '../src/limits/rate-limit.ts';
import { createBody } from '../test/helpers.ts';

const url = process.env.DATABASE_URL;
const database = await openDatabase(url ? { url, max: 1 } : { pglite: new PGlite() });
const db = database.db;
const store = createWalletStore(db, parseMasterKeys(generateMasterKey('explain')));
const n = 200;
for (let i = 0; i < n; i++) {
  const body = createBody();
  await store.create(
    { appId: 'dev', userKey: `["iss","u${i}"]`, ip: '-', requestId: '-' },
    {
      walletId: body.walletId,
      keyId: body.keyId,
      network: body.network,
      addresses: body.addresses,
      epoch: 1,
      authShare: JSON.stringify(body.authShare),
      question: body.recovery.question,
      sealed: JSON.stringify(body.recovery.sealed),
      sealedV: 1,
      managementKey: body.managementKey,
    },
  );
}
const who = { appId: 'dev', userKey: '["iss","u7"]' };
console.log(`# ${database.kind}: EXPLAIN ANALYZE inside the read, as trine_app with RLS`);
await withUser(db, who, async (tx) => {
  for (const q of [
    sql`select * from wallets where app_id = 'dev' and user_key = '["iss","u7"]'`,
    sql`insert into read_events (app_id, user_key, wallet_id, epoch, ip, request_id) values ('dev', '["iss","u7"]', 'w', 1, '-', '-')`,
  ]) {
    const plan = resultRows<Record<string, string>>(
      await tx.execute(sql`explain (analyze, costs off, timing on) ${q}`),
    );
    console.log(plan.map((r) => Object.values(r)[0]).join('\n'));
  }
});
const time = async (label: string, f: () => Promise<unknown>) => {
  for (let i = 0; i < 100; i++) await f();
  const runs = 2000;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await f();
  const ms = (performance.now() - t0) / runs;
  console.log(`${label}: ${(ms * 1000).toFixed(0)} µs per call (1 connection, sequential)`);
  return ms;
};
console.log(`# ${database.kind}: one round trip each`);
const pk = await time('bare PK select (apps)', () =>
  db.execute(sql`select id from apps where id = 'dev'`),
);
let i = 0;
const fn = await time('trine_read_auth_share (2 limits + RLS read + audit insert)', () =>
  db.execute(
    sql`select * from trine_read_auth_share('dev', ${`["iss","u${i++ % n}"]`}, null, '-', '-', ${`ip${i % 7}`}, 1000000000, 60, ${`u${i % n}`}, 1000000000, 60)`,
  ),
);
console.log(`ratio PK/function: ${(pk / fn).toFixed(2)}`);
await database.close();
