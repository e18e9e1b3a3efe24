/**
 * @module http/routes/wallet — the per-user wallet resources of DESIGN.md §5:
 * create, metadata, auth share, sealed recovery record, re-share, delete, events.
 * The auth share and the sealed record are separate resources with separate limits
 * and audit events; no response ever carries both (DESIGN.md §2.3).
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerToken } from '@trine/server-kit/token';
import type { Context } from 'hono';
import type { AppConfig } from '../../apps/registry.ts';
import type { Caller } from '../../db/wallet-store.ts';
import { bucketKey, hit, type Limit } from '../../limits/rate-limit.ts';
import type { Env, Services } from '../context.ts';
import { keepRawBody, managementAuth, parseManagementKey } from '../management.ts';
import { ApiError } from '../problem.ts';
import {
  AppIdParam,
  CommitSchema,
  CreateWalletSchema,
  EnvelopeSchema,
  EpochQuery,
  EventsPageSchema,
  EventsQuery,
  ProblemSchema,
  QuestionSchema,
  RecoveryRequestSchema,
  ReshareSchema,
  SealedSchema,
  WalletMetadataSchema,
} from '../schemas.ts';
import { checkShares } from '../shares.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});
const errors = {
  400: problem('invalid_body'),
  401: problem('unauthorized'),
  403: problem('forbidden_origin'),
  404: problem('app_not_found / not_found'),
  429: problem('rate_limited'),
};
const security = [{ bearer: [] }];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const base = '/v1/apps/{appId}/wallet';

const createWallet = createRoute({
  method: 'post',
  path: base,
  security,
  request: {
    params: AppIdParam,
    body: { content: { 'application/json': { schema: CreateWalletSchema } }, required: true },
  },
  responses: {
    201: json(WalletMetadataSchema, 'created'),
    ...errors,
    409: problem('wallet_exists'),
    413: problem('body_too_large'),
    422: problem(
      'invalid_share / invalid_sealed / share_mismatch / network_not_allowed / management_key_required / invalid_management_key',
    ),
  },
});

/** The signature headers of docs/realms.md, for the OpenAPI document. */
const signedHeaders = z.object({
  'trine-mgmt-time': z.string().optional().openapi({ description: 'unix seconds' }),
  'trine-mgmt-nonce': z
    .string()
    .optional()
    .openapi({ description: 'base64url of 16 random bytes, never reused' }),
  'trine-mgmt-signature': z.string().optional().openapi({
    description:
      'base64url Ed25519 signature by the management key over the docs/realms.md message',
  }),
});
const signatureProblems = {
  401: problem(
    'unauthorized / management_signature_required / management_signature_invalid / management_signature_expired / management_signature_replayed',
  ),
};

const getWallet = createRoute({
  method: 'get',
  path: base,
  security,
  request: { params: AppIdParam },
  responses: { 200: json(WalletMetadataSchema, 'public metadata; no share'), ...errors },
});

const getAuthShare = createRoute({
  method: 'get',
  path: `${base}/auth-share`,
  security,
  description:
    'The auth share of the current epoch, or with ?epoch=N of the previous epoch while it is kept (until commit).',
  request: { params: AppIdParam, query: EpochQuery },
  responses: {
    200: json(
      z.object({ epoch: z.number(), authShare: EnvelopeSchema }),
      'the auth share (audited)',
    ),
    ...errors,
    404: problem('app_not_found / not_found / epoch_not_found'),
  },
});

const postRecovery = createRoute({
  method: 'post',
  path: `${base}/recovery`,
  security,
  description:
    "The sealed recovery record (audited, strict per-wallet and per-IP limits). POST so it is never cached. Optional JSON body {epoch}: the previous epoch's record while it is kept; no body (or {}) = the current record.",
  request: { params: AppIdParam },
  responses: {
    200: json(
      z.object({ epoch: z.number(), question: QuestionSchema, sealed: SealedSchema }),
      'the sealed recovery record',
    ),
    ...errors,
    404: problem('app_not_found / not_found / epoch_not_found'),
  },
});

const putShares = createRoute({
  method: 'put',
  path: `${base}/shares`,
  security,
  description:
    'Re-share: compare-and-swap from expectedEpoch to epoch = expectedEpoch + 1, atomic; signed by the management key (expectedEpoch in the signed message). The replaced epoch stays readable until POST …/wallet/commit. `recovery` is required in practice (422 recovery_required without it): a new 2-of-3 split renews all three shares, and an old-epoch recovery share could never be combined with the new auth share (DESIGN §2 invariant 8). A legacy wallet (no management key) may re-share once unsigned when the body registers `managementKey`.',
  request: {
    params: AppIdParam,
    headers: signedHeaders,
    body: { content: { 'application/json': { schema: ReshareSchema } }, required: true },
  },
  responses: {
    200: json(WalletMetadataSchema, 'the new metadata'),
    ...errors,
    ...signatureProblems,
    409: problem('stale_epoch'),
    413: problem('body_too_large'),
    422: problem(
      'invalid_share / invalid_sealed / share_mismatch / bad_epoch / recovery_required / management_key_required / invalid_management_key / management_key_mismatch',
    ),
  },
});

