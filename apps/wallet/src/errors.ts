/**
 * @module errors — what the user reads and what the host receives for every failure.
 *
 * Two audiences, two functions: `userMessage` (shown in the iframe, may be specific about
 * the user's own input) and `toHostError` (a ProtocolError for the host: a stable code
 * and a short message that never holds a share, a password, an answer or a token —
 * DESIGN.md §2.1). Foreign errors are never echoed to the host.
 */
import { isTrineError } from '@trine/core/errors';
import { isProtocolError, ProtocolError } from '@trine/protocol/errors';
import { RealmError, RealmQuorumError } from './realm-client.ts';
import { RecoveryLockedError, WrongAnswerError } from './realms.ts';
import { ReshareError } from './reshare.ts';
import { VaultError } from './vault-client.ts';

/** What secret the user typed for the failing step (decides the wrong-secret message). */
export type SecretKind = 'password' | 'answer';

/** Thrown when the device share is older than the vault's epoch (or missing). */
export class StaleDeviceError extends Error {
  override readonly name = 'StaleDeviceError';
  readonly missing: boolean;
  constructor(missing: boolean) {
    super(
      missing
        ? 'This browser has no key share for your wallet (a new device, or its storage was cleared).'
        : "This browser's key share is out of date: your wallet was re-secured on another device.",
    );
    this.missing = missing;
  }
}

/** The user closed or rejected the screen. */
export class UserCancelled extends Error {
  override readonly name = 'UserCancelled';
  constructor() {
    super('cancelled by the user');
  }
}

/**
 * "in 45 seconds", "in 3 minutes", "in about 2 hours": the time a Retry-After (seconds)
 * leaves, rounded up so the user never retries too early; "in a while" when unknown.
 */
export function waitText(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return 'in a while';
  const n = (v: number, unit: string) => `${v} ${unit}${v === 1 ? '' : 's'}`;
  if (seconds < 60) return `in ${n(Math.max(1, Math.ceil(seconds)), 'second')}`;
  if (seconds < 3600) return `in ${n(Math.ceil(seconds / 60), 'minute')}`;
  return `in about ${n(Math.ceil(seconds / 3600), 'hour')}`;
}

/** The Retry-After (seconds) a vault or realm error carries, when it sent one. */
function retryAfterOf(e: unknown): number | undefined {
  const ra = (e as { retryAfter?: unknown } | null)?.retryAfter;
  return typeof ra === 'number' && Number.isFinite(ra) && ra >= 0 ? ra : undefined;
}

const tooMany = (e: unknown, where = '') =>
  `Too many attempts${where}. Please try again ${waitText(retryAfterOf(e))}.`;

const VAULT_BY_CODE: Record<string, string> = {
  stale_epoch: 'Your wallet was changed from another device. Please start again.',
  wallet_exists: 'You already have a wallet with this app.',
  network_not_allowed: 'This app does not allow wallets on this network.',
  forbidden_origin: 'The wallet service refused this page’s origin (configuration problem).',
  app_not_found: 'This app is not registered with the wallet service.',
  unauthorized: 'Your session with this app has expired. Sign in to the app again.',
};

function vaultMessage(e: VaultError): string {
  if (e.code === 'rate_limited' || e.status === 429) return tooMany(e);
  const known = VAULT_BY_CODE[e.code];
  if (known) return known;
  if (e.status === 0) {
    return e.code === 'bad_response'
      ? 'The wallet service sent an unexpected answer. Please try again later.'
      : 'The wallet service cannot be reached. Check your connection and try again.';
  }
  if (e.status === 401) return 'Your session with this app has expired. Sign in to the app again.';
  if (e.status === 403) return 'This app is not allowed to use the wallet service.';
  if (e.status === 404) return 'No wallet was found for your account.';
  if (e.status === 409) return 'Your wallet was changed in the meantime. Please start again.';
  if (e.status === 413) return 'The request is too large for the wallet service.';
  if (e.status >= 500) return 'The wallet service has a problem. Please try again later.';
  return `The wallet service refused the request (${e.status}).`;
}

