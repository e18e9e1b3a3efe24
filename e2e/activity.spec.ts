/**
 * @module e2e/activity.spec — the user's audit trail in Chromium through the demo (issue 8
 * item 6). Device A creates and signs; device B (a new profile) recovers with the answer
 * (a recovery read and a re-share at the vault). A's key share is then out of date, so
 * A's next payment leads through recovery too; after it, the password unlock of the
 * payment approval brings the "Security notice" with the new security activity — B's
 * recovery is not hidden behind A's own — and the Security activity screen (from the
 * notice, and from the demo's "Security activity" button) lists "Recovery share read" and
 * "Key shares renewed" in plain words, newest first.
 */
import { ANSWER, clickInFrame, NEW_PASSWORD, PASSWORD } from './demo-page.ts';
import { expect, test } from './fixtures.ts';

const B_PASSWORD = 'device B password 5678';
const EVENT =
  /^(Wallet created|Recovery share read|Key shares renewed|Key share renewal completed) — \d{1,2} \w{3} \d{4} \d{2}:\d{2}, from \S+$/;

test('another device recovers → this device recovers, then the notice and the Security activity screen show it', async ({
  device,
  newDevice,
  user,
}) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();
  // A password unlock on A: nothing new since its own create, no notice.
  await demo.signPayment(PASSWORD);
  const w = demo.wallet;
  await expect(w.getByRole('heading', { name: 'Security notice' })).toHaveCount(0);

  // Device B recovers with the answer and chooses its own password.
  const b = await newDevice();
  await b.demo.open();
  await b.demo.signIn(user);
  await b.demo.clickConnect(); // no address before a recovery here: Connect leads to it
  const bw = b.demo.wallet;
  await bw.getByLabel('Your answer').fill(ANSWER);
  await clickInFrame(bw.getByRole('button', { name: 'Continue' }));
  await expect(bw.getByRole('heading', { name: 'Choose a new password' })).toBeVisible({
    timeout: 30_000,
  });
  await bw.getByLabel('New password for this browser').fill(B_PASSWORD);
  await bw.getByLabel('Type it again').fill(B_PASSWORD);
  await clickInFrame(bw.getByRole('button', { name: 'Save and finish' }));
  expect(await b.demo.connectedAddress()).toBe(address);

  // Back on A: its key share is out of date, the payment leads through recovery.
  await page.getByRole('button', { name: 'Build and sign payment' }).click();
  await expect(w.getByRole('heading', { name: 'Recovery needed on this device' })).toBeVisible({
    timeout: 30_000,
  });
  await expect(w.getByText('re-secured on another device')).toBeVisible();
  await clickInFrame(w.getByRole('button', { name: 'Recover now' }));
  await w.getByLabel('Your answer').fill(ANSWER);
  await clickInFrame(w.getByRole('button', { name: 'Continue' }));
  await expect(w.getByRole('heading', { name: 'Choose a new password' })).toBeVisible({
    timeout: 30_000,
  });
  await w.getByLabel('New password for this browser').fill(NEW_PASSWORD);
  await w.getByLabel('Type it again').fill(NEW_PASSWORD);
  await clickInFrame(w.getByRole('button', { name: 'Save and finish' }));
  // The payment approval: a password unlock, then the notice.
  await demo.approve('Approve transaction', 'Approve and sign', NEW_PASSWORD);
  const notice = w.getByRole('heading', { name: 'Security notice' });
  await expect(notice).toBeVisible({ timeout: 30_000 });
  await expect(notice).toBeFocused();
  await demo.shot('wallet-security-notice');
  await expect(
    w.getByRole('heading', { name: 'New security activity since your last visit' }),
  ).toBeVisible();
  const listed = w.locator('ol.events > li');
  await expect(listed).toHaveCount(5);
  const lines = await listed.allTextContents();
  for (const line of lines) expect(line).toMatch(EVENT);
  // Newest first: A's own renewal, A's read, then B's renewal (B's read is "more").
  expect(lines.map((l) => l.split(' — ')[0])).toEqual([
    'Key share renewal completed',
    'Key shares renewed',
    'Recovery share read',
    'Key share renewal completed',
    'Key shares renewed',
  ]);
  await expect(w.getByText('And more: see all security activity.')).toBeVisible();
  // No wrong answers were given: no wrong-attempts part.
  await expect(w.getByRole('heading', { name: 'Wrong recovery attempts' })).toHaveCount(0);

  // "See all security activity": the whole list, B's recovery read included.
  await clickInFrame(w.getByRole('button', { name: 'See all security activity' }));
  await expect(w.getByRole('heading', { name: 'Security activity', exact: true })).toBeVisible();
  const events = w.getByRole('region', { name: 'Security events' }).getByRole('listitem');
  await expect(events).toHaveCount(7);
  const all = (await events.allTextContents()).map((l) => l.split(' — ')[0]);
  expect(all).toEqual([
    'Key share renewal completed',
    'Key shares renewed',
    'Recovery share read',
    'Key share renewal completed',
    'Key shares renewed',
    'Recovery share read',
    'Wallet created',
  ]);
  await demo.shot('wallet-security-activity');
  await clickInFrame(w.getByRole('button', { name: 'Close' }));
  await demo.signedPayment();

  // The next unlock on A: nothing new, no notice; the demo's button opens the screen.
  await demo.signPayment(NEW_PASSWORD);
  await expect(notice).toHaveCount(0);
  await demo.manage('Security activity');
  await expect(w.getByRole('heading', { name: 'Security activity', exact: true })).toBeVisible();
  await expect(events).toHaveCount(7);
  await expect(events.first()).toHaveText(EVENT);
  await expect(events.filter({ hasText: /^Recovery share read — / })).toHaveCount(2);
  await expect(events.filter({ hasText: /^Key shares renewed — / })).toHaveCount(2);
  await clickInFrame(w.getByRole('button', { name: 'Close' }));
  await expect(page.locator('#manage-result')).toHaveText('Security activity shown in the wallet.');
});
