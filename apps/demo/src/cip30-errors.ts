/**
 * @module cip30-errors — what a user reads when a wallet call fails. CIP-30 errors are
 * plain objects (`{code, info}` or `{maxSize}`) whose meaning depends on the method that
 * failed (CIP-0030 "Error Types"), so the caller names its context.
 */

export type Cip30Context = 'api' | 'signTx' | 'signData' | 'submitTx';

export interface ShownError {
  /** e.g. `TxSignError 1 · ProofGeneration`. */
  title: string;
  /** A sentence for the user. */
  text: string;
  /** The wallet's own `info` text, when there is one. */
  info?: string;
}

const API: Record<number, [string, string]> = {
  [-1]: ['InvalidRequest', 'The app sent the wallet a request it cannot accept.'],
  [-2]: ['InternalError', 'The wallet could not complete the request. Please try again.'],
  [-3]: ['Refused', 'The wallet refused the request.'],
  [-4]: ['AccountChange', 'The wallet account changed. Connect again.'],
};
const TX_SIGN: Record<number, [string, string]> = {
  1: [
    'ProofGeneration',
    'This transaction needs a signature from a key this wallet does not hold.',
  ],
  2: ['UserDeclined', 'You declined to sign the transaction.'],
};
const DATA_SIGN: Record<number, [string, string]> = {
  1: ['ProofGeneration', 'The wallet could not sign the message with that address.'],
  2: ['AddressNotPK', 'That address is not a key address of this wallet.'],
  3: ['UserDeclined', 'You declined to sign the message.'],
};
const TX_SEND: Record<number, [string, string]> = {
  1: ['Refused', 'The network refused the transaction.'],
  2: ['Failure', 'The transaction could not be submitted.'],
};

/** A CIP-30 error (or anything else thrown) as the user should see it. */
export function describeError(e: unknown, context: Cip30Context): ShownError {
  if (typeof e === 'object' && e !== null) {
    const r = e as { code?: unknown; info?: unknown; maxSize?: unknown };
    if (typeof r.maxSize === 'number') {
      return { title: 'PaginateError', text: `Only ${r.maxSize} pages exist.` };
    }
    if (typeof r.code === 'number') {
      const info = typeof r.info === 'string' ? r.info : undefined;
      const table =
        r.code < 0
          ? API
          : context === 'signTx'
            ? TX_SIGN
            : context === 'signData'
              ? DATA_SIGN
              : context === 'submitTx'
                ? TX_SEND
                : {};
      const kind =
        r.code < 0
          ? 'APIError'
          : {
              signTx: 'TxSignError',
              signData: 'DataSignError',
              submitTx: 'TxSendError',
              api: 'Error',
            }[context];
      const [name, text] = table[r.code] ?? ['Unknown', 'The wallet reported an unknown error.'];
      return { title: `${kind} ${r.code} · ${name}`, text, ...(info ? { info } : {}) };
    }
  }
  const message = e instanceof Error ? e.message : String(e);
  return { title: 'Error', text: message };
}
