/**
 * The vault image without a Docker engine (issue 8, item 3): the vault compiles to
 * JavaScript that runs with plain `node` (no tsx) on PGlite; the build context that
 * ../../.dockerignore lets through, and the final stage that infra/vault.Dockerfile's COPY
 * lines build from it, hold no secret, no dev or test file, no TypeScript source; every
 * import the compiled vault leaves external is a production dependency (the final stage's
 * node_modules come from `npm ci --omit=dev`); base images are pinned by digest.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  inContext,
  parseDockerignore,
  replayDockerfile,
  type Stage,
  walk,
} from './docker-context.ts';

const VAULT = new URL('..', import.meta.url).pathname;
const ROOT = join(VAULT, '..', '..');
const DIGEST = /^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/;

/** What a developer's checkout may hold beside the tracked files (never in an image). */
const PLANTED = [
  'infra/.env',
  'infra/apps.json',
  '.env',
  'apps/vault/.env.local',
  '.trine-data/master-keys.txt',
  '.trine-data/dev-issuer.json',
  '.trine-data/pgdata/PG_VERSION',
  'apps/vault/.trine-data/master-keys.txt',
  '.trine-shape/state.json',
  '.trine-shape-bench/state.json',
  '.git/config',
  '.git/objects/ab/cdef',
  'node_modules/tsx/package.json',
  'apps/vault/node_modules/x/index.js',
  'apps/wallet/dist/index.html',
  'apps/vault/dist/server/main.js',
  'coverage/index.html',
  'test-results/x.json',
  'tls/server.key',
  'apps/vault/src/old-cert.pem',
  'tsconfig.tsbuildinfo',
];
const FORBIDDEN = [
  /(^|\/)\.env($|\.)/,
  /(^|\/)\.git\//,
  /(^|\/)\.trine-(data|shape)/,
  /(^|\/)node_modules\//,
  /(^|\/)dist\//,
  /(^|\/)(test|tests|e2e|bench|coverage|test-results)\//,
  /\.(test|spec)\.ts$/,
  /\.(pem|key|tsbuildinfo)$/,
  /master-keys/,
  /^infra\//,
];

let context: string[];
let stages: Stage[];
let vaultDist: string[];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

beforeAll(() => {
  // The real build: `npm run build -w @trine/vault`.
  const b = spawnSync(process.execPath, ['build.mjs'], { cwd: VAULT, encoding: 'utf8' });
  expect(b.status, b.stderr).toBe(0);
  vaultDist = walk(join(VAULT, 'dist'), () => false).map((f) => `apps/vault/dist/${f}`);
  const rules = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
  const tree = walk(ROOT, (p) => p === '.git' || p.endsWith('node_modules') || p.endsWith('/dist'));
  context = [...new Set([...tree, ...PLANTED])].filter((f) => inContext(rules, f)).sort();
  const wallet = existsSync(join(ROOT, 'apps/wallet/dist'))
    ? walk(join(ROOT, 'apps/wallet/dist'), () => false).map((f) => `apps/wallet/dist/${f}`)
    : ['apps/wallet/dist/index.html'];
  stages = replayDockerfile(
    readFileSync(join(ROOT, 'infra/vault.Dockerfile'), 'utf8'),
    context,
    (cmd) => {
      const out = new Map<string, string>();
      for (const step of cmd.split('&&').map((s) => s.trim())) {
        if (/^npm (ci|install)( |$)/.test(step)) {
          const prod = step.includes('--omit=dev');
          out.set(`node_modules/${prod ? '(production)' : '(all, dev included)'}`, `run:${step}`);
        } else if (
          step === 'node scripts/lockfile-exact.mjs' ||
          step === 'node scripts/patch-deps.mjs' ||
          step.startsWith('rm -rf node_modules/')
        ) {
          // checks the install / trims it: no new file
        } else if (step === 'npm run build -w @trine/vault') {
          for (const f of vaultDist) out.set(f, `run:${step}`);
        } else if (step === 'npm run build -w @trine/wallet') {
          for (const f of wallet) out.set(f, `run:${step}`);
        } else {
          throw new Error(`RUN step not modelled by the test: ${step}`);
        }
      }
      return out;
    },
  );
}, 60_000);

