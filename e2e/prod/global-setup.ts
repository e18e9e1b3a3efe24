/**
 * @module global-setup (production shape) — builds the wallet and the demo when stale,
 * brings the shape up in a temp folder, makes an NSS database trusting Caddy's local CA
 * root for Chromium (a real certificate check: no ignoreHTTPSErrors), and hands the
 * workers the shape's folder and NODE_EXTRA_CA_CERTS (Node's fetch then verifies the
 * same root). The returned function takes the shape down.
 *
 * Rate limits are raised for the whole run: every test client is 127.0.0.1, so the
 * per-IP limit (600/60 by default) would throttle the fuzzer and the soak; the per-wallet
 * recovery limit stays strict enough to be meaningful (50/3600).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { down, ROOT, up } from '../../infra/local/shape.ts';
import { ensureBuilt } from '../../scripts/ensure-built.mjs';

export const SHAPE_VAULT_ENV = {
  TRINE_RATE_IP: '10000000/60',
  TRINE_RATE_USER: '1000000/60',
  TRINE_RATE_RECOVERY_IP: '1000000/3600',
  TRINE_RATE_RECOVERY_USER: '50/3600',
};

/** The realms' limits, raised for the same reason (every test client is 127.0.0.1). */
export const SHAPE_REALM_ENV = {
  TRINE_RATE_IP: '10000000/60',
  TRINE_RATE_USER: '1000000/60',
};

export default async function globalSetup(): Promise<() => Promise<void>> {
  ensureBuilt(['wallet', 'demo'], { log: (l) => console.log(l) });
  const base = mkdtempSync(join(tmpdir(), 'trine-prod-'));
  chmodSync(base, 0o755); // the postgres user keeps its cluster below
  const dir = join(base, 'shape');
  const state = await up({
    dir,
    vaultEnv: SHAPE_VAULT_ENV,
    realmEnv: SHAPE_REALM_ENV,
    log: (l) => console.log(l),
  });
  const nssHome = join(base, 'chromium-home');
  const nssDb = join(nssHome, '.pki', 'nssdb');
  mkdirSync(nssDb, { recursive: true });
  for (const args of [
    ['-N', '-d', `sql:${nssDb}`, '--empty-password'],
    ['-A', '-d', `sql:${nssDb}`, '-n', 'trine-shape-local-ca', '-t', 'C,,', '-i', state.caRoot],
  ]) {
    const r = spawnSync('certutil', args, { encoding: 'utf8' });
    if (r.status !== 0) {
      await down(dir);
      throw new Error(`certutil ${args[0]} failed: ${r.stderr || r.error?.message}`);
    }
  }
  process.env.TRINE_SHAPE_DIR = dir;
  process.env.TRINE_SHAPE_NSS_HOME = nssHome;
  process.env.NODE_EXTRA_CA_CERTS = state.caRoot;
  process.env.TRINE_E2E_VAULT = state.walletUrl;
  process.env.TRINE_E2E_DEMO = state.demoUrl;
  return async () => {
    // The processes' logs outlive the run (test-results/ is git-ignored), for diagnosis.
    const kept = join(ROOT, 'test-results', 'e2e-prod', 'shape-logs');
    rmSync(kept, { recursive: true, force: true });
    cpSync(join(dir, 'logs'), kept, { recursive: true });
    await down(dir);
    rmSync(base, { recursive: true, force: true });
  };
}
