/**
 * The wallet's flows against the real servers, in both shapes (test/full-stack.ts): three
 * standalone realms with t = 2 behind a real vault, and the one realm the vault mounts
 * in-process at /realm (t = 1, what `npm start` runs; the signed path then carries the
 * /realm prefix). Create (realms, then the vault, then the commit), a re-share with a
 * new password (signed realm PUT, signed vault PUT, both commits), recovery on a new
 * device through the realms with one realm down (the steps of flows/recover.ts without
 * the screens), the counters and their reset.
 */
import { openShare } from '@trine/core/seal';
import { combineShares } from '@trine/core/shamir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realmSetup, type WalletState } from '../src/context.ts';
import type { DeviceRecord } from '../src/device-store.ts';
import { openRecoveryShare } from '../src/flows/recover.ts';
import { reshareWith } from '../src/flows/reshare-step.ts';
import { unlockRealms, WrongAnswerError } from '../src/realms.ts';
import { createUserWallet, type Stack, startStack } from './full-stack.ts';
import { VAULT_URL } from './realm-world.ts';

const ANSWER = 'Rex the dog';
const PASSWORD = 'a long device password 12';
const NEW_PASSWORD = 'another long password 34';

/** The wallet as loadWallet sees it, and its entropy (device share + auth share). */
async function unlockDevice(stack: Stack, password: string) {
  const meta = (await stack.ctx.vault.getWallet())!;
  const device = (await stack.ctx.store.get('dev', meta.walletId)) as DeviceRecord;
  const share = await openShare(device.sealed, password);
  const { authShare } = await stack.ctx.vault.getAuthShare();
  const entropy = await combineShares([share, authShare], {
    walletId: meta.walletId,
    keyId: meta.keyId,
  });
  const state: WalletState = { meta, device };
  return { state, entropy };
}

/** Recovery on a new device, as flows/recover.ts does it: realms → share + auth → unlock. */
async function recoverWith(stack: Stack, answer: string) {
  const meta = (await stack.ctx.vault.getWallet())!;
  const r = await openRecoveryShare(stack.ctx, meta.walletId, answer);
  const { authShare } = await stack.ctx.vault.getAuthShare();
  const entropy = await combineShares([r.share, authShare], {
    walletId: meta.walletId,
    keyId: meta.keyId,
  });
  const rec = r.rec.sealed;
  const wrongBefore =
    r.realms && rec.v === 2
      ? await unlockRealms(r.realms.setup, r.realms.evaluated, r.realms.unlockKey, rec.realms.epoch)
      : null;
  return { entropy, wrongBefore, evaluated: r.realms?.evaluated.map((x) => x.id) ?? [] };
}

describe('the wallet against a real vault and three standalone realms (t = 2)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(3, 2, 10);
  });
  afterAll(() => stack.close());

  it('create → re-share → recover with one realm down → wrong answers counted → reset', async () => {
    const ids = await createUserWallet(stack, ANSWER, PASSWORD);
    const meta = (await stack.ctx.vault.getWallet())!;
    expect(meta.epoch).toBe(1);
    for (const r of stack.realms) {
      // registered and committed (one epoch), create-time evaluations not counted
      expect(await r.registration()).toMatchObject({ walletId: ids.walletId, epochs: [1] });
      expect((await r.registration())!.guesses).toBe(0);
    }
    // A password change: a re-share signed with the management key, at the realms and the vault.
    const { state, entropy } = await unlockDevice(stack, PASSWORD);
    const epoch = await reshareWith(stack.ctx, state, entropy, 1, {
      password: NEW_PASSWORD,
      answer: ANSWER,
      question: meta.question,
    });
    expect(epoch).toBe(2);
    expect((await stack.ctx.vault.getWallet())!.epoch).toBe(2);
    for (const r of stack.realms) expect((await r.registration())!.epochs).toEqual([2]);
    const after = await unlockDevice(stack, NEW_PASSWORD);
    expect(Buffer.from(after.entropy).equals(Buffer.from(entropy))).toBe(true);

    // A new device: the answer through the realms, one of them killed.
    stack.realms[1]!.down = true;
    const wrong = await recoverWith(stack, 'Fido').catch((e) => e);
    expect(wrong).toBeInstanceOf(WrongAnswerError);
    expect(wrong.remaining).toBe(9);
    const ok = await recoverWith(stack, '  rex THE dog ');
    expect(Buffer.from(ok.entropy).equals(Buffer.from(entropy))).toBe(true);
    expect(ok.evaluated).toEqual(['realm-a', 'realm-c']);
    expect(ok.wrongBefore?.wrongGuesses).toBe(1);
    stack.realms[1]!.down = false;
    expect((await stack.realms[0]!.registration())!.guesses).toBe(0);
    expect((await stack.realms[2]!.registration())!.guesses).toBe(0);
    expect((await stack.realms[1]!.registration())!.guesses).toBe(0); // never reached
  });
});

describe('the wallet against the vault with its in-process realm (npm start: /realm, t = 1)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(0, 0, 10, { inProcessRealm: true });
  });
  afterAll(() => stack.close());

  it('lists the mounted realm, creates, re-shares (signed under /realm) and recovers', async () => {
    expect(stack.ctx.app.realms).toHaveLength(1);
    expect(stack.ctx.app.realms[0]!.url).toBe(`${VAULT_URL}/realm`);
    expect(stack.ctx.app.realmThreshold).toBe(1);
    await createUserWallet(stack, ANSWER, PASSWORD);
    const setup = (await realmSetup(stack.ctx, (await stack.ctx.vault.getWallet())!.walletId))!;
    const reg = await setup.client.getRegistration(stack.ctx.app.realms[0]!);
    expect(reg?.epochs).toEqual([1]); // committed with a signature over /realm/v1/…
    const { state, entropy } = await unlockDevice(stack, PASSWORD);
    expect(
      await reshareWith(stack.ctx, state, entropy, 1, {
        password: NEW_PASSWORD,
        answer: ANSWER,
        question: state.meta.question,
      }),
    ).toBe(2);
    expect((await setup.client.getRegistration(stack.ctx.app.realms[0]!))?.epochs).toEqual([2]);
    const ok = await recoverWith(stack, ANSWER);
    expect(Buffer.from(ok.entropy).equals(Buffer.from(entropy))).toBe(true);
  });
});
