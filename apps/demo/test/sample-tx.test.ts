import { blake2b } from '@noble/hashes/blake2.js';
import { decode, fromHex, toHex } from '@trine/web3-sdk/cbor';
import type { Utxo } from '@trine/web3-sdk/chain';
import { createMemoryChainProvider, txHashOf } from '@trine/web3-sdk/memory';
import { addressBytes } from '@trine/web3-sdk/value';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/cip30-errors.ts';
import { readConfig } from '../src/config.ts';
import {
  buildPayment,
  FOREIGN_ADDRESS,
  feeParams,
  MIN_CHANGE,
  RECIPIENT,
  SampleTxError,
  withWitnesses,
} from '../src/sample-tx.ts';

const FEE = { minFeeA: 44n, minFeeB: 155381n };
const utxo = (i: number, lovelace: string, address = FOREIGN_ADDRESS): Utxo => ({
  txHash: toHex(blake2b(Uint8Array.of(i), { dkLen: 32 })),
  index: i,
  address,
  value: { lovelace },
});

describe('buildPayment', () => {
  const mine = [utxo(1, '10000000', RECIPIENT), utxo(2, '5000000', RECIPIENT)];

  it('balances inputs = outputs + fee, with the fee of the linear rule', () => {
    const tx = buildPayment({
      utxos: mine,
      changeAddress: RECIPIENT,
      to: FOREIGN_ADDRESS,
      amount: 2_000_000n,
      fee: FEE,
    });
    const [body, witnesses, valid, aux] = decode(tx.txHex) as [
      Map<unknown, unknown>,
      Map<unknown, unknown>,
      boolean,
      null,
    ];
    expect(witnesses.size).toBe(0);
    expect(valid).toBe(true);
    expect(aux).toBeNull();
    const inputs = body.get(0n) as [Uint8Array, bigint][];
    const outputs = body.get(1n) as [Uint8Array, bigint][];
    const fee = body.get(2n) as bigint;
    expect(inputs).toHaveLength(1); // the 10 ADA UTxO covers 2 ADA + fee + change
    expect(toHex(outputs[0]![0])).toBe(toHex(addressBytes(FOREIGN_ADDRESS)));
    expect(outputs[0]![1]).toBe(2_000_000n);
    expect(outputs[1]![1] + outputs[0]![1] + fee).toBe(10_000_000n);
    expect(fee).toBe(tx.fee);
    // The signed size: the empty witness map (1 byte) becomes {0: #6.258([vkey witness])}
    // (2 + 3 + 1 + 101 bytes); the fee must cover it.
    const signedSize = BigInt(tx.txHex.length / 2 - 1 + 107);
    expect(fee).toBeGreaterThanOrEqual(FEE.minFeeA * signedSize + FEE.minFeeB);
    expect(fee).toBeLessThan(FEE.minFeeA * (signedSize + 20n) + FEE.minFeeB);
    expect(tx.change).toBeGreaterThanOrEqual(MIN_CHANGE);
  });

  it('keeps the body bytes: the signed tx has the same id as the unsigned one', () => {
    const tx = buildPayment({
      utxos: mine,
      changeAddress: RECIPIENT,
      to: FOREIGN_ADDRESS,
      amount: 2_000_000n,
      fee: FEE,
    });
    const signed = withWitnesses(tx, `a10081825820${'11'.repeat(32)}5840${'22'.repeat(64)}`);
    expect(txHashOf(signed)).toBe(toHex(blake2b(fromHex(tx.bodyHex), { dkLen: 32 })));
    expect(txHashOf(signed)).toBe(txHashOf(tx.txHex));
  });

  it('spends extra (foreign) inputs and is accepted by the memory chain', async () => {
    const chain = createMemoryChainProvider();
    const a = chain.fund(RECIPIENT, { lovelace: '10000000' });
    const f = chain.fund(FOREIGN_ADDRESS, { lovelace: '3000000' });
    const tx = buildPayment({
      utxos: [a],
      changeAddress: RECIPIENT,
      to: FOREIGN_ADDRESS,
      amount: 2_000_000n,
      fee: FEE,
      extraInputs: [f],
    });
    expect(tx.inputs.map((u) => u.address).sort()).toEqual([FOREIGN_ADDRESS, RECIPIENT].sort());
    await chain.submitTx(tx.txHex);
    expect(chain.all().some((u) => u.txHash === a.txHash)).toBe(false);
  });

  it('refuses when the UTxOs cannot cover amount + fee + minimum change', () => {
    expect(() =>
      buildPayment({
        utxos: [utxo(3, '2500000', RECIPIENT)],
        changeAddress: RECIPIENT,
        to: FOREIGN_ADDRESS,
        amount: 2_000_000n,
        fee: FEE,
      }),
    ).toThrow(SampleTxError);
    expect(() =>
      buildPayment({
        utxos: mine,
        changeAddress: RECIPIENT,
        to: FOREIGN_ADDRESS,
        amount: 10n,
        fee: FEE,
      }),
    ).toThrow(RangeError);
  });

  it('reads fee params from protocol parameters', () => {
    expect(feeParams({ min_fee_a: 44, min_fee_b: '155381' })).toEqual(FEE);
    expect(() => feeParams({})).toThrow(SampleTxError);
  });
});