const commitEpoch = createRoute({
  method: 'post',
  path: `${base}/commit`,
  security,
  description:
    'The new epoch is in place everywhere: drop the kept previous epoch. Signed (expectedEpoch = epoch). Nothing kept: a no-op.',
  request: {
    params: AppIdParam,
    headers: signedHeaders,
    body: { content: { 'application/json': { schema: CommitSchema } }, required: true },
  },
  responses: {
    200: json(WalletMetadataSchema, 'the metadata (previousEpoch null)'),
    ...errors,
    ...signatureProblems,
    409: problem('stale_epoch'),
    422: problem('management_key_required'),
  },
});

const deleteWallet = createRoute({
  method: 'delete',
  path: base,
  security,
  description:
    'Signed by the management key (expectedEpoch "-" in the signed message). A legacy wallet (no management key) is deleted with the JWT alone.',
  request: { params: AppIdParam, headers: signedHeaders },
  responses: { 204: { description: 'deleted (audited)' }, ...errors, ...signatureProblems },
});

const getEvents = createRoute({
  method: 'get',
  path: `${base}/events`,
  security,
  description:
    "The caller's own events, newest first, one kind per request: `security` (default; kept for good) or `reads` (routine auth-share reads, kept 90 days, in a table of their own so they can never push a security event out). Page with `before` = the previous page's `next`.",
  request: { params: AppIdParam, query: EventsQuery },
  responses: {
    200: json(EventsPageSchema, "a page of the user's own events"),
    ...errors,
  },
});

/**
 * The epoch asked for in `POST …/wallet/recovery`'s optional body. Older wallets post
 * no body, or `{}`, sometimes with a JSON content type and nothing in it: all of them
 * mean the current record. Not declared as a validated body on the route for that reason
 * (the validator refuses an empty JSON body); the schema is registered for the document.
 */
async function recoveryEpoch(c: Context<Env>): Promise<number | undefined> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError('invalid_body', 'the body is not valid JSON');
  }
  const parsed = RecoveryRequestSchema.safeParse(value);
  if (!parsed.success) {
    throw new ApiError('invalid_body', 'the body must be {} or {"epoch": <positive integer>}');
  }
  return parsed.data.epoch;
}

/** Resolves the app, checks the origin and verifies the JWT (no limit counted). */
async function identify(
  s: Services,
  c: Context<Env>,
  appId: string,
): Promise<{ app: AppConfig; who: Caller }> {
  const app = await s.registry.get(appId);
  if (!app) throw new ApiError('app_not_found', 'no such app');
  const origin = c.req.header('origin');
  if (origin !== undefined && !s.walletOrigins.includes(origin)) {
    // Only the wallet (served from the vault's origin) calls these from a browser.
    throw new ApiError('forbidden_origin', 'this origin may not call the wallet API');
  }
  const user = await s.verifier.verify(bearerToken(c.req.header('authorization')), app.issuers);
  const who: Caller = {
    appId: app.id,
    userKey: user.userKey,
    ip: c.get('ip'),
    requestId: c.get('requestId'),
  };
  return { app, who };
}

/** The per-user bucket of every authenticated request. */
const userBucket = (who: Caller) => `user|${who.appId}|${who.userKey}`;

/** Resolves the app, checks the origin, verifies the JWT and counts the user's request. */
async function authenticate(
  s: Services,
  c: Context<Env>,
  appId: string,
): Promise<{ app: AppConfig; who: Caller }> {
  const found = await identify(s, c, appId);
  await hit(s.database.db, userBucket(found.who), s.limits.user);
  return found;
}

