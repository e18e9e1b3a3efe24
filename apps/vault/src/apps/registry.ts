/**
 * @module apps/registry — the apps the vault serves: id, name, allowed host origins,
 * trusted issuers, networks and recovery realms. Sources, first match wins: the built-in
 * `dev` app (dev mode), the JSON file `TRINE_APPS_FILE`, then the `apps` table (admin
 * command).
 *
 * No two apps may trust the same (issuer, audience) pair: a token for one would then be
 * accepted by the other, and the user key (iss, sub) would be the same person in both
 * (issue 8, item 4). The file and the dev app are checked when loaded
 * (`assertDistinctIssuers`, the vault refuses to start); an app from the table is checked
 * against every other app each time it is read, and refused (as not found, with a logged
 * reason) while it collides.
 */
import { readFileSync } from 'node:fs';
import type { IssuerConfig } from '@trine/server-kit/token';
import { z } from 'zod';
import { type Db, withAppRole } from '../db/open.ts';
import { apps } from '../db/schema.ts';

export const NETWORKS = ['mainnet', 'preprod', 'preview'] as const;
export type Network = (typeof NETWORKS)[number];

/** A recovery realm of an app (docs/realms.md "App configuration"). */
export interface RealmConfig {
  id: string;
  /** Base URL of the realm's API (its `/v1/...` paths are under it). */
  url: string;
  /** base64url of the realm's 32-byte OPRF public key, pinned by the wallet. */
  publicKey: string;
}

export interface AppConfig {
  id: string;
  name: string;
  allowedOrigins: string[];
  issuers: IssuerConfig[];
  networks: Network[];
  /** The app's realms, in config order (the wallet assigns unlock-key shares in it). */
  realms: RealmConfig[];
  /** t of t-of-n (1 ≤ t ≤ n ≤ 7); 0 when `realms` is empty. */
  realmThreshold: number;
}

/** At most this many realms per app. */
export const MAX_REALMS = 7;

const origin = z
  .string()
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'an origin like https://app.example');
const jwk = z.record(z.string(), z.unknown());
export const IssuerSchema = z.union([
  z
    .object({
      iss: z.string().min(1).max(512),
      aud: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      jwksUrl: z.string().url(),
    })
    .strict(),
  z
    .object({
      iss: z.string().min(1).max(512),
      aud: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      jwks: z.object({ keys: z.array(jwk).min(1) }),
    })
    .strict(),
]);
const realmUrl = z
  .string()
  .max(512)
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~/-]*)?$/, 'an http(s) URL')
  .refine((u) => !u.endsWith('/'), 'no trailing slash');
const publicKey32 = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'base64url of 32 bytes')
  .refine(
    (k) => Buffer.from(k, 'base64url').toString('base64url') === k,
    'canonical base64url of 32 bytes',
  );
export const RealmSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
    url: realmUrl,
    publicKey: publicKey32,
  })
  .strict();

export const AppSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
    name: z.string().min(1).max(100),
    allowedOrigins: z.array(origin).max(50),
    issuers: z.array(IssuerSchema).min(1).max(10),
    networks: z.array(z.enum(NETWORKS)).min(1),
    realms: z.array(RealmSchema).max(MAX_REALMS).default([]),
    realmThreshold: z.number().int().min(0).max(MAX_REALMS).default(0),
  })
  .strict()
  .superRefine((a, ctx) => {
    const n = a.realms.length;
    if (new Set(a.realms.map((r) => r.id)).size !== n) {
      ctx.addIssue({ code: 'custom', path: ['realms'], message: 'realm ids must be unique' });
    }
    if (new Set(a.realms.map((r) => r.publicKey)).size !== n) {
      ctx.addIssue({
        code: 'custom',
        path: ['realms'],
        message: 'realm public keys must be distinct (one key per realm)',
      });
    }
    const t = a.realmThreshold;
    if (n === 0 ? t !== 0 : t < 1 || t > n) {
      ctx.addIssue({
        code: 'custom',
        path: ['realmThreshold'],
        message:
          n === 0 ? 'must be 0 (or absent) without realms' : `must be 1..${n} (the realm count)`,
      });
    }
  });
const AppsFileSchema = z.object({ apps: z.array(AppSchema) }).strict();

