/**
 * The offline kit after recovery realms (issue 9, item 5): `trine combine` with the device
 * and auth shares recovers the mnemonic in a real `trine` process whose every network
 * entry point (sockets, DNS, fetch, UDP) throws and reports; a recovery share sealed
 * under the realms (record v2) is skipped with RECOVERY_NEEDS_REALMS, never guessed at.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, secretFile, tempDir } from './helpers.ts';

const MNEMONIC = 'test walk nut penalty hip pave soap entry language right filter choice';
const BIN = new URL('../bin/trine.mjs', import.meta.url).pathname;

/** A preload that makes any network use fail loudly (and say so on stderr). */
const NO_NETWORK = `
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
const refuse = (what) => {
  process.stderr.write('OFFLINE-TEST: network attempt: ' + what + '\\n');
  throw new Error('network disabled by the offline test (' + what + ')');
};
// A Unix-domain socket (a path, no port) is local IPC, not network: tsx's loader pings its
// parent's IPC pipe that way. Anything with a port or a host is refused.
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const o = Array.isArray(args[0]) ? args[0][0] : args[0];
  const local = (typeof o === 'string' && Number.isNaN(Number(o))) || (o && typeof o === 'object' && o.path !== undefined && o.port === undefined);
  if (!local) refuse('net.Socket.connect');
  return connect.apply(this, args);
};
for (const k of ['lookup', 'resolve', 'resolve4', 'resolve6']) dns[k] = () => refuse('dns.' + k);
dns.promises.lookup = async () => refuse('dns.promises.lookup');
dgram.createSocket = () => refuse('dgram.createSocket');
globalThis.fetch = async () => refuse('fetch');
globalThis.WebSocket = class { constructor() { refuse('WebSocket'); } };
`;

let dir: string;
let kit: string;
let pw: string;
let ans: string;
let preload: string;

beforeAll(async () => {
  dir = tempDir();
  kit = join(dir, 'kit');
  pw = secretFile(dir, 'pw.txt', 'correct horse battery staple 42');
  ans = secretFile(dir, 'ans.txt', 'Rue de la Paix');
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
  expect(r.code).toBe(0);
  preload = join(dir, 'no-network.mjs');
  writeFileSync(preload, NO_NETWORK);
});

function offline(args: string[], cwd = dir) {
  return spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
}

describe('trine combine, fully offline', () => {
  it('the no-network preload really refuses network use (control)', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        pathToFileURL(preload).href,
        '-e',
        "require('node:net').connect(1, '127.0.0.1'); ",
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('OFFLINE-TEST: network attempt: net.Socket.connect');
  });

  it('device + auth give the mnemonic back in a process with no network', () => {
    const folder = join(dir, 'device-auth');
    spawnSync('cp', ['-r', kit, folder]);
    spawnSync('rm', [join(folder, 'recovery.share')]);
    const r = offline(['combine', folder, '--password-file', pw]);
    expect(r.stderr).not.toContain('OFFLINE-TEST');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(MNEMONIC);
  });

  it('a recovery share sealed under the realms (v2) is skipped, never opened offline', () => {
    const folder = join(dir, 'v2');
    spawnSync('cp', ['-r', kit, folder]);
    const v1 = JSON.parse(readFileSync(join(folder, 'recovery.share'), 'utf8'));
    // the shape of docs/realms.md's sealed record v2 (its realms part is what matters)
    const v2 = {
      ...v1,
      v: 2,
      realms: { scheme: 'trine-realm/v1', threshold: 2, ids: ['r1', 'r2', 'r3'], epoch: 1 },
    };
    writeFileSync(join(folder, 'recovery.share'), JSON.stringify(v2), { mode: 0o600 });
    // with the auth share and the answer only: too few shares, and the reason said plainly
    spawnSync('mv', [join(folder, 'device.share'), join(dir, 'device.share.aside')]);
    const a = offline(['combine', folder, '--answer-file', ans]);
    expect(a.status).toBe(1);
    expect(a.stdout).toBe('');
    expect(a.stderr).toContain(
      'trine: warning: not used: recovery.share: RECOVERY_NEEDS_REALMS (this recovery share is sealed under the recovery realms too (record v2): it opens only through the realms (recover in the wallet); offline, use device.share + auth.share)',
    );
    expect(a.stderr).toContain('[SHARES_TOO_FEW]');
    expect(a.stderr).not.toContain('OFFLINE-TEST');
    expect(a.stderr).not.toContain('Rue de la Paix');
    // device + auth still recover, with the v2 recovery share beside them
    spawnSync('mv', [join(dir, 'device.share.aside'), join(folder, 'device.share')]);
    const b = offline(['combine', folder, '--password-file', pw, '--answer-file', ans]);
    expect(b.status).toBe(0);
    expect(b.stdout.trim()).toBe(MNEMONIC);
    expect(b.stderr).toContain('RECOVERY_NEEDS_REALMS');
    expect(b.stderr).not.toContain('OFFLINE-TEST');
  });

  it('help says what the realms change for the kit', async () => {
    const r = await run('--help');
    expect(r.out).toContain('device.share + auth.share always recover offline');
    expect(r.out).toContain('RECOVERY_NEEDS_REALMS');
    expect(r.out).toContain('--network only when it');
  });
});
