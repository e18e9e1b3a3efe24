/**
 * @module blockfrost — a ChainProvider over the Blockfrost API (https://docs.blockfrost.io).
 *
 * `GET /addresses/{address}/utxos?page=N&count=100` (`[{tx_hash, output_index, amount:
 * [{unit, quantity}], data_hash, inline_datum, reference_script_hash}]`; 404 for an
 * address never seen on chain = no UTxOs), `GET /txs/{hash}/utxos` (`{outputs:[…]}`),
 * `GET /scripts/{hash}` + `GET /scripts/{hash}/cbor` for a UTxO's reference script,
 * `GET /epochs/latest/parameters`, `POST /tx/submit` with `Content-Type:
 * application/cbor` (the hash as a JSON string). The project id travels in the
 * `project_id` header only; it never appears in an error message.
 */
import { ProtocolError } from '@trine/protocol/errors';
import type { OutRef, ResolvedInput } from '@trine/protocol/methods';
import { decode, encodeHex, fromHex, toHex } from './cbor.ts';
import type { ChainProvider } from './chain.ts';
import type { Utxo } from './value.ts';

export interface BlockfrostOptions {
  /** e.g. `https://cardano-preprod.blockfrost.io/api/v0` */
  baseUrl: string;
  projectId: string;
  /** Per-request timeout (ms; default 20 000). */
  timeoutMs?: number;
  /** Most UTxO pages (of 100) read per address (default 50). */
  maxPages?: number;
  fetch?: typeof fetch;
}

interface BfAmount {
  unit: string;
  quantity: string;
}
interface BfOutput {
  address: string;
  amount: BfAmount[];
  output_index: number;
  tx_hash?: string;
  data_hash?: string | null;
  inline_datum?: string | null;
  reference_script_hash?: string | null;
  collateral?: boolean;
}

const HASH_RE = /^[0-9a-f]{64}$/;
const UNIT_RE = /^[0-9a-f]{56}(?:[0-9a-f]{2}){0,32}$/;
const QTY_RE = /^(0|[1-9][0-9]{0,29})$/;

const unavailable = (what: string) => new ProtocolError('chain_unavailable', `Blockfrost: ${what}`);

function toUtxo(o: BfOutput, txHash: string): Utxo | undefined {
  if (typeof o !== 'object' || o === null || !Array.isArray(o.amount))
    throw unavailable('malformed output');
  if (
    !Number.isSafeInteger(o.output_index) ||
    o.output_index < 0 ||
    typeof o.address !== 'string'
  ) {
    throw unavailable('malformed output');
  }
  const assets: Record<string, string> = {};
  let lovelace = '0';
  for (const a of o.amount) {
    if (typeof a?.unit !== 'string' || typeof a.quantity !== 'string' || !QTY_RE.test(a.quantity)) {
      throw unavailable('malformed amount');
    }
    if (a.unit === 'lovelace') lovelace = a.quantity;
    else if (UNIT_RE.test(a.unit))
      assets[`${a.unit.slice(0, 56)}.${a.unit.slice(56)}`] = a.quantity;
    else throw unavailable('malformed asset unit');
  }
  const u: Utxo = {
    txHash,
    index: o.output_index,
    address: o.address,
    value: Object.keys(assets).length ? { lovelace, assets } : { lovelace },
  };
  if (typeof o.inline_datum === 'string' && o.inline_datum) u.inlineDatum = o.inline_datum;
  else if (typeof o.data_hash === 'string' && HASH_RE.test(o.data_hash)) u.datumHash = o.data_hash;
  return u;
}

/**
 * The ledger's `plutus_vN_script` bytes from Blockfrost's `cbor`. Blockfrost serves the
 * CBOR encoding of those bytes (the flat program wrapped twice, as cardano-cli's `cborHex`);
 * a value wrapped only once is taken as the bytes themselves.
 */
function plutusBytes(cborHex: string): Uint8Array {
  try {
    const outer = decode(cborHex);
    if (outer instanceof Uint8Array && decode(toHex(outer)) instanceof Uint8Array) return outer;
  } catch {
    // not CBOR-wrapped twice
  }
  return fromHex(cborHex);
}

/**
 * @example
 * const chain = createBlockfrostChainProvider({
 *   baseUrl: 'https://cardano-preprod.blockfrost.io/api/v0', projectId });
 */
