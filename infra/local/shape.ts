/**
 * @module shape — the production shape on one machine, for people and for tests:
 *
 *   PostgreSQL (a throwaway cluster, scripts/pg.sh) with the roles of infra/sql/roles.sql:
 *     the vaults connect as `trine_vault` (NOINHERIT, member of trine_app only) and
 *     migrate as `trine_owner`;
 *   3 recovery realms (apps/realm), standalone processes in production mode, each with
 *     its own random TRINE_REALM_KEY, its own TRINE_REALM_ID (`realm-a`, `-b`, `-c`) and
 *     its own PostgreSQL role + database on the shape's cluster (`trine_realm_a` owning
 *     database `trine_realm_a`; CONNECT revoked from PUBLIC, so no realm and no vault
 *     role can open another's database), behind Caddy on its own https origin;
 *   N vault processes (default 2) in production mode (TRINE_ENV=production, no dev
 *     issuer, TRINE_MASTER_KEYS, an https TRINE_PUBLIC_URL, TRINE_TRUSTED_PROXIES=127.0.0.1,
 *     an apps file whose app `shop` trusts the stand-in identity provider by JWKS URL and
 *     lists the 3 realms — id, https URL, public key read from each realm's GET /v1/realm —
 *     with realmThreshold 2);
 *   Caddy (infra/local/Caddyfile, its internal CA, loopback, high ports) in front:
 *     https://127.0.0.1:W  → the vaults (load-balanced, health-checked): the wallet origin
 *     https://localhost:D  → the demo dApp's server (another site than the wallet)
 *     https://localhost:I  → the stand-in identity provider (infra/local/issuer.mjs)
 *     https://127.0.0.1:Ri → realm i (i = 0..2), health-checked on /readyz
 *
 * Ports (scripts/ports.mjs): every port comes from below the kernel's ephemeral range and
 * is held bound by this process until its server starts, so no two collide and no
 * outgoing connection can take one (a vault or realm SIGKILLed by the fault suite binds
 * its port again). Our Node servers (vaults, realms, demo, identity provider) inherit the bound socket
 * itself (fd 3, LISTEN_FD=3): no pick-then-bind at all. PostgreSQL and Caddy cannot take
 * a descriptor: their sockets are closed just before they start, and a clash is retried
 * with fresh ports.
 *
 * Every process is started detached with its output in a log file of the state folder,
 * and its PID recorded in `state.json`, so `down` works from another process. Node
 * processes get Caddy's root certificate through NODE_EXTRA_CA_CERTS (they call the
 * identity provider over https). Nothing listens on anything but 127.0.0.1; nothing is
 * written outside the state folder (Caddy's storage, XDG and HOME point into it).
 *
 *   npx tsx infra/local/shape.ts up [--dir DIR] [--vaults N]   (npm run shape:up)
 *   npx tsx infra/local/shape.ts down [--dir DIR]              (npm run shape:down)
 *
 * The state folder (default ./.trine-shape) holds the master key and database passwords
 * of this throwaway deployment (state.json, mode 0600): it is a test rig, not a way to
 * run production.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { type BoundSocket, bindSocket, bindStablePort } from '../../scripts/ports.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname;
const PG_BIN = () => {
  const r = spawnSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'], {
    encoding: 'utf8',
  });
  return r.stdout.trim();
};

export const APP_ID = 'shop';
/** The shape's realm ids, in the app's config order (the number of realms is fixed at 3). */
export const REALM_IDS = ['realm-a', 'realm-b', 'realm-c'] as const;
export const REALM_THRESHOLD = 2;
/** The realms' guess limit for the app `shop` (their default). */
export const REALM_GUESS_LIMIT = 10;

export interface ShapeRealm {
  id: string;
  /** https://127.0.0.1:Ri — through Caddy (what the app config lists). */
  url: string;
  /** http://127.0.0.1:Pi — the process itself. */
  directUrl: string;
  /** base64url OPRF public key, as GET /v1/realm reports it. */
  publicKey: string;
  /** The realm's own database (its own role). Holds a password: secret. */
  databaseUrl: string;
  /** TRINE_REALM_KEY (secret). */
  key: string;
}

