/**
 * @module cip30-api — the CIP-30 API object (CIP-0030 "Full API") over a wallet session;
 * public as `@trine/web3-sdk/cip30` (cip30.ts), loaded lazily by `createTrine().enable()`.
 *
 * Addresses are hex of address bytes; getBalance is CBOR hex of a `value`; getUtxos and
 * getCollateral are CBOR hex of `transaction_unspent_output`; signTx returns a witness set;
 * signData returns `{signature, key}`. Chain reads and submitTx go to the host's
 * ChainProvider (no key needed); signing goes to the wallet iframe. Every failure is thrown
 * as a CIP-30 error object (`{code, info}` or `{maxSize}`), never as an Error instance.
 *
 * It imports nothing at run time from @trine/protocol/errors: the caller hands in the two
 * functions it needs (`Cip30ErrorKit`). The SDK's entry has them already, so this module —
 * with CBOR, values and coin selection — loads as one chunk of its own, sharing no chunk
 * with the entry.
 */
import type {
  Cip30Context,
  Cip30Error,
  isProtocolError,
  ProtocolErrorCode,
  toCip30Error,
} from '@trine/protocol/errors';
import { MAX_PAYLOAD_BYTES, MAX_TX_BYTES } from '@trine/protocol/limits';
import type {
  SignDataParams,
  SignDataResult,
  SignTxParams,
  SignTxResult,
  WalletInfo,
} from '@trine/protocol/methods';
import { decode } from './cbor.ts';
import type { ChainProvider } from './chain.ts';
import {
  addressBytes,
  addValues,
  covers,
  decodeValue,
  emptyValue,
  encodeUtxo,
  encodeValue,
  type Utxo,
  type Value,
  valueFromJson,
} from './value.ts';

export interface Paginate {
  page: number;
  limit: number;
}

/** The CIP-30 Full API. */
export interface Cip30Api {
  getNetworkId(): Promise<number>;
  getUtxos(amount?: string, paginate?: Paginate): Promise<string[] | null>;
  getBalance(): Promise<string>;
  getCollateral(params?: { amount?: string | number }): Promise<string[] | null>;
  getUsedAddresses(paginate?: Paginate): Promise<string[]>;
  getUnusedAddresses(): Promise<string[]>;
  getChangeAddress(): Promise<string>;
  getRewardAddresses(): Promise<string[]>;
  /**
   * CIP-30 `signTx(tx, partialSign)`; also the experimental object form
   * `signTx({tx, partialSign})`. `partialSign` null or absent means false.
   */
  signTx(tx: string | SignTxRequest, partialSign?: boolean | null): Promise<string>;
  signData(addr: string, payload: string): Promise<{ signature: string; key: string }>;
  submitTx(tx: string): Promise<string>;
  getExtensions(): Promise<Array<{ cip: number }>>;
}

/** The experimental CIP-30 object form of signTx's arguments. */
export interface SignTxRequest {
  tx: string;
  partialSign?: boolean | null;
}

/** What the API object needs from the SDK. */
export interface Cip30Session {
  /** The wallet; throws ProtocolError (`account_changed`, `destroyed`) once this API is stale. */
  wallet(): WalletInfo;
  signTx(params: SignTxParams): Promise<SignTxResult>;
  signData(params: SignDataParams): Promise<SignDataResult>;
  chain: ChainProvider;
}

/** CIP-30: collateral is capped; 5 ADA is the value wallets agree on. */
export const MAX_COLLATERAL_LOVELACE = 5_000_000n;
/** Ledger limit on collateral inputs (max_collateral_inputs = 3 on mainnet). */
const MAX_COLLATERAL_INPUTS = 3;

/** What this module needs from @trine/protocol/errors, handed in by the caller. */
export interface Cip30ErrorKit {
  isProtocolError: typeof isProtocolError;
  toCip30Error: typeof toCip30Error;
}

/** A failure already in its CIP-30 shape (PaginateError). */
class Thrown {
  constructor(readonly error: Cip30Error) {}
}

/** A coded failure of this module; `run` turns it into the CIP-30 error of its context. */
class Fail {
  constructor(
    readonly code: ProtocolErrorCode,
    readonly message: string,
  ) {}
}

/** A provider failure's message, cut to what a CIP-30 `info` should hold. */
function providerReason(e: unknown): string {
  let m: unknown;
  try {
    m = (e as { message?: unknown })?.message;
  } catch {
    m = undefined;
  }
  return typeof m === 'string' && m.length > 0
    ? m.slice(0, 512)
    : 'the transaction could not be sent';
}

const invalid = (info: string): Fail => new Fail('invalid_params', info);
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

function assertHex(value: unknown, title: string, maxBytes: number): string {
  if (typeof value !== 'string') throw invalid(`${title} must be a hex string`);
  if (value.length > maxBytes * 2) throw invalid(`${title} must be at most ${maxBytes} bytes`);
  if (!HEX_RE.test(value)) throw invalid(`${title} must be even-length hex`);
  return value;
}

