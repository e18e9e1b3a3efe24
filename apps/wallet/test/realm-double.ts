/**
 * @module test/realm-double — an in-process TEST DOUBLE of a recovery realm, written
 * from docs/realms.md because apps/realm is not on this branch. The lead replaces it at
 * merge with the real `createRealm(config).app` (Hono: `app.request(...)` / `app.fetch`),
 * through the same single seam: `fetch` for the wallet's realm-client.
 *
 * It follows the contract: JWT user key (iss, sub) — the token is *decoded, not verified*
 * here; first registration unsigned, later ones and commit/delete signed with the
 * registered management key (core's verifyManagementRequest, nonce replay refused);
 * evaluation counted before evaluating unless there is no registration or it is signed;
 * 423 at the limit; unlock with the right tag resets the counter.
 */
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { equalBytes, fromBase64Url, toBase64Url } from '@trine/core/bytes';
import { verifyManagementRequest } from '@trine/core/management-key';
import type { RealmConfig } from '../src/realm-client.ts';

interface Registration {
  walletId: string;
  epochs: Map<number, { maskedShare: string; unlockTag: string }>;
  managementKey: string;
  guesses: number;
  lastWrongAt: string | null;
  lastUnlockAt: string | null;
}

export interface RealmDouble {
  config: RealmConfig;
  /** Handles a request for this realm (same signature as fetch). */
  handle(url: string, init: RequestInit): Promise<Response>;
  /** Simulates a killed realm process: every request fails at the network. */
  down: boolean;
  /** Make the next request of this method+path suffix fail *after* taking effect (a lost answer). */
  crashAfter: string | null;
  registrations: Map<string, Registration>;
  guessLimit: number;
  /** Every request seen (method + path), for assertions. */
  log: string[];
  secretKey: Uint8Array;
}

const problem = (status: number, code: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title: code, status, code }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
const json = (status: number, value: unknown) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

function userOf(auth: string | null): string | null {
  const m = /^Bearer ([^.]+)\.([^.]+)\.([^.]*)$/.exec(auth ?? '');
  if (!m) return null;
  try {
    const p = JSON.parse(new TextDecoder().decode(fromBase64Url(m[2]!)));
    return typeof p.iss === 'string' && typeof p.sub === 'string' ? `${p.iss}\n${p.sub}` : null;
  } catch {
    return null;
  }
}

