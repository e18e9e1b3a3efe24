/**
 * @module realm-client — the wallet's typed client of the recovery realms' HTTP API
 * (docs/realms.md "Realm HTTP API"), and the fan-out to all of an app's realms in
 * parallel that tolerates n − t failures.
 *
 * Every request carries the user's JWT (the realm takes `iss`/`sub` from it); requests
 * that replace or drop records carry a management signature (`@trine/core/management-key`)
 * over the exact path and body bytes. Byte fields travel as base64url. Every response is
 * validated; failures are `RealmError`s with the HTTP status, the problem's stable `code`
 * and the realm's id — never a request body, a token or a secret (STYLE.md §4).
 *
 * The only seam is `fetch` (injectable): tests and the lead's integration run the same
 * client against an in-process realm.
 */
import { fromBase64Url, toBase64Url } from '@trine/core/bytes';
import {
  type ManagementRequest,
  managementHeaders,
  signManagementRequest,
} from '@trine/core/management-key';
import { ELEMENT_BYTES, MASKED_SHARE_BYTES, PROOF_BYTES } from '@trine/core/realm-crypto';

/** One realm of an app, as `GET /v1/apps/{appId}` lists it (publicKey pinned there). */
export interface RealmConfig {
  id: string;
  /** Base URL, no trailing slash; the API lives under `${url}/v1/...`. */
  url: string;
  /** base64url of the realm's 32-byte POPRF public key. */
  publicKey: string;
}

/** `GET …/registration`. */
export interface RegistrationInfo {
  walletId: string;
  epochs: number[];
  guesses: number;
  guessLimit: number;
  locked: boolean;
  /** ISO time of the last wrong guess, or null. */
  lastWrongAt: string | null;
  lastUnlockAt: string | null;
  managementKey: string | null;
}

/** `POST …/evaluate`. `maskedShare` is null when the realm holds no registration. */
export interface Evaluation {
  evaluated: Uint8Array;
  proof: Uint8Array;
  maskedShare: Uint8Array | null;
  guesses: number;
  guessLimit: number;
}

/** `POST …/unlock` with the right tag. */
export interface UnlockResult {
  wrongGuesses: number;
  since: string | null;
}

/** Why a realm call failed. `status` 0 = the network or a bad response. */
export class RealmError extends Error {
  override readonly name = 'RealmError';
  readonly status: number;
  /** The problem's `code` (e.g. `registration_locked`), or `network` / `bad_response`. */
  readonly code: string;
  readonly realmId: string;
  /** Seconds to wait, from the realm's Retry-After (rate limits), when it sent one. */
  retryAfter?: number;
  constructor(realmId: string, status: number, code: string, message: string) {
    super(message);
    this.realmId = realmId;
    this.status = status;
    this.code = code;
  }
}

/** Fewer than t realms answered. Lists each failed realm's error (no secrets in them). */
export class RealmQuorumError extends Error {
  override readonly name = 'RealmQuorumError';
  readonly code = 'realm_quorum_unmet';
  readonly needed: number;
  readonly failures: RealmError[];
  constructor(needed: number, failures: RealmError[]) {
    super(`${needed} recovery realm(s) must answer; ${failures.length} failed`);
    this.needed = needed;
    this.failures = failures;
  }
}

/** The management signer for one wallet (the key is derived from the entropy). */
export interface Signer {
  walletId: string;
  /** 32-byte Ed25519 seed; the caller wipes it. */
  secretKey: Uint8Array;
}

