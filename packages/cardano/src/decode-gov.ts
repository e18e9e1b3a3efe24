/**
 * @module decode-gov — Conway governance in a transaction body (CIP-1694): proposal
 * procedures (field 20: action type, deposit, the reward account the deposit returns
 * to, anchor, and for treasury withdrawals every recipient) and voting procedures
 * (field 19: voter, governance action id, choice, anchor).
 */
import { CSL } from './csl.ts';
import { type AnchorInfo, anchorInfo } from './decode-certs.ts';
import {
  type AddressInfo,
  addressInfo,
  type CredentialInfo,
  credentialInfo,
  keyInfo,
  type WalletIdentity,
} from './ownership.ts';

export type ProposalAction =
  | 'parameter_change'
  | 'hard_fork_initiation'
  | 'treasury_withdrawals'
  | 'no_confidence'
  | 'update_committee'
  | 'new_constitution'
  | 'info'
  | 'unknown';

export interface ProposalSummary {
  action: ProposalAction;
  /** Lovelace locked until the action is enacted, expires or is dropped. */
  deposit: string;
  /** Where the deposit is returned (a reward address). */
  returnAccount: AddressInfo;
  anchor: AnchorInfo;
  /** The previous action of the same purpose (`txHash#index`), when the action names one. */
  previousAction?: string;
  /** Guardrail script hash (parameter change, treasury withdrawals). */
  policyHash?: string;
  /** Treasury withdrawals: each recipient and amount. */
  treasuryWithdrawals?: { account: AddressInfo; amount: string }[];
  /** Plain facts about the action (parameter names changed, protocol version, …). */
  details: string[];
}

export type VoterRole = 'constitutional_committee' | 'drep' | 'stake_pool';

export interface VoteSummary {
  voterRole: VoterRole;
  voter: CredentialInfo;
  /** `txHash#index` of the governance action voted on. */
  actionId: string;
  vote: 'yes' | 'no' | 'abstain' | 'unknown';
  anchor?: AnchorInfo;
}

const ACTION_NAMES: Record<number, ProposalAction> = {
  [CSL.GovernanceActionKind.ParameterChangeAction]: 'parameter_change',
  [CSL.GovernanceActionKind.HardForkInitiationAction]: 'hard_fork_initiation',
  [CSL.GovernanceActionKind.TreasuryWithdrawalsAction]: 'treasury_withdrawals',
  [CSL.GovernanceActionKind.NoConfidenceAction]: 'no_confidence',
  [CSL.GovernanceActionKind.UpdateCommitteeAction]: 'update_committee',
  [CSL.GovernanceActionKind.NewConstitutionAction]: 'new_constitution',
  [CSL.GovernanceActionKind.InfoAction]: 'info',
};

const actionId = (id: CSL.GovernanceActionId) => `${id.transaction_id().to_hex()}#${id.index()}`;

/** Names of the protocol parameters a parameter-change action sets (from CSL's JSON). */
function changedParameters(update: CSL.ProtocolParamUpdate): string[] {
  const json = JSON.parse(update.to_json()) as Record<string, unknown>;
  return Object.entries(json)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k]) => k);
}

