/**
 * @module tx-view — what the approval screen shows for a transaction or a signData
 * payload (DESIGN.md §2.6), as plain data: warnings first, then sections of labelled
 * rows. The DOM renderer (ui/approve.ts) only lays these out, so what the user sees is
 * tested here without a browser.
 */
import type {
  AssetAmount,
  CertificateSummary,
  OutputSummary,
  TxSummary,
} from '@trine/cardano/decode-tx';
import type { Network } from '@trine/protocol/methods';

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

const LOVELACE_PER_ADA = 1_000_000n;

/**
 * Lovelace (decimal string, may be negative) as ADA with all six decimals kept where
 * needed and thousands separated: `'1234567891'` → `'1,234.567891 ADA'`.
 */
export function formatAda(lovelace: string, signed = false): string {
  let n: bigint;
  try {
    n = BigInt(lovelace);
  } catch {
    return `${lovelace} lovelace`;
  }
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const whole = (abs / LOVELACE_PER_ADA).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (abs % LOVELACE_PER_ADA).toString().padStart(6, '0').replace(/0+$/, '');
  const sign = negative ? '−' : signed && n > 0n ? '+' : '';
  return `${sign}${whole}${frac ? `.${frac}` : ''} ADA`;
}

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

const CERT_TEXT: Record<string, string> = {
  stake_registration: 'Register the stake key',
  stake_deregistration: 'Deregister the stake key (stops staking rewards)',
  stake_delegation: 'Delegate stake to a pool',
  pool_registration: 'Register a stake pool',
  pool_retirement: 'Retire a stake pool',
  genesis_key_delegation: 'Genesis key delegation',
  move_instantaneous_rewards: 'Move instantaneous rewards',
  committee_hot_auth: 'Authorise a constitutional committee hot key',
  committee_cold_resign: 'Resign from the constitutional committee',
  drep_deregistration: 'Retire as a DRep',
  drep_registration: 'Register as a DRep',
  drep_update: 'Update DRep metadata',
  stake_vote_delegation: 'Delegate stake to a pool and votes to a DRep',
  stake_registration_delegation: 'Register the stake key and delegate to a pool',
  stake_vote_registration_delegation:
    'Register the stake key, delegate to a pool and votes to a DRep',
  vote_delegation: 'Delegate votes to a DRep',
  vote_registration_delegation: 'Register the stake key and delegate votes to a DRep',
};

function certificateRow(c: CertificateSummary): Row {
  const parts: string[] = [];
  if (c.pool) parts.push(`pool ${c.pool}`);
  if (c.drep) parts.push(`DRep ${c.drep}`);
  if (c.deposit) parts.push(`deposit ${formatAda(c.deposit)}`);
  if (c.refund) parts.push(`refund ${formatAda(c.refund)}`);
  const row: Row = {
    label: CERT_TEXT[c.kind] ?? `Certificate: ${c.kind}`,
    value: parts.join(', ') || '—',
  };
  if (c.credential) row.note = `credential ${c.credential.kind} ${c.credential.hash}`;
  return row;
}

function outputRows(o: OutputSummary, index: number, wallet: WalletContext): Row[] {
  const mine = o.address === wallet.baseAddress || o.ours === true;
  const extras: string[] = [];
  if (o.datumHash) extras.push('datum hash');
  if (o.inlineDatum) extras.push('inline datum');
  if (o.scriptRef) extras.push('reference script');
  const head: Row = {
    label: `Output ${index + 1}${mine ? ' — back to this wallet' : ''}`,
    value: formatAda(o.lovelace),
    note: `to ${o.address}${extras.length ? ` (with ${extras.join(', ')})` : ''}`,
  };
  if (!mine) head.attention = true;
  return [head, ...assetRows(o.assets)];
}

/**
 * The approval view of a decoded transaction.
 *
 * @example
 * viewText(txView(decodeTx(tx, opts), wallet)) // 'Fee: 0.17 ADA …'
 */
