/**
 * @module messages — the versioned discriminated union on the wire and its parsers.
 *
 * request  `{ns:'trine', v:1, id, method, params}`
 * response `{ns:'trine', v:1, id, result}` | `{ns:'trine', v:1, id, error:{code, message}}`
 * handshake `{ns:'trine', v:1, type:'hello', appId, network}` (window → window, with a port),
 *           `{ns:'trine', v:1, type:'ready'}` | `{…, type:'refused', error}` (on the port), and
 *           `{…, type:'pending'}` (on the port: the wallet heard the hello and is still
 *           loading its app config; lets the host tell a running wallet from a blocked frame)
 * An error may carry `retryAfter` (seconds) with `too_many_requests`.
 *
 * Every parser narrows from `unknown` and never throws: it returns `{ok:true, value}` or
 * `{ok:false, error}` where `error` is a ProtocolError (STYLE.md §6, penpal's guards.ts).
 */
import {
  isProtocolError,
  isProtocolErrorCode,
  isRetryAfter,
  MAX_ERROR_MESSAGE_CHARS,
  ProtocolError,
  type ProtocolErrorCode,
  type WireError,
} from './errors.ts';
import { guarded } from './guards.ts';
import { MAX_ID_CHARS, MAX_NAME_CHARS, PROTOCOL_NS, PROTOCOL_VERSION } from './limits.ts';
import { ALL_METHODS, type MethodTable, NETWORKS, type Network, type Specs } from './methods.ts';

interface Envelope {
  ns: typeof PROTOCOL_NS;
  v: typeof PROTOCOL_VERSION;
}

export interface RequestMessage<M extends string = string, P = unknown> extends Envelope {
  id: string;
  method: M;
  params: P;
}
export interface ResultMessage<R = unknown> extends Envelope {
  id: string;
  result: R;
}
export interface ErrorMessage extends Envelope {
  id: string;
  error: WireError;
}
export type ResponseMessage<R = unknown> = ResultMessage<R> | ErrorMessage;

export interface HelloMessage extends Envelope {
  type: 'hello';
  appId: string;
  network: Network;
}
export interface ReadyMessage extends Envelope {
  type: 'ready';
}
export interface RefusedMessage extends Envelope {
  type: 'refused';
  error: WireError;
}
export interface PendingMessage extends Envelope {
  type: 'pending';
}

/** A request for any method of table T, typed per method. */
export type AnyRequest<T extends MethodTable> = {
  [M in keyof T & string]: RequestMessage<M, T[M]['params']>;
}[keyof T & string];

/** A parser's outcome: a typed value, or a coded error plus the message id when usable. */
export type Parsed<T> =
  | { ok: true; value: T }
  | { ok: false; error: ProtocolError; id: string | undefined };

const ID_RE = /^[A-Za-z0-9_-]+$/;
const APP_ID_RE = /^[A-Za-z0-9._-]+$/;

const own = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** `fields` in the envelope `{ns, v}` every message carries. */
const env = <T extends object>(fields: T): Envelope & T => ({
  ns: PROTOCOL_NS,
  v: PROTOCOL_VERSION,
  ...fields,
});

function fail(code: ProtocolErrorCode, message: string, id?: string): never {
  throw Object.assign(new ProtocolError(code, message), { messageId: id });
}

function toFailure(e: unknown, fallbackId: string | undefined): Parsed<never> {
  if (isProtocolError(e)) {
    const id = (e as { messageId?: string }).messageId ?? fallbackId;
    return { ok: false, error: new ProtocolError(e.code, e.message), id };
  }
  return {
    ok: false,
    error: new ProtocolError('invalid_message', 'message is malformed'),
    id: fallbackId,
  };
}

/** The message's id when it is a usable one, else undefined. Never throws. */
export function usableId(data: unknown): string | undefined {
  try {
    if (typeof data !== 'object' || data === null) return undefined;
    const id = (data as { id?: unknown }).id;
    return typeof id === 'string' && id.length <= MAX_ID_CHARS && id.length > 0 && ID_RE.test(id)
      ? id
      : undefined;
  } catch {
    return undefined;
  }
}

/** Envelope checks shared by every parser: object, ns, then version. */
function envelope(data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    fail('invalid_message', 'message must be an object');
  }
  const r = data as Record<string, unknown>;
  if (r.ns !== PROTOCOL_NS) fail('invalid_message', "message.ns must be 'trine'");
  if (r.v !== PROTOCOL_VERSION) {
    fail('unsupported_version', `message.v must be ${PROTOCOL_VERSION}`);
  }
  return r;
}

function idOf(r: Record<string, unknown>): string {
  const id = usableId(r);
  if (id === undefined)
    fail('invalid_message', `message.id must be 1..${MAX_ID_CHARS} chars of [A-Za-z0-9_-]`);
  return id;
}

/** True when `data` looks like a request (has an own `method`); used to route messages. */
export function isRequestLike(data: unknown): boolean {
  try {
    return typeof data === 'object' && data !== null && own(data, 'method');
  } catch {
    return false;
  }
}

/**
 * Parses a request for a method of `specs` (default: every method of both directions).
 * Codes: invalid_message, unsupported_version, unknown_method, invalid_params.
 *
 * @example
 * const r = parseRequest(event.data, WALLET_METHODS);
 * if (r.ok) r.value.method; // 'connect' | 'createWallet' | …
 */
export function parseRequest<
  T extends MethodTable = typeof ALL_METHODS extends Specs<infer U> ? U : never,
