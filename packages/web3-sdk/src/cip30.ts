/**
 * @module cip30 — the CIP-30 API object (CIP-0030 "Full API") over a wallet session, and
 * the coin selection it uses. The implementation is cip30-api.ts; this module binds it to
 * @trine/protocol's error mapping.
 */
import { isProtocolError, toCip30Error } from '@trine/protocol/errors';
import { buildCip30Api, type Cip30Api, type Cip30Session } from './cip30-api.ts';

export {
  type Cip30Api,
  type Cip30Session,
  isScriptAddress,
  MAX_COLLATERAL_LOVELACE,
  type Paginate,
  type SignTxRequest,
  selectCollateral,
  selectUtxos,
} from './cip30-api.ts';

/**
 * Builds the CIP-30 API object over `session`.
 *
 * @example
 * const api = createCip30Api(session);
 * await api.getChangeAddress(); // '00949331…' (hex of the base address)
 */
export function createCip30Api(session: Cip30Session): Cip30Api {
  return buildCip30Api(session, { isProtocolError, toCip30Error });
}
