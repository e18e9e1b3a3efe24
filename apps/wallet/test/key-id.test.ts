/**
 * key-id.ts derives the key id with WebCrypto's PBKDF2 instead of CSL's
 * from_bip39_entropy (issue 13: one derivation per signature, not two): it must be
 * @trine/cardano's key id, for every entropy size, and refuse what keys.ts refuses.
 */
import { keyIdFromEntropy } from '@trine/cardano/keys';
import { describe, expect, it } from 'vitest';
import { derivingOnce, icarusPbkdf2, keyIdOf } from '../src/key-id.ts';

describe('keyIdOf', () => {
  it('the JavaScript PBKDF2 (engines that refuse an empty WebCrypto key: WebKitGTK) equals WebCrypto’s', async () => {
    for (const n of [16, 32]) {
      const entropy = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
      const [web, js] = await Promise.all([icarusPbkdf2(entropy), icarusPbkdf2(entropy, 'noble')]);
      expect(js.length).toBe(96);
      expect(Buffer.from(js).toString('hex')).toBe(Buffer.from(web).toString('hex'));
    }
  });

  it('equals keyIdFromEntropy (all BIP39 sizes, fixed and random entropy)', async () => {
    const cases = [16, 20, 24, 28, 32].flatMap((n) => [
      new Uint8Array(n),
      new Uint8Array(n).fill(0xff),
      Uint8Array.from({ length: n }, (_, i) => i),
      crypto.getRandomValues(new Uint8Array(n)),
    ]);
    for (const e of cases) expect(await keyIdOf(e)).toBe(keyIdFromEntropy(e));
  });

  it('refuses bad entropy like keys.ts', async () => {
    await expect(keyIdOf(new Uint8Array(17))).rejects.toMatchObject({ code: 'ENTROPY_INVALID' });
    await expect(keyIdOf('00' as unknown as Uint8Array)).rejects.toThrow(TypeError);
  });
});

describe('derivingOnce', () => {
  it('derives once per buffer and network, afresh when the buffer changed', async () => {
    const { deriveWallet } = await import('@trine/cardano/keys');
    let calls = 0;
    const derive = derivingOnce((e, n) => {
      calls++;
      return deriveWallet(e, n);
    });
    const e = crypto.getRandomValues(new Uint8Array(32));
    const a = derive(e, 'preprod');
    expect(derive(e, 'preprod')).toEqual(a);
    expect(calls).toBe(1);
    expect(derive(e, 'mainnet').baseAddress).not.toBe(a.baseAddress);
    expect(calls).toBe(2);
    e.fill(0); // wiped: never the old key's addresses
    expect(derive(e, 'mainnet')).toEqual(deriveWallet(new Uint8Array(32), 'mainnet'));
    expect(calls).toBe(3);
    // a copy of the same bytes is another buffer: derived again, same result
    const f = crypto.getRandomValues(new Uint8Array(32));
    expect(derive(Uint8Array.from(f), 'preprod')).toEqual(derive(f, 'preprod'));
    expect(calls).toBe(5);
  });
});