/**
 * Reads and validates an apps file:
 * `{"apps":[{id,name,allowedOrigins,issuers,networks,realms?,realmThreshold?}]}`.
 * Refuses two apps with one id or one (issuer, audience) pair.
 */
export function loadAppsFile(path: string): AppConfig[] {
  const parsed = AppsFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `apps file ${path}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const list = parsed.data.apps as AppConfig[];
  const ids = new Set<string>();
  for (const a of list) {
    if (ids.has(a.id)) throw new Error(`apps file ${path}: app id "${a.id}" appears twice`);
    ids.add(a.id);
  }
  try {
    assertDistinctIssuers(list);
  } catch (e) {
    throw new Error(`apps file ${path}: ${(e as Error).message}`);
  }
  return list;
}

/** The (iss, aud) pairs an app trusts, one per audience. */
function pairsOf(app: Pick<AppConfig, 'issuers'>): string[] {
  return app.issuers.flatMap((i) =>
    (Array.isArray(i.aud) ? i.aud : [i.aud]).map((aud) => JSON.stringify([i.iss, aud])),
  );
}

/**
 * Throws when two of `list` (different ids) trust one (issuer, audience) pair, naming
 * both apps and the pair (public configuration, no secret).
 */
export function assertDistinctIssuers(list: readonly Pick<AppConfig, 'id' | 'issuers'>[]): void {
  const owner = new Map<string, string>();
  for (const a of list) {
    for (const p of pairsOf(a)) {
      const other = owner.get(p);
      if (other !== undefined && other !== a.id) {
        const [iss, aud] = JSON.parse(p) as [string, string];
        throw new Error(
          `apps "${other}" and "${a.id}" both trust issuer ${iss} with audience ${aud}: a token for one would be accepted by the other; give each app its own audience`,
        );
      }
      owner.set(p, a.id);
    }
  }
}

/** Parses a row of the `apps` table (realms default to none for rows from before 0002). */
export function appOfRow(row: typeof apps.$inferSelect): AppConfig | null {
  const parsed = AppSchema.safeParse({
    id: row.id,
    name: row.name,
    allowedOrigins: row.allowedOrigins,
    issuers: row.issuers,
    networks: row.networks,
    realms: row.realms,
    realmThreshold: row.realmThreshold,
  });
  return parsed.success ? (parsed.data as AppConfig) : null;
}

export interface AppRegistry {
  get(id: string): Promise<AppConfig | null>;
}

/**
 * Static apps first, then the database table. Throws (at load) when the static apps
 * collide on an (issuer, audience) pair; `onConflict` hears about a table app refused
 * for colliding with another app.
 */
export function createRegistry(
  staticApps: readonly AppConfig[],
  db: Db,
  onConflict: (message: string) => void = () => {},
): AppRegistry {
  assertDistinctIssuers(staticApps);
  const byId = new Map(staticApps.map((a) => [a.id, a]));
  return {
    async get(id) {
      const found = byId.get(id);
      if (found) return found;
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) return null;
      // The whole table (small: one row per app) so the candidate is checked against all.
      const rows = await withAppRole(db, (tx) => tx.select().from(apps));
      const row = rows.find((r) => r.id === id);
      if (!row) return null;
      const app = appOfRow(row);
      if (!app) return null;
      const others = [
        ...staticApps,
        ...rows.filter((r) => r.id !== id && !byId.has(r.id)).flatMap((r) => appOfRow(r) ?? []),
      ];
      try {
        assertDistinctIssuers([...others, app]);
      } catch (e) {
        onConflict(`app ${id} refused: ${(e as Error).message}`);
        return null;
      }
      return app;
    },
  };
}

/**
 * Checks the static apps together with every app of the table (the vault's start, and
 * the admin command before it saves an app): throws with the colliding pair.
 */
export async function assertDistinctIssuersWithTable(
  staticApps: readonly AppConfig[],
  db: Db,
): Promise<void> {
  const rows = await withAppRole(db, (tx) => tx.select().from(apps));
  const ids = new Set(staticApps.map((a) => a.id));
  assertDistinctIssuers([
    ...staticApps,
    ...rows.filter((r) => !ids.has(r.id)).flatMap((r) => appOfRow(r) ?? []),
  ]);
}
