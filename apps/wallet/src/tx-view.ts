/**
 * @module tx-view — what the approval screen shows for a transaction (DESIGN.md §2.6,
 * §2.12), as plain data: warnings first, then sections of labelled rows. The first
 * section is the headline, computed by decodeTx from the transaction bytes alone; the
 * host's resolved inputs appear only in the last section, labelled as the app's claim.
 * The DOM renderer (ui/tx-render.ts) only lays these out. signData payloads: see
 * payload-view.ts (re-exported here for existing callers).
 */
import type {
  AddressInfo,
  AnchorInfo,
  AssetAmount,
  CertificateSummary,
  CredentialInfo,
  DRepInfo,
  InputSummary,
  OutputSummary,
  Scenario,
  TxSummary,
} from '@trine/cardano/decode-tx';
import type { Network } from '@trine/protocol/methods';
import { type AdaFormat, adaFormat } from './ada.ts';

export interface Row {
  label: string;
  value: string;
  /** Extra line under the value (e.g. "this wallet", "change"). */
  note?: string;
  /** Draw attention (foreign address, negative balance change, …). */
  attention?: boolean;
}

export interface Section {
  title: string;
  rows: Row[];
  /** `headline`: the figure computed from the bytes; `claim`: what the host says. */
  kind?: 'headline' | 'claim';
  /** A line under the title. */
  note?: string;
}

export interface TxView {
  /** Things the user must notice before approving, most serious first. */
  warnings: string[];
  sections: Section[];
}

export interface WalletContext {
  network: Network;
  baseAddress: string;
  rewardAddress: string;
}

/**
 * The ada format of every screen lives in ada.ts; re-exported for the callers that
 * imported it from here.
 */
export { formatAda } from './ada.ts';

/** A quantity with thousands separators and an explicit sign when asked. */
export function formatQuantity(quantity: string, signed = false): string {
  const negative = quantity.startsWith('-');
  const digits = (negative ? quantity.slice(1) : quantity).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (negative) return `−${digits}`;
  return signed && digits !== '0' ? `+${digits}` : digits;
}

/** An asset's display name: its UTF-8 name when printable, else its hex, and the policy. */
export function assetLabel(a: AssetAmount): string {
  const name = a.assetNameUtf8 ?? (a.assetName ? `0x${a.assetName}` : '(no name)');
  return `${name} · policy ${a.policyId.slice(0, 8)}…${a.policyId.slice(-6)}`;
}

function assetRows(assets: AssetAmount[], signed = false): Row[] {
  return assets.map((a) => ({
    label: assetLabel(a),
    value: formatQuantity(a.quantity, signed),
    attention: signed && a.quantity.startsWith('-'),
  }));
}

/** A credential in words: the wallet's key by name, anything else as foreign. */
export function credText(c: CredentialInfo | undefined): string {
  if (!c) return 'none';
  if (c.wallet === 'payment') return 'your payment key';
  if (c.wallet === 'stake') return 'your stake key';
  return c.kind === 'script' ? `script ${c.hash}` : `another party's key ${c.hash}`;
}

/**
 * What is wrong with an address that is not exactly the wallet's but uses one of its
 * keys (DESIGN.md §2.12), or undefined when there is nothing to say.
 */
export function addressRemark(a: AddressInfo): string | undefined {
  if (a.ours) return undefined;
  const pay = a.payment?.wallet === 'payment';
  const stake = a.stake?.wallet === 'stake' || a.stake?.wallet === 'payment';
  if (a.type === 'base' && pay && stake) {
    return `your keys, but not your wallet address (network ${a.networkId}): your balance will not show it`;
  }
  if (pay && a.type === 'base') {
    return `your payment key with another party's stake part (${credText(a.stake)}): its staking rewards and voting power go to them, and your balance will not show it`;
  }
  if (pay && a.type === 'enterprise') {
    return 'an enterprise address of your payment key (no stake part): not your wallet address; it earns you no rewards and your balance will not show it';
  }
  if (pay && a.type === 'pointer') {
    return `a pointer address of your payment key (stake pointer ${a.pointer}): not your wallet address; your balance will not show it`;
  }
  if (pay && a.type === 'reward') return undefined;
  if (stake && a.type !== 'reward') {
    return `another party's payment part (${credText(a.payment)}) with your stake key: the funds are theirs to spend`;
  }
  return undefined;
}

