/**
 * @module host-spy — an init script for the host page (top frame only) that records
 * every message the page receives, on `window` and on every MessagePort, and every port
 * the page posts on (so a test can speak on the live protocol port itself). Runs before
 * the SDK, as a hostile dApp's own script could.
 */
export interface SpyWindow {
  __seen: unknown[];
  __ports: MessagePort[];
}

/** Installed with `context.addInitScript(installHostSpy)`. */
export function installHostSpy(): void {
  if (window.top !== window) return; // the wallet frame is not the host
  const w = window as unknown as SpyWindow;
  w.__seen = [];
  w.__ports = [];
  const record = (data: unknown) => {
    w.__seen.push(data);
  };
  window.addEventListener('message', (e) => record(e.data), true);
  const proto = MessagePort.prototype;
  const desc = Object.getOwnPropertyDescriptor(proto, 'onmessage');
  if (desc?.set && desc.get) {
    const { get, set } = desc;
    Object.defineProperty(proto, 'onmessage', {
      configurable: true,
      get() {
        return get.call(this);
      },
      set(fn: ((e: MessageEvent) => void) | null) {
        set.call(
          this,
          typeof fn === 'function'
            ? function (this: MessagePort, e: MessageEvent) {
                record(e.data);
                return fn.call(this, e);
              }
            : fn,
        );
      },
    });
  }
  const add = proto.addEventListener;
  proto.addEventListener = function (
    this: MessagePort,
    type: string,
    fn: EventListenerOrEventListenerObject | null,
    opts?: boolean | AddEventListenerOptions,
  ) {
    if (type === 'message' && typeof fn === 'function') {
      const wrapped = function (this: MessagePort, e: Event) {
        record((e as MessageEvent).data);
        return fn.call(this, e);
      };
      return add.call(this, type, wrapped, opts);
    }
    return add.call(this, type, fn as EventListenerOrEventListenerObject, opts);
  } as typeof proto.addEventListener;
  const post = proto.postMessage;
  proto.postMessage = function (this: MessagePort, ...args: unknown[]) {
    if (!w.__ports.includes(this)) w.__ports.push(this);
    return (post as (...a: unknown[]) => void).apply(this, args);
  } as typeof proto.postMessage;
}
