/**
 * @module api — Node-side clients of the production shape, over HTTPS through Caddy
 * (Node's fetch verifies Caddy's certificate: NODE_EXTRA_CA_CERTS is the local CA root),
 * and simulated wallets built with @trine/core exactly as the wallet app builds them:
 * real 2-of-3 splits, the recovery share sealed under an answer, re-shares as
 * compare-and-swap with the wallet's read-back rule for ambiguous failures
 * (apps/wallet/src/reshare.ts), every replace and commit signed with the wallet's
 * management key (apps/vault/README.md "Signed management requests"). A wallet made with
 * `{ realms: true }` also seals its recovery share under the shape's 3 recovery realms
 * (threshold 2) with the wallet app's own realm code (apps/wallet/src/realms.ts, run in
 * Node): register the new epoch at every realm, PUT at the vault, commit at both.
 * `checkRecoverable` is the invariant every fault test ends with: the vault's auth share
 * and sealed recovery record are of one epoch, are the ones this client sent for it, and
 * combine to the wallet's entropy (for a realm wallet: opened through t realms with the
 * answer, as a new device would).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { equalBytes, fromBase64Url, toBase64Url } from '@trine/core/bytes';
import { generateEntropy } from '@trine/core/entropy';
import { encodeEnvelope, type ShareEnvelope } from '@trine/core/envelope';
import { hashAnswer, KDF_FLOOR } from '@trine/core/kdf';
import {
  deriveManagementKey,
  type ManagementKey,
  managementHeaders,
  signManagementRequest,
} from '@trine/core/management-key';
import { openShare, sealShare } from '@trine/core/seal';
import { sealShareV2 } from '@trine/core/seal-v2';
import type { SealedRecord, SealedRecordV2 } from '@trine/core/sealed-record';
import { combineShares, splitSecret } from '@trine/core/shamir';
import { wipe } from '@trine/core/wipe';
import { createRealmClient, tokenIdentity } from '../../apps/wallet/src/realm-client.ts';
import {
  commitRealms,
  openWithRealms,
  type RealmSetup,
  registerAtRealms,
  unlockRealms,
} from '../../apps/wallet/src/realms.ts';
import { REALM_THRESHOLD, type ShapeState } from '../../infra/local/shape.ts';

export interface Reply {
  status: number;
  json: any;
  text: string;
  headers: Headers;
}

export async function idpToken(s: ShapeState, sub: string): Promise<string> {
  const r = await fetch(`${s.idpUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub }),
  });
  if (!r.ok) throw new Error(`token: ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

/** When set, every call() appends `{t, method, path, status, ms}` here (diagnostics). */
export const callLog: {
  on: boolean;
  entries: { t: number; method: string; path: string; status: number; ms: number }[];
} = {
  on: false,
  entries: [],
};

