/**
 * @module config — reads a standalone realm's configuration from the environment and
 * refuses unsafe production setups, each with a clear message and its own exit code.
 * The result is the `RealmOptions` of createRealm plus where to listen.
 */
import { isAbsolute, resolve } from 'node:path';
import { fromBase64Url } from '@trine/core/bytes';
import type { IssuerConfig } from '@trine/server-kit/token';
import { loadAppsFile, type RealmApp } from './apps/registry.ts';
import { DEFAULT_LIMITS, type LimitsConfig, parseLimit } from './limits/rate-limit.ts';

/** Exit codes of main.ts for configuration errors (documented in README.md). */
export const EXIT = {
  config: 78, // EX_CONFIG: any other invalid setting
  devIssuerInProduction: 79,
  noRealmKeyInProduction: 80,
  noRealmIdInProduction: 82,
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.config,
  ) {
    super(message);
  }
}

export const REALM_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface RealmEnvConfig {
  mode: 'development' | 'production';
  host: string;
  port: number;
  /** An inherited, already-bound listening socket (LISTEN_FD) instead of host:port. */
  listenFd: number | null;
  dataDir: string;
  databaseUrl: string | null;
  /** The OPRF key seed (TRINE_REALM_KEY; secret: never log it), or null (dev: data folder). */
  keySeed: Uint8Array | null;
  realmId: string | null;
  apps: RealmApp[];
  devIssuer: IssuerConfig | null;
  walletOrigins: string[];
  trustedProxies: string[];
  bodyLimit: number;
  limits: LimitsConfig;
  logLevel: string;
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Parses TRINE_REALM_KEY: canonical base64url of 32 bytes. The message never quotes it. */
export function parseRealmKey(text: string): Uint8Array {
  let seed: Uint8Array;
  try {
    seed = fromBase64Url(text.trim(), 'TRINE_REALM_KEY');
  } catch {
    throw new ConfigError('TRINE_REALM_KEY must be canonical base64url (43 characters, 32 bytes)');
  }
  if (seed.length !== 32) throw new ConfigError('TRINE_REALM_KEY must decode to 32 bytes');
  return seed;
}

/**
 * The dev issuer a standalone dev realm trusts: the vault's built-in issuer at
 * TRINE_DEV_ISSUER_URL (the vault's public URL; iss `<url>/dev`, JWKS `<url>/dev/jwks.json`,
 * aud `dev`), as the vault's `dev` app does.
 */
export function devIssuerAt(vaultUrl: string): IssuerConfig {
  let url: URL;
  try {
    url = new URL(vaultUrl);
  } catch {
    throw new ConfigError('TRINE_DEV_ISSUER_URL must be an absolute URL (the vault’s public URL)');
  }
  const base = url.toString().replace(/\/+$/, '');
  return { iss: `${base}/dev`, aud: 'dev', jwksUrl: `${base}/dev/jwks.json` };
}

/**
 * @param cwd the folder relative paths resolve against (npm's INIT_CWD when run through
 *   a workspace script, so `npm run realm` at the root means the root).
 */
export function loadRealmConfig(
  env: NodeJS.ProcessEnv,
  cwd = env.INIT_CWD ?? process.cwd(),
): RealmEnvConfig {
  const modeText = env.TRINE_ENV ?? 'development';
  if (modeText !== 'development' && modeText !== 'production') {
    throw new ConfigError('TRINE_ENV must be development or production');
  }
  const mode = modeText;
  const prod = mode === 'production';
  const port = Number(env.PORT ?? 8790);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError('PORT must be 0..65535');
  let listenFd: number | null = null;
  if (env.LISTEN_FD !== undefined && env.LISTEN_FD !== '') {
    listenFd = Number(env.LISTEN_FD);
    if (!/^\d{1,5}$/.test(env.LISTEN_FD) || listenFd < 3) {
      throw new ConfigError('LISTEN_FD must be an inherited file descriptor number (3 or more)');
    }
  }
  if (prod) {
    if (env.TRINE_DEV_ISSUER_URL) {
      throw new ConfigError(
        'refusing to start: TRINE_ENV=production with a dev issuer (unset TRINE_DEV_ISSUER_URL)',
        EXIT.devIssuerInProduction,
      );
    }
    if (!env.TRINE_REALM_KEY) {
      throw new ConfigError(
        'refusing to start: TRINE_ENV=production needs TRINE_REALM_KEY (base64url, 32 bytes, kept outside the database)',
        EXIT.noRealmKeyInProduction,
      );
    }
    if (!env.TRINE_REALM_ID) {
      throw new ConfigError(
        'refusing to start: TRINE_ENV=production needs TRINE_REALM_ID (the id the apps config lists)',
        EXIT.noRealmIdInProduction,
      );
    }
    if (!env.TRINE_APPS_FILE) {
      throw new ConfigError('refusing to start: TRINE_ENV=production needs TRINE_APPS_FILE');
    }
  }
  const realmId = env.TRINE_REALM_ID || null;
  if (realmId !== null && !REALM_ID.test(realmId)) {
    throw new ConfigError('TRINE_REALM_ID must be lower-case letters, digits and - (1..63)');
  }
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  let apps: RealmApp[] = [];
  if (env.TRINE_APPS_FILE) {
    try {
      apps = loadAppsFile(abs(env.TRINE_APPS_FILE));
    } catch (e) {
      throw new ConfigError(`TRINE_APPS_FILE: ${(e as Error).message}`);
    }
  }
  const bodyLimit = Number(env.TRINE_BODY_LIMIT ?? 8 * 1024);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) {
    throw new ConfigError('TRINE_BODY_LIMIT must be an integer >= 1024 (bytes)');
  }
  const limit = (name: string, dflt: LimitsConfig[keyof LimitsConfig]) => {
    const v = env[name];
    if (!v) return dflt;
    try {
      return parseLimit(v, name);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  };
  return {
    mode,
    host: env.HOST ?? (prod ? '0.0.0.0' : '127.0.0.1'),
    port,
    listenFd,
    dataDir: abs(env.TRINE_DATA_DIR ?? './.trine-realm'),
    databaseUrl: env.DATABASE_URL || null,
    keySeed: env.TRINE_REALM_KEY ? parseRealmKey(env.TRINE_REALM_KEY) : null,
    realmId,
    apps,
    devIssuer: env.TRINE_DEV_ISSUER_URL ? devIssuerAt(env.TRINE_DEV_ISSUER_URL) : null,
    walletOrigins: env.TRINE_WALLET_ORIGINS
      ? list(env.TRINE_WALLET_ORIGINS)
      : prod
        ? []
        : ['http://127.0.0.1:8787', 'http://localhost:8787'],
    trustedProxies: list(env.TRINE_TRUSTED_PROXIES),
    bodyLimit,
    limits: {
      ip: limit('TRINE_RATE_IP', DEFAULT_LIMITS.ip),
      user: limit('TRINE_RATE_USER', DEFAULT_LIMITS.user),
      freeEvaluations: limit('TRINE_RATE_FREE_EVAL', DEFAULT_LIMITS.freeEvaluations),
    },
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
