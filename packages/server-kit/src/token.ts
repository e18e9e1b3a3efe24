/**
 * @module token — verifies a user's JWT with jose (DESIGN.md §5), for the vault and for
 * every recovery realm alike (a realm run by another operator trusts the same identity
 * provider, and must refuse tokens just as carefully).
 *
 * The issuer is chosen from the app's configured issuers by the token's (unverified)
 * `iss`; then the signature is checked against that issuer's keys only (JWKS URL with
 * caching, or static JWKs) with an algorithm allow-list (RS256, ES256, EdDSA: never
 * `none`, never HMAC, so a public key can never be used as an HMAC secret), `iss`,
 * `aud`, `exp`, `nbf` and a 30 s clock tolerance. The user key is `(iss, sub)`.
 * Every refusal is one {@link TokenRefused} whose detail never echoes the token, and a
 * token that is not accepted gets one and the same detail (`REJECTED`) whether its issuer
 * is trusted by the app or not: otherwise anyone could ask a server which identity
 * providers an app trusts by sending forged tokens with guessed `iss` values.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';

/** A trusted identity provider: `{iss, aud, jwksUrl}` or `{iss, aud, jwks}`. */
export interface IssuerConfig {
  iss: string;
  aud: string | string[];
  jwksUrl?: string;
  jwks?: JSONWebKeySet;
}

export interface VerifiedUser {
  iss: string;
  sub: string;
  /** JSON `["iss","sub"]`: the stable, unambiguous user key (the vault's RLS key). */
  userKey: string;
}

export const ALLOWED_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export const MAX_TOKEN_LENGTH = 8192;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** The one detail of every refused token (untrusted issuer, bad signature, expired, …). */
export const REJECTED = 'the bearer token was rejected';
const MALFORMED = 'the bearer token is not a well-formed JWT';

/**
 * Why a token was not accepted: `unauthorized` (401, with `www-authenticate`) or
 * `unavailable` (503: the issuer's keys cannot be fetched right now, which says nothing
 * about the token, so a client must not drop it). Each server maps it to its own problem.
 */
export class TokenRefused extends Error {
  override readonly name = 'TokenRefused';
  readonly code: 'unauthorized' | 'unavailable';
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    code: 'unauthorized' | 'unavailable',
    detail: string,
    headers: Record<string, string>,
  ) {
    super(detail);
    this.code = code;
    this.headers = headers;
  }
}

export interface Verifier {
  /** The verified user, or throws {@link TokenRefused}. */
  verify(token: string, issuers: readonly IssuerConfig[]): Promise<VerifiedUser>;
}

/** The user key of a subject. JSON so no separator inside iss or sub is ambiguous. */
export function userKeyOf(iss: string, sub: string): string {
  return JSON.stringify([iss, sub]);
}

/** Most issuer key sets kept (apps × issuers; an evicted one is simply built again). */
export const KEY_SET_CACHE_SIZE = 256;

const deny = (detail: string) =>
  new TokenRefused('unauthorized', detail, { 'www-authenticate': 'Bearer error="invalid_token"' });

/**
 * Creates a verifier that caches key sets per issuer (remote JWKS: jose's cache with
 * a 10 min max age and a 30 s cooldown between refetches on an unknown kid; static JWKS:
 * jose's local set, which imports each key once and keeps the imported CryptoKey).
 * Looked up by the issuer object first (a registry that hands out the same object on
 * every request pays no JSON.stringify of the key set per request), then by its content
 * in a bounded LRU, so an app re-read from its table reuses its imported keys and a
 * changed key set gets a new entry. Only public keys are cached.
 */
