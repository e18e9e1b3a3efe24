/**
 * @module handshake — opening the port between the host page and the wallet iframe
 * (DESIGN.md §6).
 *
 * Host: posts `{ns:'trine', v:1, type:'hello', appId, network}` to the iframe's
 * contentWindow with `targetOrigin` = the wallet origin (never `*`), transferring port2 of
 * a fresh MessageChannel, and waits for `ready` on port1. A browser drops a message whose
 * targetOrigin does not match the frame's current document, so the host repeats the hello
 * (a new channel each time) until the wallet's listener is up; the wallet takes the first.
 *
 * Wallet: checks `event.source === window.parent`, then the shape, then `event.origin`
 * against the app's allowed origins, then every entry of `location.ancestorOrigins` where
 * the browser has it (the first must be the sender, and every ancestor up to the top must
 * be an allowed origin: an allowed page framed by a foreign site is refused) — in that
 * order (STYLE.md §6) — then answers `ready` on the port, or `refused` and closes it.
 * While the wallet still loads its app config it answers `pending`, so the host can tell
 * a running wallet from a frame the browser blocked.
 */
import { fromWireError, ProtocolError } from './errors.ts';
import {
  helloMessage,
  parseHandshakeReply,
  parseHello,
  pendingMessage,
  readyMessage,
  refusedMessage,
} from './messages.ts';
import type { Network } from './methods.ts';

/** Where the hello goes: the iframe's contentWindow. */
export interface HelloTarget {
  postMessage(message: unknown, targetOrigin: string, transfer: Transferable[]): void;
}

export interface HostHandshakeOptions<T> {
  target: HelloTarget;
  /** The wallet's origin, e.g. `https://wallet.trine.example`. */
  walletOrigin: string;
  appId: string;
  network: Network;
  /** Called synchronously with the open port, before any later message can be missed. */
  connect: (port: MessagePort) => T;
  /** Give up after this long (ms). Default 15 000. */
  timeoutMs?: number;
  /** Repeat the hello this often until the wallet answers (ms). Default 250. */
  retryMs?: number;
  /** Called once, when the wallet first answers (`pending` or its final answer). */
  onAlive?: () => void;
  /** Aborts the handshake; it rejects with the signal's reason when that is a ProtocolError. */
  signal?: AbortSignal;
  /**
   * Receives a function that posts a hello at once (e.g. on the frame's `load`), so the
   * first answer does not wait for the next retry — timers of a background tab may run
   * only once a second.
   */
  onSend?: (sendNow: () => void) => void;
}

/**
 * True for a serialized http(s) origin such as `https://a.example` or
 * `http://localhost:5173`; false for `*`, `null`, paths, and anything else.
 */
export function isOrigin(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 512) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value;
  } catch {
    return false;
  }
}

/**
 * Host side: sends the hello and resolves with `connect(port)` once the wallet is ready.
 * Rejects with the wallet's refusal code (`origin_refused`, `unsupported_version`, …) or
 * with `timeout`.
 *
 * @example
 * const ep = await openHandshake({ target: iframe.contentWindow!, walletOrigin, appId,
 *   network, connect: (port) => createHostEndpoint(port, handlers) });
 */