>(data: unknown, specs: Specs<T> = ALL_METHODS as unknown as Specs<T>): Parsed<AnyRequest<T>> {
  const fallbackId = usableId(data);
  try {
    const r = envelope(data);
    const id = idOf(r);
    const method = r.method;
    if (typeof method !== 'string' || method.length > 64 || !own(specs, method)) {
      fail(
        'unknown_method',
        `unknown method ${typeof method === 'string' ? JSON.stringify(method.slice(0, 64)) : typeof method}`,
        id,
      );
    }
    const spec = specs[method] as Specs<T>[keyof T];
    let params: unknown;
    try {
      params = spec.params(r.params);
    } catch (e) {
      if (isProtocolError(e)) fail('invalid_params', `${method}: ${e.message}`, id);
      fail('invalid_params', `${method}: params are malformed`, id);
    }
    return { ok: true, value: env({ id, method, params }) as AnyRequest<T> };
  } catch (e) {
    return toFailure(e, fallbackId);
  }
}

/** A wire error `{code, message}`. A code this version does not know becomes `internal`. */
function parseWireErrorRaw(value: unknown): WireError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('invalid_message', 'error must be an object');
  }
  const r = value as Record<string, unknown>;
  if (typeof r.code !== 'string' || r.code.length > 64)
    fail('invalid_message', 'error.code must be a string');
  if (typeof r.message !== 'string' || r.message.length > MAX_ERROR_MESSAGE_CHARS) {
    fail(
      'invalid_message',
      `error.message must be a string of at most ${MAX_ERROR_MESSAGE_CHARS} chars`,
    );
  }
  const w: WireError = isProtocolErrorCode(r.code)
    ? { code: r.code, message: r.message }
    : { code: 'internal', message: r.message };
  // Optional; anything but a whole number of seconds in range is dropped, not trusted.
  if (w.code === 'too_many_requests' && isRetryAfter(r.retryAfter)) w.retryAfter = r.retryAfter;
  return w;
}

/** A wire error rebuilt field by field (no unknown field crosses). */
const wire = (error: WireError): WireError =>
  error.retryAfter === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, retryAfter: error.retryAfter };

/** Parses a wire error `{code, message}`; throws ProtocolError('invalid_message'). */
export const parseWireError = /* @__PURE__ */ guarded(
  parseWireErrorRaw,
  'error',
  'invalid_message',
);

/**
 * Parses a response; with `result`, also validates the result value (the caller knows the
 * method from its pending call). Codes: invalid_message, unsupported_version.
 */
export function parseResponse<R = unknown>(
  data: unknown,
  result?: (value: unknown) => R,
): Parsed<ResponseMessage<R>> {
  const fallbackId = usableId(data);
  try {
    const r = envelope(data);
    const id = idOf(r);
    const hasResult = own(r, 'result');
    const hasError = own(r, 'error');
    if (hasResult === hasError)
      fail('invalid_message', 'response must hold exactly one of result, error', id);
    const field = hasError ? 'error' : 'result';
    try {
      const value: unknown = hasError
        ? parseWireErrorRaw(r.error)
        : result
          ? result(r.result)
          : (r.result as R);
      return { ok: true, value: env({ id, [field]: value }) as unknown as ResponseMessage<R> };
    } catch (e) {
      fail('invalid_message', isProtocolError(e) ? e.message : `${field} is malformed`, id);
    }
  } catch (e) {
    return toFailure(e, fallbackId);
  }
}

/** Parses a handshake `hello`. Codes: invalid_message, unsupported_version. */
export function parseHello(data: unknown): Parsed<HelloMessage> {
  try {
    const r = envelope(data);
    if (r.type !== 'hello') fail('invalid_message', "message.type must be 'hello'");
    if (
      typeof r.appId !== 'string' ||
      r.appId.length === 0 ||
      r.appId.length > MAX_NAME_CHARS ||
      !APP_ID_RE.test(r.appId)
    ) {
      fail('invalid_message', 'hello.appId is malformed');
    }
    if (typeof r.network !== 'string' || !(NETWORKS as readonly string[]).includes(r.network)) {
      fail('invalid_message', `hello.network must be one of ${NETWORKS.join(', ')}`);
    }
    return {
      ok: true,
      value: env({ type: 'hello' as const, appId: r.appId, network: r.network as Network }),
    };
  } catch (e) {
    return toFailure(e, undefined);
  }
}

/** Parses the wallet's handshake reply on the port: `ready`, `refused` or `pending`. */
export function parseHandshakeReply(
  data: unknown,
): Parsed<ReadyMessage | RefusedMessage | PendingMessage> {
  try {
    const r = envelope(data);
    if (r.type === 'ready' || r.type === 'pending')
      return { ok: true, value: env({ type: r.type }) };
    if (r.type === 'refused') {
      return { ok: true, value: env({ type: r.type, error: parseWireErrorRaw(r.error) }) };
    }
    fail('invalid_message', "message.type must be 'ready', 'refused' or 'pending'");
  } catch (e) {
    return toFailure(e, undefined);
  }
}

// --- builders ----------------------------------------------------------------------------

export const requestMessage = <M extends string, P>(
  id: string,
  method: M,
  params: P,
): RequestMessage<M, P> => env({ id, method, params });
export const resultMessage = <R>(id: string, result: R): ResultMessage<R> => env({ id, result });
export const errorMessage = (id: string, error: WireError): ErrorMessage =>
  env({ id, error: wire(error) });
export const helloMessage = (appId: string, network: Network): HelloMessage =>
  env({ type: 'hello' as const, appId, network });
export const readyMessage = (): ReadyMessage => env({ type: 'ready' as const });
export const refusedMessage = (error: WireError): RefusedMessage =>
  env({ type: 'refused' as const, error: wire(error) });
export const pendingMessage = (): PendingMessage => env({ type: 'pending' as const });
