import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../src/bytes.ts';
import {
  deriveManagementKey,
  type ManagementRequest,
  managementHeaders,
  managementMessage,
  signManagementRequest,
  verifyManagementRequest,
} from '../src/management-key.ts';

const entropy = new Uint8Array(32).fill(7);
const req: ManagementRequest = {
  method: 'PUT',
  path: '/v1/apps/dev/wallet/shares',
  appId: 'dev',
  walletId: 'w1',
  expectedEpoch: 3,
  body: utf8('{"a":1}'),
};
const NOW = 1_800_000_000;
const headersOf = (p: ReturnType<typeof signManagementRequest>) => ({
  time: String(p.time),
  nonce: p.nonce,
  signature: p.signature,
});

describe('management key', () => {
  it('is deterministic per (entropy, walletId) and differs across wallets', () => {
    const a = deriveManagementKey(entropy, 'w1');
    const b = deriveManagementKey(entropy, 'w1');
    const c = deriveManagementKey(entropy, 'w2');
    expect(a.publicKey).toEqual(b.publicKey);
    expect(a.publicKey).not.toEqual(c.publicKey);
    expect(a.publicKey).toEqual(ed25519.getPublicKey(a.secretKey));
  });

  it('signs the documented message and the signature verifies', () => {
    const k = deriveManagementKey(entropy, 'w1');
    const proof = signManagementRequest(k.secretKey, req, { now: NOW, nonce: new Uint8Array(16) });
    expect(new TextDecoder().decode(managementMessage(req, proof))).toBe(
      [
        'trine-mgmt/v1',
        'PUT',
        '/v1/apps/dev/wallet/shares',
        'dev',
        'w1',
        '3',
        String(NOW),
        'AAAAAAAAAAAAAAAAAAAAAA',
        // sha256('{"a":1}')
        '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862',
      ].join('\n'),
    );
    expect(verifyManagementRequest(k.publicKey, req, headersOf(proof), NOW)).toEqual({
      ok: true,
      nonce: proof.nonce,
      time: NOW,
    });
    expect(managementHeaders(proof)['trine-mgmt-signature']).toBe(proof.signature);
  });

  it('refuses a missing, wrong-key, stale or altered proof', () => {
    const k = deriveManagementKey(entropy, 'w1');
    const other = deriveManagementKey(entropy, 'w2');
    const proof = signManagementRequest(k.secretKey, req, { now: NOW });
    const h = headersOf(proof);
    expect(verifyManagementRequest(k.publicKey, req, {}, NOW)).toEqual({
      ok: false,
      code: 'management_signature_required',
    });
    expect(verifyManagementRequest(other.publicKey, req, h, NOW)).toMatchObject({
      code: 'management_signature_invalid',
    });
    expect(verifyManagementRequest(k.publicKey, req, h, NOW + 301)).toMatchObject({
      code: 'management_signature_expired',
    });
    expect(
      verifyManagementRequest(k.publicKey, { ...req, expectedEpoch: 4 }, h, NOW),
    ).toMatchObject({ code: 'management_signature_invalid' });
    expect(
      verifyManagementRequest(
        k.publicKey,
        { ...req, method: 'DELETE', expectedEpoch: null },
        h,
        NOW,
      ),
    ).toMatchObject({ code: 'management_signature_invalid' });
    for (const bad of ['', 'x', '!'.repeat(86), proof.signature.slice(0, -2)]) {
      expect(verifyManagementRequest(k.publicKey, req, { ...h, signature: bad }, NOW).ok).toBe(
        false,
      );
    }
    expect(verifyManagementRequest(k.publicKey, req, { ...h, nonce: 'short' }, NOW).ok).toBe(false);
    expect(verifyManagementRequest(k.publicKey, req, { ...h, time: '1e9' }, NOW).ok).toBe(false);
  });

  it('property: any change to the body breaks the signature', () => {
    const k = deriveManagementKey(entropy, 'w1');
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (a, b) => {
          const proof = signManagementRequest(k.secretKey, { ...req, body: a }, { now: NOW });
          const changed = new Uint8Array([...a, ...b]);
          return (
            verifyManagementRequest(k.publicKey, { ...req, body: a }, headersOf(proof), NOW).ok &&
            !verifyManagementRequest(k.publicKey, { ...req, body: changed }, headersOf(proof), NOW)
              .ok
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses bad arguments with TypeError/RangeError', () => {
    expect(() => deriveManagementKey(new Uint8Array(8), 'w')).toThrow(RangeError);
    expect(() => deriveManagementKey(entropy, '')).toThrow(TypeError);
    expect(() => managementMessage({ ...req, path: 'a\nb' }, { time: 1, nonce: 'n' })).toThrow(
      TypeError,
    );
    expect(() => managementMessage({ ...req, expectedEpoch: -1 }, { time: 1, nonce: 'n' })).toThrow(
      RangeError,
    );
  });
});