export function createRealmDouble(id: string, opts: { guessLimit?: number } = {}): RealmDouble {
  const keys = ristretto255_oprf.poprf(new Uint8Array(0)).generateKeyPair();
  const nonces = new Set<string>();
  const self: RealmDouble = {
    config: { id, url: `https://${id}.realm.test`, publicKey: toBase64Url(keys.publicKey) },
    down: false,
    crashAfter: null,
    registrations: new Map(),
    guessLimit: opts.guessLimit ?? 10,
    log: [],
    secretKey: keys.secretKey,
    async handle(url, init) {
      if (self.down) throw new TypeError('fetch failed');
      const u = new URL(url);
      const method = String(init.method ?? 'GET').toUpperCase();
      self.log.push(`${method} ${u.pathname}`);
      const headers = new Headers(init.headers as Record<string, string>);
      const text = typeof init.body === 'string' ? init.body : '';
      const res = route(u, method, headers, text);
      const key = `${method} ${u.pathname.replace(/^\/v1\/apps\/[^/]+/, '')}`;
      if (self.crashAfter === key) {
        self.crashAfter = null;
        throw new TypeError('connection reset');
      }
      return res;
    },
  };

  function route(u: URL, method: string, headers: Headers, text: string): Response {
    if (method === 'GET' && u.pathname === '/v1/realm') {
      return json(200, {
        realmId: id,
        suite: 'ristretto255-SHA512',
        mode: 'poprf',
        publicKey: self.config.publicKey,
      });
    }
    const m = /^\/v1\/apps\/([^/]+)\/(registration|registration\/commit|evaluate|unlock)$/.exec(
      u.pathname,
    );
    if (!m) return problem(404, 'not_found');
    const appId = decodeURIComponent(m[1]!);
    const user = userOf(headers.get('authorization'));
    if (!user) return problem(401, 'unauthorized');
    const key = `${appId}\n${user}`;
    const [, iss, sub] = [undefined, ...user.split('\n')];
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return problem(400, 'invalid_body');
      }
    }
    const reg = self.registrations.get(key);
    const signed = (walletId: string, expectedEpoch: number | null): Response | null => {
      if (!reg) return problem(404, 'registration_not_found');
      const check = verifyManagementRequest(
        fromBase64Url(reg.managementKey),
        {
          method,
          path: u.pathname,
          appId,
          walletId,
          expectedEpoch,
          body: new TextEncoder().encode(text),
        },
        {
          time: headers.get('trine-mgmt-time'),
          nonce: headers.get('trine-mgmt-nonce'),
          signature: headers.get('trine-mgmt-signature'),
        },
      );
      if (!check.ok) return problem(401, check.code);
      if (nonces.has(check.nonce)) return problem(401, 'management_signature_replayed');
      nonces.add(check.nonce);
      return null;
    };
    const latest = (r: Registration) => Math.max(...r.epochs.keys());

    if (m[2] === 'registration' && method === 'GET') {
      if (!reg) return problem(404, 'registration_not_found');
      return json(200, {
        walletId: reg.walletId,
        epochs: [...reg.epochs.keys()].sort((a, b) => a - b),
        guesses: reg.guesses,
        guessLimit: self.guessLimit,
        locked: reg.guesses >= self.guessLimit,
        lastWrongAt: reg.lastWrongAt,
        lastUnlockAt: reg.lastUnlockAt,
        managementKey: reg.managementKey,
      });
    }
    if (m[2] === 'registration' && method === 'PUT') {
      const { walletId, epoch, maskedShare, unlockTag, managementKey } = body as {
        walletId?: unknown;
        epoch?: unknown;
        maskedShare?: unknown;
        unlockTag?: unknown;
        managementKey?: unknown;
      };
      if (
        typeof walletId !== 'string' ||
        typeof epoch !== 'number' ||
        !Number.isSafeInteger(epoch) ||
        epoch < 1 ||
        typeof maskedShare !== 'string' ||
        typeof unlockTag !== 'string' ||
        typeof managementKey !== 'string'
      ) {
        return problem(400, 'invalid_body');
      }
      if (reg) {
        const refused = signed(reg.walletId, latest(reg));
        if (refused) return refused;
      }
      const next: Registration = reg ?? {
        walletId,
        epochs: new Map(),
        managementKey,
        guesses: 0,
        lastWrongAt: null,
        lastUnlockAt: null,
      };
      next.walletId = walletId;
      next.managementKey = managementKey;
      next.epochs.set(epoch, { maskedShare, unlockTag });
      next.guesses = 0;
      self.registrations.set(key, next);
      return json(reg ? 200 : 201, { epoch });
    }
    if (m[2] === 'registration/commit' && method === 'POST') {
      const epoch = body.epoch as number;
      const refused = signed(reg?.walletId ?? '', epoch);
      if (refused) return refused;
      for (const e of [...reg!.epochs.keys()]) if (e < epoch) reg!.epochs.delete(e);
      return json(200, { epoch });
    }
    if (m[2] === 'registration' && method === 'DELETE') {
      const refused = signed(reg?.walletId ?? '', null);
      if (refused) return refused;
      self.registrations.delete(key);
      return new Response(null, { status: 204 });
    }
    if (m[2] === 'evaluate' && method === 'POST') {
      const info = new TextEncoder().encode(
        JSON.stringify(['trine-realm/v1', appId, iss, sub, body.walletId]),
      );
      let blinded: Uint8Array;
      try {
        blinded = fromBase64Url(String(body.blinded));
        if (blinded.length !== 32) throw new Error('length');
      } catch {
        return problem(400, 'invalid_element');
      }
      let counted = false;
      if (reg && headers.get('trine-mgmt-signature')) {
        const refused = signed(reg.walletId, body.epoch as number);
        if (refused) return refused;
      } else if (reg) {
        // Counted before evaluating (docs/realms.md: increment, then evaluate).
        if (reg.guesses >= self.guessLimit) return problem(423, 'registration_locked');
        reg.guesses++;
        counted = true;
      }
      let r: { evaluated: Uint8Array; proof: Uint8Array };
      try {
        r = ristretto255_oprf.poprf(info).blindEvaluate(keys.secretKey, blinded);
      } catch {
        return problem(400, 'invalid_element');
      }
      if (counted) reg!.lastWrongAt = new Date().toISOString();
      const held = reg?.epochs.get(body.epoch as number);
      return json(200, {
        evaluated: toBase64Url(r.evaluated),
        proof: toBase64Url(r.proof),
        maskedShare: held ? held.maskedShare : null,
        guesses: reg?.guesses ?? 0,
        guessLimit: self.guessLimit,
      });
    }
    if (m[2] === 'unlock' && method === 'POST') {
      if (!reg) return problem(404, 'registration_not_found');
      const held = reg.epochs.get(body.epoch as number);
      let tag: Uint8Array;
      try {
        tag = fromBase64Url(String(body.unlockTag));
      } catch {
        return problem(400, 'invalid_body');
      }
      if (!held || !equalBytes(tag, fromBase64Url(held.unlockTag))) {
        return problem(403, 'unlock_tag_wrong');
      }
      const wrongGuesses = Math.max(0, reg.guesses - 1);
      const since = reg.lastUnlockAt;
      reg.guesses = 0;
      reg.lastUnlockAt = new Date().toISOString();
      if (wrongGuesses === 0) reg.lastWrongAt = null;
      return json(200, { wrongGuesses, since });
    }
    return problem(405, 'method_not_allowed');
  }
  return self;
}

/** One fetch for several realm doubles (routes by origin). */
export function realmsFetch(realms: readonly RealmDouble[]): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input);
    const realm = realms.find((r) => url.startsWith(`${r.config.url}/`));
    if (!realm) throw new TypeError('fetch failed');
    return realm.handle(url, init);
  }) as typeof fetch;
}

/** An unsigned JWT-shaped token for (iss, sub) — the double decodes it, never verifies. */
export function testToken(iss: string, sub: string): string {
  const b = (o: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  return `${b({ alg: 'none', typ: 'JWT' })}.${b({ iss, sub, aud: 'dev' })}.`;
}
