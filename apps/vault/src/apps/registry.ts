/**
 * @module apps/registry — the apps the vault serves: id, name, allowed host origins,
 * trusted issuers and networks. Sources, first match wins: the built-in `dev` app (dev
 * mode), the JSON file `TRINE_APPS_FILE`, then the `apps` table (admin command).
 */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, withAppRole } from '../db/open.ts';
import { apps } from '../db/schema.ts';
import type { IssuerConfig } from '../identity/verify.ts';

export const NETWORKS = ['mainnet', 'preprod', 'preview'] as const;
export type Network = (typeof NETWORKS)[number];

export interface AppConfig {
  id: string;
  name: string;
  allowedOrigins: string[];
  issuers: IssuerConfig[];
  networks: Network[];
}

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
export const AppSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
    name: z.string().min(1).max(100),
    allowedOrigins: z.array(origin).max(50),
    issuers: z.array(IssuerSchema).min(1).max(10),
    networks: z.array(z.enum(NETWORKS)).min(1),
  })
  .strict();
const AppsFileSchema = z.object({ apps: z.array(AppSchema) }).strict();

/** Reads and validates an apps file: `{"apps":[{id,name,allowedOrigins,issuers,networks}]}`. */
export function loadAppsFile(path: string): AppConfig[] {
  const parsed = AppsFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `apps file ${path}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data.apps as AppConfig[];
}

export interface AppRegistry {
  get(id: string): Promise<AppConfig | null>;
}

/** Static apps first, then the database table. */
export function createRegistry(staticApps: readonly AppConfig[], db: Db): AppRegistry {
  const byId = new Map(staticApps.map((a) => [a.id, a]));
  return {
    async get(id) {
      const found = byId.get(id);
      if (found) return found;
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) return null;
      const rows = await withAppRole(db, (tx) => tx.select().from(apps).where(eq(apps.id, id)));
      const row = rows[0];
      if (!row) return null;
      const parsed = AppSchema.safeParse({
        id: row.id,
        name: row.name,
        allowedOrigins: row.allowedOrigins,
        issuers: row.issuers,
        networks: row.networks,
      });
      return parsed.success ? (parsed.data as AppConfig) : null;
    },
  };
}
