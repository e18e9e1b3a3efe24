/**
 * @module tx — shared by sign-tx and decode-tx: bounded parsing of a transaction and
 * of the host's resolved inputs, and the list of keys a transaction needs.
 *
 * Non-secret CSL objects created here are left to the wasm-bindgen FinalizationRegistry;
 * objects that hold keys are freed explicitly in keys.ts.
 */
import { TrineError } from '@trine/core/errors';
import { parseAddress, paymentCredentialOf } from './address.ts';
import { CSL, cslCall } from './csl.ts';

/**
 * Largest transaction accepted, in bytes. Cardano's max tx size (protocol parameter
 * maxTxSize) is 16 KiB; we allow 4× that so a future parameter change does not break
 * signing, while still bounding parse time and memory for hostile input.
 */
export const MAX_TX_BYTES = 64 * 1024;
/** Most resolved inputs accepted (a 16 KiB tx holds at most ~450 inputs). */
export const MAX_RESOLVED_INPUTS = 2048;

export interface ResolvedInput {
  txHash: string;
  index: number;
  /** bech32, raw hex or Byron base58. */
  address: string;
  value?: { lovelace: string; assets?: Record<string, string> };
}

/** A resolved input, validated and normalised. */
export interface ResolvedUtxo {
  ref: string;
  address: string;
  /** The address's payment credential, absent for Byron addresses. */
  payment: { kind: 'key' | 'script'; hash: string } | undefined;
  value: { lovelace: bigint; assets: Map<string, bigint> } | undefined;
}

const HEX = /^[0-9a-fA-F]*$/;
const HASH32 = /^[0-9a-fA-F]{64}$/;
const UINT = /^(0|[1-9][0-9]{0,29})$/;
const ASSET_UNIT = /^[0-9a-fA-F]{56}\.([0-9a-fA-F]{2}){0,32}$/;

/**
 * Parses a transaction's CBOR hex, keeping the body bytes exactly as received
 * (FixedTransaction). TypeError for a non-string; TX_TOO_LARGE, TX_MALFORMED otherwise.
 */
export function parseTx(txCborHex: unknown): CSL.FixedTransaction {
  if (typeof txCborHex !== 'string') throw new TypeError('tx must be a CBOR hex string');
  if (txCborHex.length > MAX_TX_BYTES * 2) {
    throw new TrineError('TX_TOO_LARGE', `tx exceeds ${MAX_TX_BYTES} bytes`, {
      details: { limit: MAX_TX_BYTES, length: Math.floor(txCborHex.length / 2) },
    });
  }
  if (txCborHex.length === 0) throw new TrineError('TX_MALFORMED', 'tx is empty');
  if (txCborHex.length % 2 !== 0 || !HEX.test(txCborHex)) {
    throw new TrineError('TX_MALFORMED', 'tx must be even-length hex');
  }
  const tx = cslCall('TX_MALFORMED', 'tx is not a valid Cardano transaction (CBOR)', () =>
    CSL.FixedTransaction.from_hex(txCborHex),
  );
  // Reading the body once here makes later accessors safe to call.
  cslCall('TX_MALFORMED', 'tx body cannot be decoded', () => tx.body());
  return tx;
}

function parseQuantity(value: unknown, title: string): bigint {
  if (typeof value !== 'string') throw new TypeError(`${title} must be a decimal string`);
  if (!UINT.test(value)) {
    throw new TrineError('INVALID_ARGUMENT', `${title} must be a non-negative integer string`);
  }
  return BigInt(value);
}