const CERT_TEXT: Record<string, string> = {
  stake_registration: 'Register a stake key',
  stake_deregistration: 'Deregister a stake key (stops staking rewards)',
  stake_delegation: 'Delegate stake to a pool',
  pool_registration: 'Register or update a stake pool',
  pool_retirement: 'Retire a stake pool',
  genesis_key_delegation: 'Genesis key delegation (not understood)',
  move_instantaneous_rewards: 'Move instantaneous rewards (not understood)',
  committee_hot_auth: 'Authorise a constitutional committee hot key',
  committee_cold_resign: 'Resign from the constitutional committee',
  drep_deregistration: 'Retire as a DRep',
  drep_registration: 'Register as a DRep',
  drep_update: 'Update DRep metadata',
  stake_vote_delegation: 'Delegate stake to a pool and votes to a DRep',
  stake_registration_delegation: 'Register a stake key and delegate to a pool',
  stake_vote_registration_delegation:
    'Register a stake key, delegate to a pool and votes to a DRep',
  vote_delegation: 'Delegate votes to a DRep',
  vote_registration_delegation: 'Register a stake key and delegate votes to a DRep',
};

function drepText(d: DRepInfo): string {
  if (d.kind === 'always_abstain') return 'votes: always abstain';
  if (d.kind === 'always_no_confidence') return 'votes: always no confidence';
  const whose = d.credential?.wallet ? ` (${credText(d.credential)})` : '';
  return `votes to DRep ${d.text}${whose}`;
}

function anchorText(a: AnchorInfo): string {
  return a.urlPrintable ? a.url : `${a.urlVisible} (hidden characters in the link)`;
}

function certificateRow(c: CertificateSummary, ada: AdaFormat): Row {
  const parts: string[] = [];
  if (c.credential) parts.push(`for ${credText(c.credential)}`);
  if (c.pool) parts.push(`pool ${c.pool}`);
  if (c.drep) parts.push(drepText(c.drep));
  if (c.hotCredential) parts.push(`hot key ${credText(c.hotCredential)}`);
  if (c.deposit) parts.push(`deposit ${ada(c.deposit)}`);
  if (c.implicitDeposit) parts.push('deposit set by the ledger (not stated in the transaction)');
  if (c.refund) parts.push(`refund ${ada(c.refund)}`);
  if (c.implicitRefund) parts.push('refund set by the ledger');
  if (c.retirementEpoch !== undefined) parts.push(`in epoch ${c.retirementEpoch}`);
  if (c.poolParams) {
    const p = c.poolParams;
    parts.push(
      `pledge ${ada(p.pledge)}, cost ${ada(p.cost)}, margin ${p.margin}`,
      `rewards to ${p.rewardAccount.text}${p.rewardAccount.ours ? ' (this wallet)' : ''}`,
      `owners: ${p.owners.map(credText).join(', ') || 'none'}`,
    );
    if (p.metadata) parts.push(`metadata ${anchorText({ ...p.metadata, dataHash: '' })}`);
  }
  if (c.anchor) parts.push(`anchor ${anchorText(c.anchor)}`);
  const foreign =
    !c.known ||
    (c.credential !== undefined && c.credential.wallet === undefined) ||
    (c.poolParams !== undefined && c.poolParams.rewardAccount.ours !== true);
  const row: Row = {
    label: CERT_TEXT[c.kind] ?? `Certificate not understood: ${c.kind}`,
    value: parts.join('; ') || '—',
  };
  if (foreign) row.attention = true;
  return row;
}

