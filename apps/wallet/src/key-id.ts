/**
 * @module key-id — the wallet's key id from its entropy, for the check after combining
 * two shares (DESIGN.md §2.5), without CSL's `from_bip39_entropy`.
 *
 * The root key is the Icarus master key (CIP-3): PBKDF2-HMAC-SHA512(password = the empty
 * passphrase, salt = entropy, 4096 iterations, 96 bytes), clamped (k[0] &= 0xf8,
 * k[31] &= 0x1f, k[31] |= 0x40). CSL computes that PBKDF2 in WebAssembly on the page's
 * thread (~60 ms in Chromium, and the signature then computes it again); WebCrypto does
 * it natively off the main thread in a few ms. The rest — m/1852'/1815'/0', its xpub,
 * blake2b-224 — is @trine/cardano's own code path, so the key id is the same by
 * construction; test/key-id.test.ts checks it against `keyIdFromEntropy` on vectors.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { CSL, freeAll } from '@trine/cardano/csl';
import { assertEntropy, keyIdOfAccountXpub } from '@trine/cardano/keys';
import { toHex } from '@trine/core/bytes';
import { wipe } from '@trine/core/wipe';

const HARDENED = 0x8000_0000;

/** The Icarus root (96 bytes) of `entropy`. The caller wipes it. */
/**
 * PBKDF2-HMAC-SHA512 with the empty password. WebCrypto where the engine accepts an empty
 * PBKDF2 key (Chromium, Firefox); WebKitGTK refuses it (its libgcrypt backend rejects a
 * zero-length passphrase: every unlock in WebKit failed with "Something went wrong",
 * e2e/engines), so then the same function in JavaScript (@noble/hashes, ~50 ms).
 */
export async function icarusPbkdf2(
  entropy: Uint8Array,
  impl: 'auto' | 'noble' = 'auto',
): Promise<Uint8Array> {
  if (impl === 'auto') {
    try {
      const key = await crypto.subtle.importKey('raw', new Uint8Array(0), 'PBKDF2', false, [
        'deriveBits',
      ]);
      return new Uint8Array(
        await crypto.subtle.deriveBits(
          {
            name: 'PBKDF2',
            hash: 'SHA-512',
            salt: entropy as Uint8Array<ArrayBuffer>,
            iterations: 4096,
          },
          key,
          96 * 8,
        ),
      );
    } catch {
      // fall through to the JavaScript implementation
    }
  }
  return pbkdf2Async(sha512, new Uint8Array(0), entropy, { c: 4096, dkLen: 96 });
}

async function icarusRoot(entropy: Uint8Array): Promise<Uint8Array> {
  const root = await icarusPbkdf2(entropy);
  root[0] = (root[0] as number) & 0xf8;
  root[31] = ((root[31] as number) & 0x1f) | 0x40;
  return root;
}

/**
 * The key id (blake2b-224 of the account xpub m/1852'/1815'/0') of `entropy`; equal to
 * @trine/cardano's `keyIdFromEntropy(entropy)`.
 *
 * @example
 * if ((await keyIdOf(entropy)) !== meta.keyId) throw mismatch();
 */
export async function keyIdOf(entropy: Uint8Array): Promise<string> {
  assertEntropy(entropy);
  const root = await icarusRoot(entropy);
  const objects: { free(): void }[] = [];
  const keep = <K extends { free(): void }>(k: K): K => {
    objects.push(k);
    return k;
  };
  try {
    const xprv = keep(CSL.Bip32PrivateKey.from_bytes(root));
    const account = keep(
      keep(keep(xprv.derive(1852 + HARDENED)).derive(1815 + HARDENED)).derive(HARDENED),
    );
    return keyIdOfAccountXpub(keep(account.to_public()).as_bytes());
  } finally {
    wipe(root);
    freeAll(...objects.reverse());
  }
}

type DeriveWallet = typeof import('@trine/cardano/keys').deriveWallet;
type Derived = { digest: string; network: string; info: ReturnType<DeriveWallet> };

/**
 * `deriveWallet` that derives once per entropy buffer: a recovery checks the addresses
 * of the rebuilt key, then its re-share needs them again for the device record, and each
 * derivation is a ~60 ms CSL from_bip39_entropy on the page's thread. The public result
 * is remembered per buffer (a WeakMap: it goes with the buffer) together with a BLAKE2b
 * digest of its content, so a buffer that was wiped or refilled is derived afresh.
 */
export function derivingOnce(derive: DeriveWallet): DeriveWallet {
  const memo = new WeakMap<Uint8Array, Derived>();
  return (entropy, network) => {
    if (!(entropy instanceof Uint8Array)) return derive(entropy, network);
    const digest = toHex(blake2b(entropy, { dkLen: 32 }));
    const hit = memo.get(entropy);
    if (hit && hit.network === network && hit.digest === digest) return { ...hit.info };
    const info = derive(entropy, network);
    memo.set(entropy, { digest, network, info: { ...info } });
    return info;
  };
}