/** One request to the wallet origin (through Caddy). Network failures → status 0. */
export async function call(
  s: ShapeState,
  method: string,
  path: string,
  o: {
    token?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    /** Sign with a management key (over the exact body bytes sent). */
    sign?: { key: ManagementKey; walletId: string; expectedEpoch: number | null };
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: string | undefined = o.raw;
  if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  if (o.sign) {
    const proof = signManagementRequest(o.sign.key.secretKey, {
      method,
      path: path.split('?')[0]!,
      appId: /^\/v1\/apps\/([^/]+)/.exec(path)?.[1] ?? '',
      walletId: o.sign.walletId,
      expectedEpoch: o.sign.expectedEpoch,
      body: new TextEncoder().encode(body ?? ''),
    });
    Object.assign(headers, managementHeaders(proof));
  }
  const started = Date.now();
  const note = (status: number) => {
    if (callLog.on) {
      callLog.entries.push({ t: Date.now(), method, path, status, ms: Date.now() - started });
    }
  };
  try {
    const r = await fetch(`${s.walletUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await r.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {}
    note(r.status);
    return { status: r.status, json, text, headers: r.headers };
  } catch {
    note(0);
    return { status: 0, json: null, text: '', headers: new Headers() };
  }
}

const BECH = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const bech = (n: number) => Array.from(randomBytes(n), (x) => BECH[x % 32]).join('');

interface EpochShares {
  authShare: ShareEnvelope;
  sealed: SealedRecord;
}

/** The realm setup of the shape's app for `walletId` (what the wallet's realmSetup builds). */
export function shapeRealmSetup(s: ShapeState, token: () => string, walletId: string): RealmSetup {
  const { iss, sub } = tokenIdentity(token());
  return {
    client: createRealmClient({ appId: s.appId, getToken: async () => token() }),
    realms: s.realms.map((r) => ({ id: r.id, url: r.url, publicKey: r.publicKey })),
    threshold: REALM_THRESHOLD,
    identity: { appId: s.appId, iss, sub, walletId },
  };
}

/** A wallet driven from Node with real shares. */
export class SimWallet {
  readonly walletId = randomUUID();
  readonly keyId = bytesToHex(randomBytes(28));
  readonly entropy = generateEntropy(32);
  readonly answer = `answer ${randomBytes(6).toString('hex')}`;
  /** The wallet's management key (derived from the entropy, as the wallet does). */
  readonly management: ManagementKey = deriveManagementKey(this.entropy, this.walletId);
  /** Whether the recovery share is sealed under the realms (v2) or the answer alone (v1). */
  realms = false;
  /** Every epoch's shares this client sent (what the vault may hold). */
  readonly sent = new Map<number, EpochShares>();
  /** The epoch the vault acknowledged last (or that a read-back proved). */
  epoch = 0;
  /** Counters of what happened to this wallet's re-shares. */
  readonly outcomes = {
    ok: 0,
    ambiguousCommitted: 0,
    ambiguousNotCommitted: 0,
    stale: 0,
    /** Realm wallets: the new epoch could not be registered at every realm (vault untouched). */
    realmsFailed: 0,
  };

  constructor(
    readonly s: ShapeState,
    readonly user: string,
    public token: string,
  ) {}

  /** The realm setup for this wallet (its current token). */
  realmSetup(): RealmSetup {
    return shapeRealmSetup(this.s, () => this.token, this.walletId);
  }

  static async create(
    s: ShapeState,
    user: string,
    o: { realms?: boolean } = {},
  ): Promise<SimWallet> {
    const w = new SimWallet(s, user, await idpToken(s, user));
    w.realms = o.realms ?? false;
    const shares = await w.prepare(1);
    const r = await call(s, 'POST', `/v1/apps/${s.appId}/wallet`, {
      token: w.token,
      body: {
        walletId: w.walletId,
        keyId: w.keyId,
        network: 'preprod',
        addresses: { base: `addr_test1${bech(98)}`, reward: `stake_test1${bech(53)}` },
        epoch: 1,
        authShare: shares.authShare,
        recovery: { question: 'The answer?', sealed: shares.sealed },
        managementKey: toBase64Url(w.management.publicKey),
      },
    });
    if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text.slice(0, 200)}`);
    w.epoch = 1;
    if (w.realms) await w.commit(1);
    return w;
  }

  /** The management signer the realm client takes (the key stays this wallet's). */
  get signer() {
    return { walletId: this.walletId, secretKey: this.management.secretKey };
  }

  /**
   * Splits for `epoch` and seals the recovery share (KDF floor: tests need speed). A v1
   * wallet re-uses what it sent for that epoch before (a retry sends the same bytes); a
   * realm wallet registers `epoch` at every realm again each time (fresh unlock key: a
   * realm re-registering its latest epoch replaces it), which throws when a realm cannot
   * take part — the vault is not touched then.
   */
  async prepare(epoch: number): Promise<EpochShares> {
    const existing = this.sent.get(epoch);
    if (existing && !this.realms) return existing;
    const sh = await splitSecret(this.entropy, {
      walletId: this.walletId,
      keyId: this.keyId,
      epoch,
    });
    let sealed: SealedRecord;
    if (this.realms) {
      const setup = this.realmSetup();
      const salt = randomBytes(16);
      const h = await hashAnswer(this.answer, salt, KDF_FLOOR);
      let unlockKey: Uint8Array | undefined;
      try {
        unlockKey = await registerAtRealms(
          setup,
          h,
          epoch,
          this.management.publicKey,
          epoch > 1 ? this.signer : undefined,
        );
        sealed = sealShareV2(sh.recovery, {
          h,
          unlockKey,
          kdf: { name: 'argon2id', ...KDF_FLOOR, salt: toBase64Url(salt) },
          realms: { threshold: setup.threshold, ids: setup.realms.map((r) => r.id), epoch },
        });
      } finally {
        wipe(h, unlockKey);
      }
    } else {
      sealed = await sealShare(sh.recovery, this.answer, { kdf: { ...KDF_FLOOR } });
    }
    const out = { authShare: sh.auth, sealed };
    this.sent.set(epoch, out);
    return out;
  }

  /**
   * The wallet's last step of a re-share: signed commit at the vault (drops the kept
   * previous epoch) and, for a realm wallet, at every realm. Best effort, as in the
   * wallet: a failed commit leaves an extra epoch held, never a missing one.
   */
  async commit(epoch: number): Promise<void> {
    const body = { epoch };
    await call(this.s, 'POST', `/v1/apps/${this.s.appId}/wallet/commit`, {
      token: this.token,
      body,
      sign: { key: this.management, walletId: this.walletId, expectedEpoch: epoch },
    });
    if (this.realms) await commitRealms(this.realmSetup(), epoch, this.signer).catch(() => []);
  }

  /**
   * One re-share from the acknowledged epoch, as the wallet does it: 2xx → moved;
   * 409 → stale (someone else moved it: read the epoch back); 5xx / no answer → read
   * the auth share back and compare. Returns the HTTP status of the PUT.
   */
  async reshare(): Promise<number> {
    const from = this.epoch;
    const to = from + 1;
    let shares: EpochShares;
    try {
      shares = await this.prepare(to);
    } catch (e) {
      // A realm wallet whose new epoch could not be registered at t realms (too many down):
      // the wallet stops before the vault, as apps/wallet does. Status 0 = not sent.
      if (!this.realms) throw e;
      this.outcomes.realmsFailed++;
      return 0;
    }
    const r = await call(this.s, 'PUT', `/v1/apps/${this.s.appId}/wallet/shares`, {
      token: this.token,
      body: {
        expectedEpoch: from,
        epoch: to,
        authShare: shares.authShare,
        recovery: { question: 'The answer?', sealed: shares.sealed },
      },
      sign: { key: this.management, walletId: this.walletId, expectedEpoch: from },
    });
    if (r.status === 200) {
      this.epoch = to;
      this.outcomes.ok++;
      await this.commit(to);
    } else if (r.status === 409) {
      this.outcomes.stale++;
      await this.settle();
    } else if (r.status === 0 || r.status >= 500) {
      await this.settle();
      if (this.epoch === to) this.outcomes.ambiguousCommitted++;
      else this.outcomes.ambiguousNotCommitted++;
    } else {
      throw new Error(`re-share ${from}→${to}: unexpected ${r.status} ${r.text.slice(0, 200)}`);
    }
    return r.status;
  }

  /** Reads the vault's auth share back (retrying while the shape is degraded). */
  async settle(deadlineMs = 60_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    for (;;) {
      const r = await call(this.s, 'GET', `/v1/apps/${this.s.appId}/wallet/auth-share`, {
        token: this.token,
      });
      if (r.status === 200) {
        const epoch = r.json.epoch as number;
        const ours = this.sent.get(epoch);
        if (!ours || encodeEnvelope(ours.authShare) !== encodeEnvelope(r.json.authShare)) {
          throw new Error(`the vault holds an auth share of epoch ${epoch} that we never sent`);
        }
        this.epoch = epoch;
        return;
      }
      if (Date.now() > until) throw new Error(`read-back failed: ${r.status}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  }
}

/** JSON with object keys sorted at every level (equal values → equal text). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The invariant after every fault: metadata epoch = recovery epoch = the client's
 * epoch; the auth share and the sealed record are exactly the ones sent for that epoch;
 * the record opens with the answer; the two combine (checked: same wallet, same epoch,
 * tags) to the wallet's entropy; the audit trail of re-shares has no gap and no repeat.
 */
export async function checkRecoverable(w: SimWallet): Promise<void> {
  const { s } = w;
  const meta = await call(s, 'GET', `/v1/apps/${s.appId}/wallet`, { token: w.token });
  if (meta.status !== 200) throw new Error(`metadata: ${meta.status}`);
  if (meta.json.epoch !== w.epoch || meta.json.recoveryEpoch !== w.epoch) {
    throw new Error(
      `${w.user}: vault epoch ${meta.json.epoch}/${meta.json.recoveryEpoch}, client ${w.epoch}`,
    );
  }
  const auth = await call(s, 'GET', `/v1/apps/${s.appId}/wallet/auth-share`, { token: w.token });
  const rec = await call(s, 'POST', `/v1/apps/${s.appId}/wallet/recovery`, { token: w.token });
  if (auth.status !== 200 || rec.status !== 200) {
    throw new Error(`${w.user}: auth-share ${auth.status}, recovery ${rec.status}`);
  }
  const ours = w.sent.get(w.epoch);
  if (!ours) throw new Error(`${w.user}: nothing sent for epoch ${w.epoch}`);
  if (encodeEnvelope(auth.json.authShare) !== encodeEnvelope(ours.authShare)) {
    throw new Error(`${w.user}: the auth share is not the one sent for epoch ${w.epoch}`);
  }
  // Compared with sorted keys: the vault stores a canonical encoding of the record (its
  // own key order), the same fields and values as sent.
  if (canonicalJson(rec.json.sealed) !== canonicalJson(ours.sealed)) {
    throw new Error(`${w.user}: the recovery record is not the one sent for epoch ${w.epoch}`);
  }
  const recovery =
    rec.json.sealed.v === 2
      ? await openThroughRealms(w, rec.json.sealed as SealedRecordV2)
      : await openShare(rec.json.sealed, w.answer);
  const entropy = await combineShares([auth.json.authShare, recovery], {
    walletId: w.walletId,
    keyId: w.keyId,
    epoch: w.epoch,
  });
  if (!equalBytes(entropy, w.entropy)) throw new Error(`${w.user}: combined to another secret`);
  const ev = await call(s, 'GET', `/v1/apps/${s.appId}/wallet/events`, { token: w.token });
  const epochs = (ev.json.events as { action: string; epoch: number }[])
    .filter((e) => e.action === 'shares.reshare')
    .map((e) => e.epoch)
    .reverse();
  const expected = Array.from({ length: w.epoch - 1 }, (_, i) => i + 2).slice(-epochs.length);
  if (JSON.stringify(epochs) !== JSON.stringify(expected)) {
    throw new Error(`${w.user}: re-share audit epochs ${epochs.join(',')} (want 2..${w.epoch})`);
  }
}

/**
 * Opens a v2 recovery record as a new device would: h from the answer and the record's
 * salt, t realm evaluations (counted), U, the record; then unlock at the realms that
 * evaluated (resets their counters). Throws when fewer than t realms answer.
 */
export async function openThroughRealms(
  w: SimWallet,
  record: SealedRecordV2,
): Promise<ShareEnvelope> {
  const setup = w.realmSetup();
  const h = await hashAnswer(w.answer, fromBase64Url(record.kdf.salt, 'salt'), {
    m: record.kdf.m,
    t: record.kdf.t,
    p: record.kdf.p,
  });
  try {
    const opened = await openWithRealms(setup, record, h);
    try {
      await unlockRealms(setup, opened.evaluated, opened.unlockKey, record.realms.epoch);
    } finally {
      wipe(opened.unlockKey);
    }
    return opened.envelope;
  } finally {
    wipe(h);
  }
}