export function createVerifier(opts: { clockToleranceSec?: number } = {}): Verifier {
  const cache = new Map<string, JWTVerifyGetKey>();
  const byObject = new WeakMap<IssuerConfig, JWTVerifyGetKey>();
  const keysOf = (issuer: IssuerConfig): JWTVerifyGetKey => {
    const known = byObject.get(issuer);
    if (known) return known;
    const id = issuer.jwksUrl
      ? `url:${issuer.jwksUrl}`
      : `jwks:${issuer.iss}:${JSON.stringify(issuer.jwks)}`;
    let getKey = cache.get(id);
    if (getKey) {
      cache.delete(id); // LRU: most recent last
      cache.set(id, getKey);
    }
    if (!getKey) {
      if (issuer.jwksUrl) {
        const remote = createRemoteJWKSet(new URL(issuer.jwksUrl), {
          cacheMaxAge: 600_000,
          cooldownDuration: 30_000,
          timeoutDuration: 5_000,
        });
        // A failed fetch of the issuer's keys says nothing about the token: it becomes
        // KeysUnavailable (→ 503), never a 401 that would make a client drop a good token.
        getKey = async (header, token) => {
          try {
            return await remote(header, token);
          } catch (e) {
            if (isJwksFetchFailure(e)) throw new KeysUnavailable('JWKS fetch failed', { cause: e });
            throw e;
          }
        };
      } else if (issuer.jwks) {
        getKey = createLocalJWKSet(issuer.jwks);
      } else {
        // A configuration the loaders refuse; the same detail as any refusal regardless.
        throw deny(REJECTED);
      }
      cache.set(id, getKey);
      if (cache.size > KEY_SET_CACHE_SIZE) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
    }
    byObject.set(issuer, getKey);
    return getKey;
  };

  return {
    async verify(token, issuers) {
      if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) throw deny(MALFORMED);
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        throw deny(MALFORMED);
      }
      const issuer = issuers.find((i) => i.iss === iss);
      // Same detail as a bad signature from a trusted issuer: no trusted-issuer oracle.
      if (!issuer) throw deny(REJECTED);
      try {
        const { payload } = await jwtVerify(token, keysOf(issuer), {
          issuer: issuer.iss,
          audience: issuer.aud,
          algorithms: [...ALLOWED_ALGS],
          clockTolerance: opts.clockToleranceSec ?? 30,
          requiredClaims: ['exp', 'sub'],
        });
        const sub = payload.sub;
        if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) {
          throw deny('the token subject is missing or too long');
        }
        return { iss: issuer.iss, sub, userKey: userKeyOf(issuer.iss, sub) };
      } catch (e) {
        if (e instanceof TokenRefused) throw e;
        if (e instanceof KeysUnavailable) {
          throw new TokenRefused(
            'unavailable',
            "the token issuer's signing keys cannot be fetched right now; retry later",
            { 'retry-after': '5' },
          );
        }
        // No jose code in the detail: ERR_JWKS_NO_MATCHING_KEY or ERR_JWS_SIGNATURE_… can
        // only happen for a trusted issuer, so showing them would be the oracle again.
        throw deny(REJECTED);
      }
    },
  };
}

/** The issuer's JWKS could not be fetched (network, timeout, non-200, not a key set). */
class KeysUnavailable extends Error {
  override readonly name = 'KeysUnavailable';
}

/**
 * True for the errors of createRemoteJWKSet's fetch: a network failure (fetch's
 * TypeError), a timeout (ERR_JWKS_TIMEOUT), a non-200 or non-JSON answer
 * (ERR_JOSE_GENERIC, thrown by jose only there on this path) or a body that is not a
 * key set (ERR_JWKS_INVALID). Not: no matching key, bad signature, bad claims.
 */
function isJwksFetchFailure(e: unknown): boolean {
  // Only fetch's own network failure ("fetch failed"): any other TypeError could come
  // from a hostile token header and must stay a 401, never a 5xx.
  if (e instanceof TypeError) return e.message === 'fetch failed';
  const code = (e as { code?: unknown })?.code;
  return code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_INVALID';
}

/** The bearer token of an Authorization header, or throws {@link TokenRefused}. */
export function bearerToken(header: string | undefined): string {
  const m = header?.match(/^Bearer ([^\s]+)$/i);
  if (!m?.[1]) {
    throw new TokenRefused('unauthorized', 'an Authorization: Bearer <JWT> header is required', {
      'www-authenticate': 'Bearer',
    });
  }
  return m[1];
}
