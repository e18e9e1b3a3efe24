/**
 * @module engines/webkit — WebKit: Debian's WebKitGTK MiniBrowser driven by its
 * WebKitWebDriver (classic W3C WebDriver). MiniBrowser has no headless mode, so the
 * driver runs under `xvfb-run -a` (a throwaway X display; the browser inherits it).
 * Each device is a new WebDriver session: a new MiniBrowser process in automation mode,
 * whose website data is ephemeral — a new session is a new device, a reload keeps it.
 *
 * Classic WebDriver has one current browsing context per session, so every Surface call
 * first switches to its own document (the top-level page, the wallet iframe, or a popup
 * window) — steps can mix them freely.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { withPortRetry } from '../../scripts/ports.mjs';
import {
  DEFAULT_TIMEOUT_MS,
  type Device,
  type DeviceOptions,
  type Engine,
  LOCATE,
  poll,
  type Query,
  queryText,
  type Surface,
  wire,
} from './surface.ts';
import {
  type ElementRef,
  isElementRef,
  Session,
  WebDriverError,
  waitForDriver,
} from './webdriver.ts';

export const WEBKIT_DRIVER = process.env.TRINE_E2E_WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER =
  process.env.TRINE_E2E_MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const WALLET_IFRAME = 'iframe[title="Trine wallet"]';

class WebKitSurface implements Surface {
  constructor(
    readonly label: string,
    private readonly s: Session,
    /** Switches the session to this surface's document. */
    private readonly enter: () => Promise<void>,
  ) {}

  private async find(q: Query, enabled = false): Promise<ElementRef | null> {
    await this.enter();
    const v = await this.s.execute(`return (${LOCATE}).apply(null, arguments);`, [
      { ...wire(q), enabled },
    ]);
    return isElementRef(v) ? v : null;
  }

  async waitFor(q: Query, timeoutMs = DEFAULT_TIMEOUT_MS) {
    await poll(`${queryText(q)} in the ${this.label}`, () => this.find(q), timeoutMs);
  }

  async has(q: Query) {
    return (await this.find(q).catch(() => null)) !== null;
  }

  async fill(label: string, value: string) {
    const q: Query = { role: 'field', name: label };
    const el = await poll(`${queryText(q)} in the ${this.label}`, () => this.find(q));
    try {
      await this.s.clear(el);
      await this.s.sendKeys(el, value);
    } catch (e) {
      if (!(e instanceof WebDriverError && e.code === 'element not interactable')) throw e;
      // WebKitWebDriver 2.50 refuses Element Clear/Send Keys on fields inside a
      // cross-origin iframe ("Element is not focusable"), though a click focuses them:
      // so click the field and type into the focus with key actions, as a user would.
      await this.enter();
      await this.s.execute('arguments[0].value = "";', [el]);
      await this.s.click(el);
      await this.s.typeKeys(value);
    }
  }

  async click(name: string | RegExp) {
    const q: Query = { role: 'button', name };
    const el = await poll(`enabled ${queryText(q)} in the ${this.label}`, () => this.find(q, true));
    await this.s.click(el);
  }

  async text(css: string) {
    await this.enter();
    return (await this.s.execute(
      'var e = document.querySelector(arguments[0]); return e ? e.textContent : "";',
      [css],
    )) as string;
  }

  async evaluate<T>(expression: string): Promise<T> {
    await this.enter();
    return (await this.s.execute(`return (${expression});`)) as T;
  }
}

class WebKitDevice implements Device {
  readonly engine = 'webkit';
  readonly page: Surface;

  constructor(
    private readonly s: Session,
    private readonly main: string,
    private readonly walletOrigin: string,
  ) {
    this.page = new WebKitSurface('page', s, () => this.top());
  }

  private async top() {
    await this.s.switchToWindow(this.main);
    await this.s.frame(null);
  }

  async goto(url: string) {
    await this.top();
    await this.s.navigate(url);
  }

