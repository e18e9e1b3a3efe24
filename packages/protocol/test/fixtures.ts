/** Shared test values: CIP-19's published test-vector addresses (payment + stake key). */
import type { WalletInfo } from '../src/methods.ts';

export const BASE_TEST =
  'addr_test1qz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgs68faae';
export const BASE_TEST_HEX =
  '009493315cd92eb5d8c4304e67b7e16ae36d61d34502694657811a2c8e337b62cfff6403a06a3acbc34f8c46003c69fe79a3628cefa9c47251';
export const REWARD_TEST = 'stake_test1uqehkck0lajq8gr28t9uxnuvgcqrc6070x3k9r8048z8y5gssrtvn';
export const REWARD_TEST_HEX = 'e0337b62cfff6403a06a3acbc34f8c46003c69fe79a3628cefa9c47251';

export const WALLET: WalletInfo = {
  walletId: 'w_123',
  network: 'preprod',
  networkId: 0,
  addresses: {
    base: BASE_TEST,
    reward: REWARD_TEST,
    baseHex: BASE_TEST_HEX,
    rewardHex: REWARD_TEST_HEX,
  },
};

export const TX_HASH = 'a'.repeat(64);

/** Values that have broken parsers elsewhere: every export gets all of them. */
export function hostileValues(): unknown[] {
  const cyclic: Record<string, unknown> = { ns: 'trine', v: 1, id: 'x' };
  cyclic.params = cyclic;
  const throwingGetter = Object.defineProperty({ ns: 'trine', v: 1 }, 'id', {
    enumerable: true,
    get() {
      throw new Error('getter exploded');
    },
  });
  const throwingProxy = new Proxy(
    {},
    {
      get() {
        throw new Error('proxy get');
      },
      has() {
        throw new Error('proxy has');
      },
      ownKeys() {
        throw new Error('proxy ownKeys');
      },
      getOwnPropertyDescriptor() {
        throw new Error('proxy gOPD');
      },
      getPrototypeOf() {
        throw new Error('proxy proto');
      },
    },
  );
  const protoPolluter = JSON.parse(
    '{"__proto__": {"polluted": true}, "ns": "trine", "v": 1, "id": "p", "method": "__proto__", "params": {}}',
  );
  return [
    undefined,
    null,
    0,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1n,
    '',
    'trine',
    'x'.repeat(1 << 20),
    true,
    Symbol('s'),
    () => 1,
    [],
    [1, 2, 3],
    {},
    new Date(0),
    new Map([['ns', 'trine']]),
    new Uint8Array(8),
    Object.create(null),
    cyclic,
    throwingGetter,
    throwingProxy,
    protoPolluter,
    { ns: 'trine' },
    { ns: 'trine', v: 1 },
    { ns: 'trine', v: 2, id: 'a', method: 'connect', params: {} },
    { ns: 'trine', v: '1', id: 'a', method: 'connect', params: {} },
    { ns: 'trine', v: 1, id: 'a'.repeat(65), method: 'connect', params: {} },
    { ns: 'trine', v: 1, id: 'a b', method: 'connect', params: {} },
    { ns: 'trine', v: 1, id: 'a', method: 'toString', params: {} },
    { ns: 'trine', v: 1, id: 'a', method: 'hasOwnProperty', params: {} },
    { ns: 'trine', v: 1, id: 'a', method: 'constructor', params: {} },
    { ns: 'trine', v: 1, id: 'a', method: 'signTx', params: { tx: 'zz', partialSign: false } },
    {
      ns: 'trine',
      v: 1,
      id: 'a',
      method: 'signTx',
      params: { tx: 'ab'.repeat(70_000), partialSign: false },
    },
    {
      ns: 'trine',
      v: 1,
      id: 'a',
      method: 'signData',
      params: { address: 'a', payload: 'ab'.repeat(20_000) },
    },
    { ns: 'trine', v: 1, id: 'a', result: {}, error: { code: 'internal', message: '' } },
    { ns: 'trine', v: 1, id: 'a', error: { code: 'internal', message: 'm'.repeat(5000) } },
    { ns: 'trine', v: 1, id: 'a', error: 'boom' },
    { ns: 'trine', v: 1, type: 'hello', appId: '', network: 'preprod' },
    { ns: 'trine', v: 1, type: 'hello', appId: 'dev', network: 'testnet' },
    { ns: 'trine', v: 1, type: 'ready', extra: throwingProxy },
  ];
}
