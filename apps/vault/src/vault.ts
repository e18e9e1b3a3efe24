/**
 * @module vault — wires a configured vault: database (migrated), master keys, dev
 * issuer, app registry, verifier, logger and the HTTP app.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRealm, type Realm } from '@trine/realm';
import { createVerifier } from '@trine/server-kit/token';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import {
  type AppConfig,
  assertDistinctIssuersWithTable,
  createRegistry,
  loadAppsFile,
  type RealmConfig,
} from './apps/registry.ts';
import { ConfigError, EXIT, type VaultConfig } from './config.ts';
import { generateMasterKey, type Keyring, parseMasterKeys } from './crypto/at-rest.ts';
import { acquireDataDirLock, type DataDirLock, DataDirLocked } from './data-dir-lock.ts';
import { type Database, openDatabase } from './db/open.ts';
import { createApp, type VaultApp } from './http/app.ts';
import { type DevIssuer, loadDevIssuer } from './identity/dev-issuer.ts';
import { createLogger } from './logger.ts';

export interface Vault {
  app: VaultApp;
  database: Database;
  logger: Logger;
  devIssuer: DevIssuer | null;
  /** The in-process recovery realm (dev mode, `inProcessRealm`), mounted at /realm. */
  realm: Realm | null;
  close(): Promise<void>;
}

