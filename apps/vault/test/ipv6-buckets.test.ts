/**
 * Rate-limit buckets count an IPv6 client per /64 (issue 8, item 2): a client rotating
 * addresses inside its /64 stays in one bucket; another /64 and IPv4 clients do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressBucket, normaliseBucket } from '../src/limits/rate-limit.ts';
import {
  BACKEND_NOTE,
  BACKENDS,
  type Backend,
  call,
  expectProblem,
  GENEROUS,
  makeVault,
  openBackend,
} from './helpers.ts';

describe('addressBucket', () => {
  it('maps every spelling of one /64 to one bucket', () => {
    const same = [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:abcd::',
      '2001:db8:1:2:0:0:0:7',
      '2001:db8:1:2::1.2.3.4',
      'fe80::1%eth0'.replace('fe80::1', '2001:db8:1:2::9'),
    ];
    for (const ip of same) expect(addressBucket(ip), ip).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('::')).toBe('0:0:0:0::/64');
    expect(addressBucket('1::')).toBe('1:0:0:0::/64');
  });
  it('keeps IPv4 addresses and anything unparsable (bounded) as they are', () => {
    expect(addressBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(addressBucket('unknown')).toBe('unknown');
    expect(addressBucket('2001:db8::1::2')).toBe('2001:db8::1::2');
    expect(addressBucket('x'.repeat(500))).toHaveLength(64);
  });
  it('normalises only the address-kind buckets', () => {
    expect(normaliseBucket('ip|2001:db8:1:2::5')).toBe('ip|2001:db8:1:2::/64');
    expect(normaliseBucket('recovery-ip|2001:db8:1:2::5')).toBe('recovery-ip|2001:db8:1:2::/64');
    const user = 'user|dev|["iss","2001:db8:1:2::5"]';
    expect(normaliseBucket(user)).toBe(user);
    expect(normaliseBucket('recovery-user|dev|2001:db8::1')).toBe('recovery-user|dev|2001:db8::1');
  });
});

describe.each(BACKENDS)(`per-IP limit on %s${BACKEND_NOTE}`, (kind) => {
  let be: Backend;
  beforeAll(async () => {
    be = await openBackend(kind);
    await be.reset();
  });
  afterAll(async () => be.close());

  it('one /64 shares a bucket: rotating addresses inside it does not reset the limit', async () => {
    const v = await makeVault(be.database, {
      limits: { ...GENEROUS, ip: { limit: 3, windowSec: 3600 } },
    });
    const get = (ip: string) => call(v.app, 'GET', '/v1/apps/dev', { ip });
    for (const ip of ['2001:db8:5:6::1', '2001:db8:5:6::2', '2001:db8:5:6:ffff::3']) {
      expect((await get(ip)).status, ip).toBe(200);
    }
    // the attacker's next address in the same /64 is refused …
    expectProblem(await get('2001:db8:5:6:1234:5678:9abc:def0'), 429, 'rate_limited');
    // … while the neighbouring /64 and an IPv4 client are untouched
    expect((await get('2001:db8:5:7::1')).status).toBe(200);
    expect((await get('203.0.113.50')).status).toBe(200);
    expect((await get('203.0.113.51')).status).toBe(200);
  });
});