export function openHandshake<T>(options: HostHandshakeOptions<T>): Promise<T> {
  const { target, walletOrigin, appId, network, connect } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retryMs = options.retryMs ?? 250;
  return new Promise<T>((resolve, reject) => {
    if (!isOrigin(walletOrigin)) {
      reject(new ProtocolError('invalid_params', 'walletOrigin must be an http(s) origin'));
      return;
    }
    const hello = helloMessage(appId, network);
    const ports: MessagePort[] = [];
    let done = false;
    let alive = false;
    let retry: ReturnType<typeof setInterval> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const finish = (keep?: MessagePort): void => {
      done = true;
      if (retry !== undefined) clearInterval(retry);
      if (timer !== undefined) clearTimeout(timer);
      for (const p of ports) {
        p.onmessage = null;
        if (p !== keep) p.close();
      }
    };

    const send = (): void => {
      if (done) return;
      const channel = new MessageChannel();
      const port = channel.port1;
      ports.push(port);
      port.onmessage = (event: MessageEvent) => {
        if (done) return;
        const reply = parseHandshakeReply(event.data);
        if (!reply.ok) return; // noise on our own port: keep waiting
        if (!alive) {
          alive = true;
          options.onAlive?.();
        }
        if (reply.value.type === 'pending') return;
        if (reply.value.type === 'refused') {
          finish();
          reject(fromWireError(reply.value.error));
          return;
        }
        finish(port);
        try {
          resolve(connect(port));
        } catch (e) {
          port.close();
          reject(e);
        }
      };
      try {
        // DESIGN.md §6: targetOrigin is the wallet origin, never '*'.
        target.postMessage(hello, walletOrigin, [channel.port2]);
      } catch {
        // The frame is gone or navigating; the next retry or the timeout decides.
      }
    };

    timer = setTimeout(() => {
      if (done) return;
      finish();
      reject(new ProtocolError('timeout', `the wallet did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = (): void => {
      if (done) return;
      finish();
      const why = options.signal?.reason;
      reject(why instanceof ProtocolError ? why : new ProtocolError('destroyed', 'aborted'));
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    retry = setInterval(send, retryMs);
    options.onSend?.(send);
    send();
  });
}

/** The parts of a `message` event the wallet reads. */
export interface HelloEvent {
  source: unknown;
  origin: string;
  data: unknown;
  ports: ReadonlyArray<MessagePort>;
}

export interface AcceptHelloOptions {
  /** The only window allowed to say hello. Default: `window.parent` (refused when unframed). */
  source?: unknown;
  /** When set, the hello's appId must equal it (the app the wallet was opened for). */
  appId?: string;
}

export type HelloOutcome =
  | { ok: true; port: MessagePort; origin: string; appId: string; network: Network }
  | { ok: false; error: ProtocolError };

function closeAll(ports: ReadonlyArray<MessagePort>): void {
  for (const p of ports) {
    try {
      p.close();
    } catch {
      // ignore
    }
  }
}

/**
 * Wallet side: validates a `message` event as a hello and answers it. On success the port
 * has received `ready` and is the caller's (wire it with createWalletEndpoint at once).
 * On failure any transferred port is closed; `refused` is posted on it only once the
 * sender is known to be the parent window.
 *
 * @example
 * addEventListener('message', (event) => {
 *   const r = acceptHello(event, app.allowedOrigins, location.ancestorOrigins, { appId });
 *   if (r.ok) createWalletEndpoint(r.port, handlers);
 * });
 */
export function acceptHello(
  event: HelloEvent,
  allowedOrigins: readonly string[],
  ancestorOrigins?: ArrayLike<string> | null,
  options: AcceptHelloOptions = {},
): HelloOutcome {
  let ports: ReadonlyArray<MessagePort> = [];
  try {
    ports = Array.isArray(event.ports) ? event.ports : Array.from(event.ports ?? []);
  } catch {
    ports = [];
  }
  const refuse = (error: ProtocolError, reply: boolean): HelloOutcome => {
    if (reply && ports.length === 1) {
      try {
        ports[0]?.postMessage(refusedMessage(error.toJSON()));
      } catch {
        // the host is gone
      }
    }
    closeAll(ports);
    return { ok: false, error };
  };
  try {
    // 1. source: only our parent window may open the channel.
    const self = (globalThis as { window?: unknown }).window;
    const expected =
      'source' in options ? options.source : (globalThis as { parent?: unknown }).parent;
    if (expected === undefined || expected === null || (self !== undefined && expected === self)) {
      return refuse(new ProtocolError('origin_refused', 'the wallet is not framed'), false);
    }
    if (event.source !== expected) {
      return refuse(
        new ProtocolError('origin_refused', 'hello must come from the parent window'),
        false,
      );
    }
    // 2. shape.
    const hello = parseHello(event.data);
    if (!hello.ok) return refuse(hello.error, true);
    if (ports.length !== 1) {
      return refuse(
        new ProtocolError('invalid_message', 'hello must transfer exactly one port'),
        false,
      );
    }
    // 3. origin: exact match with an allowed origin; never 'null', never a wildcard.
    const origin = event.origin;
    if (!isOrigin(origin) || !allowedOrigins.some((o) => isOrigin(o) && o === origin)) {
      return refuse(
        new ProtocolError('origin_refused', 'this site may not embed the wallet'),
        true,
      );
    }
    if (ancestorOrigins && ancestorOrigins.length > 0) {
      if (ancestorOrigins[0] !== origin) {
        return refuse(
          new ProtocolError('origin_refused', 'the embedding page does not match the sender'),
          true,
        );
      }
      // Every ancestor, not only the parent: an allowed page inside a foreign frame could
      // otherwise be driven (clickjacked) by the site around it.
      for (let i = 1; i < ancestorOrigins.length; i++) {
        const a = ancestorOrigins[i];
        if (!isOrigin(a) || !allowedOrigins.includes(a)) {
          return refuse(
            new ProtocolError('origin_refused', 'the app is framed by a site that is not allowed'),
            true,
          );
        }
      }
    }
    if (options.appId !== undefined && hello.value.appId !== options.appId) {
      return refuse(new ProtocolError('origin_refused', 'hello is for another app'), true);
    }
    const port = ports[0] as MessagePort;
    port.postMessage(readyMessage());
    return { ok: true, port, origin, appId: hello.value.appId, network: hello.value.network };
  } catch {
    return refuse(new ProtocolError('invalid_message', 'hello is malformed'), false);
  }
}

export interface ListenForHelloOptions extends AcceptHelloOptions {
  /** The wallet's window (default `globalThis`). */
  window?: {
    addEventListener(type: 'message', fn: (event: MessageEvent) => void): void;
    removeEventListener(type: 'message', fn: (event: MessageEvent) => void): void;
    location?: { ancestorOrigins?: ArrayLike<string> };
    parent?: unknown;
  };
  /**
   * The app's allowed origins, or a promise of them (the app config still loading). Until
   * it settles, hellos from the parent are answered `pending` and the latest is held; a
   * rejection (a ProtocolError such as `unknown_app`) refuses it and every later hello.
   */
  allowedOrigins: readonly string[] | Promise<readonly string[]>;
  onAccept: (outcome: Extract<HelloOutcome, { ok: true }>) => void;
  onRefuse?: (error: ProtocolError) => void;
}

/**
 * Wallet side: listens for hellos and accepts the first valid one, then stops listening
 * (the host repeats its hello until it hears `ready`). Returns a function that stops it.
 * Call it synchronously at start-up so no hello is missed for long.
 */
export function listenForHello(options: ListenForHelloOptions): () => void {
  const w =
    options.window ?? (globalThis as unknown as NonNullable<ListenForHelloOptions['window']>);
  const accept: AcceptHelloOptions = { source: 'source' in options ? options.source : w.parent };
  if (options.appId !== undefined) accept.appId = options.appId;
  let allowed: readonly string[] | undefined;
  let failed: ProtocolError | undefined;
  let held: MessageEvent | undefined;
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    w.removeEventListener('message', onMessage);
  };
  const decide = (event: MessageEvent): void => {
    if (failed) {
      // Answer on the port only when the hello is really from our parent.
      const ports = Array.from(event.ports ?? []);
      if (event.source === accept.source && ports.length === 1) {
        try {
          ports[0]?.postMessage(refusedMessage(failed.toJSON()));
        } catch {
          // the host is gone
        }
      }
      closeAll(ports);
      options.onRefuse?.(failed);
      return;
    }
    const r = acceptHello(event, allowed ?? [], w.location?.ancestorOrigins, accept);
    if (r.ok) {
      stop();
      options.onAccept(r);
    } else {
      options.onRefuse?.(r.error);
    }
  };
  const onMessage = (event: MessageEvent): void => {
    if (allowed !== undefined || failed !== undefined) {
      decide(event);
      return;
    }
    // Still loading: say we are alive on a hello from the parent, keep only the latest.
    const ports = Array.from(event.ports ?? []);
    if (event.source !== accept.source || ports.length !== 1 || !parseHello(event.data).ok) {
      closeAll(ports);
      return;
    }
    try {
      ports[0]?.postMessage(pendingMessage());
    } catch {
      // the host is gone
    }
    if (held) closeAll(Array.from(held.ports ?? []));
    held = event;
  };
  const settle = (): void => {
    const e = held;
    held = undefined;
    if (e && !stopped) decide(e);
  };
  if (Array.isArray(options.allowedOrigins)) {
    allowed = options.allowedOrigins as readonly string[];
  } else {
    Promise.resolve(options.allowedOrigins).then(
      (list) => {
        allowed = list;
        settle();
      },
      (e: unknown) => {
        failed =
          e instanceof ProtocolError
            ? e
            : new ProtocolError('vault_unavailable', 'the wallet cannot load its configuration');
        settle();
      },
    );
  }
  w.addEventListener('message', onMessage);
  return stop;
}
