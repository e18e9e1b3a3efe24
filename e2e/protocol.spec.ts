/**
 * The wallet's boundary with the host: a host origin the app does not allow is refused
 * (by the vault's CSP frame-ancestors, and — with that header stripped — by the wallet's
 * own handshake check); malformed and unknown messages on the protocol port get error
 * replies and the wallet keeps working; and storage partitioning decides whether another
 * top-level site sees this browser's device share.
 */
import { clickInFrame } from './demo-page.ts';
import { env, expect, test } from './fixtures.ts';
import { installHostSpy, type SpyWindow } from './host-spy.ts';

test('a host origin not allowed for the app is refused (CSP frame-ancestors)', async ({
  device,
  user,
}) => {
  const embed = await fetch(`${env.vault}/embed?app=dev`);
  const csp = embed.headers.get('content-security-policy') ?? '';
  expect(csp).toContain(`frame-ancestors ${env.demo}`);
  expect(csp).not.toContain(env.refusedOrigin);

  const { demo, page } = device;
  await demo.open(env.refusedOrigin, { handshakeMs: '3000' });
  await demo.signIn(user);
  await demo.clickConnect();
  await expect(demo.error).toBeVisible({ timeout: 20_000 });
  await expect(demo.error).toContainText('APIError');
  await demo.shot('demo-refused-origin');
  // The wallet never ran inside this page.
  const frames = page.frames().filter((f) => f.url().startsWith(`${env.vault}/embed`));
  for (const f of frames) {
    expect(
      await f
        .locator('#app')
        .count()
        .catch(() => 0),
    ).toBe(0);
  }
});

test('with the CSP stripped, the wallet itself refuses the handshake from that origin', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  // Simulates a proxy that drops the CSP header: the wallet's own origin check must hold.
  await context.route(`${env.vault}/embed**`, async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['content-security-policy'];
    await route.fulfill({ response, headers });
  });
  // The SDK's early app-config check would refuse first (origin_not_allowed): keep it from
  // answering the page (as a vault without CORS would), so the wallet's check is what runs.
  let walletReads = 0;
  await context.route(`${env.vault}/v1/apps/**`, async (route) => {
    if (route.request().frame() === page.mainFrame()) return route.abort();
    walletReads++; // the wallet, running in the frame, reads its app config
    return route.continue();
  });
  await demo.open(env.refusedOrigin, { handshakeMs: '5000' });
  await demo.signIn(user);
  await demo.clickConnect();
  await expect(demo.error).toContainText('APIError -3 · Refused', { timeout: 20_000 });
  // The refusal came from the wallet's handshake (the SDK's own check was kept out).
  await expect(demo.error).toHaveAttribute('data-reason', 'origin_not_allowed');
  expect(walletReads).toBeGreaterThan(0);
  // The wallet loaded (no CSP) but never showed a flow to this host.
  await expect(demo.wallet.getByRole('heading', { name: /^Create your/ })).toHaveCount(0);
});

test('malformed or unknown messages from the host get error replies; the wallet keeps working', async ({
  device,
  user,
}) => {
  const { demo, page, context } = device;
  await context.addInitScript(installHostSpy);
  await demo.open();
  await demo.signIn(user);
  await demo.connectAndCreate();

  const replies = await page.evaluate(async () => {
    const spy = window as unknown as SpyWindow;
    const port = spy.__ports.at(-1);
    if (!port) throw new Error('no protocol port seen');
    const sent = [
      { ns: 'trine', v: 1, id: 'bad-unknown', method: 'stealKeys', params: {} },
      { ns: 'trine', v: 2, id: 'bad-version', method: 'connect', params: { network: 'preprod' } },
      {
        ns: 'trine',
        v: 1,
        id: 'bad-params',
        method: 'signTx',
        params: { tx: 'zz', partialSign: 'no' },
      },
      {
        ns: 'trine',
        v: 1,
        id: 'bad-tx',
        method: 'signTx',
        params: { tx: '00', partialSign: false },
      },
      { ns: 'trine', v: 1, id: 'bad-shape', method: 42 },
      'not even an object',
      { ns: 'trine' },
    ];
    for (const m of sent) port.postMessage(m);
    // Junk on the window too (the wallet only listens for hellos from its parent there).
    const frame = document.querySelector('iframe');
    frame?.contentWindow?.postMessage({ ns: 'trine', v: 1, type: 'hello' }, '*');
    const ids = ['bad-unknown', 'bad-version', 'bad-params', 'bad-tx', 'bad-shape'];
    const until = Date.now() + 15_000;
    const found = () =>
      spy.__seen.filter(
        (m): m is { id: string; error: { code: string } } =>
          typeof m === 'object' && m !== null && ids.includes((m as { id?: string }).id ?? ''),
      );
    while (found().length < ids.length && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return Object.fromEntries(found().map((m) => [m.id, m.error?.code]));
  });
  expect(replies).toEqual({
    'bad-unknown': 'unknown_method',
    'bad-version': 'unsupported_version',
    'bad-params': 'invalid_params',
    'bad-tx': 'invalid_params',
    'bad-shape': 'unknown_method', // a method that is not a string names no method
  });

  // Still working: a real request through the SDK signs.
  await page.getByRole('button', { name: 'Sign message' }).click();
  await demo.approve('Sign a message', 'Sign message');
  await expect(page.locator('#signature')).toHaveText(/^[0-9a-f]+$/);
});

test('storage partitioning: another top-level site sees this device share only when unpartitioned', async ({
  device,
  user,
  partitioned,
}) => {
  const { demo, page } = device;
  await demo.open();
  await demo.signIn(user);
  const address = await demo.connectAndCreate();

  // Same browser profile, a different top-level site that the app also allows.
  await demo.open(env.otherSite);
  await demo.signIn(user);
  const w = demo.wallet;
  if (partitioned) {
    // Keyed by top-level site: the wallet here has no device share, so it gives the app no
    // address before a recovery here (issue 10 item 4); cancelling it refuses the connect.
    await demo.clickConnect();
    await expect(w.getByRole('heading', { name: 'Recover your wallet' })).toBeVisible();
    await clickInFrame(w.getByRole('button', { name: 'Cancel' }));
    await expect(demo.error).toContainText('APIError -3 · Refused · user_declined');
    await expect(page.locator('#address')).not.toHaveText(address);
  } else {
    expect(await demo.connectExisting()).toBe(address);
    await page.getByRole('button', { name: 'Build and sign payment' }).click();
    await expect(w.getByRole('heading', { name: 'Approve transaction' })).toBeVisible();
    await demo.approve('Approve transaction', 'Approve and sign');
    await demo.signedPayment();
  }
});
