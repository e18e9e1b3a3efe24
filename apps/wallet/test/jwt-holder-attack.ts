/**
 * @module test/jwt-holder-attack — the JWT-holder attack of issue 9, as reusable steps:
 * with only a user's JWT and the *public* HTTP APIs of the vault and the realms, collect
 * everything they return for that user, then try — with the correct answer and **no**
 * realm evaluation — to open or combine anything into the secret.
 *
 * `collect` makes only the calls a JWT holder can make without being counted:
 *   GET  {vault}/v1/apps/{appId}                      (public app config: realms, keys)
 *   GET  {vault}/v1/apps/{appId}/wallet               (metadata)
 *   GET  {vault}/v1/apps/{appId}/wallet/auth-share    (the auth share)
 *   POST {vault}/v1/apps/{appId}/wallet/recovery      (the sealed recovery record)
 *   GET  {realm}/v1/realm                              (each realm's public info)
 *   GET  {realm}/v1/apps/{appId}/registration          (each realm's counters)
 * It never calls `evaluate` (that is counted: the guess limit is the defence) or `unlock`.
 *
 * `tryOffline` then throws every collected value at the secret: the recovery record with
 * the answer (v1 path), the v2 record under h = Argon2id(answer) with every 32-byte
 * value collected as a candidate U, every pair of 33-byte values as Shamir shares of U,
 * and the auth share combined with every envelope found. It reports what opened.
 *
 * Self-contained given a `fetch` that reaches a running vault + realms:
 * jwt-holder-attack.test.ts runs it against the real apps/vault and apps/realm in process
 * (test/full-stack.ts); the same code could be pointed at deployed ones.
 */
import { fromBase64Url } from '@trine/core/bytes';
import { parseEnvelope, type ShareEnvelope } from '@trine/core/envelope';
import { hashAnswer } from '@trine/core/kdf';
import { openShare } from '@trine/core/seal';
import { openShareV2 } from '@trine/core/seal-v2';
import { parseSealedRecord } from '@trine/core/sealed-record';
import { combineShares } from '@trine/core/shamir';
import { combine } from 'shamir-secret-sharing';

export interface Collected {
  /** Every JSON body returned, by "METHOD url". */
  responses: Record<string, unknown>;
}

export async function collect(opts: {
  vaultUrl: string;
  appId: string;
  token: string;
  fetch: typeof fetch;
}): Promise<Collected> {
  const { vaultUrl, appId, token } = opts;
  const responses: Record<string, unknown> = {};
  const call = async (method: string, url: string, auth: boolean, body?: unknown) => {
    const res = await opts.fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(auth ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const json = res.status === 204 ? null : await res.json().catch(() => null);
    responses[`${method} ${url}`] = json;
    return json as Record<string, unknown> | null;
  };
  const app = `${vaultUrl}/v1/apps/${encodeURIComponent(appId)}`;
  const config = await call('GET', app, false);
  await call('GET', `${app}/wallet`, true);
  await call('GET', `${app}/wallet/auth-share`, true);
  await call('POST', `${app}/wallet/recovery`, true, {});
  const realms = Array.isArray(config?.realms) ? (config.realms as { url: string }[]) : [];
  for (const r of realms) {
    await call('GET', `${r.url}/v1/realm`, false);
    await call('GET', `${r.url}/v1/apps/${encodeURIComponent(appId)}/registration`, true);
  }
  return { responses };
}

/** Every string in a JSON value (deep). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) strings(v, out);
  return out;
}

function objects(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) objects(v, out);
  else if (value && typeof value === 'object') {
    out.push(value);
    for (const v of Object.values(value)) objects(v, out);
  }
  return out;
}

/**
 * With the answer and no realm evaluation: does anything collected yield a share that
 * combines with the auth share into the secret? Returns the names of what worked.
 */
export async function tryOffline(
  c: Collected,
  answer: string,
  expect: { walletId: string; keyId: string },
): Promise<string[]> {
  const opened: string[] = [];
  const all = Object.values(c.responses);
  const bytes = strings(all).flatMap((s) => {
    try {
      return [fromBase64Url(s)];
    } catch {
      return [];
    }
  });
  const u32 = bytes.filter((b) => b.length === 32);
  const u33 = bytes.filter((b) => b.length === 33);
  const envelopes: ShareEnvelope[] = [];
  const records = [];
  for (const o of objects(all)) {
    try {
      envelopes.push(parseEnvelope(o));
    } catch {
      // not an envelope
    }
    try {
      records.push(parseSealedRecord(o));
    } catch {
      // not a sealed record
    }
  }
  const auth = envelopes.find((e) => e.role === 2);
  const works = async (share: ShareEnvelope, name: string) => {
    if (!auth) return;
    try {
      await combineShares([share, auth], expect);
      opened.push(name);
    } catch {
      // does not combine
    }
  };
  for (const e of envelopes) if (e.role !== 2) await works(e, 'an envelope as returned');
  for (const rec of records) {
    if (rec.v === 1) {
      try {
        await works(await openShare(rec, answer), 'the v1 record with the answer alone');
      } catch {
        // wrong
      }
      continue;
    }
    const h = await hashAnswer(answer, fromBase64Url(rec.kdf.salt), rec.kdf);
    const candidates = [new Uint8Array(32), h, ...u32];
    for (let i = 0; i < u33.length; i++) {
      for (let j = i + 1; j < u33.length; j++) {
        try {
          candidates.push(await combine([u33[i]!, u33[j]!]));
        } catch {
          // same x-coordinate
        }
      }
      candidates.push(u33[i]!.slice(0, 32));
    }
    for (const u of candidates) {
      try {
        await works(openShareV2(rec, h, u), 'the v2 record with a collected value as U');
      } catch {
        // SEAL_OPEN_FAILED: the expected outcome
      }
    }
  }
  return opened;
}
