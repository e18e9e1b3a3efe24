/**
 * `trine sign-data` / `trine sign-tx` take the network from what they sign (issue 8,
 * item 8): no --network needed when the address or transaction says it, an agreeing
 * --network is accepted, a conflicting one is a NETWORK_CONFLICT error (exit 1) with a
 * message that says what to do, and only data that states nothing needs the flag.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { Decoder, Encoder } from 'cbor-x';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers.ts';

const MNEMONIC = 'test walk nut penalty hip pave soap entry language right filter choice';
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });

interface Derived {
  baseAddress: string;
  rewardAddress: string;
  paymentKeyHash: string;
  stakeKeyHash: string;
}
let testnet: Derived;
let mainnet: Derived;

beforeAll(async () => {
  testnet = JSON.parse((await run('derive', '--mnemonic', MNEMONIC, '--network', 'preprod')).out);
  mainnet = JSON.parse((await run('derive', '--mnemonic', MNEMONIC, '--network', 'mainnet')).out);
  expect(testnet.baseAddress).toMatch(/^addr_test1/);
  expect(mainnet.baseAddress).toMatch(/^addr1/);
});

const signData = (...extra: string[]) =>
  run('sign-data', '--mnemonic', MNEMONIC, '--payload', '48656c6c6f', ...extra);

describe('trine sign-data: the network from the address', () => {
  it('a testnet address needs no --network (the reported bug: "network id differs")', async () => {
    const bare = await signData('--address', testnet.baseAddress);
    expect(bare.err).toBe('');
    expect(bare.code).toBe(0);
    // the same signature as with an agreeing --network (either test network)
    for (const network of ['preprod', 'preview']) {
      const r = await signData('--address', testnet.baseAddress, '--network', network);
      expect(r.out).toBe(bare.out);
    }
    const { signature } = JSON.parse(bare.out);
    const [protectedBytes, , payload, sig] = decoder.decode(Buffer.from(signature, 'hex')) as [
      Uint8Array,
      unknown,
      Uint8Array,
      Uint8Array,
    ];
    const { key } = JSON.parse(bare.out);
    const pub = (decoder.decode(Buffer.from(key, 'hex')) as Map<number, Uint8Array>).get(-2)!;
    const toSign = encoder.encode([
      'Signature1',
      Buffer.from(protectedBytes),
      Buffer.alloc(0),
      Buffer.from(payload),
    ]);
    expect(ed25519.verify(sig, toSign, pub)).toBe(true);
    expect(Buffer.from(blake2b(pub, { dkLen: 28 })).toString('hex')).toBe(testnet.paymentKeyHash);
  });

  it('mainnet, reward and hex addresses say their network too', async () => {
    expect((await signData('--address', mainnet.baseAddress)).code).toBe(0);
    expect((await signData('--address', testnet.rewardAddress)).code).toBe(0);
    expect((await signData('--address', mainnet.rewardAddress)).code).toBe(0);
    // the raw-bytes form CIP-30 passes (header 0x00: base, network 0) says it as well
    // CIP-19: header ‖ payment key hash ‖ stake key hash
    const hexAddr = `00${testnet.paymentKeyHash}${testnet.stakeKeyHash}`;
    expect((await signData('--address', hexAddr)).code).toBe(0);
    expect((await signData('--address', hexAddr, '--network', 'mainnet')).err).toContain(
      '[NETWORK_CONFLICT]',
    );
  });

  it('a --network that contradicts the address is a NETWORK_CONFLICT saying what to do', async () => {
    const a = await signData('--address', testnet.baseAddress, '--network', 'mainnet');
    expect(a.code).toBe(1);
    expect(a.out).toBe('');
    expect(a.err).toBe(
      'trine: error [NETWORK_CONFLICT]: --network mainnet conflicts with the address, which is for a test network (network id 0); drop --network (the address says its network) or give the right one',
    );
    const b = await signData('--address', mainnet.baseAddress, '--network', 'preprod');
    expect(b.code).toBe(1);
    expect(b.err).toBe(
      'trine: error [NETWORK_CONFLICT]: --network preprod conflicts with the address, which is for mainnet (network id 1); drop --network (the address says its network) or give the right one',
    );
    const c = await signData('--address', testnet.baseAddress, '--network', 'testnet');
    expect(c.code).toBe(1);
    expect(c.err).toContain('[NETWORK_UNKNOWN]');
  });
});

/** A tx with one input, the given outputs (address bytes) and, optionally, a body network id. */
function tx(outputs: Buffer[], networkId?: 0 | 1): { hex: string; body: Uint8Array } {
  const body = new Map<number, unknown>([
    [0, [[Buffer.alloc(32, 7), 0]]],
    [1, outputs.map((a) => [a, 2_000_000])],
    [2, 170_000],
  ]);
  if (networkId !== undefined) body.set(15, networkId);
  const bodyBytes = encoder.encode(body);
  const hex = Buffer.concat([Buffer.from([0x84]), bodyBytes, Buffer.from([0xa0, 0xf5, 0xf6])]);
  return { hex: hex.toString('hex'), body: bodyBytes };
}
// enterprise addresses (header 0x6N: N = network id), 28-byte key hash
const enterprise = (id: 0 | 1) => Buffer.concat([Buffer.from([0x60 | id]), Buffer.alloc(28, 9)]);