export function txView(s: TxSummary, wallet: WalletContext): TxView {
  const warnings: string[] = [];
  const walletNetId = wallet.network === 'mainnet' ? 1 : 0;
  if (s.networkMismatch || (s.networkId !== null && s.networkId !== walletNetId)) {
    warnings.push(
      `This transaction is for a different network than your wallet (${wallet.network}). Do not approve it unless you are sure.`,
    );
  }
  if (s.foreignInputs.length > 0) {
    warnings.push(
      `It spends ${s.foreignInputs.length} input(s) that are not this wallet’s; other parties must sign too.`,
    );
  }
  const foreignWithdrawals = s.withdrawals.filter((w) => w.ours === false);
  if (foreignWithdrawals.length > 0)
    warnings.push('It withdraws rewards from an account that is not this wallet’s.');
  if (s.certificates.some((c) => c.kind === 'stake_deregistration' || c.kind.startsWith('pool_'))) {
    warnings.push('It changes stake registration or stake pools: read the certificates below.');
  }
  if (s.mint.length > 0) warnings.push('It mints or burns tokens.');
  if (s.votingProcedures > 0 || s.proposals > 0)
    warnings.push('It casts governance votes or makes proposals.');
  if (s.scriptDataHash || s.collateral.length > 0) {
    warnings.push('It runs smart-contract scripts; the wallet cannot tell what they do.');
  }
  if (s.walletBalanceChange && !s.walletBalanceChange.complete) {
    warnings.push(
      'Some inputs could not be looked up, so the balance change below may be incomplete.',
    );
  }

  const sections: Section[] = [];
  if (s.walletBalanceChange) {
    const b = s.walletBalanceChange;
    sections.push({
      title: 'Change to your balance',
      rows: [
        {
          label: 'ADA',
          value: formatAda(b.lovelace, true),
          attention: b.lovelace.startsWith('-'),
          note: 'fee included',
        },
        ...assetRows(b.assets, true),
      ],
    });
  }
  sections.push({
    title: `Outputs (${s.outputs.length})`,
    rows: s.outputs.flatMap((o, i) => outputRows(o, i, wallet)),
  });
  const general: Row[] = [{ label: 'Network fee', value: formatAda(s.fee) }];
  if (s.donation) general.push({ label: 'Treasury donation', value: formatAda(s.donation) });
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
  general.push({ label: 'Inputs spent', value: String(s.inputs.length) });
  general.push({ label: 'Transaction id', value: s.txHash });
  sections.push({ title: 'Details', rows: general });

  if (s.certificates.length > 0) {
    sections.push({ title: 'Certificates', rows: s.certificates.map(certificateRow) });
  }
  if (s.withdrawals.length > 0) {
    sections.push({
      title: 'Reward withdrawals',
      rows: s.withdrawals.map((w) => ({
        label: w.ours === false ? 'From another account' : 'From your rewards',
        value: formatAda(w.amount),
        note: w.rewardAddress,
        attention: w.ours === false,
      })),
    });
  }
  if (s.mint.length > 0) sections.push({ title: 'Mint / burn', rows: assetRows(s.mint, true) });
  const extra: Row[] = [];
  if (s.collateral.length > 0) {
    extra.push({
      label: 'Collateral inputs',
      value: String(s.collateral.length),
      note: 'lost only if a script fails',
    });
  }
  if (s.totalCollateral)
    extra.push({ label: 'Total collateral', value: formatAda(s.totalCollateral) });
  if (s.requiredSigners.length > 0) {
    extra.push({ label: 'Required signers', value: s.requiredSigners.join(', ') });
  }
  if (s.referenceInputs.length > 0) {
    extra.push({ label: 'Reference inputs', value: String(s.referenceInputs.length) });
  }
  if (s.auxiliaryData) extra.push({ label: 'Metadata', value: 'attached' });
  if (s.votingProcedures > 0) extra.push({ label: 'Voters', value: String(s.votingProcedures) });
  if (s.proposals > 0) extra.push({ label: 'Governance proposals', value: String(s.proposals) });
  if (extra.length > 0) sections.push({ title: 'Also in this transaction', rows: extra });
  return { warnings, sections };
}

export type PayloadView = { kind: 'text'; text: string } | { kind: 'hex'; hex: string };

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
// C0/C1 controls other than tab and line breaks, bidi overrides and zero-width characters
// could hide or reorder what the user reads: such payloads are shown as hex.
function isHidden(cp: number): boolean {
  return (
    (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0xfeff
  );
}

function hasHidden(text: string): boolean {
  for (const ch of text) if (isHidden(ch.codePointAt(0) ?? 0)) return true;
  return false;
}

/** The signData payload as text when it is valid, visible UTF-8; hex otherwise. */
export function payloadView(payloadHex: string): PayloadView {
  const hex = payloadHex.toLowerCase();
  if (hex.length === 0) return { kind: 'hex', hex: '(empty)' };
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  try {
    const text = fatalUtf8.decode(bytes);
    if (!hasHidden(text)) return { kind: 'text', text };
  } catch {
    // not UTF-8
  }
  return { kind: 'hex', hex };
}

/** The whole view as text (tests; also the screen reader summary). */
export function viewText(view: TxView): string {
  const lines: string[] = [];
  for (const w of view.warnings) lines.push(`Warning: ${w}`);
  for (const s of view.sections) {
    lines.push(`${s.title}:`);
    for (const r of s.rows) lines.push(`  ${r.label}: ${r.value}${r.note ? ` (${r.note})` : ''}`);
  }
  return lines.join('\n');
}
