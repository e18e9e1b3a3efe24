/**
 * @module methods — the method table in both directions, with a validator per params and
 * per result.
 *
 * Host → wallet (`WALLET_METHODS`, served by the iframe): connect, createWallet, signTx,
 * signData, manage, lock. Wallet → host (`HOST_METHODS`, served by the SDK): getToken,
 * resolveInputs, ui, walletChanged.
 *
 * Validators rebuild every object from the fields they know, so an unknown field — a
 * smuggled secret included — never survives validation (DESIGN.md §2.1).
 */

import { ProtocolError } from './errors.ts';
import { bool, decimal, guarded, hex, list, oneOf, record, text, uint } from './guards.ts';
import {
  MAX_ADDRESS_CHARS,
  MAX_ASSETS,
  MAX_KEY_BYTES,
  MAX_NAME_CHARS,
  MAX_PAYLOAD_BYTES,
  MAX_RESOLVED_INPUTS,
  MAX_SIGNATURE_BYTES,
  MAX_TOKEN_CHARS,
  MAX_TX_BYTES,
  MAX_WITNESS_SET_BYTES,
} from './limits.ts';

// --- shared types -----------------------------------------------------------------------

export const NETWORKS = ['mainnet', 'preprod', 'preview'] as const;
export type Network = (typeof NETWORKS)[number];

/** CIP-30 network id: 1 mainnet, 0 every testnet. */
export function networkIdOf(network: Network): 0 | 1 {
  return network === 'mainnet' ? 1 : 0;
}

export interface WalletAddresses {
  /** Base address, bech32 (`addr…` / `addr_test…`). */
  base: string;
  /** Reward address, bech32 (`stake…` / `stake_test…`). */
  reward: string;
  /** Base address bytes, hex (CIP-30 `Address`). */
  baseHex: string;
  /** Reward address bytes, hex. */
  rewardHex: string;
}

export interface WalletInfo {
  walletId: string;
  network: Network;
  networkId: 0 | 1;
  addresses: WalletAddresses;
}

/** An output reference. */
export interface OutRef {
  txHash: string;
  index: number;
}

/** Value in lovelace and assets (`policyIdHex.assetNameHex` → quantity), decimal strings. */
export interface ValueJson {
  lovelace: string;
  assets?: Record<string, string>;
}

/** An input resolved by the host's ChainProvider (same shape @trine/cardano's signTx takes). */
export interface ResolvedInput extends OutRef {
  /** bech32, raw hex or Byron base58. */
  address: string;
  value?: ValueJson;
}

export const MANAGE_FLOWS = [
  'recover',
  'changePassword',
  'changeQuestion',
  'export',
  'delete',
  'activity',
] as const;
export type ManageFlow = (typeof MANAGE_FLOWS)[number];

// params / results

export type ConnectParams = { network: Network };
/**
 * `none`: no wallet yet. `unverified`: a wallet exists but this device has not rebuilt its
 * key yet (no device record), so it gives no addresses: the vault's copy is unchecked
 * (recover on this device, `manage {flow: 'recover'}`, then connect again).
 * `locked` / `unlocked`: addresses derived on this device.
 */
export type ConnectResult =
  | { state: 'none' }
  | { state: 'unverified' }
  | { state: 'locked' | 'unlocked'; wallet: WalletInfo };
export type Empty = Record<string, never>;
export type SignTxParams = { tx: string; partialSign: boolean; resolvedInputs?: ResolvedInput[] };
export type SignTxResult = { witnessSet: string };
export type SignDataParams = { address: string; payload: string };
export type SignDataResult = { signature: string; key: string };
export type ManageParams = { flow: ManageFlow };
export type ManageResult = { done: boolean };
export type GetTokenResult = { token: string };
export type ResolveInputsParams = { inputs: OutRef[] };
export type ResolveInputsResult = { inputs: ResolvedInput[] };
export type UiParams = { visible: boolean };
export type WalletChangedParams = { wallet: WalletInfo | null };

/** A method's params and result types. */
export interface Method<P, R> {
  params: P;
  result: R;
}
/** A table of methods by name. */
export type MethodTable = { [name: string]: Method<unknown, unknown> };

/** Methods the wallet iframe serves (the host calls them). */
export type WalletMethods = {
  connect: Method<ConnectParams, ConnectResult>;
  createWallet: Method<Empty, WalletInfo>;
  signTx: Method<SignTxParams, SignTxResult>;
  signData: Method<SignDataParams, SignDataResult>;
  manage: Method<ManageParams, ManageResult>;
  lock: Method<Empty, Empty>;
};

/** Methods the host SDK serves (the wallet calls them). */
export type HostMethods = {
  getToken: Method<Empty, GetTokenResult>;
  resolveInputs: Method<ResolveInputsParams, ResolveInputsResult>;
  ui: Method<UiParams, Empty>;
  walletChanged: Method<WalletChangedParams, Empty>;
};

