/**
 * @module http/routes/registration — the per-user realm resources of docs/realms.md:
 * the registration (read, register / re-arm, commit, delete), the counted evaluation and
 * the unlock. The user is `(iss, sub)` of the verified token; the app is the path's, so
 * a realm never shows or changes another app's or another user's registration.
 *
 * Order inside every handler: authenticate → decode and check the body (hostile input
 * stops here, before any state is touched) → one transaction that locks the registration
 * row, checks the management signature and records its nonce, then changes state.
 * An evaluation is computed only after the transaction that counted it has committed.
 */
import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi';
import { ed25519 } from '@noble/curves/ed25519.js';
import { equalBytes, fromBase64Url, toBase64Url } from '@trine/core/bytes';
import { bearerToken, type VerifiedUser } from '@trine/server-kit/token';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import type { RealmApp } from '../../apps/registry.ts';
import {
  blindEvaluate,
  checkBlindedElement,
  InvalidElementError,
  poprfInfo,
} from '../../crypto/oprf.ts';
import type { Tx } from '../../db/open.ts';
import {
  countGuess,
  deleteRegistration,
  dropEpochsBelow,
  epochsOf,
  insertRegistration,
  lockRegistration,
  MAX_EPOCHS,
  type Registration,
  readRegistration,
  rearm,
  resetAfterUnlock,
  type Who,
} from '../../db/registrations.ts';
import { epochs } from '../../db/schema.ts';
import { hit } from '../../limits/rate-limit.ts';
import type { Env, RealmDeps } from '../context.ts';
import { ApiError } from '../problem.ts';
import {
  AppIdParam,
  CommitSchema,
  EvaluateSchema,
  EvaluationSchema,
  ProblemSchema,
  PutRegistrationSchema,
  RegistrationSchema,
  UnlockedSchema,
  UnlockSchema,
} from '../schemas.ts';
import { checkSignature, consumeNonce, hasSignature } from '../signature.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});
const errors = {
  400: problem('invalid_body'),
  401: problem('unauthorized'),
  403: problem('forbidden_origin'),
  404: problem('app_not_found / registration_not_found'),
  429: problem('rate_limited'),
};
const signedErrors = {
  ...errors,
  401: problem('unauthorized / management_signature_required / _invalid / _expired / _replayed'),
};
const security = [{ bearer: [] }];
const signedSecurity = [{ bearer: [], managementSignature: [] }];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

const base = '/v1/apps/{appId}/registration';

const getRegistration = createRoute({
  method: 'get',
  path: base,
  security,
  request: { params: AppIdParam },
  responses: { 200: json(RegistrationSchema, 'the registration (no share, no tag)'), ...errors },
});

const putRegistration = createRoute({
  method: 'put',
  path: base,
  security: signedSecurity,
  description:
    'Registers an epoch. The first registration needs no signature; any later one is signed by the registered management key with expectedEpoch = the latest epoch held. Resets the guess counter and unlocks. Earlier epochs are kept until commit.',
  request: { params: AppIdParam, ...body(PutRegistrationSchema) },
  responses: {
    201: json(RegistrationSchema, 'registered (first registration)'),
    200: json(RegistrationSchema, 're-registered (or the same registration again)'),
    ...signedErrors,
    409: problem('registration_mismatch / stale_epoch / too_many_epochs'),
    413: problem('body_too_large'),
    415: problem('unsupported_media_type'),
    422: problem('invalid_management_key / realm_mismatch'),
  },
});

