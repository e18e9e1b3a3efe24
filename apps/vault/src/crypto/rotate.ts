/**
 * @module crypto/rotate — master-key rotation: re-wraps every row's data key whose
 * master key is not the current one, and re-encrypts rows still on additional-data
 * version 1 (written before app_id was bound, crypto/at-rest.ts) to version 2. Runs as the table owner (it must see every row:
 * an operator command, never a request path). Each row is updated with a
 * compare-and-swap on its old wrapped key, so a concurrent re-share is never undone.
 */
import { and, eq, ne, or } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { wallets } from '../db/schema.ts';
import { AT_REST_V, type Keyring, openRow, rewrapDataKey, sealRow } from './at-rest.ts';

export async function rotateMasterKeys(
  db: Db,
  keyring: Keyring,
): Promise<{ rewrapped: number; skipped: number }> {
  const rows = await db
    .select()
    .from(wallets)
    .where(or(ne(wallets.masterKid, keyring.current.kid), ne(wallets.atRestV, AT_REST_V)));
  let rewrapped = 0;
  let skipped = 0;
  for (const row of rows) {
    // A version-1 row is opened with its old additional data and sealed again (fresh data
    // key, app_id bound); any other row only gets its data key re-wrapped.
    const next =
      row.atRestV === AT_REST_V
        ? rewrapDataKey(keyring, row, row)
        : sealRow(keyring, row, openRow(keyring, row, row));
    const done = await db
      .update(wallets)
      .set(next)
      .where(
        and(
          eq(wallets.appId, row.appId),
          eq(wallets.userKey, row.userKey),
          eq(wallets.dataKey, row.dataKey),
        ),
      )
      .returning({ walletId: wallets.walletId });
    if (done.length === 1) rewrapped++;
    else skipped++;
  }
  return { rewrapped, skipped };
}
