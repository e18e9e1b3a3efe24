/**
 * @module bech32 — re-exported from @trine/protocol (one implementation for the wallet
 * and the SDK).
 */
export { addressHex, bech32Decode } from '@trine/protocol/bech32';
