/**
 * Hostile input at volume on the wallet's message port: 10,000 requests generated with
 * fast-check in Node — random values under a request's envelope, and real requests with
 * one part mutated (ns, v, id, method, params, extra fields, oversized or exotic values)
 * — each carrying its own usable id, each not a valid request (checked with the
 * protocol's own parser, so none can succeed or wait for the user) except a share of
 * well-formed signTx/signData requests whose payloads are random (the handler must
 * refuse them itself). Sent over the live MessagePort from the host page in batches; every
 * one must get exactly one error reply, none may carry a secret, and afterwards the
 * wallet still signs. Plus 2,000 junk messages without a usable id or method (the
 * protocol cannot answer those; they must not break anything).
 *
 * TRINE_FUZZ_MESSAGES (default 10000) sets the number.
 */

import { parseRequest } from '@trine/protocol/messages';
import { WALLET_METHODS } from '@trine/protocol/methods';
import fc from 'fast-check';
import { ANSWER, PASSWORD } from '../demo-page.ts';
import { installHostSpy, type SpyWindow } from '../host-spy.ts';
import { bodyOfUnsignedTx, paymentKeyHash, vkeyWitnesses, witnessVerifies } from '../verify.ts';
import { expect, shape, test } from './fixtures.ts';

const N = Number(process.env.TRINE_FUZZ_MESSAGES ?? 10_000);
const JUNK = 2_000;
const METHODS = Object.keys(WALLET_METHODS);

type Msg = Record<string, unknown>;

/** Markers the page turns into values JSON cannot carry (typed arrays, Maps, Dates, huge strings). */
const exotic = fc.constantFrom(
  { __fz: 'u8' },
  { __fz: 'map' },
  { __fz: 'date' },
  { __fz: 'big' },
  { __fz: 'deep' },
  { __fz: 'nan' },
);
const anyValue = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: exotic },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
);
const hexStr = (max: number) =>
  fc.uint8Array({ minLength: 0, maxLength: max }).map((b) => Buffer.from(b).toString('hex'));

/** A well-formed request of a real method (the base that mutations start from). */
const validBase: fc.Arbitrary<Msg> = fc
  .oneof(
    fc.record({
      method: fc.constant('connect'),
      params: fc.record({ network: fc.constantFrom('preprod', 'preview', 'mainnet') }),
    }),
    fc.record({
      method: fc.constant('signTx'),
      params: fc.record({ tx: hexStr(400), partialSign: fc.boolean() }),
    }),
    fc.record({
      method: fc.constant('signData'),
      params: fc.record({ address: hexStr(57), payload: hexStr(64) }),
    }),
    fc.record({ method: fc.constantFrom('createWallet', 'lock'), params: fc.constant({}) }),
    fc.record({
      method: fc.constant('manage'),
      params: fc.record({ action: fc.constantFrom('export', 'delete', 'recover') }),
    }),
  )
  .map((m) => ({ ns: 'trine', v: 1, ...m }));

const mutation: fc.Arbitrary<(m: Msg) => Msg> = fc.oneof(
  fc
    .record({ k: fc.constantFrom('ns', 'v', 'method', 'params'), val: anyValue })
    .map(({ k, val }) => (m: Msg) => ({ ...m, [k]: val })),
  fc.constantFrom('ns', 'v', 'params').map((k) => (m: Msg) => {
    const { [k]: _drop, ...rest } = m;
    return rest;
  }),
  fc.record({ k: fc.string({ maxLength: 20 }), val: anyValue }).map(({ k, val }) => (m: Msg) => ({
    ...m,
    params: { ...(m.params as object), [k]: val },
  })),
  fc.string({ maxLength: 80 }).map((name) => (m: Msg) => ({ ...m, method: name })),
  fc.constantFrom(...METHODS).map((name) => (m: Msg) => ({ ...m, method: name })),
  fc.integer({ min: -5, max: 5 }).map((v) => (m: Msg) => ({ ...m, v })),
  fc.constant((m: Msg) => ({ ...m, params: { ...(m.params as object), tx: 'z'.repeat(70_000) } })),
);

/** Random values under an envelope (own `method`, so the wallet treats it as a request). */
const randomRequest: fc.Arbitrary<Msg> = fc.record({
  ns: fc.oneof(fc.constant('trine'), anyValue),
  v: fc.oneof(fc.constant(1), anyValue),
  method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 40 }), anyValue),
  params: anyValue,
});

const message: fc.Arbitrary<Msg> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(validBase, fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([b, ms]) => ms.reduce((m, f) => f(m), b)),
  },
  { weight: 3, arbitrary: randomRequest },
  {
    weight: 1,
    arbitrary: validBase.filter((m) => m.method === 'signTx' || m.method === 'signData'),
  },
);

