/**
 * @module realm — `createRealm(options)`: a configured recovery realm (docs/realms.md):
 * its OPRF key, database (migrated), apps, verifier, logger and the Hono app. The vault
 * mounts it in-process (`vaultApp.route('/realm', realm.app)`); `main.ts` serves it alone.
 *
 * @example
 * const realm = await createRealm({
 *   dataDir: join(vaultDataDir, 'realm'),          // PGlite + the dev OPRF key file
 *   devIssuer: { iss: dev.iss, aud: dev.aud, jwks: dev.jwks }, // trust the vault's dev issuer
 *   walletOrigins: config.walletOrigins,
 *   logger: vaultLogger.child({ service: 'trine-realm' }),
 * });
 * vaultApp.route('/realm', realm.app);
 * // app config: realms: [{ id: realm.realmId, url: `${publicUrl}/realm`, publicKey: realm.publicKey }]
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, toHex } from '@trine/core/bytes';
import { createVerifier, type IssuerConfig, type Verifier } from '@trine/server-kit/token';
import type { Logger } from 'pino';
import { DEFAULT_GUESS_LIMIT, devApp, type RealmApp } from './apps/registry.ts';
import { ConfigError, EXIT, parseRealmKey, REALM_ID } from './config.ts';
import { deriveRealmKeyPair } from './crypto/oprf.ts';
import { type Database, openDatabase } from './db/open.ts';
import { createRealmApp, DEFAULT_BODY_LIMIT, type RealmHttpApp } from './http/app.ts';
import { DEFAULT_LIMITS, type LimitsConfig, sweep } from './limits/rate-limit.ts';
import { createLogger } from './logger.ts';

export type { IssuerConfig } from '@trine/server-kit/token';
export type { RealmApp } from './apps/registry.ts';
export { loadAppsFile, parseApps } from './apps/registry.ts';
export type { Database } from './db/open.ts';
export type { LimitsConfig } from './limits/rate-limit.ts';

export interface RealmOptions {
  /** Default `development`. Production refuses a dev issuer and a missing key seed. */
  mode?: 'development' | 'production';
  /**
   * The OPRF key seed, 32 bytes (TRINE_REALM_KEY). Omitted: dev mode keeps one in
   * `<dataDir>/realm-key.txt` (created on first start, mode 0600).
   */
  keySeed?: Uint8Array | null;
  /** Default: `realm-` + 12 hex digits of SHA-256(public key), so distinct keys get distinct ids. */
  realmId?: string | null;
  /** PGlite folder (`<dataDir>/pgdata`) and the dev key file. */
  dataDir?: string | null;
  /** PostgreSQL instead of PGlite. */
  databaseUrl?: string | null;
  /** An already opened database (tests, or a host that opens it itself). */
  database?: Database;
  /** The apps this realm serves (TRINE_APPS_FILE). */
  apps?: readonly RealmApp[];
  /** Dev mode: the built-in app `dev` trusts this issuer (the vault's dev issuer). */
  devIssuer?: IssuerConfig | null;
  /** The dev app's guess limit (default 10). */
  devGuessLimit?: number;
  /** Browser origins allowed to call the registration endpoints. */
  walletOrigins?: readonly string[];
  trustedProxies?: readonly string[];
  /** Bytes (default 8 KiB). */
  bodyLimit?: number;
  limits?: Partial<LimitsConfig>;
  logger?: Logger;
  logLevel?: string;
  verifier?: Verifier;
}

export interface Realm {
  /** The Hono app (OpenAPIHono): `app.fetch`, or mount with `parent.route('/realm', app)`. */
  app: RealmHttpApp;
  realmId: string;
  /** base64url of the ristretto255 public key (32 bytes): what an app config pins. */
  publicKey: string;
  database: Database;
  logger: Logger;
  /** Deletes expired rate-limit buckets and used nonces (run now and then). */
  sweep(): Promise<void>;
  /** Closes the database (when the realm opened it). */
  close(): Promise<void>;
}

/** The key seed: the given one, or (dev only) the one kept in the data folder. */
function keySeedOf(opts: RealmOptions): Uint8Array {
  if (opts.keySeed) {
    if (opts.keySeed.length !== 32) throw new ConfigError('the realm key seed must be 32 bytes');
    return opts.keySeed;
  }
  if ((opts.mode ?? 'development') === 'production') {
    throw new ConfigError(
      'refusing to start: production needs TRINE_REALM_KEY (kept outside the database)',
      EXIT.noRealmKeyInProduction,
    );
  }
  if (!opts.dataDir) throw new ConfigError('a realm needs a key seed or a data folder');
  const file = join(opts.dataDir, 'realm-key.txt');
  if (!existsSync(file)) {
    mkdirSync(opts.dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  }
  return parseRealmKey(readFileSync(file, 'utf8'));
}

/** Builds a realm; opens and migrates its database unless one is given. */
export async function createRealm(opts: RealmOptions = {}): Promise<Realm> {
  const mode = opts.mode ?? 'development';
  if (mode === 'production' && opts.devIssuer) {
    throw new ConfigError(
      'refusing to start: production with a dev issuer',
      EXIT.devIssuerInProduction,
    );
  }
  const keys = deriveRealmKeyPair(keySeedOf(opts));
  const realmId = opts.realmId ?? `realm-${toHex(sha256(keys.publicKey)).slice(0, 12)}`;
  if (!REALM_ID.test(realmId)) {
    throw new ConfigError('the realm id must be lower-case letters, digits and - (1..63)');
  }
  const apps = new Map<string, RealmApp>((opts.apps ?? []).map((a) => [a.id, a]));
  if (opts.devIssuer) {
    apps.set('dev', devApp(opts.devIssuer, opts.devGuessLimit ?? DEFAULT_GUESS_LIMIT));
  }
  const logger = opts.logger ?? createLogger(opts.logLevel ?? 'info');
  const database =
    opts.database ??
    (opts.databaseUrl
      ? await openDatabase({ url: opts.databaseUrl })
      : opts.dataDir
        ? await openDatabase({ dataDir: opts.dataDir })
        : null);
  if (!database) throw new ConfigError('a realm needs a database, a database URL or a data folder');
  const app = createRealmApp({
    database,
    realmId,
    keys,
    apps,
    verifier: opts.verifier ?? createVerifier(),
    logger,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    mode,
    walletOrigins: opts.walletOrigins ?? [],
    trustedProxies: opts.trustedProxies ?? [],
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
  });
  const owned = !opts.database;
  return {
    app,
    realmId,
    publicKey: toBase64Url(keys.publicKey),
    database,
    logger,
    sweep: () => sweep(database.db),
    close: async () => {
      if (owned) await database.close();
    },
  };
}