function outputRows(o: OutputSummary, index: number, ada: AdaFormat): Row[] {
  const extras: string[] = [];
  if (o.datumHash) extras.push(`datum hash ${o.datumHash}`);
  if (o.inlineDatum) extras.push('inline datum');
  if (o.scriptRefInfo) {
    extras.push(`reference script (${o.scriptRefInfo.language}, ${o.scriptRefInfo.hash})`);
  } else if (o.scriptRef) extras.push('reference script');
  const remark = addressRemark(o.addressInfo);
  const notes = [o.address];
  if (o.ours) notes.push('this wallet’s address');
  if (remark) notes.push(`NOT this wallet’s address: ${remark}`);
  if (extras.length) notes.push(`with ${extras.join(', ')}`);
  const head: Row = {
    label: o.ours ? `Back to this wallet (output ${index + 1})` : `To (output ${index + 1})`,
    value: ada(o.lovelace),
    note: notes.join(' — '),
  };
  if (!o.ours) head.attention = true;
  return [head, ...assetRows(o.assets)];
}

function scenarioRows(sc: Scenario, label: string, ada: AdaFormat): Row[] {
  const rows: Row[] = [
    {
      label,
      value: sc.lovelace === null ? 'unknown' : ada(sc.lovelace),
      attention: true,
    },
    ...assetRows(
      sc.assets.map((a) => ({ ...a })),
      false,
    ),
  ];
  return rows;
}

function breakdown(sc: Scenario, ada: AdaFormat): string {
  const parts = [`to others ${ada(sc.toOthers)}`, `network fee ${ada(sc.fee)}`];
  if (sc.deposits !== '0') parts.push(`deposits ${ada(sc.deposits)}`);
  if (sc.donation !== '0') parts.push(`treasury donation ${ada(sc.donation)}`);
  return parts.join(' + ');
}

function collateralText(s: TxSummary, sc: Scenario, ada: AdaFormat): string {
  if (sc.collateral === null) {
    return `all of its ${s.collateral.length} collateral input(s): the transaction does not state how much they hold`;
  }
  const parts = [`collateral ${ada(sc.collateral)}`];
  if (sc.collateralReturnToOthers !== '0') {
    parts.push(`collateral return ${ada(sc.collateralReturnToOthers)} to another address`);
  }
  return parts.join(' + ');
}

function headlineSection(s: TxSummary, ada: AdaFormat): Section {
  const f = s.outflow;
  const rows: Row[] = [];
  const spendNote = breakdown(f.spend, ada);
  if (f.headline === 'collateral' && f.collateral) {
    rows.push(...scenarioRows(f.collateral, 'Total, if its scripts fail (collateral)', ada));
    rows[0]!.note = collateralText(s, f.collateral, ada);
    rows.push({
      label: 'If its scripts succeed',
      value: ada(f.spend.lovelace!),
      note: spendNote,
    });
  } else {
    rows.push(...scenarioRows(f.spend, 'Total', ada));
    rows[0]!.note = spendNote;
    if (f.collateral) {
      rows.push({
        label: 'If its scripts fail instead (collateral)',
        value: f.collateral.lovelace === null ? 'unknown' : ada(f.collateral.lovelace),
        note: collateralText(s, f.collateral, ada),
        attention: true,
      });
    }
  }
  if (f.implicitDeposits.length > 0) {
    rows.push({
      label: 'Plus deposits the ledger sets',
      value: f.implicitDeposits
        .map((d) => (d === 'pool' ? 'a stake pool deposit' : 'a stake key deposit'))
        .join(', '),
      note: 'not stated in the transaction, so not in the total',
      attention: true,
    });
  }
  return {
    title: 'Paid out by this transaction',
    kind: 'headline',
    note: 'Counted from the transaction itself: everything sent to addresses that are not exactly this wallet’s own, the network fee, deposits and donations. The app’s account of the inputs plays no part in it.',
    rows,
  };
}