export interface ShapeState {
  dir: string;
  /** https://127.0.0.1:W — the wallet/vault origin, through Caddy. */
  walletUrl: string;
  /** https://localhost:D — the demo dApp, through Caddy. */
  demoUrl: string;
  /** https://localhost:I — the identity provider, through Caddy (iss of its tokens). */
  idpUrl: string;
  /** Caddy's local CA root certificate (PEM file). */
  caRoot: string;
  appId: string;
  audience: string;
  /** Direct (non-Caddy) vault URLs, http://127.0.0.1:Vi, by index. */
  vaultUrls: string[];
  realms: ShapeRealm[];
  pg: { dir: string; port: number; superUrl: string; ownerUrl: string; appUrl: string };
  pids: { caddy: number; idp: number; demo: number; vaults: number[]; realms: number[] };
  logs: { caddy: string; idp: string; demo: string; vaults: string[]; realms: string[] };
  /** The vault processes' environment (holds TRINE_MASTER_KEYS: secret). */
  vaultEnv: Record<string, string>;
  /** The realms' shared environment (without their key, id and database). */
  realmEnv: Record<string, string>;
  caddyEnv: Record<string, string>;
}

export interface UpOptions {
  /** State folder; created (must not hold a running shape). Default ./.trine-shape. */
  dir?: string;
  vaults?: number;
  /** Extra environment for every vault (rate limits, LOG_LEVEL…). */
  vaultEnv?: Record<string, string>;
  /** Extra environment for every realm (rate limits…). */
  realmEnv?: Record<string, string>;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET over https trusting only `ca`; resolves with the status (0 = no answer). */
export function httpsStatus(url: string, ca: string, timeoutMs = 3000): Promise<number> {
  return new Promise((done) => {
    const req = httpsRequest(url, { ca, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(0));
    req.end();
  });
}

async function httpStatus(url: string): Promise<number> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** How long Caddy waits for a health check's answer (infra/trine.caddy: health_timeout). */
const CADDY_HEALTH_TIMEOUT_MS = 3000;

/**
 * Waits until Caddy's active health checker holds every upstream healthy. Caddy starts
 * before the vaults and realms (their public URLs name Caddy's ports), so its first
 * checks reach sockets that are bound but not yet served and time out; Caddy marks those
 * upstreams down and up again on later checks. A check sent before `servingSince` can
 * still fail up to health_timeout later (seen: "no vault process could answer" on the
 * first request of a run, a second after /readyz through Caddy had answered 200). So: wait
 * until that time has passed, then until the last health message of each upstream in
 * Caddy's log (JSON, logger http.handlers.reverse_proxy.health_checker.active) is
 * "host is up", or there is none (never marked down).
 */
async function caddySeesAllHealthy(caddyLog: string, hosts: string[], servingSince: number) {
  const lastState = () => {
    const last = new Map<string, string>();
    const text = existsSync(caddyLog) ? readFileSync(caddyLog, 'utf8') : '';
    for (const line of text.split('\n')) {
      if (!line.includes('health_checker')) continue;
      try {
        const e = JSON.parse(line) as { msg?: string; host?: string };
        if (e.host) last.set(e.host, e.msg ?? '');
      } catch {}
    }
    return last;
  };
  await sleep(Math.max(0, servingSince + CADDY_HEALTH_TIMEOUT_MS + 500 - Date.now()));
  await waitFor(
    'Caddy health checks: every upstream up',
    async () => {
      const last = lastState();
      return hosts.every((h) => !last.has(h) || last.get(h) === 'host is up');
    },
    30_000,
    caddyLog,
  );
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms: number, log?: string) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await ok()) return;
    await sleep(150);
  }
  const tail = log && existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '';
  throw new Error(`${what}: not ready after ${ms} ms\n${tail}`);
}

