/**
 * @module http/context — the dependencies of the HTTP app and the per-request variables.
 */

import type { Verifier } from '@trine/server-kit/token';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { AppRegistry } from '../apps/registry.ts';
import type { Keyring } from '../crypto/at-rest.ts';
import type { Database } from '../db/open.ts';
import type { WalletStore } from '../db/wallet-store.ts';
import type { DevIssuer } from '../identity/dev-issuer.ts';
import type { LimitsConfig } from '../limits/rate-limit.ts';

export interface AppDeps {
  database: Database;
  keyring: Keyring;
  registry: AppRegistry;
  verifier: Verifier;
  logger: Logger;
  limits: LimitsConfig;
  mode: 'development' | 'production';
  /** The vault's public origin URL (no trailing slash), e.g. https://vault.example. */
  publicUrl: string;
  /** Browser origins allowed to call the wallet endpoints (the wallet's own origin). */
  walletOrigins: readonly string[];
  trustedProxies: readonly string[];
  devIssuer?: DevIssuer | null;
  /** Request body limit in bytes (default 32 KiB). */
  bodyLimit?: number;
  /** Folder of the built wallet app, served under /embed (http/embed.ts). */
  walletDir?: string | null;
  /** Adds GET /bench/baseline/{appId} (benchmark only). */
  benchRoutes?: boolean;
  /** An in-process recovery realm's app (apps/realm), mounted at /realm. */
  realmApp?: Hono | null;
}

export interface Services extends AppDeps {
  wallets: WalletStore;
}

export interface Vars {
  requestId: string;
  ip: string;
  proto: 'http' | 'https';
  /**
   * True while this request's per-IP hit is left to the auth-share route, which counts it
   * in the same statement as its read (http/app.ts; the route clears it when it does).
   */
  ipDeferred?: boolean;
  /** The exact request body bytes, on routes that verify a management signature. */
  rawBody?: Uint8Array;
}

export type Env = { Variables: Vars };
