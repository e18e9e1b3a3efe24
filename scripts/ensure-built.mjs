/**
 * @module ensure-built — builds the wallet iframe app and the demo dApp when their `dist/`
 * is missing or older than any of their sources (the app's own files and the workspace
 * packages it bundles). Used by `npm start` (scripts/start.mjs) and the e2e global setup.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** What each built app is made of (paths relative to the repository root). */
export const APPS = {
  wallet: {
    workspace: '@trine/wallet',
    dist: 'apps/wallet/dist/index.html',
    sources: [
      'apps/wallet/src',
      'apps/wallet/embed.html',
      'apps/wallet/approve.html',
      'apps/wallet/vite.config.ts',
      'apps/wallet/package.json',
      'packages/core/src',
      'packages/cardano/src',
      'packages/protocol/src',
    ],
  },
  demo: {
    workspace: '@trine/demo',
    dist: 'apps/demo/dist/index.html',
    sources: [
      'apps/demo/src',
      'apps/demo/index.html',
      'apps/demo/react.html',
      'packages/web3-react/src',
      'apps/demo/vite.config.ts',
      'apps/demo/package.json',
      'packages/web3-sdk/src',
      'packages/protocol/src',
    ],
  },
};

function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

/** True when `name`'s dist is missing or older than a source file. */
export function isStale(name) {
  const app = APPS[name];
  const built = newest(join(root, app.dist));
  if (built === 0) return true;
  return app.sources.some((s) => newest(join(root, s)) > built);
}

/**
 * Builds each stale app (`npm run build -w <workspace>`), printing one line per app.
 * Throws when a build fails. `force` rebuilds regardless.
 */
export function ensureBuilt(names = ['wallet', 'demo'], { force = false, log = console.log } = {}) {
  for (const name of names) {
    if (!force && !isStale(name)) {
      log(`trine: ${name} is built (${APPS[name].dist})`);
      continue;
    }
    log(`trine: building the ${name} (npm run build -w ${APPS[name].workspace})…`);
    const started = Date.now();
    const r = spawnSync('npm', ['run', 'build', '-w', APPS[name].workspace], {
      cwd: root,
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      process.stderr.write(r.stdout ?? '');
      process.stderr.write(r.stderr ?? '');
      throw new Error(`building the ${name} failed (exit ${r.status})`);
    }
    log(`trine: built the ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