  async reload() {
    await this.top();
    await this.s.refresh();
  }

  private async enterWallet() {
    await this.top();
    const el = await this.s.execute('return document.querySelector(arguments[0]);', [
      WALLET_IFRAME,
    ]);
    if (!isElementRef(el)) throw new Error('the wallet iframe is not there');
    await this.s.frame(el);
    const origin = (await this.s.execute('return location.origin;')) as string;
    if (origin !== this.walletOrigin) throw new Error(`the iframe is at ${origin}, not loaded`);
  }

  async wallet() {
    await poll('the wallet iframe', async () => {
      await this.enterWallet();
      return true;
    });
    return new WebKitSurface('wallet iframe', this.s, () => this.enterWallet());
  }

  async popup() {
    for (const h of (await this.s.windowHandles()).reverse()) {
      if (h === this.main) continue;
      await this.s.switchToWindow(h);
      const url = await this.s.url().catch(() => '');
      if (url.startsWith(this.walletOrigin)) {
        return new WebKitSurface('wallet popup', this.s, async () => {
          await this.s.switchToWindow(h);
          await this.s.frame(null);
        });
      }
    }
    await this.top();
    return null;
  }

  async close() {
    await this.s.delete().catch(() => undefined);
  }
}

/**
 * WebKitGTK MiniBrowser under Xvfb, driven by WebKitWebDriver. WebKitWebDriver holds one
 * session at a time ("session not created: Maximum number of active sessions"), so each
 * device gets its own driver (and its own Xvfb display).
 */
export function webkit(walletOrigin: string): Engine {
  let version = '';
  const open: { device: WebKitDevice; driver: ChildProcess }[] = [];

  return {
    name: 'webkit',
    version: async () => version,
    async newDevice(options: DeviceOptions = {}) {
      const { url, child } = await startDriver();
      try {
        // MiniBrowser's cookie policy is `no-third-party` by default; `--enable-itp` adds
        // Intelligent Tracking Prevention (Safari's default) for the blocked-storage run.
        const args = ['--automation', ...(options.blockThirdPartyStorage ? ['--enable-itp'] : [])];
        const s = await Session.create(url, {
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args },
        });
        version = `${s.capabilities.browserName ?? 'webkit'}/${s.capabilities.browserVersion ?? '?'}`;
        await s.setWindowRect(960, 800).catch(() => undefined);
        const device = new WebKitDevice(s, await s.windowHandle(), walletOrigin);
        open.push({ device, driver: child });
        return device;
      } catch (e) {
        kill(child);
        throw e;
      }
    },
    async stop() {
      for (const { device, driver } of open.splice(0)) {
        await device.close();
        kill(driver);
      }
    },
  };
}

/**
 * Starts `xvfb-run -a` with a window manager (matchbox) and `WebKitWebDriver --port=N`. The driver binds its own port (it cannot
 * inherit a socket): a port held until just before it starts, tried again on a clash
 * (scripts/ports.mjs).
 */
function startDriver(): Promise<{ url: string; child: ChildProcess }> {
  return withPortRetry(async (port) => {
    let log = '';
    // A window manager in the display: without one no new window (the wallet's approval
    // popup) ever gets the keyboard focus, and the popup's review gate waits for focus.
    const child = spawn(
      'xvfb-run',
      [
        '-a',
        'sh',
        '-c',
        `matchbox-window-manager -use_titlebar no & exec ${WEBKIT_DRIVER} --port=${port}`,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: kill() ends xvfb-run, Xvfb, the WM, the driver and MiniBrowser.
        detached: true,
      },
    );
    const keep = (b: Buffer) => {
      log = (log + b.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForDriver(url, 30_000, () => child.exitCode === null);
    } catch (e) {
      kill(child);
      throw new Error(`${(e as Error).message}\n${log}`);
    }
    return { url, child };
  });
}

function kill(child: ChildProcess) {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