/** Validators for one method. `user` marks calls that wait for the user (longer timeout). */
export interface MethodSpec<P, R> {
  params(value: unknown): P;
  result(value: unknown): R;
  user: boolean;
}
export type Specs<T extends MethodTable> = {
  readonly [M in keyof T]: MethodSpec<T[M]['params'], T[M]['result']>;
};

// --- validators --------------------------------------------------------------------------

const ID_RE = /^[A-Za-z0-9._-]+$/;
const HASH32_RE = /^[0-9a-fA-F]{64}$/;
const ASSET_UNIT_RE = /^[0-9a-fA-F]{56}\.([0-9a-fA-F]{2}){0,32}$/;
const TOKEN_RE = /^[\x21-\x7e]+$/;

function empty(value: unknown, title: string): Empty {
  record(value, title);
  return {};
}

/** The address header's network nibble (CIP-19) must match the wallet's network id. */
function addressHex(value: unknown, title: string, networkId: 0 | 1, reward: boolean): string {
  const h = hex(value, title, 64, 29);
  const header = Number.parseInt(h.slice(0, 2), 16);
  const kind = header >> 4;
  if ((header & 0x0f) !== networkId)
    throw new ProtocolError('invalid_params', `${title} is for another network`);
  if (reward ? kind !== 0xe && kind !== 0xf : kind > 3) {
    throw new ProtocolError(
      'invalid_params',
      `${title} is not a ${reward ? 'reward' : 'base'} address`,
    );
  }
  return h;
}

function bech32Address(value: unknown, title: string, prefix: string): string {
  const s = text(value, title, MAX_ADDRESS_CHARS, /^[a-z_]+1[02-9ac-hj-np-z]+$/);
  if (!s.startsWith(`${prefix}1`))
    throw new ProtocolError('invalid_params', `${title} must start with ${prefix}1`);
  return s;
}

function parseWalletInfoRaw(value: unknown, title = 'wallet'): WalletInfo {
  const r = record(value, title);
  const network = oneOf(r.network, `${title}.network`, NETWORKS);
  const networkId = networkIdOf(network);
  if (r.networkId !== networkId) {
    throw new ProtocolError(
      'invalid_params',
      `${title}.networkId must be ${networkId} for ${network}`,
    );
  }
  const a = record(r.addresses, `${title}.addresses`);
  const test = networkId === 0 ? '_test' : '';
  return {
    walletId: text(r.walletId, `${title}.walletId`, MAX_NAME_CHARS, ID_RE),
    network,
    networkId,
    addresses: {
      base: bech32Address(a.base, `${title}.addresses.base`, `addr${test}`),
      reward: bech32Address(a.reward, `${title}.addresses.reward`, `stake${test}`),
      baseHex: addressHex(a.baseHex, `${title}.addresses.baseHex`, networkId, false),
      rewardHex: addressHex(a.rewardHex, `${title}.addresses.rewardHex`, networkId, true),
    },
  };
}

function parseOutRefRaw(value: unknown, title: string): OutRef {
  const r = record(value, title);
  return {
    txHash: text(r.txHash, `${title}.txHash`, 64, HASH32_RE).toLowerCase(),
    index: uint(r.index, `${title}.index`, 0xffff_ffff),
  };
}

function parseValueRaw(value: unknown, title: string): ValueJson {
  const r = record(value, title);
  const out: ValueJson = { lovelace: decimal(r.lovelace, `${title}.lovelace`) };
  if (r.assets !== undefined) {
    const a = record(r.assets, `${title}.assets`);
    const keys = Object.keys(a);
    if (keys.length > MAX_ASSETS) {
      throw new ProtocolError('invalid_params', `${title}.assets must hold at most ${MAX_ASSETS}`);
    }
    const assets: Record<string, string> = {};
    for (const unit of keys) {
      text(unit, `${title}.assets key`, 121, ASSET_UNIT_RE);
      assets[unit.toLowerCase()] = decimal(a[unit], `${title}.assets[${unit}]`);
    }
    out.assets = assets;
  }
  return out;
}

function parseResolvedInputRaw(value: unknown, title: string): ResolvedInput {
  const ref = parseOutRefRaw(value, title);
  const r = value as Record<string, unknown>;
  const out: ResolvedInput = {
    ...ref,
    address: text(r.address, `${title}.address`, MAX_ADDRESS_CHARS, /^[0-9A-Za-z_]+$/),
  };
  if (r.value !== undefined) out.value = parseValueRaw(r.value, `${title}.value`);
  return out;
}