/** Whether something accepts TCP connections on host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const c = connect({ host, port });
    c.setTimeout(1000);
    c.once('connect', () => {
      c.destroy();
      done(true);
    });
    c.once('timeout', () => {
      c.destroy();
      done(false);
    });
    c.once('error', () => done(false));
  });
}

/**
 * Starts the shape's fresh PostgreSQL on the port `socket` holds (closed just before, as
 * PostgreSQL cannot inherit it); on a clash moves to fresh ports (the URLs follow).
 */
async function startPostgresFresh(s: ShapeState, socket: BoundSocket) {
  let sock = socket;
  for (let attempt = 1; ; attempt++) {
    await sock.close();
    try {
      pgSh(['start', s.pg.dir, String(s.pg.port)]);
      return;
    } catch (e) {
      if (
        !/already in use|could not bind|could not create listen socket/i.test(String(e)) ||
        attempt >= 3
      )
        throw e;
      sock = await bindStablePort('127.0.0.1');
      const old = `:${s.pg.port}/`;
      s.pg.port = sock.port;
      for (const k of ['superUrl', 'ownerUrl', 'appUrl'] as const) {
        s.pg[k] = s.pg[k].replace(old, `:${sock.port}/`);
      }
      saveState(s);
    }
  }
}

/** Whether `pid` is alive (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a detached process with stdout+stderr appended to `logFile`; returns its PID. */
function startDetached(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
  socket?: BoundSocket,
): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: socket ? { ...env, LISTEN_FD: '3' } : env,
    detached: true,
    stdio: socket ? ['ignore', fd, fd, socket.fd] : ['ignore', fd, fd],
  });
  closeSync(fd);
  // The child has its own copy of the listening socket; ours is closed.
  socket?.server.close();
  child.unref();
  if (!child.pid) throw new Error(`${cmd} did not start`);
  return child;
}

function baseEnv(dir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    XDG_DATA_HOME: join(dir, 'xdg-data'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    LANG: 'C.UTF-8',
  };
}

function saveState(s: ShapeState) {
  writeFileSync(join(s.dir, 'state.json'), JSON.stringify(s, null, 2), { mode: 0o600 });
}

export function loadState(dir: string): ShapeState {
  return JSON.parse(readFileSync(join(resolve(dir), 'state.json'), 'utf8')) as ShapeState;
}

/**
 * Starts vault `i` of the shape (again), waits for its /readyz, records its PID. `socket`:
 * its port, already bound (up() holds them); a restart binds the recorded port again.
 */
export async function startVault(s: ShapeState, i: number, socket?: BoundSocket): Promise<number> {
  const url = s.vaultUrls[i];
  if (!url) throw new Error(`no vault ${i}`);
  const port = new URL(url).port;
  const sock = socket ?? (await bindSocket(new URL(url).hostname, Number(port)));
  const child = startDetached(
    process.execPath,
    ['--import', 'tsx', 'apps/vault/src/main.ts'],
    { ...s.vaultEnv, PORT: port, TRINE_DATA_DIR: join(s.dir, `vault-${i}`) },
    s.logs.vaults[i]!,
    sock,
  );
  s.pids.vaults[i] = child.pid!;
  saveState(s);
  await waitFor(
    `vault ${i}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`vault ${i} exited ${child.exitCode}`);
      return (await httpStatus(`${url}/readyz`)) === 200;
    },
    60_000,
    s.logs.vaults[i],
  );
  return child.pid!;
}

/** Sends `signal` to vault `i` and waits until the process is gone. */
export async function stopVault(s: ShapeState, i: number, signal: NodeJS.Signals = 'SIGTERM') {
  const pid = s.pids.vaults[i];
  if (!pid || !alive(pid)) return;
  process.kill(pid, signal);
  const until = Date.now() + 15_000;
  while (alive(pid) && Date.now() < until) await sleep(25);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await sleep(25);
}

/**
 * Starts realm `i` of the shape (again), waits for its /readyz, records its PID. `socket`:
 * its port, already bound (up() holds them); a restart binds the recorded port again —
 * the realm's counters and registrations are in its database, its key in the state.
 */
export async function startRealm(s: ShapeState, i: number, socket?: BoundSocket): Promise<number> {
  const r = s.realms[i];
  if (!r) throw new Error(`no realm ${i}`);
  const direct = new URL(r.directUrl);
  const sock = socket ?? (await bindSocket(direct.hostname, Number(direct.port)));
  const child = startDetached(
    process.execPath,
    ['--import', 'tsx', 'apps/realm/src/main.ts'],
    {
      ...s.realmEnv,
      PORT: direct.port,
      TRINE_REALM_ID: r.id,
      TRINE_REALM_KEY: r.key,
      DATABASE_URL: r.databaseUrl,
      TRINE_DATA_DIR: join(s.dir, `realm-${i}`),
    },
    s.logs.realms[i]!,
    sock,
  );
  s.pids.realms[i] = child.pid!;
  saveState(s);
  await waitFor(
    `realm ${r.id}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`realm ${r.id} exited ${child.exitCode}`);
      return (await httpStatus(`${r.directUrl}/readyz`)) === 200;
    },
    60_000,
    s.logs.realms[i],
  );
  return child.pid!;
}