describe('describeError', () => {
  it('names CIP-30 errors by method context', () => {
    expect(describeError({ code: 1, info: 'needs a foreign key' }, 'signTx')).toEqual({
      title: 'TxSignError 1 · ProofGeneration',
      text: 'This transaction needs a signature from a key this wallet does not hold.',
      info: 'needs a foreign key',
    });
    expect(describeError({ code: 3, info: 'x' }, 'signData').title).toBe(
      'DataSignError 3 · UserDeclined',
    );
    expect(describeError({ code: -3, info: 'x' }, 'signTx').title).toBe('APIError -3 · Refused');
    expect(describeError({ code: 2, info: 'x' }, 'submitTx').title).toBe('TxSendError 2 · Failure');
    expect(describeError({ maxSize: 4 }, 'api')).toEqual({
      title: 'PaginateError',
      text: 'Only 4 pages exist.',
    });
    expect(describeError(new Error('sign-in failed'), 'api')).toEqual({
      title: 'Error',
      text: 'sign-in failed',
    });
  });
});

describe('describeError: what the user reads', () => {
  it('a cancelled create (enable() → Refused, user_declined) says it was cancelled', () => {
    expect(
      describeError({ code: -3, info: 'the user declined', reason: 'user_declined' }, 'api'),
    ).toEqual({
      title: 'APIError -3 · Refused · user_declined',
      text: 'You cancelled in the wallet, so nothing was created or changed.',
      info: 'the user declined',
      reason: 'user_declined',
    });
    // A refusal that is not the user's keeps the wallet's wording; a declined signature
    // keeps its own.
    expect(describeError({ code: -3, info: 'x' }, 'api').text).toBe(
      'The wallet refused the request.',
    );
    expect(describeError({ code: 2, info: 'x', reason: 'user_declined' }, 'signTx').text).toBe(
      'You declined to sign the transaction.',
    );
  });

  it('a rate limit says how long to wait', () => {
    expect(
      describeError({ code: -3, info: 'x', reason: 'rate_limited', retryAfter: 42 }, 'api').text,
    ).toBe('Too many attempts. Try again in 42 s.');
  });
});

describe('readConfig', () => {
  it('uses loopback defaults and query overrides', () => {
    expect(readConfig('', 'http://localhost:5173')).toEqual({
      walletUrl: 'http://127.0.0.1:8787',
      tokenUrl: 'http://localhost:5173/dev/token',
      appId: 'dev',
      network: 'preprod',
      handshakeTimeoutMs: 15000,
    });
    const c = readConfig(
      '?wallet=http://127.0.0.1:9/&network=preview&handshakeMs=3000&app=x',
      'http://localhost:1',
    );
    expect([c.walletUrl, c.network, c.handshakeTimeoutMs, c.appId]).toEqual([
      'http://127.0.0.1:9',
      'preview',
      3000,
      'x',
    ]);
  });
});
