/**
 * @module endpoint — a small RPC endpoint over a MessagePort, used by both sides.
 *
 * penpal's shape (STYLE.md §7): every call has a timer that rejects with `timeout`; a
 * reply clears it; `destroy()` rejects everything pending with `destroyed` and closes
 * the port. Incoming requests are validated before their handler runs; handler results
 * are validated (and so stripped of unknown fields) before they leave; a thrown
 * ProtocolError becomes an error response, anything else becomes `internal` with a fixed
 * message. A malformed message gets an error reply when it carries a usable id and never
 * breaks the endpoint.
 */
import { fromWireError, ProtocolError, toWireError } from './errors.ts';
import {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_TIMEOUT_MS,
  MAX_INFLIGHT,
  MAX_PENDING,
} from './limits.ts';
import {
  errorMessage,
  isRequestLike,
  parseRequest,
  parseResponse,
  requestMessage,
  resultMessage,
  usableId,
} from './messages.ts';
import {
  HOST_METHODS,
  type HostMethods,
  type MethodTable,
  type Specs,
  WALLET_METHODS,
  type WalletMethods,
} from './methods.ts';

/** The port an endpoint talks over (a DOM or Node MessagePort). */
export interface PortLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  start?(): void;
}

/** One handler per served method; may be async; throws ProtocolError for coded failures. */
export type Handlers<S extends MethodTable> = {
  [M in keyof S]: (params: S[M]['params']) => S[M]['result'] | Promise<S[M]['result']>;
};

export interface EndpointOptions<S extends MethodTable, C extends MethodTable> {
  /** Validators of the methods this side serves. */
  serves: Specs<S>;
  /** Validators of the methods this side calls. */
  calls: Specs<C>;
  handlers: Handlers<S>;
  /** Default timeout of calls that need no user (ms); `Infinity` disables. */
  timeoutMs?: number | undefined;
  /** Default timeout of calls that wait for the user (ms); `Infinity` disables. */
  userTimeoutMs?: number | undefined;
}

export interface CallOptions {
  timeoutMs?: number;
}

