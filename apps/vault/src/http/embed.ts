/**
 * @module http/embed — the hook for hosting the built wallet app (DESIGN.md §5: the
 * vault serves the wallet so wallet and API share one origin). When `TRINE_WALLET_DIR`
 * is a folder, its files are served under `/embed` (index.html for `/embed`), every
 * response with a CSP whose `frame-ancestors` is the allowed origins of the app named
 * by the `app` query parameter (`'none'` without a known app), so only that app's
 * pages can frame the wallet.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { Context, Hono } from 'hono';
import type { AppRegistry } from '../apps/registry.ts';
import type { Env } from './context.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * The CSP of the wallet pages for the given framing origins; `connectOrigins`: the app's
 * recovery realms on other origins (the wallet calls them directly, docs/realms.md).
 */
export function walletCsp(
  frameAncestors: readonly string[],
  connectOrigins: readonly string[] = [],
): string {
  const fa = frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'";
  const connect = ["'self'", ...new Set(connectOrigins)].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "worker-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${fa}`,
  ].join('; ');
}

export function registerEmbed(app: Hono<Env>, dir: string, registry: AppRegistry): void {
  const root = normalize(dir);
  const handler = async (c: Context<Env>) => {
    const appId = c.req.query('app');
    const config = appId ? await registry.get(appId) : null;
    const realmOrigins = (config?.realms ?? []).flatMap((r) => {
      try {
        return [new URL(r.url).origin];
      } catch {
        return [];
      }
    });
    c.header('content-security-policy', walletCsp(config?.allowedOrigins ?? [], realmOrigins));
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    // Paths are resolved inside the folder only: `..` and absolute parts never escape it.
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path.slice('/embed'.length)).replace(/^\/+/, '');
    } catch {
      return c.body('bad path', 400);
    }
    let file = normalize(join(root, rel || 'index.html'));
    if (file !== root && !file.startsWith(root + sep)) return c.body('not found', 404);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      // A missing file (a stale hashed asset after a deploy) is a 404: answering with
      // index.html would surface as a confusing module error. Only extension-less paths
      // are app routes, which get index.html.
      if (extname(file) !== '') return c.body('not found', 404);
      file = join(root, 'index.html');
      if (!existsSync(file)) return c.body('not found', 404);
    }
    c.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    // Only the content-hashed build output (assets/) may be cached forever; the pages
    // (index.html, approve.html) name those hashes and must be revalidated after a deploy.
    const hashed = file.startsWith(join(root, 'assets') + sep);
    c.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(readFileSync(file));
  };
  app.get('/embed', handler);
  app.get('/embed/*', handler);
}