/** Validates the host's resolved inputs; keyed by `txHash#index` (lower-case hash). */
export function parseResolvedInputs(value: unknown): Map<string, ResolvedUtxo> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError('resolvedInputs must be an array');
  if (value.length > MAX_RESOLVED_INPUTS) {
    throw new TrineError(
      'INVALID_ARGUMENT',
      `resolvedInputs holds more than ${MAX_RESOLVED_INPUTS}`,
    );
  }
  const out = new Map<string, ResolvedUtxo>();
  value.forEach((item: unknown, i) => {
    const title = `resolvedInputs[${i}]`;
    if (typeof item !== 'object' || item === null)
      throw new TypeError(`${title} must be an object`);
    const r = item as Record<string, unknown>;
    if (typeof r.txHash !== 'string') throw new TypeError(`${title}.txHash must be a string`);
    if (!HASH32.test(r.txHash)) {
      throw new TrineError('INVALID_ARGUMENT', `${title}.txHash must be 32 bytes of hex`);
    }
    if (typeof r.index !== 'number') throw new TypeError(`${title}.index must be a number`);
    if (!Number.isInteger(r.index) || r.index < 0 || r.index > 0xffff_ffff) {
      throw new TrineError('INVALID_ARGUMENT', `${title}.index must be a uint32`);
    }
    const addr = parseAddress(r.address, `${title}.address`);
    const payment = paymentCredentialOf(addr);
    let address: string;
    try {
      address = addressText(addr);
    } finally {
      addr.free();
    }
    let parsedValue: ResolvedUtxo['value'];
    if (r.value !== undefined) {
      if (typeof r.value !== 'object' || r.value === null) {
        throw new TypeError(`${title}.value must be an object`);
      }
      const v = r.value as Record<string, unknown>;
      const lovelace = parseQuantity(v.lovelace, `${title}.value.lovelace`);
      const assets = new Map<string, bigint>();
      if (v.assets !== undefined) {
        if (typeof v.assets !== 'object' || v.assets === null || Array.isArray(v.assets)) {
          throw new TypeError(`${title}.value.assets must be an object`);
        }
        for (const [unit, q] of Object.entries(v.assets)) {
          if (!ASSET_UNIT.test(unit)) {
            throw new TrineError(
              'INVALID_ARGUMENT',
              `${title}.value.assets keys must be policyIdHex.assetNameHex`,
            );
          }
          const k = unit.toLowerCase();
          assets.set(k, (assets.get(k) ?? 0n) + parseQuantity(q, `${title}.value.assets[${unit}]`));
        }
      }
      parsedValue = { lovelace, assets };
    }
    const ref = `${r.txHash.toLowerCase()}#${r.index}`;
    out.set(ref, { ref, address, payment, value: parsedValue });
  });
  return out;
}

/** bech32 / base58 text of an address (not freed). */
export function addressText(address: CSL.Address): string {
  if (address.kind() === CSL.AddressKind.Byron) {
    const b = CSL.ByronAddress.from_address(address);
    if (b) return b.to_base58();
  }
  return cslCall('TX_MALFORMED', 'address cannot be encoded as bech32', () => address.to_bech32());
}

/** `txHash#index` of a CSL input. */
export function inputRef(input: CSL.TransactionInput): string {
  return `${input.transaction_id().to_hex()}#${input.index()}`;
}

export function listInputs(inputs: CSL.TransactionInputs | undefined): string[] {
  const out: string[] = [];
  if (!inputs) return out;
  for (let i = 0; i < inputs.len(); i++) out.push(inputRef(inputs.get(i)));
  return out;
}

export type CredJson = { kind: 'key' | 'script'; hash: string };

export function credJson(cred: CSL.Credential): CredJson {
  if (cred.kind() === CSL.CredKind.Key) return { kind: 'key', hash: cred.to_keyhash()!.to_hex() };
  return { kind: 'script', hash: cred.to_scripthash()!.to_hex() };
}

