/**
 * The database thief (issue 9, "Tests that must exist"): a copy of the vault's tables with
 * the vault's master key, plus one realm's tables with that realm's OPRF key — and still no
 * offline test of a guess when the threshold is 2.
 *
 * Real parts throughout (test/full-stack.ts): the vault (`buildVault`, dev mode, PGlite,
 * master key file in its data folder) and three realms (`createRealm`, own PGlite and key,
 * t = 2), a wallet made by the wallet's own create code. The thief dumps the tables as
 * their owner (SQL), reads the master key file, decrypts the at-rest columns with the
 * vault's own at-rest code (the auth share and the v2 sealed record in clear), derives the
 * stolen realm's OPRF secret from its seed (RFC 9497 DeriveKeyPair, as the realm does) and
 * then does, offline, the best a guess test can be: Argon2id(guess) → that realm's output
 * → its Shamir share of U → every candidate U it can form → open the sealed record, and
 * compare the unlock tags the realm stores. The verdicts for the right answer and a wrong
 * one must be the same.
 *
 * Controls that show the test can fail: the same thief with a second realm's tables and
 * key (two of t = 2) tells the right answer from the wrong one and rebuilds the secret;
 * so does a thief of the only realm of a t = 1 app.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { equalBytes, fromBase64Url, toBase64Url } from '@trine/core/bytes';
import { parseEnvelope, type ShareEnvelope } from '@trine/core/envelope';
import { hashAnswer } from '@trine/core/kdf';
import {
  oprfInput,
  realmInfo,
  realmPad,
  unlockKeyCandidates,
  unlockTag,
} from '@trine/core/realm-crypto';
import { openShareV2 } from '@trine/core/seal-v2';
import { parseSealedRecord, type SealedRecordV2 } from '@trine/core/sealed-record';
import { combineShares } from '@trine/core/shamir';
import { openColumn, parseMasterKeys, type SealedRow } from '@trine/vault/src/crypto/at-rest.ts';
import { sql } from 'drizzle-orm';
import { combine } from 'shamir-secret-sharing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWallet, type Stack, startStack } from './full-stack.ts';

const RIGHT = 'Rex the dog';
const WRONG = ['Fido', 'rex', 'Rex the cat', 'Rex the dog.'];

const rowsOf = (r: unknown) =>
  (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];

/** What the thief carried away: vault rows + master key (decrypted), some realms + keys. */
interface Loot {
  appId: string;
  userKey: string;
  walletId: string;
  keyId: string;
  authShare: ShareEnvelope;
  record: SealedRecordV2;
  realms: {
    realmId: string;
    secretKey: Uint8Array;
    maskedShare: Uint8Array;
    unlockTag: Uint8Array;
  }[];
}

/** Dumps the vault's and `stolen` realms' tables as their owner would, and decrypts. */
async function steal(stack: Stack, stolen: number[]): Promise<Loot> {
  const wallets = rowsOf(await stack.vault.database.db.execute(sql`select * from wallets`));
  expect(wallets).toHaveLength(1);
  const w = wallets[0]!;
  // The vault's master key: dev mode keeps it in the data folder (production: the env).
  const keyring = parseMasterKeys(
    readFileSync(join(stack.vaultDir, 'master-keys.txt'), 'utf8').trim(),
  );
  const row = {
    appId: String(w.app_id),
    userKey: String(w.user_key),
    walletId: String(w.wallet_id),
  };
  const stored: SealedRow = {
    dataKey: String(w.data_key),
    masterKid: String(w.master_kid),
    atRestV: Number(w.at_rest_v),
    authShareCt: String(w.auth_share_ct),
    sealedCt: String(w.sealed_ct),
    prevAuthShareCt: (w.prev_auth_share_ct as string | null) ?? null,
    prevSealedCt: (w.prev_sealed_ct as string | null) ?? null,
  };
  const authShare = parseEnvelope(JSON.parse(openColumn(keyring, row, stored, 'auth_share')));
  const record = parseSealedRecord(JSON.parse(openColumn(keyring, row, stored, 'sealed')));
  if (record.v !== 2) throw new Error('expected a v2 record');
  const realms = [];
  for (const i of stolen) {
    const s = stack.started[i]!;
    const db = s.realm.database.db;
    const regs = rowsOf(await db.execute(sql`select * from realm_registrations`));
    const eps = rowsOf(await db.execute(sql`select * from realm_epochs`));
    expect(regs).toHaveLength(1);
    expect(eps).toHaveLength(1);
    expect(regs[0]!.user_key).toBe(row.userKey);
    // RFC 9497 §3.2.1 DeriveKeyPair from the stolen seed, with the realm's (public) key info.
    const kp = ristretto255_oprf
      .poprf(new Uint8Array(0))
      .deriveKeyPair(s.keySeed, new TextEncoder().encode('trine-realm/oprf-key/v1'));
    expect(toBase64Url(kp.publicKey)).toBe(s.config.publicKey); // the thief has the real key
    realms.push({
      realmId: s.config.id,
      secretKey: kp.secretKey,
      maskedShare: fromBase64Url(String(eps[0]!.masked_share)),
      unlockTag: fromBase64Url(String(eps[0]!.unlock_tag)),
    });
  }
  return { ...row, keyId: String(w.key_id), authShare, record, realms };
}

