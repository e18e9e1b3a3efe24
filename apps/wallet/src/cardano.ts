/**
 * @module cardano — the Cardano operations, loaded on first use.
 *
 * @trine/cardano pulls in cardano-serialization-lib's 2.8 MB wasm: importing it
 * dynamically keeps it out of the first screen, and Vite emits it as a hashed file that
 * can be cached forever.
 */
export type CardanoApi = {
  deriveWallet: typeof import('@trine/cardano/keys').deriveWallet;
  keyIdFromEntropy: typeof import('@trine/cardano/keys').keyIdFromEntropy;
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
  ]).then(([keys, signTx, signData, decodeTx]) => ({
    deriveWallet: keys.deriveWallet,
    keyIdFromEntropy: keys.keyIdFromEntropy,
    signTx: signTx.signTx,
    foreignKeysNeeded: signTx.foreignKeysNeeded,
    signData: signData.signData,
    decodeTx: decodeTx.decodeTx,
  }));
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
