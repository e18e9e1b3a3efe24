/**
 * @module admin — operator commands (`npm run -w @trine/vault admin -- <command>`):
 *
 *   app add --id ID --name NAME --origin URL… --issuer ISS --aud AUD
 *           (--jwks-url URL | --jwks-file FILE) --network NET…
 *   app list
 *   app remove --id ID
 *   keys generate [--kid KID]     prints a new master key entry for TRINE_MASTER_KEYS
 *   keys rotate                   re-wraps every row's data key under the first key
 *   stats                         how many wallets, in all, per app, and still on the
 *                                 old recovery scheme (no management key / v1 record)
 *
 * Uses DATABASE_URL / TRINE_DATA_DIR / TRINE_MASTER_KEYS like the server; when
 * TRINE_OWNER_DATABASE_URL is set it connects as the table owner instead (writing the
 * apps table and re-wrapping every row need the owner, not the request role).
 *
 * On PGlite it takes the data folder's lock first (data-dir-lock.ts): PGlite is one
 * process at a time, so it refuses (exit 86, saying what to do) while a vault runs there.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { count, eq } from 'drizzle-orm';
import { AppSchema, assertDistinctIssuersWithTable, loadAppsFile } from './apps/registry.ts';
import { ConfigError, loadConfig } from './config.ts';
import { generateMasterKey } from './crypto/at-rest.ts';
import { rotateMasterKeys } from './crypto/rotate.ts';
import { openDatabase } from './db/open.ts';
import { apps, wallets } from './db/schema.ts';
import { legacyWalletCount } from './db/wallet-store.ts';
import { loadKeyring, lockDataDir } from './vault.ts';

const USAGE = `usage:
  admin app add --id ID --name NAME [--origin URL]... --issuer ISS --aud AUD (--jwks-url URL | --jwks-file FILE) [--network NET]...
  admin app list
  admin app remove --id ID
  admin keys generate [--kid KID]
  admin keys rotate
  admin stats`;

async function run(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      issuer: { type: 'string' },
      aud: { type: 'string' },
      'jwks-url': { type: 'string' },
      'jwks-file': { type: 'string' },
      network: { type: 'string', multiple: true },
      kid: { type: 'string' },
    },
  });
  if (group === 'keys' && command === 'generate') {
    console.log(
      generateMasterKey(
        values.kid ?? `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`,
      ),
    );
    return;
  }
  const config = loadConfig(process.env);
  const lock = config.databaseUrl ? null : lockDataDir(config.dataDir, 'admin');
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(
      config.databaseUrl
        ? { url: config.ownerDatabaseUrl ?? config.databaseUrl, max: 2 }
        : { dataDir: config.dataDir },
    );
  } catch (e) {
    lock?.release();
    throw e;
  }
  try {
    if (group === 'app' && command === 'add') {
      const issuer = {
        iss: values.issuer,
        aud: values.aud,
        ...(values['jwks-url'] ? { jwksUrl: values['jwks-url'] } : {}),
        ...(values['jwks-file']
          ? { jwks: JSON.parse(readFileSync(values['jwks-file'], 'utf8')) }
          : {}),
      };
      const parsed = AppSchema.safeParse({
        id: values.id,
        name: values.name,
        allowedOrigins: values.origin ?? [],
        issuers: [issuer],
        networks: values.network ?? ['preprod'],
      });
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new ConfigError(`invalid app: ${i?.path.join('.')}: ${i?.message}`);
      }
      const a = parsed.data;
      // Two apps trusting one (issuer, audience) pair would accept each other's tokens.
      const others = (config.appsFile ? loadAppsFile(config.appsFile) : []).filter(
        (x) => x.id !== a.id,
      );
      try {
        await assertDistinctIssuersWithTable([...others, a as never], database.db);
      } catch (e) {
        throw new ConfigError(`invalid app: ${(e as Error).message}`);
      }
      await database.db
        .insert(apps)
        .values({
          id: a.id,
          name: a.name,
          allowedOrigins: a.allowedOrigins,
          issuers: a.issuers,
          networks: a.networks,
        })
        .onConflictDoUpdate({
          target: apps.id,
          set: {
            name: a.name,
            allowedOrigins: a.allowedOrigins,
            issuers: a.issuers,
            networks: a.networks,
          },
        });
      console.log(`app ${a.id} saved`);
    } else if (group === 'app' && command === 'list') {
      for (const a of await database.db.select().from(apps).orderBy(apps.id)) {
        console.log(
          JSON.stringify({
            id: a.id,
            name: a.name,
            allowedOrigins: a.allowedOrigins,
            issuers: a.issuers,
            networks: a.networks,
          }),
        );
      }
    } else if (group === 'app' && command === 'remove') {
      if (!values.id) throw new ConfigError('--id is required');
      const gone = await database.db.delete(apps).where(eq(apps.id, values.id)).returning();
      console.log(gone.length ? `app ${values.id} removed` : `no app ${values.id}`);
    } else if (group === 'keys' && command === 'rotate') {
      const keyring = loadKeyring(config);
      const r = await rotateMasterKeys(database.db, keyring);
      console.log(
        `re-wrapped ${r.rewrapped} row(s) under ${keyring.current.kid}; ${r.skipped} changed concurrently (run again)`,
      );
    } else if (group === 'stats' && command === undefined) {
      // As the owner (no RLS filter): every app's rows.
      const perApp = await database.db
        .select({ appId: wallets.appId, n: count() })
        .from(wallets)
        .groupBy(wallets.appId)
        .orderBy(wallets.appId);
      const total = perApp.reduce((sum, r) => sum + Number(r.n), 0);
      console.log(`wallets: ${total}`);
      for (const r of perApp) console.log(`  app ${r.appId}: ${Number(r.n)}`);
      // Not yet on recovery realms + management key (DESIGN §8): moved by their next re-share.
      console.log(`still on the old recovery scheme: ${await legacyWalletCount(database.db)}`);
    } else {
      throw new ConfigError(USAGE);
    }
  } finally {
    try {
      await database.close();
    } finally {
      lock?.release();
    }
  }
}

run(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`admin: ${(e as Error).message}`);
  process.exit(e instanceof ConfigError ? e.exitCode : 1);
});