const isRateLimit = (e: RealmError) => e.code === 'rate_limited' || e.status === 429;

/**
 * A sentence for the user about `e`. `secret` tells which secret the failing step used.
 *
 * @example
 * userMessage(new TrineError('SEAL_OPEN_FAILED', '…'), 'password') // 'That password is not right. …'
 */
export function userMessage(e: unknown, secret: SecretKind = 'password'): string {
  if (e instanceof UserCancelled) return 'Cancelled.';
  if (e instanceof StaleDeviceError) return e.message;
  if (e instanceof ReshareError) {
    return e.reason === 'stale'
      ? 'Your wallet was changed from another device in the meantime; nothing was changed. Please start again.'
      : 'Your wallet is safe on the wallet service, but this browser could not save its key share. Next time, recover with your security answer.';
  }
  if (e instanceof VaultError) return vaultMessage(e);
  if (e instanceof WrongAnswerError) {
    const left = Number.isFinite(e.remaining)
      ? ` ${e.remaining} attempt${e.remaining === 1 ? '' : 's'} left before recovery with the answer locks.`
      : '';
    return `That answer does not match. Check the spelling and accents (case and spaces do not matter).${left}`;
  }
  if (e instanceof RecoveryLockedError) {
    return 'Recovery with your answer is locked after too many wrong answers. What you can still do: on a device where your wallet opens with your password, re-arm recovery (it resets the counters); or restore from your 24-word recovery phrase.';
  }
  if (e instanceof RealmQuorumError) {
    // Realms that rate-limit this user: say when enough of them take attempts again (the
    // longest wait among them, so a retry then is not refused by the slowest one).
    const limited = e.failures.filter(isRateLimit);
    if (limited.length) {
      const waits = limited.map(retryAfterOf).filter((v) => v !== undefined);
      const wait = waits.length === limited.length ? Math.max(...waits) : undefined;
      return `Too many attempts at the recovery services. Nothing was changed; please try again ${waitText(wait)}.`;
    }
    return `Not enough recovery services answered (${e.needed} are needed). Nothing was changed; please try again later.`;
  }
  if (e instanceof RealmError) {
    if (e.code === 'realms_missing') {
      return 'This app no longer lists its recovery services, so your wallet was not changed (its recovery would have become weaker). Contact the app.';
    }
    if (isRateLimit(e)) return tooMany(e, ' at a recovery service');
    if (e.code === 'registration_locked') {
      return 'Recovery with your answer is locked at a recovery service after too many wrong answers.';
    }
    return 'A recovery service did not answer as expected. Nothing was changed; please try again later.';
  }
  if (isTrineError(e)) {
    switch (e.code) {
      case 'SEAL_OPEN_FAILED':
        return secret === 'password'
          ? 'That password is not right. Please try again.'
          : 'That answer does not match. Check the spelling and accents (case and spaces do not matter).';
      case 'SECRET_EMPTY':
        return 'Type your password.';
      case 'ANSWER_EMPTY':
        return 'Type your answer.';
      case 'SHARES_MIXED_EPOCHS':
        return "This browser's key share is out of date: your wallet was re-secured on another device. Recover with your security answer.";
      case 'SHARES_MIXED_WALLETS':
      case 'KEY_ID_MISMATCH':
      case 'SHARES_AUTH_FAILED':
      case 'SHARE_MALFORMED':
      case 'SHARES_DUPLICATE_ROLE':
      case 'SHARES_TOO_FEW':
        return 'The key shares do not fit together, so nothing was signed. If this keeps happening, recover your wallet with your security answer.';
      case 'REALM_RESPONSE_INVALID':
      case 'REALM_CONFIG_INVALID':
      case 'REALM_THRESHOLD_UNMET':
        return 'A recovery service sent an answer that does not check out, so it was not used. Nothing was changed; please try again later.';
      case 'SEALED_MALFORMED':
      case 'SEALED_UNSUPPORTED':
      case 'ENVELOPE_MALFORMED':
      case 'ENVELOPE_UNSUPPORTED_VERSION':
      case 'KDF_PARAMS_TOO_WEAK':
      case 'KDF_PARAMS_TOO_COSTLY':
        return 'A stored key share is damaged or in a format this wallet does not accept. Recover your wallet with your security answer.';
      case 'TX_MALFORMED':
      case 'TX_TOO_LARGE':
        return 'The app sent a transaction this wallet cannot read, so it cannot be signed.';
      case 'PROOF_GENERATION':
        return 'This transaction needs a signature from a key this wallet does not hold.';
      case 'ADDRESS_NOT_OURS':
        return 'The app asked to sign with an address that is not this wallet’s.';
      case 'ADDRESS_MALFORMED':
      case 'PAYLOAD_MALFORMED':
      case 'NETWORK_UNKNOWN':
      case 'INVALID_ARGUMENT':
        return 'The app sent a request this wallet cannot accept.';
      default:
        return 'Something went wrong in the wallet. Please try again.';
    }
  }
  if (e instanceof Error && /local storage|save on this device|IndexedDB/.test(e.message)) {
    return 'This browser does not let the wallet store its key share (private browsing or blocked third-party storage?).';
  }
  return 'Something went wrong in the wallet. Please try again.';
}

