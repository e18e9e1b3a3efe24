// @vitest-environment happy-dom
/**
 * The catalogue of hostile transactions (issue 10, DESIGN.md §2.12): each one is built
 * with CSL the way an attacking host would, decoded by the real decodeTx, laid out by the
 * real renderer in a DOM, and the test asserts what the user reads — by text.
 */
import { CSL } from '@trine/cardano/csl';
import { type DecodeTxOptions, decodeTx } from '@trine/cardano/decode-tx';
import { deriveWallet } from '@trine/cardano/keys';
import type { ResolvedInput } from '@trine/protocol/methods';
import { describe, expect, it } from 'vitest';
import { txView } from '../src/tx-view.ts';
import { renderTxView } from '../src/ui/tx-render.ts';

const unhex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const me = deriveWallet(unhex('0ccb74f36b7da1649a8144675522d4d8097c6412'), 'preprod');
const them = deriveWallet(
  unhex('4e828f9a67ddcff0e6391ad4f26ddb7579f59ba14b6dd4baf63dcfdb9d2420da'),
  'preprod',
);
const TXH = (n: number) => n.toString(16).padStart(2, '0').repeat(32);
const POLICY = 'ab'.repeat(28);
const POOL_HASH = 'cd'.repeat(28);
const POOL_ID = CSL.Ed25519KeyHash.from_hex(POOL_HASH).to_bech32('pool');
const kh = (h: string) => CSL.Ed25519KeyHash.from_hex(h);
const cred = (h: string) => CSL.Credential.from_keyhash(kh(h));
const coin = (n: string) => CSL.BigNum.from_str(n);
const reward = (bech: string) => CSL.RewardAddress.from_address(CSL.Address.from_bech32(bech))!;
const anchor = (url: string) =>
  CSL.Anchor.new(CSL.URL.new(url), CSL.AnchorDataHash.from_hex('ee'.repeat(32)));

const foreignStake = CSL.BaseAddress.new(0, cred(me.paymentKeyHash), cred(them.stakeKeyHash))
  .to_address()
  .to_bech32();
const enterpriseOurs = CSL.EnterpriseAddress.new(0, cred(me.paymentKeyHash))
  .to_address()
  .to_bech32();
const theirPaymentOurStake = CSL.BaseAddress.new(
  0,
  cred(them.paymentKeyHash),
  cred(me.stakeKeyHash),
)
  .to_address()
  .to_bech32();

const output = (address: string, lovelace: string) =>
  CSL.TransactionOutput.new(CSL.Address.from_bech32(address), CSL.Value.new(coin(lovelace)));

interface Build {
  outputs?: CSL.TransactionOutput[];
  fee?: string;
  isValid?: boolean;
  body?: (b: CSL.TransactionBody) => void;
}

/** A transaction as a hostile host would hand it over (CSL, empty witness set). */
function build(o: Build = {}): string {
  const outs = CSL.TransactionOutputs.new();
  for (const x of o.outputs ?? [output(them.baseAddress, '2000000')]) outs.add(x);
  const ins = CSL.TransactionInputs.new();
  ins.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(1)), 0));
  const body = CSL.TransactionBody.new_tx_body(ins, outs, coin(o.fee ?? '170000'));
  o.body?.(body);
  return CSL.FixedTransaction.new(
    body.to_bytes(),
    CSL.TransactionWitnessSet.new().to_bytes(),
    o.isValid ?? true,
  ).to_hex();
}

