/**
 * @module http/schemas — zod schemas of the realm API (request validation and the OpenAPI
 * document). Shapes and size caps only: exact byte lengths, canonical base64url and the
 * group element are checked by the handlers, which name the field and never echo it.
 * Component names start with `Realm` so a vault that mounts the realm keeps its own.
 */
import { z } from '@hono/zod-openapi';

const b64url = (maxChars: number) =>
  z
    .string()
    .max(maxChars)
    .regex(/^[A-Za-z0-9_-]*$/, 'base64url');

export const AppIdParam = z.object({
  appId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an app id')
    .openapi({ param: { name: 'appId', in: 'path' }, example: 'dev' }),
});

const walletId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'lower-case UUID');
const epoch = z.number().int().min(1).max(2_147_483_647);
const realmId = z
  .string()
  .max(64)
  .openapi({ description: 'When given, must be this realm’s id (binds a signed body to it).' });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    code: z.string(),
  })
  .openapi('RealmProblem', { description: 'RFC 9457 problem document with a stable `code`.' });

export const RealmInfoSchema = z
  .object({
    realmId: z.string(),
    suite: z.literal('ristretto255-SHA512'),
    mode: z.literal('poprf'),
    publicKey: z.string().openapi({ description: 'base64url ristretto255 element (32 bytes)' }),
  })
  .openapi('RealmInfo');

export const RegistrationSchema = z
  .object({
    walletId: z.string(),
    epochs: z.array(z.number()),
    guesses: z.number(),
    guessLimit: z.number(),
    locked: z.boolean(),
    lastWrongAt: z.string().nullable(),
    lastUnlockAt: z.string().nullable(),
    managementKey: z.string(),
  })
  .openapi('RealmRegistration');

export const PutRegistrationSchema = z
  .object({
    walletId,
    epoch,
    maskedShare: b64url(44).openapi({ description: 'base64url, 33 bytes: u_i XOR pad_i' }),
    unlockTag: b64url(43).openapi({ description: 'base64url, 32 bytes: HMAC(U, …)' }),
    managementKey: b64url(43).openapi({ description: 'base64url Ed25519 public key, 32 bytes' }),
    realmId: realmId.optional(),
  })
  .strict()
  .openapi('RealmPutRegistration');

export const CommitSchema = z
  .object({ epoch, realmId: realmId.optional() })
  .strict()
  .openapi('RealmCommit');

export const EvaluateSchema = z
  .object({
    walletId,
    epoch,
    blinded: b64url(64).openapi({ description: 'base64url ristretto255 element (32 bytes)' }),
  })
  .strict()
  .openapi('RealmEvaluate');

export const EvaluationSchema = z
  .object({
    evaluated: z.string(),
    proof: z.string().openapi({ description: 'base64url DLEQ proof (64 bytes), RFC 9497 §2.2' }),
    maskedShare: z.string().nullable(),
    guesses: z.number(),
    guessLimit: z.number(),
    counted: z.boolean(),
  })
  .openapi('RealmEvaluation');

export const UnlockSchema = z
  .object({ walletId, epoch, unlockTag: b64url(43) })
  .strict()
  .openapi('RealmUnlock');

export const UnlockedSchema = z
  .object({ wrongGuesses: z.number(), since: z.string() })
  .openapi('RealmUnlocked');
