/**
 * @module http/shares — checks the share values of a request with @trine/core's
 * parsers and that they agree with each other and with the body (DESIGN.md §2.5:
 * shares of different wallets or epochs are never combined, so never stored together).
 */
import { encodeEnvelope, parseEnvelope, ROLE } from '@trine/core/envelope';
import { encodeSealedRecord, parseSealedRecord } from '@trine/core/sealed-record';
import { ApiError } from './problem.ts';

export interface CheckedShares {
  /** Canonical JSON text of the auth-share envelope. */
  authShare: string;
  /** Canonical JSON text of the sealed recovery record, when one was given. */
  sealed?: string;
  walletId: string;
  keyId: string;
}

/** Core error messages name the field, never its value, so they are safe to return. */
function coreMessage(e: unknown): string {
  return e instanceof Error ? e.message.slice(0, 200) : 'invalid';
}

export function checkShares(body: {
  walletId?: string;
  keyId?: string;
  epoch: number;
  authShare: unknown;
  sealed?: unknown;
}): CheckedShares {
  let env: ReturnType<typeof parseEnvelope>;
  try {
    env = parseEnvelope(body.authShare);
  } catch (e) {
    throw new ApiError('invalid_share', `authShare: ${coreMessage(e)}`);
  }
  if (env.role !== ROLE.auth) {
    throw new ApiError('share_mismatch', `authShare.role must be ${ROLE.auth} (auth)`);
  }
  if (env.epoch !== body.epoch)
    throw new ApiError('share_mismatch', 'authShare.epoch must equal epoch');
  if (body.walletId !== undefined && env.walletId !== body.walletId) {
    throw new ApiError('share_mismatch', 'authShare.walletId must equal walletId');
  }
  if (body.keyId !== undefined && env.keyId !== body.keyId) {
    throw new ApiError('share_mismatch', 'authShare.keyId must equal keyId');
  }
  const out: CheckedShares = {
    authShare: encodeEnvelope(env),
    walletId: env.walletId,
    keyId: env.keyId,
  };
  if (body.sealed !== undefined) {
    let rec: ReturnType<typeof parseSealedRecord>;
    try {
      rec = parseSealedRecord(body.sealed);
    } catch (e) {
      throw new ApiError('invalid_sealed', `recovery.sealed: ${coreMessage(e)}`);
    }
    const h = rec.header;
    if (h.role !== ROLE.recovery) {
      throw new ApiError('share_mismatch', `recovery.sealed.header.role must be ${ROLE.recovery}`);
    }
    if (h.epoch !== body.epoch || h.walletId !== env.walletId || h.keyId !== env.keyId) {
      throw new ApiError(
        'share_mismatch',
        'recovery.sealed.header must have the walletId, keyId and epoch of the auth share',
      );
    }
    out.sealed = encodeSealedRecord(rec);
  }
  return out;
}
