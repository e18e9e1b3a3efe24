/** Shared test pieces: CIP-19 test-vector addresses and a fake wallet built from @trine/protocol. */
import type { Handlers } from '@trine/protocol/endpoint';
import { ProtocolError } from '@trine/protocol/errors';
import type { WalletInfo, WalletMethods } from '@trine/protocol/methods';
import { Decoder } from 'cbor-x';

export const BASE =
  'addr_test1qz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgs68faae';
export const BASE_HEX =
  '009493315cd92eb5d8c4304e67b7e16ae36d61d34502694657811a2c8e337b62cfff6403a06a3acbc34f8c46003c69fe79a3628cefa9c47251';
export const REWARD = 'stake_test1uqehkck0lajq8gr28t9uxnuvgcqrc6070x3k9r8048z8y5gssrtvn';
export const REWARD_HEX = 'e0337b62cfff6403a06a3acbc34f8c46003c69fe79a3628cefa9c47251';

export const WALLET: WalletInfo = {
  walletId: 'w1',
  network: 'preprod',
  networkId: 0,
  addresses: { base: BASE, reward: REWARD, baseHex: BASE_HEX, rewardHex: REWARD_HEX },
};

export const POLICY = 'b0d07d45fe9514f80213f4020e5a61241458be626841cde717cb38a7';

/** Decodes CBOR hex with cbor-x, maps as Maps, byte strings as hex (for comparisons). */
export function cborx(hex: string): unknown {
  const d = new Decoder({
    mapsAsObjects: false,
    useRecords: false,
    int64AsType: 'bigint',
  } as never);
  const norm = (x: unknown): unknown => {
    if (x instanceof Uint8Array) return `h'${Buffer.from(x).toString('hex')}'`;
    if (Array.isArray(x)) return x.map(norm);
    if (x instanceof Map) return new Map([...x].map(([k, v]) => [norm(k), norm(v)]));
    if (typeof x === 'bigint') return Number.isSafeInteger(Number(x)) ? Number(x) : `${x}n`;
    return x;
  };
  return norm(d.decode(Buffer.from(hex, 'hex')));
}

export interface FakeWalletLog {
  calls: Array<{ method: string; params: unknown }>;
}

/** Wallet handlers with switchable behaviour; records every call. */
export function fakeWallet(
  over: Partial<Handlers<WalletMethods>> = {},
  state: 'none' | 'unverified' | 'locked' | 'unlocked' = 'unlocked',
) {
  const log: FakeWalletLog = { calls: [] };
  let current: 'none' | 'unverified' | 'locked' | 'unlocked' = state;
  const rec =
    <M extends keyof WalletMethods>(method: M, f: Handlers<WalletMethods>[M]) =>
    (params: WalletMethods[M]['params']) => {
      log.calls.push({ method, params });
      return (f as (p: unknown) => unknown)(params) as never;
    };
  const handlers: Handlers<WalletMethods> = {
    connect: rec(
      'connect',
      over.connect ??
        (() =>
          current === 'none' || current === 'unverified'
            ? { state: current }
            : { state: current, wallet: WALLET }),
    ),
    createWallet: rec(
      'createWallet',
      over.createWallet ??
        (() => {
          current = 'unlocked';
          return WALLET;
        }),
    ),
    signTx: rec('signTx', over.signTx ?? (() => ({ witnessSet: 'a10081825820' }))),
    signData: rec(
      'signData',
      over.signData ??
        (({ address }) => {
          if (address !== BASE && address !== BASE_HEX)
            throw new ProtocolError('address_not_ours', 'not our address');
          return { signature: '845846a201276761646472657373', key: 'a401010327200621' };
        }),
    ),
    manage: rec(
      'manage',
      over.manage ??
        (({ flow }) => {
          // A recovery rebuilds the key on this device: its addresses are verified now.
          if (flow === 'recover' && current === 'unverified') current = 'locked';
          return { done: true };
        }),
    ),
    lock: rec('lock', over.lock ?? (() => ({}))),
  };
  return { handlers, log, setState: (s: typeof current) => (current = s) };
}
