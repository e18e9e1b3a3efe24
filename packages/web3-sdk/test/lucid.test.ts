/**
 * CIP-30 conformance through a real Cardano dApp library: Lucid Evolution (0.4) selects the
 * SDK's CIP-30 object with `selectWallet.fromAPI`, builds a payment from the UTxOs it reads
 * through it (getUtxos, getChangeAddress, getCollateral…), has it signed (signTx → a witness
 * set made by @trine/cardano, the wallet's own signer) and submits it (submitTx → the
 * ChainProvider → Lucid's ledger Emulator, which checks fee, balance and witnesses). Runs in
 * Node: the wallet iframe is not in the loop here (the e2e suite covers that path).
 */
import { Emulator, Lucid } from '@lucid-evolution/lucid';
import { deriveWallet } from '@trine/cardano/keys';
import { signTx } from '@trine/cardano/sign-tx';
import { addressHex } from '@trine/protocol/bech32';
import type { WalletInfo } from '@trine/protocol/methods';
import { describe, expect, it } from 'vitest';
import type { ChainProvider } from '../src/chain.ts';
import { createCip30Api } from '../src/cip30.ts';
import type { Utxo } from '../src/value.ts';

const ENTROPY = new Uint8Array(32).map((_, i) => (i * 7 + 3) & 0xff);
const PAYEE = 'addr_test1vz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzerspjrlsz';

type EmuUtxo = {
  txHash: string;
  outputIndex: number;
  address: string;
  assets: Record<string, bigint>;
  datumHash?: string | null;
  datum?: string | null;
};

describe('Lucid Evolution over the SDK’s CIP-30 object', () => {
  it('builds, signs and submits a payment to its ledger emulator; balances move as they must', async () => {
    const info = deriveWallet(ENTROPY, 'preprod');
    const emulator = new Emulator([
      { address: info.baseAddress, assets: { lovelace: 17_500_000n } } as never,
    ]);
    const chain: ChainProvider = {
      getUtxos: async (address) =>
        ((await emulator.getUtxos(address)) as unknown as EmuUtxo[]).map((u): Utxo => {
          const assets: Record<string, string> = {};
          for (const [unit, q] of Object.entries(u.assets)) {
            if (unit !== 'lovelace') assets[`${unit.slice(0, 56)}.${unit.slice(56)}`] = `${q}`;
          }
          return {
            txHash: u.txHash,
            index: u.outputIndex,
            address: u.address,
            value: Object.keys(assets).length
              ? { lovelace: `${u.assets.lovelace ?? 0n}`, assets }
              : { lovelace: `${u.assets.lovelace ?? 0n}` },
          };
        }),
      getProtocolParameters: async () => ({}),
      submitTx: (tx) => emulator.submitTx(tx),
    };
    const wallet: WalletInfo = {
      walletId: 'w1',
      network: 'preprod',
      networkId: 0,
      addresses: {
        base: info.baseAddress,
        reward: info.rewardAddress,
        baseHex: addressHex(info.baseAddress),
        rewardHex: addressHex(info.rewardAddress),
      },
    };
    const signed: string[] = [];
    const api = createCip30Api({
      wallet: () => wallet,
      chain,
      signTx: async ({ tx, partialSign }) => {
        signed.push(tx);
        return { witnessSet: signTx(ENTROPY, 'preprod', tx, { partialSign }) };
      },
      signData: () => Promise.reject(new Error('unused')),
    });
    const lucid = await Lucid(emulator, 'Custom');
    lucid.selectWallet.fromAPI(api as never);
    expect(await lucid.wallet().address()).toBe(info.baseAddress);

    const tx = await lucid.newTx().pay.ToAddress(PAYEE, { lovelace: 2_170_000n }).complete();
    const done = await tx.sign.withWallet().complete();
    const hash = await done.submit();
    emulator.awaitBlock(1);

    expect(signed).toHaveLength(1);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const paid = (await emulator.getUtxos(PAYEE)) as unknown as EmuUtxo[];
    expect(paid.map((u) => u.assets.lovelace)).toEqual([2_170_000n]);
    const left = ((await emulator.getUtxos(info.baseAddress)) as unknown as EmuUtxo[]).reduce(
      (s, u) => s + (u.assets.lovelace ?? 0n),
      0n,
    );
    const fee = BigInt(done.toTransaction().body().fee());
    // 17.5 ADA − 2.17 ADA − the fee: the change came back to the wallet.
    expect(left).toBe(17_500_000n - 2_170_000n - fee);
    expect(fee > 150_000n && fee < 300_000n).toBe(true);
  });
});
