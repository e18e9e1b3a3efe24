#!/usr/bin/env node
/**
 * @module serve — serves the built demo (apps/demo/dist) and relays `POST /dev/token` to
 * the vault's dev issuer (the vault answers `/dev/*` without CORS headers: in a real dApp
 * the token comes from the dApp's own identity provider, on its own origin).
 *
 * Env: PORT (5173), HOST (127.0.0.1), TRINE_VAULT_URL (http://127.0.0.1:8787),
 * TRINE_WALLET_URL (the wallet origin allowed in this page's CSP; default the vault URL),
 * TRINE_TOKEN_URL (where `POST /dev/token` is relayed; default the vault's dev issuer,
 * `$TRINE_VAULT_URL/dev/token`; the production shape points it at its own identity
 * provider), TRINE_DEMO_DIR (default apps/demo/dist), LISTEN_FD (listen on this inherited,
 * already-bound socket instead of PORT: the test harnesses' way, scripts/ports.mjs). Prints `demo listening on http://HOST:PORT`.
 * SIGTERM/SIGINT close the server.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const here = new URL('..', import.meta.url).pathname;
const dir = resolve(process.env.TRINE_DEMO_DIR ?? join(here, 'dist'));
const port = Number(process.env.PORT ?? 5173);
const host = process.env.HOST ?? '127.0.0.1';
const vault = (process.env.TRINE_VAULT_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
const tokenUrl = process.env.TRINE_TOKEN_URL ?? `${vault}/dev/token`;
const wallet = new URL(process.env.TRINE_WALLET_URL ?? vault).origin;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};
// The page may frame only the wallet and call only itself (the token relay) and the
// vault's public app config (the SDK's early check). No 'unsafe-inline' anywhere: the SDK
// styles through CSSOM only (issue 12: strict hosts).
const CSP = `default-src 'self'; script-src 'self'; style-src 'self'; frame-src ${wallet}; connect-src 'self' ${wallet}; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;
// The vanilla page (index.html) builds its payment with Lucid Evolution, whose CML and UPLC
// are WebAssembly: 'wasm-unsafe-eval' lets it compile them, and allows no JavaScript eval
// and no inline script. The React page loads no Lucid and keeps CSP as it is.
const LUCID_CSP = CSP.replace("script-src 'self';", "script-src 'self' 'wasm-unsafe-eval';");
// `?csp=strict`: exactly the policy of issue 12, whose frame-src falls back to 'self' —
// the wallet frame is then blocked, and the SDK must say so (reason frame_blocked). Kept
// exactly so: no 'wasm-unsafe-eval', and the page never gets as far as loading Lucid.
const STRICT_CSP = "default-src 'self'; style-src 'self'; script-src 'self'";

async function relayToken(req, res) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 4096) {
      res.writeHead(413).end();
      return;
    }
    chunks.push(c);
  }
  try {
    const r = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat(chunks),
    });
    res.writeHead(r.status, {
      'content-type': r.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-store',
    });
    res.end(Buffer.from(await r.arrayBuffer()));
  } catch {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'the vault cannot be reached' }));
  }
}

async function serveFile(req, res) {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  let file = normalize(join(dir, path));
  if (!file.startsWith(dir)) {
    res.writeHead(403).end();
    return;
  }
  const isFile = await stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) file = join(dir, 'index.html');
  try {
    const body = await readFile(file);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const hashed = file.includes(`${join(dir, 'assets')}/`);
    res.writeHead(200, {
      'content-type': type,
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(type.startsWith('text/html')
        ? {
            'content-security-policy':
              new URL(req.url ?? '/', 'http://x').searchParams.get('csp') === 'strict'
                ? STRICT_CSP
                : file === join(dir, 'index.html')
                  ? LUCID_CSP
                  : CSP,
          }
        : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/dev/token') return void relayToken(req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
  return void serveFile(req, res);
});
const onListening = () => {
  const addr = server.address();
  console.log(
    `demo listening on http://${host}:${typeof addr === 'object' && addr ? addr.port : port}`,
  );
};
// LISTEN_FD: a listening socket inherited from the harness (scripts/ports.mjs).
if (process.env.LISTEN_FD) server.listen({ fd: Number(process.env.LISTEN_FD) }, onListening);
else server.listen(port, host, onListening);
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
  });
}