export function createBlockfrostChainProvider(options: BlockfrostOptions): Required<ChainProvider> {
  const base = options.baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) throw new TypeError('baseUrl must be an http(s) URL');
  if (typeof options.projectId !== 'string' || options.projectId.length === 0) {
    throw new TypeError('projectId must be a non-empty string');
  }
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxPages = options.maxPages ?? 50;

  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    try {
      return await doFetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), project_id: options.projectId },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw unavailable(`request to ${path.split('?')[0]} failed`);
    }
  };
  const json = async (res: Response, path: string): Promise<unknown> => {
    try {
      return await res.json();
    } catch {
      throw unavailable(`${path} returned invalid JSON`);
    }
  };
  const errorText = async (res: Response): Promise<string> => {
    try {
      const body = (await res.json()) as { message?: unknown };
      return typeof body.message === 'string' ? body.message.slice(0, 300) : `HTTP ${res.status}`;
    } catch {
      return `HTTP ${res.status}`;
    }
  };

  const scripts = new Map<string, Promise<string | undefined>>();
  /** CBOR hex of the ledger `script` item for a Plutus reference script; undefined for native. */
  const scriptRef = (hash: string): Promise<string | undefined> => {
    const h = hash.toLowerCase();
    if (!/^[0-9a-f]{56}$/.test(h)) return Promise.reject(unavailable('malformed script hash'));
    let p = scripts.get(h);
    if (!p) {
      p = (async () => {
        const info = await request(`/scripts/${h}`);
        if (!info.ok) throw unavailable(`/scripts/{hash}: ${await errorText(info)}`);
        const type = ((await json(info, '/scripts/{hash}')) as { type?: unknown })?.type;
        const tag = { plutusV1: 1, plutusV2: 2, plutusV3: 3 }[String(type)];
        if (tag === undefined) return undefined;
        const res = await request(`/scripts/${h}/cbor`);
        if (!res.ok) throw unavailable(`/scripts/{hash}/cbor: ${await errorText(res)}`);
        const cbor = ((await json(res, '/scripts/{hash}/cbor')) as { cbor?: unknown })?.cbor;
        if (typeof cbor !== 'string' || !/^(?:[0-9a-f]{2})+$/i.test(cbor)) {
          throw unavailable('malformed script cbor');
        }
        return encodeHex([tag, plutusBytes(cbor)]);
      })();
      p.catch(() => scripts.delete(h));
      scripts.set(h, p);
    }
    return p;
  };

  return {
    async getUtxos(address) {
      const out: Utxo[] = [];
      const path = `/addresses/${encodeURIComponent(address)}/utxos`;
      for (let page = 1; page <= maxPages; page++) {
        const res = await request(`${path}?page=${page}&count=100`);
        if (res.status === 404) return out; // never used on chain: no UTxOs
        if (!res.ok)
          throw unavailable(
            `${path.replace(encodeURIComponent(address), '{address}')}: ${await errorText(res)}`,
          );
        const body = await json(res, '/addresses/{address}/utxos');
        if (!Array.isArray(body)) throw unavailable('UTxO list is not an array');
        for (const o of body as BfOutput[]) {
          const txHash = typeof o?.tx_hash === 'string' ? o.tx_hash.toLowerCase() : '';
          if (!HASH_RE.test(txHash)) throw unavailable('malformed tx_hash');
          const u = toUtxo(o, txHash);
          if (!u) continue;
          if (o.reference_script_hash) {
            const ref = await scriptRef(o.reference_script_hash);
            // A native script's CBOR is not served by Blockfrost: such a UTxO is left out
            // rather than returned without the script it carries.
            if (ref === undefined) continue;
            u.scriptRef = ref;
          }
          out.push(u);
        }
        if (body.length < 100) return out;
      }
      return out;
    },

    async resolveInputs(refs: OutRef[]): Promise<ResolvedInput[]> {
      const byTx = new Map<string, Set<number>>();
      for (const r of refs) {
        const h = r.txHash.toLowerCase();
        if (!HASH_RE.test(h)) continue;
        if (!byTx.has(h)) byTx.set(h, new Set());
        byTx.get(h)?.add(r.index);
      }
      const out: ResolvedInput[] = [];
      for (const [hash, indexes] of byTx) {
        const res = await request(`/txs/${hash}/utxos`);
        if (res.status === 404) continue; // unknown tx: leave its inputs unresolved
        if (!res.ok) throw unavailable(`/txs/{hash}/utxos: ${await errorText(res)}`);
        const body = (await json(res, '/txs/{hash}/utxos')) as { outputs?: unknown };
        if (!body || !Array.isArray(body.outputs)) throw unavailable('tx outputs are not an array');
        for (const o of body.outputs as BfOutput[]) {
          if (o?.collateral || !indexes.has(o?.output_index)) continue;
          const u = toUtxo({ ...o, reference_script_hash: null }, hash);
          if (u) out.push({ txHash: u.txHash, index: u.index, address: u.address, value: u.value });
        }
      }
      return out;
    },

    async getProtocolParameters() {
      const res = await request('/epochs/latest/parameters');
      if (!res.ok) throw unavailable(`/epochs/latest/parameters: ${await errorText(res)}`);
      const body = await json(res, '/epochs/latest/parameters');
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw unavailable('protocol parameters are not an object');
      }
      return body as Record<string, unknown>;
    },

    async submitTx(txCborHex) {
      let bytes: Uint8Array;
      try {
        bytes = fromHex(txCborHex);
      } catch {
        throw new ProtocolError('invalid_params', 'tx must be even-length hex');
      }
      const res = await request('/tx/submit', {
        method: 'POST',
        headers: { 'Content-Type': 'application/cbor' },
        body: bytes as BodyInit,
      });
      if (res.status === 429 || res.status === 418)
        throw new ProtocolError('tx_refused', `Blockfrost: rate limited (HTTP ${res.status})`);
      if (!res.ok) throw new ProtocolError('tx_failed', `Blockfrost: ${await errorText(res)}`);
      const hash = await json(res, '/tx/submit');
      if (typeof hash !== 'string' || !HASH_RE.test(hash.toLowerCase())) {
        throw new ProtocolError('tx_failed', 'Blockfrost: /tx/submit returned no hash');
      }
      return hash.toLowerCase();
    },
  };
}