describe('the compiled vault', () => {
  it('starts with plain node (no tsx) on PGlite and answers /readyz; admin.js runs too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trine-dist-'));
    const env = { PATH: process.env.PATH ?? '', TRINE_ENV: 'development', TRINE_DATA_DIR: dir };
    const child = spawn(process.execPath, ['apps/vault/dist/server/main.js'], {
      cwd: ROOT,
      env: { ...env, PORT: '0', LOG_LEVEL: 'warn' },
    });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/[^\s]+)/);
        if (m) resolve(m[1]!);
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      child.on('exit', (code) => reject(new Error(`built vault exited ${code}: ${out}`)));
    });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${url}/v1/openapi.json`)).status).toBe(200);
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    expect(child.exitCode).toBe(0);
    const stats = spawnSync(process.execPath, ['apps/vault/dist/server/admin.js', 'stats'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    expect(stats.stderr).toBe('');
    expect(stats.stdout).toBe('wallets: 0\nstill on the old recovery scheme: 0\n');
  });

  it('leaves external only production dependencies of the vault and Node built-ins', () => {
    const meta = JSON.parse(readFileSync(join(VAULT, 'dist/meta.json'), 'utf8')) as {
      outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
    };
    const pkg = JSON.parse(readFileSync(join(VAULT, 'package.json'), 'utf8'));
    const prod = new Set(Object.keys(pkg.dependencies));
    const builtins = new Set(builtinModules);
    const external = new Set<string>();
    for (const o of Object.values(meta.outputs)) {
      for (const i of o.imports) if (i.external) external.add(i.path);
    }
    expect(external.size).toBeGreaterThan(5);
    for (const path of external) {
      if (path.startsWith('node:') || builtins.has(path)) continue;
      const name = path.startsWith('@')
        ? path.split('/').slice(0, 2).join('/')
        : path.split('/')[0]!;
      expect(prod.has(name), `${path} is a production dependency of @trine/vault`).toBe(true);
      expect(name.startsWith('@trine/'), `${path}: workspace packages are bundled`).toBe(false);
    }
    // no dev tool is reachable from the compiled code
    for (const dev of ['tsx', 'esbuild', 'drizzle-kit', 'vitest', 'autocannon']) {
      expect([...external].some((p) => p === dev || p.startsWith(`${dev}/`))).toBe(false);
    }
  });
});

describe('the image, by the same copy rules Docker applies', () => {
  it('the build context holds no secret, no local state, no git, no dependencies', () => {
    for (const f of context) {
      for (const re of FORBIDDEN) expect(re.test(f), `${f} is in the build context`).toBe(false);
    }
    for (const p of PLANTED) expect(context).not.toContain(p);
    // … and does hold what the build needs
    for (const need of [
      'package.json',
      'package-lock.json',
      'apps/vault/build.mjs',
      'apps/vault/src/main.ts',
      'apps/vault/drizzle/0000_init.sql',
      'apps/vault/drizzle/meta/_journal.json',
      'apps/wallet/embed.html',
      'apps/wallet/vite.config.ts',
      'packages/core/src/seal.ts',
    ]) {
      expect(context, need).toContain(need);
    }
    // every workspace's manifest (npm ci refuses a lockfile whose workspaces are missing)
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    const workspaces = Object.keys(lock.packages).filter(
      (k) => (k.startsWith('apps/') || k.startsWith('packages/')) && !k.includes('node_modules'),
    );
    expect(workspaces.length).toBeGreaterThan(4);
    for (const w of workspaces) expect(context, w).toContain(`${w}/package.json`);
  });

  it('holds every repository file the vault is compiled from (a workspace it bundles is never left out)', () => {
    // esbuild's metafile lists each input the real build read, relative to apps/vault.
    const meta = JSON.parse(readFileSync(join(VAULT, 'dist/meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const sources = Object.keys(meta.inputs)
      .map((p) => relative(ROOT, resolve(VAULT, p)))
      .filter((p) => !p.split('/').includes('node_modules'));
    expect(sources).toContain('apps/vault/src/main.ts');
    expect(sources.some((p) => p.startsWith('apps/realm/src/'))).toBe(true);
    expect(sources.some((p) => p.startsWith('packages/server-kit/src/'))).toBe(true);
    for (const f of sources) expect(context, `${f} (bundled into the vault)`).toContain(f);
  });

  it('the final stage: compiled vault, migrations, wallet build, production node_modules; nothing else', () => {
    const final = stages.at(-1)!;
    const files = [...final.files.keys()].map((p) => p.replace(/^\/app\//, '')).sort();
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const allowed =
        f === 'node_modules/(production)' ||
        /^apps\/vault\/dist\//.test(f) ||
        /^apps\/vault\/drizzle\//.test(f) ||
        /^apps\/wallet\/dist\//.test(f);
      expect(allowed, `${f} in the final stage`).toBe(true);
      expect(/\.ts$/.test(f), `${f}: a TypeScript source in the final stage`).toBe(false);
      for (const re of [/(^|\/)\.env/, /\.git\//, /\.trine-/, /master-keys/, /\.(pem|key)$/]) {
        expect(re.test(f), `${f} in the final stage`).toBe(false);
      }
    }
    expect(files).toContain('apps/vault/dist/server/main.js');
    expect(files).toContain('apps/vault/dist/server/admin.js');
    expect(files).toContain('apps/vault/drizzle/meta/_journal.json');
    expect(files).toContain('apps/wallet/dist/index.html');
    // the node_modules it has come from the production-only install
    expect(final.files.get('/app/node_modules/(production)')).toBe(
      'run:npm install --omit=dev --no-save --workspace @trine/vault --no-audit --no-fund',
    );
    expect(files).not.toContain('node_modules/(all, dev included)');
    // it runs the compiled JavaScript with plain node
    expect(final.cmd).toBe('["node", "apps/vault/dist/server/main.js"]');
    expect(final.runs).toEqual([]);
  });

  it('installs are lockfile-exact and every base image is pinned by digest', () => {
    const runs = stages.flatMap((s) => s.runs);
    // every install writes no lockfile and is followed by the lockfile-exact check
    for (const run of runs) {
      const steps = run.split('&&').map((x) => x.trim());
      steps.forEach((step, k) => {
        if (!/^npm (i|install|ci)\b/.test(step)) return;
        expect(step).toMatch(/^npm install .*--no-save/);
        expect(steps[k + 1]).toBe('node scripts/lockfile-exact.mjs');
        // and by the dependency fixes (scripts/patch-deps.mjs), which the image needs too
        expect(steps[k + 2]).toBe('node scripts/patch-deps.mjs');
      });
    }
    expect(runs.join(' ').match(/npm install/g)).toHaveLength(2);
    for (const s of stages) expect(s.from, s.name).toMatch(DIGEST);
    const compose = parse(readFileSync(join(ROOT, 'infra/compose.yaml'), 'utf8'), { merge: true });
    const images = Object.entries(
      compose.services as Record<string, { image?: string; build?: unknown }>,
    )
      .filter(([, svc]) => svc.image)
      .map(([, svc]) => svc.image!);
    expect(images.length).toBe(2);
    for (const image of images) expect(image).toMatch(DIGEST);
  });

  it('the copy rules themselves: a parent match excludes, a later ! re-includes, ** spans folders', () => {
    const rules = parseDockerignore('**\n!apps/x\n**/test\n*.md\n!keep.md\n');
    expect(inContext(rules, 'apps/x/a.ts')).toBe(true);
    expect(inContext(rules, 'apps/x/test/a.ts')).toBe(false);
    expect(inContext(rules, 'apps/y/a.ts')).toBe(false);
    expect(inContext(rules, 'keep.md')).toBe(true);
    expect(inContext(parseDockerignore('*.md'), 'docs/a.md')).toBe(true); // '*' stays in its folder
    expect(inContext(parseDockerignore('**/*.md'), 'docs/a.md')).toBe(false);
    expect(inContext(parseDockerignore('infra'), 'infra/.env')).toBe(false);
  });
});
