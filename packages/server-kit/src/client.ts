/**
 * @module client — who is calling: the client IP and scheme. `X-Forwarded-For` and
 * `X-Forwarded-Proto` are believed only when the socket peer is one of
 * `TRINE_TRUSTED_PROXIES`; otherwise anyone could pick their rate-limit bucket.
 */
import type { Context } from 'hono';

interface NodeEnv {
  incoming?: { socket?: { remoteAddress?: string; encrypted?: boolean } };
}

/** The socket peer address (node-server), or 'unknown' (app.request() in tests). */
function peerOf(c: Context): string {
  const env = c.env as NodeEnv | undefined;
  const addr = env?.incoming?.socket?.remoteAddress;
  return addr ? addr.replace(/^::ffff:/, '') : 'unknown';
}

export interface ClientInfo {
  ip: string;
  proto: 'http' | 'https';
}

export function clientInfo(c: Context, trustedProxies: readonly string[]): ClientInfo {
  const peer = peerOf(c);
  const env = c.env as NodeEnv | undefined;
  const direct: ClientInfo = {
    ip: peer,
    proto: env?.incoming?.socket?.encrypted ? 'https' : 'http',
  };
  if (!trustedProxies.includes(peer)) return direct;
  // Walk X-Forwarded-For from the right, skipping our own proxies: the first other
  // address is the one the outermost trusted proxy saw.
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^::ffff:/, ''))
    .filter(Boolean);
  let ip = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    ip = hop;
    if (!trustedProxies.includes(hop)) break;
  }
  const fp = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  return {
    ip: ip.slice(0, 64),
    proto: fp === 'https' ? 'https' : fp === 'http' ? 'http' : direct.proto,
  };
}
