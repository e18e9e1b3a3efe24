import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { Decoder, Encoder } from 'cbor-x';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, secretFile, tempDir } from './helpers.ts';

// The well-known CIP-1852 test mnemonic used by cardano-serialization-lib's address tests.
const MNEMONIC = 'test walk nut penalty hip pave soap entry language right filter choice';
const PASSWORD = 'correct horse battery staple 42';
const ANSWER = '  Rue  de la PAIX ';
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('trine derive', () => {
  it('prints the CIP-1852 base and reward addresses and key hashes as JSON', async () => {
    const r = await run('derive', '--mnemonic', MNEMONIC, '--network', 'preprod');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual([
      'baseAddress',
      'rewardAddress',
      'paymentKeyHash',
      'stakeKeyHash',
      'keyId',
    ]);
    // cardano-serialization-lib rust/src/tests/address.rs, bip32_12_base (network 0)
    expect(out.baseAddress).toBe(
      'addr_test1qz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3jcu5d8ps7zex2k2xt3uqxgjqnnj83ws8lhrn648jjxtwq2ytjqp',
    );
    expect(out.rewardAddress).toMatch(/^stake_test1u/);
    expect(out.paymentKeyHash).toMatch(/^[0-9a-f]{56}$/);
    expect(out.keyId).toMatch(/^[0-9a-f]{56}$/);
  });

  it('gives the same result from --mnemonic-file, and mainnet addresses by default', async () => {
    const dir = tempDir();
    const file = secretFile(dir, 'm.txt', MNEMONIC);
    const a = await run('derive', '--mnemonic-file', file);
    const b = await run('derive', '--mnemonic', MNEMONIC, '--network', 'mainnet');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out).baseAddress).toMatch(/^addr1q/);
    const preview = JSON.parse(
      (await run('derive', '--mnemonic', MNEMONIC, '--network', 'preview')).out,
    );
    expect(preview.keyId).toBe(JSON.parse(a.out).keyId);
  });

  it.each([
    [['derive'], 2, 'USAGE', 'give exactly one of --mnemonic or --mnemonic-file'],
    [['derive', '--mnemonic', MNEMONIC, '--mnemonic-file', '/x'], 2, 'USAGE', 'give exactly one'],
    [['derive', '--mnemonic', MNEMONIC, '--network', 'testnet'], 1, 'NETWORK_UNKNOWN', ''],
    [['derive', '--mnemonic', MNEMONIC, '--bogus'], 2, 'USAGE', "Unknown option '--bogus'"],
    [
      [
        'derive',
        '--mnemonic',
        'test walk nut penalty hip pave soap entry language right filter filter',
      ],
      1,
      'MNEMONIC_BAD_CHECKSUM',
      '',
    ],
    [
      ['derive', '--mnemonic', 'test walk nut penalty hip pave soap entry language right filter'],
      1,
      'MNEMONIC_INVALID_LENGTH',
      '',
    ],
    [
      [
        'derive',
        '--mnemonic',
        'test walk nut penalty hip pave soap entry language right filter zzzzq',
      ],
      1,
      'MNEMONIC_UNKNOWN_WORD',
      '',
    ],
    [
      ['derive', '--mnemonic-file', '/nonexistent/m.txt'],
      1,
      'FILE_UNREADABLE',
      'cannot read the mnemonic file',
    ],
    [['frobnicate'], 2, 'USAGE', 'unknown command "frobnicate"'],
  ])('%j → exit %i with [%s]', async (argv, code, errCode, text) => {
    const r = await run(...(argv as string[]));
    expect(r.code).toBe(code);
    expect(r.out).toBe('');
    expect(r.err).toContain(`trine: error [${errCode}]`);
    expect(r.err).toContain(text);
    // never echo the words back
    expect(r.err).not.toContain('penalty');
    expect(r.err).not.toContain('zzzzq');
  });

  it('prints help that warns about --mnemonic on a command line', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('visible to other users and processes');
    for (const cmd of ['derive', 'sign-tx', 'sign-data', 'split', 'combine'])
      expect(r.out).toContain(`trine ${cmd}`);
  });
});

