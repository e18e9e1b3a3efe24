/**
 * @module cardano — the Cardano operations, loaded on first use.
 *
 * @trine/cardano pulls in cardano-serialization-lib's 2.8 MB wasm: importing it
 * dynamically keeps it out of the first screen, and Vite emits it as a hashed file that
 * can be cached forever.
 */
export type CardanoApi = {
  deriveWallet: typeof import('@trine/cardano/keys').deriveWallet;
  /** The key id check's derivation: @trine/cardano's, with WebCrypto's PBKDF2 (key-id.ts). */
  keyIdFromEntropy: (entropy: Uint8Array) => Promise<string>;
  signTx: typeof import('@trine/cardano/sign-tx').signTx;
  foreignKeysNeeded: typeof import('@trine/cardano/sign-tx').foreignKeysNeeded;
  signData: typeof import('@trine/cardano/sign-data').signData;
  decodeTx: typeof import('@trine/cardano/decode-tx').decodeTx;
};

let loading: Promise<CardanoApi> | undefined;

/** Loads (once) and returns the Cardano functions. */
export function loadCardano(): Promise<CardanoApi> {
  loading ??= Promise.all([
    import('@trine/cardano/keys'),
    import('@trine/cardano/sign-tx'),
    import('@trine/cardano/sign-data'),
    import('@trine/cardano/decode-tx'),
    import('./key-id.ts'),
  ]).then(([keys, signTx, signData, decodeTx, keyId]) => {
    try {
      // bench/wallet.bench.ts: when CSL was ready (a name and a time).
      performance.mark('trine:csl-loaded');
    } catch {
      // no User Timing
    }
    return {
      deriveWallet: keyId.derivingOnce(keys.deriveWallet),
      keyIdFromEntropy: keyId.keyIdOf,
      signTx: signTx.signTx,
      foreignKeysNeeded: signTx.foreignKeysNeeded,
      signData: signData.signData,
      decodeTx: decodeTx.decodeTx,
    };
  });
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
