/**
 * @module http/signature — management-key signatures on realm requests (docs/realms.md
 * "Signed management requests"): the check against the registration's public key, and
 * the replay refusal through `realm_used_nonces` (insert-or-fail, in the same transaction
 * as the change it authorises, so a refused request leaves every table as it was).
 */
import { fromBase64Url } from '@trine/core/bytes';
import {
  MANAGEMENT_HEADERS,
  MANAGEMENT_MAX_SKEW_S,
  verifyManagementRequest,
} from '@trine/core/management-key';
import { sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Tx } from '../db/open.ts';
import { usedNonces } from '../db/schema.ts';
import { ApiError } from './problem.ts';

export interface SignedRequest {
  /** The registered management public key (base64url). */
  managementKey: string;
  appId: string;
  walletId: string;
  expectedEpoch: number | null;
  /** The exact body bytes. */
  body: Uint8Array;
  /** The path below the realm's base, e.g. `/v1/apps/dev/registration`. */
  apiPath: string;
}

/** True when the request carries any management header (the client meant to sign). */
export function hasSignature(c: Context): boolean {
  return Object.values(MANAGEMENT_HEADERS).some((h) => c.req.header(h) !== undefined);
}

/**
 * Verifies the request's management signature, or throws the 401 problem of its code.
 *
 * The signed path may be the path below the realm's base (`/v1/apps/…`, the same at every
 * mount point and behind any path-rewriting proxy) or the full path this server saw (a
 * realm mounted at `/realm` sees `/realm/v1/apps/…`): either binds method, app, wallet,
 * epoch, time, nonce and the body's hash, so accepting both weakens nothing.
 */
export function checkSignature(c: Context, req: SignedRequest): { nonce: string; time: number } {
  const headers = {
    time: c.req.header(MANAGEMENT_HEADERS.time) ?? null,
    nonce: c.req.header(MANAGEMENT_HEADERS.nonce) ?? null,
    signature: c.req.header(MANAGEMENT_HEADERS.signature) ?? null,
  };
  let publicKey: Uint8Array;
  try {
    publicKey = fromBase64Url(req.managementKey, 'managementKey');
  } catch {
    // A stored key is checked at registration; this is defence in depth.
    throw new ApiError('management_signature_invalid', 'the registered management key is unusable');
  }
  const paths = [req.apiPath];
  if (c.req.path !== req.apiPath) paths.push(c.req.path);
  let last: ReturnType<typeof verifyManagementRequest> | null = null;
  for (const path of paths) {
    last = verifyManagementRequest(
      publicKey,
      {
        method: c.req.method,
        path,
        appId: req.appId,
        walletId: req.walletId,
        expectedEpoch: req.expectedEpoch,
        body: req.body,
      },
      headers,
    );
    if (last.ok) return { nonce: last.nonce, time: last.time };
  }
  const code = last && !last.ok ? last.code : 'management_signature_invalid';
  const detail = {
    management_signature_required:
      'this request needs the Trine-Mgmt-Time, -Nonce and -Signature headers of the management key',
    management_signature_invalid:
      'the management signature does not verify under the registered key',
    management_signature_expired: `the management signature time is more than ${MANAGEMENT_MAX_SKEW_S} s from the server clock`,
  }[code];
  throw new ApiError(code, detail);
}

/**
 * Records a verified signature's nonce, or throws `management_signature_replayed` when it
 * was used before. Kept until its time can no longer pass the clock-skew check.
 */
export async function consumeNonce(tx: Tx, nonce: string, time: number): Promise<void> {
  const rows = await tx
    .insert(usedNonces)
    .values({
      nonce,
      expiresAt: sql`to_timestamp(${time + 2 * MANAGEMENT_MAX_SKEW_S})`,
    })
    .onConflictDoNothing()
    .returning({ nonce: usedNonces.nonce });
  if (rows.length === 0) {
    throw new ApiError('management_signature_replayed', 'this signed request was already used');
  }
}