function warningsOf(s: TxSummary, wallet: WalletContext): string[] {
  const ada = adaFormat(wallet.network);
  const w: string[] = [];
  const walletNetId = wallet.network === 'mainnet' ? 1 : 0;
  if (s.networkMismatch || (s.networkId !== null && s.networkId !== walletNetId)) {
    w.push(
      `This transaction is for a different network than your wallet (${wallet.network}). Do not approve it unless you are sure.`,
    );
  }
  for (const u of s.unclassified) {
    w.push(
      `Not understood: ${u.where} holds ${u.what}. Do not approve unless you know why it is there.`,
    );
  }
  if (!s.isValid) {
    w.push(
      'The app marked this transaction as failing (is_valid = false): if it is accepted, its outputs do not happen and the collateral is taken instead.',
    );
  }
  const cr = s.collateralReturn;
  if (cr && s.collateral.length > 0 && cr.ours !== true) {
    w.push(
      `If its scripts fail, the collateral return of ${ada(cr.lovelace)} goes to ${cr.address}, which is not this wallet’s address.`,
    );
  }
  if (s.collateral.length > 0 && s.totalCollateral === null) {
    w.push(
      'If its scripts fail, all of its collateral inputs are taken, and the transaction does not state how much they hold.',
    );
  }
  const remarkOf = (label: string, a: AddressInfo) => {
    const r = addressRemark(a);
    if (r) w.push(`${label} is not this wallet’s address: ${r}.`);
  };
  s.outputs.forEach((o, i) => {
    remarkOf(`Output ${i + 1}`, o.addressInfo);
  });
  if (cr) remarkOf('The collateral return', cr.addressInfo);
  if (s.withdrawals.some((x) => x.ours !== true)) {
    w.push('It withdraws rewards from an account that is not this wallet’s.');
  }
  const certKinds = s.certificates.map((c) => c.kind);
  if (
    certKinds.some(
      (k) =>
        k.includes('deregistration') ||
        k.startsWith('pool_') ||
        k.startsWith('committee_') ||
        k.startsWith('drep_'),
    )
  ) {
    w.push('It changes stake, pool, DRep or committee registrations: read the certificates below.');
  }
  if (s.certificates.some((c) => c.drep !== undefined || c.pool !== undefined)) {
    w.push('It delegates stake or voting power: read the certificates below.');
  }
  if (s.certificates.some((c) => c.credential !== undefined && c.credential.wallet === undefined)) {
    w.push('A certificate is for a key or script that is not this wallet’s.');
  }
  for (const p of s.proposals) {
    w.push(
      `It makes a governance proposal (${p.action.replaceAll('_', ' ')}) with a deposit of ${ada(p.deposit)}, returned to ${p.returnAccount.text}${p.returnAccount.ours ? ' (this wallet)' : ', which is NOT this wallet’s account'}.`,
    );
  }
  if (s.votes.length > 0) w.push(`It casts ${s.votes.length} governance vote(s): read them below.`);
  if (s.mint.length > 0) w.push('It mints or burns tokens.');
  if (s.requiredSigners.some((r) => r.wallet === undefined)) {
    w.push('It names a required signer that is not this wallet’s key.');
  }
  if (s.scriptDataHash || s.collateral.length > 0) {
    w.push('It runs smart-contract scripts; the wallet cannot tell what they do.');
  }
  if (s.foreignInputs.length > 0) {
    w.push(
      `The app says ${s.foreignInputs.length} input(s) are not this wallet’s; other parties must sign too.`,
    );
  }
  if (s.walletBalanceChange && !s.walletBalanceChange.complete) {
    w.push(
      'Some inputs could not be looked up, so the app’s balance figure below may be incomplete.',
    );
  }
  return w;
}

