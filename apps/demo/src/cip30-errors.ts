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
  /** Trine's stable reason (`origin_not_allowed`, `rate_limited`, …), when there is one. */
  reason?: string;
}

/** What the user can do, by Trine's reason (the ones a dApp should handle itself). */
const BY_REASON: Record<string, string> = {
  origin_not_allowed: 'This site is not registered to use the wallet.',
  unknown_app: 'This app is not registered with the wallet service.',
  token_refused: 'Your sign-in was not accepted. Sign in again.',
  vault_unavailable: 'The wallet service cannot be reached. Try again later.',
  frame_blocked: 'This page blocks the wallet window (its security policy).',
  timeout: 'The wallet did not answer in time. Try again.',
};

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
    const r = e as { code?: unknown; info?: unknown; maxSize?: unknown; reason?: unknown };
    const reason = typeof r.reason === 'string' ? r.reason : undefined;
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
      const [name, generic] = table[r.code] ?? ['Unknown', 'The wallet reported an unknown error.'];
      let text = (reason && BY_REASON[reason]) ?? generic;
      // CIP-30 has no "declined" APIError: enable() refused by the user is Refused (-3),
      // and the user closed the wallet themselves, so say that, not "the wallet refused".
      if (reason === 'user_declined' && r.code < 0) {
        text = 'You cancelled in the wallet, so nothing was created or changed.';
      }
      if (reason === 'rate_limited') {
        const after = (e as { retryAfter?: unknown }).retryAfter;
        text =
          typeof after === 'number'
            ? `Too many attempts. Try again in ${after} s.`
            : 'Too many attempts. Try again later.';
      }
      return {
        title: `${kind} ${r.code} · ${name}${reason ? ` · ${reason}` : ''}`,
        text,
        ...(info ? { info } : {}),
        ...(reason ? { reason } : {}),
      };
    }
  }
  const message = e instanceof Error ? e.message : String(e);
  return { title: 'Error', text: message };
}
