/**
 * @module identity/verify — verifies the user's JWT with jose, the same way the vault does
 * (DESIGN.md §5), so a realm run by another operator trusts the same identity provider.
 *
 * The issuer is chosen from the app's configured issuers by the token's (unverified)
 * `iss`; the signature is then checked against that issuer's keys only (JWKS URL with
 * caching, or static JWKs) with an algorithm allow-list (RS256, ES256, EdDSA: never
 * `none`, never HMAC, so a public key can never serve as an HMAC secret), `iss`, `aud`,
 * `exp`, `nbf` and a 30 s clock tolerance. The user key is `(iss, sub)`. Every failure is
 * one `unauthorized` problem whose detail never echoes the token. (A copy of the vault's
 * verifier, not an import: the vault imports the realm, never the other way round.)
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { ApiError } from '../http/problem.ts';

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
  /** JSON `["iss","sub"]`: the stable, unambiguous user key. */
  userKey: string;
}

export const ALLOWED_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export const MAX_TOKEN_LENGTH = 8192;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface Verifier {
  verify(token: string, issuers: readonly IssuerConfig[]): Promise<VerifiedUser>;
}

/** The user key of a subject. JSON so no separator inside iss or sub is ambiguous. */
export function userKeyOf(iss: string, sub: string): string {
  return JSON.stringify([iss, sub]);
}

/** The issuer's JWKS could not be fetched (network, timeout, non-200, not a key set). */
class KeysUnavailable extends Error {
  override readonly name = 'KeysUnavailable';
}

/**
 * True for the failures of createRemoteJWKSet's own fetch; anything else (a hostile
 * token header included) stays a 401, never a 5xx.
 */
function isJwksFetchFailure(e: unknown): boolean {
  if (e instanceof TypeError) return e.message === 'fetch failed';
  const code = (e as { code?: unknown })?.code;
  return code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_INVALID';
}

/** A verifier that caches key sets per issuer (remote JWKS: 10 min, 30 s refetch cooldown). */
export function createVerifier(opts: { clockToleranceSec?: number } = {}): Verifier {
  const cache = new Map<string, JWTVerifyGetKey>();
  const keysOf = (issuer: IssuerConfig): JWTVerifyGetKey => {
    const id = issuer.jwksUrl
      ? `url:${issuer.jwksUrl}`
      : `jwks:${issuer.iss}:${JSON.stringify(issuer.jwks)}`;
    let getKey = cache.get(id);
    if (!getKey) {
      if (issuer.jwksUrl) {
        const remote = createRemoteJWKSet(new URL(issuer.jwksUrl), {
          cacheMaxAge: 600_000,
          cooldownDuration: 30_000,
          timeoutDuration: 5_000,
        });
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
        throw new ApiError('unauthorized', 'issuer has no keys configured');
      }
      cache.set(id, getKey);
    }
    return getKey;
  };
  const deny = (detail: string) =>
    new ApiError('unauthorized', detail, { 'www-authenticate': 'Bearer error="invalid_token"' });

  return {
    async verify(token, issuers) {
      if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) {
        throw deny('the bearer token is not a well-formed JWT');
      }
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        throw deny('the bearer token is not a well-formed JWT');
      }
      const issuer = issuers.find((i) => i.iss === iss);
      if (!issuer) throw deny('the token issuer is not trusted by this app');
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
        if (e instanceof ApiError) throw e;
        if (e instanceof KeysUnavailable) {
          throw new ApiError(
            'unavailable',
            "the token issuer's signing keys cannot be fetched right now; retry later",
            { 'retry-after': '5' },
          );
        }
        // jose codes (ERR_JWT_EXPIRED, ERR_JWKS_NO_MATCHING_KEY, …) are safe to show.
        const code = (e as { code?: unknown }).code;
        throw deny(`the bearer token was rejected${typeof code === 'string' ? ` (${code})` : ''}`);
      }
    },
  };
}

/** Extracts the bearer token of an Authorization header, or throws `unauthorized`. */
export function bearerToken(header: string | undefined): string {
  const m = header?.match(/^Bearer ([^\s]+)$/i);
  if (!m?.[1]) {
    throw new ApiError('unauthorized', 'an Authorization: Bearer <JWT> header is required', {
      'www-authenticate': 'Bearer',
    });
  }
  return m[1];
}
