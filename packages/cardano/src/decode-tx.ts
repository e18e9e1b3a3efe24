/**
 * @module decode-tx — a plain, JSON-able summary of a transaction for the approval
 * screen (DESIGN.md §2.6, §4): outputs, amounts and assets, fee, validity, certificates,
 * withdrawals, mint, collateral, required signers, network, and — given the resolved
 * inputs and the wallet's addresses — the net change to the wallet's balance.
 * Big numbers are decimal strings.
 */
import { toHex } from '@trine/core/bytes';
import { type Network, networkIdOf, parseAddress, parseNetwork } from './address.ts';
import { CSL, cslCall } from './csl.ts';
import {
  addressText,
  CERT_KIND_NAMES,
  type CredJson,
  certWitnesses,
  credJson,
  listInputs,
  parseResolvedInputs,
  parseTx,
  type ResolvedInput,
  type ResolvedUtxo,
} from './tx.ts';

export type { ResolvedInput } from './tx.ts';

export interface AssetAmount {
  policyId: string;
  /** Asset name bytes, hex. */
  assetName: string;
  /** The asset name as text when it is printable UTF-8. */
  assetNameUtf8?: string;
  /** Decimal; negative for a burn in `mint` and for a decrease in `walletBalanceChange`. */
  quantity: string;
}

export interface OutputSummary {
  address: string;
  lovelace: string;
  assets: AssetAmount[];
  datumHash?: string;
  inlineDatum: boolean;
  scriptRef: boolean;
  /** True when the address's payment credential is one of the wallet's (walletAddresses). */
  ours?: boolean;
}

export interface InputSummary {
  /** `txHash#index`. */
  ref: string;
  txHash: string;
  index: number;
  /** From resolvedInputs, when given for this input. */
  address?: string;
  lovelace?: string;
  assets?: AssetAmount[];
  /** With walletAddresses and a resolution: whether the input is the wallet's. */
  ours?: boolean;
}

export interface CertificateSummary {
  kind: string;
  credential?: CredJson;
  pool?: string;
  drep?: string;
  /** Deposit paid (registrations) — lovelace. */
  deposit?: string;
  /** Deposit refunded (deregistrations) — lovelace. */
  refund?: string;
  /** Credentials that must sign, and whether a witness from outside (genesis) is needed. */
  signers: CredJson[];
}

export interface WithdrawalSummary {
  rewardAddress: string;
  amount: string;
  ours?: boolean;
}

export interface TxSummary {
  /** blake2b-256 of the body bytes as received (the tx id), hex. */
  txHash: string;
  /** The body's network id field (0 or 1) when present. */
  networkId: 0 | 1 | null;
  /** With opts.network: the body's network id or an address disagrees with it. */
  networkMismatch: boolean;
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
  requiredSigners: string[];
  auxiliaryData: boolean;
  scriptDataHash: string | null;
  votingProcedures: number;
  proposals: number;
  donation: string | null;
  /** Input refs (`txHash#index`) at addresses that are not the wallet's. */
  foreignInputs: string[];
  /**
   * Net change to the wallet's balance (outputs to the wallet − wallet inputs); present
   * only with resolvedInputs and walletAddresses. `complete` is false when an input is
   * unresolved or has no value. Collateral is ignored (spent only if scripts fail).
   */
  walletBalanceChange?: { lovelace: string; assets: AssetAmount[]; complete: boolean };
}

export interface DecodeTxOptions {
  network?: Network;
  walletAddresses?: string[];
  resolvedInputs?: ResolvedInput[];
}

