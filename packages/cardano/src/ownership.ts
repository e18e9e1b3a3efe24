/**
 * @module ownership — which addresses and keys are the wallet's (DESIGN.md §2.12).
 *
 * An address is the wallet's only when its bytes are exactly one of the wallet's own
 * addresses. Sharing the payment key is not enough: a base address with our payment key
 * and someone else's stake key sends staking rewards and voting power to them, and an
 * enterprise address of our payment key is invisible to the wallet's balance. Such
 * addresses are described part by part (payment part, stake part) so the screen can name
 * the foreign part. Key hashes (required signers, certificate credentials, voters) are
 * named when they are the wallet's payment or stake key.
 */
import { toHex } from '@trine/core/bytes';
import { parseAddress } from './address.ts';
import { CSL } from './csl.ts';
import { addressText } from './tx.ts';

/** A credential, and which of the wallet's keys it is when it is one. */
export interface CredentialInfo {
  kind: 'key' | 'script';
  hash: string;
  /** Present when the credential is the wallet's payment or stake key. */
  wallet?: 'payment' | 'stake';
}

export type AddressType = 'base' | 'enterprise' | 'pointer' | 'reward' | 'byron' | 'malformed';

/** An address as decoded from the bytes, part by part. */
export interface AddressInfo {
  /** bech32 (CIP-19), Byron base58, or `addr_malformed…` for bytes CSL cannot read. */
  text: string;
  /** The address bytes, hex. */
  hex: string;
  type: AddressType;
  /** The address's network id; null for malformed addresses (and Byron magics CSL does not know). */
  networkId: number | null;
  payment?: CredentialInfo;
  stake?: CredentialInfo;
  /** Pointer addresses: `slot.txIndex.certIndex`. */
  pointer?: string;
  /** With the wallet's addresses: true only when the bytes equal one of them exactly. */
  ours?: boolean;
}

/** The wallet's addresses (as bytes) and key hashes, from `walletAddresses`. */
export interface WalletIdentity {
  addresses: Set<string>;
  paymentKeys: Set<string>;
  stakeKeys: Set<string>;
}

export const MAX_WALLET_ADDRESSES = 256;

/** Validates `walletAddresses` and collects the wallet's address bytes and key hashes. */
export function walletIdentity(value: unknown): WalletIdentity | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError('walletAddresses must be an array of strings');
  if (value.length > MAX_WALLET_ADDRESSES) {
    throw new TypeError(`walletAddresses holds more than ${MAX_WALLET_ADDRESSES} addresses`);
  }
  const out: WalletIdentity = {
    addresses: new Set(),
    paymentKeys: new Set(),
    stakeKeys: new Set(),
  };
  value.forEach((a: unknown, i) => {
    const addr = parseAddress(a, `walletAddresses[${i}]`);
    try {
      out.addresses.add(toHex(addr.to_bytes()));
      const info = addressInfo(addr, undefined);
      // A wallet address tells us its keys: payment part → payment key, stake part (and a
      // reward address's credential) → stake key. Script credentials are never our keys.
      if (info.payment?.kind === 'key') out.paymentKeys.add(info.payment.hash);
      if (info.stake?.kind === 'key') out.stakeKeys.add(info.stake.hash);
    } finally {
      addr.free();
    }
  });
  return out;
}

/** Names a key hash when it is one of the wallet's keys. */
export function keyInfo(hash: string, w: WalletIdentity | undefined): CredentialInfo {
  const out: CredentialInfo = { kind: 'key', hash };
  if (w?.paymentKeys.has(hash)) out.wallet = 'payment';
  else if (w?.stakeKeys.has(hash)) out.wallet = 'stake';
  return out;
}

/** A CSL credential as {@link CredentialInfo} (not freed). */
export function credentialInfo(
  cred: CSL.Credential,
  w: WalletIdentity | undefined,
): CredentialInfo {
  if (cred.kind() === CSL.CredKind.Key) return keyInfo(cred.to_keyhash()!.to_hex(), w);
  return { kind: 'script', hash: cred.to_scripthash()!.to_hex() };
}

/** Describes an address part by part; `ours` is set when `w` is given. */
export function addressInfo(address: CSL.Address, w: WalletIdentity | undefined): AddressInfo {
  const hex = toHex(address.to_bytes());
  const kind = address.kind();
  const K = CSL.AddressKind;
  let info: AddressInfo;
  if (kind === K.Byron) {
    let networkId: number | null = null;
    try {
      networkId = CSL.ByronAddress.from_address(address)?.network_id() ?? null;
    } catch {
      networkId = null; // a protocol magic CSL does not know
    }
    info = { text: addressText(address), hex, type: 'byron', networkId };
  } else if (kind === K.Malformed || address.is_malformed()) {
    info = { text: address.to_bech32('addr_malformed'), hex, type: 'malformed', networkId: null };
  } else {
    const text = addressText(address);
    const networkId = address.network_id();
    if (kind === K.Base) {
      const b = CSL.BaseAddress.from_address(address)!;
      info = {
        text,
        hex,
        type: 'base',
        networkId,
        payment: credentialInfo(b.payment_cred(), w),
        stake: credentialInfo(b.stake_cred(), w),
      };
    } else if (kind === K.Enterprise) {
      const e = CSL.EnterpriseAddress.from_address(address)!;
      info = {
        text,
        hex,
        type: 'enterprise',
        networkId,
        payment: credentialInfo(e.payment_cred(), w),
      };
    } else if (kind === K.Pointer) {
      const p = CSL.PointerAddress.from_address(address)!;
      const ptr = p.stake_pointer();
      info = {
        text,
        hex,
        type: 'pointer',
        networkId,
        payment: credentialInfo(p.payment_cred(), w),
        pointer: `${ptr.slot_bignum().to_str()}.${ptr.tx_index_bignum().to_str()}.${ptr.cert_index_bignum().to_str()}`,
      };
    } else {
      const r = CSL.RewardAddress.from_address(address)!;
      info = { text, hex, type: 'reward', networkId, stake: credentialInfo(r.payment_cred(), w) };
    }
  }
  if (w) info.ours = w.addresses.has(hex);
  return info;
}

/** Parses a host-supplied address string and describes it. */
export function addressInfoOf(text: string, w: WalletIdentity | undefined): AddressInfo {
  const addr = parseAddress(text);
  try {
    return addressInfo(addr, w);
  } finally {
    addr.free();
  }
}