/** Decodes, lays out and mounts the approval view; returns readers over the DOM. */
function show(txHex: string, extra: Omit<DecodeTxOptions, 'network' | 'walletAddresses'> = {}) {
  const summary = decodeTx(txHex, {
    network: 'preprod',
    walletAddresses: [me.baseAddress, me.rewardAddress],
    ...extra,
  });
  const el = renderTxView(
    txView(summary, {
      network: 'preprod',
      baseAddress: me.baseAddress,
      rewardAddress: me.rewardAddress,
    }),
  );
  document.body.replaceChildren(el);
  const text = el.textContent ?? '';
  const warnings = [...el.querySelectorAll('.warnings li')].map((li) => li.textContent ?? '');
  /** The dd text of every row whose label (dt) matches. */
  const rows = (label: string | RegExp) =>
    [...el.querySelectorAll('dt')]
      .filter((dt) =>
        typeof label === 'string' ? dt.textContent === label : label.test(dt.textContent ?? ''),
      )
      .map((dt) => dt.nextElementSibling?.textContent ?? '');
  const section = (title: string) => {
    const h2 = [...el.querySelectorAll('section h2')].find((x) => x.textContent === title);
    return h2?.parentElement?.textContent ?? '';
  };
  const headline = el.querySelector('section[data-kind=headline]')?.textContent ?? '';
  return { summary, text, warnings, rows, section, headline };
}