function generate(): Msg[] {
  const out: Msg[] = [];
  let seed = 20261121;
  while (out.length < N) {
    for (const m of fc.sample(message, { numRuns: 500, seed: seed++ })) {
      if (out.length >= N) break;
      const withId: Msg = { ...m, id: `fz${out.length}` };
      const parsed = parseRequest(withId, WALLET_METHODS);
      // Valid requests are kept only for signTx/signData (random payloads: refused by the handler).
      if (parsed.ok && withId.method !== 'signTx' && withId.method !== 'signData') continue;
      out.push(withId);
    }
  }
  return out;
}

test('10,000 random and mutated messages on the wallet port: each answered with an error, then it still signs', async ({
  newDevice,
  user,
}) => {
  test.setTimeout(600_000);
  const s = shape();
  const messages = generate();
  const junk = fc.sample(
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ ns: fc.constant('trine'), id: fc.constant(''), v: fc.constant(1) }),
    ),
    { numRuns: JUNK, seed: 7 },
  );
  const device = await newDevice();
  await device.context.addInitScript(installHostSpy);
  const { demo, page } = device;
  await demo.open(s.demoUrl, { app: s.appId });
  await demo.signIn(user);
  const address = await demo.connectAndCreate();

  const started = Date.now();
  const codes: Record<string, number> = {};
  let answered = 0;
  const BATCH = 50;
  for (let i = 0; i < messages.length; i += BATCH) {
    const batch = messages.slice(i, i + BATCH);
    const arg = JSON.parse(
      JSON.stringify({ batch, junk: junk.slice((i / BATCH) * 10, (i / BATCH) * 10 + 10) }),
    ) as {
      batch: Msg[];
      junk: unknown[];
    };
    const replies: [string, unknown][] = await page.evaluate(
      async ({ batch, junk }: { batch: Msg[]; junk: unknown[] }) => {
        const spy = window as unknown as SpyWindow & { __fzFrom?: number };
        const port = spy.__ports.at(-1);
        if (!port) throw new Error('no protocol port seen');
        const materialize = (v: unknown, depth = 0): unknown => {
          if (depth > 8 || v === null || typeof v !== 'object') return v;
          const fz = (v as { __fz?: string }).__fz;
          if (fz === 'u8') return new Uint8Array(64);
          if (fz === 'map') return new Map([['a', 1]]);
          if (fz === 'date') return new Date(0);
          if (fz === 'big') return 'x'.repeat(2_000_000);
          if (fz === 'nan') return Number.NaN;
          if (fz === 'deep') {
            let d: unknown = 1;
            for (let k = 0; k < 400; k++) d = [d];
            return d;
          }
          if (Array.isArray(v)) return v.map((x) => materialize(x, depth + 1));
          return Object.fromEntries(
            Object.entries(v).map(([k, x]) => [k, materialize(x, depth + 1)]),
          );
        };
        const from = spy.__seen.length;
        for (const m of batch) port.postMessage(materialize(m));
        for (const j of junk) port.postMessage(j);
        const ids = new Set(batch.map((m) => m.id as string));
        const got = new Map<string, unknown>();
        const until = Date.now() + 60_000;
        while (got.size < ids.size && Date.now() < until) {
          for (const r of spy.__seen.slice(from)) {
            const id = (r as { id?: unknown })?.id;
            if (typeof id === 'string' && ids.has(id)) {
              if (got.has(id)) throw new Error(`two replies for ${id}`);
              got.set(id, r);
            }
          }
          spy.__seen.splice(from); // keep the log small; replies are collected above
          if (got.size < ids.size) await new Promise((r) => setTimeout(r, 10));
        }
        return [...got.entries()];
      },
      arg,
    );
    for (const [id, r] of replies) {
      const reply = r as { error?: { code?: unknown; message?: unknown }; result?: unknown };
      if (!reply.error || 'result' in reply || typeof reply.error.code !== 'string') {
        throw new Error(`${id}: not an error reply: ${JSON.stringify(r).slice(0, 200)}`);
      }
      // Plain checks: 20,000 expect() steps would each be recorded by the runner.
      const text = JSON.stringify(r);
      if (text.includes(PASSWORD) || text.includes(ANSWER))
        throw new Error(`${id}: a secret in a reply`);
      codes[reply.error.code] = (codes[reply.error.code] ?? 0) + 1;
    }
    answered += replies.length;
    if (replies.length !== batch.length) {
      const missing = batch.filter((m) => !replies.some(([id]) => id === m.id));
      throw new Error(`no reply to ${missing.length}: ${JSON.stringify(missing[0]).slice(0, 300)}`);
    }
  }
  console.log(
    `fuzz (wallet port): ${messages.length} messages + ${Math.min(JUNK, (messages.length / BATCH) * 10)} junk in ${Date.now() - started} ms; ` +
      `${answered} error replies: ${JSON.stringify(codes)}`,
  );
  expect(answered).toBe(N);

  // Still responsive: a real signature through the SDK.
  const signed = await demo.signPayment();
  const [w] = vkeyWitnesses(signed.witnessSetHex);
  expect(witnessVerifies(w!, bodyOfUnsignedTx(signed.txHex), paymentKeyHash(address))).toBe(true);
});