export interface Endpoint<C extends MethodTable> {
  /** Calls a method of the peer; rejects with a ProtocolError. */
  call<M extends keyof C & string>(
    method: M,
    params: C[M]['params'],
    options?: CallOptions,
  ): Promise<C[M]['result']>;
  /** Rejects every pending call with `destroyed`, stops serving and closes the port. */
  destroy(): void;
  readonly destroyed: boolean;
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: ProtocolError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Longest delay setTimeout honours; longer ones would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Creates an endpoint on `port`.
 *
 * @example
 * const ep = createEndpoint(port, { serves: HOST_METHODS, calls: WALLET_METHODS, handlers });
 * const r = await ep.call('connect', { network: 'preprod' });
 */
export function createEndpoint<S extends MethodTable, C extends MethodTable>(
  port: PortLike,
  options: EndpointOptions<S, C>,
): Endpoint<C> {
  const { serves, calls, handlers } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userTimeoutMs = options.userTimeoutMs ?? DEFAULT_USER_TIMEOUT_MS;
  // Ids only need to be unique per endpoint; the prefix keeps the two directions apart.
  const prefix = `c${Math.random().toString(36).slice(2, 10)}-`;
  const pending = new Map<string, Pending>();
  let seq = 0;
  let inflight = 0;
  let destroyed = false;

  const send = (message: unknown): void => {
    if (destroyed) return;
    try {
      port.postMessage(message);
    } catch {
      // A closed port or an uncloneable value: nothing to tell the peer; its call times out.
    }
  };

  const settle = (id: string): Pending | undefined => {
    const p = pending.get(id);
    if (!p) return undefined;
    pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    return p;
  };

  const serve = (data: unknown): void => {
    const parsed = parseRequest(data, serves);
    if (!parsed.ok) {
      if (parsed.id !== undefined) send(errorMessage(parsed.id, parsed.error.toJSON()));
      return;
    }
    const { id, method, params } = parsed.value;
    const handler = (handlers as Record<string, ((p: unknown) => unknown) | undefined>)[method];
    if (typeof handler !== 'function') {
      send(errorMessage(id, { code: 'unknown_method', message: `method ${method} is not served` }));
      return;
    }
    if (inflight >= MAX_INFLIGHT) {
      send(errorMessage(id, { code: 'too_many_requests', message: 'too many requests in flight' }));
      return;
    }
    inflight++;
    const spec = serves[method] as Specs<S>[keyof S];
    Promise.resolve()
      .then(() => handler(params))
      .then((value) => {
        try {
          return spec.result(value);
        } catch (e) {
          // Our own handler broke the contract: say so without echoing the value (the
          // guarded validator's message names the field, never its content).
          throw new ProtocolError(
            'internal',
            `${method} produced an invalid result: ${(e as ProtocolError).message}`,
          );
        }
      })
      .then(
        (value) => send(resultMessage(id, value)),
        (e: unknown) => send(errorMessage(id, toWireError(e))),
      )
      .finally(() => {
        inflight--;
      });
  };

  const receive = (data: unknown): void => {
    const id = usableId(data);
    const p = id === undefined ? undefined : pending.get(id);
    const parsed = parseResponse(
      data,
      p ? (calls[p.method] as Specs<C>[keyof C]).result : undefined,
    );
    if (parsed.ok) {
      const q = settle(parsed.value.id);
      if (!q) return; // a late or foreign reply: nothing waits for it
      if ('error' in parsed.value) {
        q.reject(fromWireError(parsed.value.error));
      } else {
        q.resolve(parsed.value.result);
      }
      return;
    }
    if (p && id !== undefined) {
      settle(id)?.reject(parsed.error);
      return;
    }
    // Neither a request nor a response to a call of ours: answer when it has an id.
    if (parsed.id !== undefined) send(errorMessage(parsed.id, parsed.error.toJSON()));
  };

  port.onmessage = (event: MessageEvent) => {
    if (destroyed) return;
    let data: unknown;
    try {
      data = event.data;
    } catch {
      return;
    }
    if (isRequestLike(data)) serve(data);
    else receive(data);
  };
  port.start?.();

  return {
    get destroyed() {
      return destroyed;
    },
    call(method, params, callOptions = {}) {
      return new Promise((resolve, reject) => {
        if (destroyed) {
          reject(new ProtocolError('destroyed', 'the connection is closed'));
          return;
        }
        if (!Object.hasOwn(calls, method)) {
          reject(new ProtocolError('unknown_method', `unknown method ${method}`));
          return;
        }
        const spec = calls[method] as Specs<C>[keyof C];
        let checked: unknown;
        try {
          checked = spec.params(params);
        } catch (e) {
          // Spec validators are guarded: they throw nothing but ProtocolError.
          reject(new ProtocolError('invalid_params', `${method}: ${(e as ProtocolError).message}`));
          return;
        }
        if (pending.size >= MAX_PENDING) {
          reject(new ProtocolError('too_many_requests', 'too many calls pending'));
          return;
        }
        const id = `${prefix}${++seq}`;
        const ms = callOptions.timeoutMs ?? (spec.user ? userTimeoutMs : timeoutMs);
        const timer =
          ms >= 0 && ms <= MAX_TIMER_MS
            ? setTimeout(() => {
                settle(id)?.reject(
                  new ProtocolError('timeout', `${method} timed out after ${ms} ms`),
                );
              }, ms)
            : undefined;
        pending.set(id, {
          method,
          resolve: resolve as (v: unknown) => void,
          reject,
          timer,
        });
        send(requestMessage(id, method, checked));
      });
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const id of [...pending.keys()]) {
        settle(id)?.reject(new ProtocolError('destroyed', 'the connection was closed'));
      }
      port.onmessage = null;
      try {
        port.close();
      } catch {
        // already closed
      }
    },
  };
}

/** The host's endpoint: serves HOST_METHODS, calls WALLET_METHODS. */
export function createHostEndpoint(
  port: PortLike,
  handlers: Handlers<HostMethods>,
  options: Omit<EndpointOptions<HostMethods, WalletMethods>, 'serves' | 'calls' | 'handlers'> = {},
): Endpoint<WalletMethods> {
  return createEndpoint(port, {
    ...options,
    serves: HOST_METHODS,
    calls: WALLET_METHODS,
    handlers,
  });
}

/** The wallet's endpoint: serves WALLET_METHODS, calls HOST_METHODS. */
export function createWalletEndpoint(
  port: PortLike,
  handlers: Handlers<WalletMethods>,
  options: Omit<EndpointOptions<WalletMethods, HostMethods>, 'serves' | 'calls' | 'handlers'> = {},
): Endpoint<HostMethods> {
  return createEndpoint(port, {
    ...options,
    serves: WALLET_METHODS,
    calls: HOST_METHODS,
    handlers,
  });
}