function paginate<T>(items: T[], p: Paginate | undefined): T[] {
  if (p === undefined || p === null) return items;
  if (typeof p !== 'object') throw invalid('paginate must be {page, limit}');
  const { page, limit } = p;
  if (!Number.isSafeInteger(page) || page < 0 || !Number.isSafeInteger(limit) || limit < 1) {
    throw invalid('paginate must be {page, limit} with page ≥ 0 and limit ≥ 1');
  }
  const pages = Math.ceil(items.length / limit);
  // CIP-30 PaginateError: maxSize is the number of pages there are.
  if (page > 0 && page >= pages) throw new Thrown({ maxSize: pages });
  return items.slice(page * limit, page * limit + limit);
}

/** Picks UTxOs covering `need` (assets first, then lovelace, largest first); null if impossible. */
export function selectUtxos(utxos: Utxo[], need: Value): Utxo[] | null {
  const chosen = new Set<Utxo>();
  let total = emptyValue();
  const take = (u: Utxo) => {
    if (chosen.has(u)) return;
    chosen.add(u);
    total = addValues(total, valueFromJson(u.value));
  };
  const values = new Map(utxos.map((u) => [u, valueFromJson(u.value)]));
  for (const [policy, names] of need.assets) {
    for (const [name, q] of names) {
      const holders = utxos
        .filter((u) => (values.get(u)?.assets.get(policy)?.get(name) ?? 0n) > 0n)
        .sort((a, b) => {
          const qa = values.get(a)?.assets.get(policy)?.get(name) ?? 0n;
          const qb = values.get(b)?.assets.get(policy)?.get(name) ?? 0n;
          return qa > qb ? -1 : qa < qb ? 1 : 0;
        });
      for (const u of holders) {
        if ((total.assets.get(policy)?.get(name) ?? 0n) >= q) break;
        take(u);
      }
    }
  }
  const byCoin = [...utxos].sort((a, b) => {
    const ca = values.get(a)?.coin ?? 0n;
    const cb = values.get(b)?.coin ?? 0n;
    return ca > cb ? -1 : ca < cb ? 1 : 0;
  });
  for (const u of byCoin) {
    if (total.coin >= need.coin) break;
    take(u);
  }
  return covers(total, need) ? [...chosen] : null;
}

/** Pure-ADA collateral covering `amount`: one smallest UTxO if one suffices, else up to 3. */
export function selectCollateral(utxos: Utxo[], amount: bigint): Utxo[] | null {
  const pure = utxos
    .filter(
      (u) =>
        Object.keys(u.value.assets ?? {}).length === 0 &&
        u.datumHash === undefined &&
        u.inlineDatum === undefined,
    )
    .map((u) => ({ u, coin: BigInt(u.value.lovelace) }))
    .sort((a, b) => (a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : 0));
  const single = pure.find((x) => x.coin >= amount);
  if (single) return [single.u];
  const out: Utxo[] = [];
  let sum = 0n;
  for (const x of pure.reverse().slice(0, MAX_COLLATERAL_INPUTS)) {
    out.push(x.u);
    sum += x.coin;
    if (sum >= amount) return out;
  }
  return null;
}

/**
 * CIP-30 names the amount `cbor<Coin>` in its signature and "a string (BigNumber) or a
 * number" in its text; wallets accept both, so do we. A string of decimal digits is read as
 * a decimal number: CBOR hex made of digits only encodes at most 0x9999 lovelace (0.04 ADA),
 * far below any real collateral, so nothing a dApp means is lost. Anything else is CBOR hex.
 */
function parseCollateralAmount(params: unknown): bigint {
  if (params === undefined || params === null) return MAX_COLLATERAL_LOVELACE;
  if (typeof params !== 'object') throw invalid('params must be {amount}');
  const raw = (params as { amount?: unknown }).amount;
  const bad = 'amount must be lovelace as a number, a decimal string or CBOR hex of a coin';
  let amount: bigint;
  if (raw === undefined || raw === null) return MAX_COLLATERAL_LOVELACE;
  if (typeof raw === 'string' && /^[0-9]{1,20}$/.test(raw)) {
    amount = BigInt(raw);
  } else if (typeof raw === 'string') {
    let item: unknown;
    try {
      item = decode(assertHex(raw, 'amount', 9));
    } catch {
      throw invalid(bad);
    }
    if (typeof item !== 'bigint') throw invalid(bad);
    amount = item;
  } else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) {
    amount = BigInt(raw);
  } else {
    throw invalid(bad);
  }
  if (amount > MAX_COLLATERAL_LOVELACE) throw invalid('amount must be at most 5 ADA (CIP-30)');
  return amount;
}

/**
 * True when `addr` (hex or bech32) has a script payment credential (CIP-19 header types
 * 1, 3, 5, 7) or is a script reward address (type 15): no key can sign for it, so CIP-30
 * wants DataSignError AddressNotPK, whatever wallet holds it. Undecodable → false (the
 * wallet decides).
 */
