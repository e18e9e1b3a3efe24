/**
 * Production mode refuses each unsafe configuration with a clear message and its own
 * exit code — starting from the exact environment the shape's vaults run with, changing
 * one thing at a time; and that environment itself is accepted (the shape runs on it).
 * Also: the infra files validate (Caddy parses both Caddyfiles with the shared snippets),
 * and the database roles of infra/sql/roles.sql make row-level security bite for the
 * role the vaults connect as.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { parse } from 'yaml';
import { ROOT } from '../../infra/local/shape.ts';
import { call, SimWallet } from './api.ts';
import { expect, shape, test } from './fixtures.ts';

function runVault(
  env: Record<string, string>,
  main = 'apps/vault/src/main.ts',
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      cwd: ROOT,
      env: { ...env, PORT: '0' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test('production mode refuses the dev issuer (79), no master key (80), an http public URL (81), no TRINE_ENV (82), dev mode with deployment settings (83), no proxy decision (84), bench routes (85)', async () => {
  const s = shape();
  const base = { ...s.vaultEnv };
  const cases: [string, Record<string, string | undefined>, number, string][] = [
    [
      'dev issuer on',
      { TRINE_DEV_ISSUER: '1' },
      79,
      'refusing to start: TRINE_ENV=production with the dev issuer on',
    ],
    [
      'no master key',
      { TRINE_MASTER_KEYS: undefined },
      80,
      'refusing to start: TRINE_ENV=production needs TRINE_MASTER_KEYS',
    ],
    [
      'http public URL',
      { TRINE_PUBLIC_URL: s.walletUrl.replace('https:', 'http:') },
      81,
      'refusing to start: TRINE_ENV=production needs an https TRINE_PUBLIC_URL',
    ],
    [
      'TRINE_ENV unset',
      { TRINE_ENV: undefined },
      82,
      'refusing to start: TRINE_ENV is not set; set TRINE_ENV=production for a deployment',
    ],
    [
      // the shape's own settings in dev mode: its https URL is the first thing refused
      'dev mode with the shape’s settings',
      { TRINE_ENV: 'development' },
      83,
      'refusing to start: TRINE_ENV=development with an https TRINE_PUBLIC_URL',
    ],
    [
      'no TRINE_TRUSTED_PROXIES (behind Caddy) and no TRINE_EXPOSED_DIRECTLY',
      { TRINE_TRUSTED_PROXIES: undefined },
      84,
      'refusing to start: TRINE_ENV=production needs TRINE_TRUSTED_PROXIES',
    ],
    [
      'bench routes',
      { TRINE_BENCH_ROUTES: '1' },
      85,
      'refusing to start: TRINE_ENV=production with TRINE_BENCH_ROUTES=1',
    ],
  ];
  for (const [what, change, code, message] of cases) {
    const env = { ...base, ...change };
    for (const k of Object.keys(change)) if (change[k] === undefined) delete env[k];
    const r = await runVault(env as Record<string, string>);
    expect(r.code, what).toBe(code);
    expect(r.stderr, what).toContain(message);
    expect(r.stderr).not.toContain(base.TRINE_MASTER_KEYS!.split(':')[1]!);
  }
  // The unchanged environment is the one the running vaults accepted.
  expect((await call(s, 'GET', '/readyz')).status).toBe(200);
});

test('a realm in production mode refuses a dev issuer (79), no TRINE_REALM_KEY (80), no TRINE_REALM_ID (82), no apps file (78), from the shape’s own realm environment', async () => {
  const s = shape();
  const r0 = s.realms[0]!;
  // A realm's full environment as the shape runs it (its key, id and database included).
  const base: Record<string, string> = {
    ...s.realmEnv,
    TRINE_REALM_ID: r0.id,
    TRINE_REALM_KEY: r0.key,
    DATABASE_URL: r0.databaseUrl,
    TRINE_DATA_DIR: join(s.dir, 'realm-refusals'),
  };
  const cases: [string, Record<string, string | undefined>, number, string][] = [
    [
      'dev issuer',
      { TRINE_DEV_ISSUER_URL: s.walletUrl },
      79,
      'refusing to start: TRINE_ENV=production with a dev issuer',
    ],
    [
      'no key',
      { TRINE_REALM_KEY: undefined },
      80,
      'refusing to start: TRINE_ENV=production needs TRINE_REALM_KEY',
    ],
    [
      'no realm id',
      { TRINE_REALM_ID: undefined },
      82,
      'refusing to start: TRINE_ENV=production needs TRINE_REALM_ID',
    ],
    [
      'no apps file',
      { TRINE_APPS_FILE: undefined },
      78,
      'refusing to start: TRINE_ENV=production needs TRINE_APPS_FILE',
    ],
  ];
  for (const [what, change, code, message] of cases) {
    const env = { ...base, ...change };
    for (const k of Object.keys(change)) if (change[k] === undefined) delete env[k];
    const r = await runVault(env as Record<string, string>, 'apps/realm/src/main.ts');
    expect(r.code, what).toBe(code);
    expect(r.stderr, what).toContain(message);
    expect(r.stderr, what).not.toContain(r0.key);
  }
  // The unchanged environment is the one the running realm accepted (through Caddy).
  expect((await fetch(`${r0.url}/readyz`)).status).toBe(200);
});

test('infra: both Caddyfiles validate with the shared snippets; compose file is coherent', () => {
  const s = shape();
  const prod = spawnSync('caddy', ['validate', '--config', 'infra/Caddyfile'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: join(s.dir, 'home'),
      XDG_DATA_HOME: join(s.dir, 'xdg-data'),
      XDG_CONFIG_HOME: join(s.dir, 'xdg-config'),
      TRINE_WALLET_DOMAIN: 'wallet.example.com',
      TRINE_VAULT_UPSTREAMS: '10.0.1.11:8787 10.0.1.12:8787',
      TRINE_ACME_EMAIL: 'ops@example.com',
    },
  });
  expect(prod.status, prod.stderr).toBe(0);
  expect(prod.stdout + prod.stderr).toContain('Valid configuration');
  const local = spawnSync(
    'caddy',
    ['adapt', '--config', 'infra/local/Caddyfile', '--adapter', 'caddyfile'],
    { cwd: ROOT, encoding: 'utf8', env: { ...s.caddyEnv } },
  );
  expect(local.status, local.stderr).toBe(0);
  for (const needle of ['"uri":"/readyz"', 'Strict-Transport-Security', '"module":"internal"']) {
    expect(local.stdout).toContain(needle);
  }

  // compose.yaml: PostgreSQL and the vaults only on an internal network, only Caddy
  // publishes ports, every vault variable is one the vault reads, production mode.
  const compose = parse(readFileSync(join(ROOT, 'infra/compose.yaml'), 'utf8'), { merge: true });
  const config = readFileSync(join(ROOT, 'apps/vault/src/config.ts'), 'utf8');
  const services = compose.services as Record<string, Record<string, unknown>>;
  expect(Object.keys(services).sort()).toEqual(['caddy', 'postgres', 'vault-1', 'vault-2']);
  for (const [name, svc] of Object.entries(services)) {
    if (name !== 'caddy') expect(svc.ports, name).toBeUndefined();
  }
  expect(compose.networks.backend.internal).toBe(true);
  for (const v of ['vault-1', 'vault-2']) {
    const env = services[v]!.environment as Record<string, string>;
    expect(env.TRINE_ENV).toBe('production');
    expect(env.TRINE_DEV_ISSUER).toBe('0');
    expect(env.TRINE_PUBLIC_URL).toMatch(/^https:\/\//);
    for (const key of Object.keys(env)) {
      if (key === 'NODE_ENV') continue;
      const read = config.includes(`env.${key}`) || config.includes(`'${key}'`);
      expect(read, `${v}: ${key} is read by config.ts`).toBe(true);
    }
    const proxies = env.TRINE_TRUSTED_PROXIES;
    const caddyIp = (services.caddy!.networks as Record<string, { ipv4_address: string }>).backend
      ?.ipv4_address;
    expect(proxies).toBe(caddyIp);
  }
});

test('roles.sql: the vaults’ login role can read nothing on its own and cannot switch RLS off', async () => {
  const s = shape();
  await SimWallet.create(s, `rls-${Date.now().toString(36)}`);
  const sql = postgres(s.pg.appUrl, { max: 1, onnotice: () => {} });
  try {
    const rows =
      await sql`select rolsuper, rolbypassrls, rolinherit from pg_roles where rolname = current_user`;
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, rolinherit: false });
    await expect(sql`select count(*) from wallets`).rejects.toThrow();
    await expect(sql.unsafe('alter table wallets disable row level security')).rejects.toThrow();
    await expect(sql.unsafe('set role trine_owner')).rejects.toThrow(/permission denied/);
    // As trine_app, with no user set, RLS hides every wallet, though the other specs made many.
    const seen = await sql.begin(async (tx) => {
      await tx.unsafe('set local role trine_app');
      return tx`select count(*)::int as n from wallets`;
    });
    expect(seen[0]!.n).toBe(0);
    const owner = postgres(s.pg.ownerUrl, { max: 1, onnotice: () => {} });
    try {
      const all = await owner`select count(*)::int as n from wallets`;
      expect(all[0]!.n).toBeGreaterThan(0);
    } finally {
      await owner.end();
    }
  } finally {
    await sql.end();
  }
});
