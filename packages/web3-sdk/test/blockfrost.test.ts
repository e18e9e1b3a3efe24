/**
 * The Blockfrost adapter against a local node:http server on 127.0.0.1 answering with the
 * documented shapes (Blockfrost OpenAPI: address_utxo_content, tx_content_utxo,
 * epoch_param_content, POST /tx/submit → tx id as a JSON string, errors {status_code, error, message}).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlockfrostChainProvider } from '../src/blockfrost.ts';
import { encodeUtxo, type Utxo } from '../src/value.ts';
import { BASE, BASE_HEX, cborx, POLICY } from './helpers.ts';

const PROJECT = 'preprodTESTPROJECTID';
const H1 = '39a7a284c2a0948189dc45dec670211cd4d72f7b66c5726c08d9b3df11e44d58';
const H2 = '4f539156bfbefc070a3b61cad3d1cedab3050e2b2a62f0ffe16a43eb0edc1ce8';
const PLUTUS_HASH = '13a3efd825703a352a8f71f4e2758d08c28c564e8dfcce9f77776ad1';
const NATIVE_HASH = 'b0d07d45fe9514f80213f4020e5a61241458be626841cde717cb38a7';

const utxo = (
  tx_hash: string,
  output_index: number,
  amount: Array<{ unit: string; quantity: string }>,
  extra = {},
) => ({
  address: BASE,
  tx_hash,
  tx_index: output_index,
  output_index,
  amount,
  block: '7eb8e27d18686c7db9a18f8bbcfe34e3fed6e047afaa2d969904d15e934847e6',
  data_hash: null,
  inline_datum: null,
  reference_script_hash: null,
  ...extra,
});

const page1 = Array.from({ length: 100 }, (_, i) =>
  utxo(H1, i, [{ unit: 'lovelace', quantity: String(1_000_000 + i) }]),
);
const page2 = [
  utxo(H2, 0, [
    { unit: 'lovelace', quantity: '42000000' },
    { unit: `${POLICY}6e7574636f696e`, quantity: '12' },
  ]),
  utxo(H2, 1, [{ unit: 'lovelace', quantity: '2000000' }], {
    data_hash: '9e1199a988ba72ffd6e9c269cadb3b53b5f360ff99f112d9b2ee30c4d74ad88b',
  }),
  utxo(H2, 2, [{ unit: 'lovelace', quantity: '3000000' }], { inline_datum: 'd87980' }),
  utxo(H2, 3, [{ unit: 'lovelace', quantity: '4000000' }], {
    reference_script_hash: PLUTUS_HASH,
  }),
  utxo(H2, 4, [{ unit: 'lovelace', quantity: '4500000' }], {
    reference_script_hash: NATIVE_HASH,
  }),
];

/** Blockfrost's `cbor` of a Plutus V2 script: the flat bytes wrapped twice (bytes(bytes(flat))). */
const PLUTUS_CBOR = '4e4d01000033222220051200120011';

const seen: Array<{
  method: string;
  url: string;
  projectId: string | undefined;
  type: string | undefined;
  body: string;
}> = [];
let server: Server;
let baseUrl = '';
let submitStatus = 200;