/** Validates a WalletInfo (rebuilt from known fields). */
export const parseWalletInfo = /* @__PURE__ */ guarded(parseWalletInfoRaw, 'wallet');
/** Validates an output reference. */
export const parseOutRef = /* @__PURE__ */ guarded(parseOutRefRaw, 'outRef');
/** Validates a value `{lovelace, assets?}`. */
export const parseValue = /* @__PURE__ */ guarded(parseValueRaw, 'value');
/** Validates a resolved input. */
export const parseResolvedInput = /* @__PURE__ */ guarded(parseResolvedInputRaw, 'resolvedInput');

function resolvedInputs(value: unknown, title: string): ResolvedInput[] {
  return list(value, title, MAX_RESOLVED_INPUTS).map((v, i) =>
    parseResolvedInputRaw(v, `${title}[${i}]`),
  );
}

/**
 * Builds a MethodSpec whose validators throw nothing but ProtocolError, even for values
 * with throwing getters or proxies.
 */
function spec<P, R>(
  user: boolean,
  params: (value: unknown) => P,
  result: (value: unknown) => R,
): MethodSpec<P, R> {
  return { user, params: guarded(params, 'params'), result: guarded(result, 'result') };
}

/** Validators for the methods the wallet serves. */
export const WALLET_METHODS: Specs<WalletMethods> = {
  connect: spec(
    false,
    (v) => ({ network: oneOf(record(v, 'params').network, 'params.network', NETWORKS) }),
    (v): ConnectResult => {
      const r = record(v, 'result');
      const state = oneOf(r.state, 'result.state', ['none', 'unverified', 'locked', 'unlocked']);
      if (state === 'none') return { state };
      if (state === 'unverified') return { state };
      return { state, wallet: parseWalletInfoRaw(r.wallet, 'result.wallet') };
    },
  ),
  createWallet: spec(
    true,
    (v) => empty(v, 'params'),
    (v) => parseWalletInfoRaw(v, 'result'),
  ),
  signTx: spec(
    true,
    (v) => {
      const r = record(v, 'params');
      const out: SignTxParams = {
        tx: hex(r.tx, 'params.tx', MAX_TX_BYTES),
        partialSign: bool(r.partialSign, 'params.partialSign'),
      };
      if (r.resolvedInputs !== undefined) {
        out.resolvedInputs = resolvedInputs(r.resolvedInputs, 'params.resolvedInputs');
      }
      return out;
    },
    (v) => ({
      witnessSet: hex(record(v, 'result').witnessSet, 'result.witnessSet', MAX_WITNESS_SET_BYTES),
    }),
  ),
  signData: spec(
    true,
    (v) => {
      const r = record(v, 'params');
      return {
        address: text(r.address, 'params.address', MAX_ADDRESS_CHARS, /^[0-9A-Za-z_]+$/),
        payload: hex(r.payload, 'params.payload', MAX_PAYLOAD_BYTES, 0),
      };
    },
    (v) => {
      const r = record(v, 'result');
      return {
        signature: hex(r.signature, 'result.signature', MAX_SIGNATURE_BYTES),
        key: hex(r.key, 'result.key', MAX_KEY_BYTES),
      };
    },
  ),
  manage: spec(
    true,
    (v) => ({ flow: oneOf(record(v, 'params').flow, 'params.flow', MANAGE_FLOWS) }),
    (v) => ({ done: bool(record(v, 'result').done, 'result.done') }),
  ),
  lock: spec(
    false,
    (v) => empty(v, 'params'),
    (v) => empty(v, 'result'),
  ),
};

/** Validators for the methods the host serves. */
export const HOST_METHODS: Specs<HostMethods> = {
  getToken: spec(
    false,
    (v) => empty(v, 'params'),
    (v) => ({ token: text(record(v, 'result').token, 'result.token', MAX_TOKEN_CHARS, TOKEN_RE) }),
  ),
  resolveInputs: spec(
    false,
    (v) => ({
      inputs: list(record(v, 'params').inputs, 'params.inputs', MAX_RESOLVED_INPUTS).map((x, i) =>
        parseOutRefRaw(x, `params.inputs[${i}]`),
      ),
    }),
    (v) => ({ inputs: resolvedInputs(record(v, 'result').inputs, 'result.inputs') }),
  ),
  ui: spec(
    false,
    (v) => ({ visible: bool(record(v, 'params').visible, 'params.visible') }),
    (v) => empty(v, 'result'),
  ),
  walletChanged: spec(
    false,
    (v) => {
      const w = record(v, 'params').wallet;
      return { wallet: w === null ? null : parseWalletInfoRaw(w, 'params.wallet') };
    },
    (v) => empty(v, 'result'),
  ),
};

/** Every method of both directions (for parsers that do not know the direction). */
export const ALL_METHODS: Specs<WalletMethods & HostMethods> = {
  ...WALLET_METHODS,
  ...HOST_METHODS,
};
