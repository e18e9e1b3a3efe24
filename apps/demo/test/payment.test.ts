/**
 * @module The demo's payment path in Node: Lucid Evolution (payment.ts) over the demo's
 * Provider (lucid-provider.ts) over the SDK's in-memory chain. A private-key wallet stands
 * in for the CIP-30 object here (the e2e spec e2e/lucid-pay.spec.ts runs the real wallet
 * iframe); what is checked is the ledger: the chain applies Lucid's transaction fully —
 * the spent inputs are gone, the payee's output and the change exist under the tx id —
 * inputs = outputs + fee, and the fee obeys the chain's own linear fee rule.
 */
import { generatePrivateKey, Lucid, PROTOCOL_PARAMETERS_DEFAULT } from '@lucid-evolution/lucid';
import { ProtocolError } from '@trine/protocol/errors';
import { decode, fromHex } from '@trine/web3-sdk/cbor';
import { createMemoryChainProvider, type MemoryChainProvider } from '@trine/web3-sdk/memory';
import { describe, expect, it } from 'vitest';
import { FOREIGN_ADDRESS, RECIPIENT } from '../src/addresses.ts';
import {
  createDemoProvider,
  DemoProviderError,
  protocolParameters,
  toLucidUtxo,
} from '../src/lucid-provider.ts';
import { buildPayment, signPayment, submitPayment } from '../src/payment.ts';

const sum = (us: { value: { lovelace: string } }[]) =>
  us.reduce((s, u) => s + BigInt(u.value.lovelace), 0n);

async function setup(chain: MemoryChainProvider = createMemoryChainProvider()) {
  const lucid = await Lucid(createDemoProvider(chain, PROTOCOL_PARAMETERS_DEFAULT), 'Preprod');
  lucid.selectWallet.fromPrivateKey(generatePrivateKey());
  const me = await lucid.wallet().address();
  for (const lovelace of ['10000000', '5000000', '2500000']) chain.fund(me, { lovelace });
  return { chain, lucid, me };
}

/** The input refs of a tx body (key 0, a #6.258 set or a plain array). */
function inputRefs(txHex: string): string[] {
  const tx = decode(fromHex(txHex)) as unknown[];
  const body = tx[0] as Map<bigint, unknown>;
  let ins = body.get(0n) as unknown;
  if (ins && typeof ins === 'object' && 'value' in ins) ins = (ins as { value: unknown }).value;
  return (ins as [Uint8Array, bigint][]).map(([h, i]) => `${Buffer.from(h).toString('hex')}#${i}`);
}

describe('a Lucid payment on the in-memory chain', () => {
  it('is applied fully: inputs spent, payee and change added; inputs = outputs + fee', async () => {
    const { chain, lucid, me } = await setup();
    const before = chain.all();
    const tx = await buildPayment(lucid, RECIPIENT, 2_000_000n);
    const witnesses = await signPayment(tx);
    const id = await submitPayment(tx, witnesses);

    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const spent = inputRefs(tx.txHex);
    expect(spent.length).toBeGreaterThan(0);
    const after = chain.all();
    for (const ref of spent) {
      expect(before.some((u) => `${u.txHash}#${u.index}` === ref)).toBe(true);
      expect(after.some((u) => `${u.txHash}#${u.index}` === ref)).toBe(false);
    }
    const paid = await chain.getUtxos(RECIPIENT);
    expect(paid).toEqual([
      { txHash: id, index: expect.any(Number), address: RECIPIENT, value: { lovelace: '2000000' } },
    ]);
    const change = (await chain.getUtxos(me)).filter((u) => u.txHash === id);
    expect(sum(change)).toBe(tx.change);
    // Nothing created or lost: what was spent is the payment, the change and the fee.
    const spentValue = sum(before.filter((u) => spent.includes(`${u.txHash}#${u.index}`)));
    expect(spentValue).toBe(2_000_000n + tx.change + tx.fee);
    expect(sum(await chain.getUtxos(me))).toBe(17_500_000n - 2_000_000n - tx.fee);
    expect(await lucid.config().provider?.awaitTx(id)).toBe(true);
    expect(await lucid.config().provider?.awaitTx('00'.repeat(32))).toBe(false);
  });

  it('pays the chain’s linear fee: min_fee_a × size + min_fee_b of the signed tx', async () => {
    const { chain, lucid } = await setup();
    const tx = await buildPayment(lucid, RECIPIENT, 2_000_000n);
    await submitPayment(tx, await signPayment(tx));
    const pp = await chain.getProtocolParameters();
    const size = BigInt(fromHex(chain.submitted[0] ?? '').length);
    const min = BigInt(pp.min_fee_a as number) * size + BigInt(pp.min_fee_b as number);
    expect(tx.fee).toBeGreaterThanOrEqual(min);
    expect(tx.fee - min).toBeLessThan(2_000n); // not a guess with a wide margin
  });

  it('follows the chain’s parameters: a higher min_fee_b costs exactly that much more', async () => {
    const base = await setup();
    const dear = await setup(
      createMemoryChainProvider({
        protocolParameters: {
          min_fee_a: 44,
          min_fee_b: 255381,
          coins_per_utxo_size: '4310',
          max_tx_size: 16384,
        },
      }),
    );
    const a = await buildPayment(base.lucid, RECIPIENT, 2_000_000n);
    const b = await buildPayment(dear.lucid, RECIPIENT, 2_000_000n);
    expect(b.fee - a.fee).toBe(100_000n);
  });

  it('a replayed transaction is refused by the chain (its inputs are spent), nothing changes', async () => {
    const { chain, lucid } = await setup();
    const tx = await buildPayment(lucid, RECIPIENT, 2_000_000n);
    const witnesses = await signPayment(tx);
    await submitPayment(tx, witnesses);
    const state = chain.all();
    // The chain's own error reaches the caller as it was thrown (not Lucid's wrapper), so the
    // page can read its code.
    const refused = await submitPayment(tx, witnesses).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect(refused).toMatchObject({
      code: 'tx_failed',
      message: expect.stringMatching(/already spent/),
    });
    expect(chain.all()).toEqual(state);
  });

  it('spends a foreign UTxO when asked (the error demo’s tx)', async () => {
    const { chain, lucid } = await setup();
    const f = chain.fund(FOREIGN_ADDRESS, { lovelace: '3000000' });
    const tx = await buildPayment(lucid, RECIPIENT, 2_000_000n, [f]);
    expect(inputRefs(tx.txHex)).toContain(`${f.txHash}#0`);
  });
});

