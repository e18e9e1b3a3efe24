/**
 * @module decode-certs — certificates as plain data for the approval screen (Conway
 * ledger CDDL, certificate kinds 0–18). Each names its credentials (and whether they are
 * the wallet's keys), pools, DReps, deposits and refunds as stated in the bytes, and
 * flags deposits the ledger takes without the transaction stating them (a legacy stake
 * registration, cert 0, and a pool registration take the protocol's keyDeposit /
 * poolDeposit). Kinds that are not valid in Conway (genesis delegation, MIR) are marked
 * `known: false` so the screen warns instead of explaining them.
 */
import { CSL } from './csl.ts';
import {
  type AddressInfo,
  addressInfo,
  type CredentialInfo,
  credentialInfo,
  keyInfo,
  type WalletIdentity,
} from './ownership.ts';
import { classifyText } from './text.ts';
import { CERT_KIND_NAMES, type CredJson, certWitnesses } from './tx.ts';

/** An anchor (URL + data hash) as stated; the URL text is checked for hidden characters. */
export interface AnchorInfo {
  url: string;
  /** False when the URL holds hidden characters; show `urlVisible` then. */
  urlPrintable: boolean;
  urlVisible: string;
  dataHash: string;
}

export interface DRepInfo {
  /** `always_abstain`, `always_no_confidence`, or the DRep id (CIP-129 bech32). */
  text: string;
  kind: 'key' | 'script' | 'always_abstain' | 'always_no_confidence';
  credential?: CredentialInfo;
}

export interface PoolParamsInfo {
  operator: CredentialInfo;
  pledge: string;
  cost: string;
  /** `numerator/denominator`. */
  margin: string;
  rewardAccount: AddressInfo;
  owners: CredentialInfo[];
  /** The pool metadata URL, checked for hidden characters like an anchor's. */
  metadata?: Omit<AnchorInfo, 'dataHash'>;
}

export interface CertificateSummary {
  /** CDDL-like name (tx.ts CERT_KIND_NAMES), `unknown` when CSL reports a new kind. */
  kind: string;
  /** False for kinds the wallet does not explain (obsolete in Conway, or unknown). */
  known: boolean;
  credential?: CredentialInfo;
  /** Pool id (bech32 `pool1…`). */
  pool?: string;
  drep?: DRepInfo;
  /** Deposit stated in the certificate, lovelace. */
  deposit?: string;
  /** Refund stated in the certificate, lovelace. */
  refund?: string;
  /** A deposit (or refund) the ledger takes (or pays) that the bytes do not state. */
  implicitDeposit?: 'stake_key' | 'pool';
  implicitRefund?: 'stake_key';
  poolParams?: PoolParamsInfo;
  retirementEpoch?: number;
  /** Committee hot credential (committee_hot_auth). */
  hotCredential?: CredentialInfo;
  anchor?: AnchorInfo;
  /** Credentials that must sign (ledger rules; see tx.ts certWitnesses). */
  signers: CredJson[];
}

/** An anchor as {@link AnchorInfo}. */
export function anchorInfo(a: CSL.Anchor): AnchorInfo {
  const url = a.url().url();
  const c = classifyText(url);
  return {
    url,
    urlPrintable: c.printable,
    urlVisible: c.visible,
    dataHash: a.anchor_data_hash().to_hex(),
  };
}

function drepInfo(d: CSL.DRep, w: WalletIdentity | undefined): DRepInfo {
  switch (d.kind()) {
    case CSL.DRepKind.AlwaysAbstain:
      return { text: 'always_abstain', kind: 'always_abstain' };
    case CSL.DRepKind.AlwaysNoConfidence:
      return { text: 'always_no_confidence', kind: 'always_no_confidence' };
    case CSL.DRepKind.KeyHash:
      return {
        text: d.to_bech32(true),
        kind: 'key',
        credential: keyInfo(d.to_key_hash()!.to_hex(), w),
      };
    default:
      return {
        text: d.to_bech32(true),
        kind: 'script',
        credential: { kind: 'script', hash: d.to_script_hash()!.to_hex() },
      };
  }
}