/** True when `e` says the typed password or answer is wrong (its field is marked). */
export function isWrongSecret(e: unknown): boolean {
  return (
    e instanceof WrongAnswerError ||
    (isTrineError(e) &&
      (e.code === 'SEAL_OPEN_FAILED' || e.code === 'SECRET_EMPTY' || e.code === 'ANSWER_EMPTY'))
  );
}

/**
 * The error the host receives for `e`. CIP-30 shapes are derived from these codes by the
 * SDK (UserDeclined, ProofGeneration, AddressNotPK, …).
 */
export function toHostError(e: unknown): ProtocolError {
  if (isProtocolError(e)) return new ProtocolError(e.code, e.message);
  if (e instanceof UserCancelled) return new ProtocolError('user_declined', 'the user declined');
  if (e instanceof StaleDeviceError) {
    return new ProtocolError(
      'user_declined',
      'the device needs recovery; the user did not complete it',
    );
  }
  if (e instanceof ReshareError)
    return new ProtocolError('internal', 'the wallet update did not complete');
  if (
    e instanceof RealmError ||
    e instanceof RealmQuorumError ||
    e instanceof RecoveryLockedError ||
    e instanceof WrongAnswerError
  ) {
    // The host learns only that recovery did not complete (no counts, no realm ids).
    return new ProtocolError('user_declined', 'recovery did not complete');
  }
  if (e instanceof VaultError) {
    if (e.status === 404) return new ProtocolError('wallet_missing', 'the user has no wallet');
    if (e.status === 429) {
      return new ProtocolError('too_many_requests', 'the vault is rate-limiting', {
        retryAfter: retryAfterOf(e),
      });
    }
    if (e.status === 401) return new ProtocolError('token_refused', 'the vault refused the token');
    return new ProtocolError('vault_unavailable', `the vault failed (${e.status || 'network'})`);
  }
  if (isTrineError(e)) {
    switch (e.code) {
      case 'PROOF_GENERATION':
        return new ProtocolError('proof_generation', e.message.slice(0, 200));
      case 'ADDRESS_NOT_OURS':
        return e.details?.scriptCredential === true
          ? new ProtocolError('address_not_ours', 'the address is not a key address of this wallet')
          : new ProtocolError('proof_generation', 'the wallet holds no key for that address');
      case 'TX_MALFORMED':
      case 'TX_TOO_LARGE':
      case 'ADDRESS_MALFORMED':
      case 'PAYLOAD_MALFORMED':
      case 'NETWORK_UNKNOWN':
      case 'INVALID_ARGUMENT':
        return new ProtocolError('invalid_params', e.message.slice(0, 200));
      default:
        return new ProtocolError('internal', 'the wallet could not complete the request');
    }
  }
  if (e instanceof TypeError)
    return new ProtocolError('invalid_params', 'the request is malformed');
  return new ProtocolError('internal', 'internal error');
}