describe('hostile transactions: what the screen shows', () => {
  it('an honest payment: total paid out, the recipient, change back, no warnings', () => {
    const v = show(
      build({
        outputs: [output(them.baseAddress, '2500000'), output(me.baseAddress, '7000000')],
      }),
    );
    expect(v.rows('Total')).toEqual([
      '2.670000 tADAto others 2.500000 tADA + network fee 0.170000 tADA',
    ]);
    expect(v.rows('To (output 1)')[0]).toContain(them.baseAddress);
    expect(v.rows('Back to this wallet (output 2)')[0]).toContain('7.000000 tADA');
    expect(v.warnings).toEqual([]);
  });

  it('foreign-stake output: our payment key with the attacker’s stake key is NOT change', () => {
    const v = show(
      build({ outputs: [output(foreignStake, '10000000000'), output(me.baseAddress, '1000000')] }),
    );
    expect(v.rows('To (output 1)')[0]).toContain(
      `NOT this wallet’s address: your payment key with another party's stake part (another party's key ${them.stakeKeyHash})`,
    );
    expect(v.warnings.join('\n')).toContain(
      "Output 1 is not this wallet’s address: your payment key with another party's stake part",
    );
    expect(v.rows('Total')[0]).toMatch(/^10,000\.170000 tADA/);
    expect(v.text).not.toContain('Back to this wallet (output 1)');
  });

  it('enterprise address of our payment key: not ours, named, counted as leaving', () => {
    const v = show(build({ outputs: [output(enterpriseOurs, '5000000')] }));
    expect(v.rows('To (output 1)')[0]).toContain(
      'an enterprise address of your payment key (no stake part): not your wallet address',
    );
    expect(v.warnings.join('\n')).toContain('Output 1 is not this wallet’s address');
    expect(v.rows('Total')[0]).toMatch(/^5\.170000 tADA/);
  });

  it('their payment part with our stake key: the funds are theirs', () => {
    const v = show(build({ outputs: [output(theirPaymentOurStake, '3000000')] }));
    expect(v.rows('To (output 1)')[0]).toContain(
      'with your stake key: the funds are theirs to spend',
    );
  });

  it('collateral return to the attacker with is_valid = false: the collateral is the headline', () => {
    const v = show(
      build({
        isValid: false,
        outputs: [output(them.baseAddress, '1000000')],
        body: (b) => {
          const c = CSL.TransactionInputs.new();
          c.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(9)), 0));
          b.set_collateral(c);
          b.set_total_collateral(coin('5000000'));
          b.set_collateral_return(output(them.baseAddress, '10000000000'));
          b.set_script_data_hash(CSL.ScriptDataHash.from_hex('00'.repeat(32)));
        },
      }),
    );
    expect(v.rows('Total, if its scripts fail (collateral)')).toEqual([
      '10,005.000000 tADAcollateral 5.000000 tADA + collateral return 10,000.000000 tADA to another address',
    ]);
    expect(v.rows('If its scripts succeed')[0]).toMatch(/^1\.170000 tADA/);
    expect(v.rows('Collateral return — to another address')[0]).toBe(
      `10,000.000000 tADA${them.baseAddress}`,
    );
    expect(v.rows('Total collateral')).toEqual(['5.000000 tADA']);
    expect(v.rows('Collateral inputs')[0]).toContain(`${TXH(9)}#0`);
    expect(v.rows('Marked as')[0]).toContain('failing (is_valid = false)');
    expect(v.warnings).toContain(
      'The app marked this transaction as failing (is_valid = false): if it is accepted, its outputs do not happen and the collateral is taken instead.',
    );
    expect(v.warnings).toContain(
      `If its scripts fail, the collateral return of 10,000.000000 tADA goes to ${them.baseAddress}, which is not this wallet’s address.`,
    );
  });

  it('collateral without total collateral: the amount at risk is unknown, and said so', () => {
    const v = show(
      build({
        body: (b) => {
          const c = CSL.TransactionInputs.new();
          c.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(9)), 1));
          b.set_collateral(c);
        },
      }),
      {
        resolvedInputs: [
          { txHash: TXH(9), index: 1, address: me.baseAddress, value: { lovelace: '9000000000' } },
        ] satisfies ResolvedInput[],
      },
    );
    expect(v.rows('If its scripts fail instead (collateral)')[0]).toContain(
      'unknownall of its 1 collateral input(s): the transaction does not state how much they hold',
    );
    expect(v.section('The app’s claim about the inputs')).toContain('9,000.000000 tADA');
  });

  it('withdrawals: ours and another account’s', () => {
    const v = show(
      build({
        body: (b) => {
          const w = CSL.Withdrawals.new();
          w.insert(reward(me.rewardAddress), coin('4000000'));
          w.insert(reward(them.rewardAddress), coin('7000000'));
          b.set_withdrawals(w);
        },
      }),
    );
    expect(v.rows('From your rewards')).toEqual([`4.000000 tADA${me.rewardAddress}`]);
    expect(v.rows('From another account')).toEqual([`7.000000 tADA${them.rewardAddress}`]);
    expect(v.warnings).toContain('It withdraws rewards from an account that is not this wallet’s.');
  });

  const ourStake = () => cred(me.stakeKeyHash);
  const drepKey = () => CSL.DRep.new_key_hash(kh(them.paymentKeyHash));
  const DREP_ID = CSL.DRep.new_key_hash(kh(them.paymentKeyHash)).to_bech32(true);
  const C = CSL.Certificate;
  const certCases: [string, () => CSL.Certificate, string, string][] = [
    [
      'legacy stake registration',
      () => C.new_stake_registration(CSL.StakeRegistration.new(ourStake())),
      'Register a stake key',
      'for your stake key; deposit set by the ledger (not stated in the transaction)',
    ],
    [
      'Conway registration with deposit',
      () =>
        C.new_reg_cert(
          CSL.StakeRegistration.new_with_explicit_deposit(ourStake(), coin('2000000')),
        ),
      'Register a stake key',
      'for your stake key; deposit 2.000000 tADA',
    ],
    [
      'legacy deregistration',
      () => C.new_stake_deregistration(CSL.StakeDeregistration.new(ourStake())),
      'Deregister a stake key (stops staking rewards)',
      'for your stake key; refund set by the ledger',
    ],
    [
      'Conway deregistration with refund',
      () =>
        C.new_unreg_cert(
          CSL.StakeDeregistration.new_with_explicit_refund(ourStake(), coin('2000000')),
        ),
      'Deregister a stake key (stops staking rewards)',
      'for your stake key; refund 2.000000 tADA',
    ],
    [
      'delegation to a pool',
      () => C.new_stake_delegation(CSL.StakeDelegation.new(ourStake(), kh(POOL_HASH))),
      'Delegate stake to a pool',
      `for your stake key; pool ${POOL_ID}`,
    ],
    [
      'vote delegation to a DRep',
      () => C.new_vote_delegation(CSL.VoteDelegation.new(ourStake(), drepKey())),
      'Delegate votes to a DRep',
      `for your stake key; votes to DRep ${DREP_ID}`,
    ],
    [
      'vote delegation: always abstain',
      () =>
        C.new_vote_delegation(CSL.VoteDelegation.new(ourStake(), CSL.DRep.new_always_abstain())),
      'Delegate votes to a DRep',
      'for your stake key; votes: always abstain',
    ],
    [
      'vote delegation: always no confidence',
      () =>
        C.new_vote_delegation(
          CSL.VoteDelegation.new(ourStake(), CSL.DRep.new_always_no_confidence()),
        ),
      'Delegate votes to a DRep',
      'for your stake key; votes: always no confidence',
    ],
    [
      'stake + vote delegation',
      () =>
        C.new_stake_and_vote_delegation(
          CSL.StakeAndVoteDelegation.new(ourStake(), kh(POOL_HASH), drepKey()),
        ),
      'Delegate stake to a pool and votes to a DRep',
      `for your stake key; pool ${POOL_ID}; votes to DRep ${DREP_ID}`,
    ],
    [
      'registration + delegation',
      () =>
        C.new_stake_registration_and_delegation(
          CSL.StakeRegistrationAndDelegation.new(ourStake(), kh(POOL_HASH), coin('2000000')),
        ),
      'Register a stake key and delegate to a pool',
      `for your stake key; pool ${POOL_ID}; deposit 2.000000 tADA`,
    ],
    [
      'registration + vote delegation',
      () =>
        C.new_vote_registration_and_delegation(
          CSL.VoteRegistrationAndDelegation.new(
            ourStake(),
            CSL.DRep.new_always_abstain(),
            coin('2000000'),
          ),
        ),
      'Register a stake key and delegate votes to a DRep',
      'for your stake key; votes: always abstain; deposit 2.000000 tADA',
    ],
    [
      'registration + stake + vote delegation',
      () =>
        C.new_stake_vote_registration_and_delegation(
          CSL.StakeVoteRegistrationAndDelegation.new(
            ourStake(),
            kh(POOL_HASH),
            drepKey(),
            coin('2000000'),
          ),
        ),
      'Register a stake key, delegate to a pool and votes to a DRep',
      `for your stake key; pool ${POOL_ID}; votes to DRep ${DREP_ID}; deposit 2.000000 tADA`,
    ],
    [
      'DRep registration',
      () =>
        C.new_drep_registration(
          CSL.DRepRegistration.new_with_anchor(
            ourStake(),
            coin('500000000'),
            anchor('https://example.com/drep.json'),
          ),
        ),
      'Register as a DRep',
      'for your stake key; deposit 500.000000 tADA; anchor https://example.com/drep.json',
    ],
    [
      'DRep update',
      () => C.new_drep_update(CSL.DRepUpdate.new(cred(them.stakeKeyHash))),
      'Update DRep metadata',
      `for another party's key ${them.stakeKeyHash}`,
    ],
    [
      'DRep retirement',
      () => C.new_drep_deregistration(CSL.DRepDeregistration.new(ourStake(), coin('500000000'))),
      'Retire as a DRep',
      'for your stake key; refund 500.000000 tADA',
    ],
    [
      'committee hot key authorisation',
      () =>
        C.new_committee_hot_auth(
          CSL.CommitteeHotAuth.new(cred(them.paymentKeyHash), cred(them.stakeKeyHash)),
        ),
      'Authorise a constitutional committee hot key',
      `for another party's key ${them.paymentKeyHash}; hot key another party's key ${them.stakeKeyHash}`,
    ],
    [
      'committee cold resignation',
      () => C.new_committee_cold_resign(CSL.CommitteeColdResign.new(ourStake())),
      'Resign from the constitutional committee',
      'for your stake key',
    ],
    [
      'pool retirement',
      () => C.new_pool_retirement(CSL.PoolRetirement.new(kh(POOL_HASH), 300)),
      'Retire a stake pool',
      `for another party's key ${POOL_HASH}; pool ${POOL_ID}; in epoch 300`,
    ],
    [
      'pool registration with the rewards to another account',
      () => {
        const owners = CSL.Ed25519KeyHashes.new();
        owners.add(kh(me.stakeKeyHash));
        return C.new_pool_registration(
          CSL.PoolRegistration.new(
            CSL.PoolParams.new(
              kh(POOL_HASH),
              CSL.VRFKeyHash.from_hex('11'.repeat(32)),
              coin('1000000000'),
              coin('340000000'),
              CSL.UnitInterval.new(coin('1'), coin('100')),
              reward(them.rewardAddress),
              owners,
              CSL.Relays.new(),
              undefined,
            ),
          ),
        );
      },
      'Register or update a stake pool',
      `pool ${POOL_ID}; deposit set by the ledger (not stated in the transaction); pledge 1,000.000000 tADA, cost 340.000000 tADA, margin 1/100; rewards to ${them.rewardAddress}; owners: your stake key`,
    ],
  ];

  it.each(certCases)('certificate: %s', (_name, make, label, value) => {
    const v = show(
      build({
        body: (b) => {
          const cs = CSL.Certificates.new();
          cs.add(make());
          b.set_certs(cs);
        },
      }),
    );
    expect(v.rows(label)).toEqual([value]);
  });

  it('certificate deposits are in the headline; a foreign credential is warned about', () => {
    const v = show(
      build({
        body: (b) => {
          const cs = CSL.Certificates.new();
          cs.add(
            C.new_drep_registration(
              CSL.DRepRegistration.new(cred(them.stakeKeyHash), coin('500000000')),
            ),
          );
          b.set_certs(cs);
        },
      }),
    );
    expect(v.rows('Total')[0]).toBe(
      '502.170000 tADAto others 2.000000 tADA + network fee 0.170000 tADA + deposits 500.000000 tADA',
    );
    expect(v.warnings).toContain('A certificate is for a key or script that is not this wallet’s.');
  });

  it('an anchor link with hidden characters is written out and flagged', () => {
    const v = show(
      build({
        body: (b) => {
          const cs = CSL.Certificates.new();
          cs.add(
            C.new_drep_update(
              CSL.DRepUpdate.new_with_anchor(
                ourStake(),
                anchor('https://example.com/\u202egpj.exe'),
              ),
            ),
          );
          b.set_certs(cs);
        },
      }),
    );
    expect(v.rows('Update DRep metadata')).toEqual([
      'for your stake key; anchor https://example.com/⟨U+202E⟩gpj.exe (hidden characters in the link)',
    ]);
  });

  it('a proposal with a 100,000 ADA deposit refunded to the attacker’s account', () => {
    const v = show(
      build({
        body: (b) => {
          const ps = CSL.VotingProposals.new();
          const tw = CSL.TreasuryWithdrawals.new();
          tw.insert(reward(them.rewardAddress), coin('1000000000000'));
          ps.add(
            CSL.VotingProposal.new(
              CSL.GovernanceAction.new_treasury_withdrawals_action(
                CSL.TreasuryWithdrawalsAction.new(tw),
              ),
              anchor('https://example.com/p.json'),
              reward(them.rewardAddress),
              coin('100000000000'),
            ),
          );
          b.set_voting_proposals(ps);
        },
      }),
    );
    expect(v.rows('Total')[0]).toBe(
      '100,002.170000 tADAto others 2.000000 tADA + network fee 0.170000 tADA + deposits 100,000.000000 tADA',
    );
    expect(v.rows('Proposal: treasury withdrawals')).toEqual([
      `deposit 100,000.000000 tADA; returned to ${them.rewardAddress} (NOT this wallet’s); pays 1,000,000.000000 tADA from the treasury to ${them.rewardAddress}anchor https://example.com/p.json`,
    ]);
    expect(v.warnings).toContain(
      `It makes a governance proposal (treasury withdrawals) with a deposit of 100,000.000000 tADA, returned to ${them.rewardAddress}, which is NOT this wallet’s account.`,
    );
  });

  it('votes: voter, action and choice', () => {
    const v = show(
      build({
        body: (b) => {
          const vp = CSL.VotingProcedures.new();
          vp.insert(
            CSL.Voter.new_drep_credential(ourStake()),
            CSL.GovernanceActionId.new(CSL.TransactionHash.from_hex(TXH(7)), 3),
            CSL.VotingProcedure.new(CSL.VoteKind.Yes),
          );
          vp.insert(
            CSL.Voter.new_stake_pool_key_hash(kh(POOL_HASH)),
            CSL.GovernanceActionId.new(CSL.TransactionHash.from_hex(TXH(8)), 0),
            CSL.VotingProcedure.new(CSL.VoteKind.No),
          );
          b.set_voting_procedures(vp);
        },
      }),
    );
    expect(v.rows('Vote YES')).toEqual([`on action ${TXH(7)}#3as drep your stake key`]);
    expect(v.rows('Vote NO')).toEqual([
      `on action ${TXH(8)}#0as stake pool another party's key ${POOL_HASH}`,
    ]);
    expect(v.warnings).toContain('It casts 2 governance vote(s): read them below.');
  });

  it('a treasury donation is in the headline', () => {
    const v = show(build({ body: (b) => b.set_donation(coin('3000000')) }));
    expect(v.rows('Total')[0]).toBe(
      '5.170000 tADAto others 2.000000 tADA + network fee 0.170000 tADA + treasury donation 3.000000 tADA',
    );
    expect(v.rows('Treasury donation')).toEqual(['3.000000 tADA']);
  });

  it('mint and burn: policy, printable names as text, others as hex', () => {
    const v = show(
      build({
        body: (b) => {
          const m = CSL.Mint.new();
          const a = CSL.MintAssets.new();
          a.insert(CSL.AssetName.new(Buffer.from('TRINE')), CSL.Int.from_str('5'));
          a.insert(CSL.AssetName.new(unhex('ff00')), CSL.Int.from_str('-3'));
          a.insert(CSL.AssetName.new(Buffer.from('ADA\u200b')), CSL.Int.from_str('1'));
          m.insert(CSL.ScriptHash.from_hex(POLICY), a);
          b.set_mint(m);
        },
      }),
    );
    const mint = v.section('Mint / burn');
    expect(mint).toContain('TRINE · policy abababab…ababab+5');
    expect(mint).toContain('0xff00 · policy abababab…ababab−3');
    expect(mint).toContain('0x414441e2808b · policy abababab…ababab+1');
    expect(v.warnings).toContain('It mints or burns tokens.');
  });

  it('reference inputs, inline datums, datum hashes and reference scripts per output', () => {
    const withDatum = output(them.baseAddress, '2000000');
    withDatum.set_plutus_data(CSL.PlutusData.new_integer(CSL.BigInt.from_str('42')));
    const withHash = output(them.baseAddress, '2000000');
    withHash.set_data_hash(CSL.DataHash.from_hex('dd'.repeat(32)));
    const script = CSL.NativeScript.new_script_pubkey(
      CSL.ScriptPubkey.new(kh(them.paymentKeyHash)),
    );
    const withScript = output(them.baseAddress, '2000000');
    withScript.set_script_ref(CSL.ScriptRef.new_native_script(script));
    const v = show(
      build({
        outputs: [withDatum, withHash, withScript],
        body: (b) => {
          const r = CSL.TransactionInputs.new();
          r.add(CSL.TransactionInput.new(CSL.TransactionHash.from_hex(TXH(5)), 2));
          b.set_reference_inputs(r);
        },
      }),
    );
    expect(v.rows('To (output 1)')[0]).toContain('with inline datum');
    expect(v.rows('To (output 2)')[0]).toContain(`with datum hash ${'dd'.repeat(32)}`);
    expect(v.rows('To (output 3)')[0]).toContain(
      `with reference script (native, ${script.hash().to_hex()})`,
    );
    expect(v.rows('Reference inputs (read, not spent)')).toEqual([`${TXH(5)}#2`]);
  });

  it('required signers: the wallet’s keys by name, others as another party’s', () => {
    const v = show(
      build({
        body: (b) => {
          const rs = CSL.Ed25519KeyHashes.new();
          rs.add(kh(me.paymentKeyHash));
          rs.add(kh(me.stakeKeyHash));
          rs.add(kh(them.paymentKeyHash));
          b.set_required_signers(rs);
        },
      }),
    );
    expect(v.rows('This wallet')).toEqual(['your payment key', 'your stake key']);
    expect(v.rows('Another party')).toEqual([`another party's key ${them.paymentKeyHash}`]);
    expect(v.warnings).toContain('It names a required signer that is not this wallet’s key.');
  });

  it('unclassifiable elements are shown as such with a warning, never hidden', () => {
    // CSL will not build an output to an unknown address header, but it reads one: build
    // with an enterprise address (header 0x60) and patch the header to 0x90 (type 9).
    const placeholder = CSL.EnterpriseAddress.new(0, cred('03'.repeat(28)))
      .to_address()
      .to_bech32();
    const built = build({
      outputs: [output(them.baseAddress, '2000000'), output(placeholder, '1000000')],
      body: (b) => {
        const updates = CSL.ProposedProtocolParameterUpdates.new();
        const pp = CSL.ProtocolParamUpdate.new();
        pp.set_max_tx_size(1);
        updates.insert(CSL.GenesisHash.from_hex('12'.repeat(28)), pp);
        b.set_update(CSL.Update.new(updates, 500));
        const cs = CSL.Certificates.new();
        cs.add(
          C.new_genesis_key_delegation(
            CSL.GenesisKeyDelegation.new(
              CSL.GenesisHash.from_hex('12'.repeat(28)),
              CSL.GenesisDelegateHash.from_hex('34'.repeat(28)),
              CSL.VRFKeyHash.from_hex('56'.repeat(32)),
            ),
          ),
        );
        b.set_certs(cs);
      },
    });
    const patched = built.replace(`581d60${'03'.repeat(28)}`, `581d90${'03'.repeat(28)}`);
    expect(patched).not.toBe(built);
    const v = show(patched);
    const section = v.section('Not understood by the wallet');
    expect(section).toContain('output 2an address the wallet cannot read (bytes 90');
    expect(section).toContain('body field 6a protocol-parameter update proposal');
    expect(section).toContain('certificate 1a genesis key delegation certificate');
    expect(v.warnings.filter((w) => w.startsWith('Not understood:'))).toHaveLength(3);
    // The malformed output still counts as paid out.
    expect(v.rows('Total')[0]).toMatch(/^3\.170000 tADA/);
  });

  it('a body field the decoder does not know is refused outright (TX_MALFORMED), not skipped', () => {
    const good = build();
    // Body map a3 → a4 with key 99 appended before the witness set.
    const tx = Buffer.from(unhex(good));
    expect(tx[1]).toBe(0xa3);
    const body = CSL.FixedTransaction.from_hex(good).raw_body();
    const patched = Buffer.concat([
      Buffer.from([0x84, 0xa4]),
      Buffer.from(body.slice(1)),
      Buffer.from([0x18, 0x63, 0x01]),
      Buffer.from(tx.subarray(1 + body.length)),
    ]).toString('hex');
    expect(() => show(patched)).toThrow(expect.objectContaining({ code: 'TX_MALFORMED' }));
  });

  it('host-resolved inputs are shown as the app’s claim, apart from the headline', () => {
    const v = show(
      build({
        outputs: [output(them.baseAddress, '2000000'), output(me.baseAddress, '7830000')],
      }),
      {
        resolvedInputs: [
          { txHash: TXH(1), index: 0, address: me.baseAddress, value: { lovelace: '10000000' } },
        ],
      },
    );
    const claim = v.section('The app’s claim about the inputs');
    expect(claim).toContain('The app looked these up; the transaction does not contain them');
    expect(v.rows('Your balance change, if the app is right')).toEqual([
      '−2.170000 tADAfee included',
    ]);
    expect(v.rows('Input 1')[0]).toContain(`at ${me.baseAddress} (this wallet’s address)`);
    // The headline does not depend on the claim.
    expect(v.headline).not.toContain('10.000000 tADA');
    expect(v.rows('Total')[0]).toMatch(/^2\.170000 tADA/);
  });

  it('a lying host cannot change the headline', () => {
    const tx = build({ outputs: [output(them.baseAddress, '10000000000')] });
    const honest = show(tx);
    const lie = show(tx, {
      resolvedInputs: [
        { txHash: TXH(1), index: 0, address: them.baseAddress, value: { lovelace: '1' } },
      ],
    });
    expect(lie.rows('Total')).toEqual(honest.rows('Total'));
    expect(lie.warnings).toContain(
      'The app says 1 input(s) are not this wallet’s; other parties must sign too.',
    );
  });
});
