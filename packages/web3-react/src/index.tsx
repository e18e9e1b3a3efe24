/**
 * @module web3-react — React bindings for @trine/web3-sdk: `<TrineProvider>` owns one Trine
 * instance, `useTrine()` gives its state (status, address, network, error) and actions
 * (connect, disconnect), `useCip30()` the CIP-30 API once connected, and `<ConnectButton>`
 * a plain button that takes the host page's own styles. Works with React 18 and 19 (hooks
 * only) and under SSR: the provider creates the SDK without touching the DOM, and connects
 * only in an effect (the browser).
 */
import { type Cip30Api, createTrine, type Trine, type TrineOptions } from '@trine/web3-sdk';
import {
  type ButtonHTMLAttributes,
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';

export type TrineStatus = 'idle' | 'connecting' | 'connected' | 'error';

/** A CIP-30 error object from the SDK (`{code, info, reason}`), or what else was thrown. */
export type TrineHookError = { code?: number; info?: string; reason?: string } & object;

export interface TrineState {
  status: TrineStatus;
  /** The wallet's base address (bech32), once connected. */
  address: string | null;
  network: TrineOptions['network'];
  /** The last failure of connect(), with its CIP-30 `code` and Trine `reason`. */
  error: TrineHookError | null;
  /** The CIP-30 API, once connected. */
  api: Cip30Api | null;
}

export interface UseTrine extends TrineState {
  connect(): Promise<Cip30Api | null>;
  disconnect(): void;
  /** The SDK instance, for manage() and everything else. */
  trine: Trine;
}

const Ctx = createContext<UseTrine | null>(null);

export interface TrineProviderProps {
  /** Options for createTrine (read once, on first render). */
  options?: TrineOptions;
  /** Or an instance you created (then the provider never destroys it). */
  trine?: Trine;
  /** Reconnect on mount when this site was enabled before (CIP-30 isEnabled). Default true. */
  autoConnect?: boolean;
  children?: ReactNode;
}

/** Holds one Trine instance for the tree below; destroys it on unmount if it made it. */
export function TrineProvider(props: TrineProviderProps): ReactNode {
  const { autoConnect = true } = props;
  const [own] = useState<{ trine: Trine; made: boolean }>(() => {
    if (props.trine) return { trine: props.trine, made: false };
    if (!props.options) throw new TypeError('TrineProvider needs options or trine');
    return { trine: createTrine(props.options), made: true };
  });
  const trine = own.trine;
  const network = props.options?.network ?? trine.wallet?.network ?? 'preprod';
  const [state, setState] = useState<Omit<TrineState, 'network'>>({
    status: 'idle',
    address: null,
    error: null,
    api: null,
  });
  const alive = useRef(true);
  const set = useCallback((s: Omit<TrineState, 'network'>) => {
    if (alive.current) setState(s);
  }, []);

  const connect = useCallback(async (): Promise<Cip30Api | null> => {
    set({ status: 'connecting', address: null, error: null, api: null });
    try {
      const api = await trine.enable();
      set({ status: 'connected', address: trine.wallet?.addresses.base ?? null, error: null, api });
      return api;
    } catch (e) {
      set({ status: 'error', address: null, error: toError(e), api: null });
      return null;
    }
  }, [trine, set]);

  const disconnect = useCallback(() => trine.disconnect(), [trine]);

  useEffect(() => {
    alive.current = true;
    const offs = [
      trine.on('disconnect', () => set({ status: 'idle', address: null, error: null, api: null })),
      // Another account: the old API object is stale; reconnect for a fresh one.
      trine.on('accountChange', (w) => {
        if (w === null) set({ status: 'idle', address: null, error: null, api: null });
        else void connect();
      }),
    ];
    if (autoConnect) {
      void trine.isEnabled().then((yes) => {
        if (yes && alive.current) void connect();
      });
    }
    return () => {
      alive.current = false;
      for (const off of offs) off();
      if (own.made) trine.destroy();
    };
  }, [trine, own.made, autoConnect, connect, set]);

  const value = useMemo<UseTrine>(
    () => ({ ...state, network, connect, disconnect, trine }),
    [state, network, connect, disconnect, trine],
  );
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

function toError(e: unknown): TrineHookError {
  if (typeof e === 'object' && e !== null) return e as TrineHookError;
  return { info: String(e) };
}

/** The wallet state and actions of the nearest TrineProvider. */
export function useTrine(): UseTrine {
  const v = useContext(Ctx);
  if (!v) throw new Error('useTrine() must be used inside <TrineProvider>');
  return v;
}

/** The CIP-30 API once connected, else null. */
export function useCip30(): Cip30Api | null {
  return useTrine().api;
}

export interface ConnectButtonProps
  extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onClick' | 'children'> {
  /** Labels (defaults in English). */
  labels?: Partial<Record<'connect' | 'connecting' | 'disconnect' | 'retry', string>>;
}

const short = (a: string) => (a.length > 20 ? `${a.slice(0, 12)}…${a.slice(-6)}` : a);

/**
 * Connect / Disconnect. It carries no styles of its own: it inherits the page's font and
 * colours and takes your `className`, so it follows the host's theme; `data-status` is
 * there for your CSS.
 */
export function ConnectButton({ labels = {}, ...rest }: ConnectButtonProps): ReactNode {
  const { status, address, connect, disconnect, error } = useTrine();
  const text =
    status === 'connected'
      ? `${labels.disconnect ?? 'Disconnect'} ${address ? short(address) : ''}`.trim()
      : status === 'connecting'
        ? (labels.connecting ?? 'Connecting…')
        : status === 'error'
          ? (labels.retry ?? 'Connect wallet (retry)')
          : (labels.connect ?? 'Connect wallet');
  return (
    <button
      type="button"
      {...rest}
      data-trine-connect=""
      data-status={status}
      data-reason={error?.reason}
      disabled={status === 'connecting' || rest.disabled}
      onClick={() => (status === 'connected' ? disconnect() : void connect())}
    >
      {text}
    </button>
  );
}