const commitRegistration = createRoute({
  method: 'post',
  path: `${base}/commit`,
  security: signedSecurity,
  description:
    'Signed (expectedEpoch = the latest epoch held): drops the epochs below `epoch`, which must be held.',
  request: { params: AppIdParam, ...body(CommitSchema) },
  responses: {
    200: json(RegistrationSchema, 'committed'),
    ...signedErrors,
    404: problem('registration_not_found / epoch_not_found'),
    413: problem('body_too_large'),
    415: problem('unsupported_media_type'),
    422: problem('realm_mismatch'),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: base,
  security: signedSecurity,
  description: 'Signed (expectedEpoch "-"): deletes the registration and every epoch.',
  request: { params: AppIdParam },
  responses: { 204: { description: 'deleted' }, ...signedErrors },
});

const evaluate = createRoute({
  method: 'post',
  path: '/v1/apps/{appId}/evaluate',
  security,
  description:
    'POPRF BlindEvaluate (RFC 9497 §3.3.3). Against an existing registration the guess is counted before the evaluation, atomically; at the limit: 423 registration_locked. Not counted (but rate-limited per user): no registration yet, or a request signed by the management key (expectedEpoch = the body’s epoch).',
  request: { params: AppIdParam, ...body(EvaluateSchema) },
  responses: {
    200: json(EvaluationSchema, 'the evaluated element, its proof and the masked share'),
    ...signedErrors,
    400: problem('invalid_body / invalid_element'),
    404: problem('app_not_found / epoch_not_found'),
    409: problem('registration_mismatch'),
    413: problem('body_too_large'),
    415: problem('unsupported_media_type'),
    423: problem('registration_locked'),
  },
});

const unlock = createRoute({
  method: 'post',
  path: '/v1/apps/{appId}/unlock',
  security,
  description:
    'The right unlock tag (constant-time compare) resets the counter and returns the wrong attempts before it since the last unlock or registration; a wrong one is 403 unlock_tag_wrong and changes nothing.',
  request: { params: AppIdParam, ...body(UnlockSchema) },
  responses: {
    200: json(UnlockedSchema, 'unlocked'),
    ...errors,
    403: problem('unlock_tag_wrong / forbidden_origin'),
    404: problem('registration_not_found / epoch_not_found'),
    409: problem('registration_mismatch'),
    413: problem('body_too_large'),
    415: problem('unsupported_media_type'),
  },
});

interface Caller {
  app: RealmApp;
  user: VerifiedUser;
  who: Who;
}

/** Resolves the app, checks the origin, verifies the JWT and counts the user's request. */
async function authenticate(s: RealmDeps, c: Context<Env>, appId: string): Promise<Caller> {
  const app = s.apps.get(appId);
  if (!app) throw new ApiError('app_not_found', 'no such app');
  const origin = c.req.header('origin');
  if (origin !== undefined && !s.walletOrigins.includes(origin)) {
    throw new ApiError('forbidden_origin', 'this origin may not call the realm');
  }
  const user = await s.verifier.verify(bearerToken(c.req.header('authorization')), app.issuers);
  const who = { appId: app.id, userKey: user.userKey };
  await hit(s.database.db, `user|${app.id}|${user.userKey}`, s.limits.user);
  return { app, user, who };
}

/** Decodes a canonical base64url field of exactly `length` bytes, or 400 invalid_body. */
function bytesOf(value: string, length: number, field: string): Uint8Array {
  let out: Uint8Array;
  try {
    out = fromBase64Url(value, field);
  } catch {
    throw new ApiError('invalid_body', `${field}: not canonical base64url`);
  }
  if (out.length !== length)
    throw new ApiError('invalid_body', `${field}: must be ${length} bytes`);
  return out;
}

/** A management key must be an Ed25519 point of large order (RFC 8032 §5.1.3 decoding). */
function checkManagementKey(value: string): void {
  const bytes = bytesOf(value, 32, 'managementKey');
  try {
    const p = ed25519.Point.fromBytes(bytes);
    if (p.isSmallOrder()) throw new Error('small order');
  } catch {
    throw new ApiError(
      'invalid_management_key',
      'managementKey is not a usable Ed25519 public key',
    );
  }
}

function checkRealmId(s: RealmDeps, realmId: string | undefined): void {
  if (realmId !== undefined && realmId !== s.realmId) {
    throw new ApiError('realm_mismatch', 'the body names another realm');
  }
}

function checkWallet(reg: Registration, walletId: string): void {
  if (reg.walletId !== walletId) {
    throw new ApiError(
      'registration_mismatch',
      'this user’s registration at this realm belongs to another wallet',
    );
  }
}

async function epochRow(tx: Tx, who: Who, epoch: number) {
  const rows = await tx
    .select()
    .from(epochs)
    .where(
      and(eq(epochs.appId, who.appId), eq(epochs.userKey, who.userKey), eq(epochs.epoch, epoch)),
    );
  return rows[0] ?? null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The public view of a registration (no masked share, no tag). */
function view(reg: Registration, held: readonly number[], app: RealmApp) {
  return {
    walletId: reg.walletId,
    epochs: [...held],
    guesses: reg.guesses,
    guessLimit: app.guessLimit,
    locked: reg.guesses >= app.guessLimit,
    // Counted evaluations not (yet) followed by the right unlock tag are shown as wrong.
    lastWrongAt: iso(reg.guesses > 0 ? reg.lastGuessAt : reg.lastWrongAt),
    lastUnlockAt: iso(reg.lastUnlockAt),
    managementKey: reg.managementKey,
  };
}

async function currentView(s: RealmDeps, who: Who, app: RealmApp) {
  const found = await readRegistration(s.database.db, who);
  if (!found) throw new ApiError('registration_not_found', 'no registration for this user');
  return view(found.reg, found.epochs, app);
}

export function registerRegistrationRoutes(api: OpenAPIHono<Env>, s: RealmDeps): void {
  const db = s.database.db;
  const apiPath = (appId: string, tail: string) => `/v1/apps/${appId}${tail}`;

  api.openapi(getRegistration, async (c) => {
    const { app, who } = await authenticate(s, c, c.req.valid('param').appId);
    return c.json(await currentView(s, who, app), 200);
  });

  api.openapi(putRegistration, async (c) => {
    const { app, who } = await authenticate(s, c, c.req.valid('param').appId);
    const b = c.req.valid('json');
    checkRealmId(s, b.realmId);
    bytesOf(b.maskedShare, 33, 'maskedShare');
    bytesOf(b.unlockTag, 32, 'unlockTag');
    checkManagementKey(b.managementKey);
    const e = { epoch: b.epoch, maskedShare: b.maskedShare, unlockTag: b.unlockTag };

    const created = await db.transaction(async (tx) => {
      let reg = await lockRegistration(tx, who);
      if (!reg) {
        if (await insertRegistration(tx, who, b.walletId, b.managementKey, e)) return true;
        // A concurrent first registration won: this one is now a re-registration.
        reg = await lockRegistration(tx, who);
        if (!reg) throw new Error('registration vanished under its lock');
      }
      const held = await epochsOf(tx, who);
      const latest = held.at(-1);
      // The same first registration sent again (a retried create): nothing to change.
      const sameAsStored =
        held.length === 1 &&
        latest?.epoch === b.epoch &&
        latest.maskedShare === b.maskedShare &&
        latest.unlockTag === b.unlockTag &&
        reg.walletId === b.walletId &&
        reg.managementKey === b.managementKey;
      if (sameAsStored && !hasSignature(c)) return false;
      const sig = checkSignature(c, {
        managementKey: reg.managementKey,
        appId: who.appId,
        walletId: reg.walletId,
        expectedEpoch: latest?.epoch ?? null,
        body: c.get('rawBody'),
        apiPath: apiPath(who.appId, '/registration'),
      });
      checkWallet(reg, b.walletId);
      if (latest && b.epoch < latest.epoch) {
        throw new ApiError('stale_epoch', `epoch ${b.epoch} is below the latest epoch held`);
      }
      if (!held.some((h) => h.epoch === b.epoch) && held.length >= MAX_EPOCHS) {
        throw new ApiError('too_many_epochs', `at most ${MAX_EPOCHS} epochs are held; commit one`);
      }
      await consumeNonce(tx, sig.nonce, sig.time);
      await rearm(tx, who, b.managementKey, e);
      return false;
    });
    s.logger.info(
      { reqId: c.get('requestId'), appId: who.appId, event: 'registration.put', created },
      'realm event',
    );
    return c.json(await currentView(s, who, app), created ? 201 : 200);
  });

  api.openapi(commitRegistration, async (c) => {
    const { app, who } = await authenticate(s, c, c.req.valid('param').appId);
    const b = c.req.valid('json');
    checkRealmId(s, b.realmId);
    await db.transaction(async (tx) => {
      const reg = await lockRegistration(tx, who);
      if (!reg) throw new ApiError('registration_not_found', 'no registration for this user');
      const held = await epochsOf(tx, who);
      const sig = checkSignature(c, {
        managementKey: reg.managementKey,
        appId: who.appId,
        walletId: reg.walletId,
        expectedEpoch: held.at(-1)?.epoch ?? null,
        body: c.get('rawBody'),
        apiPath: apiPath(who.appId, '/registration/commit'),
      });
      // Never drop the old epochs for one this realm does not hold (a replayed or
      // misdirected commit must not leave the user with nothing).
      if (!held.some((h) => h.epoch === b.epoch)) {
        throw new ApiError('epoch_not_found', `epoch ${b.epoch} is not held by this realm`);
      }
      await consumeNonce(tx, sig.nonce, sig.time);
      await dropEpochsBelow(tx, who, b.epoch);
    });
    s.logger.info(
      { reqId: c.get('requestId'), appId: who.appId, event: 'registration.commit' },
      'realm event',
    );
    return c.json(await currentView(s, who, app), 200);
  });

  api.openapi(deleteRoute, async (c) => {
    const { who } = await authenticate(s, c, c.req.valid('param').appId);
    await db.transaction(async (tx) => {
      const reg = await lockRegistration(tx, who);
      if (!reg) throw new ApiError('registration_not_found', 'no registration for this user');
      const sig = checkSignature(c, {
        managementKey: reg.managementKey,
        appId: who.appId,
        walletId: reg.walletId,
        expectedEpoch: null,
        body: c.get('rawBody'),
        apiPath: apiPath(who.appId, '/registration'),
      });
      await consumeNonce(tx, sig.nonce, sig.time);
      await deleteRegistration(tx, who);
    });
    s.logger.info(
      { reqId: c.get('requestId'), appId: who.appId, event: 'registration.delete' },
      'realm event',
    );
    return c.body(null, 204);
  });

  api.openapi(evaluate, async (c) => {
    const { app, user, who } = await authenticate(s, c, c.req.valid('param').appId);
    const b = c.req.valid('json');
    let blinded: Uint8Array;
    try {
      blinded = fromBase64Url(b.blinded, 'blinded');
    } catch {
      throw new ApiError('invalid_body', 'blinded: not canonical base64url');
    }
    try {
      checkBlindedElement(blinded);
    } catch (e) {
      if (e instanceof InvalidElementError) throw new ApiError('invalid_element', e.message);
      throw e;
    }
    const signed = hasSignature(c);
    const outcome = await db.transaction(async (tx) => {
      const reg = await lockRegistration(tx, who);
      if (!reg) {
        // Nothing to guess at (and the salt of a later registration is new): not counted.
        await hit(tx, `free-eval|${app.id}|${who.userKey}`, s.limits.freeEvaluations);
        return { counted: false, maskedShare: null, guesses: 0 };
      }
      checkWallet(reg, b.walletId);
      if (signed) {
        // The signer can rebuild the secret (a re-share): not a guess.
        const sig = checkSignature(c, {
          managementKey: reg.managementKey,
          appId: who.appId,
          walletId: reg.walletId,
          expectedEpoch: b.epoch,
          body: c.get('rawBody'),
          apiPath: apiPath(who.appId, '/evaluate'),
        });
        await hit(tx, `free-eval|${app.id}|${who.userKey}`, s.limits.freeEvaluations);
        await consumeNonce(tx, sig.nonce, sig.time);
        const row = await epochRow(tx, who, b.epoch);
        return { counted: false, maskedShare: row?.maskedShare ?? null, guesses: reg.guesses };
      }
      const row = await epochRow(tx, who, b.epoch);
      if (!row) throw new ApiError('epoch_not_found', `epoch ${b.epoch} is not held by this realm`);
      const guesses = await countGuess(tx, who, app.guessLimit);
      if (guesses === null) {
        throw new ApiError(
          'registration_locked',
          `this registration is locked after ${app.guessLimit} guesses; recover through the other realms or re-arm from a device`,
        );
      }
      return { counted: true, maskedShare: row.maskedShare, guesses };
    });
    // The guess (if any) is committed; only now is the evaluation computed and released.
    const info = poprfInfo(app.id, user.iss, user.sub, b.walletId);
    const { evaluated, proof } = blindEvaluate(s.keys.secretKey, info, blinded);
    s.logger.info(
      {
        reqId: c.get('requestId'),
        appId: who.appId,
        event: 'evaluate',
        counted: outcome.counted,
        guesses: outcome.guesses,
        guessLimit: app.guessLimit,
      },
      'realm event',
    );
    return c.json(
      {
        evaluated: toBase64Url(evaluated),
        proof: toBase64Url(proof),
        maskedShare: outcome.maskedShare,
        guesses: outcome.guesses,
        guessLimit: app.guessLimit,
        counted: outcome.counted,
      },
      200,
    );
  });

  api.openapi(unlock, async (c) => {
    const { who } = await authenticate(s, c, c.req.valid('param').appId);
    const b = c.req.valid('json');
    const presented = bytesOf(b.unlockTag, 32, 'unlockTag');
    const result = await db.transaction(async (tx) => {
      const reg = await lockRegistration(tx, who);
      if (!reg) throw new ApiError('registration_not_found', 'no registration for this user');
      checkWallet(reg, b.walletId);
      const row = await epochRow(tx, who, b.epoch);
      if (!row) throw new ApiError('epoch_not_found', `epoch ${b.epoch} is not held by this realm`);
      // Constant-time: the stored tag's bytes must not leak through timing.
      if (!equalBytes(fromBase64Url(row.unlockTag, 'unlockTag'), presented)) {
        throw new ApiError('unlock_tag_wrong', 'the unlock tag is wrong; the guess stays counted');
      }
      await resetAfterUnlock(tx, who);
      // The evaluation this unlock follows was the right guess; the others were wrong.
      return { wrongGuesses: Math.max(reg.guesses - 1, 0), since: reg.countingSince.toISOString() };
    });
    s.logger.info(
      {
        reqId: c.get('requestId'),
        appId: who.appId,
        event: 'unlock',
        wrongGuesses: result.wrongGuesses,
      },
      'realm event',
    );
    return c.json(result, 200);
  });
}