describe('trine split / combine', () => {
  let dir: string;
  let kit: string;
  let pw: string;
  let ans: string;
  let wallet: {
    walletId: string;
    keyId: string;
    network: string;
    addresses: { base: string; reward: string };
  };

  beforeAll(async () => {
    dir = tempDir();
    kit = join(dir, 'kit');
    pw = secretFile(dir, 'pw.txt', PASSWORD);
    ans = secretFile(dir, 'ans.txt', ANSWER);
    const r = await run(
      'split',
      '--mnemonic',
      MNEMONIC,
      '--password-file',
      pw,
      '--answer-file',
      ans,
      '--network',
      'preprod',
      '--out',
      kit,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    wallet = JSON.parse(readFileSync(join(kit, 'wallet.json'), 'utf8'));
  });

  it('writes the four files, shares with mode 0600, in the vault formats', async () => {
    expect(readdirSync(kit).sort()).toEqual([
      'auth.share',
      'device.share',
      'recovery.share',
      'wallet.json',
    ]);
    for (const f of ['auth.share', 'device.share', 'recovery.share']) {
      expect(statSync(join(kit, f)).mode & 0o777).toBe(0o600);
    }
    const derived = JSON.parse(
      (await run('derive', '--mnemonic', MNEMONIC, '--network', 'preprod')).out,
    );
    expect(wallet).toEqual({
      walletId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      keyId: derived.keyId,
      network: 'preprod',
      addresses: { base: derived.baseAddress, reward: derived.rewardAddress },
    });
    const auth = JSON.parse(readFileSync(join(kit, 'auth.share'), 'utf8'));
    expect(Object.keys(auth)).toEqual([
      'v',
      'walletId',
      'keyId',
      'epoch',
      'role',
      'threshold',
      'share',
      'tag',
    ]);
    expect(auth).toMatchObject({
      v: 1,
      walletId: wallet.walletId,
      keyId: derived.keyId,
      epoch: 1,
      role: 2,
      threshold: 2,
    });
    for (const [f, role] of [
      ['device.share', 1],
      ['recovery.share', 3],
    ] as const) {
      const sealed = JSON.parse(readFileSync(join(kit, f), 'utf8'));
      expect(Object.keys(sealed)).toEqual(['v', 'alg', 'kdf', 'header', 'nonce', 'ciphertext']);
      expect(sealed.kdf).toMatchObject({ name: 'argon2id', m: 65536, t: 3, p: 1 });
      expect(sealed.header).toMatchObject({ walletId: wallet.walletId, epoch: 1, role });
    }
    const all = readdirSync(kit)
      .map((f) => readFileSync(join(kit, f), 'utf8'))
      .join('');
    for (const secret of [PASSWORD, 'rue de la paix', 'penalty']) expect(all).not.toContain(secret);
  });

  it.each([
    ['device + auth', ['--password-file'], ['recovery.share']],
    ['device + recovery', ['--password-file', '--answer-file'], ['auth.share']],
    ['auth + recovery', ['--answer-file'], ['device.share']],
    ['all three', ['--password-file', '--answer-file'], []],
  ])('gives the mnemonic back from %s', async (_name, flags, removed) => {
    const copy = copyKit(kit, removed);
    const args = ['combine', copy];
    if (flags.includes('--password-file')) args.push('--password-file', pw);
    if (flags.includes('--answer-file')) args.push('--answer-file', ans);
    const r = await run(...args);
    expect(r.code).toBe(0);
    expect(r.out).toBe(MNEMONIC);
  });

  it('opens the recovery share with any answer that normalises the same', async () => {
    const other = secretFile(dir, 'ans2.txt', 'rue de la paix');
    const r = await run('combine', copyKit(kit, ['device.share']), '--answer-file', other);
    expect(r.code).toBe(0);
    expect(r.out).toBe(MNEMONIC);
  });

  it('uses the two good shares when the third is damaged, and says which was skipped', async () => {
    const copy = copyKit(kit, []);
    flipCiphertext(join(copy, 'device.share'));
    const r = await run('combine', copy, '--password-file', pw, '--answer-file', ans);
    expect(r.code).toBe(0);
    expect(r.out).toBe(MNEMONIC);
    expect(r.err).toContain('not used: device.share: SEAL_OPEN_FAILED');
  });

  it('falls back to a good pair when an auth share was altered but still parses', async () => {
    const copy = copyKit(kit, []);
    const path = join(copy, 'auth.share');
    const env = JSON.parse(readFileSync(path, 'utf8'));
    const share = Buffer.from(env.share, 'base64url');
    share[0]! ^= 1;
    env.share = share.toString('base64url');
    writeFileSync(path, JSON.stringify(env));
    const r = await run('combine', copy, '--password-file', pw, '--answer-file', ans);
    expect(r.code).toBe(0);
    expect(r.out).toBe(MNEMONIC);
    expect(r.err).toContain('SHARES_AUTH_FAILED');
    // and with only the altered auth share and the device share: an error, never a wrong mnemonic
    rmSync(join(copy, 'recovery.share'));
    const bad = await run('combine', copy, '--password-file', pw);
    expect(bad.code).toBe(1);
    expect(bad.out).toBe('');
    expect(bad.err).toContain('[SHARES_AUTH_FAILED]');
  });

  it('refuses with SHARES_TOO_FEW on a wrong password, and never prints the password', async () => {
    const wrong = secretFile(dir, 'wrong.txt', 'not the password');
    const r = await run('combine', copyKit(kit, ['recovery.share']), '--password-file', wrong);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('trine: error [SHARES_TOO_FEW]: need two usable shares, have 1');
    expect(r.err).toContain('device.share: SEAL_OPEN_FAILED');
    expect(r.err).not.toContain('not the password');
  });

  it('reports a missing file and an unusable sealed share without a secret', async () => {
    const r = await run('combine', copyKit(kit, ['auth.share']), '--password-file', pw);
    expect(r.code).toBe(1);
    expect(r.err).toContain('auth.share: missing');
    expect(r.err).toContain('recovery.share: USAGE (no --answer-file)');
  });

  it('rejects a share file holding garbage with its code', async () => {
    const copy = copyKit(kit, []);
    writeFileSync(join(copy, 'auth.share'), '{"v":1,"role":2');
    const r = await run('combine', copy, '--password-file', pw);
    expect(r.code).toBe(1);
    expect(r.err).toContain('auth.share: ENVELOPE_MALFORMED');
  });

  it('never overwrites an existing kit and writes nothing partial', async () => {
    const r = await run(
      'split',
      '--mnemonic',
      MNEMONIC,
      '--password-file',
      pw,
      '--answer-file',
      ans,
      '--out',
      kit,
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('[OUTPUT_EXISTS]');
    expect(JSON.parse(readFileSync(join(kit, 'wallet.json'), 'utf8'))).toEqual(wallet);
  });

  it('requires its options', async () => {
    const r = await run('split', '--mnemonic', MNEMONIC, '--out', join(dir, 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--password-file is required');
    expect(existsSync(join(dir, 'x'))).toBe(false);
    const c = await run('combine');
    expect(c.code).toBe(2);
    expect(c.err).toContain('give exactly one folder');
  });
});

describe('trine sign-tx / sign-data (checked with noble + cbor-x, not with CSL)', () => {
  it('signs the body hash as received with the payment key', async () => {
    const derived = JSON.parse(
      (await run('derive', '--mnemonic', MNEMONIC, '--network', 'preprod')).out,
    );
    const body = new Map<number, unknown>([
      [0, [[Buffer.alloc(32, 7), 0]]],
      [1, [[Buffer.concat([Buffer.from([0x60]), Buffer.alloc(28, 9)]), 2_000_000]]],
      [2, 170_000],
    ]);
    const bodyBytes = encoder.encode(body);
    const tx = Buffer.concat([Buffer.from([0x84]), bodyBytes, Buffer.from([0xa0, 0xf5, 0xf6])]);
    const r = await run(
      'sign-tx',
      '--mnemonic',
      MNEMONIC,
      '--network',
      'preprod',
      '--tx',
      tx.toString('hex'),
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ws = decoder.decode(Buffer.from(r.out, 'hex')) as Map<
      number,
      Iterable<[Uint8Array, Uint8Array]>
    >;
    expect([...ws.keys()]).toEqual([0]);
    // Conway encodes the vkey witnesses as a tag-258 set; cbor-x decodes it to a Set.
    const witnesses = [...ws.get(0)!];
    expect(witnesses).toHaveLength(1);
    const [vkey, sig] = witnesses[0]!;
    expect(vkey).toHaveLength(32);
    expect(sig).toHaveLength(64);
    expect(hex(blake2b(vkey, { dkLen: 28 }))).toBe(derived.paymentKeyHash);
    expect(ed25519.verify(sig, blake2b(bodyBytes, { dkLen: 32 }), vkey)).toBe(true);
  });

  it('refuses malformed CBOR with TX_MALFORMED', async () => {
    const r = await run('sign-tx', '--mnemonic', MNEMONIC, '--tx', '84a0');
    expect(r.code).toBe(1);
    expect(r.err).toContain('[TX_MALFORMED]');
  });

  it('signs data for the base address as COSE_Sign1 that an independent verifier accepts', async () => {
    const derived = JSON.parse(
      (await run('derive', '--mnemonic', MNEMONIC, '--network', 'preprod')).out,
    );
    const payload = Buffer.from('Trine says hello', 'utf8');
    const r = await run(
      'sign-data',
      '--mnemonic',
      MNEMONIC,
      '--network',
      'preprod',
      '--address',
      derived.baseAddress,
      '--payload',
      payload.toString('hex'),
    );
    expect(r.code).toBe(0);
    const { signature, key } = JSON.parse(r.out);
    const [protectedBytes, , signedPayload, sig] = decoder.decode(
      Buffer.from(signature, 'hex'),
    ) as [Uint8Array, unknown, Uint8Array, Uint8Array];
    const coseKey = decoder.decode(Buffer.from(key, 'hex')) as Map<number, unknown>;
    const pub = coseKey.get(-2) as Uint8Array;
    expect(coseKey.get(1)).toBe(1);
    expect(coseKey.get(-1)).toBe(6);
    expect(hex(signedPayload)).toBe(payload.toString('hex'));
    const headers = decoder.decode(protectedBytes) as Map<number | string, unknown>;
    expect(headers.get(1)).toBe(-8);
    expect(hex(blake2b(pub, { dkLen: 28 }))).toBe(derived.paymentKeyHash);
    const sigStructure = encoder.encode([
      'Signature1',
      Buffer.from(protectedBytes),
      Buffer.alloc(0),
      Buffer.from(signedPayload),
    ]);
    expect(ed25519.verify(sig, sigStructure, pub)).toBe(true);
  });

  it('refuses an address that is not the wallet’s with ADDRESS_NOT_OURS', async () => {
    const other = JSON.parse(
      (
        await run(
          'derive',
          '--mnemonic',
          'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
          '--network',
          'preprod',
        )
      ).out,
    );
    const r = await run(
      'sign-data',
      '--mnemonic',
      MNEMONIC,
      '--network',
      'preprod',
      '--address',
      other.baseAddress,
      '--payload',
      '00',
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('[ADDRESS_NOT_OURS]');
  });
});

describe('the installed command', () => {
  it('runs as `npx trine` from the repository root', () => {
    const root = new URL('../../..', import.meta.url).pathname;
    const r = spawnSync(
      'npx',
      ['--no-install', 'trine', 'derive', '--mnemonic', MNEMONIC, '--network', 'preprod'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).baseAddress).toMatch(
      /^addr_test1qz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3/,
    );
    const bad = spawnSync('npx', ['--no-install', 'trine', 'combine'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('trine: error [USAGE]');
  });
});

function copyKit(kit: string, without: string[]): string {
  const copy = tempDir();
  for (const f of readdirSync(kit)) {
    if (!without.includes(f)) writeFileSync(join(copy, f), readFileSync(join(kit, f)));
  }
  return copy;
}

function flipCiphertext(path: string): void {
  const rec = JSON.parse(readFileSync(path, 'utf8'));
  const ct = Buffer.from(rec.ciphertext, 'base64url');
  ct[3]! ^= 0x10;
  rec.ciphertext = ct.toString('base64url');
  writeFileSync(path, JSON.stringify(rec));
}
