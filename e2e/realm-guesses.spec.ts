/**
 * Issue 9, the recovery realm's guess counter seen by the user (docs/realms.md): wrong
 * answers on a new device are counted by the realm, and the first device is told at its
 * next unlock ("N wrong recovery attempts since …") with "Re-arm recovery", which resets
 * the counter; a registration guessed to its limit (TRINE_DEV_GUESS_LIMIT=4 in the e2e
 * vault) is said plainly on the recovery screen, refuses even the right answer, and a
 * re-arm from the first device makes recovery on a new device work again.
 *
 * The vault's per-wallet recovery limit (3 an hour in e2e, recover.spec.ts) counts every
 * recovery through the wallet — wrong answers, the re-arm's answer check and the final
 * recovery alike — so each test below stays within 3; the lockout is reached the way a
 * JWT holder would, by calling the realm directly, which the vault never sees.
 */
import { ANSWER, clickInFrame, NEW_PASSWORD, PASSWORD } from './demo-page.ts';
import { type Device, env, expect, test } from './fixtures.ts';
import { GUESS_LIMIT } from './global-setup.ts';
import { realmGuess, realmRegistration } from './realm-api.ts';
import { devToken, vaultGet } from './vault-api.ts';
import { bodyOfUnsignedTx, paymentKeyHash, vkeyWitnesses, witnessVerifies } from './verify.ts';

const WRONG =
  'That answer does not match. Check the spelling and accents (case and spaces do not matter).';

/** Signs on `device` with the password and expects the wrong-attempts notice first. */
async function signAndSeeNotice(device: Device, text: RegExp) {
  const { demo, page } = device;
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  await demo.approve('Approve transaction', 'Approve and sign', PASSWORD);
  const w = demo.wallet;
  await expect(w.getByRole('heading', { name: 'Wrong recovery attempts' })).toBeVisible();
  await expect(w.locator('p.notice')).toHaveText(text);
}

/** Presses the notice's "Re-arm recovery" and re-arms with the password and the answer. */
async function rearm(device: Device) {
  const w = device.demo.wallet;
  await clickInFrame(w.getByRole('button', { name: 'Re-arm recovery' }));
  await expect(w.getByRole('heading', { name: 'Re-arm recovery' })).toBeVisible();
  await w.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await w.getByLabel('Answer to your security question').fill(ANSWER);
  await clickInFrame(w.getByRole('button', { name: 'Re-arm recovery' }));
}

test('wrong answers → the realm counts them → the first device is told at its next unlock and re-arms', async ({
  device,
  newDevice,
  user,
}) => {
  const { demo } = device;
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();
  const token = await devToken(env.vault, user);
  const fresh = await realmRegistration(env.vault, token);
  expect(fresh.status).toBe(200);
  expect(fresh.body).toMatchObject({
    epochs: [1],
    guesses: 0,
    guessLimit: GUESS_LIMIT,
    locked: false,
    lastWrongAt: null,
  });

  // Two wrong answers on a new device: each counted by the realm, the attempts left said.
  const other = await newDevice();
  await other.demo.open();
  await other.demo.signIn(user);
  await other.demo.clickConnect(); // no address before a recovery here: Connect leads to it
  const ow = other.demo.wallet;
  await expect(ow.getByRole('heading', { name: 'Recover your wallet' })).toBeVisible();
  for (let i = 1; i <= 2; i++) {
    await ow.getByLabel('Your answer').fill(`not the answer ${i}`);
    await clickInFrame(ow.getByRole('button', { name: 'Continue' }));
    const left = GUESS_LIMIT - i;
    await expect(ow.getByRole('alert')).toHaveText(
      `${WRONG} ${left} attempts left before recovery with the answer locks.`,
      { timeout: 30_000 },
    );
    expect((await realmRegistration(env.vault, token)).body.guesses).toBe(i);
  }
  await clickInFrame(ow.getByRole('button', { name: 'Cancel' }));
  await expect(other.demo.error).toContainText('APIError -3 · Refused · user_declined');
  const counted = (await realmRegistration(env.vault, token)).body;
  expect(counted).toMatchObject({ guesses: 2, locked: false });
  expect(Date.parse(counted.lastWrongAt ?? '')).toBeGreaterThan(Date.now() - 5 * 60_000);

  // The first device's next unlock: the notice, then its action re-arms recovery.
  await signAndSeeNotice(
    device,
    /^2 wrong recovery attempts since .+\. Someone may be guessing your security answer\. Re-arm recovery to reset the counters \(and consider changing the question\)\.$/,
  );
  await demo.shot('wallet-wrong-attempts-notice');
  await rearm(device);
  // The signature the host asked for arrives once the re-arm is done.
  const { txHex, witnessSetHex } = await demo.signedPayment();
  const [witness] = vkeyWitnesses(witnessSetHex);
  expect(witnessVerifies(witness!, bodyOfUnsignedTx(txHex), paymentKeyHash(address))).toBe(true);

  // Re-armed: a new epoch everywhere, the counter back at 0, the same address.
  const meta = (await vaultGet(env.vault, token, '')).body as {
    epoch: number;
    addresses: { base: string };
  };
  expect(meta).toMatchObject({ epoch: 2, addresses: { base: address } });
  expect((await realmRegistration(env.vault, token)).body).toMatchObject({
    epochs: [2],
    guesses: 0,
    locked: false,
  });
  // No notice any more: the next signature goes straight through.
  await demo.signPayment(PASSWORD);
});

