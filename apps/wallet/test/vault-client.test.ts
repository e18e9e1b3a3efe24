import { fromBase64Url, toBase64Url } from '@trine/core/bytes';
import { DEFAULT_KDF, KDF_FLOOR } from '@trine/core/kdf';
import { deriveManagementKey, verifyManagementRequest } from '@trine/core/management-key';
import { sealShare } from '@trine/core/seal';
import { splitSecret } from '@trine/core/shamir';
import { describe, expect, it } from 'vitest';
import { NEW_RECORD_KDF } from '../src/kdf-client.ts';
import {
  createVaultClient,
  parseAppConfig,
  parseWalletMeta,
  VaultError,
} from '../src/vault-client.ts';

const realm = (id: string, url: string) => ({
  id,
  url,
  publicKey: toBase64Url(new Uint8Array(32).fill(1)),
});

const walletId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const keyId = 'ab'.repeat(28);
const TOKEN = 'eyJ.test.token';
const mk = deriveManagementKey(new Uint8Array(32).fill(5), walletId);
const signer = { walletId, secretKey: mk.secretKey };

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
      realms: [],
      realmThreshold: 0,
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

  it('wallet metadata: the management key as the vault reports it (a key, null, or not said)', () => {
    const meta = {
      walletId,
      keyId,
      network: 'preprod',
      addresses: { base: 'addr_test1x', reward: 'stake_test1x' },
      epoch: 2,
      question: 'Pet?',
    };
    const key = toBase64Url(new Uint8Array(32).fill(9));
    expect(parseWalletMeta({ ...meta, managementKey: key }).managementKey).toBe(key);
    expect(parseWalletMeta({ ...meta, managementKey: null }).managementKey).toBeNull();
    expect('managementKey' in parseWalletMeta(meta)).toBe(false);
    for (const bad of ['', 7, 'k'.repeat(65), {}]) {
      expect(() => parseWalletMeta({ ...meta, managementKey: bad })).toThrow(VaultError);
    }
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
      .putShares({ expectedEpoch: 1, epoch: 2, authShare: {} as never }, signer)
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

  it('signs PUT /shares over the exact path and body (docs/realms.md); the signature verifies', async () => {
    const { calls, fetch } = fakeFetch(() => ({ status: 200, json: {} }));
    const body = { expectedEpoch: 4, epoch: 5, authShare: { role: 2 } as never };
    await client(fetch).putShares(body, signer);
    const c = calls[0]!;
    expect(c.url).toBe('https://vault.example/v1/apps/dev/wallet/shares');
    const req = {
      method: 'PUT',
      path: '/v1/apps/dev/wallet/shares',
      appId: 'dev',
      walletId,
      expectedEpoch: 4,
      body: new TextEncoder().encode(c.body ?? ''),
    };
    const headers = {
      time: c.headers['trine-mgmt-time'] ?? null,
      nonce: c.headers['trine-mgmt-nonce'] ?? null,
      signature: c.headers['trine-mgmt-signature'] ?? null,
    };
    expect(verifyManagementRequest(mk.publicKey, req, headers).ok).toBe(true);
    // Any other body, epoch or key does not verify (what the vault refuses).
    expect(verifyManagementRequest(mk.publicKey, { ...req, expectedEpoch: 3 }, headers).ok).toBe(
      false,
    );
    expect(
      verifyManagementRequest(
        mk.publicKey,
        { ...req, body: new TextEncoder().encode('{}') },
        headers,
      ).ok,
    ).toBe(false);
    const other = deriveManagementKey(new Uint8Array(32).fill(6), walletId);
    expect(verifyManagementRequest(other.publicKey, req, headers).ok).toBe(false);
    expect(JSON.stringify(c.headers)).not.toContain(toBase64Url(mk.secretKey));
  });

  it('commit, delete and previous-epoch reads use the contract paths; delete signs with epoch "-"', async () => {
    const { calls, fetch } = fakeFetch((c) =>
      c.method === 'DELETE' ? { status: 204 } : { status: 200, json: {} },
    );
    const vault = client(fetch);
    await vault.commit(5, signer);
    await vault.deleteWallet(signer);
    await vault.getAuthShare(4).catch(() => undefined);
    await vault.getRecovery(4).catch(() => undefined);
    expect(calls.map((c) => `${c.method} ${c.url} ${c.body ?? ''}`)).toEqual([
      'POST https://vault.example/v1/apps/dev/wallet/commit {"epoch":5}',
      'DELETE https://vault.example/v1/apps/dev/wallet ',
      'GET https://vault.example/v1/apps/dev/wallet/auth-share?epoch=4 ',
      'POST https://vault.example/v1/apps/dev/wallet/recovery {"epoch":4}',
    ]);
    const del = calls[1]!;
    const check = verifyManagementRequest(
      mk.publicKey,
      {
        method: 'DELETE',
        path: '/v1/apps/dev/wallet',
        appId: 'dev',
        walletId,
        expectedEpoch: null,
        body: new Uint8Array(0),
      },
      {
        time: del.headers['trine-mgmt-time'] ?? null,
        nonce: del.headers['trine-mgmt-nonce'] ?? null,
        signature: del.headers['trine-mgmt-signature'] ?? null,
      },
    );
    expect(check.ok).toBe(true);
    expect(fromBase64Url(del.headers['trine-mgmt-nonce']!)).toHaveLength(16);
  });

  it('parses the app realms and threshold; refuses bad realm entries', () => {
    const base = { allowedOrigins: [], networks: ['preprod'] };
    expect(parseAppConfig(base, 'dev')).toMatchObject({ realms: [], realmThreshold: 0 });
    const realms = [realm('r1', 'https://r1.example/'), realm('r2', 'http://127.0.0.1:8787/realm')];
    expect(parseAppConfig({ ...base, realms, realmThreshold: 2 }, 'dev')).toMatchObject({
      realms: [
        { id: 'r1', url: 'https://r1.example' },
        { id: 'r2', url: 'http://127.0.0.1:8787/realm' },
      ],
      realmThreshold: 2,
    });
    const bad: unknown[] = [
      { ...base, realms, realmThreshold: 3 },
      { ...base, realms, realmThreshold: 0 },
      { ...base, realms },
      { ...base, realms: [realm('r1', 'http://evil.example')], realmThreshold: 1 },
      { ...base, realms: [realm('r1', 'https://a.example?x=1')], realmThreshold: 1 },
      {
        ...base,
        realms: [realm('r1', 'https://a.example'), realm('r1', 'https://b.example')],
        realmThreshold: 1,
      },
      {
        ...base,
        realms: [{ ...realm('r1', 'https://a.example'), publicKey: 'short' }],
        realmThreshold: 1,
      },
      { ...base, realms: 'r1', realmThreshold: 1 },
    ];
    for (const b of bad) expect(() => parseAppConfig(b, 'dev')).toThrow(VaultError);
  });

  it('the page repeats DEFAULT_KDF for new records without importing Argon2id', () => {
    expect(NEW_RECORD_KDF).toEqual(DEFAULT_KDF);
  });
});
