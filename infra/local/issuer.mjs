#!/usr/bin/env node
/**
 * @module issuer — a stand-in identity provider for the local production shape (the
 * vault's production mode has no dev issuer): an ES256 key made at start (or read from
 * TRINE_IDP_KEY_FILE, so a restart keeps it), its public JWKS at
 * `GET /.well-known/jwks.json`, and `POST /token {"sub":"alice"}` → `{token}` signed for
 * TRINE_IDP_ISSUER / TRINE_IDP_AUDIENCE, valid 1 h. Loopback only (HOST 127.0.0.1).
 *
 * It signs a token for any subject: a test fixture, never an identity provider to expose.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const iss = process.env.TRINE_IDP_ISSUER ?? `http://${host}:${port}`;
const aud = process.env.TRINE_IDP_AUDIENCE ?? 'trine';
const keyFile = process.env.TRINE_IDP_KEY_FILE;

async function loadKey() {
  if (keyFile && existsSync(keyFile)) {
    const jwk = JSON.parse(readFileSync(keyFile, 'utf8'));
    return { jwk, key: await importJWK(jwk, 'ES256') };
  }
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = {
    ...(await exportJWK(privateKey)),
    kid: `k${Date.now().toString(36)}`,
    alg: 'ES256',
  };
  if (keyFile) writeFileSync(keyFile, JSON.stringify(jwk), { mode: 0o600 });
  return { jwk, key: privateKey };
}

const { jwk, key } = await loadKey();
const { d: _private, ...publicJwk } = jwk;
const jwks = JSON.stringify({ keys: [{ ...publicJwk, use: 'sig' }] });
let tokensIssued = 0;
let jwksServed = 0;

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (req.method === 'GET' && path === '/.well-known/jwks.json') {
    jwksServed++;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    return void res.end(jwks);
  }
  if (req.method === 'GET' && path === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ tokensIssued, jwksServed }));
  }
  if (req.method === 'POST' && path === '/token') {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 4096) return void res.writeHead(413).end();
    }
    let sub;
    try {
      sub = JSON.parse(body).sub;
    } catch {}
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) {
      res.writeHead(400, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: 'sub must be a non-empty string' }));
    }
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
      .setIssuer(iss)
      .setAudience(aud)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
    tokensIssued++;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    return void res.end(JSON.stringify({ token }));
  }
  res.writeHead(404).end();
});
const onListening = () => {
  const a = server.address();
  console.log(`issuer listening on http://${host}:${typeof a === 'object' && a ? a.port : port}`);
};
// LISTEN_FD: a listening socket inherited from the shape (scripts/ports.mjs).
if (process.env.LISTEN_FD) server.listen({ fd: Number(process.env.LISTEN_FD) }, onListening);
else server.listen(port, host, onListening);
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
  });
}