/** Human names of CSL's CertificateKind values (CDDL names where they exist). */
export const CERT_KIND_NAMES: Record<number, string> = {
  [CSL.CertificateKind.StakeRegistration]: 'stake_registration',
  [CSL.CertificateKind.StakeDeregistration]: 'stake_deregistration',
  [CSL.CertificateKind.StakeDelegation]: 'stake_delegation',
  [CSL.CertificateKind.PoolRegistration]: 'pool_registration',
  [CSL.CertificateKind.PoolRetirement]: 'pool_retirement',
  [CSL.CertificateKind.GenesisKeyDelegation]: 'genesis_key_delegation',
  [CSL.CertificateKind.MoveInstantaneousRewardsCert]: 'move_instantaneous_rewards',
  [CSL.CertificateKind.CommitteeHotAuth]: 'committee_hot_auth',
  [CSL.CertificateKind.CommitteeColdResign]: 'committee_cold_resign',
  [CSL.CertificateKind.DRepDeregistration]: 'drep_deregistration',
  [CSL.CertificateKind.DRepRegistration]: 'drep_registration',
  [CSL.CertificateKind.DRepUpdate]: 'drep_update',
  [CSL.CertificateKind.StakeAndVoteDelegation]: 'stake_vote_delegation',
  [CSL.CertificateKind.StakeRegistrationAndDelegation]: 'stake_registration_delegation',
  [CSL.CertificateKind.StakeVoteRegistrationAndDelegation]: 'stake_vote_registration_delegation',
  [CSL.CertificateKind.VoteDelegation]: 'vote_delegation',
  [CSL.CertificateKind.VoteRegistrationAndDelegation]: 'vote_registration_delegation',
};

/**
 * The credentials a certificate needs a witness for (Conway ledger rules): the stake
 * credential for deregistration, delegation and Conway registration with a deposit
 * (a legacy registration, cert 0, needs none); operator and owners for a pool
 * registration; the pool key for a retirement; the DRep or cold committee credential.
 * Genesis delegation and MIR need genesis keys: reported as `foreign`.
 */
export function certWitnesses(cert: CSL.Certificate): { creds: CredJson[]; foreign?: string } {
  const K = CSL.CertificateKind;
  const key = (h: CSL.Ed25519KeyHash): CredJson => ({ kind: 'key', hash: h.to_hex() });
  switch (cert.kind()) {
    case K.StakeRegistration: {
      const c = cert.as_stake_registration() ?? cert.as_reg_cert();
      return { creds: c && c.coin() !== undefined ? [credJson(c.stake_credential())] : [] };
    }
    case K.StakeDeregistration: {
      const c = cert.as_stake_deregistration() ?? cert.as_unreg_cert();
      return { creds: c ? [credJson(c.stake_credential())] : [] };
    }
    case K.StakeDelegation:
      return { creds: [credJson(cert.as_stake_delegation()!.stake_credential())] };
    case K.PoolRegistration: {
      const p = cert.as_pool_registration()!.pool_params();
      const owners = p.pool_owners();
      const creds = [key(p.operator())];
      for (let i = 0; i < owners.len(); i++) creds.push(key(owners.get(i)));
      return { creds };
    }
    case K.PoolRetirement:
      return { creds: [key(cert.as_pool_retirement()!.pool_keyhash())] };
    case K.GenesisKeyDelegation:
    case K.MoveInstantaneousRewardsCert:
      return { creds: [], foreign: 'genesis keys' };
    case K.CommitteeHotAuth:
      return { creds: [credJson(cert.as_committee_hot_auth()!.committee_cold_credential())] };
    case K.CommitteeColdResign:
      return { creds: [credJson(cert.as_committee_cold_resign()!.committee_cold_credential())] };
    case K.DRepDeregistration:
      return { creds: [credJson(cert.as_drep_deregistration()!.voting_credential())] };
    case K.DRepRegistration:
      return { creds: [credJson(cert.as_drep_registration()!.voting_credential())] };
    case K.DRepUpdate:
      return { creds: [credJson(cert.as_drep_update()!.voting_credential())] };
    case K.StakeAndVoteDelegation:
      return { creds: [credJson(cert.as_stake_and_vote_delegation()!.stake_credential())] };
    case K.StakeRegistrationAndDelegation:
      return {
        creds: [credJson(cert.as_stake_registration_and_delegation()!.stake_credential())],
      };
    case K.StakeVoteRegistrationAndDelegation:
      return {
        creds: [credJson(cert.as_stake_vote_registration_and_delegation()!.stake_credential())],
      };
    case K.VoteDelegation:
      return { creds: [credJson(cert.as_vote_delegation()!.stake_credential())] };
    case K.VoteRegistrationAndDelegation:
      return { creds: [credJson(cert.as_vote_registration_and_delegation()!.stake_credential())] };
    default:
      return { creds: [], foreign: 'unknown certificate' };
  }
}

