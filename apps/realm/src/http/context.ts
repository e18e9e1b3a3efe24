/**
 * @module http/context — the dependencies of the realm's HTTP app and its per-request
 * variables.
 */

import type { Verifier } from '@trine/server-kit/token';
import type { Logger } from 'pino';
import type { RealmApp } from '../apps/registry.ts';
import type { RealmKeyPair } from '../crypto/oprf.ts';
import type { Database } from '../db/open.ts';
import type { LimitsConfig } from '../limits/rate-limit.ts';

export interface RealmDeps {
  database: Database;
  realmId: string;
  /** The OPRF key pair (the secret scalar never leaves this process). */
  keys: RealmKeyPair;
  apps: ReadonlyMap<string, RealmApp>;
  verifier: Verifier;
  logger: Logger;
  limits: LimitsConfig;
  mode: 'development' | 'production';
  /** Browser origins allowed to call the registration endpoints (the wallet's origins). */
  walletOrigins: readonly string[];
  trustedProxies: readonly string[];
  /** Request body limit in bytes. */
  bodyLimit: number;
}

export interface Vars {
  requestId: string;
  ip: string;
  proto: 'http' | 'https';
  /** The exact body bytes (signatures cover them), read once before any parsing. */
  rawBody: Uint8Array;
}

export type Env = { Variables: Vars };