const signTx = (txHex: string, ...extra: string[]) =>
  run('sign-tx', '--mnemonic', MNEMONIC, '--tx', txHex, ...extra);

describe('trine sign-tx: the network from the transaction', () => {
  it('a testnet tx signs with no --network, alike with an agreeing one', async () => {
    const t = tx([enterprise(0)]);
    const bare = await signTx(t.hex);
    expect(bare.err).toBe('');
    expect(bare.code).toBe(0);
    expect((await signTx(t.hex, '--network', 'preprod')).out).toBe(bare.out);
    expect((await signTx(t.hex, '--network', 'preview')).out).toBe(bare.out);
    const ws = decoder.decode(Buffer.from(bare.out, 'hex')) as Map<
      number,
      Iterable<[Uint8Array, Uint8Array]>
    >;
    const [[vkey, sig]] = [...ws.get(0)!] as [[Uint8Array, Uint8Array]];
    expect(ed25519.verify(sig, blake2b(t.body, { dkLen: 32 }), vkey)).toBe(true);
  });

  it('a contradicting --network is a NETWORK_CONFLICT, from the outputs or the body network id', async () => {
    const a = await signTx(tx([enterprise(0)]).hex, '--network', 'mainnet');
    expect(a.code).toBe(1);
    expect(a.out).toBe('');
    expect(a.err).toBe(
      'trine: error [NETWORK_CONFLICT]: --network mainnet conflicts with the transaction, which is for a test network (network id 0); drop --network (the transaction says its network) or give the right one',
    );
    const b = await signTx(tx([enterprise(1)]).hex, '--network', 'preview');
    expect(b.code).toBe(1);
    expect(b.err).toContain('which is for mainnet (network id 1)');
    // the body's network id field alone (no output at all) says it as well
    const c = await signTx(tx([], 1).hex, '--network', 'preprod');
    expect(c.err).toContain('[NETWORK_CONFLICT]');
    expect((await signTx(tx([], 1).hex)).code).toBe(0);
  });

  it('a tx that mixes networks is refused; one that states none signs (the witness is the same)', async () => {
    const mixed = await signTx(tx([enterprise(0), enterprise(1)]).hex);
    expect(mixed.code).toBe(1);
    expect(mixed.err).toBe(
      'trine: error [NETWORK_CONFLICT]: the transaction mixes mainnet and test-network addresses or network id; no ledger accepts it',
    );
    expect((await signTx(tx([enterprise(0)], 1).hex)).err).toContain('[NETWORK_CONFLICT]');
    const silent = tx([]);
    const none = await signTx(silent.hex);
    expect(none.code).toBe(0);
    for (const n of ['mainnet', 'preprod', 'preview']) {
      expect((await signTx(silent.hex, '--network', n)).out).toBe(none.out);
    }
  });
});