const read = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await read(req);
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({
      method: req.method ?? '',
      url: `${url.pathname}${url.search}`,
      projectId: req.headers.project_id as string | undefined,
      type: req.headers['content-type'],
      body: body.toString('hex'),
    });
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.headers.project_id !== PROJECT)
      return send(403, { status_code: 403, error: 'Forbidden', message: 'Invalid project token.' });
    const m = url.pathname.match(/^\/api\/v0\/addresses\/([^/]+)\/utxos$/);
    if (m) {
      if (m[1] !== BASE)
        return send(404, {
          status_code: 404,
          error: 'Not Found',
          message: 'The requested component has not been found.',
        });
      return send(
        200,
        url.searchParams.get('page') === '1'
          ? page1
          : url.searchParams.get('page') === '2'
            ? page2
            : [],
      );
    }
    if (url.pathname === `/api/v0/txs/${H2}/utxos`) {
      return send(200, {
        hash: H2,
        inputs: [],
        outputs: [
          {
            address: BASE,
            amount: [{ unit: 'lovelace', quantity: '5' }],
            output_index: 0,
            data_hash: null,
            inline_datum: null,
            collateral: false,
            reference_script_hash: null,
          },
          {
            address: BASE,
            amount: [{ unit: 'lovelace', quantity: '6' }],
            output_index: 1,
            data_hash: null,
            inline_datum: null,
            collateral: false,
            reference_script_hash: null,
          },
        ],
      });
    }
    if (url.pathname.startsWith('/api/v0/txs/'))
      return send(404, {
        status_code: 404,
        error: 'Not Found',
        message: 'The requested component has not been found.',
      });
    if (url.pathname === `/api/v0/scripts/${PLUTUS_HASH}`)
      return send(200, { script_hash: PLUTUS_HASH, type: 'plutusV2', serialised_size: 14 });
    if (url.pathname === `/api/v0/scripts/${PLUTUS_HASH}/cbor`)
      return send(200, { cbor: PLUTUS_CBOR });
    if (url.pathname === `/api/v0/scripts/${NATIVE_HASH}`)
      return send(200, { script_hash: NATIVE_HASH, type: 'timelock', serialised_size: null });
    if (url.pathname === '/api/v0/epochs/latest/parameters') {
      return send(200, {
        epoch: 225,
        min_fee_a: 44,
        min_fee_b: 155381,
        max_tx_size: 16384,
        key_deposit: '2000000',
        coins_per_utxo_size: '4310',
        collateral_percent: 150,
        max_collateral_inputs: 3,
      });
    }
    if (url.pathname === '/api/v0/tx/submit' && req.method === 'POST') {
      if (submitStatus !== 200) {
        return send(submitStatus, {
          status_code: submitStatus,
          error: 'Bad Request',
          message: '"transaction submit error ShelleyTxValidationError …"',
        });
      }
      return send(200, H1);
    }
    send(404, { status_code: 404, error: 'Not Found', message: 'no route' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v0`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const provider = () => createBlockfrostChainProvider({ baseUrl, projectId: PROJECT });

describe('Blockfrost adapter', () => {
  it('reads every page of /addresses/{address}/utxos (count=100) with the project_id header', async () => {
    seen.length = 0;
    const utxos = await provider().getUtxos(BASE);
    expect(seen.map((s) => [s.method, s.url, s.projectId])).toEqual([
      ['GET', `/api/v0/addresses/${BASE}/utxos?page=1&count=100`, PROJECT],
      ['GET', `/api/v0/addresses/${BASE}/utxos?page=2&count=100`, PROJECT],
      ['GET', `/api/v0/scripts/${PLUTUS_HASH}`, PROJECT],
      ['GET', `/api/v0/scripts/${PLUTUS_HASH}/cbor`, PROJECT],
      ['GET', `/api/v0/scripts/${NATIVE_HASH}`, PROJECT],
    ]);
    // The Plutus reference script is kept (its ledger `script` item); the native one, whose
    // CBOR Blockfrost does not serve, is left out rather than returned without it.
    expect(utxos).toHaveLength(104);
    expect(utxos[103]).toEqual({
      txHash: H2,
      index: 3,
      address: BASE,
      value: { lovelace: '4000000' },
      // [2, h'4d01000033222220051200120011']
      scriptRef: '82024e4d01000033222220051200120011',
    });
    const hex = encodeUtxo(utxos[103] as Utxo);
    const [, out] = cborx(hex) as [unknown, Map<unknown, unknown>];
    expect([...out.keys()]).toEqual([0, 1, 3]);
    // 3: #6.24(bytes .cbor script), 17 bytes: 82 02 4e 4d01…
    expect(hex.endsWith('03d8185182024e4d01000033222220051200120011')).toBe(true);
    expect(utxos[0]).toEqual({
      txHash: H1,
      index: 0,
      address: BASE,
      value: { lovelace: '1000000' },
    });
    expect(utxos.slice(100, 103)).toEqual([
      {
        txHash: H2,
        index: 0,
        address: BASE,
        value: { lovelace: '42000000', assets: { [`${POLICY}.6e7574636f696e`]: '12' } },
      },
      {
        txHash: H2,
        index: 1,
        address: BASE,
        value: { lovelace: '2000000' },
        datumHash: '9e1199a988ba72ffd6e9c269cadb3b53b5f360ff99f112d9b2ee30c4d74ad88b',
      },
      {
        txHash: H2,
        index: 2,
        address: BASE,
        value: { lovelace: '3000000' },
        inlineDatum: 'd87980',
      },
    ]);
    expect(cborx(encodeUtxo(utxos[100]!))).toEqual([
      [`h'${H2}'`, 0],
      [
        `h'${BASE_HEX}'`,
        [42000000, new Map([[`h'${POLICY}'`, new Map([["h'6e7574636f696e'", 12]])]])],
      ],
    ]);
  });

  it('an address never seen on chain (404) has no UTxOs', async () => {
    expect(
      await provider().getUtxos('addr_test1vz09v9yfxguvlp0zsnrpa3tdtm7el8xufp3m5lsm7qxzclgmzkket'),
    ).toEqual([]);
  });

  it('resolveInputs reads /txs/{hash}/utxos; unknown txs stay unresolved', async () => {
    expect(
      await provider().resolveInputs([
        { txHash: H2, index: 1 },
        { txHash: 'ab'.repeat(32), index: 0 },
      ]),
    ).toEqual([{ txHash: H2, index: 1, address: BASE, value: { lovelace: '6' } }]);
  });

  it('reads /epochs/latest/parameters', async () => {
    expect(await provider().getProtocolParameters()).toMatchObject({
      min_fee_a: 44,
      coins_per_utxo_size: '4310',
    });
  });

  it('submits raw CBOR bytes as application/cbor and returns the hash', async () => {
    seen.length = 0;
    expect(await provider().submitTx('84a0a0f5f6')).toBe(H1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/v0/tx/submit',
      type: 'application/cbor',
      body: '84a0a0f5f6',
    });
  });

  it('a rejected submission is tx_failed with Blockfrost’s message; errors never carry the project id', async () => {
    submitStatus = 400;
    await expect(provider().submitTx('84a0a0f5f6')).rejects.toMatchObject({
      code: 'tx_failed',
      message: 'Blockfrost: "transaction submit error ShelleyTxValidationError …"',
    });
    submitStatus = 200;
    const bad = createBlockfrostChainProvider({ baseUrl, projectId: 'wrongSECRETid' });
    const e = await bad.getUtxos(BASE).catch((x: Error) => x);
    expect(e).toMatchObject({
      code: 'chain_unavailable',
      message: 'Blockfrost: /addresses/{address}/utxos: Invalid project token.',
    });
    expect(JSON.stringify({ m: (e as Error).message })).not.toContain('wrongSECRETid');
    const down = createBlockfrostChainProvider({
      baseUrl: 'http://127.0.0.1:1/api/v0',
      projectId: 'SECRET',
    });
    await expect(down.getProtocolParameters()).rejects.toMatchObject({
      code: 'chain_unavailable',
      message: 'Blockfrost: request to /epochs/latest/parameters failed',
    });
  });
});
