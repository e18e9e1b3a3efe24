/**
 * @module reconstruct — two shares → the wallet's entropy, checked (DESIGN.md §2.5).
 *
 * `combineShares` refuses shares of other wallets or epochs and verifies every envelope
 * tag; we then derive the key id from the result and compare it with the wallet's
 * registered key id, so a wrong or stale share can never yield a wrong key. The caller
 * owns the returned bytes and must `wipe` them.
 */
import type { ShareEnvelope } from '@trine/core/envelope';
import { TrineError } from '@trine/core/errors';
import { combineShares } from '@trine/core/shamir';
import { wipe } from '@trine/core/wipe';

export interface WalletKeyRef {
  walletId: string;
  keyId: string;
  epoch: number;
}

/**
 * @example
 * const entropy = await reconstruct([device, auth], meta, keyIdFromEntropy);
 * try { … } finally { wipe(entropy); }
 */
export async function reconstruct(
  shares: readonly ShareEnvelope[],
  expect: WalletKeyRef,
  keyIdFromEntropy: (entropy: Uint8Array) => string | Promise<string>,
): Promise<Uint8Array> {
  const secret = await combineShares(shares, {
    walletId: expect.walletId,
    keyId: expect.keyId,
    epoch: expect.epoch,
  });
  let keyId: string;
  try {
    keyId = await keyIdFromEntropy(secret);
  } catch (e) {
    wipe(secret);
    throw e;
  }
  if (keyId !== expect.keyId) {
    wipe(secret);
    throw new TrineError(
      'KEY_ID_MISMATCH',
      'the combined key does not match the wallet (nothing was signed)',
    );
  }
  return secret;
}
