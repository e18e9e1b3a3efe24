/**
 * @module inject — registers the wallet as `window.cardano.trine` (CIP-30 "Initial API"),
 * so existing Cardano dApp libraries find it unchanged.
 */
import type { Trine } from './trine.ts';

export interface InjectInfo {
  /** The key under window.cardano and the wallet's display name (default 'trine'). */
  name?: string;
  /** A data: URI of the wallet icon (CIP-30 `icon`). */
  icon: string;
  /** CIP-30 apiVersion (default '1'). */
  apiVersion?: string;
}

/** The CIP-30 Initial API object. */
export interface Cip30Wallet {
  readonly name: string;
  readonly icon: string;
  readonly apiVersion: string;
  readonly supportedExtensions: ReadonlyArray<{ cip: number }>;
  enable(): ReturnType<Trine['enable']>;
  isEnabled(): Promise<boolean>;
}

/**
 * Registers `window.cardano[name]`. Returns a function that removes it again.
 *
 * @example
 * injectCip30({ name: 'trine', icon, apiVersion: '1' }, trine);
 * const api = await window.cardano.trine.enable();
 */
export function injectCip30(
  info: InjectInfo,
  trine: Pick<Trine, 'enable' | 'isEnabled'>,
  target: { cardano?: Record<string, unknown> } = globalThis as {
    cardano?: Record<string, unknown>;
  },
): () => void {
  const name = info.name ?? 'trine';
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(name))
    throw new TypeError('name must be 1..32 chars of [a-z0-9_]');
  if (typeof info.icon !== 'string' || !info.icon.startsWith('data:image/')) {
    throw new TypeError('icon must be a data:image/ URI');
  }
  const entry: Cip30Wallet = Object.freeze({
    name,
    icon: info.icon,
    apiVersion: info.apiVersion ?? '1',
    supportedExtensions: Object.freeze([]),
    enable: () => trine.enable(),
    isEnabled: () => trine.isEnabled(),
  });
  if (typeof target.cardano !== 'object' || target.cardano === null) target.cardano = {};
  const cardano = target.cardano;
  Object.defineProperty(cardano, name, {
    value: entry,
    enumerable: true,
    configurable: true,
    writable: false,
  });
  return () => {
    if (cardano[name] === entry) delete cardano[name];
  };
}
