/**
 * @module test/realm-world — what the realm tests share: an in-process KDF (the worker's
 * code, run on the test thread at the floor cost), three realm doubles with t = 2, and the
 * smallest Ctx the realm steps read (app realms, KDF, realm client, token, vault reads).
 */
import type { ShareEnvelope } from '@trine/core/envelope';
import { hashAnswer, KDF_FLOOR } from '@trine/core/kdf';
import { openShare, sealShare } from '@trine/core/seal';
import type { SealedRecord } from '@trine/core/sealed-record';
import type { Ctx } from '../src/context.ts';
import type { Kdf } from '../src/kdf-client.ts';
import { createRealmClient } from '../src/realm-client.ts';
import { createRealmDouble, type RealmDouble, realmsFetch, testToken } from './realm-double.ts';

export const ISS = 'https://issuer.example';
export const SUB = 'user-42';
export const TOKEN = testToken(ISS, SUB);

export const nodeKdf: Kdf = {
  seal: (env: ShareEnvelope, secret: string) => sealShare(env, secret, { kdf: KDF_FLOOR }),
  open: (record: SealedRecord, secret: string) => openShare(record, secret),
  hash: (answer, salt, params) => hashAnswer(answer, salt, params),
  warm: () => undefined,
  close: () => undefined,
  params: KDF_FLOOR,
};

export interface RealmWorld {
  doubles: RealmDouble[];
  ctx: Ctx;
  /** What the vault would return from POST …/wallet/recovery. */
  vaultRecovery: { epoch: number; question: string; sealed: SealedRecord } | undefined;
}

export function realmWorld(n = 3, t = 2, guessLimit = 10): RealmWorld {
  const doubles = Array.from({ length: n }, (_, i) =>
    createRealmDouble(`realm-${String.fromCharCode(97 + i)}`, { guessLimit }),
  );
  const w: RealmWorld = { doubles, ctx: undefined as unknown as Ctx, vaultRecovery: undefined };
  const getToken = async () => TOKEN;
  w.ctx = {
    appId: 'dev',
    app: {
      appId: 'dev',
      name: 'Dev',
      allowedOrigins: [],
      networks: ['preprod'],
      realms: doubles.map((d) => d.config),
      realmThreshold: t,
    },
    getToken,
    kdf: nodeKdf,
    realms: createRealmClient({ appId: 'dev', getToken, fetch: realmsFetch(doubles) }),
    vault: {
      async getRecovery() {
        if (!w.vaultRecovery) throw new Error('test vault: no recovery record');
        return w.vaultRecovery;
      },
    },
  } as unknown as Ctx;
  return w;
}