/** A random 33-byte Shamir share with a non-zero x-coordinate (a stand-in for a missing one). */
function standIn(): Uint8Array {
  const s = crypto.getRandomValues(new Uint8Array(33));
  s[32] = 1 + (s[32]! % 255);
  return s;
}

/**
 * The thief's offline test of one guess: everything it can compute and compare without
 * any live server. Returns what it observed; equal observations for two guesses mean the
 * thief cannot tell them apart.
 */
async function testGuess(
  loot: Loot,
  guess: string,
): Promise<{ opens: boolean; tagMatches: boolean; secret: boolean }> {
  const { record } = loot;
  const { threshold, epoch } = record.realms;
  const [iss, sub] = JSON.parse(loot.userKey) as [string, string];
  const h = await hashAnswer(guess, fromBase64Url(record.kdf.salt), record.kdf);
  const x = oprfInput(h);
  const info = realmInfo({ appId: loot.appId, iss, sub, walletId: loot.walletId });
  const answers = loot.realms.map((r) => ({
    realmId: r.realmId,
    output: ristretto255_oprf.poprf(info).evaluate(r.secretKey, x),
    maskedShare: r.maskedShare,
  }));
  const candidates: Uint8Array[] = [h, new Uint8Array(32)];
  if (answers.length >= threshold) {
    candidates.push(...(await unlockKeyCandidates(answers, epoch, threshold)));
  } else {
    // Fewer realms than t: complete each unmasked share with stand-ins for the missing
    // ones, and try the share's own bytes as U.
    for (const a of answers) {
      const share = a.maskedShare.map((v, i) => v ^ realmPad(a.output, a.realmId, epoch)[i]!);
      candidates.push(share.slice(0, 32));
      for (let k = 0; k < 8; k++) {
        const others = Array.from({ length: threshold - 1 }, standIn);
        try {
          candidates.push(await combine([share, ...others]));
        } catch {
          // a stand-in repeated the x-coordinate
        }
      }
    }
  }
  let opens = false;
  let tagMatches = false;
  let secret = false;
  for (const u of candidates) {
    if (loot.realms.some((r) => equalBytes(unlockTag(u, r.realmId, epoch), r.unlockTag))) {
      tagMatches = true;
    }
    let envelope: ShareEnvelope;
    try {
      envelope = openShareV2(record, h, u);
    } catch {
      continue;
    }
    opens = true;
    try {
      const s = await combineShares([envelope, loot.authShare], {
        walletId: loot.walletId,
        keyId: loot.keyId,
      });
      secret = s.length === 32;
    } catch {
      // not a share of this wallet
    }
  }
  return { opens, tagMatches, secret };
}

const NOTHING = { opens: false, tagMatches: false, secret: false };
const EVERYTHING = { opens: true, tagMatches: true, secret: true };

describe('the database thief: vault tables + master key + one realm’s tables + its key (t = 2)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(3, 2, 10);
    await createUserWallet(stack, RIGHT);
  });
  afterAll(() => stack.close());

  it('cannot test a guess offline: the right answer and wrong ones look the same', async () => {
    for (const stolen of [[0], [1], [2]]) {
      const loot = await steal(stack, stolen);
      // What the thief holds in clear: the auth share and the v2 record naming t = 2.
      expect(loot.authShare.role).toBe(2);
      expect(loot.record.realms.threshold).toBe(2);
      const right = await testGuess(loot, RIGHT);
      expect(right).toEqual(NOTHING);
      for (const g of WRONG) expect(await testGuess(loot, g)).toEqual(right);
    }
    // And nothing was asked of a live realm: every counter is still 0.
    for (const r of stack.realms) expect((await r.registration())!.guesses).toBe(0);
  });

  it('control: with a second realm’s tables and key (two of t = 2) the thief can test — and wins', async () => {
    const loot = await steal(stack, [0, 2]);
    expect(await testGuess(loot, RIGHT)).toEqual(EVERYTHING);
    for (const g of WRONG) expect(await testGuess(loot, g)).toEqual(NOTHING);
  });
});

describe('control: the thief of the only realm of a t = 1 app', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(1, 1, 10);
    await createUserWallet(stack, RIGHT);
  });
  afterAll(() => stack.close());

  it('tests guesses offline and rebuilds the secret (why production runs t = 2)', async () => {
    const loot = await steal(stack, [0]);
    expect(loot.record.realms.threshold).toBe(1);
    expect(await testGuess(loot, RIGHT)).toEqual(EVERYTHING);
    for (const g of WRONG) expect(await testGuess(loot, g)).toEqual(NOTHING);
  });
});
