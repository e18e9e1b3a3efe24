/**
 * @module engines/webdriver — the few W3C WebDriver (classic) commands the WebKit driver
 * needs, over plain HTTP JSON (W3C WebDriver §6: every command is a request to the
 * driver's endpoint; errors are `{value: {error, message}}`). Written here instead of
 * pulling in a client library: about fifteen commands, and nothing that could try to
 * download a driver.
 */

/** W3C WebDriver §12.1: the key under which an element reference travels. */
export const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

export interface ElementRef {
  [ELEMENT_KEY]: string;
}

export function isElementRef(v: unknown): v is ElementRef {
  return typeof v === 'object' && v !== null && ELEMENT_KEY in v;
}

/** A driver's error reply, with its W3C error code (e.g. `no such frame`). */
export class WebDriverError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'WebDriverError';
  }
}

async function call(base: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const json = (await r.json().catch(() => ({}))) as { value?: unknown };
  const v = json.value as { error?: string; message?: string } | undefined;
  if (!r.ok || (v && typeof v === 'object' && typeof v.error === 'string')) {
    throw new WebDriverError(v?.error ?? `http ${r.status}`, v?.message ?? '');
  }
  return json.value;
}

/** One WebDriver session (one browser instance). */
export class Session {
  private constructor(
    private readonly base: string,
    readonly id: string,
    readonly capabilities: Record<string, unknown>,
  ) {}

  /** W3C §8.1 New Session with `alwaysMatch` capabilities. */
  static async create(driverUrl: string, alwaysMatch: Record<string, unknown>): Promise<Session> {
    const v = (await call(driverUrl, 'POST', '/session', {
      capabilities: { alwaysMatch },
    })) as { sessionId: string; capabilities: Record<string, unknown> };
    return new Session(driverUrl, v.sessionId, v.capabilities);
  }

  private cmd(method: string, path: string, body?: unknown) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  navigate(url: string) {
    return this.cmd('POST', '/url', { url });
  }
  refresh() {
    return this.cmd('POST', '/refresh', {});
  }
  async url(): Promise<string> {
    return (await this.cmd('GET', '/url')) as string;
  }
  /** W3C §13.2.1: the script body runs as a function; a returned promise is awaited. */
  execute(script: string, args: unknown[] = []): Promise<unknown> {
    return this.cmd('POST', '/execute/sync', { script, args });
  }
  /** Switch to a child frame (an element reference) or, with null, the top-level one. */
  frame(id: ElementRef | null) {
    return this.cmd('POST', '/frame', { id });
  }
  async windowHandles(): Promise<string[]> {
    return (await this.cmd('GET', '/window/handles')) as string[];
  }
  async windowHandle(): Promise<string> {
    return (await this.cmd('GET', '/window')) as string;
  }
  switchToWindow(handle: string) {
    return this.cmd('POST', '/window', { handle });
  }
  setWindowRect(width: number, height: number) {
    return this.cmd('POST', '/window/rect', { width, height });
  }
  click(el: ElementRef) {
    return this.cmd('POST', `/element/${el[ELEMENT_KEY]}/click`, {});
  }
  clear(el: ElementRef) {
    return this.cmd('POST', `/element/${el[ELEMENT_KEY]}/clear`, {});
  }
  /** W3C §14.3 Element Send Keys: real key events, one per character. */
  sendKeys(el: ElementRef, text: string) {
    return this.cmd('POST', `/element/${el[ELEMENT_KEY]}/value`, { text });
  }
  /**
   * W3C §15.7 Perform Actions: types `text` into whatever has focus, one keyDown/keyUp
   * pair per character (for fields Element Send Keys refuses; see webkit.ts).
   */
  async typeKeys(text: string) {
    const actions = [...text].flatMap((value) => [
      { type: 'keyDown', value },
      { type: 'keyUp', value },
    ]);
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
    await this.cmd('DELETE', '/actions');
  }
  delete() {
    return call(this.base, 'DELETE', `/session/${this.id}`);
  }
}

/** Waits until a driver answers `GET /status` with `ready: true`. */
export async function waitForDriver(driverUrl: string, ms: number, alive: () => boolean) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive()) throw new Error(`the driver at ${driverUrl} exited`);
    try {
      const v = (await call(driverUrl, 'GET', '/status')) as { ready?: boolean };
      if (v?.ready) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the driver at ${driverUrl} did not become ready in ${ms} ms`);
}