export interface KeyNeeds {
  payment: boolean;
  stake: boolean;
  /** Why a key we do not hold is needed (non-secret descriptions). */
  foreign: string[];
}

/**
 * Which of our keys the transaction needs, and which needed keys we do not hold.
 * Inputs and collateral: without `resolved`, every input is taken as ours (DESIGN.md
 * §4, the CLI case); with it, an input at a foreign key or Byron address needs a foreign
 * key, one at a script address needs none, and an input the host did not resolve is
 * assumed ours (signing with a key that is not needed is harmless; the approval screen
 * flags it).
 */
export function keyNeeds(
  tx: CSL.FixedTransaction,
  ours: { paymentKeyHash: string; stakeKeyHash: string },
  resolved: Map<string, ResolvedUtxo> | undefined,
): KeyNeeds {
  const needs: KeyNeeds = { payment: false, stake: false, foreign: [] };
  const need = (cred: CredJson, why: string) => {
    if (cred.kind === 'script') return;
    if (cred.hash === ours.paymentKeyHash) needs.payment = true;
    else if (cred.hash === ours.stakeKeyHash) needs.stake = true;
    else needs.foreign.push(why);
  };
  return cslCall('TX_MALFORMED', 'tx body cannot be decoded', () => {
    const body = tx.body();
    const spend = (refs: string[], what: string) => {
      for (const ref of refs) {
        if (!resolved) {
          needs.payment = true;
          continue;
        }
        const r = resolved.get(ref);
        if (!r) needs.payment = true;
        else if (!r.payment) needs.foreign.push(`${what} ${ref} at a Byron address`);
        else need(r.payment, `${what} ${ref}`);
      }
    };
    spend(listInputs(body.inputs()), 'input');
    spend(listInputs(body.collateral()), 'collateral input');
    const withdrawals = body.withdrawals();
    if (withdrawals) {
      const keys = withdrawals.keys();
      for (let i = 0; i < keys.len(); i++) {
        need(credJson(keys.get(i).payment_cred()), `withdrawal ${i}`);
      }
    }
    const certs = body.certs();
    if (certs) {
      for (let i = 0; i < certs.len(); i++) {
        const w = certWitnesses(certs.get(i));
        for (const c of w.creds) need(c, `certificate ${i}`);
        if (w.foreign) needs.foreign.push(`certificate ${i} (${w.foreign})`);
      }
    }
    const signers = body.required_signers();
    if (signers) {
      for (let i = 0; i < signers.len(); i++) {
        need({ kind: 'key', hash: signers.get(i).to_hex() }, `required signer ${i}`);
      }
    }
    const votes = body.voting_procedures();
    if (votes) {
      const voters = votes.get_voters();
      for (let i = 0; i < voters.len(); i++) {
        const h = voters.get(i)?.to_key_hash();
        if (h) need({ kind: 'key', hash: h.to_hex() }, `voter ${i}`);
      }
    }
    // Native scripts shipped in the witness set (e.g. a minting policy) that name one of
    // our keys: sign so the script can be satisfied. Optional, so never `foreign`.
    const scripts = tx.witness_set().native_scripts();
    if (scripts) {
      for (let i = 0; i < scripts.len(); i++) {
        const hashes = scripts.get(i).get_required_signers();
        for (let j = 0; j < hashes.len(); j++) {
          const h = hashes.get(j).to_hex();
          if (h === ours.paymentKeyHash) needs.payment = true;
          if (h === ours.stakeKeyHash) needs.stake = true;
        }
      }
    }
    return needs;
  });
}
