/**
 * @module payment — the demo's transactions, built by Lucid Evolution over the SDK's
 * CIP-30 object: `selectWallet.fromAPI(api)` reads the wallet's UTxOs and change address
 * through it, `newTx().pay.ToAddress(…).complete()` selects inputs, balances and sets the
 * fee from the chain's protocol parameters, `partialSign.withWallet()` is CIP-30 `signTx`
 * (the user approves in the wallet iframe), and `submit()` is CIP-30 `submitTx` (the SDK's
 * ChainProvider: the in-memory chain). The host page never builds CBOR by hand.
 *
 * Lucid needs WebAssembly (CML and UPLC): main.ts imports this module dynamically, so the
 * first screen loads none of it, and the page's CSP allows `'wasm-unsafe-eval'`
 * (scripts/serve.mjs).
 */
import {
  Lucid,
  type LucidEvolution,
  PROTOCOL_PARAMETERS_DEFAULT,
  type TxSignBuilder,
  type WalletApi,
} from '@lucid-evolution/lucid';
import type { Cip30Api } from '@trine/web3-sdk';
import type { MemoryChainProvider } from '@trine/web3-sdk/memory';
import type { DemoNetwork } from './config.ts';
import { createDemoProvider, toLucidUtxo } from './lucid-provider.ts';

const LUCID_NETWORK = { preprod: 'Preprod', preview: 'Preview' } as const;

/** A transaction Lucid built and balanced, not yet signed. */
export interface BuiltPayment {
  /** The unsigned transaction, CBOR hex (what the wallet is asked to sign). */
  txHex: string;
  fee: bigint;
  /** Lovelace of the outputs back to the wallet's change address. */
  change: bigint;
  readonly builder: TxSignBuilder;
}

/** Lucid over `chain` with the CIP-30 object `api` as its wallet. */
export async function connectLucid(
  chain: MemoryChainProvider,
  api: Cip30Api,
  network: DemoNetwork,
): Promise<LucidEvolution> {
  const lucid = await Lucid(
    createDemoProvider(chain, PROTOCOL_PARAMETERS_DEFAULT),
    LUCID_NETWORK[network],
  );
  // The SDK's object is CIP-30; Lucid's WalletApi type also names optional extensions.
  lucid.selectWallet.fromAPI(api as unknown as WalletApi);
  return lucid;
}

function built(builder: TxSignBuilder, changeAddress: string): BuiltPayment {
  const body = builder.toTransaction().body();
  const outputs = body.outputs();
  let change = 0n;
  for (let i = 0; i < outputs.len(); i++) {
    const o = outputs.get(i);
    if (o.address().to_bech32(undefined) === changeAddress) change += o.amount().coin();
  }
  return { txHex: builder.toCBOR(), fee: body.fee(), change, builder };
}

/**
 * Pays `lovelace` to `to` from the selected wallet, change back to it. `foreign` UTxOs
 * (another wallet's) are spent too: the error demo, a tx this wallet cannot fully sign.
 */
export async function buildPayment(
  lucid: LucidEvolution,
  to: string,
  lovelace: bigint,
  foreign: Parameters<typeof toLucidUtxo>[0][] = [],
): Promise<BuiltPayment> {
  let tx = lucid.newTx();
  if (foreign.length > 0) tx = tx.collectFrom(foreign.map(toLucidUtxo));
  const builder = await tx.pay.ToAddress(to, { lovelace }).complete();
  return built(builder, await lucid.wallet().address());
}

type Either<R, L> = { _tag: 'Right'; right: R } | { _tag: 'Left'; left: L };

/**
 * The value, or the error that caused Lucid's failure: Lucid wraps a wallet's rejection in
 * its own TxSignerError / TxSubmitError (`cause`), and its throwing calls wrap that again
 * in an Effect FiberFailure. The page needs the CIP-30 error itself (`code`, `info`,
 * Trine's `reason`) to tell the user what happened, so the *Safe variants are used and the
 * cause is rethrown as it came from the CIP-30 object.
 */
async function unwrapped<T>(run: Promise<Either<T, { cause?: unknown }>>): Promise<T> {
  const r = await run;
  if (r._tag === 'Right') return r.right;
  throw r.left.cause ?? r.left;
}

/** CIP-30 signTx through Lucid (partialSign = true): the wallet's witness set, hex. */
export function signPayment(p: BuiltPayment): Promise<string> {
  return unwrapped(p.builder.partialSign.withWalletSafe());
}

/** Adds the wallet's witnesses and submits through CIP-30 submitTx; the tx id. */
export async function submitPayment(p: BuiltPayment, witnessSetHex: string): Promise<string> {
  const signed = await unwrapped(p.builder.assemble([witnessSetHex]).completeSafe());
  return unwrapped(signed.submitSafe());
}