const MAX_WALLET_ADDRESSES = 256;
const PRINTABLE = /^[\p{L}\p{N}\p{P}\p{S} ]+$/u;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function assetAmount(policyId: string, nameBytes: Uint8Array, quantity: string): AssetAmount {
  const out: AssetAmount = { policyId, assetName: toHex(nameBytes), quantity };
  if (nameBytes.length > 0) {
    try {
      const text = utf8Decoder.decode(nameBytes);
      if (PRINTABLE.test(text)) out.assetNameUtf8 = text;
    } catch {
      // not UTF-8: hex only
    }
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
 * const s = decodeTx(txHex, { network: 'preprod' });
 * s.outputs[0].lovelace // '2000000'
 */
export function decodeTx(txCborHex: string, opts: DecodeTxOptions = {}): TxSummary {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('opts must be an object');
  const expectedNetworkId =
    opts.network === undefined ? undefined : networkIdOf(parseNetwork(opts.network));
  const resolved = parseResolvedInputs(opts.resolvedInputs);
  const walletCreds = walletPaymentCreds(opts.walletAddresses);
  const tx = parseTx(txCborHex);
  try {
    return cslCall('TX_MALFORMED', 'tx cannot be decoded', () =>
      summarise(tx, expectedNetworkId, resolved, walletCreds),
    );
  } finally {
    tx.free();
  }
}

interface WalletCreds {
  /** `credKind:hash` of the payment credentials of the wallet's base/enterprise addresses. */
  payment: Set<string>;
  /** `credKind:hash` of the stake credentials of its base and reward addresses. */
  stake: Set<string>;
}

/** The credentials of the wallet's addresses. */
function walletPaymentCreds(value: unknown): WalletCreds | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError('walletAddresses must be an array of strings');
  if (value.length > MAX_WALLET_ADDRESSES) {
    throw new TypeError(`walletAddresses holds more than ${MAX_WALLET_ADDRESSES} addresses`);
  }
  const out: WalletCreds = { payment: new Set(), stake: new Set() };
  value.forEach((a: unknown, i) => {
    const addr = parseAddress(a, `walletAddresses[${i}]`);
    try {
      const kind = addr.kind();
      if (kind === CSL.AddressKind.Reward) {
        const cred = CSL.RewardAddress.from_address(addr)?.payment_cred();
        if (cred) out.stake.add(credKey(credJson(cred)));
        return;
      }
      if (kind === CSL.AddressKind.Base) {
        const cred = CSL.BaseAddress.from_address(addr)?.stake_cred();
        if (cred) out.stake.add(credKey(credJson(cred)));
      }
      const cred = addr.payment_cred();
      if (cred && kind !== CSL.AddressKind.Byron) out.payment.add(credKey(credJson(cred)));
    } finally {
      addr.free();
    }
  });
  return out;
}

function credKey(cred: CredJson): string {
  return `${cred.kind === 'key' ? CSL.CredKind.Key : CSL.CredKind.Script}:${cred.hash}`;
}

function summarise(
  tx: CSL.FixedTransaction,
  expectedNetworkId: 0 | 1 | undefined,
  resolved: Map<string, ResolvedUtxo> | undefined,
  walletCreds: WalletCreds | undefined,
): TxSummary {
  const body = tx.body();
  let mismatch = false;
  const checkNetwork = (id: number | undefined) => {
    if (expectedNetworkId !== undefined && id !== undefined && id !== expectedNetworkId) {
      mismatch = true;
    }
  };
  const isOurs = (address: CSL.Address): boolean | undefined => {
    if (!walletCreds) return undefined;
    if (address.kind() === CSL.AddressKind.Byron) return false;
    const cred = address.payment_cred();
    return cred ? walletCreds.payment.has(credKey(credJson(cred))) : false;
  };
  const output = (o: CSL.TransactionOutput): OutputSummary => {
    const address = o.address();
    const byron = address.kind() === CSL.AddressKind.Byron;
    let id: number | undefined;
    try {
      id = byron ? CSL.ByronAddress.from_address(address)?.network_id() : address.network_id();
    } catch {
      id = undefined; // Byron address with a magic CSL does not know
    }
    checkNetwork(id);
    const amount = o.amount();
    const out: OutputSummary = {
      address: addressText(address),
      lovelace: amount.coin().to_str(),
      assets: multiAssetList(amount.multiasset()),
      inlineDatum: o.has_plutus_data(),
      scriptRef: o.has_script_ref(),
    };
    const dh = o.data_hash();
    if (dh) out.datumHash = dh.to_hex();
    const ours = isOurs(address);
    if (ours !== undefined) out.ours = ours;
    return out;
  };
  const input = (ref: string): InputSummary => {
    const [txHash = '', index = '0'] = ref.split('#');
    const out: InputSummary = { ref, txHash, index: Number(index) };
    const r = resolved?.get(ref);
    if (r) {
      out.address = r.address;
      if (r.value) {
        out.lovelace = r.value.lovelace.toString();
        out.assets = [...r.value.assets].map(([unit, q]) => unitToAsset(unit, q));
      }
      if (walletCreds) out.ours = r.payment ? walletCreds.payment.has(credKey(r.payment)) : false;
    }
    return out;
  };

  const netId = body.network_id();
  const networkId = netId ? (netId.kind() === CSL.NetworkIdKind.Mainnet ? 1 : 0) : null;
  if (networkId !== null) checkNetwork(networkId);

  const outputs: OutputSummary[] = [];
  const outs = body.outputs();
  for (let i = 0; i < outs.len(); i++) outputs.push(output(outs.get(i)));
  const collateralReturnOut = body.collateral_return();
  const collateralReturn = collateralReturnOut ? output(collateralReturnOut) : null;

  const certificates: CertificateSummary[] = [];
  const certs = body.certs();
  if (certs) for (let i = 0; i < certs.len(); i++) certificates.push(certificate(certs.get(i)));

  const withdrawals: WithdrawalSummary[] = [];
  const wd = body.withdrawals();
  if (wd) {
    const keys = wd.keys();
    for (let i = 0; i < keys.len(); i++) {
      const reward = keys.get(i);
      const address = reward.to_address();
      checkNetwork(address.network_id());
      const w: WithdrawalSummary = {
        rewardAddress: address.to_bech32(),
        amount: wd.get(reward)?.to_str() ?? '0',
      };
      if (walletCreds) w.ours = walletCreds.stake.has(credKey(credJson(reward.payment_cred())));
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

  const requiredSigners: string[] = [];
  const rs = body.required_signers();
  if (rs) for (let i = 0; i < rs.len(); i++) requiredSigners.push(rs.get(i).to_hex());

  const inputRefs = listInputs(body.inputs());
  const inputs = inputRefs.map(input);
  const foreignInputs = inputs.filter((i) => i.ours === false).map((i) => i.ref);

  const summary: TxSummary = {
    txHash: tx.transaction_hash().to_hex(),
    networkId,
    networkMismatch: false,
    inputs,
    referenceInputs: listInputs(body.reference_inputs()),
    outputs,
    fee: body.fee().to_str(),
    ttl: body.ttl_bignum()?.to_str() ?? null,
    validityStart: body.validity_start_interval_bignum()?.to_str() ?? null,
    certificates,
    withdrawals,
    mint,
    collateral: listInputs(body.collateral()).map(input),
    collateralReturn,
    totalCollateral: body.total_collateral()?.to_str() ?? null,
    requiredSigners,
    auxiliaryData: tx.raw_auxiliary_data() !== undefined,
    scriptDataHash: body.script_data_hash()?.to_hex() ?? null,
    votingProcedures: body.voting_procedures()?.get_voters().len() ?? 0,
    proposals: body.voting_proposals()?.len() ?? 0,
    donation: body.donation()?.to_str() ?? null,
    foreignInputs,
  };
  if (resolved && walletCreds) {
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
    if (i.ours === undefined || i.lovelace === undefined) {
      complete = false;
      continue;
    }
    if (!i.ours) continue;
    lovelace -= BigInt(i.lovelace);
    add(i.assets, -1n);
  }
  for (const o of outputs) {
    if (!o.ours) continue;
    lovelace += BigInt(o.lovelace);
    add(o.assets, 1n);
  }
  return {
    lovelace: lovelace.toString(),
    assets: [...assets].filter(([, q]) => q !== 0n).map(([unit, q]) => unitToAsset(unit, q)),
    complete,
  };
}

function certificate(cert: CSL.Certificate): CertificateSummary {
  const K = CSL.CertificateKind;
  const kind = cert.kind();
  const out: CertificateSummary = {
    kind: CERT_KIND_NAMES[kind] ?? 'unknown',
    signers: certWitnesses(cert).creds,
  };
  const drepText = (d: CSL.DRep): string => {
    switch (d.kind()) {
      case CSL.DRepKind.AlwaysAbstain:
        return 'always_abstain';
      case CSL.DRepKind.AlwaysNoConfidence:
        return 'always_no_confidence';
      default:
        return d.to_bech32(true);
    }
  };
  switch (kind) {
    case K.StakeRegistration: {
      const c = cert.as_stake_registration() ?? cert.as_reg_cert();
      if (c) {
        out.credential = credJson(c.stake_credential());
        const coin = c.coin();
        if (coin) out.deposit = coin.to_str();
      }
      break;
    }
    case K.StakeDeregistration: {
      const c = cert.as_stake_deregistration() ?? cert.as_unreg_cert();
      if (c) {
        out.credential = credJson(c.stake_credential());
        const coin = c.coin();
        if (coin) out.refund = coin.to_str();
      }
      break;
    }
    case K.StakeDelegation: {
      const c = cert.as_stake_delegation()!;
      out.credential = credJson(c.stake_credential());
      out.pool = c.pool_keyhash().to_bech32('pool');
      break;
    }
    case K.PoolRegistration: {
      const p = cert.as_pool_registration()!.pool_params();
      out.pool = p.operator().to_bech32('pool');
      break;
    }
    case K.PoolRetirement:
      out.pool = cert.as_pool_retirement()!.pool_keyhash().to_bech32('pool');
      break;
    case K.DRepRegistration: {
      const c = cert.as_drep_registration()!;
      out.credential = credJson(c.voting_credential());
      out.deposit = c.coin().to_str();
      break;
    }
    case K.DRepDeregistration: {
      const c = cert.as_drep_deregistration()!;
      out.credential = credJson(c.voting_credential());
      out.refund = c.coin().to_str();
      break;
    }
    case K.DRepUpdate:
      out.credential = credJson(cert.as_drep_update()!.voting_credential());
      break;
    case K.VoteDelegation: {
      const c = cert.as_vote_delegation()!;
      out.credential = credJson(c.stake_credential());
      out.drep = drepText(c.drep());
      break;
    }
    case K.StakeAndVoteDelegation: {
      const c = cert.as_stake_and_vote_delegation()!;
      out.credential = credJson(c.stake_credential());
      out.pool = c.pool_keyhash().to_bech32('pool');
      out.drep = drepText(c.drep());
      break;
    }
    case K.StakeRegistrationAndDelegation: {
      const c = cert.as_stake_registration_and_delegation()!;
      out.credential = credJson(c.stake_credential());
      out.pool = c.pool_keyhash().to_bech32('pool');
      out.deposit = c.coin().to_str();
      break;
    }
    case K.VoteRegistrationAndDelegation: {
      const c = cert.as_vote_registration_and_delegation()!;
      out.credential = credJson(c.stake_credential());
      out.drep = drepText(c.drep());
      out.deposit = c.coin().to_str();
      break;
    }
    case K.StakeVoteRegistrationAndDelegation: {
      const c = cert.as_stake_vote_registration_and_delegation()!;
      out.credential = credJson(c.stake_credential());
      out.pool = c.pool_keyhash().to_bech32('pool');
      out.drep = drepText(c.drep());
      out.deposit = c.coin().to_str();
      break;
    }
    case K.CommitteeHotAuth:
      out.credential = credJson(cert.as_committee_hot_auth()!.committee_cold_credential());
      break;
    case K.CommitteeColdResign:
      out.credential = credJson(cert.as_committee_cold_resign()!.committee_cold_credential());
      break;
  }
  return out;
}
