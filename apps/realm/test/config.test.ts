/**
 * Configuration: the environment of a standalone realm, the apps file (the vault's format
 * plus `guessLimit`), and createRealm's refusals, each with its message and exit code.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseApps } from '../src/apps/registry.ts';
import { ConfigError, EXIT, loadRealmConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/open.ts';
import { createRealm } from '../src/realm.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'trine-realm-cfg-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const refuses = (env: NodeJS.ProcessEnv, code: number, text: RegExp) => {
  try {
    loadRealmConfig(env, '/srv');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).exitCode).toBe(code);
    expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error('expected a ConfigError');
};

const vaultApp = {
  id: 'shop',
  name: 'Shop',
  allowedOrigins: ['https://shop.example'],
  issuers: [{ iss: 'https://idp.example/', aud: 'shop', jwksUrl: 'https://idp.example/jwks' }],
  networks: ['mainnet'],
  realms: [{ id: 'r1', url: 'https://r1.example', publicKey: 'x' }],
  realmThreshold: 2,
};

describe('realm configuration', () => {
  it('dev defaults', () => {
    const c = loadRealmConfig({}, '/srv');
    expect(c).toMatchObject({
      mode: 'development',
      host: '127.0.0.1',
      port: 8790,
      listenFd: null,
      dataDir: '/srv/.trine-realm',
      databaseUrl: null,
      keySeed: null,
      realmId: null,
      apps: [],
      devIssuer: null,
      walletOrigins: ['http://127.0.0.1:8787', 'http://localhost:8787'],
      bodyLimit: 8192,
    });
  });

  it('reads every variable', () => {
    const dir = tmp();
    const appsFile = join(dir, 'apps.json');
    writeFileSync(
      appsFile,
      JSON.stringify({ apps: [vaultApp, { ...vaultApp, id: 'game', guessLimit: 3 }] }),
    );
    const c = loadRealmConfig(
      {
        PORT: '0',
        HOST: '0.0.0.0',
        LISTEN_FD: '3',
        TRINE_DATA_DIR: 'data',
        DATABASE_URL: 'postgres://x@h/db',
        TRINE_REALM_KEY: Buffer.alloc(32, 1).toString('base64url'),
        TRINE_REALM_ID: 'realm-2',
        TRINE_APPS_FILE: appsFile,
        TRINE_DEV_ISSUER_URL: 'http://127.0.0.1:8787/',
        TRINE_WALLET_ORIGINS: 'https://wallet.example, https://w2.example',
        TRINE_TRUSTED_PROXIES: '10.0.0.1',
        TRINE_BODY_LIMIT: '4096',
        TRINE_RATE_IP: '10/60',
        TRINE_RATE_USER: '5/60',
        TRINE_RATE_FREE_EVAL: '2/3600',
      },
      '/srv',
    );
    expect(c).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      listenFd: 3,
      dataDir: '/srv/data',
      databaseUrl: 'postgres://x@h/db',
      realmId: 'realm-2',
      devIssuer: {
        iss: 'http://127.0.0.1:8787/dev',
        aud: 'dev',
        jwksUrl: 'http://127.0.0.1:8787/dev/jwks.json',
      },
      walletOrigins: ['https://wallet.example', 'https://w2.example'],
      trustedProxies: ['10.0.0.1'],
      bodyLimit: 4096,
      limits: {
        ip: { limit: 10, windowSec: 60 },
        user: { limit: 5, windowSec: 60 },
        freeEvaluations: { limit: 2, windowSec: 3600 },
      },
    });
    expect(c.keySeed).toEqual(new Uint8Array(32).fill(1));
    // The vault's apps file is read as is; the vault's own fields are ignored here.
    expect(c.apps).toEqual([
      { id: 'shop', issuers: vaultApp.issuers, guessLimit: 10 },
      { id: 'game', issuers: vaultApp.issuers, guessLimit: 3 },
    ]);
  });

  it('refuses bad settings with their exit codes, never quoting the key', () => {
    const key = Buffer.alloc(32, 1).toString('base64url');
    const prod = {
      TRINE_ENV: 'production',
      TRINE_REALM_KEY: key,
      TRINE_REALM_ID: 'r1',
      TRINE_APPS_FILE: '/nonexistent',
    };
    refuses({ TRINE_ENV: 'staging' }, EXIT.config, /TRINE_ENV/);
    refuses({ PORT: '70000' }, EXIT.config, /PORT/);
    refuses({ LISTEN_FD: '1' }, EXIT.config, /LISTEN_FD/);
    refuses({ LISTEN_FD: 'x' }, EXIT.config, /LISTEN_FD/);
    refuses(
      { ...prod, TRINE_DEV_ISSUER_URL: 'http://v' },
      EXIT.devIssuerInProduction,
      /dev issuer/,
    );
    refuses({ ...prod, TRINE_REALM_KEY: '' }, EXIT.noRealmKeyInProduction, /TRINE_REALM_KEY/);
    refuses({ ...prod, TRINE_REALM_ID: '' }, EXIT.noRealmIdInProduction, /TRINE_REALM_ID/);
    refuses({ ...prod, TRINE_APPS_FILE: '' }, EXIT.config, /TRINE_APPS_FILE/);
    refuses({ ...prod }, EXIT.config, /TRINE_APPS_FILE/);
    refuses({ TRINE_REALM_ID: 'Realm One' }, EXIT.config, /TRINE_REALM_ID/);
    refuses({ TRINE_DEV_ISSUER_URL: 'not a url' }, EXIT.config, /TRINE_DEV_ISSUER_URL/);
    refuses({ TRINE_BODY_LIMIT: '10' }, EXIT.config, /TRINE_BODY_LIMIT/);
    refuses({ TRINE_RATE_USER: 'many' }, EXIT.config, /TRINE_RATE_USER/);
    for (const bad of [`${key}A`, key.slice(0, 42), `${key.slice(0, 42)}B`, '!'.repeat(43)]) {
      try {
        loadRealmConfig({ TRINE_REALM_KEY: bad }, '/srv');
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as Error).message).toMatch(/TRINE_REALM_KEY/);
        expect((e as Error).message).not.toContain(bad.slice(0, 10));
      }
    }
  });

  it('apps: guessLimit bounds, duplicate ids, issuer shapes', () => {
    expect(() => parseApps({ apps: [{ ...vaultApp, guessLimit: 0 }] })).toThrow(/guessLimit/);
    expect(() => parseApps({ apps: [{ ...vaultApp, guessLimit: 1.5 }] })).toThrow(/guessLimit/);
    expect(() => parseApps({ apps: [vaultApp, vaultApp] })).toThrow(/listed twice/);
    expect(() => parseApps({ apps: [{ ...vaultApp, issuers: [{ iss: 'x', aud: 'y' }] }] })).toThrow(
      /issuers/,
    );
    expect(() => parseApps({ apps: [{ ...vaultApp, id: 'Bad' }] })).toThrow(/id/);
    expect(() => parseApps({})).toThrow(/apps/);
  });

  it('createRealm: dev keeps a generated key in the data folder (0600); production needs one', async () => {
    const dir = tmp();
    const a = await createRealm({ dataDir: dir, database: await openDatabase({ dataDir: dir }) });
    const file = join(dir, 'realm-key.txt');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toHaveLength(43);
    const b = await createRealm({ dataDir: dir, database: a.database });
    expect(b.publicKey).toBe(a.publicKey);
    expect(b.realmId).toBe(a.realmId);
    expect(a.realmId).toMatch(/^realm-[0-9a-f]{12}$/);
    await expect(createRealm({ mode: 'production', database: a.database })).rejects.toMatchObject({
      exitCode: EXIT.noRealmKeyInProduction,
    });
    await expect(
      createRealm({
        mode: 'production',
        keySeed: new Uint8Array(32),
        database: a.database,
        devIssuer: { iss: 'x', aud: 'dev', jwksUrl: 'http://x/jwks' },
      }),
    ).rejects.toMatchObject({ exitCode: EXIT.devIssuerInProduction });
    await expect(
      createRealm({ keySeed: new Uint8Array(32), realmId: 'Bad Id', database: a.database }),
    ).rejects.toThrow(/realm id/);
    await a.database.close();
    // Initialises a PGlite data folder: slow on a loaded machine.
  }, 180_000);
});
