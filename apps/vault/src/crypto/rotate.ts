/**
 * @module crypto/rotate — master-key rotation: re-wraps every row's data key whose
 * master key is not the current one. Runs as the table owner (it must see every row:
 * an operator command, never a request path). Each row is updated with a
 * compare-and-swap on its old wrapped key, so a concurrent re-share is never undone.
 */
import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { wallets } from '../db/schema.ts';
import { type Keyring, rewrapDataKey } from './at-rest.ts';

export async function rotateMasterKeys(
  db: Db,
  keyring: Keyring,
): Promise<{ rewrapped: number; skipped: number }> {
  const rows = await db
    .select({
      appId: wallets.appId,
      userKey: wallets.userKey,
      walletId: wallets.walletId,
      dataKey: wallets.dataKey,
      masterKid: wallets.masterKid,
    })
    .from(wallets)
    .where(ne(wallets.masterKid, keyring.current.kid));
  let rewrapped = 0;
  let skipped = 0;
  for (const row of rows) {
    const next = rewrapDataKey(keyring, row, row);
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
