/**
 * @module apps/registry — the apps a realm serves: id, trusted issuers and the guess
 * limit. Read from the same apps file as the vault's (`TRINE_APPS_FILE`), whose entries
 * may carry the vault's fields too (name, origins, networks, realms: ignored here) plus
 * the realm's `guessLimit` (default 10). In dev mode the built-in `dev` app trusts the
 * dev issuer the realm was given (the vault's, when mounted in-process).
 */
import { readFileSync } from 'node:fs';
import type { IssuerConfig } from '@trine/server-kit/token';
import { z } from 'zod';

export const DEFAULT_GUESS_LIMIT = 10;
export const MAX_GUESS_LIMIT = 1000;
export const APP_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface RealmApp {
  id: string;
  issuers: IssuerConfig[];
  /** Counted evaluations allowed per registration before it locks. */
  guessLimit: number;
}

const audience = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export const IssuerSchema = z.union([
  z.object({ iss: z.string().min(1).max(512), aud: audience, jwksUrl: z.string().url() }).strict(),
  z
    .object({
      iss: z.string().min(1).max(512),
      aud: audience,
      jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }),
    })
    .strict(),
]);

/** One app entry: the realm's fields are checked; the vault's other fields are ignored. */
export const AppSchema = z.object({
  id: z.string().regex(APP_ID, 'lower-case letters, digits and -'),
  issuers: z.array(IssuerSchema).min(1).max(10),
  guessLimit: z.number().int().min(1).max(MAX_GUESS_LIMIT).default(DEFAULT_GUESS_LIMIT),
});
const AppsFileSchema = z.object({ apps: z.array(AppSchema) });

/** Parses an apps document `{"apps":[{id, issuers, guessLimit?, …}]}`. */
export function parseApps(doc: unknown, where = 'apps'): RealmApp[] {
  const parsed = AppsFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const ids = new Set<string>();
  for (const a of parsed.data.apps) {
    if (ids.has(a.id)) throw new Error(`${where}: app ${a.id} is listed twice`);
    ids.add(a.id);
  }
  return parsed.data.apps as RealmApp[];
}

/** Reads and validates an apps file. */
export function loadAppsFile(path: string): RealmApp[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`apps file ${path}: ${(e as Error).message}`);
  }
  return parseApps(doc, `apps file ${path}`);
}

/** The built-in dev app: trusts the given dev issuer (the vault's), default guess limit. */
export function devApp(issuer: IssuerConfig, guessLimit = DEFAULT_GUESS_LIMIT): RealmApp {
  return { id: 'dev', issuers: [issuer], guessLimit };
}
