import { blake2b } from '@noble/hashes/blake2.js';
import { createHostEndpoint, createWalletEndpoint, type Handlers } from '@trine/protocol/endpoint';
import { ProtocolError } from '@trine/protocol/errors';
import type { WalletMethods } from '@trine/protocol/methods';
import { Encoder } from 'cbor-x';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cbor, encodeHex, fromHex, Tag } from '../src/cbor.ts';
import type { ChainProvider } from '../src/chain.ts';
import { type Cip30Api, createCip30Api } from '../src/cip30.ts';
import { createMemoryChainProvider, type MemoryChainProvider } from '../src/memory.ts';
import { addressBytes } from '../src/value.ts';
import { BASE, BASE_HEX, cborx, fakeWallet, POLICY, REWARD_HEX, WALLET } from './helpers.ts';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** The CIP-30 API over a real host endpoint talking to a fake wallet endpoint (MessageChannel). */
function setup(
  over: Partial<Handlers<WalletMethods>> = {},
  chain?: ChainProvider & Partial<MemoryChainProvider>,
  timeoutMs = 2000,
) {
  const { port1, port2 } = new MessageChannel();
  const w = fakeWallet(over);
  const walletEp = createWalletEndpoint(port2, w.handlers);
  const host = createHostEndpoint(
    port1,
    {
      getToken: () => ({ token: 't' }),
      resolveInputs: () => ({ inputs: [] }),
      ui: () => ({}),
      walletChanged: () => ({}),
    },
    { timeoutMs, userTimeoutMs: timeoutMs },
  );
  cleanup.push(() => {
    host.destroy();
    walletEp.destroy();
  });
  const memory = createMemoryChainProvider();
  const api: Cip30Api = createCip30Api({
    wallet: () => WALLET,
    chain: chain ?? memory,
    signTx: (p) => host.call('signTx', p),
    signData: (p) => host.call('signData', p),
  });
  return { api, chain: memory, log: w.log, host };
}

const caught = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ resolved: v }),
    (e: unknown) => ({ isError: e instanceof Error, ...(e as object) }),
  );

describe('addresses and network (hex of address bytes)', () => {
  it('single-address wallet', async () => {
    const { api } = setup();
    expect(await api.getNetworkId()).toBe(0);
    expect(await api.getChangeAddress()).toBe(BASE_HEX);
    expect(await api.getUsedAddresses()).toEqual([BASE_HEX]);
    expect(await api.getUnusedAddresses()).toEqual([]);
    expect(await api.getRewardAddresses()).toEqual([REWARD_HEX]);
    expect(await api.getExtensions()).toEqual([]);
    expect(await caught(api.getUsedAddresses({ page: 1, limit: 1 }))).toEqual({
      isError: false,
      maxSize: 1,
    });
  });
});