/** Summarises the proposal procedures of a body. */
export function proposals(
  list: CSL.VotingProposals | undefined,
  w: WalletIdentity | undefined,
): ProposalSummary[] {
  const out: ProposalSummary[] = [];
  if (!list) return out;
  for (let i = 0; i < list.len(); i++) {
    const p = list.get(i);
    const ga = p.governance_action();
    const s: ProposalSummary = {
      action: ACTION_NAMES[ga.kind()] ?? 'unknown',
      deposit: p.deposit().to_str(),
      returnAccount: addressInfo(p.reward_account().to_address(), w),
      anchor: anchorInfo(p.anchor()),
      details: [],
    };
    const prev = (id: CSL.GovernanceActionId | undefined) => {
      if (id) s.previousAction = actionId(id);
    };
    const K = CSL.GovernanceActionKind;
    switch (ga.kind()) {
      case K.ParameterChangeAction: {
        const a = ga.as_parameter_change_action()!;
        prev(a.gov_action_id());
        const ph = a.policy_hash();
        if (ph) s.policyHash = ph.to_hex();
        s.details.push(
          `sets ${changedParameters(a.protocol_param_updates()).join(', ') || 'no parameters'}`,
        );
        break;
      }
      case K.HardForkInitiationAction: {
        const a = ga.as_hard_fork_initiation_action()!;
        prev(a.gov_action_id());
        const v = a.protocol_version();
        s.details.push(`to protocol version ${v.major()}.${v.minor()}`);
        break;
      }
      case K.TreasuryWithdrawalsAction: {
        const a = ga.as_treasury_withdrawals_action()!;
        const ph = a.policy_hash();
        if (ph) s.policyHash = ph.to_hex();
        const wd = a.withdrawals();
        const keys = wd.keys();
        s.treasuryWithdrawals = [];
        for (let j = 0; j < keys.len(); j++) {
          const k = keys.get(j);
          s.treasuryWithdrawals.push({
            account: addressInfo(k.to_address(), w),
            amount: wd.get(k)?.to_str() ?? '0',
          });
        }
        break;
      }
      case K.NoConfidenceAction:
        prev(ga.as_no_confidence_action()!.gov_action_id());
        break;
      case K.UpdateCommitteeAction: {
        const a = ga.as_new_committee_action()!;
        prev(a.gov_action_id());
        const c = a.committee();
        const q = c.quorum_threshold();
        s.details.push(
          `committee of ${c.members_keys().len()} member(s), quorum ${q.numerator().to_str()}/${q.denominator().to_str()}, removes ${a.members_to_remove().len()}`,
        );
        break;
      }
      case K.NewConstitutionAction: {
        const a = ga.as_new_constitution_action()!;
        prev(a.gov_action_id());
        const c = a.constitution();
        const url = anchorInfo(c.anchor());
        s.details.push(`constitution at ${url.urlPrintable ? url.url : url.urlVisible}`);
        const sh = c.script_hash();
        if (sh) s.details.push(`guardrail script ${sh.to_hex()}`);
        break;
      }
    }
    out.push(s);
  }
  return out;
}

const VOTES = {
  [CSL.VoteKind.Yes]: 'yes',
  [CSL.VoteKind.No]: 'no',
  [CSL.VoteKind.Abstain]: 'abstain',
} as Record<number, VoteSummary['vote']>;

function voterOf(
  v: CSL.Voter,
  w: WalletIdentity | undefined,
): Pick<VoteSummary, 'voterRole' | 'voter'> {
  const K = CSL.VoterKind;
  switch (v.kind()) {
    case K.ConstitutionalCommitteeHotKeyHash:
    case K.ConstitutionalCommitteeHotScriptHash:
      return {
        voterRole: 'constitutional_committee',
        voter: credentialInfo(v.to_constitutional_committee_hot_credential()!, w),
      };
    case K.DRepKeyHash:
    case K.DRepScriptHash:
      return { voterRole: 'drep', voter: credentialInfo(v.to_drep_credential()!, w) };
    default:
      return { voterRole: 'stake_pool', voter: keyInfo(v.to_stake_pool_key_hash()!.to_hex(), w) };
  }
}

/** Summarises the voting procedures of a body: one entry per (voter, action). */
export function votes(
  list: CSL.VotingProcedures | undefined,
  w: WalletIdentity | undefined,
): VoteSummary[] {
  const out: VoteSummary[] = [];
  if (!list) return out;
  const voters = list.get_voters();
  for (let i = 0; i < voters.len(); i++) {
    const voter = voters.get(i);
    if (!voter) continue;
    const who = voterOf(voter, w);
    const ids = list.get_governance_action_ids_by_voter(voter);
    for (let j = 0; j < ids.len(); j++) {
      const id = ids.get(j);
      if (!id) continue;
      const proc = list.get(voter, id);
      const v: VoteSummary = {
        ...who,
        actionId: actionId(id),
        vote: proc ? (VOTES[proc.vote_kind()] ?? 'unknown') : 'unknown',
      };
      const a = proc?.anchor();
      if (a) v.anchor = anchorInfo(a);
      out.push(v);
    }
  }
  return out;
}
