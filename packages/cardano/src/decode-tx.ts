/**
 * @module decode-tx — a plain, JSON-able summary of a transaction for the approval
 * screen (DESIGN.md §2.6, §2.12, §4): every place value or rights can go — outputs (with
 * each address described part by part and "ours" only when it is byte for byte one of
 * the wallet's), fee, validity, network, certificates, withdrawals, governance proposals
 * and votes, mint and burn, collateral, collateral return and `is_valid`, required
 * signers, reference inputs, datums and reference scripts — plus the headline
 * {@link Outflow} computed from the bytes alone, and (kept apart, as the host's claim)
 * the net change to the wallet's balance given the host's resolved inputs. What the
 * decoder cannot classify is listed in `unclassified`, never dropped.
 * Big numbers are decimal strings.
 */
import { toHex } from '@trine/core/bytes';
import { type Network, networkIdOf, parseNetwork } from './address.ts';
import { CSL, cslCall } from './csl.ts';
import { type CertificateSummary, certificate } from './decode-certs.ts';
import { type ProposalSummary, proposals, type VoteSummary, votes } from './decode-gov.ts';
import { type Outflow, outflowOf } from './outflow.ts';
import {
  type AddressInfo,
  addressInfo,
  addressInfoOf,
  type CredentialInfo,
  keyInfo,
  type WalletIdentity,
  walletIdentity,
} from './ownership.ts';
import { classifyUtf8 } from './text.ts';
import {
  listInputs,
  parseResolvedInputs,
  parseTx,
  type ResolvedInput,
  type ResolvedUtxo,
} from './tx.ts';

export type { AnchorInfo, CertificateSummary, DRepInfo, PoolParamsInfo } from './decode-certs.ts';
export type { ProposalAction, ProposalSummary, VoterRole, VoteSummary } from './decode-gov.ts';
export type { Outflow, Scenario } from './outflow.ts';
export type { AddressInfo, AddressType, CredentialInfo } from './ownership.ts';
export type { ResolvedInput } from './tx.ts';

export interface AssetAmount {
  policyId: string;
  /** Asset name bytes, hex. */
  assetName: string;
  /** The asset name as text when it is printable UTF-8 (text.ts). */
  assetNameUtf8?: string;
  /** Decimal; negative for a burn in `mint` and for a decrease in `walletBalanceChange`. */
  quantity: string;
}

export interface ScriptRefInfo {
  language: 'native' | 'plutus_v1' | 'plutus_v2' | 'plutus_v3';
  hash: string;
}

export interface OutputSummary {
  address: string;
  /** The address part by part (payment and stake credential, type, network). */
  addressInfo: AddressInfo;
  lovelace: string;
  assets: AssetAmount[];
  datumHash?: string;
  inlineDatum: boolean;
  scriptRef: boolean;
  scriptRefInfo?: ScriptRefInfo;
  /** With walletAddresses: true only when the address is byte for byte one of them. */
  ours?: boolean;
}

/** An input; everything but the reference is the host's claim (resolvedInputs). */
export interface InputSummary {
  /** `txHash#index`. */
  ref: string;
  txHash: string;
  index: number;
  /** From resolvedInputs, when given for this input (the host's claim). */
  address?: string;
  addressInfo?: AddressInfo;
  lovelace?: string;
  assets?: AssetAmount[];
  /** With walletAddresses and a resolution: the claimed address is exactly the wallet's. */
  ours?: boolean;
}

export interface WithdrawalSummary {
  rewardAddress: string;
  account: AddressInfo;
  amount: string;
  /** With walletAddresses: the reward address is exactly the wallet's. */
  ours?: boolean;
}

/** Something in the transaction the decoder does not explain; the screen must warn. */
export interface Unclassified {
  /** Where it is, e.g. `body field 6`, `certificate 2`, `output 3`. */
  where: string;
  what: string;
}

