/**
 * @module engines/firefox — Debian's Firefox ESR driven over WebDriver BiDi by
 * puppeteer-core (`browser: 'firefox'`; Playwright cannot drive a stock Firefox, and no
 * browser download works here). Headless. Each device is its own Firefox process on a
 * fresh temporary profile (puppeteer creates and removes it): a new profile is a new
 * device. Clicks and typing are real input actions (BiDi `input.performActions`).
 */
import puppeteer, { type Browser, type ElementHandle, type Frame, type Page } from 'puppeteer-core';
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

export const FIREFOX = process.env.TRINE_E2E_FIREFOX ?? '/usr/bin/firefox-esr';

class FrameSurface implements Surface {
  constructor(
    readonly label: string,
    private readonly frame: () => Frame,
  ) {}

  private async find(q: Query, enabled = false): Promise<ElementHandle<Element> | null> {
    const handle = await this.frame().evaluateHandle(
      `(${LOCATE})(${JSON.stringify({ ...wire(q), enabled })})`,
    );
    const el = handle.asElement() as ElementHandle<Element> | null;
    if (!el) await handle.dispose();
    return el;
  }

  async waitFor(q: Query, timeoutMs = DEFAULT_TIMEOUT_MS) {
    const el = await poll(`${queryText(q)} in the ${this.label}`, () => this.find(q), timeoutMs);
    await el.dispose();
  }

  async has(q: Query) {
    const el = await this.find(q).catch(() => null);
    await el?.dispose();
    return el !== null;
  }

  async fill(label: string, value: string) {
    const q: Query = { role: 'field', name: label };
    const el = await poll(`${queryText(q)} in the ${this.label}`, () => this.find(q));
    await el.evaluate((e) => {
      (e as HTMLInputElement).value = '';
    });
    await el.focus();
    await el.type(value);
    await el.dispose();
  }

  async click(name: string | RegExp) {
    const q: Query = { role: 'button', name };
    const el = await poll(`enabled ${queryText(q)} in the ${this.label}`, () => this.find(q, true));
    await el.click();
    await el.dispose();
  }

  async text(css: string) {
    return this.frame().evaluate(
      (sel: string) => document.querySelector(sel)?.textContent ?? '',
      css,
    );
  }

  async evaluate<T>(expression: string): Promise<T> {
    return this.frame().evaluate(expression) as Promise<T>;
  }
}

class FirefoxDevice implements Device {
  readonly engine = 'firefox';
  readonly page: Surface;

  constructor(
    private readonly browser: Browser,
    private readonly tab: Page,
    private readonly walletOrigin: string,
  ) {
    this.page = new FrameSurface('page', () => this.tab.mainFrame());
  }

  async goto(url: string) {
    await this.tab.goto(url, { waitUntil: 'load' });
  }

  async reload() {
    await this.tab.reload({ waitUntil: 'load' });
  }

  private walletFrame(): Frame | undefined {
    return this.tab.frames().find((f) => f.url().startsWith(`${this.walletOrigin}/embed`));
  }

  async wallet() {
    await poll('the wallet iframe', async () => this.walletFrame() ?? null);
    return new FrameSurface('wallet iframe', () => {
      const f = this.walletFrame();
      if (!f) throw new Error('the wallet iframe is gone');
      return f;
    });
  }

  async popup() {
    for (const p of (await this.browser.pages()).reverse()) {
      if (p !== this.tab && p.url().startsWith(this.walletOrigin)) {
        return new FrameSurface('wallet popup', () => p.mainFrame());
      }
    }
    return null;
  }

  async close() {
    await this.browser.close().catch(() => undefined);
  }
}

/** Firefox ESR (headless, WebDriver BiDi). `walletOrigin` tells the wallet's frames apart. */
export function firefox(walletOrigin: string): Engine {
  const open: FirefoxDevice[] = [];
  let version = '';
  return {
    name: 'firefox',
    version: async () => version,
    async newDevice(options: DeviceOptions = {}) {
      const browser = await puppeteer.launch({
        browser: 'firefox',
        executablePath: FIREFOX,
        headless: true,
        // Keep it off the closed network (no updates, telemetry or safe-browsing lists).
        extraPrefsFirefox: {
          'app.update.enabled': false,
          'browser.safebrowsing.malware.enabled': false,
          'browser.safebrowsing.phishing.enabled': false,
          'datareporting.policy.dataSubmissionEnabled': false,
          'toolkit.telemetry.enabled': false,
          'network.captive-portal-service.enabled': false,
          ...(options.blockThirdPartyStorage
            ? {
                // Reject third-party cookies *and storage* (the wallet iframe's IndexedDB).
                'network.cookie.cookieBehavior': 1,
                // The Storage Access API's prompt is a browser doorhanger that WebDriver
                // BiDi cannot press: Firefox's own test switch answers it "Allow", as the
                // user would. The API call, its user-activation check and the storage it
                // unblocks are Firefox's real ones.
                'dom.storage_access.prompt.testing': true,
                'dom.storage_access.prompt.testing.allow': true,
              }
            : {}),
        },
      });
      version = await browser.version();
      const tab = (await browser.pages())[0] ?? (await browser.newPage());
      await tab.setViewport({ width: 960, height: 720 });
      const d = new FirefoxDevice(browser, tab, walletOrigin);
      open.push(d);
      return d;
    },
    async stop() {
      for (const d of open.splice(0)) await d.close();
    },
  };
}
