/**
 * @module http/management — the vault's side of signed management requests
 * (docs/realms.md "Signed management requests", DESIGN.md invariant 11: a JWT reads, it
 * never destroys). Parses a registered management public key, and collects what a
 * signature covers from a request: method, path, the exact raw body bytes and the three
 * `Trine-Mgmt-*` headers. The check itself runs in the store's transaction
 * (db/wallet-store.ts), against the key stored with the wallet, so the signature, the
 * nonce record and the change commit or roll back together.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { MANAGEMENT_HEADERS } from '@trine/core/management-key';
import type { Context } from 'hono';
import type { Env } from './context.ts';
import { ApiError } from './problem.ts';

/** What the store needs to verify a management signature (db/wallet-store.ts). */
export interface ManagementAuth {
  method: string;
  /** The request path as received (`/v1/apps/dev/wallet/shares`), no query. */
  path: string;
  /** The exact body bytes the client sent (empty for none). */
  body: Uint8Array;
  headers: { time: string | null; nonce: string | null; signature: string | null };
}

/** The `c.set('rawBody')` key: set by `keepRawBody` before any body parser runs. */
export const RAW_BODY = 'rawBody' as const;

/**
 * Middleware: reads the body bytes once, before the JSON validator, and keeps them. The
 * signature covers the exact bytes; re-serialising the parsed JSON would not give them
 * back (key order, spacing, number and escape forms), so the validator then parses the
 * cached bytes (hono caches the first body read).
 */
export function keepRawBody() {
  return async function rawBody(c: Context<Env>, next: () => Promise<void>) {
    const buf = c.req.raw.body ? new Uint8Array(await c.req.arrayBuffer()) : new Uint8Array(0);
    c.set(RAW_BODY, buf);
    await next();
  };
}

/** The signature material of a request (headers may be missing: the store decides). */
export function managementAuth(c: Context<Env>): ManagementAuth {
  return {
    method: c.req.method,
    path: c.req.path,
    body: c.get(RAW_BODY) ?? new Uint8Array(0),
    headers: {
      time: c.req.header(MANAGEMENT_HEADERS.time) ?? null,
      nonce: c.req.header(MANAGEMENT_HEADERS.nonce) ?? null,
      signature: c.req.header(MANAGEMENT_HEADERS.signature) ?? null,
    },
  };
}

/**
 * Checks a management public key from a request body: canonical base64url of 32 bytes
 * that decode to an Ed25519 point of large order. A small-order key (the identity, or
 * one of the 8-torsion points) would let a forged signature verify for some messages, so
 * it is refused at registration. Throws 422 `invalid_management_key`.
 */
export function parseManagementKey(text: string): string {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(text, 'base64url');
  } catch {
    throw new ApiError('invalid_management_key', 'managementKey must be base64url');
  }
  if (
    !/^[A-Za-z0-9_-]{43}$/.test(text) ||
    bytes.length !== 32 ||
    bytes.toString('base64url') !== text
  ) {
    throw new ApiError(
      'invalid_management_key',
      'managementKey must be canonical base64url of 32 bytes (an Ed25519 public key)',
    );
  }
  let small = true;
  try {
    small = ed25519.Point.fromBytes(new Uint8Array(bytes)).isSmallOrder();
  } catch {
    throw new ApiError('invalid_management_key', 'managementKey is not an Ed25519 point');
  }
  if (small) {
    throw new ApiError('invalid_management_key', 'managementKey is a small-order point');
  }
  return text;
}