export interface TxSummary {
  /** blake2b-256 of the body bytes as received (the tx id), hex. */
  txHash: string;
  /** The body's network id field (0 or 1) when present. */
  networkId: 0 | 1 | null;
  /** With opts.network: the body's network id or an address disagrees with it. */
  networkMismatch: boolean;
  /** The `is_valid` flag as given (outside the body: not covered by any signature). */
  isValid: boolean;
  inputs: InputSummary[];
  referenceInputs: string[];
  outputs: OutputSummary[];
  fee: string;
  /** Slot after which the tx is invalid (TTL), or null. */
  ttl: string | null;
  /** Slot before which the tx is invalid, or null. */
  validityStart: string | null;
  certificates: CertificateSummary[];
  withdrawals: WithdrawalSummary[];
  mint: AssetAmount[];
  collateral: InputSummary[];
  collateralReturn: OutputSummary | null;
  totalCollateral: string | null;
  requiredSigners: CredentialInfo[];
  auxiliaryData: boolean;
  scriptDataHash: string | null;
  votes: VoteSummary[];
  proposals: ProposalSummary[];
  donation: string | null;
  /** `current_treasury_value` (field 21) when stated. */
  currentTreasuryValue: string | null;
  /** Input refs (`txHash#index`) the host says are at addresses without our payment key. */
  foreignInputs: string[];
  unclassified: Unclassified[];
  /** The headline, from the bytes alone (outflow.ts). */
  outflow: Outflow;
  /**
   * The host's claim: net change to the wallet's balance (outputs exactly to the wallet −
   * inputs the host says are at addresses of the wallet's payment key); present only with
   * resolvedInputs and walletAddresses. `complete` is false when an input is unresolved or
   * has no value. Collateral is ignored.
   */
  walletBalanceChange?: { lovelace: string; assets: AssetAmount[]; complete: boolean };
}

export interface DecodeTxOptions {
  network?: Network;
  walletAddresses?: string[];
  resolvedInputs?: ResolvedInput[];
}

function assetAmount(policyId: string, nameBytes: Uint8Array, quantity: string): AssetAmount {
  const out: AssetAmount = { policyId, assetName: toHex(nameBytes), quantity };
  if (nameBytes.length > 0) {
    const c = classifyUtf8(nameBytes);
    // A name is one line: a line feed or tab in it is as misleading as a hidden character.
    if (c.printable && !/[\t\n\r]/.test(c.text)) out.assetNameUtf8 = c.text;
  }
  return out;
}

function multiAssetList(ma: CSL.MultiAsset | undefined): AssetAmount[] {
  const out: AssetAmount[] = [];
  if (!ma) return out;
  const policies = ma.keys();
  for (let i = 0; i < policies.len(); i++) {
    const policy = policies.get(i);
    const assets = ma.get(policy);
    if (!assets) continue;
    const names = assets.keys();
    for (let j = 0; j < names.len(); j++) {
      const name = names.get(j);
      out.push(assetAmount(policy.to_hex(), name.name(), assets.get(name)?.to_str() ?? '0'));
    }
  }
  return out;
}

