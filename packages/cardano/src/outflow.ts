/**
 * @module outflow — the approval screen's headline: what a transaction gives away,
 * computed from the transaction bytes alone (DESIGN.md §2.12). Nothing the host claims
 * (resolved inputs) enters it.
 *
 * A transaction has two possible outcomes and the host picks which one it submits: the
 * `is_valid` flag sits outside the body, so no signature covers it.
 * - **spend** (scripts succeed): every output to an address that is not exactly one of
 *   the wallet's, the fee, the deposits stated in certificates and proposals, and the
 *   treasury donation.
 * - **collateral** (scripts fail; only with collateral inputs): the ledger takes the
 *   collateral instead. With `total_collateral` stated, that is what is taken, plus the
 *   collateral return when it goes to an address that is not the wallet's. Without it the
 *   amount is the collateral inputs' value, which the bytes do not hold: `null`.
 * The headline is the larger of the two (a tie goes to the one `is_valid` claims).
 * Withdrawals and refunds are not subtracted: they are shown, and where they go is in the
 * outputs. Deposits the ledger takes without the bytes stating them (a legacy stake
 * registration, a pool registration) are listed in `implicitDeposits`.
 */
import type { CertificateSummary } from './decode-certs.ts';
import type { ProposalSummary } from './decode-gov.ts';

export interface AssetFlow {
  policyId: string;
  assetName: string;
  quantity: string;
}

export interface Scenario {
  /** Total lovelace given away; null when the bytes do not state it. */
  lovelace: string | null;
  assets: AssetFlow[];
  /** The parts of `lovelace` (each null when unknown). */
  toOthers: string;
  fee: string;
  deposits: string;
  donation: string;
  collateral: string | null;
  collateralReturnToOthers: string;
}

export interface Outflow {
  spend: Scenario;
  /** Present when the transaction has collateral inputs. */
  collateral: Scenario | null;
  /** Which scenario is the headline. */
  headline: 'spend' | 'collateral';
  implicitDeposits: ('stake_key' | 'pool')[];
}

interface OutLike {
  lovelace: string;
  assets: AssetFlow[];
  ours?: boolean;
}

export interface OutflowInput {
  outputs: OutLike[];
  fee: string;
  certificates: CertificateSummary[];
  proposals: ProposalSummary[];
  donation: string | null;
  collateralInputs: number;
  totalCollateral: string | null;
  collateralReturn: OutLike | null;
  isValid: boolean;
}

function sumAssets(outs: OutLike[]): AssetFlow[] {
  const m = new Map<string, bigint>();
  for (const o of outs) {
    for (const a of o.assets) {
      const k = `${a.policyId}.${a.assetName}`;
      m.set(k, (m.get(k) ?? 0n) + BigInt(a.quantity));
    }
  }
  return [...m].map(([k, q]) => {
    const [policyId = '', assetName = ''] = k.split('.');
    return { policyId, assetName, quantity: q.toString() };
  });
}

/** Computes the outflow of a decoded transaction. */
export function outflowOf(t: OutflowInput): Outflow {
  // Without the wallet's addresses (`ours` undefined) every output counts as leaving.
  const others = t.outputs.filter((o) => o.ours !== true);
  const toOthers = others.reduce((s, o) => s + BigInt(o.lovelace), 0n);
  let deposits = 0n;
  const implicit = new Set<'stake_key' | 'pool'>();
  for (const c of t.certificates) {
    if (c.deposit) deposits += BigInt(c.deposit);
    if (c.implicitDeposit) implicit.add(c.implicitDeposit);
  }
  for (const p of t.proposals) deposits += BigInt(p.deposit);
  const fee = BigInt(t.fee);
  const donation = BigInt(t.donation ?? '0');
  const spend: Scenario = {
    lovelace: (toOthers + fee + deposits + donation).toString(),
    assets: sumAssets(others),
    toOthers: toOthers.toString(),
    fee: fee.toString(),
    deposits: deposits.toString(),
    donation: donation.toString(),
    collateral: '0',
    collateralReturnToOthers: '0',
  };
  let collateral: Scenario | null = null;
  if (t.collateralInputs > 0) {
    const ret = t.collateralReturn;
    const retForeign = ret !== null && ret.ours !== true;
    const retLovelace = retForeign ? BigInt(ret.lovelace) : 0n;
    const taken = t.totalCollateral === null ? null : BigInt(t.totalCollateral);
    collateral = {
      lovelace: taken === null ? null : (taken + retLovelace).toString(),
      assets: retForeign ? sumAssets([ret]) : [],
      toOthers: '0',
      fee: '0',
      deposits: '0',
      donation: '0',
      collateral: taken === null ? null : taken.toString(),
      collateralReturnToOthers: retLovelace.toString(),
    };
  }
  let headline: Outflow['headline'] = 'spend';
  if (collateral?.lovelace != null) {
    const c = BigInt(collateral.lovelace);
    const s = BigInt(spend.lovelace!);
    if (c > s || (c === s && !t.isValid)) headline = 'collateral';
  }
  return { spend, collateral, headline, implicitDeposits: [...implicit] };
}
