/**
 * @module config — reads the vault's configuration from the environment and refuses
 * unsafe production setups, each with a clear message and its own exit code.
 */
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_LIMITS, type LimitsConfig, parseLimit } from './limits/rate-limit.ts';

/** Exit codes of main.ts for configuration errors (documented in README.md). */
export const EXIT = {
  config: 78, // EX_CONFIG: any other invalid setting
  devIssuerInProduction: 79,
  noMasterKeysInProduction: 80,
  insecurePublicUrl: 81,
  /** TRINE_ENV unset: no silent default, a deployment says what it is. */
  modeUnset: 82,
  /** Dev mode with a setting only a real deployment has (https URL, public HOST, DATABASE_URL). */
  devLooksDeployed: 83,
  /** Production without saying how clients reach it (TRINE_TRUSTED_PROXIES / TRINE_EXPOSED_DIRECTLY). */
  proxyUndeclared: 84,
  /** Production with TRINE_BENCH_ROUTES (an unauthenticated database route). */
  benchRoutesInProduction: 85,
  /** The PGlite data folder is held by another live process (data-dir-lock.ts). */
  dataDirLocked: 86,
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

export interface VaultConfig {
  mode: 'development' | 'production';
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | null;
  /**
   * The table owner's URL (TRINE_OWNER_DATABASE_URL): migrations run as it, requests as
   * DATABASE_URL's role, which then needs only membership in trine_app (infra/sql/roles.sql).
   */
  ownerDatabaseUrl: string | null;
  devIssuer: boolean;
  devOrigins: string[];
  walletOrigins: string[];
  appsFile: string | null;
  trustedProxies: string[];
  /** Raw TRINE_MASTER_KEYS (secret: never log it). */
  masterKeys: string | null;
  bodyLimit: number;
  limits: LimitsConfig;
  walletDir: string | null;
  benchRoutes: boolean;
  /**
   * TRINE_DEV_GUESS_LIMIT: the dev app's guess limit at the in-process realm (dev mode;
   * null = the realm's default, 10). The e2e suite lowers it to reach a lockout quickly.
   */
  devGuessLimit: number | null;
  logLevel: string;
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function flag(env: NodeJS.ProcessEnv, name: string, dflt: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  if (['1', 'true', 'on', 'yes'].includes(v)) return true;
  if (['0', 'false', 'off', 'no'].includes(v)) return false;
  throw new ConfigError(`${name} must be 1 or 0`);
}

/**
 * @param cwd the folder relative paths resolve against (npm's INIT_CWD when run
 *   through a workspace script, so `npm run vault` and `npm run -w … admin` agree).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  cwd = env.INIT_CWD ?? process.cwd(),
): VaultConfig {
  // No default: a production deployment that forgot TRINE_ENV must not come up in dev
  // mode (dev issuer on: anyone could mint tokens). The dev scripts set it themselves.
  const modeText = env.TRINE_ENV;
  if (modeText === undefined || modeText === '') {
    throw new ConfigError(
      'refusing to start: TRINE_ENV is not set; set TRINE_ENV=production for a deployment, or TRINE_ENV=development on your own machine (npm start and npm run vault set it for you)',
      EXIT.modeUnset,
    );
  }
  if (modeText !== 'development' && modeText !== 'production') {
    throw new ConfigError('TRINE_ENV must be development or production');
  }
  const mode = modeText;
  const prod = mode === 'production';
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError('PORT must be 0..65535');
  const publicUrl = (env.TRINE_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new ConfigError('TRINE_PUBLIC_URL must be an absolute URL');
  }
  const devIssuer = flag(env, 'TRINE_DEV_ISSUER', !prod);
  if (prod) {
    if (devIssuer) {
      throw new ConfigError(
        'refusing to start: TRINE_ENV=production with the dev issuer on (unset TRINE_DEV_ISSUER)',
        EXIT.devIssuerInProduction,
      );
    }
    if (!env.TRINE_MASTER_KEYS) {
      throw new ConfigError(
        'refusing to start: TRINE_ENV=production needs TRINE_MASTER_KEYS (kid:base64url32[,kid2:…])',
        EXIT.noMasterKeysInProduction,
      );
    }
    if (!env.TRINE_PUBLIC_URL || url.protocol !== 'https:') {
      throw new ConfigError(
        'refusing to start: TRINE_ENV=production needs an https TRINE_PUBLIC_URL',
        EXIT.insecurePublicUrl,
      );
    }
  }
  const host = env.HOST || (prod ? '0.0.0.0' : '127.0.0.1');
  const trustedProxies = list(env.TRINE_TRUSTED_PROXIES);
  const exposedDirectly = flag(env, 'TRINE_EXPOSED_DIRECTLY', false);
  const benchRoutes = flag(env, 'TRINE_BENCH_ROUTES', false);
  if (prod) {
    // The vault cannot see a proxy from inside; so production must say which case it is.
    // Without it, behind a proxy every client shares the proxy's rate-limit bucket (and
    // with a wrong list, X-Forwarded-For would be believed from anyone).
    if (trustedProxies.length === 0 && !exposedDirectly) {
      throw new ConfigError(
        'refusing to start: TRINE_ENV=production needs TRINE_TRUSTED_PROXIES (the addresses of your reverse proxies, e.g. 10.0.0.2) or, when clients connect to the vault directly with no proxy, TRINE_EXPOSED_DIRECTLY=1',
        EXIT.proxyUndeclared,
      );
    }
    if (trustedProxies.length > 0 && exposedDirectly) {
      throw new ConfigError(
        'refusing to start: TRINE_TRUSTED_PROXIES and TRINE_EXPOSED_DIRECTLY=1 contradict each other; set only one',
        EXIT.proxyUndeclared,
      );
    }
    if (benchRoutes) {
      throw new ConfigError(
        'refusing to start: TRINE_ENV=production with TRINE_BENCH_ROUTES=1 (an unauthenticated benchmark route); unset TRINE_BENCH_ROUTES',
        EXIT.benchRoutesInProduction,
      );
    }
  } else {
    // Dev mode has the dev issuer and generated keys: it must stay on this machine. Each
    // of these says "this is a deployment", so dev mode there is a misconfiguration.
    const devRefusal = (what: string) =>
      new ConfigError(
        `refusing to start: TRINE_ENV=development with ${what}; dev mode is for one machine only: set TRINE_ENV=production (with its settings, see infra/README.md) or remove that setting`,
        EXIT.devLooksDeployed,
      );
    if (url.protocol === 'https:') throw devRefusal('an https TRINE_PUBLIC_URL');
    if (!isLoopbackHost(host))
      throw devRefusal(`HOST=${host.slice(0, 64)} (not a loopback address)`);
    if (env.DATABASE_URL) throw devRefusal('DATABASE_URL set (dev mode uses PGlite only)');
  }
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const walletOrigins = env.TRINE_WALLET_ORIGINS
    ? list(env.TRINE_WALLET_ORIGINS)
    : [url.origin, ...(prod ? [] : [`http://127.0.0.1:${port}`, `http://localhost:${port}`])];
  const limits: LimitsConfig = {
    ip: env.TRINE_RATE_IP ? parseLimit(env.TRINE_RATE_IP, 'TRINE_RATE_IP') : DEFAULT_LIMITS.ip,
    user: env.TRINE_RATE_USER
      ? parseLimit(env.TRINE_RATE_USER, 'TRINE_RATE_USER')
      : DEFAULT_LIMITS.user,
    recoveryUser: env.TRINE_RATE_RECOVERY_USER
      ? parseLimit(env.TRINE_RATE_RECOVERY_USER, 'TRINE_RATE_RECOVERY_USER')
      : DEFAULT_LIMITS.recoveryUser,
    recoveryIp: env.TRINE_RATE_RECOVERY_IP
      ? parseLimit(env.TRINE_RATE_RECOVERY_IP, 'TRINE_RATE_RECOVERY_IP')
      : DEFAULT_LIMITS.recoveryIp,
  };
  if (env.TRINE_OWNER_DATABASE_URL && !env.DATABASE_URL) {
    throw new ConfigError('TRINE_OWNER_DATABASE_URL needs DATABASE_URL (the app role) as well');
  }
  const devGuessLimit = env.TRINE_DEV_GUESS_LIMIT ? Number(env.TRINE_DEV_GUESS_LIMIT) : null;
  if (devGuessLimit !== null) {
    // The in-process realm serves the dev app only; production has standalone realms
    // with their own apps file (guessLimit per app), so the setting there is a mistake.
    if (prod) throw new ConfigError('TRINE_DEV_GUESS_LIMIT is for development only');
    if (!Number.isInteger(devGuessLimit) || devGuessLimit < 1 || devGuessLimit > 1000) {
      throw new ConfigError('TRINE_DEV_GUESS_LIMIT must be an integer 1..1000');
    }
  }
  const bodyLimit = Number(env.TRINE_BODY_LIMIT ?? 32 * 1024);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) {
    throw new ConfigError('TRINE_BODY_LIMIT must be an integer >= 1024 (bytes)');
  }
  return {
    mode,
    host,
    port,
    publicUrl,
    dataDir: abs(env.TRINE_DATA_DIR ?? './.trine-data'),
    databaseUrl: env.DATABASE_URL || null,
    ownerDatabaseUrl: env.TRINE_OWNER_DATABASE_URL || null,
    devIssuer,
    devOrigins: env.TRINE_DEV_ORIGINS
      ? list(env.TRINE_DEV_ORIGINS)
      : ['http://localhost:5173', 'http://localhost:8787'],
    walletOrigins,
    appsFile: env.TRINE_APPS_FILE ? abs(env.TRINE_APPS_FILE) : null,
    trustedProxies,
    masterKeys: env.TRINE_MASTER_KEYS || null,
    bodyLimit,
    limits,
    walletDir: env.TRINE_WALLET_DIR ? abs(env.TRINE_WALLET_DIR) : null,
    benchRoutes,
    devGuessLimit,
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

/** 127.0.0.0/8, ::1 and localhost: the listen addresses that only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
