/**
 * @module http/schemas — zod schemas of the API (request validation and the OpenAPI
 * document). Shapes and size caps only; the share formats are then checked by
 * @trine/core's parsers (http/shares.ts), which are the authority on them.
 */
import { z } from '@hono/zod-openapi';
import { NETWORKS } from '../apps/registry.ts';

const b64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'base64url');

export const ShareHeaderSchema = z
  .object({
    v: z.number(),
    walletId: z.string().max(64),
    keyId: z.string().max(128),
    epoch: z.number().int(),
    role: z.number().int(),
    threshold: z.number().int(),
  })
  .strict();

export const EnvelopeSchema = ShareHeaderSchema.extend({
  share: b64url(100),
  tag: b64url(32),
})
  .strict()
  .openapi('ShareEnvelope', {
    description: 'Auth-share envelope (role 2) as produced by @trine/core/envelope.',
  });

export const SealedV1Schema = z
  .object({
    v: z.number(),
    alg: z.string().max(16),
    kdf: z
      .object({
        name: z.string().max(16),
        m: z.number().int(),
        t: z.number().int(),
        p: z.number().int(),
        salt: b64url(32),
      })
      .strict(),
    header: ShareHeaderSchema,
    nonce: b64url(32),
    ciphertext: b64url(256),
  })
  .strict()
  .openapi('SealedRecordV1', {
    description:
      'Sealed recovery record v1 (header.role 3, answer only) as produced by @trine/core/seal.',
  });

export const SealedV2Schema = z
  .object({
    v: z.literal(2),
    alg: z.string().max(16),
    kdf: SealedV1Schema.shape.kdf,
    header: ShareHeaderSchema,
    realms: z
      .object({
        scheme: z.string().max(32),
        threshold: z.number().int(),
        ids: z.array(z.string().max(128)).max(7),
        epoch: z.number().int(),
      })
      .strict(),
    nonce: b64url(32),
    ciphertext: b64url(256),
  })
  .strict()
  .openapi('SealedRecordV2', {
    description:
      "Sealed recovery record v2 (docs/realms.md): sealed under the answer and the realms' unlock key.",
  });

/** v1 or v2; http/shares.ts then checks either strictly. */
export const SealedSchema = z.union([SealedV1Schema, SealedV2Schema]).openapi('SealedRecord');

/** base64url Ed25519 public key; http/management.ts checks it (422 invalid_management_key). */
const ManagementKeySchema = z.string().max(64).openapi({
  description: "base64url of the wallet's 32-byte Ed25519 management public key (docs/realms.md)",
});

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'lower-case UUID');
const keyId = z.string().regex(/^(?:[0-9a-f]{2}){8,64}$/, 'lower-case hex, 8 to 64 bytes');
const bech32 = z
  .string()
  .max(200)
  .regex(/^[a-z_]+1[02-9ac-hj-np-z]{6,190}$/, 'bech32');
export const QuestionSchema = z
  .string()
  .min(1)
  .max(256)
  .refine((q) => q.trim().length > 0 && !/\p{Cc}/u.test(q), 'printable text');

export const RecoverySchema = z.object({ question: QuestionSchema, sealed: SealedSchema }).strict();

export const CreateWalletSchema = z
  .object({
    walletId: uuid,
    keyId,
    network: z.enum(NETWORKS),
    addresses: z.object({ base: bech32, reward: bech32 }).strict(),
    epoch: z.literal(1),
    authShare: EnvelopeSchema,
    recovery: RecoverySchema,
    /** Required (422 management_key_required); optional here so that is the answer. */
    managementKey: ManagementKeySchema.optional(),
  })
  .strict()
  .openapi('CreateWallet');

export const ReshareSchema = z
  .object({
    expectedEpoch: z.number().int().min(1).max(2_147_483_646),
    epoch: z.number().int().min(2).max(2_147_483_647),
    authShare: EnvelopeSchema,
    recovery: RecoverySchema.optional(),
    /**
     * Registers the key on a legacy wallet's first re-share; on any other it must equal
     * the registered key (422 management_key_mismatch).
     */
    managementKey: ManagementKeySchema.optional(),
  })
  .strict()
  .openapi('Reshare');

export const CommitSchema = z
  .object({ epoch: z.number().int().min(1).max(2_147_483_647) })
  .strict()
  .openapi('Commit');

/** Optional body of `POST …/wallet/recovery`: which epoch's record (default: current). */
export const RecoveryRequestSchema = z
  .object({ epoch: z.number().int().min(1).max(2_147_483_647).optional() })
  .strict()
  .openapi('RecoveryRequest');

export const EpochQuery = z.object({
  epoch: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'a positive decimal epoch')
    .optional()
    .openapi({ param: { name: 'epoch', in: 'query' }, example: '2' }),
});

export const RealmSchema = z
  .object({ id: z.string(), url: z.string(), publicKey: z.string() })
  .openapi('Realm');

export const WalletMetadataSchema = z
  .object({
    walletId: z.string(),
    keyId: z.string(),
    network: z.string(),
    addresses: z.object({ base: z.string(), reward: z.string() }),
    epoch: z.number(),
    recoveryEpoch: z.number().openapi({
      description:
        'epoch of the stored sealed recovery record, stored on its own; always equals epoch (a re-share must renew the recovery share), so a mismatch would reveal a mixed record',
    }),
    question: z.string(),
    managementKey: z.string().nullable().openapi({
      description: 'the registered management public key (base64url); null for a legacy wallet',
    }),
    previousEpoch: z.number().nullable().openapi({
      description:
        'the epoch kept after a re-share until POST …/wallet/commit (its auth share and record stay readable); null when none',
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WalletMetadata');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    code: z.string(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem document with a stable code' });

export const AppIdParam = z.object({
  appId: z
    .string()
    .max(63)
    .openapi({ param: { name: 'appId', in: 'path' }, example: 'dev' }),
});

export const EventSchema = z
  .object({
    id: z.number().openapi({ description: 'pass as `before` to page on (per kind)' }),
    action: z.string().openapi({
      description:
        'security: wallet.create, recovery.read, auth_share.read_previous, shares.reshare, wallet.commit, wallet.delete; reads: auth_share.read',
    }),
    epoch: z.number().nullable(),
    at: z.string().openapi({ description: 'ISO 8601 time of the event' }),
    ip: z.string().nullable(),
    walletId: z
      .string()
      .nullable()
      .openapi({ description: 'kept from the earlier response shape' }),
    createdAt: z.string().openapi({ description: 'kept from the earlier response shape (= at)' }),
  })
  .openapi('AuditEvent');

export const EventsPageSchema = z
  .object({
    events: z.array(EventSchema),
    next: z
      .number()
      .nullable()
      .openapi({ description: 'the `before` of the next (older) page; null: no more' }),
  })
  .openapi('AuditEventsPage');

/** `GET …/wallet/events` query: kind (default security), before (an id), limit (1..100, 50). */
export const EventsQuery = z.object({
  kind: z
    .enum(['security', 'reads'])
    .optional()
    .openapi({ param: { name: 'kind', in: 'query' }, example: 'security' }),
  before: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'a positive decimal event id')
    .optional()
    .openapi({ param: { name: 'before', in: 'query' }, example: '120' }),
  limit: z
    .string()
    .regex(/^(100|[1-9][0-9]?)$/, 'an integer from 1 to 100')
    .optional()
    .openapi({ param: { name: 'limit', in: 'query' }, example: '50' }),
});
