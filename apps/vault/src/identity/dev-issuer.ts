/**
 * @module identity/dev-issuer — the built-in ES256 issuer of dev mode (DESIGN.md §5),
 * so the demo runs without an identity provider. Its private key lives in the data
 * folder (`dev-issuer.jwk.json`, mode 0600); production refuses to start with it on.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';

export interface DevIssuer {
  iss: string;
  aud: 'dev';
  jwks: JSONWebKeySet;
  /** Signs a token for `sub`, valid for `ttlSec` (default 1 h). */
  issue(sub: string, ttlSec?: number): Promise<string>;
}

/** Loads the dev issuer key from `dir` (creating it), or an ephemeral one when dir is null. */
export async function loadDevIssuer(publicUrl: string, dir: string | null): Promise<DevIssuer> {
  const file = dir ? join(dir, 'dev-issuer.jwk.json') : null;
  let priv: JWK;
  if (file && existsSync(file)) {
    priv = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } else {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    priv = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
    if (file && dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, JSON.stringify(priv), { mode: 0o600 });
    }
  }
  const { d: _d, ...pub } = priv;
  const key = await importJWK(priv, 'ES256');
  const iss = `${publicUrl.replace(/\/+$/, '')}/dev`;
  return {
    iss,
    aud: 'dev',
    jwks: { keys: [pub] },
    issue: (sub, ttlSec = 3600) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: priv.kid ?? 'dev', typ: 'JWT' })
        .setIssuer(iss)
        .setAudience('dev')
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(`${ttlSec}s`)
        .sign(key),
  };
}
