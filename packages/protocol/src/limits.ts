/**
 * @module limits — size caps for every field that crosses the frame boundary.
 *
 * The receiver refuses anything larger with `invalid_params` (requests) or
 * `invalid_message` (responses), before doing any work with it (DESIGN.md §2.9).
 */

/** Protocol version carried in every message as `v`. */
export const PROTOCOL_VERSION = 1;
/** Namespace carried in every message as `ns`. */
export const PROTOCOL_NS = 'trine';

/** Message ids: 1–64 chars of `[A-Za-z0-9_-]`. */
export const MAX_ID_CHARS = 64;
/** Largest transaction (bytes; hex is twice that). Cardano's max_tx_size is 16 KiB. */
export const MAX_TX_BYTES = 64 * 1024;
/** Largest signData payload (bytes). */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
/** Largest witness set returned by signTx (bytes). */
export const MAX_WITNESS_SET_BYTES = 16 * 1024;
/** Largest COSE_Sign1 returned by signData (payload + headers + signature). */
export const MAX_SIGNATURE_BYTES = MAX_PAYLOAD_BYTES + 4 * 1024;
/** Largest COSE_Key returned by signData (bytes). */
export const MAX_KEY_BYTES = 1024;
/** Longest address string (bech32, hex or Byron base58). */
export const MAX_ADDRESS_CHARS = 1024;
/** Longest token (the dApp's JWT for the vault). */
export const MAX_TOKEN_CHARS = 16 * 1024;
/** Most inputs in one resolveInputs call / resolvedInputs array. */
export const MAX_RESOLVED_INPUTS = 2048;
/** Most distinct assets in one resolved input's value. */
export const MAX_ASSETS = 1024;
/** Longest walletId / appId. */
export const MAX_NAME_CHARS = 128;
/** Default per-call timeout (ms) for calls that need no user. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default per-call timeout (ms) for calls that wait for the user (sign, create, manage). */
export const DEFAULT_USER_TIMEOUT_MS = 10 * 60_000;
/** Most requests from the peer an endpoint serves at once; more get `too_many_requests`. */
export const MAX_INFLIGHT = 64;
/** Most calls an endpoint keeps pending at once; more reject with `too_many_requests`. */
export const MAX_PENDING = 256;