export interface RealmClientOptions {
  appId: string;
  getToken: () => Promise<string>;
  fetch?: typeof fetch;
  /** Per-request timeout in ms. Default 15 000. */
  timeoutMs?: number;
  /** Unix seconds for signatures (tests). */
  now?: () => number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

function timeOrNull(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' && v.length <= 64 ? v : undefined;
}

/**
 * Builds the client for one app's realms.
 *
 * @example
 * const realms = createRealmClient({ appId, getToken });
 * const reg = await realms.getRegistration(app.realms[0]); // null: none
 */
export function createRealmClient(options: RealmClientOptions) {
  const { appId, getToken } = options;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  async function request(
    realm: RealmConfig,
    method: string,
    suffix: string,
    body: unknown,
    sign?: { signer: Signer; expectedEpoch: number | null },
  ): Promise<{ status: number; json: unknown }> {
    const url = `${realm.url}/v1/apps/${encodeURIComponent(appId)}${suffix}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${await getToken()}`,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (sign) {
      // The signed path is the request's own path (with any mount prefix such as
      // `/realm`), exactly what the server sees in its request line.
      const req: ManagementRequest = {
        method,
        path: new URL(url).pathname,
        appId,
        walletId: sign.signer.walletId,
        expectedEpoch: sign.expectedEpoch,
        body: new TextEncoder().encode(text),
      };
      Object.assign(
        headers,
        managementHeaders(signManagementRequest(sign.signer.secretKey, req, { now: now() })),
      );
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? null : text,
        signal: controller.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new RealmError(
        realm.id,
        0,
        'network',
        `the recovery realm ${realm.id} cannot be reached`,
      );
    } finally {
      clearTimeout(timer);
    }
    let json: unknown = null;
    if (res.status !== 204) {
      try {
        json = await res.json();
      } catch {
        json = null;
      }
    }
    if (!res.ok) {
      const err = realmProblem(realm.id, res.status, json);
      // Retry-After (seconds) lets the wallet say how long a rate limit lasts.
      const ra = Number(res.headers.get('retry-after') ?? Number.NaN);
      if (Number.isSafeInteger(ra) && ra >= 0) err.retryAfter = ra;
      throw err;
    }
    return { status: res.status, json };
  }

  const bad = (realm: RealmConfig, what: string) =>
    new RealmError(
      realm.id,
      0,
      'bad_response',
      `the recovery realm ${realm.id} sent an unexpected ${what}`,
    );

  function bytes(realm: RealmConfig, v: unknown, length: number, what: string): Uint8Array {
    if (typeof v !== 'string' || v.length > 4 * length) throw bad(realm, what);
    let b: Uint8Array;
    try {
      b = fromBase64Url(v, what);
    } catch {
      throw bad(realm, what);
    }
    if (b.length !== length) throw bad(realm, what);
    return b;
  }

  return {
    /** `GET …/registration`; null when the realm holds none for this user (404). */
    async getRegistration(realm: RealmConfig): Promise<RegistrationInfo | null> {
      let json: unknown;
      try {
        ({ json } = await request(realm, 'GET', '/registration', undefined));
      } catch (e) {
        if (e instanceof RealmError && e.status === 404) return null;
        throw e;
      }
      if (!isRecord(json) || typeof json.walletId !== 'string' || !Array.isArray(json.epochs)) {
        throw bad(realm, 'registration');
      }
      const epochs = json.epochs.map((e) => count(e));
      const guesses = count(json.guesses);
      const guessLimit = count(json.guessLimit);
      const lastWrongAt = timeOrNull(json.lastWrongAt);
      const lastUnlockAt = timeOrNull(json.lastUnlockAt);
      if (
        epochs.some((e) => e === undefined) ||
        guesses === undefined ||
        guessLimit === undefined ||
        typeof json.locked !== 'boolean' ||
        lastWrongAt === undefined ||
        lastUnlockAt === undefined
      ) {
        throw bad(realm, 'registration');
      }
      return {
        walletId: json.walletId.slice(0, 64),
        epochs: epochs as number[],
        guesses,
        guessLimit,
        locked: json.locked,
        lastWrongAt,
        lastUnlockAt,
        managementKey: typeof json.managementKey === 'string' ? json.managementKey : null,
      };
    },

    /**
     * `PUT …/registration`. The first registration (`sign` null) is unsigned; any later one
     * is signed with expectedEpoch = the latest epoch the realm holds.
     */
    async putRegistration(
      realm: RealmConfig,
      body: {
        walletId: string;
        epoch: number;
        maskedShare: Uint8Array;
        unlockTag: Uint8Array;
        managementKey: Uint8Array;
      },
      sign: { signer: Signer; expectedEpoch: number } | null,
    ): Promise<void> {
      await request(
        realm,
        'PUT',
        '/registration',
        {
          // Names the realm inside the signed body: another realm's operator cannot replay
          // this registration to a realm it was not meant for (422 realm_mismatch).
          realmId: realm.id,
          walletId: body.walletId,
          epoch: body.epoch,
          maskedShare: toBase64Url(body.maskedShare),
          unlockTag: toBase64Url(body.unlockTag),
          managementKey: toBase64Url(body.managementKey),
        },
        sign ?? undefined,
      );
    },

    /** `POST …/registration/commit {epoch}` (signed, expectedEpoch = epoch). */
    async commit(realm: RealmConfig, epoch: number, signer: Signer): Promise<void> {
      await request(
        realm,
        'POST',
        '/registration/commit',
        { realmId: realm.id, epoch },
        { signer, expectedEpoch: epoch },
      );
    },

    /** `DELETE …/registration` (signed, expectedEpoch "-"). */
    async deleteRegistration(realm: RealmConfig, signer: Signer): Promise<void> {
      await request(realm, 'DELETE', '/registration', undefined, { signer, expectedEpoch: null });
    },

    /**
     * `POST …/evaluate {walletId, epoch, blinded}`. Counted by the realm unless `signer`
     * is given (a re-share by someone who already holds the secret: docs/realms.md).
     */
    async evaluate(
      realm: RealmConfig,
      body: { walletId: string; epoch: number; blinded: Uint8Array },
      signer?: Signer,
    ): Promise<Evaluation> {
      const { json } = await request(
        realm,
        'POST',
        '/evaluate',
        { walletId: body.walletId, epoch: body.epoch, blinded: toBase64Url(body.blinded) },
        signer ? { signer, expectedEpoch: body.epoch } : undefined,
      );
      if (!isRecord(json)) throw bad(realm, 'evaluation');
      const guesses = count(json.guesses);
      const guessLimit = count(json.guessLimit);
      if (guesses === undefined || guessLimit === undefined) throw bad(realm, 'evaluation');
      return {
        evaluated: bytes(realm, json.evaluated, ELEMENT_BYTES, 'evaluated element'),
        proof: bytes(realm, json.proof, PROOF_BYTES, 'proof'),
        maskedShare:
          json.maskedShare === null || json.maskedShare === undefined
            ? null
            : bytes(realm, json.maskedShare, MASKED_SHARE_BYTES, 'masked share'),
        guesses,
        guessLimit,
      };
    },

    /** `POST …/unlock {walletId, epoch, unlockTag}`; a wrong tag → RealmError 403 `unlock_tag_wrong`. */
    async unlock(
      realm: RealmConfig,
      body: { walletId: string; epoch: number; unlockTag: Uint8Array },
    ): Promise<UnlockResult> {
      const { json } = await request(realm, 'POST', '/unlock', {
        walletId: body.walletId,
        epoch: body.epoch,
        unlockTag: toBase64Url(body.unlockTag),
      });
      if (!isRecord(json)) throw bad(realm, 'unlock answer');
      const wrongGuesses = count(json.wrongGuesses);
      const since = timeOrNull(json.since);
      if (wrongGuesses === undefined || since === undefined) throw bad(realm, 'unlock answer');
      return { wrongGuesses, since };
    },
  };
}

export type RealmClient = ReturnType<typeof createRealmClient>;

/** A RealmError from an RFC 9457 problem document (its `code`, `detail` or `title`). */
export function realmProblem(realmId: string, status: number, json: unknown): RealmError {
  const p = isRecord(json) ? json : {};
  const code =
    typeof p.code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(p.code) ? p.code : `http_${status}`;
  const text = typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : '';
  return new RealmError(
    realmId,
    status,
    code,
    `recovery realm ${realmId}: ${text.slice(0, 200) || `answered ${status}`}`,
  );
}

/** What each realm did in a fan-out: its value, or its error. */
export type Settled<T> =
  | { realm: RealmConfig; ok: true; value: T }
  | { realm: RealmConfig; ok: false; error: RealmError };

function asRealmError(realm: RealmConfig, e: unknown): RealmError {
  if (e instanceof RealmError) return e;
  // Never echo a foreign message (it might come from crypto on our own side).
  const code = (e as { code?: unknown })?.code;
  return new RealmError(
    realm.id,
    0,
    typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : 'failed',
    `the request to recovery realm ${realm.id} failed`,
  );
}

/**
 * Runs `fn` at every realm in parallel and waits for all (each call has its own timeout).
 * Resolves with every outcome when at least `needed` succeeded; otherwise rejects with a
 * RealmQuorumError listing the failures.
 */
export async function atRealms<T>(
  realms: readonly RealmConfig[],
  needed: number,
  fn: (realm: RealmConfig, index: number) => Promise<T>,
): Promise<Settled<T>[]> {
  const settled = await Promise.all(
    realms.map(async (realm, i): Promise<Settled<T>> => {
      try {
        return { realm, ok: true, value: await fn(realm, i) };
      } catch (e) {
        return { realm, ok: false, error: asRealmError(realm, e) };
      }
    }),
  );
  const ok = settled.filter((s) => s.ok).length;
  if (ok < needed) {
    throw new RealmQuorumError(
      needed,
      settled.flatMap((s) => (s.ok ? [] : [s.error])),
    );
  }
  return settled;
}

/** The `iss` and `sub` of a JWT (payload decoded, not verified: the realm verifies it). */
export function tokenIdentity(token: string): { iss: string; sub: string } {
  const part = typeof token === 'string' ? token.split('.')[1] : undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(fromBase64Url(part ?? '', 'token payload')));
  } catch {
    throw new RealmError('-', 0, 'bad_token', 'the session token cannot be read');
  }
  if (
    !isRecord(payload) ||
    typeof payload.iss !== 'string' ||
    typeof payload.sub !== 'string' ||
    !payload.iss ||
    !payload.sub
  ) {
    throw new RealmError('-', 0, 'bad_token', 'the session token has no issuer or subject');
  }
  return { iss: payload.iss, sub: payload.sub };
}
