import { KDF_FLOOR } from '@trine/core/kdf';
import { sealShare } from '@trine/core/seal';
import { splitSecret } from '@trine/core/shamir';
import { describe, expect, it } from 'vitest';
import { createVaultClient, parseAppConfig, VaultError } from '../src/vault-client.ts';

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const keyId = 'ab'.repeat(28);
const TOKEN = 'eyJ.test.token';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

function fakeFetch(reply: (c: Call) => { status: number; json?: unknown }) {
  const calls: Call[] = [];
  const f = async (url: string, init: RequestInit) => {
    const c: Call = {
      url,
      method: String(init.method),
      headers: init.headers as Record<string, string>,
      body: (init.body as string | null) ?? null,
    };
    calls.push(c);
    const r = reply(c);
    return new Response(r.json === undefined ? null : JSON.stringify(r.json), {
      status: r.status,
      headers: {
        'content-type': r.status >= 400 ? 'application/problem+json' : 'application/json',
      },
    });
  };
  return { calls, fetch: f as unknown as typeof fetch };
}

const client = (f: typeof fetch) =>
  createVaultClient({
    baseUrl: 'https://vault.example',
    appId: 'dev',
    getToken: async () => TOKEN,
    fetch: f,
  });

describe('vault client', () => {
  it('reads the public app config without a token (vault shape {id, name, allowedOrigins, networks})', async () => {
    const { calls, fetch } = fakeFetch(() => ({
      status: 200,
      json: {
        id: 'dev',
        name: 'Dev app',
        allowedOrigins: ['http://localhost:5173'],
        networks: ['preprod'],
      },
    }));
    expect(await client(fetch).getAppConfig()).toEqual({
      appId: 'dev',
      name: 'Dev app',
      allowedOrigins: ['http://localhost:5173'],
      networks: ['preprod'],
    });
    expect(calls[0]?.url).toBe('https://vault.example/v1/apps/dev');
    expect(calls[0]?.headers.authorization).toBeUndefined();
  });

  it('puts the token in the Authorization header only, never in the URL', async () => {
    const { calls, fetch } = fakeFetch(() => ({ status: 404, json: { code: 'not_found' } }));
    expect(await client(fetch).getWallet()).toBeNull();
    expect(calls[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(calls[0]?.url).not.toContain(TOKEN);
  });

  it('validates the auth share and the recovery record', async () => {
    const shares = await splitSecret(new Uint8Array(32).fill(7), { walletId, keyId, epoch: 3 });
    const sealed = await sealShare(shares.recovery, 'rex', { kdf: KDF_FLOOR });
    const { fetch } = fakeFetch((c) =>
      c.url.endsWith('/auth-share')
        ? { status: 200, json: { epoch: 3, authShare: shares.auth } }
        : { status: 200, json: { epoch: 3, question: 'Pet?', sealed } },
    );
    const vault = client(fetch);
    expect((await vault.getAuthShare()).authShare).toEqual(shares.auth);
    expect((await vault.getRecovery()).sealed).toEqual(sealed);
  });

  it('refuses a malformed share from the vault', async () => {
    const { fetch } = fakeFetch(() => ({ status: 200, json: { epoch: 3, authShare: { v: 1 } } }));
    await expect(client(fetch).getAuthShare()).rejects.toEqual(
      new VaultError(0, 'bad_response', 'the vault sent an unexpected auth share'),
    );
  });

  it('turns problem documents into VaultError with status and code', async () => {
    const { fetch } = fakeFetch(() => ({
      status: 409,
      json: {
        type: 'urn:trine:problem:stale_epoch',
        title: 'Stale epoch',
        status: 409,
        code: 'stale_epoch',
        detail: 'expected 2',
      },
    }));
    const err = await client(fetch)
      .putShares({ expectedEpoch: 1, epoch: 2, authShare: {} as never })
      .catch((e) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toMatchObject({ status: 409, code: 'stale_epoch', message: 'expected 2' });
  });

  it('reports a network failure as status 0 without the request body', async () => {
    const f = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const err = await client(f)
      .deleteWallet()
      .catch((e) => e);
    expect(err).toEqual(new VaultError(0, 'network', 'the vault cannot be reached'));
  });

  it('refuses an app config without origins or with an unknown network', () => {
    expect(() => parseAppConfig({ name: 'x', networks: ['preprod'] }, 'dev')).toThrow(
      'the vault sent an unexpected app configuration (origins)',
    );
    expect(() => parseAppConfig({ allowedOrigins: [], networks: ['testnet'] }, 'dev')).toThrow(
      'the vault sent an unexpected app network #0',
    );
  });
});