export function registerWalletRoutes(api: OpenAPIHono<Env>, s: Services): void {
  // The signed routes keep the exact body bytes before the JSON validator parses them.
  api.on('PUT', '/v1/apps/:appId/wallet/shares', keepRawBody());
  api.on('POST', '/v1/apps/:appId/wallet/commit', keepRawBody());
  api.on('DELETE', '/v1/apps/:appId/wallet', keepRawBody());
  api.openAPIRegistry.register('RecoveryRequest', RecoveryRequestSchema);

  api.openapi(createWallet, async (c) => {
    const { app, who } = await authenticate(s, c, c.req.valid('param').appId);
    const body = c.req.valid('json');
    if (!app.networks.includes(body.network)) {
      throw new ApiError(
        'network_not_allowed',
        `network ${body.network} is not enabled for this app`,
      );
    }
    const testnet = body.network !== 'mainnet';
    const { base, reward } = body.addresses;
    if (
      !base.startsWith(testnet ? 'addr_test1' : 'addr1') ||
      !reward.startsWith(testnet ? 'stake_test1' : 'stake1')
    ) {
      throw new ApiError(
        'invalid_body',
        `addresses must be ${body.network} base and reward addresses`,
      );
    }
    if (body.managementKey === undefined) {
      throw new ApiError(
        'management_key_required',
        "managementKey (the wallet's Ed25519 management public key) is required",
      );
    }
    const managementKey = parseManagementKey(body.managementKey);
    const shares = checkShares({
      walletId: body.walletId,
      keyId: body.keyId,
      epoch: body.epoch,
      authShare: body.authShare,
      sealed: body.recovery.sealed,
    });
    const meta = await s.wallets.create(who, {
      walletId: body.walletId,
      keyId: body.keyId,
      network: body.network,
      addresses: body.addresses,
      epoch: body.epoch,
      authShare: shares.authShare,
      question: body.recovery.question,
      sealed: shares.sealed!,
      sealedV: shares.sealedV!,
      managementKey,
    });
    return c.json(meta, 201);
  });

  api.openapi(getWallet, async (c) => {
    const { who } = await authenticate(s, c, c.req.valid('param').appId);
    return c.json(await s.wallets.metadata(who), 200);
  });

  api.openapi(getAuthShare, async (c) => {
    // The hot path (issue 13): one statement counts the IP (deferred here by http/app.ts)
    // and the user, reads and audits. A request refused before it (app, origin, token)
    // leaves `ipDeferred` set, and the middleware counts the IP after the handler.
    const { who } = await identify(s, c, c.req.valid('param').appId);
    const q = c.req.valid('query').epoch;
    const lim = (bucket: string, l: Limit) => ({ key: bucketKey(bucket, l), ...l });
    const ip = c.get('ipDeferred') ? lim(`ip|${who.ip}`, s.limits.ip) : null;
    c.set('ipDeferred', false);
    const r = await s.wallets.authShare(who, q === undefined ? undefined : Number(q), {
      ip,
      user: lim(userBucket(who), s.limits.user),
    });
    c.header('cache-control', 'no-store');
    return c.json({ epoch: r.epoch, authShare: JSON.parse(r.authShare) }, 200);
  });

  api.openapi(postRecovery, async (c) => {
    const appId = c.req.valid('param').appId;
    // The optional body is checked first, like every body (before the token and limits).
    const epoch = await recoveryEpoch(c);
    const app = await s.registry.get(appId);
    if (!app) throw new ApiError('app_not_found', 'no such app');
    // The per-IP recovery limit counts before the token is checked, so token guessing
    // from one address is throttled too.
    await hit(s.database.db, `recovery-ip|${c.get('ip')}`, s.limits.recoveryIp);
    const { who } = await authenticate(s, c, appId);
    await hit(s.database.db, `recovery-user|${who.appId}|${who.userKey}`, s.limits.recoveryUser);
    const r = await s.wallets.recovery(who, epoch);
    c.header('cache-control', 'no-store');
    return c.json({ epoch: r.epoch, question: r.question, sealed: JSON.parse(r.sealed) }, 200);
  });

  api.openapi(putShares, async (c) => {
    const { who } = await authenticate(s, c, c.req.valid('param').appId);
    const body = c.req.valid('json');
    if (body.epoch !== body.expectedEpoch + 1) {
      throw new ApiError('bad_epoch', 'epoch must be expectedEpoch + 1');
    }
    // DESIGN §5 marks `recovery` optional, but a re-share is a fresh split: the stored
    // recovery share of the old epoch would no longer combine with the new auth share,
    // and losing the device would then lose the wallet (invariant 8). So we refuse.
    if (!body.recovery) {
      throw new ApiError(
        'recovery_required',
        'a re-share must include the new recovery share (recovery.question and recovery.sealed)',
      );
    }
    const shares = checkShares({
      epoch: body.epoch,
      authShare: body.authShare,
      sealed: body.recovery.sealed,
    });
    const managementKey =
      body.managementKey === undefined ? undefined : parseManagementKey(body.managementKey);
    const meta = await s.wallets.reshare(
      who,
      {
        expectedEpoch: body.expectedEpoch,
        epoch: body.epoch,
        walletId: shares.walletId,
        keyId: shares.keyId,
        authShare: shares.authShare,
        recovery: {
          question: body.recovery.question,
          sealed: shares.sealed!,
          sealedV: shares.sealedV!,
        },
        managementKey,
      },
      managementAuth(c),
    );
    return c.json(meta, 200);
  });

  api.openapi(commitEpoch, async (c) => {
    const { who } = await authenticate(s, c, c.req.valid('param').appId);
    const body = c.req.valid('json');
    return c.json(await s.wallets.commit(who, body.epoch, managementAuth(c)), 200);
  });

  api.openapi(deleteWallet, async (c) => {
    const { who } = await authenticate(s, c, c.req.valid('param').appId);
    await s.wallets.remove(who, managementAuth(c));
    return c.body(null, 204);
  });

  api.openapi(getEvents, async (c) => {
    const { who } = await authenticate(s, c, c.req.valid('param').appId);
    const q = c.req.valid('query');
    const page = await s.wallets.events(who, {
      kind: q.kind ?? 'security',
      before: q.before === undefined ? undefined : Number(q.before),
      limit: q.limit === undefined ? 50 : Number(q.limit),
    });
    return c.json(page, 200);
  });
}