describe('the demo Provider', () => {
  it('takes fee, size and min-UTxO figures from the chain, the rest from Lucid', () => {
    const pp = protocolParameters(
      { min_fee_a: 50, min_fee_b: '160000', coins_per_utxo_size: '4000', max_tx_size: 9000 },
      PROTOCOL_PARAMETERS_DEFAULT,
    );
    expect(pp).toMatchObject({
      minFeeA: 50,
      minFeeB: 160000,
      coinsPerUtxoByte: 4000n,
      maxTxSize: 9000,
    });
    expect(pp.keyDeposit).toBe(PROTOCOL_PARAMETERS_DEFAULT.keyDeposit);
  });

  it('refuses missing or malformed parameters with code bad_parameters', () => {
    for (const bad of [
      {},
      { min_fee_a: 44, min_fee_b: '1e5', coins_per_utxo_size: 1, max_tx_size: 1 },
      { min_fee_a: -1, min_fee_b: 1, coins_per_utxo_size: 1, max_tx_size: 1 },
    ]) {
      try {
        protocolParameters(bad, PROTOCOL_PARAMETERS_DEFAULT);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DemoProviderError);
        expect((e as DemoProviderError).code).toBe('bad_parameters');
      }
    }
  });

  it('converts UTxOs (assets, datum hash) and refuses what it cannot label', () => {
    const policy = 'ab'.repeat(28);
    expect(
      toLucidUtxo({
        txHash: 'cd'.repeat(32),
        index: 1,
        address: RECIPIENT,
        value: { lovelace: '1500000', assets: { [`${policy}.74`]: '7' } },
        datumHash: 'ef'.repeat(32),
      }),
    ).toEqual({
      txHash: 'cd'.repeat(32),
      outputIndex: 1,
      address: RECIPIENT,
      assets: { lovelace: 1_500_000n, [`${policy}74`]: 7n },
      datumHash: 'ef'.repeat(32),
      datum: null,
      scriptRef: null,
    });
    expect(() =>
      toLucidUtxo({
        txHash: 'cd'.repeat(32),
        index: 0,
        address: RECIPIENT,
        value: { lovelace: '1' },
        scriptRef: '00',
      }),
    ).toThrow(expect.objectContaining({ code: 'unsupported' }));
  });

  it('answers what the chain knows and refuses the rest with code unsupported', async () => {
    const chain = createMemoryChainProvider();
    const u = chain.fund(RECIPIENT, { lovelace: '4000000' });
    const p = createDemoProvider(chain, PROTOCOL_PARAMETERS_DEFAULT);
    expect(
      await p.getUtxosByOutRef([
        { txHash: u.txHash, outputIndex: 0 },
        { txHash: u.txHash, outputIndex: 1 },
      ]),
    ).toHaveLength(1);
    expect(await p.getUtxos(RECIPIENT)).toHaveLength(1);
    expect(await p.getUtxosWithUnit(RECIPIENT, `${'ab'.repeat(28)}74`)).toEqual([]);
    const refused = { code: 'unsupported' };
    await expect(p.getUtxos({ type: 'Key', hash: '00'.repeat(28) })).rejects.toMatchObject(refused);
    await expect(p.evaluateTx('84a0a0f5f6')).rejects.toMatchObject(refused);
    await expect(p.getDatum('00'.repeat(32))).rejects.toMatchObject(refused);
    await expect(p.getUtxoByUnit('lovelace2')).rejects.toMatchObject(refused);
  });
});