function inputRow(i: InputSummary, label: string, ada: AdaFormat): Row {
  const row: Row = {
    label,
    value: i.lovelace === undefined ? 'amount not given' : ada(i.lovelace),
  };
  const notes = [i.ref];
  if (i.address) notes.push(`at ${i.address}${i.ours ? ' (this wallet’s address)' : ''}`);
  else notes.push('not looked up');
  row.note = notes.join(' — ');
  return row;
}

/**
 * The approval view of a decoded transaction.
 *
 * @example
 * viewText(txView(decodeTx(tx, opts), wallet)) // 'Paid out by this transaction: …'
 */
export function txView(s: TxSummary, wallet: WalletContext): TxView {
  const ada = adaFormat(wallet.network);
  const warnings = warningsOf(s, wallet);
  const sections: Section[] = [headlineSection(s, ada)];
  sections.push({
    title: `Outputs (${s.outputs.length})`,
    rows: s.outputs.flatMap((o, i) => outputRows(o, i, ada)),
  });

  if (s.collateral.length > 0 || s.collateralReturn || s.totalCollateral) {
    const rows: Row[] = [
      {
        label: 'Collateral inputs',
        value: s.collateral.map((c) => c.ref).join(', ') || 'none',
        note: 'taken only if its scripts fail',
      },
      {
        label: 'Total collateral',
        value: s.totalCollateral === null ? 'not stated' : ada(s.totalCollateral),
      },
    ];
    if (s.collateralReturn) {
      const r = s.collateralReturn;
      const remark = addressRemark(r.addressInfo);
      rows.push({
        label: r.ours
          ? 'Collateral return — back to this wallet'
          : 'Collateral return — to another address',
        value: ada(r.lovelace),
        note: `${r.address}${remark ? ` — NOT this wallet’s address: ${remark}` : ''}`,
        attention: r.ours !== true,
      });
      rows.push(...assetRows(r.assets));
    }
    rows.push({
      label: 'Marked as',
      value: s.isValid ? 'valid (is_valid = true)' : 'failing (is_valid = false)',
      note: 'set by the app and not signed: the app can submit it either way',
      attention: !s.isValid,
    });
    sections.push({ title: 'Collateral', rows });
  }

  if (s.certificates.length > 0) {
    sections.push({
      title: 'Certificates',
      rows: s.certificates.map((c) => certificateRow(c, ada)),
    });
  }
  if (s.withdrawals.length > 0) {
    sections.push({
      title: 'Reward withdrawals',
      rows: s.withdrawals.map((x) => ({
        label: x.ours === true ? 'From your rewards' : 'From another account',
        value: ada(x.amount),
        note: x.rewardAddress,
        attention: x.ours !== true,
      })),
    });
  }
  if (s.proposals.length > 0) {
    sections.push({
      title: 'Governance proposals',
      rows: s.proposals.map((p) => {
        const facts = [
          `deposit ${ada(p.deposit)}`,
          `returned to ${p.returnAccount.text}${p.returnAccount.ours ? ' (this wallet)' : ' (NOT this wallet’s)'}`,
        ];
        for (const t of p.treasuryWithdrawals ?? []) {
          facts.push(
            `pays ${ada(t.amount)} from the treasury to ${t.account.text}${t.account.ours ? ' (this wallet)' : ''}`,
          );
        }
        facts.push(...p.details);
        if (p.previousAction) facts.push(`follows action ${p.previousAction}`);
        if (p.policyHash) facts.push(`guardrail script ${p.policyHash}`);
        return {
          label: `Proposal: ${p.action.replaceAll('_', ' ')}`,
          value: facts.join('; '),
          note: `anchor ${anchorText(p.anchor)}`,
          attention: true,
        };
      }),
    });
  }
  if (s.votes.length > 0) {
    sections.push({
      title: 'Governance votes',
      rows: s.votes.map((v) => ({
        label: `Vote ${v.vote.toUpperCase()}`,
        value: `on action ${v.actionId}`,
        note: `as ${v.voterRole.replaceAll('_', ' ')} ${credText(v.voter)}${v.anchor ? `; anchor ${anchorText(v.anchor)}` : ''}`,
        attention: true,
      })),
    });
  }
  if (s.mint.length > 0) sections.push({ title: 'Mint / burn', rows: assetRows(s.mint, true) });
  if (s.requiredSigners.length > 0) {
    sections.push({
      title: 'Required signers',
      rows: s.requiredSigners.map((r) => ({
        label: r.wallet ? 'This wallet' : 'Another party',
        value: credText(r),
        attention: r.wallet === undefined,
      })),
    });
  }
  if (s.unclassified.length > 0) {
    sections.push({
      title: 'Not understood by the wallet',
      rows: s.unclassified.map((u) => ({ label: u.where, value: u.what, attention: true })),
    });
  }

  const general: Row[] = [{ label: 'Network fee', value: ada(s.fee) }];
  if (s.donation) general.push({ label: 'Treasury donation', value: ada(s.donation) });
  general.push({
    label: 'Network',
    value:
      s.networkId === null
        ? `${wallet.network} (not stated in the transaction)`
        : s.networkId === 1
          ? 'mainnet'
          : 'testnet',
    attention: s.networkMismatch,
  });
  general.push({
    label: 'Valid',
    value:
      s.validityStart === null && s.ttl === null
        ? 'no time limit'
        : `${s.validityStart === null ? '' : `from slot ${s.validityStart} `}${s.ttl === null ? 'with no end' : `until slot ${s.ttl}`}`.trim(),
  });
  general.push({
    label: 'Inputs spent',
    value: `${s.inputs.length}: ${s.inputs.map((i) => i.ref).join(', ')}`,
  });
  if (s.referenceInputs.length > 0) {
    general.push({
      label: 'Reference inputs (read, not spent)',
      value: s.referenceInputs.join(', '),
    });
  }
  if (s.scriptDataHash) general.push({ label: 'Script data hash', value: s.scriptDataHash });
  if (s.auxiliaryData) general.push({ label: 'Metadata', value: 'attached (not shown)' });
  general.push({ label: 'Transaction id', value: s.txHash });
  sections.push({ title: 'Details', rows: general });

  if (s.inputs.some((i) => i.address !== undefined) || s.walletBalanceChange) {
    const rows: Row[] = [];
    if (s.walletBalanceChange) {
      const b = s.walletBalanceChange;
      rows.push({
        label: 'Your balance change, if the app is right',
        value: b.complete
          ? ada(b.lovelace, true)
          : `${ada(b.lovelace, true)} (incomplete: the app did not give every input)`,
        attention: b.lovelace.startsWith('-'),
        note: 'fee included',
      });
      rows.push(...assetRows(b.assets, true));
    }
    s.inputs.forEach((i, n) => {
      rows.push(inputRow(i, `Input ${n + 1}`, ada));
    });
    s.collateral.forEach((i, n) => {
      if (i.address !== undefined) rows.push(inputRow(i, `Collateral input ${n + 1}`, ada));
    });
    sections.push({
      title: 'The app’s claim about the inputs',
      kind: 'claim',
      note: 'The app looked these up; the transaction does not contain them and the wallet cannot check them.',
      rows,
    });
  }
  return { warnings, sections };
}

/** The whole view as text (tests; also the screen reader summary). */
export function viewText(view: TxView): string {
  const lines: string[] = [];
  for (const w of view.warnings) lines.push(`Warning: ${w}`);
  for (const s of view.sections) {
    lines.push(`${s.title}:`);
    if (s.note) lines.push(`  (${s.note})`);
    for (const r of s.rows) lines.push(`  ${r.label}: ${r.value}${r.note ? ` (${r.note})` : ''}`);
  }
  return lines.join('\n');
}

export { type PayloadView, payloadView } from './payload-view.ts';