export function isScriptAddress(addr: string): boolean {
  let header: number | undefined;
  try {
    header = addressBytes(addr)[0];
  } catch {
    return false;
  }
  if (header === undefined) return false;
  const type = header >> 4;
  return type === 15 || (type <= 7 && (type & 1) === 1);
}

/**
 * Builds the CIP-30 API object over `session`, with `kit`'s error mapping.
 *
 * @example
 * const api = buildCip30Api(session, { isProtocolError, toCip30Error });
 * await api.getChangeAddress(); // '00949331…' (hex of the base address)
 */
export function buildCip30Api(session: Cip30Session, kit: Cip30ErrorKit): Cip30Api {
  const { isProtocolError, toCip30Error } = kit;
  const run = async <T>(context: Cip30Context, fn: () => Promise<T> | T): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof Thrown) throw Object.freeze(e.error);
      if (e instanceof Fail) throw Object.freeze(toCip30Error(e.code, e.message, context));
      if (isProtocolError(e)) {
        throw Object.freeze(toCip30Error(e.code, e.message, context, 0, e.retryAfter));
      }
      if (context === 'submitTx') {
        // The provider's own words (the node's or Blockfrost's reason) are what a dApp needs
        // to show; they are host-side data, never the wallet's.
        throw Object.freeze(toCip30Error('tx_failed', providerReason(e), context));
      }
      throw Object.freeze(toCip30Error('internal', 'internal error', context));
    }
  };
  const utxos = async (): Promise<Utxo[]> => {
    const w = session.wallet();
    try {
      return await session.chain.getUtxos(w.addresses.base);
    } catch (e) {
      if (isProtocolError(e)) throw e;
      throw new Fail('chain_unavailable', 'the chain provider failed');
    }
  };

  return {
    getNetworkId: () => run('api', () => session.wallet().networkId),
    getUtxos: (amount, page) =>
      run('paginate', async () => {
        let need: Value | undefined;
        if (amount !== undefined && amount !== null) {
          try {
            need = decodeValue(assertHex(amount, 'amount', 64 * 1024));
          } catch (e) {
            if (e instanceof Fail) throw e;
            throw invalid('amount must be CBOR hex of a value');
          }
        }
        const all = await utxos();
        const picked = need ? selectUtxos(all, need) : all;
        if (picked === null) return null;
        return paginate(picked, page).map(encodeUtxo);
      }),
    getBalance: () =>
      run('api', async () =>
        encodeValue(
          (await utxos()).reduce((t, u) => addValues(t, valueFromJson(u.value)), emptyValue()),
        ),
      ),
    getCollateral: (params) =>
      run('api', async () => {
        const amount = parseCollateralAmount(params);
        const picked = selectCollateral(await utxos(), amount);
        return picked === null ? null : picked.map(encodeUtxo);
      }),
    // A single-address wallet: the base address is the used, change and only address.
    getUsedAddresses: (page) =>
      run('paginate', () => paginate([session.wallet().addresses.baseHex], page)),
    getUnusedAddresses: () =>
      run('api', () => {
        session.wallet();
        return [];
      }),
    getChangeAddress: () => run('api', () => session.wallet().addresses.baseHex),
    getRewardAddresses: () => run('api', () => [session.wallet().addresses.rewardHex]),
    signTx: (tx, partialSign) =>
      run('signTx', async () => {
        session.wallet();
        let partial: unknown = partialSign;
        let body: unknown = tx;
        // CIP-30 experimental form: signTx({tx, partialSign}).
        if (typeof tx === 'object' && tx !== null) {
          body = (tx as SignTxRequest).tx;
          partial = (tx as SignTxRequest).partialSign ?? partialSign;
        }
        partial ??= false;
        if (typeof partial !== 'boolean') throw invalid('partialSign must be a boolean');
        const r = await session.signTx({
          tx: assertHex(body, 'tx', MAX_TX_BYTES),
          partialSign: partial,
        });
        return r.witnessSet;
      }),
    signData: (addr, payload) =>
      run('signData', async () => {
        session.wallet();
        if (typeof addr !== 'string' || addr.length === 0 || addr.length > 1024) {
          throw invalid('addr must be an address (hex or bech32)');
        }
        if (isScriptAddress(addr)) {
          throw new Fail('address_not_ours', 'a script address has no key to sign with');
        }
        const r = await session.signData({
          address: addr,
          payload: assertHex(payload, 'payload', MAX_PAYLOAD_BYTES),
        });
        return { signature: r.signature, key: r.key };
      }),
    submitTx: (tx) =>
      run('submitTx', async () => {
        session.wallet();
        const hash = await session.chain.submitTx(assertHex(tx, 'tx', MAX_TX_BYTES));
        if (typeof hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hash)) {
          throw new Fail('tx_failed', 'the chain provider returned no transaction hash');
        }
        return hash.toLowerCase();
      }),
    getExtensions: () =>
      run('api', () => {
        session.wallet();
        return [];
      }),
  };
}
