// @vitest-environment happy-dom
/**
 * @module test/vault-address-attack — the vault operator substitutes the wallet's
 * addresses (issue 10 item 4: "addresses go to the host only after the key check on this
 * device"). Against the REAL vault and three real realms (test/full-stack.ts), the
 * operator rewrites the wallet's row in its own database so `GET …/wallet` lists its own
 * address. On a new device (empty device store) the wallet's served methods
 * (`createHandlers`, the same handlers embed.html serves) must never hand that address to
 * the host: `connect` says `unverified`, signTx/signData are refused; the recovery flow,
 * driven through its real screens, rebuilds the key here, says the vault's copy differed,
 * and only then the host gets the key's true address (walletChanged and connect).
 */
import 'fake-indexeddb/auto';
import { addressHex } from '@trine/protocol/bech32';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCardano } from '../src/cardano.ts';
import type { Ctx } from '../src/context.ts';
import { openDeviceStore } from '../src/device-store.ts';
import { ADDRESS_MISMATCH_TEXT } from '../src/flows/recover.ts';
import { UnlockSession } from '../src/session.ts';
import { View } from '../src/ui/screen.ts';
import { createHandlers } from '../src/wallet.ts';
import { createUserWallet, type Stack, startStack } from './full-stack.ts';

const ANSWER = 'Rex the dog';
const PASSWORD = 'a long device password 12';
const NEW_PASSWORD = 'new device password 9876';

let stack: Stack;
let root: HTMLElement;
/** Everything the wallet sent the host, serialised (what an attacker would want in it). */
const toHost: string[] = [];

async function until<T>(f: () => T | undefined | null | false, what: string): Promise<T> {
  for (let i = 0; i < 4000; i++) {
    const r = f();
    if (r) return r;
    await new Promise((s) => setTimeout(s, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const heading = () => root.querySelector('h1')?.textContent ?? '';

/** A device that never opened the wallet: its own, empty store (real IndexedDB code). */
async function newDevice(): Promise<Ctx> {
  return Object.assign(Object.create(null), stack.ctx, {
    store: await openDeviceStore(indexedDB, `new-device-${Math.random()}`),
    view: new View(root),
    session: new UnlockSession(),
    hostOrigin: 'https://host.test',
    host: {
      ui: async (visible: boolean) => {
        toHost.push(JSON.stringify({ ui: visible }));
      },
      walletChanged: async (wallet: unknown) => {
        toHost.push(JSON.stringify({ walletChanged: wallet }));
      },
      resolveInputs: async () => [],
    },
  }) as Ctx;
}

beforeAll(async () => {
  stack = await startStack(3, 2, 10);
  document.body.replaceChildren();
  root = document.createElement('main');
  document.body.append(root);
  Object.assign(stack.ctx, { view: new View(root), hostOrigin: 'https://host.test' });
}, 60_000);
afterAll(() => stack?.close());

describe('a vault that lists a foreign address for the wallet', () => {
  it('the host never receives it; after recovery on this device it gets the true address', async () => {
    const { walletId } = await createUserWallet(stack, ANSWER, PASSWORD);
    const trueMeta = (await stack.ctx.vault.getWallet())!;
    const truth = trueMeta.addresses;
    // The attacker's own wallet (another key) on the same network.
    const cardano = await loadCardano();
    const theirs = cardano.deriveWallet(crypto.getRandomValues(new Uint8Array(32)), 'preprod');
    expect(theirs.baseAddress).not.toBe(truth.base);
    // The operator rewrites the row in its own database: the API now lists its address.
    await stack.vault.database.db.execute(
      sql`update wallets set base_address = ${theirs.baseAddress}, reward_address = ${theirs.rewardAddress} where wallet_id = ${walletId}`,
    );
    expect((await stack.ctx.vault.getWallet())!.addresses).toEqual({
      base: theirs.baseAddress,
      reward: theirs.rewardAddress,
    });

    const ctx = await newDevice();
    const wallet = createHandlers(ctx);
    // connect: the wallet exists, but this device cannot vouch for any address yet.
    expect(await wallet.connect({ network: 'preprod' })).toEqual({ state: 'unverified' });
    // The calls that would use addresses are refused before any screen, with a typed code.
    await expect(
      wallet.signData({ address: theirs.baseAddress, payload: '68656c6c6f' }),
    ).rejects.toMatchObject({ name: 'ProtocolError', code: 'account_changed' });
    await expect(wallet.signTx({ tx: '84a0', partialSign: true })).rejects.toMatchObject({
      name: 'ProtocolError',
      code: 'account_changed',
    });
    expect(root.querySelector('form')).toBeNull(); // no screen was shown for them

    // The recovery, through its real screens (what SDK enable() runs on `unverified`).
    const recovered = wallet.manage({ flow: 'recover' });
    await until(() => heading() === 'Recover your wallet', 'the answer screen');
    (root.querySelector('input') as HTMLInputElement).value = ANSWER;
    root.querySelector('form')!.requestSubmit();
    await until(() => heading() === 'Choose a new password', 'the password screen');
    // The user is told the vault's copy was not the key's.
    expect(root.textContent).toContain(ADDRESS_MISMATCH_TEXT);
    const [pw, pw2] = [...root.querySelectorAll('input[type=password]')] as HTMLInputElement[];
    pw!.value = NEW_PASSWORD;
    pw2!.value = NEW_PASSWORD;
    root.querySelector('form')!.requestSubmit();
    expect(await recovered).toEqual({ done: true });

    // Now the host hears the key's addresses: announced, and from connect.
    const expected = {
      walletId,
      network: 'preprod',
      networkId: 0,
      addresses: expect.objectContaining({ base: truth.base, reward: truth.reward }),
    };
    const announced = toHost
      .map((m) => JSON.parse(m) as { walletChanged?: unknown })
      .filter((m) => m.walletChanged !== undefined);
    expect(announced).toEqual([{ walletChanged: expected }]);
    expect(await wallet.connect({ network: 'preprod' })).toEqual({
      state: 'locked',
      wallet: expected,
    });
    const device = (await ctx.store.get('dev', walletId))!;
    expect(device.addresses).toEqual(truth);
    // The vault still lists the foreign address; none of it ever crossed to the host.
    expect((await ctx.vault.getWallet())!.addresses.base).toBe(theirs.baseAddress);
    const sent = toHost.join('\n');
    for (const a of [theirs.baseAddress, theirs.rewardAddress]) {
      expect(sent).not.toContain(a);
      expect(sent).not.toContain(addressHex(a)); // nor as the hex CIP-30 hands out
    }
  });
});