/** Summarises one certificate. */
export function certificate(
  cert: CSL.Certificate,
  w: WalletIdentity | undefined,
): CertificateSummary {
  const K = CSL.CertificateKind;
  const kind = cert.kind();
  const name = CERT_KIND_NAMES[kind];
  const out: CertificateSummary = {
    kind: name ?? 'unknown',
    known:
      name !== undefined &&
      kind !== K.GenesisKeyDelegation &&
      kind !== K.MoveInstantaneousRewardsCert,
    signers: certWitnesses(cert).creds,
  };
  const cred = (c: CSL.Credential) => credentialInfo(c, w);
  const pool = (h: CSL.Ed25519KeyHash) => h.to_bech32('pool');
  switch (kind) {
    case K.StakeRegistration: {
      const c = cert.as_stake_registration() ?? cert.as_reg_cert();
      if (c) {
        out.credential = cred(c.stake_credential());
        const coin = c.coin();
        if (coin) out.deposit = coin.to_str();
        else out.implicitDeposit = 'stake_key';
      }
      break;
    }
    case K.StakeDeregistration: {
      const c = cert.as_stake_deregistration() ?? cert.as_unreg_cert();
      if (c) {
        out.credential = cred(c.stake_credential());
        const coin = c.coin();
        if (coin) out.refund = coin.to_str();
        else out.implicitRefund = 'stake_key';
      }
      break;
    }
    case K.StakeDelegation: {
      const c = cert.as_stake_delegation()!;
      out.credential = cred(c.stake_credential());
      out.pool = pool(c.pool_keyhash());
      break;
    }
    case K.PoolRegistration: {
      const p = cert.as_pool_registration()!.pool_params();
      const owners: CredentialInfo[] = [];
      const o = p.pool_owners();
      for (let i = 0; i < o.len(); i++) owners.push(keyInfo(o.get(i).to_hex(), w));
      const reward = p.reward_account().to_address();
      const margin = p.margin();
      out.pool = pool(p.operator());
      out.implicitDeposit = 'pool';
      out.poolParams = {
        operator: keyInfo(p.operator().to_hex(), w),
        pledge: p.pledge().to_str(),
        cost: p.cost().to_str(),
        margin: `${margin.numerator().to_str()}/${margin.denominator().to_str()}`,
        rewardAccount: addressInfo(reward, w),
        owners,
      };
      const md = p.pool_metadata();
      if (md) {
        const url = md.url().url();
        const c = classifyText(url);
        out.poolParams.metadata = { url, urlPrintable: c.printable, urlVisible: c.visible };
      }
      break;
    }
    case K.PoolRetirement: {
      const r = cert.as_pool_retirement()!;
      out.pool = pool(r.pool_keyhash());
      out.credential = keyInfo(r.pool_keyhash().to_hex(), w);
      out.retirementEpoch = r.epoch();
      break;
    }
    case K.DRepRegistration: {
      const c = cert.as_drep_registration()!;
      out.credential = cred(c.voting_credential());
      out.deposit = c.coin().to_str();
      const a = c.anchor();
      if (a) out.anchor = anchorInfo(a);
      break;
    }
    case K.DRepDeregistration: {
      const c = cert.as_drep_deregistration()!;
      out.credential = cred(c.voting_credential());
      out.refund = c.coin().to_str();
      break;
    }
    case K.DRepUpdate: {
      const c = cert.as_drep_update()!;
      out.credential = cred(c.voting_credential());
      const a = c.anchor();
      if (a) out.anchor = anchorInfo(a);
      break;
    }
    case K.VoteDelegation: {
      const c = cert.as_vote_delegation()!;
      out.credential = cred(c.stake_credential());
      out.drep = drepInfo(c.drep(), w);
      break;
    }
    case K.StakeAndVoteDelegation: {
      const c = cert.as_stake_and_vote_delegation()!;
      out.credential = cred(c.stake_credential());
      out.pool = pool(c.pool_keyhash());
      out.drep = drepInfo(c.drep(), w);
      break;
    }
    case K.StakeRegistrationAndDelegation: {
      const c = cert.as_stake_registration_and_delegation()!;
      out.credential = cred(c.stake_credential());
      out.pool = pool(c.pool_keyhash());
      out.deposit = c.coin().to_str();
      break;
    }
    case K.VoteRegistrationAndDelegation: {
      const c = cert.as_vote_registration_and_delegation()!;
      out.credential = cred(c.stake_credential());
      out.drep = drepInfo(c.drep(), w);
      out.deposit = c.coin().to_str();
      break;
    }
    case K.StakeVoteRegistrationAndDelegation: {
      const c = cert.as_stake_vote_registration_and_delegation()!;
      out.credential = cred(c.stake_credential());
      out.pool = pool(c.pool_keyhash());
      out.drep = drepInfo(c.drep(), w);
      out.deposit = c.coin().to_str();
      break;
    }
    case K.CommitteeHotAuth: {
      const c = cert.as_committee_hot_auth()!;
      out.credential = cred(c.committee_cold_credential());
      out.hotCredential = cred(c.committee_hot_credential());
      break;
    }
    case K.CommitteeColdResign: {
      const c = cert.as_committee_cold_resign()!;
      out.credential = cred(c.committee_cold_credential());
      const a = c.anchor();
      if (a) out.anchor = anchorInfo(a);
      break;
    }
  }
  return out;
}
