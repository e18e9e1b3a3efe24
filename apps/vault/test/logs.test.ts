/**
 * A full flow with the logs captured: no share, tag, sealed blob, token or question text
 * appears in any log line (DESIGN.md §2.9, §5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  createBody,
  makeVault,
  openBackend,
  reshareBody,
} from './helpers.ts';

describe.each(BACKENDS)(`logs on %s${BACKEND_NOTE}`, (kind) => {
  let be: Backend;
  beforeAll(async () => {
    be = await openBackend(kind);
    await be.reset();
  });
  afterAll(async () => be.close());

  it('a full flow logs requests but never a share, sealed blob or token', async () => {
    const v = await makeVault(be.database);
    const W = '/v1/apps/dev/wallet';
    const tok = await call(v.app, 'POST', '/dev/token', { body: { sub: 'alice' } });
    const token = tok.json.token as string;
    const body = createBody();
    const ids = { walletId: body.walletId, keyId: body.keyId };
    const rb = reshareBody(ids, 1);
    const steps: [string, string, unknown?][] = [
      ['POST', W, body],
      ['GET', W],
      ['GET', `${W}/auth-share`],
      ['POST', `${W}/recovery`],
      ['PUT', `${W}/shares`, rb],
      ['PUT', `${W}/shares`, rb], // stale
      ['POST', W, body], // exists
      ['PUT', `${W}/shares`, { ...rb, authShare: { ...rb.authShare, role: 3 } }], // mismatch
      ['GET', `${W}/events`],
      ['DELETE', W],
    ];
    for (const [method, path, b] of steps) {
      await call(v.app, method, path, { token, ...(b ? { body: b } : {}) });
    }
    await call(v.app, 'GET', W, { token: `${token}x` });
    const secrets = [
      token,
      token.split('.')[2]!,
      body.authShare.share,
      body.authShare.tag,
      body.recovery.sealed.ciphertext,
      body.recovery.sealed.nonce,
      body.recovery.sealed.kdf.salt,
      rb.authShare.share,
      rb.recovery!.sealed.ciphertext,
      body.recovery.question,
    ];
    const all = v.logs.join('');
    // the flow was logged (so this test can fail) …
    expect(v.logs.length).toBeGreaterThanOrEqual(steps.length + 2);
    const lines = v.logs.map((l) => JSON.parse(l));
    expect(
      lines.some((l) => l.route === '/v1/apps/:appId/wallet/auth-share' && l.status === 200),
    ).toBe(true);
    expect(lines.some((l) => l.status === 409 && l.appId === 'dev')).toBe(true);
    for (const l of lines) expect(l.reqId).toMatch(/^[0-9a-f-]{36}$/);
    // … and holds none of the secrets
    for (const s of secrets) expect(all.includes(s), `log contains ${s.slice(0, 6)}…`).toBe(false);
    expect(all).not.toMatch(/authorization|bearer/i);
  });
});