function unitToAsset(unit: string, quantity: bigint): AssetAmount {
  const [policyId = '', name = ''] = unit.split('.');
  const bytes = new Uint8Array(name.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(name.slice(2 * i, 2 * i + 2), 16);
  return assetAmount(policyId, bytes, quantity.toString());
}

/**
 * Decodes `txCborHex` into a {@link TxSummary}. Throws TypeError for wrong argument
 * types and TrineError TX_MALFORMED / TX_TOO_LARGE / ADDRESS_MALFORMED /
 * NETWORK_UNKNOWN / INVALID_ARGUMENT for bad values.
 *
 * @example
 * const s = decodeTx(txHex, { network: 'preprod', walletAddresses: [base, reward] });
 * s.outputs[0].lovelace // '2000000'
 * s.outflow.spend.lovelace // what leaves to others, fee and deposits included
 */
export function decodeTx(txCborHex: string, opts: DecodeTxOptions = {}): TxSummary {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('opts must be an object');
  const expectedNetworkId =
    opts.network === undefined ? undefined : networkIdOf(parseNetwork(opts.network));
  const resolved = parseResolvedInputs(opts.resolvedInputs);
  const wallet = walletIdentity(opts.walletAddresses);
  const tx = parseTx(txCborHex);
  try {
    return cslCall('TX_MALFORMED', 'tx cannot be decoded', () =>
      summarise(tx, expectedNetworkId, resolved, wallet),
    );
  } finally {
    tx.free();
  }
}

function scriptRefInfo(o: CSL.TransactionOutput): ScriptRefInfo | undefined {
  const ref = o.script_ref();
  if (!ref) return undefined;
  const native = ref.native_script();
  if (native) return { language: 'native', hash: native.hash().to_hex() };
  const plutus = ref.plutus_script()!;
  const lang = plutus.language_version().kind();
  const language =
    lang === CSL.LanguageKind.PlutusV1
      ? 'plutus_v1'
      : lang === CSL.LanguageKind.PlutusV2
        ? 'plutus_v2'
        : 'plutus_v3';
  return { language, hash: plutus.hash().to_hex() };
}

function summarise(
  tx: CSL.FixedTransaction,
  expectedNetworkId: 0 | 1 | undefined,
  resolved: Map<string, ResolvedUtxo> | undefined,
  wallet: WalletIdentity | undefined,
): TxSummary {
  const body = tx.body();
  const unclassified: Unclassified[] = [];
  let mismatch = false;
  const checkNetwork = (id: number | null | undefined) => {
    if (expectedNetworkId !== undefined && id != null && id !== expectedNetworkId) {
      mismatch = true;
    }
  };
  const output = (o: CSL.TransactionOutput, where: string): OutputSummary => {
    const info = addressInfo(o.address(), wallet);
    checkNetwork(info.networkId);
    if (info.type === 'malformed') {
      unclassified.push({ where, what: `an address the wallet cannot read (bytes ${info.hex})` });
    } else if (info.type === 'reward') {
      unclassified.push({ where, what: 'a reward (stake) address, which cannot hold funds' });
    }
    const amount = o.amount();
    const out: OutputSummary = {
      address: info.text,
      addressInfo: info,
      lovelace: amount.coin().to_str(),
      assets: multiAssetList(amount.multiasset()),
      inlineDatum: o.has_plutus_data(),
      scriptRef: o.has_script_ref(),
    };
    const dh = o.data_hash();
    if (dh) out.datumHash = dh.to_hex();
    const sr = scriptRefInfo(o);
    if (sr) out.scriptRefInfo = sr;
    if (info.ours !== undefined) out.ours = info.ours;
    return out;
  };
  const input = (ref: string): InputSummary => {
    const [txHash = '', index = '0'] = ref.split('#');
    const out: InputSummary = { ref, txHash, index: Number(index) };
    const r = resolved?.get(ref);
    if (r) {
      out.address = r.address;
      const info = addressInfoOf(r.address, wallet);
      out.addressInfo = info;
      if (r.value) {
        out.lovelace = r.value.lovelace.toString();
        out.assets = [...r.value.assets].map(([unit, q]) => unitToAsset(unit, q));
      }
      if (info.ours !== undefined) out.ours = info.ours;
    }
    return out;
  };

  const netId = body.network_id();
  const networkId = netId ? (netId.kind() === CSL.NetworkIdKind.Mainnet ? 1 : 0) : null;
  if (networkId !== null) checkNetwork(networkId);

  const outputs: OutputSummary[] = [];
  const outs = body.outputs();
  for (let i = 0; i < outs.len(); i++) outputs.push(output(outs.get(i), `output ${i + 1}`));
  const collateralReturnOut = body.collateral_return();
  const collateralReturn = collateralReturnOut
    ? output(collateralReturnOut, 'collateral return')
    : null;

  const certificates: CertificateSummary[] = [];
  const certs = body.certs();
  if (certs) {
    for (let i = 0; i < certs.len(); i++) {
      const c = certificate(certs.get(i), wallet);
      if (!c.known) {
        unclassified.push({
          where: `certificate ${i + 1}`,
          what: `a ${c.kind.replaceAll('_', ' ')} certificate, which the wallet does not explain (not valid since Conway)`,
        });
      }
      if (c.poolParams) checkNetwork(c.poolParams.rewardAccount.networkId);
      certificates.push(c);
    }
  }

  const withdrawals: WithdrawalSummary[] = [];
  const wd = body.withdrawals();
  if (wd) {
    const keys = wd.keys();
    for (let i = 0; i < keys.len(); i++) {
      const reward = keys.get(i);
      const account = addressInfo(reward.to_address(), wallet);
      checkNetwork(account.networkId);
      const w: WithdrawalSummary = {
        rewardAddress: account.text,
        account,
        amount: wd.get(reward)?.to_str() ?? '0',
      };
      if (account.ours !== undefined) w.ours = account.ours;
      withdrawals.push(w);
    }
  }

  const mint: AssetAmount[] = [];
  const m = body.mint();
  if (m) {
    const policies = m.keys();
    for (let i = 0; i < policies.len(); i++) {
      const policy = policies.get(i);
      const all = m.get(policy);
      if (!all) continue;
      for (let j = 0; j < all.len(); j++) {
        const assets = all.get(j);
        if (!assets) continue;
        const names = assets.keys();
        for (let k = 0; k < names.len(); k++) {
          const name = names.get(k);
          mint.push(assetAmount(policy.to_hex(), name.name(), assets.get(name)?.to_str() ?? '0'));
        }
      }
    }
  }

  const requiredSigners: CredentialInfo[] = [];
  const rs = body.required_signers();
  if (rs)
    for (let i = 0; i < rs.len(); i++) requiredSigners.push(keyInfo(rs.get(i).to_hex(), wallet));

  const proposalList = proposals(body.voting_proposals(), wallet);
  proposalList.forEach((p, i) => {
    checkNetwork(p.returnAccount.networkId);
    if (p.action === 'unknown') {
      unclassified.push({
        where: `proposal ${i + 1}`,
        what: 'a governance action of a kind the wallet does not know',
      });
    }
  });
  const voteList = votes(body.voting_procedures(), wallet);
  voteList.forEach((v, i) => {
    if (v.vote === 'unknown')
      unclassified.push({ where: `vote ${i + 1}`, what: 'a vote the wallet cannot read' });
  });
  // Field 6 (a pre-Conway protocol-parameter update by genesis keys): CSL still reads it;
  // the wallet does not explain it.
  if (body.update()) {
    unclassified.push({
      where: 'body field 6',
      what: 'a protocol-parameter update proposal (pre-Conway), which the wallet does not explain',
    });
  }

  const inputRefs = listInputs(body.inputs());
  const inputs = inputRefs.map(input);
  // Inputs the host places at an address our payment key cannot spend: others must sign.
  const foreignInputs = wallet
    ? inputs
        .filter((i) => i.addressInfo !== undefined && i.addressInfo.payment?.wallet !== 'payment')
        .map((i) => i.ref)
    : [];
  const collateral = listInputs(body.collateral()).map(input);
  const donation = body.donation()?.to_str() ?? null;
  const totalCollateral = body.total_collateral()?.to_str() ?? null;
  const fee = body.fee().to_str();
  const isValid = tx.is_valid();

  const summary: TxSummary = {
    txHash: tx.transaction_hash().to_hex(),
    networkId,
    networkMismatch: false,
    isValid,
    inputs,
    referenceInputs: listInputs(body.reference_inputs()),
    outputs,
    fee,
    ttl: body.ttl_bignum()?.to_str() ?? null,
    validityStart: body.validity_start_interval_bignum()?.to_str() ?? null,
    certificates,
    withdrawals,
    mint,
    collateral,
    collateralReturn,
    totalCollateral,
    requiredSigners,
    auxiliaryData: tx.raw_auxiliary_data() !== undefined,
    scriptDataHash: body.script_data_hash()?.to_hex() ?? null,
    votes: voteList,
    proposals: proposalList,
    donation,
    currentTreasuryValue: body.current_treasury_value()?.to_str() ?? null,
    foreignInputs,
    unclassified,
    outflow: outflowOf({
      outputs,
      fee,
      certificates,
      proposals: proposalList,
      donation,
      collateralInputs: collateral.length,
      totalCollateral,
      collateralReturn,
      isValid,
    }),
  };
  if (resolved && wallet) {
    summary.walletBalanceChange = balanceChange(inputs, outputs);
  }
  summary.networkMismatch = mismatch;
  return summary;
}

function balanceChange(
  inputs: InputSummary[],
  outputs: OutputSummary[],
): NonNullable<TxSummary['walletBalanceChange']> {
  let complete = true;
  let lovelace = 0n;
  const assets = new Map<string, bigint>();
  const add = (list: AssetAmount[] | undefined, sign: bigint) => {
    for (const a of list ?? []) {
      const unit = `${a.policyId}.${a.assetName}`;
      assets.set(unit, (assets.get(unit) ?? 0n) + sign * BigInt(a.quantity));
    }
  };
  for (const i of inputs) {
    if (i.addressInfo === undefined || i.lovelace === undefined) {
      complete = false;
      continue;
    }
    // Inputs the wallet's payment key can spend count as the wallet's funds, even at an
    // address that is not exactly one of its own: the claim is about what we control.
    if (i.addressInfo.payment?.wallet !== 'payment') continue;
    lovelace -= BigInt(i.lovelace);
    add(i.assets, -1n);
  }
  for (const o of outputs) {
    if (o.ours !== true) continue;
    lovelace += BigInt(o.lovelace);
    add(o.assets, 1n);
  }
  return {
    lovelace: lovelace.toString(),
    assets: [...assets].filter(([, q]) => q !== 0n).map(([unit, q]) => unitToAsset(unit, q)),
    complete,
  };
}