test('lockout: guessed to the limit at the realm → the recovery screen says so → re-arm from the first device → recovery works on a new device', async ({
  device,
  newDevice,
  user,
}) => {
  const { demo } = device;
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();

  // A JWT holder guesses at the realm directly (no wallet, no vault): GUESS_LIMIT counted
  // guesses, then the realm refuses (423) without counting more.
  const token = await devToken(env.vault, user);
  const reg = (await realmRegistration(env.vault, token)).body;
  for (let i = 1; i <= GUESS_LIMIT; i++) {
    const g = await realmGuess(env.vault, token, reg.walletId, 1);
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ counted: true, guesses: i, guessLimit: GUESS_LIMIT });
  }
  const refused = await realmGuess(env.vault, token, reg.walletId, 1);
  expect(refused.status).toBe(423);
  expect(refused.body.code).toBe('registration_locked');
  expect((await realmRegistration(env.vault, token)).body).toMatchObject({
    guesses: GUESS_LIMIT,
    locked: true,
  });

  // A new device: the recovery screen says plainly that it is locked and what remains.
  const other = await newDevice();
  await other.demo.open();
  await other.demo.signIn(user);
  await other.demo.clickConnect(); // no address before a recovery here: Connect leads to it
  const ow = other.demo.wallet;
  await expect(ow.getByRole('heading', { name: 'Recover your wallet' })).toBeVisible();
  await expect(ow.locator('p.notice')).toHaveText(
    'Recovery with your answer is locked: 1 of 1 recovery services refuse further attempts after too many wrong answers, and 1 are needed. What you can still do: on a device where your wallet still opens with your password, choose “Re-arm recovery” (or change the security question) — that resets the counters; or restore from your 24-word recovery phrase.',
  );
  await other.demo.shot('wallet-recovery-locked');
  // Even the right answer is refused while locked; nothing more is counted.
  await ow.getByLabel('Your answer').fill(ANSWER);
  await clickInFrame(ow.getByRole('button', { name: 'Continue' }));
  await expect(ow.getByRole('alert')).toHaveText(
    'Recovery with your answer is locked after too many wrong answers. What you can still do: on a device where your wallet opens with your password, re-arm recovery (it resets the counters); or restore from your 24-word recovery phrase.',
    { timeout: 30_000 },
  );
  await clickInFrame(ow.getByRole('button', { name: 'Cancel' }));
  await expect(other.demo.error).toContainText('APIError -3 · Refused · user_declined');
  expect((await realmRegistration(env.vault, token)).body).toMatchObject({
    epochs: [1],
    guesses: GUESS_LIMIT,
    locked: true,
  });

  // The first device still opens with its password: the notice says it is locked; re-arm.
  await signAndSeeNotice(
    device,
    new RegExp(
      `^${GUESS_LIMIT} wrong recovery attempts since .+\\. Recovery with your answer is now locked at 1 of the recovery services\\. Someone may be guessing your security answer\\.`,
    ),
  );
  await rearm(device);
  await demo.signedPayment();
  expect((await realmRegistration(env.vault, token)).body).toMatchObject({
    epochs: [2],
    guesses: 0,
    locked: false,
  });

  // Recovery on the new device works again: no lock notice, same address, it signs.
  await other.demo.clickConnect();
  await expect(ow.getByRole('heading', { name: 'Recover your wallet' })).toBeVisible();
  await expect(ow.locator('p.notice')).toHaveCount(0);
  await ow.getByLabel('Your answer').fill(ANSWER);
  await clickInFrame(ow.getByRole('button', { name: 'Continue' }));
  await expect(ow.getByRole('heading', { name: 'Choose a new password' })).toBeVisible({
    timeout: 30_000,
  });
  await ow.getByLabel('New password for this browser').fill(NEW_PASSWORD);
  await ow.getByLabel('Type it again').fill(NEW_PASSWORD);
  await clickInFrame(ow.getByRole('button', { name: 'Save and finish' }));
  expect(await other.demo.connectedAddress()).toBe(address);
  const { txHex, witnessSetHex } = await other.demo.signPayment(NEW_PASSWORD);
  const [witness] = vkeyWitnesses(witnessSetHex);
  expect(witnessVerifies(witness!, bodyOfUnsignedTx(txHex), paymentKeyHash(address))).toBe(true);
  expect(await other.page.locator('#address').textContent()).toBe(address);
  const meta = (await vaultGet(env.vault, token, '')).body as { epoch: number };
  expect(meta.epoch).toBe(3);
});
