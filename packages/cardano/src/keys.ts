/**
 * @module keys — CIP-1852 key derivation from raw BIP39 entropy.
 *
 * Root = `Bip32PrivateKey.from_bip39_entropy(entropy, empty passphrase)` (the Icarus
 * master key, CIP-3), account m/1852'/1815'/0', payment key 0/0, stake key 2/0
 * (CIP-1852). Trine is a single-address wallet: one base address and one reward
 * address per network.
 */

import { blake2b } from '@noble/hashes/blake2.js';
import { toHex } from '@trine/core/bytes';
import { TrineError } from '@trine/core/errors';
import { type Network, networkIdOf, parseNetwork } from './address.ts';
import { CSL, freeAll } from './csl.ts';

export interface WalletInfo {
  network: Network;
  networkId: 0 | 1;
  /** Base address (payment key 0/0 + stake key 2/0), bech32. */
  baseAddress: string;
  /** Reward (stake) address of stake key 2/0, bech32. */
  rewardAddress: string;
  /** blake2b-224 of the payment public key, hex. */
  paymentKeyHash: string;
  /** blake2b-224 of the stake public key, hex. */
  stakeKeyHash: string;
  /** blake2b-224 of the 64-byte account xpub (public key || chain code), hex. */
  keyId: string;
  /** The account xpub m/1852'/1815'/0', hex of 64 bytes (public key || chain code). */
  accountXpub: string;
}

/** BIP39 entropy sizes: 12, 15, 18, 21 and 24 words. */
const ENTROPY_LENGTHS = [16, 20, 24, 28, 32];

const HARDENED = 0x8000_0000;
const PURPOSE = 1852 + HARDENED;
const COIN_TYPE = 1815 + HARDENED;
const ACCOUNT = 0 + HARDENED;
const ROLE_EXTERNAL = 0;
const ROLE_STAKE = 2;

/** Throws TypeError / TrineError ENTROPY_INVALID unless `entropy` is valid BIP39 entropy. */
export function assertEntropy(entropy: unknown): asserts entropy is Uint8Array {
  if (!(entropy instanceof Uint8Array)) throw new TypeError('entropy must be a Uint8Array');
  if (!ENTROPY_LENGTHS.includes(entropy.length)) {
    throw new TrineError(
      'ENTROPY_INVALID',
      `entropy must be 16, 20, 24, 28 or 32 bytes, got ${entropy.length}`,
    );
  }
}

/**
 * The private keys of the account, alive only inside {@link withAccountKeys}.
 * @internal used by sign-tx.ts and sign-data.ts
 */
export interface AccountKeys {
  payment: CSL.PrivateKey;
  stake: CSL.PrivateKey;
  paymentPub: Uint8Array;
  stakePub: Uint8Array;
  paymentKeyHash: string;
  stakeKeyHash: string;
  /** 64 bytes: public key || chain code. */
  accountXpub: Uint8Array;
}

/**
 * Derives the account keys, runs `fn`, then frees every CSL key object (wasm memory is
 * released, not zeroed: see README "Security considerations"). Keys must not escape `fn`.
 * @internal
 */
export function withAccountKeys<T>(entropy: Uint8Array, fn: (keys: AccountKeys) => T): T {
  assertEntropy(entropy);
  const password = new Uint8Array(0);
  const toFree: ({ free(): void } | undefined)[] = [];
  const keep = <K extends { free(): void }>(k: K): K => {
    toFree.push(k);
    return k;
  };
  try {
    const root = keep(CSL.Bip32PrivateKey.from_bip39_entropy(entropy, password));
    const purpose = keep(root.derive(PURPOSE));
    const coin = keep(purpose.derive(COIN_TYPE));
    const account = keep(coin.derive(ACCOUNT));
    const accountPub = keep(account.to_public());
    const paymentRole = keep(account.derive(ROLE_EXTERNAL));
    const paymentXprv = keep(paymentRole.derive(0));
    const stakeRole = keep(account.derive(ROLE_STAKE));
    const stakeXprv = keep(stakeRole.derive(0));
    const payment = keep(paymentXprv.to_raw_key());
    const stake = keep(stakeXprv.to_raw_key());
    const paymentPubKey = keep(payment.to_public());
    const stakePubKey = keep(stake.to_public());
    const paymentHash = keep(paymentPubKey.hash());
    const stakeHash = keep(stakePubKey.hash());
    return fn({
      payment,
      stake,
      paymentPub: paymentPubKey.as_bytes(),
      stakePub: stakePubKey.as_bytes(),
      paymentKeyHash: paymentHash.to_hex(),
      stakeKeyHash: stakeHash.to_hex(),
      accountXpub: accountPub.as_bytes(),
    });
  } finally {
    freeAll(...toFree.reverse());
  }
}

/** blake2b-224 of the 64-byte account xpub, hex: the wallet's key id (DESIGN.md §3). */
export function keyIdOfAccountXpub(accountXpub: Uint8Array): string {
  if (!(accountXpub instanceof Uint8Array) || accountXpub.length !== 64) {
    throw new TypeError('accountXpub must be a 64-byte Uint8Array');
  }
  return toHex(blake2b(accountXpub, { dkLen: 28 }));
}

/**
 * Derives the public side of the wallet for `network`.
 *
 * @example
 * const info = deriveWallet(entropy, 'preprod');
 * info.baseAddress // 'addr_test1q...'
 */
export function deriveWallet(entropy: Uint8Array, network: Network): WalletInfo {
  assertEntropy(entropy);
  const net = parseNetwork(network);
  const networkId = networkIdOf(net);
  return withAccountKeys(entropy, (keys) => {
    const pay = CSL.Ed25519KeyHash.from_hex(keys.paymentKeyHash);
    const stk = CSL.Ed25519KeyHash.from_hex(keys.stakeKeyHash);
    const payCred = CSL.Credential.from_keyhash(pay);
    const stkCred = CSL.Credential.from_keyhash(stk);
    const base = CSL.BaseAddress.new(networkId, payCred, stkCred);
    const reward = CSL.RewardAddress.new(networkId, stkCred);
    const baseAddr = base.to_address();
    const rewardAddr = reward.to_address();
    try {
      return {
        network: net,
        networkId,
        baseAddress: baseAddr.to_bech32(),
        rewardAddress: rewardAddr.to_bech32(),
        paymentKeyHash: keys.paymentKeyHash,
        stakeKeyHash: keys.stakeKeyHash,
        keyId: keyIdOfAccountXpub(keys.accountXpub),
        accountXpub: toHex(keys.accountXpub),
      };
    } finally {
      freeAll(baseAddr, rewardAddr, base, reward, payCred, stkCred, pay, stk);
    }
  });
}

/**
 * The key id of the wallet whose entropy this is; used after combining shares to check
 * the secret against the registered key id (DESIGN.md §2.5).
 */
export function keyIdFromEntropy(entropy: Uint8Array): string {
  return withAccountKeys(entropy, (keys) => keyIdOfAccountXpub(keys.accountXpub));
}
