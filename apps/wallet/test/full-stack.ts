/**
 * @module test/full-stack — the whole server side for the attacker tests, real and in
 * process: the vault (`buildVault` of apps/vault, dev mode, its own PGlite data folder and
 * master key file) whose dev app lists n real realms (`createRealm` of apps/realm, own
 * PGlite and OPRF key each) with threshold t, all trusting one dev issuer; one `fetch`
 * that reaches them by origin (`app.fetch`, as a browser would over the network); and a
 * wallet created by the wallet's own create code (flows/create.ts `createWallet`) through
 * its real vault and realm clients.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@trine/vault/src/config.ts';
import { buildVault, type Vault } from '@trine/vault/src/vault.ts';
import pino from 'pino';
import type { Ctx } from '../src/context.ts';
import type { DeviceRecord } from '../src/device-store.ts';
import { createWallet } from '../src/flows/create.ts';
import { createRealmClient } from '../src/realm-client.ts';
import { UnlockSession } from '../src/session.ts';
import { createVaultClient } from '../src/vault-client.ts';
import {
  devIssuer,
  ISS,
  ISSUER_DIR,
  nodeKdf,
  realmsFetch,
  type StartedRealm,
  startRealm,
  VAULT_URL,
  type WorldRealm,
  worldRealms,
} from './realm-world.ts';

export interface Stack {
  vault: Vault;
  /** The vault's data folder: PGlite (`pgdata`) and the dev master key (`master-keys.txt`). */
  vaultDir: string;
  started: StartedRealm[];
  realms: WorldRealm[];
  threshold: number;
  /** Reaches the vault (VAULT_URL) and every realm by origin. */
  fetch: typeof fetch;
  sub: string;
  userKey: string;
  token: string;
  /** The wallet's context, with the real vault and realm clients. */
  ctx: Ctx;
  close(): Promise<void>;
}

const PEER = { incoming: { socket: { remoteAddress: '198.51.100.7' } } };

/**
 * Starts n real realms and a real vault whose dev app lists them with threshold t; or,
 * with `inProcessRealm` (n = 0), the vault's own realm mounted at /realm, t = 1.
 */
export async function startStack(
  n = 3,
  t = 2,
  guessLimit = 10,
  o: { inProcessRealm?: boolean } = {},
): Promise<Stack> {
  const dev = await devIssuer();
  const started = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      startRealm(`realm-${String.fromCharCode(97 + i)}`, { guessLimit }),
    ),
  );
  const vaultDir = mkdtempSync(join(tmpdir(), 'trine-vault-'));
  // The vault loads its dev issuer from its data folder: the key the realms trust.
  copyFileSync(join(ISSUER_DIR, 'dev-issuer.jwk.json'), join(vaultDir, 'dev-issuer.jwk.json'));
  const config = loadConfig(
    {
      TRINE_ENV: 'development',
      TRINE_DATA_DIR: vaultDir,
      TRINE_PUBLIC_URL: VAULT_URL,
      TRINE_RATE_IP: '1000000/60',
      TRINE_RATE_USER: '1000000/60',
    },
    vaultDir,
  );
  const vault = await buildVault(config, {
    logger: pino({ level: 'silent' }),
    ...(o.inProcessRealm
      ? { inProcessRealm: true }
      : { devRealms: { realms: started.map((s) => s.config), realmThreshold: t } }),
  });
  const sub = `user-${crypto.randomUUID()}`;
  const token = await dev.issue(sub);
  const userKey = JSON.stringify([ISS, sub]);
  const realms = worldRealms(started, userKey);
  const toRealms = realmsFetch(realms);
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.startsWith(`${VAULT_URL}/`)) return vault.app.fetch(new Request(url, init), PEER);
    return toRealms(input, init);
  }) as typeof globalThis.fetch;
  const getToken = async () => token;
  const vaultClient = createVaultClient({ baseUrl: VAULT_URL, appId: 'dev', getToken, fetch });
  const records = new Map<string, DeviceRecord>();
  const ctx = {
    appId: 'dev',
    app: await vaultClient.getAppConfig(),
    network: 'preprod',
    vault: vaultClient,
    realms: createRealmClient({ appId: 'dev', getToken, fetch }),
    getToken,
    kdf: nodeKdf,
    session: new UnlockSession(),
    store: {
      put: async (r: DeviceRecord) => {
        records.set(`${r.appId}/${r.walletId}`, r);
      },
      get: async (appId: string, walletId: string) => records.get(`${appId}/${walletId}`),
    },
  } as unknown as Ctx;
  return {
    vault,
    vaultDir,
    started,
    realms,
    threshold: t,
    fetch,
    sub,
    userKey,
    token,
    ctx,
    close: async () => {
      await vault.close();
      for (const s of started) await s.realm.close();
      rmSync(vaultDir, { recursive: true, force: true });
    },
  };
}

/** Creates the user's wallet with the wallet's own create code; its public ids. */
export async function createUserWallet(
  stack: Stack,
  answer: string,
  password = 'a long device password 12',
): Promise<{ walletId: string; keyId: string }> {
  const info = await createWallet(stack.ctx, password, 'Name of your first pet?', answer);
  const meta = await stack.ctx.vault.getWallet();
  if (!meta || meta.walletId !== info.walletId) throw new Error('the vault has no such wallet');
  return { walletId: meta.walletId, keyId: meta.keyId };
}
