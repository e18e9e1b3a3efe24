import { keyIdFromEntropy } from '@trine/cardano/keys';
import { TrineError } from '@trine/core/errors';
import { splitSecret } from '@trine/core/shamir';
import { describe, expect, it } from 'vitest';
import { reconstruct } from '../src/reconstruct.ts';

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const entropy = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const keyId = keyIdFromEntropy(entropy);

describe('reconstruct', () => {
  it('returns the entropy when the key id matches', async () => {
    const s = await splitSecret(entropy, { walletId, keyId, epoch: 4 });
    const out = await reconstruct(
      [s.device, s.auth],
      { walletId, keyId, epoch: 4 },
      keyIdFromEntropy,
    );
    expect(Buffer.from(out).equals(Buffer.from(entropy))).toBe(true);
  });

  it('refuses a stale share (epoch) before combining', async () => {
    const s = await splitSecret(entropy, { walletId, keyId, epoch: 4 });
    await expect(
      reconstruct([s.device, s.auth], { walletId, keyId, epoch: 5 }, keyIdFromEntropy),
    ).rejects.toMatchObject({ code: 'SHARES_MIXED_EPOCHS' });
  });

  it('refuses shares whose secret is not the wallet key (registered key id differs)', async () => {
    // A split labelled with this wallet's key id but of another secret: tags verify
    // (they are keyed by that secret), only the key check catches it.
    const other = new Uint8Array(32).fill(1);
    const s = await splitSecret(other, { walletId, keyId, epoch: 1 });
    const err = await reconstruct(
      [s.auth, s.recovery],
      { walletId, keyId, epoch: 1 },
      keyIdFromEntropy,
    ).catch((e) => e);
    expect(err).toEqual(
      new TrineError(
        'KEY_ID_MISMATCH',
        'the combined key does not match the wallet (nothing was signed)',
      ),
    );
    expect(err.code).toBe('KEY_ID_MISMATCH');
  });
});
