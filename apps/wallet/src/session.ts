/**
 * @module session — the opt-in "stay unlocked" session (DESIGN.md §2.7).
 *
 * Holds a private copy of the entropy in memory only (never persisted), for at most
 * `minutes` of idleness; every use restarts the idle timer. `clear()` zeroes the copy;
 * the wallet calls it on `lock`, on `pagehide`, on delete and on any re-share.
 */
import { wipe } from '@trine/core/wipe';

/** The choices offered by the approval screen's checkbox. */
export const UNLOCK_MINUTES = 5;

export class UnlockSession {
  #entropy: Uint8Array | undefined;
  #walletId: string | undefined;
  #epoch = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ms = 0;
  readonly #onExpire: (() => void) | undefined;

  constructor(onExpire?: () => void) {
    this.#onExpire = onExpire;
  }

  /** Starts a session holding a copy of `entropy` for `minutes` of idleness. */
  start(entropy: Uint8Array, walletId: string, epoch: number, minutes = UNLOCK_MINUTES): void {
    this.clear();
    this.#entropy = Uint8Array.from(entropy);
    this.#walletId = walletId;
    this.#epoch = epoch;
    this.#ms = Math.max(1, minutes) * 60_000;
    this.#arm();
  }

  /** True while a session for this wallet and epoch is open. */
  active(walletId: string, epoch?: number): boolean {
    return (
      this.#entropy !== undefined &&
      this.#walletId === walletId &&
      (epoch === undefined || epoch === this.#epoch)
    );
  }

  /**
   * A fresh copy of the entropy (the caller wipes it), or undefined. Restarts the idle
   * timer.
   */
  take(walletId: string, epoch: number): Uint8Array | undefined {
    if (!this.active(walletId, epoch) || !this.#entropy) return undefined;
    this.#arm();
    return Uint8Array.from(this.#entropy);
  }

  /** Zeroes and forgets the entropy. */
  clear(): void {
    const had = this.#entropy !== undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    wipe(this.#entropy);
    this.#entropy = undefined;
    this.#walletId = undefined;
    this.#epoch = 0;
    if (had) this.#onExpire?.();
  }

  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.clear(), this.#ms);
  }
}