/** Sends `signal` to realm `i` and waits until the process is gone. */
export async function stopRealm(s: ShapeState, i: number, signal: NodeJS.Signals = 'SIGTERM') {
  const pid = s.pids.realms[i];
  if (!pid || !alive(pid)) return;
  process.kill(pid, signal);
  const until = Date.now() + 15_000;
  while (alive(pid) && Date.now() < until) await sleep(25);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await sleep(25);
}

/** Runs scripts/pg.sh (start DIR PORT | stop DIR). */
function pgSh(args: string[]) {
  const r = spawnSync('bash', [join(ROOT, 'scripts/pg.sh'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pg.sh ${args[0]} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Stops PostgreSQL (fast shutdown: open connections are cut, like a crash or a failover). */
export function stopPostgres(s: ShapeState) {
  pgSh(['stop', s.pg.dir]);
}

export function startPostgres(s: ShapeState) {
  pgSh(['start', s.pg.dir, String(s.pg.port)]);
}

/** Brings the production shape up. Throws (after stopping what it started) on failure. */
export async function up(o: UpOptions = {}): Promise<ShapeState> {
  const log = o.log ?? ((l: string) => console.log(l));
  const dir = resolve(o.dir ?? join(ROOT, '.trine-shape'));
  if (existsSync(join(dir, 'state.json'))) {
    const old = loadState(dir);
    const running = [
      old.pids.caddy,
      old.pids.idp,
      old.pids.demo,
      ...old.pids.vaults,
      ...(old.pids.realms ?? []),
    ].some((p) => p && alive(p) && isOurs(p, dir));
    if (running) throw new Error(`a shape is already running in ${dir} (run down first)`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755); // the postgres user keeps its cluster in here
  for (const d of ['home', 'xdg-data', 'xdg-config', 'caddy', 'logs']) {
    mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
  }
  const n = o.vaults ?? 2;
  const host = '127.0.0.1';
  // Held until each server starts (all at once, so they are distinct).
  const held: BoundSocket[] = [];
  const hold = async () => {
    const b = await bindStablePort(host);
    held.push(b);
    return b;
  };
  const nr = REALM_IDS.length;
  const [demoUp, idpUp, pgHeld, ...upstreams] = await Promise.all(
    Array.from({ length: 3 + n + nr }, hold),
  );
  const vaultSockets = upstreams.slice(0, n);
  const realmSockets = upstreams.slice(n);
  const caddyCount = 4 + nr;
  let caddyHeld = await Promise.all(Array.from({ length: caddyCount }, hold));
  let [walletPort, demoPort, idpPort, caddyHttp, ...realmPorts] = caddyHeld.map((b) => b.port);
  const pgPort = pgHeld!.port;
  const vaultPorts = vaultSockets.map((b) => b.port);
  let walletUrl = `https://${host}:${walletPort}`;
  let demoUrl = `https://localhost:${demoPort}`;
  let idpUrl = `https://localhost:${idpPort}`;
  const ownerPw = randomBytes(18).toString('base64url');
  const appPw = randomBytes(18).toString('base64url');
  const pgDir = join(dir, 'pg');
  const logs = {
    caddy: join(dir, 'logs', 'caddy.log'),
    idp: join(dir, 'logs', 'issuer.log'),
    demo: join(dir, 'logs', 'demo.log'),
    vaults: vaultPorts.map((_, i) => join(dir, 'logs', `vault-${i}.log`)),
    realms: REALM_IDS.map((id) => join(dir, 'logs', `${id}.log`)),
  };
  const realmDbUrl = (i: number, pw: string) =>
    `postgres://${realmRole(i)}:${pw}@${host}:${pgPort}/${realmRole(i)}`;
  const state: ShapeState = {
    dir,
    walletUrl,
    demoUrl,
    idpUrl,
    caRoot: join(dir, 'caddy', 'pki', 'authorities', 'local', 'root.crt'),
    appId: APP_ID,
    audience: APP_ID,
    vaultUrls: vaultPorts.map((p) => `http://${host}:${p}`),
    realms: REALM_IDS.map((id, i) => ({
      id,
      url: `https://${host}:${realmPorts[i]}`,
      directUrl: `http://${host}:${realmSockets[i]!.port}`,
      publicKey: '',
      databaseUrl: realmDbUrl(i, randomBytes(18).toString('base64url')),
      key: randomBytes(32).toString('base64url'),
    })),
    pg: {
      dir: pgDir,
      port: pgPort!,
      superUrl: `postgres://postgres@${host}:${pgPort}/postgres`,
      ownerUrl: `postgres://trine_owner:${ownerPw}@${host}:${pgPort}/trine`,
      appUrl: `postgres://trine_vault:${appPw}@${host}:${pgPort}/trine`,
    },
    pids: {
      caddy: 0,
      idp: 0,
      demo: 0,
      vaults: vaultPorts.map(() => 0),
      realms: REALM_IDS.map(() => 0),
    },
    logs,
    vaultEnv: {},
    realmEnv: {},
    caddyEnv: {},
  };
  saveState(state);
  try {
    // 1. PostgreSQL + roles.
    log(`shape: PostgreSQL on ${host}:${state.pg.port}`);
    await startPostgresFresh(state, pgHeld!);
    for (const r of state.realms) {
      const u = new URL(r.databaseUrl);
      u.port = String(state.pg.port); // moved on a clash
      r.databaseUrl = u.toString();
    }
    const psql = spawnSync(
      join(PG_BIN(), 'psql'),
      [
        state.pg.superUrl,
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-v',
        `owner_password=${ownerPw}`,
        '-v',
        `app_password=${appPw}`,
        '-f',
        join(ROOT, 'infra/sql/roles.sql'),
      ],
      { encoding: 'utf8' },
    );
    if (psql.status !== 0) throw new Error(`roles.sql failed: ${psql.stderr}`);
    // Each realm: its own login role owning its own database (it migrates it itself).
    for (const [i, r] of state.realms.entries()) {
      const role = realmRole(i);
      const pw = decodeURIComponent(new URL(r.databaseUrl).password);
      const run = (sql: string, db = 'postgres') => {
        const q = spawnSync(
          join(PG_BIN(), 'psql'),
          [
            state.pg.superUrl.replace(/\/postgres$/, `/${db}`),
            '-q',
            '-v',
            'ON_ERROR_STOP=1',
            '-v',
            `pw=${pw}`,
          ],
          { encoding: 'utf8', input: sql },
        );
        if (q.status !== 0) throw new Error(`realm database ${role}: ${q.stderr}`);
      };
      run(`CREATE ROLE ${role} LOGIN NOINHERIT PASSWORD :'pw';\n`);
      run(`CREATE DATABASE ${role} OWNER ${role};\n`);
      run(`REVOKE ALL ON DATABASE ${role} FROM PUBLIC;\n`);
      // (The cluster's template restricts schema public; the realm owns its database's.)
      run(`ALTER SCHEMA public OWNER TO ${role};\n`, role);
    }

    // 2. Caddy (first: its CA signs what the Node processes will trust).
    // Caddy cannot inherit a socket: close ours just before it starts; on a clash (someone
    // bound one of the ports in that instant) try again with fresh ones.
    for (let attempt = 1; ; attempt++) {
      state.walletUrl = walletUrl;
      state.demoUrl = demoUrl;
      state.idpUrl = idpUrl;
      state.caddyEnv = {
        ...baseEnv(dir),
        TRINE_CADDY_STORAGE: join(dir, 'caddy'),
        TRINE_CADDY_HTTP_PORT: String(caddyHttp),
        TRINE_WALLET_PORT: String(walletPort),
        TRINE_VAULT_UPSTREAMS: vaultPorts.map((p) => `${host}:${p}`).join(' '),
        TRINE_DEMO_PORT: String(demoPort),
        TRINE_DEMO_UPSTREAM: `${host}:${demoUp!.port}`,
        TRINE_IDP_PORT: String(idpPort),
        TRINE_IDP_UPSTREAM: `${host}:${idpUp!.port}`,
        ...Object.fromEntries(
          state.realms.flatMap((r, i) => [
            [`TRINE_REALM_PORT_${i}`, new URL(r.url).port],
            [`TRINE_REALM_UPSTREAM_${i}`, new URL(r.directUrl).host],
          ]),
        ),
      };
      log(`shape: Caddy ${walletUrl} (wallet/vault), ${demoUrl} (demo), ${idpUrl} (identity)`);
      await Promise.all(caddyHeld.map((b) => b.close()));
      const caddy = startDetached(
        'caddy',
        ['run', '--config', join(ROOT, 'infra/local/Caddyfile'), '--adapter', 'caddyfile'],
        state.caddyEnv,
        logs.caddy,
      );
      state.pids.caddy = caddy.pid!;
      saveState(state);
      const ports = [walletPort!, demoPort!, idpPort!, ...realmPorts.map(Number)];
      try {
        await waitFor(
          'Caddy local CA and listeners',
          async () => {
            if (caddy.exitCode !== null) throw new Error(`caddy exited ${caddy.exitCode}`);
            if (!existsSync(state.caRoot)) return false;
            return (await Promise.all(ports.map((p) => accepts(host, p)))).every(Boolean);
          },
          30_000,
          logs.caddy,
        );
        break;
      } catch (e) {
        const clash = /address already in use/i.test(
          existsSync(logs.caddy) ? readFileSync(logs.caddy, 'utf8') : '',
        );
        if (!clash || attempt >= 3) throw e;
        log(`shape: a Caddy port was taken meanwhile; trying fresh ports (${attempt})`);
        writeFileSync(logs.caddy, '');
        caddyHeld = await Promise.all(Array.from({ length: caddyCount }, hold));
        [walletPort, demoPort, idpPort, caddyHttp, ...realmPorts] = caddyHeld.map((b) => b.port);
        for (const [i, r] of state.realms.entries()) r.url = `https://${host}:${realmPorts[i]}`;
        walletUrl = `https://${host}:${walletPort}`;
        demoUrl = `https://localhost:${demoPort}`;
        idpUrl = `https://localhost:${idpPort}`;
      }
    }
    const nodeEnv = { ...baseEnv(dir), NODE_EXTRA_CA_CERTS: state.caRoot };

    // 3. The stand-in identity provider and the demo's server.
    const idp = startDetached(
      process.execPath,
      [join(ROOT, 'infra/local/issuer.mjs')],
      {
        ...nodeEnv,
        PORT: String(idpUp!.port),
        HOST: host,
        TRINE_IDP_ISSUER: idpUrl,
        TRINE_IDP_AUDIENCE: APP_ID,
        TRINE_IDP_KEY_FILE: join(dir, 'issuer-key.jwk.json'),
      },
      logs.idp,
      idpUp,
    );
    state.pids.idp = idp.pid!;
    const demo = startDetached(
      process.execPath,
      [join(ROOT, 'apps/demo/scripts/serve.mjs')],
      {
        ...nodeEnv,
        PORT: String(demoUp!.port),
        HOST: host,
        TRINE_VAULT_URL: walletUrl,
        TRINE_WALLET_URL: walletUrl,
        TRINE_TOKEN_URL: `${idpUrl}/token`,
      },
      logs.demo,
      demoUp,
    );
    state.pids.demo = demo.pid!;
    saveState(state);
    await waitFor(
      'identity provider',
      async () => (await httpsStatus(`${idpUrl}/.well-known/jwks.json`, ca())) === 200,
      30_000,
      logs.idp,
    );

    // 4. The realms, production mode; their public keys go into the vault's apps file.
    const realmAppsFile = join(dir, 'realm-apps.json');
    writeFileSync(
      realmAppsFile,
      JSON.stringify({
        apps: [
          {
            id: APP_ID,
            issuers: [{ iss: idpUrl, aud: APP_ID, jwksUrl: `${idpUrl}/.well-known/jwks.json` }],
            guessLimit: REALM_GUESS_LIMIT,
          },
        ],
      }),
    );
    state.realmEnv = {
      ...nodeEnv,
      TRINE_ENV: 'production',
      HOST: host,
      TRINE_APPS_FILE: realmAppsFile,
      TRINE_WALLET_ORIGINS: walletUrl,
      TRINE_TRUSTED_PROXIES: host,
      LOG_LEVEL: 'info',
      ...o.realmEnv,
    };
    saveState(state);
    log(`shape: ${nr} realms (production mode) on ${state.realms.map((r) => r.url).join(', ')}`);
    for (let i = 0; i < nr; i++) await startRealm(state, i, realmSockets[i]);
    for (const r of state.realms) {
      const info = (await (await fetch(`${r.directUrl}/v1/realm`)).json()) as {
        realmId: string;
        publicKey: string;
      };
      if (info.realmId !== r.id) throw new Error(`realm ${r.id} reports id ${info.realmId}`);
      r.publicKey = info.publicKey;
      // The same through Caddy (the origin the wallet calls).
      await waitFor(
        `realm ${r.id} through Caddy`,
        async () => (await httpsStatus(`${r.url}/readyz`, ca())) === 200,
        30_000,
        logs.caddy,
      );
    }
    if (new Set(state.realms.map((r) => r.publicKey)).size !== nr) {
      throw new Error('two realms report one public key');
    }
    saveState(state);

    // 5. The vaults, production mode.
    const appsFile = join(dir, 'apps.json');
    writeFileSync(
      appsFile,
      JSON.stringify({
        apps: [
          {
            id: APP_ID,
            name: 'Trine shop (local production shape)',
            allowedOrigins: [demoUrl],
            issuers: [{ iss: idpUrl, aud: APP_ID, jwksUrl: `${idpUrl}/.well-known/jwks.json` }],
            networks: ['preprod', 'preview'],
            realms: state.realms.map((r) => ({ id: r.id, url: r.url, publicKey: r.publicKey })),
            realmThreshold: REALM_THRESHOLD,
          },
        ],
      }),
    );
    state.vaultEnv = {
      ...nodeEnv,
      TRINE_ENV: 'production',
      HOST: host,
      DATABASE_URL: state.pg.appUrl,
      TRINE_OWNER_DATABASE_URL: state.pg.ownerUrl,
      TRINE_MASTER_KEYS: `k1:${randomBytes(32).toString('base64url')}`,
      TRINE_PUBLIC_URL: walletUrl,
      TRINE_DEV_ISSUER: '0',
      TRINE_TRUSTED_PROXIES: host,
      TRINE_APPS_FILE: appsFile,
      TRINE_WALLET_DIR: join(ROOT, 'apps/wallet/dist'),
      LOG_LEVEL: 'info',
      ...o.vaultEnv,
    };
    saveState(state);
    log(`shape: ${n} vault processes (production mode) on ${state.vaultUrls.join(', ')}`);
    for (let i = 0; i < n; i++) await startVault(state, i, vaultSockets[i]);
    await caddySeesAllHealthy(
      logs.caddy,
      [...state.vaultUrls, ...state.realms.map((r) => r.directUrl)].map((u) => new URL(u).host),
      Date.now(),
    );

    // 6. Through Caddy, end to end.
    await waitFor(
      'the wallet origin through Caddy',
      async () => (await httpsStatus(`${walletUrl}/readyz`, ca())) === 200,
      30_000,
      logs.caddy,
    );
    await waitFor(
      'the demo through Caddy',
      async () => (await httpsStatus(`${demoUrl}/`, ca())) === 200,
      30_000,
      logs.demo,
    );
    return state;
  } catch (e) {
    await Promise.all(held.map((b) => b.close().catch(() => undefined)));
    await down(dir).catch(() => undefined);
    throw e;
  }

  function ca() {
    return readFileSync(state.caRoot, 'utf8');
  }
}

/** The PostgreSQL role (and database) of realm `i`: trine_realm_a, _b, _c. */
function realmRole(i: number): string {
  return `trine_realm_${String.fromCharCode(97 + i)}`;
}

/** True when `pid`'s environment points into this shape's folder (guards against PID reuse). */
function isOurs(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`HOME=${join(dir, 'home')}`);
  } catch {
    return false;
  }
}

/** Takes the shape in `dir` down: SIGTERM (then SIGKILL) each recorded process, stops PostgreSQL. */
export async function down(dir = join(ROOT, '.trine-shape'), { keep = false } = {}) {
  const d = resolve(dir);
  if (!existsSync(join(d, 'state.json'))) return;
  const s = loadState(d);
  const pids = [
    s.pids.caddy,
    s.pids.demo,
    s.pids.idp,
    ...s.pids.vaults,
    ...(s.pids.realms ?? []),
  ].filter((p) => p && alive(p) && isOurs(p, d));
  for (const p of pids) process.kill(p, 'SIGTERM');
  const until = Date.now() + 12_000;
  while (pids.some(alive) && Date.now() < until) await sleep(50);
  for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
  if (existsSync(join(s.pg.dir, 'PG_VERSION'))) {
    spawnSync('bash', [join(ROOT, 'scripts/pg.sh'), 'stop', s.pg.dir]);
  }
  if (!keep) rmSync(d, { recursive: true, force: true });
}

async function cli() {
  const [cmd, ...rest] = process.argv.slice(2);
  const arg = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const dir = arg('--dir') ?? join(process.env.INIT_CWD ?? process.cwd(), '.trine-shape');
  if (cmd === 'up') {
    const { ensureBuilt } = await import('../../scripts/ensure-built.mjs');
    ensureBuilt(['wallet', 'demo']);
    const s = await up({ dir, vaults: Number(arg('--vaults') ?? 2) });
    console.log(`shape: up. State and logs in ${s.dir}`);
    console.log(`shape: wallet/vault  ${s.walletUrl}   (Caddy → ${s.vaultUrls.join(', ')})`);
    console.log(`shape: demo dApp     ${s.demoUrl}/?wallet=${s.walletUrl}&app=${s.appId}`);
    console.log(`shape: identity      ${s.idpUrl}  (POST /token {"sub":"alice"})`);
    for (const r of s.realms)
      console.log(`shape: ${r.id}       ${r.url}   (Caddy → ${r.directUrl})`);
    console.log(`shape: Caddy's root certificate: ${s.caRoot} (trust it in your browser to try)`);
    console.log(`shape: take it down with: npm run shape:down -- --dir ${s.dir}`);
    return;
  }
  if (cmd === 'down') {
    await down(dir);
    console.log(`shape: down (${dir} removed)`);
    return;
  }
  console.error('usage: shape.ts up [--dir DIR] [--vaults N] | down [--dir DIR]');
  process.exit(2);
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  cli().catch((e: unknown) => {
    console.error(`shape: ${(e as Error).message}`);
    process.exit(1);
  });
}