describe('balance and UTxOs (CBOR hex)', () => {
  it('an empty wallet: balance 0, no UTxOs, amount unmet → null', async () => {
    const { api } = setup();
    expect(await api.getBalance()).toBe('00');
    expect(await api.getUtxos()).toEqual([]);
    expect(await api.getUtxos('1a000f4240')).toBeNull();
  });

  it('balance sums coin and assets; each UTxO decodes as [[hash, index], [address, value]]', async () => {
    const { api, chain } = setup();
    const a = chain.fund(BASE, { lovelace: '3000000' });
    const b = chain.fund(BASE, { lovelace: '2000000', assets: { [`${POLICY}.74657374`]: '5' } });
    chain.fund('addr_test1someoneelse', { lovelace: '99' });
    expect(cborx(await api.getBalance())).toEqual([
      5000000,
      new Map([[`h'${POLICY}'`, new Map([["h'74657374'", 5]])]]),
    ]);
    const utxos = (await api.getUtxos()) as string[];
    expect(utxos.map(cborx)).toEqual([
      [
        [`h'${a.txHash}'`, 0],
        [`h'${BASE_HEX}'`, 3000000],
      ],
      [
        [`h'${b.txHash}'`, 0],
        [`h'${BASE_HEX}'`, [2000000, new Map([[`h'${POLICY}'`, new Map([["h'74657374'", 5]])]])]],
      ],
    ]);
  });

  it('getUtxos(amount) returns UTxOs covering the amount (a cbor-x encoded value), or null', async () => {
    const { api, chain } = setup();
    chain.fund(BASE, { lovelace: '1000000' });
    const big = chain.fund(BASE, { lovelace: '8000000' });
    const token = chain.fund(BASE, { lovelace: '1500000', assets: { [`${POLICY}.aa`]: '2' } });
    const enc = new Encoder({ useRecords: false, mapsAsObjects: false } as never);
    const need = (coin: number, assets?: number) =>
      Buffer.from(
        enc.encode(
          assets
            ? [
                coin,
                new Map([
                  [Buffer.from(POLICY, 'hex'), new Map([[Buffer.from('aa', 'hex'), assets]])],
                ]),
              ]
            : coin,
        ),
      ).toString('hex');
    const pick = async (hex: string) =>
      ((await api.getUtxos(hex)) ?? []).map((u) => (cborx(u) as [[string]])[0][0]);
    expect(await pick(need(5_000_000))).toEqual([`h'${big.txHash}'`]);
    expect(await pick(need(1_000_000, 2))).toEqual([`h'${token.txHash}'`]);
    expect((await pick(need(10_000_000))).length).toBe(3);
    expect(await api.getUtxos(need(1_000_000, 3))).toBeNull();
    expect(await api.getUtxos(need(99_000_000))).toBeNull();
  });

  it('pagination and its CIP-30 PaginateError', async () => {
    const { api, chain } = setup();
    for (let i = 0; i < 5; i++) chain.fund(BASE, { lovelace: String(1_000_000 + i) });
    expect(await api.getUtxos(undefined, { page: 0, limit: 2 })).toHaveLength(2);
    expect(await api.getUtxos(undefined, { page: 2, limit: 2 })).toHaveLength(1);
    expect(await caught(api.getUtxos(undefined, { page: 3, limit: 2 }))).toEqual({
      isError: false,
      maxSize: 3,
    });
    expect(await caught(api.getUtxos(undefined, { page: -1, limit: 2 }))).toEqual({
      isError: false,
      code: -1,
      reason: 'invalid_params',
      info: 'paginate must be {page, limit} with page ≥ 0 and limit ≥ 1',
    });
  });

  it('a malformed amount is an APIError InvalidRequest', async () => {
    const { api } = setup();
    expect(await caught(api.getUtxos('zz'))).toEqual({
      isError: false,
      code: -1,
      reason: 'invalid_params',
      info: 'amount must be even-length hex',
    });
    expect(await caught(api.getUtxos('8100'))).toEqual({
      isError: false,
      code: -1,
      reason: 'invalid_params',
      info: 'amount must be CBOR hex of a value',
    });
  });

  it('collateral: pure-ADA UTxOs only, the smallest that suffices, capped at 5 ADA', async () => {
    const { api, chain } = setup();
    expect(await api.getCollateral()).toBeNull();
    chain.fund(BASE, { lovelace: '20000000', assets: { [`${POLICY}.aa`]: '1' } });
    expect(await api.getCollateral()).toBeNull();
    const small = chain.fund(BASE, { lovelace: '5500000' });
    chain.fund(BASE, { lovelace: '40000000' });
    const got = (await api.getCollateral()) as string[];
    expect(got.map(cborx)).toEqual([
      [
        [`h'${small.txHash}'`, 0],
        [`h'${BASE_HEX}'`, 5500000],
      ],
    ]);
    expect(await api.getCollateral({ amount: encodeHex(2_000_000) })).toHaveLength(1);
    expect(await caught(api.getCollateral({ amount: encodeHex(5_000_001) }))).toEqual({
      isError: false,
      code: -1,
      reason: 'invalid_params',
      info: 'amount must be at most 5 ADA (CIP-30)',
    });
  });

  it('a failing chain provider is an APIError InternalError', async () => {
    const broken: ChainProvider = {
      getUtxos: () => Promise.reject(new Error('ECONNREFUSED http://user:pw@chain')),
      getProtocolParameters: () => Promise.reject(new Error('x')),
      submitTx: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const { api } = setup({}, broken);
    expect(await caught(api.getBalance())).toEqual({
      isError: false,
      code: -2,
      reason: 'chain_unavailable',
      info: 'the chain provider failed',
    });
    expect(await caught(api.submitTx('84a0a0f5f6'))).toEqual({
      isError: false,
      code: 2,
      reason: 'tx_failed',
      // The provider's own reason reaches the dApp (host-side data, never the wallet's).
      info: 'ECONNREFUSED',
    });
  });
});

describe('signTx / signData (to the wallet)', () => {
  it('collateral amount: a number, a decimal string (CIP-30 text) or CBOR hex; short decimals are not CBOR', async () => {
    const { api, chain } = setup();
    const one = chain.fund(BASE, { lovelace: '1500000' });
    chain.fund(BASE, { lovelace: '4000000' });
    const first = async (amount: string | number) =>
      ((await api.getCollateral({ amount })) as string[]).map((h) => cborx(h) as unknown[]);
    // 1.2 ADA three ways: the 1.5 ADA UTxO (the smallest that suffices).
    for (const amount of [1_200_000, '1200000', encodeHex(1_200_000)]) {
      const got = await first(amount);
      expect(got, String(amount)).toHaveLength(1);
      expect((got[0] as unknown[])[0]).toEqual([`h'${one.txHash}'`, 0]);
    }
    // "10" is ten lovelace, not CBOR 0x10 = 16: both fit in one UTxO, but "4000000" must
    // read as 4 ADA (as CBOR hex it would be malformed).
    expect(await first('10')).toHaveLength(1);
    const four = await first('4000000');
    expect(((four[0] as unknown[])[1] as unknown[])[1]).toBe(4000000);
    expect(await caught(api.getCollateral({ amount: '5000001' }))).toMatchObject({
      code: -1,
      info: 'amount must be at most 5 ADA (CIP-30)',
    });
    for (const bad of [-1, 1.5, 'zz', '0x10', {}]) {
      expect(await caught(api.getCollateral({ amount: bad as never })), String(bad)).toMatchObject({
        code: -1,
        reason: 'invalid_params',
      });
    }
  });

  it('UTxOs keep their reference scripts (post-Alonzo output, key 3 = #6.24 script)', async () => {
    const { chain } = setup();
    const u = chain.fund(BASE, { lovelace: '3000000' });
    // A provider that reports a Plutus V2 reference script on the UTxO.
    const withScript = { ...u, scriptRef: '82024e4d01000033222220051200120011' };
    const api2 = createCip30Api({
      wallet: () => WALLET,
      chain: { ...chain, getUtxos: async () => [withScript] } as ChainProvider,
      signTx: () => Promise.reject(new Error('unused')),
      signData: () => Promise.reject(new Error('unused')),
    });
    const [hex] = (await api2.getUtxos()) as string[];
    const [, out] = cborx(hex as string) as [unknown, Map<unknown, unknown>];
    expect([...out.keys()]).toEqual([0, 1, 3]);
    expect(hex?.endsWith('03d8185182024e4d01000033222220051200120011')).toBe(true);
    // A reference script does not make a UTxO collateral-unfit, but an inline datum with it
    // keeps both (key 2 and key 3).
    const both = { ...withScript, inlineDatum: 'd87980' };
    const api3 = createCip30Api({
      wallet: () => WALLET,
      chain: { ...chain, getUtxos: async () => [both] } as ChainProvider,
      signTx: () => Promise.reject(new Error('unused')),
      signData: () => Promise.reject(new Error('unused')),
    });
    const [hex3] = (await api3.getUtxos()) as string[];
    expect([...(cborx(hex3 as string) as [unknown, Map<unknown, unknown>])[1].keys()]).toEqual([
      0, 1, 2, 3,
    ]);
  });

  it('signTx: the experimental {tx, partialSign} form and partialSign null (CIP-30) are accepted', async () => {
    const { api, log } = setup();
    expect(await api.signTx({ tx: '84a0a0f5f6', partialSign: true })).toBe('a10081825820');
    expect(await api.signTx({ tx: '84a0a0f5f6' })).toBe('a10081825820');
    expect(await api.signTx('84a0a0f5f6', null)).toBe('a10081825820');
    expect(log.calls.filter((c) => c.method === 'signTx').map((c) => c.params)).toEqual([
      { tx: '84a0a0f5f6', partialSign: true },
      { tx: '84a0a0f5f6', partialSign: false },
      { tx: '84a0a0f5f6', partialSign: false },
    ]);
    expect(await caught(api.signTx({ tx: 42 } as never))).toMatchObject({
      code: -1,
      info: 'tx must be a hex string',
    });
  });

  it('signData for a script address is DataSignError AddressNotPK, without asking the wallet', async () => {
    const { api, log } = setup();
    // CIP-19 test vectors: type 1 (script payment, key stake), 7 (script enterprise), 15
    // (script reward).
    const scripts = [
      'addr_test1zrphkx6acpnf78fuvxn0mkew3l0fd058hzquvz7w36x4gten0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgsxj90mg',
      'addr_test1wrphkx6acpnf78fuvxn0mkew3l0fd058hzquvz7w36x4gtcl6szpr',
      '70c37b1b5dc0669f1d3c61a6fddb2e8fde96be87b881c60bce8e8d542f',
      'stake_test17rphkx6acpnf78fuvxn0mkew3l0fd058hzquvz7w36x4gtcljw6kf',
    ];
    for (const addr of scripts) {
      expect(await caught(api.signData(addr, '48656c6c6f')), addr).toEqual({
        isError: false,
        code: 2,
        reason: 'address_not_ours',
        info: 'a script address has no key to sign with',
      });
    }
    expect(log.calls.filter((c) => c.method === 'signData')).toEqual([]);
  });

  it('submitTx keeps a ProtocolError provider reason as well (TxSendError Failure)', async () => {
    const { api } = setup(
      {},
      {
        getUtxos: async () => [],
        getProtocolParameters: async () => ({}),
        submitTx: () =>
          Promise.reject(new ProtocolError('tx_failed', 'BadInputsUTxO: input already spent')),
      },
    );
    expect(await caught(api.submitTx('84a0a0f5f6'))).toEqual({
      isError: false,
      code: 2,
      reason: 'tx_failed',
      info: 'BadInputsUTxO: input already spent',
    });
  });

  it('signTx returns the witness set and sends partialSign (default false)', async () => {
    const { api, log } = setup();
    expect(await api.signTx('84a0a0f5f6')).toBe('a10081825820');
    expect(await api.signTx('84a0a0f5f6', true)).toBe('a10081825820');
    expect(log.calls.filter((c) => c.method === 'signTx').map((c) => c.params)).toEqual([
      { tx: '84a0a0f5f6', partialSign: false },
      { tx: '84a0a0f5f6', partialSign: true },
    ]);
  });

  it('signTx errors map to TxSignError / APIError', async () => {
    let next: ProtocolError = new ProtocolError('user_declined', 'the user declined');
    const { api } = setup({
      signTx: () => {
        throw next;
      },
    });
    expect(await caught(api.signTx('84'))).toEqual({
      isError: false,
      code: 2,
      reason: 'user_declined',
      info: 'the user declined',
    });
    next = new ProtocolError('proof_generation', 'a key we do not hold is needed');
    expect(await caught(api.signTx('84'))).toEqual({
      isError: false,
      code: 1,
      reason: 'proof_generation',
      info: 'a key we do not hold is needed',
    });
    next = new ProtocolError('vault_unavailable', 'vault down');
    expect(await caught(api.signTx('84'))).toEqual({
      isError: false,
      code: -2,
      reason: 'vault_unavailable',
      info: 'vault down',
    });
    expect(await caught(api.signTx('not hex'))).toEqual({
      isError: false,
      code: -1,
      reason: 'invalid_params',
      info: 'tx must be even-length hex',
    });
    expect(await caught(api.signTx('84', 'yes' as never))).toEqual({
      isError: false,
      code: -1,
      reason: 'invalid_params',
      info: 'partialSign must be a boolean',
    });
  });

  it('signData returns {signature, key}; errors map to DataSignError', async () => {
    const { api } = setup();
    expect(await api.signData(BASE_HEX, '48656c6c6f')).toEqual({
      signature: '845846a201276761646472657373',
      key: 'a401010327200621',
    });
    expect(await caught(api.signData('addr_test1someoneelse', ''))).toEqual({
      isError: false,
      code: 2,
      reason: 'address_not_ours',
      info: 'not our address',
    });
    const declined = setup({
      signData: () => {
        throw new ProtocolError('user_declined', 'no');
      },
    });
    expect(await caught(declined.api.signData(BASE, ''))).toEqual({
      isError: false,
      code: 3,
      reason: 'user_declined',
      info: 'no',
    });
  });

  it('a wallet that never answers: APIError InternalError after the timeout', async () => {
    const { api } = setup({ signTx: () => new Promise(() => {}) }, undefined, 50);
    expect(await caught(api.signTx('84'))).toEqual({
      isError: false,
      code: -2,
      reason: 'timeout',
      info: 'signTx timed out after 50 ms',
    });
  });

  it('destroying the connection rejects a pending signTx with APIError Refused', async () => {
    const { api, host } = setup({ signTx: () => new Promise(() => {}) });
    const p = caught(api.signTx('84'));
    host.destroy();
    expect(await p).toEqual({
      isError: false,
      code: -3,
      reason: 'destroyed',
      info: 'the connection was closed',
    });
  });
});

describe('submitTx (host side, no key)', () => {
  it('returns blake2b-256 of the body bytes and spends the inputs', async () => {
    const { api, chain } = setup();
    const u = chain.fund(BASE, { lovelace: '9000000' });
    const enc = new Encoder({ useRecords: false, mapsAsObjects: false } as never);
    const body = new Map<number, unknown>([
      [0, [[Buffer.from(u.txHash, 'hex'), 0]]],
      [1, []],
      [2, 170000],
    ]);
    const bodyBytes = enc.encode(body);
    const tx = `84${Buffer.from(bodyBytes).toString('hex')}a0f5f6`;
    const expected = Buffer.from(blake2b(bodyBytes, { dkLen: 32 })).toString('hex');
    expect(await api.submitTx(tx)).toBe(expected);
    expect(chain.submitted).toEqual([tx]);
    expect(await api.getUtxos()).toEqual([]);
    expect(await caught(api.submitTx(tx))).toEqual({
      isError: false,
      code: 2,
      reason: 'tx_failed',
      info: `inputs not found or already spent: ${u.txHash}#0`,
    });
    expect(await caught(api.submitTx('zz'))).toEqual({
      isError: false,
      code: -1,
      reason: 'invalid_params',
      info: 'tx must be even-length hex',
    });
  });

  it('reads Conway inputs in a #6.258 set', async () => {
    const chain = createMemoryChainProvider();
    const u = chain.fund(BASE, { lovelace: '1' });
    const tx = encodeHex([
      new Map<Cbor, Cbor>([
        [0, new Tag(258, [[Buffer.from(u.txHash, 'hex'), 0]])],
        [1, []],
      ]),
      new Map(),
      true,
      null,
    ]);
    await chain.submitTx(tx);
    expect(chain.all()).toEqual([]);
  });

  it('applies a payment fully: inputs spent, the payee’s output and the change added (17.5 ADA − 2.17 − fee)', async () => {
    const chain = createMemoryChainProvider();
    const u = chain.fund(BASE, { lovelace: '17500000' });
    // CIP-19 test vector: a testnet enterprise key address (the payee).
    const payee = 'addr_test1vz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzerspjrlsz';
    const fee = 170_000n;
    const change = 17_500_000n - 2_170_000n - fee;
    const tx = encodeHex([
      new Map<Cbor, Cbor>([
        [0, [[fromHex(u.txHash), 0]]],
        [
          1,
          [
            [addressBytes(payee), 2_170_000n],
            // post-Alonzo map form with an inline datum, for the change
            new Map<Cbor, Cbor>([
              [0, addressBytes(BASE)],
              [1, change],
              [2, [1, new Tag(24, fromHex('d87980'))]],
            ]),
          ],
        ],
        [2, fee],
      ]),
      new Map(),
      true,
      null,
    ]);
    const hash = await chain.submitTx(tx);
    expect(await chain.getUtxos(payee)).toEqual([
      { txHash: hash, index: 0, address: payee, value: { lovelace: '2170000' } },
    ]);
    expect(await chain.getUtxos(BASE)).toEqual([
      {
        txHash: hash,
        index: 1,
        address: BASE,
        value: { lovelace: `${change}` },
        inlineDatum: 'd87980',
      },
    ]);
    // The change is spendable by the next transaction; the spent input is not.
    expect(chain.all()).toHaveLength(2);
    // A tx without outputs is malformed (Conway CDDL: key 1 is required).
    const bad = encodeHex([
      new Map<Cbor, Cbor>([[0, [[fromHex(hash), 1]]]]),
      new Map(),
      true,
      null,
    ]);
    await expect(chain.submitTx(bad)).rejects.toMatchObject({ code: 'tx_failed' });
    expect(chain.all()).toHaveLength(2);
  });
});