/** The master keys: TRINE_MASTER_KEYS, or (dev mode only) a key kept in the data folder. */
export function loadKeyring(config: VaultConfig): Keyring {
  if (config.masterKeys) {
    try {
      return parseMasterKeys(config.masterKeys);
    } catch (e) {
      throw new ConfigError(`TRINE_MASTER_KEYS: ${(e as Error).message}`);
    }
  }
  if (config.mode === 'production') throw new ConfigError('TRINE_MASTER_KEYS is required');
  const file = join(config.dataDir, 'master-keys.txt');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${generateMasterKey('dev1')}\n`, { mode: 0o600 });
  }
  return parseMasterKeys(readFileSync(file, 'utf8').trim());
}

/** The dev app's recovery realms (none unless the build options give some). */
export interface DevRealms {
  realms: RealmConfig[];
  realmThreshold: number;
}

/**
 * Takes the PGlite data folder's lock (data-dir-lock.ts) for a vault or the admin command,
 * or throws a ConfigError (exit 86) that says who holds it and what to do.
 */
export function lockDataDir(dataDir: string, role: 'vault' | 'admin'): DataDirLock {
  try {
    return acquireDataDirLock(dataDir, role);
  } catch (e) {
    if (!(e instanceof DataDirLocked)) throw e;
    const h = e.holder;
    const what =
      role === 'admin'
        ? `the PGlite data folder ${dataDir} is in use by a running ${h.role} (PID ${h.pid}, lock file ${e.file}). Stop it first (kill -TERM ${h.pid}, or Ctrl-C where it runs), then run this command again: PGlite allows one process at a time. To administer while vaults keep serving, run them on PostgreSQL (DATABASE_URL), where the admin command connects alongside them`
        : `refusing to start: the PGlite data folder ${dataDir} is in use by a running ${h.role} (PID ${h.pid}, lock file ${e.file}). Stop it first, or give this vault its own TRINE_DATA_DIR; several vaults on one database need PostgreSQL (DATABASE_URL)`;
    throw new ConfigError(what, EXIT.dataDirLocked);
  }
}

/** The built-in dev app (dev mode): trusts the dev issuer, testnets only. */
export function devApp(
  config: VaultConfig,
  dev: DevIssuer,
  realms: DevRealms = { realms: [], realmThreshold: 0 },
): AppConfig {
  return {
    id: 'dev',
    name: 'Trine dev app',
    allowedOrigins: config.devOrigins,
    issuers: [{ iss: dev.iss, aud: dev.aud, jwks: dev.jwks }],
    networks: ['preprod', 'preview'],
    realms: realms.realms,
    realmThreshold: realms.realmThreshold,
  };
}

export async function buildVault(
  config: VaultConfig,
  opts: {
    logger?: Logger;
    database?: Database;
    /** The dev app's realms (standalone ones, e.g. in a test); default none. */
    devRealms?: DevRealms;
    /**
     * Dev mode: run one recovery realm in this process (apps/realm, mounted at /realm, its
     * own PGlite in TRINE_DATA_DIR/realm and its own OPRF key) and give it to the dev app
     * with threshold 1 — what `npm start` does (main.ts). Ignored without the dev issuer.
     */
    inProcessRealm?: boolean;
  } = {},
): Promise<Vault> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const keyring = loadKeyring(config);
  let staticApps: AppConfig[] = [];
  if (config.appsFile) {
    try {
      staticApps = loadAppsFile(config.appsFile);
    } catch (e) {
      throw new ConfigError(`TRINE_APPS_FILE: ${(e as Error).message}`);
    }
  }
  const devIssuer = config.devIssuer ? await loadDevIssuer(config.publicUrl, config.dataDir) : null;
  // PGlite in a folder: one process at a time (released by close(), or at exit).
  const lock = !opts.database && !config.databaseUrl ? lockDataDir(config.dataDir, 'vault') : null;
  let database: Database;
  try {
    database =
      opts.database ??
      (await openDatabase(
        config.databaseUrl
          ? { url: config.databaseUrl, ownerUrl: config.ownerDatabaseUrl }
          : { dataDir: config.dataDir },
      ));
  } catch (e) {
    lock?.release();
    throw e;
  }
  let realm: Realm | null = null;
  let devRealms = opts.devRealms;
  if (devIssuer && opts.inProcessRealm) {
    try {
      realm = await createRealm({
        mode: config.mode,
        dataDir: join(config.dataDir, 'realm'),
        devIssuer: { iss: devIssuer.iss, aud: devIssuer.aud, jwks: devIssuer.jwks },
        ...(config.devGuessLimit !== null ? { devGuessLimit: config.devGuessLimit } : {}),
        walletOrigins: config.walletOrigins,
        trustedProxies: config.trustedProxies,
        logger: logger.child({ service: 'trine-realm' }),
      });
    } catch (e) {
      if (!opts.database) await database.close();
      lock?.release();
      throw e;
    }
    devRealms = {
      realms: [{ id: realm.realmId, url: `${config.publicUrl}/realm`, publicKey: realm.publicKey }],
      realmThreshold: 1,
    };
  }
  if (devIssuer)
    staticApps = [
      devApp(config, devIssuer, devRealms),
      ...staticApps.filter((a) => a.id !== 'dev'),
    ];
  // Two apps trusting one (issuer, audience) pair would accept each other's tokens:
  // refuse to start (the file, the dev app and the apps table together).
  try {
    await assertDistinctIssuersWithTable(staticApps, database.db);
  } catch (e) {
    await realm?.close();
    if (!opts.database) await database.close();
    lock?.release();
    throw new ConfigError(`app configuration: ${(e as Error).message}`);
  }
  const app = createApp({
    database,
    keyring,
    registry: createRegistry(staticApps, database.db, (message) => logger.error(message)),
    verifier: createVerifier(),
    logger,
    limits: config.limits,
    mode: config.mode,
    publicUrl: config.publicUrl,
    walletOrigins: config.walletOrigins,
    trustedProxies: config.trustedProxies,
    devIssuer,
    bodyLimit: config.bodyLimit,
    walletDir: config.walletDir && existsSync(config.walletDir) ? config.walletDir : null,
    benchRoutes: config.benchRoutes,
    realmApp: (realm?.app as unknown as Hono | undefined) ?? null,
  });
  return {
    app,
    database,
    logger,
    devIssuer,
    realm,
    close: async () => {
      try {
        await realm?.close();
        await database.close();
      } finally {
        lock?.release();
      }
    },
  };
}
