//! Program cycles (issue 20), written once for the pages and the CLI: eligibility rules
//! (draft, count in scope, publish), cycles through their states, enrolment from the
//! registry in scope or by hand with a reason, approval that re-checks eligibility and
//! freezes amounts, the bank payment batch, the bank's results, notes, exits and the donor
//! report's figures.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use sinergi_core::cycle::{
    AmountRule, CycleAction, CycleState, EnrolSource, EntitlementState, PaymentResult, SchoolLevel,
    VerificationStep, may_run_cycles, may_see_beneficiary_names, steps_not_passed,
};
use sinergi_core::eligibility::{Facts, Outcome, Rule, RuleCase, Verdict, check_publish};
use sinergi_core::{Localized, Msg, Viewer};
use sinergi_store::{
    ApprovalDecision, Candidate, CycleFigures, CycleRecord, DuplicatePair, EntitlementRecord,
    HeldRecord, MemberRecord, NewCycle, NewDuplicate, NewMember, NewNote, NoteRecord, RuleRecord,
    Store,
};

use crate::ActivityError;

/// Registry rows read per query while counting or enrolling.
const CHUNK: i64 = 20_000;

fn refused(msg: Msg) -> ActivityError {
    ActivityError::Refused(msg)
}

/// Stores a new draft rule after parsing it and its cases.
pub async fn create_rule(
    store: &Store,
    viewer: &Viewer,
    program_id: i64,
    text: &str,
    cases: &[RuleCase],
) -> Result<i64, ActivityError> {
    let rule = Rule::parse(text).map_err(refused)?;
    Ok(store
        .scoped(viewer)
        .create_rule(program_id, rule.text(), cases)
        .await?)
}

/// Adds a test case to a draft rule.
pub async fn add_rule_case(
    store: &Store,
    viewer: &Viewer,
    rule_id: i64,
    case: &RuleCase,
) -> Result<(), ActivityError> {
    if case.label.trim().is_empty() {
        return Err(refused(Msg::new("cycles.case_label_required")));
    }
    Ok(store.scoped(viewer).add_rule_case(rule_id, case).await?)
}

/// A program's cycles page: its rules and cycles, and whether the viewer may run them.
#[derive(Debug, Clone)]
pub struct CyclesOverview {
    pub program_name: String,
    pub program_start: NaiveDate,
    pub rules: Vec<RuleRecord>,
    pub cycles: Vec<CycleRecord>,
    pub may_run: bool,
    /// Per rule (same order as `rules`), whether each test case agrees with the rule.
    pub case_results: Vec<Vec<bool>>,
}

/// The cycles overview of program `program_id`; `None` when the viewer does not see it.
pub async fn cycles_overview(
    store: &Store,
    viewer: &Viewer,
    program_id: i64,
) -> Result<Option<CyclesOverview>, ActivityError> {
    let scoped = store.scoped(viewer);
    let Some(program) = scoped.program(program_id).await? else {
        return Ok(None);
    };
    let rules = scoped.rules(program_id).await?;
    let case_results = rules
        .iter()
        .map(|r| {
            let parsed = sinergi_core::eligibility::Rule::parse(&r.expression).ok();
            r.cases
                .iter()
                .map(|c| {
                    parsed.as_ref().is_some_and(|p| {
                        p.evaluate(&c.facts, program.input.start).is_eligible() == c.expected
                    })
                })
                .collect()
        })
        .collect();
    Ok(Some(CyclesOverview {
        may_run: may_run_cycles(viewer, &program),
        case_results,
        rules,
        cycles: scoped.cycles(program_id).await?,
        program_name: program.input.name,
        program_start: program.input.start,
    }))
}

/// How a rule fares over the people in scope.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct RuleCount {
    pub checked: i64,
    pub matched: i64,
    pub undecided: i64,
}

/// Evaluates `rule` over every person of the registry `viewer` sees (optionally under one
/// region); `start` is the day ages are taken on. A rule the store can translate is counted
/// in one query; any other is read chunk by chunk so memory stays flat.
pub async fn evaluate_in_scope(
    store: &Store,
    viewer: &Viewer,
    rule: &Rule,
    start: NaiveDate,
    region: Option<&str>,
) -> Result<RuleCount, ActivityError> {
    if let Some(lowered) = rule.lowered()
        && let Some((checked, matched, undecided)) = store
            .scoped(viewer)
            .count_rule_in_sql(lowered, start, region)
            .await?
    {
        return Ok(RuleCount {
            checked,
            matched,
            undecided,
        });
    }
    evaluate_rows_in_scope(store, viewer, rule, start, region).await
}

/// [`evaluate_in_scope`] by reading the registry rows and evaluating each person.
pub async fn evaluate_rows_in_scope(
    store: &Store,
    viewer: &Viewer,
    rule: &Rule,
    start: NaiveDate,
    region: Option<&str>,
) -> Result<RuleCount, ActivityError> {
    let scoped = store.scoped(viewer);
    let rule = rule.at(start);
    let mut count = RuleCount::default();
    let mut after = 0;
    loop {
        let chunk = scoped
            .registry_candidates(None, region, after, CHUNK)
            .await?;
        let Some(last) = chunk.last() else { break };
        after = last.person_id;
        for c in &chunk {
            count.checked += 1;
            match rule.outcome(&c.facts) {
                Outcome::Eligible => count.matched += 1,
                Outcome::NotEligible => {}
                Outcome::Undecided => count.undecided += 1,
            }
        }
    }
    Ok(count)
}

/// Counts a draft rule over the people in scope (ages on the program's first day) and keeps
/// the count with the rule: it is shown before the rule may be published.
pub async fn count_rule(
    store: &Store,
    viewer: &Viewer,
    rule_id: i64,
) -> Result<RuleCount, ActivityError> {
    let scoped = store.scoped(viewer);
    let record = scoped
        .rule(rule_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let program = scoped
        .program(record.program_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let rule = Rule::parse(&record.expression).map_err(refused)?;
    let count = evaluate_in_scope(store, viewer, &rule, program.input.start, None).await?;
    scoped
        .record_rule_count(rule_id, count.matched, count.checked)
        .await?;
    Ok(count)
}

/// Publishes a draft: its test cases must pass and its count must have been taken.
pub async fn publish_rule(
    store: &Store,
    viewer: &Viewer,
    rule_id: i64,
) -> Result<(), ActivityError> {
    let scoped = store.scoped(viewer);
    let record = scoped
        .rule(rule_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let program = scoped
        .program(record.program_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let rule = Rule::parse(&record.expression).map_err(refused)?;
    check_publish(&rule, &record.cases, program.input.start).map_err(refused)?;
    scoped.publish_rule(rule_id).await?;
    Ok(())
}

/// Creates a draft cycle.
pub async fn create_cycle(
    store: &Store,
    viewer: &Viewer,
    new: &NewCycle,
) -> Result<i64, ActivityError> {
    Ok(store.scoped(viewer).create_cycle(new).await?)
}

/// What a person's file adds to the registry's facts (school, level, disability), by person.
pub type ExtraFacts = HashMap<i64, Facts>;

fn merge(mut base: Facts, extra: Option<&Facts>) -> Facts {
    if let Some(e) = extra {
        base.in_school = e.in_school.or(base.in_school);
        base.level = e.level.or(base.level);
        base.disability = e.disability.or(base.disability);
        base.desil = e.desil.or(base.desil);
        if !e.programs.is_empty() {
            base.programs = e.programs.clone();
        }
    }
    base
}

/// How an enrolment went.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Enrolment {
    pub checked: u64,
    pub added: u64,
    pub not_eligible: u64,
    pub undecided: u64,
    /// Eligible, but left out: they exited the program in an earlier cycle.
    pub exited_before: u64,
    /// Pairs of beneficiaries perhaps one person, waiting for the partner's decision
    /// (the whole cycle's, after this enrolment).
    pub duplicates_pending: u64,
    /// Beneficiaries already receiving the same aid type from another partner.
    pub double_aid: u64,
}

/// What enrolment's checks found over a draft cycle.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct EnrolmentChecks {
    pub duplicates_pending: u64,
    pub double_aid: u64,
}

/// Enrolment's two checks over a draft cycle, run after every enrolment: the linkage engine
/// (`double_aid::link_people`, the person preset) over the cycle's people and the records
/// other partners hold of aid of the program's type in the same kecamatans. A pair of the
/// cycle's own beneficiaries at or above the preset's review floor waits for the partner's
/// decision ([`decide_duplicate`]); a beneficiary linked at or above the threshold to
/// another partner's record is flagged with that partner's name, the double-aid check's
/// held-list path.
pub async fn check_enrolment(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
) -> Result<EnrolmentChecks, ActivityError> {
    use crate::double_aid::link_people;
    use sinergi_core::program::AidType;
    let scoped = store.scoped(viewer);
    let cycle = scoped
        .cycle(cycle_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let program = scoped
        .program(cycle.program_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let people = scoped.cycle_people(cycle_id).await?;
    let elsewhere: Vec<(String, HeldRecord)> = scoped
        .aid_elsewhere(cycle_id)
        .await?
        .into_iter()
        .filter(|(_, r)| {
            r.aid_type
                .as_deref()
                .and_then(AidType::lookup)
                .is_some_and(|t| t == program.input.aid_type)
        })
        .collect();
    let n = people.len();
    let records: Vec<&HeldRecord> = people
        .iter()
        .chain(elsewhere.iter().map(|(_, r)| r))
        .collect();
    let floor = sinergi_link::Settings::person_preset().review_floor;
    let linked = link_people(&records, floor);
    let mut pairs = Vec::new();
    let mut flags: BTreeMap<i64, std::collections::BTreeSet<String>> = BTreeMap::new();
    for p in &linked.pairs {
        match (p.a < n, p.b < n) {
            (true, true) => pairs.push(NewDuplicate {
                member_a: people[p.a].line,
                member_b: people[p.b].line,
                probability: p.probability,
            }),
            (true, false) if p.probability >= linked.threshold => {
                flags
                    .entry(people[p.a].line)
                    .or_default()
                    .insert(elsewhere[p.b - n].0.clone());
            }
            _ => {}
        }
    }
    let flags: Vec<(i64, Vec<String>)> = flags
        .into_iter()
        .map(|(m, o)| (m, o.into_iter().collect()))
        .collect();
    let duplicates_pending = scoped.record_cycle_checks(cycle_id, &pairs, &flags).await?;
    Ok(EnrolmentChecks {
        duplicates_pending,
        double_aid: flags.len() as u64,
    })
}

/// The pairs [`check_enrolment`] found in a cycle, waiting ones first (by name: not for the
/// board).
pub async fn cycle_duplicates(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
) -> Result<Vec<DuplicatePair>, ActivityError> {
    Ok(store.scoped(viewer).cycle_duplicates(cycle_id).await?)
}

/// Decides a pair found by [`check_enrolment`]: one person (`same`: the later record leaves
/// the list) or two people (both stay).
pub async fn decide_duplicate(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
    pair_id: i64,
    same: bool,
) -> Result<(), ActivityError> {
    Ok(store
        .scoped(viewer)
        .decide_duplicate(cycle_id, pair_id, same)
        .await?)
}

async fn rule_of(
    store: &Store,
    viewer: &Viewer,
    cycle: &CycleRecord,
) -> Result<Option<Rule>, ActivityError> {
    let Some(rule_id) = cycle.rule_id else {
        return Ok(None);
    };
    let record = store
        .scoped(viewer)
        .rule(rule_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    Ok(Some(Rule::parse(&record.expression).map_err(refused)?))
}

/// Enrols the people of the registry in scope (one stored list, or under one region) whom
/// the cycle's rule finds eligible; `extra` supplies facts the registry does not hold.
pub async fn enrol_from_registry(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
    list_id: Option<i64>,
    region: Option<&str>,
    extra: &ExtraFacts,
) -> Result<Enrolment, ActivityError> {
    let scoped = store.scoped(viewer);
    let cycle = scoped
        .cycle(cycle_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    if !cycle.state.list_open() {
        return Err(refused(
            Msg::new("cycles.state_refused").arg_msg("state", cycle.state.label()),
        ));
    }
    let rule = rule_of(store, viewer, &cycle).await?;
    let bound = rule.as_ref().map(|r| r.at(cycle.start));
    let source = match list_id {
        Some(id) => EnrolSource::List(id),
        None => EnrolSource::Registry,
    };
    let mut out = Enrolment::default();
    let mut after = 0;
    loop {
        let chunk = scoped
            .registry_candidates(list_id, region, after, CHUNK)
            .await?;
        let Some(last) = chunk.last() else { break };
        after = last.person_id;
        let mut members = Vec::new();
        for c in chunk {
            out.checked += 1;
            let facts = merge(c.facts, extra.get(&c.person_id));
            let outcome = match &bound {
                Some(r) => r.outcome(&facts),
                None => Outcome::Eligible,
            };
            match outcome {
                Outcome::Eligible => members.push(NewMember {
                    candidate: Candidate { facts, ..c },
                    source: source.clone(),
                    verdict: Verdict::Eligible,
                }),
                Outcome::NotEligible => out.not_eligible += 1,
                Outcome::Undecided => out.undecided += 1,
            }
        }
        let written = scoped.enrol(cycle_id, &members).await?;
        out.added += written.added;
        out.exited_before += written.exited_before;
    }
    let checks = check_enrolment(store, viewer, cycle_id).await?;
    out.duplicates_pending = checks.duplicates_pending;
    out.double_aid = checks.double_aid;
    Ok(out)
}

/// Adds one person of the registry by hand, whatever the rule says, with the reason.
pub async fn enrol_manually(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
    person_id: i64,
    facts: Option<&Facts>,
    reason: &str,
) -> Result<Verdict, ActivityError> {
    let source = EnrolSource::Manual {
        reason: reason.to_string(),
    };
    source.check().map_err(refused)?;
    let scoped = store.scoped(viewer);
    let cycle = scoped
        .cycle(cycle_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let candidate = scoped
        .registry_candidates(None, None, person_id - 1, 1)
        .await?
        .into_iter()
        .find(|c| c.person_id == person_id)
        .ok_or(ActivityError::Forbidden)?;
    let facts = merge(candidate.facts.clone(), facts);
    let verdict = match rule_of(store, viewer, &cycle).await? {
        Some(r) => r.evaluate(&facts, cycle.start),
        None => Verdict::Eligible,
    };
    scoped
        .enrol(
            cycle_id,
            &[NewMember {
                candidate: Candidate { facts, ..candidate },
                source,
                verdict: verdict.clone(),
            }],
        )
        .await?;
    check_enrolment(store, viewer, cycle_id).await?;
    Ok(verdict)
}

/// Each beneficiary's verification records, in the order they were made (step, passed).
pub type Verifications = HashMap<i64, Vec<(VerificationStep, bool)>>;

/// The verification records of a cycle's notes, by beneficiary.
pub fn verifications(notes: &[NoteRecord]) -> Verifications {
    let mut out = Verifications::new();
    for n in notes.iter().filter(|n| n.kind == "verifikasi") {
        if let (Some(step), Some(passed)) = (n.step, n.passed) {
            out.entry(n.member_id).or_default().push((step, passed));
        }
    }
    out
}

/// The note kept with a beneficiary left out at approval because steps did not pass.
const NOT_VERIFIED: &str = "verifikasi:";

/// A beneficiary's approval note in the user's language: the steps it had not passed, or
/// the rule's own words.
pub fn approval_note(note: &str) -> Msg {
    match note.strip_prefix(NOT_VERIFIED) {
        Some(steps) => Msg::new("cycles.not_verified").arg_list(
            "steps",
            VerificationStep::split(steps)
                .unwrap_or_default()
                .into_iter()
                .map(VerificationStep::label)
                .collect(),
        ),
        None => match note.strip_prefix(DUPLICATE) {
            Some(of) => Msg::new("cycles.duplicate_left_out").arg("member", of),
            None => Msg::new("cycles.verdict_note").arg("note", note),
        },
    }
}

/// The note kept with a beneficiary left out at approval as another's duplicate.
const DUPLICATE: &str = "duplikat:";

/// The decisions at approval, pure: each beneficiary is re-checked against the rule on the
/// facts it was enrolled with (a manual addition keeps its place, its reason on record),
/// must have passed every verification step of the cycle (the latest record of each step
/// counts), and is priced by the amount rule; exited, unverified or unpriceable
/// beneficiaries are left out.
pub fn approval_decisions(
    members: &[MemberRecord],
    rule: Option<&Rule>,
    amount: &AmountRule,
    start: NaiveDate,
    steps: &[VerificationStep],
    verified: &Verifications,
) -> Vec<ApprovalDecision> {
    members
        .iter()
        .map(|m| {
            let missing = steps_not_passed(
                steps,
                verified.get(&m.id).map(Vec::as_slice).unwrap_or_default(),
            );
            let mut verdict = match rule {
                Some(r) => r.evaluate(&m.facts, start),
                None => Verdict::Eligible,
            };
            let manual = m.source == "manual";
            let priced = amount.per_tranche(m.facts.level);
            let keep = (verdict.is_eligible() || manual)
                && m.exit_kind.is_none()
                && m.duplicate_of.is_none()
                && missing.is_empty();
            let note = match m.duplicate_of {
                Some(of) => Some(format!("{DUPLICATE}{of}")),
                None => (!missing.is_empty())
                    .then(|| format!("{NOT_VERIFIED}{}", VerificationStep::join(&missing))),
            };
            let amount = match (keep, priced) {
                (true, Ok(a)) => Some(a),
                (true, Err(_)) => {
                    verdict = Verdict::Undecided("jenjang tidak diketahui".into());
                    None
                }
                (false, _) => None,
            };
            ApprovalDecision {
                member_id: m.id,
                verdict,
                amount,
                note,
            }
        })
        .collect()
}

/// Takes `action` on a cycle; approval re-checks eligibility and freezes list and amounts.
pub async fn act_on_cycle(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
    action: CycleAction,
) -> Result<CycleState, ActivityError> {
    let scoped = store.scoped(viewer);
    if action != CycleAction::Approve {
        return Ok(scoped.move_cycle(cycle_id, action).await?);
    }
    let cycle = scoped
        .cycle(cycle_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let rule = rule_of(store, viewer, &cycle).await?;
    let (members, notes) = scoped.cycle_members_and_notes(cycle_id).await?;
    let verified = verifications(&notes);
    let decisions = approval_decisions(
        &members,
        rule.as_ref(),
        &cycle.amount,
        cycle.start,
        &cycle.steps,
        &verified,
    );
    scoped.approve_cycle(cycle_id, &decisions).await?;
    Ok(CycleState::Approved)
}

/// Records a verification step, mentoring note or grievance about one beneficiary.
pub async fn add_note(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
    note: &NewNote,
) -> Result<i64, ActivityError> {
    Ok(store.scoped(viewer).add_cycle_note(cycle_id, note).await?)
}

/// Records a beneficiary's exit (lulus, pindah, berhenti) with its reason.
pub async fn exit_member(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
    member_id: i64,
    kind: &str,
    reason: &str,
    on: NaiveDate,
) -> Result<(), ActivityError> {
    Ok(store
        .scoped(viewer)
        .exit_member(cycle_id, member_id, kind, reason, on)
        .await?)
}

/// The bank-upload layout of a payment batch: one row per unpaid entitlement of a tranche.
pub const PAYMENT_COLUMNS: [&str; 7] = [
    "id_hak",
    "nama_penerima",
    "nik",
    "wilayah",
    "tahap",
    "jumlah_rp",
    "keterangan",
];

/// The payment batch of one tranche (entitlements not yet paid), as rows of
/// [`PAYMENT_COLUMNS`]; the face writes them through its export module.
pub async fn payment_batch(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
    tranche: i64,
) -> Result<Vec<Vec<String>>, ActivityError> {
    let scoped = store.scoped(viewer);
    let cycle = scoped
        .cycle(cycle_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    if !cycle.state.entitlements_payable() {
        return Err(refused(
            Msg::new("cycles.not_payable").arg_msg("state", cycle.state.label()),
        ));
    }
    let rows = scoped.entitlements(cycle_id, Some(tranche)).await?;
    Ok(rows
        .into_iter()
        .filter(|e| e.state != EntitlementState::Paid)
        .map(|e| {
            vec![
                e.id.to_string(),
                e.name,
                e.nik_masked.unwrap_or_default(),
                e.region,
                e.tranche.to_string(),
                e.amount.to_string(),
                format!("{} tahap {}", cycle.name, e.tranche),
            ]
        })
        .collect())
}

/// How a payment-result file went.
#[derive(Debug, Default)]
pub struct PaymentImport {
    pub updated: u64,
    pub paid: u64,
    pub failed: u64,
    /// Refused rows by line, with the reason.
    pub rejected: Vec<(usize, Msg)>,
}

/// Reads the bank's result file (CSV/XLSX through the intake path: `id_hak`, `status`
/// paid/failed, `keterangan` reference or reason) and updates each entitlement.
pub async fn import_payment_results(
    store: &Store,
    viewer: &Viewer,
    cycle_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<PaymentImport, ActivityError> {
    let table = sinergi_intake::read_table_bytes(file_name, bytes).map_err(|e| refused(e.msg()))?;
    let (Some(ids), Some(status)) = (table.column("id_hak"), table.column("status")) else {
        return Err(refused(Msg::new("cycles.result_columns")));
    };
    let detail = table.column("keterangan");
    let mut out = PaymentImport::default();
    let mut results = Vec::new();
    for row in 0..table.rows() {
        let line = row + 2;
        let Ok(id) = ids.get(row).trim().parse::<i64>() else {
            out.rejected.push((
                line,
                Msg::new("cycles.result_id_invalid").arg("value", ids.get(row)),
            ));
            continue;
        };
        let note = detail.map(|d| d.get(row)).unwrap_or("");
        match PaymentResult::parse(status.get(row), note) {
            Ok(r) => {
                match r {
                    PaymentResult::Paid { .. } => out.paid += 1,
                    PaymentResult::Failed { .. } => out.failed += 1,
                }
                results.push((id, r));
            }
            Err(m) => out.rejected.push((line, m)),
        }
    }
    let (updated, unknown) = store
        .scoped(viewer)
        .record_payments(cycle_id, &results)
        .await?;
    out.updated = updated;
    for id in unknown {
        out.rejected
            .push((0, Msg::new("cycles.result_unknown").arg("value", id)));
    }
    Ok(out)
}

/// Beneficiaries shown per page of a cycle.
pub const MEMBERS_PER_PAGE: i64 = 50;

/// Where a page of a cycle's beneficiaries starts (keyset on the beneficiary's id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberCursor {
    /// The beneficiaries after this id …
    pub after: Option<i64>,
    /// … or the ones before it.
    pub before: Option<i64>,
}

/// One cycle as its page shows it: one page of beneficiaries (with their entitlements and
/// notes) by name only for a viewer who may see names, the figures for everyone who sees
/// the cycle.
#[derive(Debug, Clone)]
pub struct CycleView {
    pub cycle: CycleRecord,
    pub by_name: bool,
    /// The viewer may act on the cycle (enrol, verify, move, pay, note).
    pub may_run: bool,
    pub members: Vec<MemberRecord>,
    /// The verification steps each beneficiary (by id) has not passed yet.
    pub pending: HashMap<i64, Vec<VerificationStep>>,
    pub entitlements: Vec<EntitlementRecord>,
    /// Mentoring notes, grievances and failed verifications (passed ones are the ticks).
    pub notes: Vec<NoteRecord>,
    pub tally: DonorTally,
    /// Pairs of beneficiaries perhaps one person (enrolment's linkage), waiting ones first.
    pub duplicates: Vec<DuplicatePair>,
    /// The first beneficiary id shown, when beneficiaries lie before this page.
    pub before: Option<i64>,
    /// The last beneficiary id shown, when beneficiaries lie after this page.
    pub after: Option<i64>,
    /// This is the first page.
    pub at_start: bool,
}

/// Cycle `cycle_id` of program `program_id`, its beneficiaries from `cursor` on; `None`
/// when the viewer does not see it or it belongs to another program.
pub async fn cycle_view(
    store: &Store,
    viewer: &Viewer,
    program_id: i64,
    cycle_id: i64,
    cursor: MemberCursor,
) -> Result<Option<CycleView>, ActivityError> {
    let scoped = store.scoped(viewer);
    let Some(cycle) = scoped
        .cycle(cycle_id)
        .await?
        .filter(|c| c.program_id == program_id)
    else {
        return Ok(None);
    };
    let by_name = may_see_beneficiary_names(viewer);
    let (members, more) = if by_name {
        scoped
            .cycle_members_page(cycle_id, cursor.after, cursor.before, MEMBERS_PER_PAGE)
            .await?
    } else {
        (Vec::new(), false)
    };
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let (entitlements, notes) = if by_name {
        scoped.cycle_members_detail(cycle_id, &ids).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let at_start = cursor == MemberCursor::default() || (cursor.before.is_some() && !more);
    let rows_after = if cursor.before.is_some() { true } else { more };
    let (first, last) = (ids.first().copied(), ids.last().copied());
    let verified = verifications(&notes);
    let pending = members
        .iter()
        .map(|m| {
            let records = verified.get(&m.id).map(Vec::as_slice).unwrap_or_default();
            (m.id, steps_not_passed(&cycle.steps, records))
        })
        .collect();
    // Passed verifications show as the beneficiary's tick; the page lists the rest.
    let notes = notes
        .into_iter()
        .filter(|n| !(n.kind == "verifikasi" && n.passed == Some(true)))
        .collect();
    let may_run = match scoped.program(program_id).await? {
        Some(p) => may_run_cycles(viewer, &p),
        None => false,
    };
    let tally = DonorTally::from_figures(&scoped.cycle_figures(cycle_id).await?);
    let duplicates = if by_name {
        scoped.cycle_duplicates(cycle_id).await?
    } else {
        Vec::new()
    };
    Ok(Some(CycleView {
        duplicates,
        cycle,
        by_name,
        may_run,
        members,
        pending,
        entitlements,
        notes,
        tally,
        before: first.filter(|_| !at_start),
        after: last.filter(|_| rows_after),
        at_start,
    }))
}

/// The donor report's figures for one cycle (or several summed: cumulative).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DonorTally {
    pub beneficiaries: u64,
    pub by_kabkota: BTreeMap<String, u64>,
    pub by_sex: BTreeMap<String, u64>,
    pub by_level: BTreeMap<String, u64>,
    pub with_disability: u64,
    /// Per tranche: (planned rupiah, paid rupiah, paid count, failed count).
    pub tranches: BTreeMap<i64, (i64, i64, u64, u64)>,
    pub exits: BTreeMap<String, u64>,
    pub grievances: BTreeMap<String, u64>,
    pub mentoring_notes: u64,
    /// Beneficiaries the double-aid check flagged (same aid type from another partner).
    pub double_aid: u64,
}

impl DonorTally {
    /// The figures of one cycle, pure.
    pub fn of(
        members: &[MemberRecord],
        entitlements: &[EntitlementRecord],
        notes: &[(i64, String, Option<String>)],
    ) -> DonorTally {
        let mut t = DonorTally::default();
        for m in members.iter().filter(|m| m.included) {
            t.beneficiaries += 1;
            let kab: String = m.region.chars().take(5).collect();
            *t.by_kabkota.entry(kab).or_default() += 1;
            *t.by_sex
                .entry(m.sex.clone().unwrap_or_else(|| "-".into()))
                .or_default() += 1;
            *t.by_level
                .entry(m.level.clone().unwrap_or_else(|| "-".into()))
                .or_default() += 1;
            t.with_disability += u64::from(m.disability);
            t.double_aid += u64::from(!m.double_aid.is_empty());
            if let Some(kind) = &m.exit_kind {
                *t.exits.entry(kind.clone()).or_default() += 1;
            }
        }
        for e in entitlements {
            let slot = t.tranches.entry(e.tranche).or_default();
            slot.0 += e.amount;
            match e.state {
                EntitlementState::Paid => {
                    slot.1 += e.amount;
                    slot.2 += 1;
                }
                EntitlementState::Failed => slot.3 += 1,
                EntitlementState::Approved => {}
            }
        }
        for (_, kind, status) in notes {
            match kind.as_str() {
                "pengaduan" => {
                    *t.grievances
                        .entry(status.clone().unwrap_or_else(|| "diterima".into()))
                        .or_default() += 1
                }
                "pendampingan" => t.mentoring_notes += 1,
                _ => {}
            }
        }
        t
    }

    /// The figures of one cycle from the store's aggregate rows (what the pages and the
    /// report use; [`DonorTally::of`] is the same tally row by row).
    pub fn from_figures(f: &CycleFigures) -> DonorTally {
        let mut t = DonorTally::default();
        for g in &f.members {
            t.beneficiaries += g.count;
            *t.by_kabkota.entry(g.kabkota.clone()).or_default() += g.count;
            *t.by_sex.entry(g.sex.clone()).or_default() += g.count;
            *t.by_level.entry(g.level.clone()).or_default() += g.count;
            if g.disability {
                t.with_disability += g.count;
            }
            if g.double_aid {
                t.double_aid += g.count;
            }
            if let Some(kind) = &g.exit_kind {
                *t.exits.entry(kind.clone()).or_default() += g.count;
            }
        }
        for (tranche, state, rupiah, n) in &f.entitlements {
            let slot = t.tranches.entry(*tranche).or_default();
            slot.0 += rupiah;
            match state {
                EntitlementState::Paid => {
                    slot.1 += rupiah;
                    slot.2 += n;
                }
                EntitlementState::Failed => slot.3 += n,
                EntitlementState::Approved => {}
            }
        }
        for (kind, status, n) in &f.notes {
            match kind.as_str() {
                "pengaduan" => {
                    *t.grievances
                        .entry(status.clone().unwrap_or_else(|| "diterima".into()))
                        .or_default() += n
                }
                "pendampingan" => t.mentoring_notes += n,
                _ => {}
            }
        }
        t
    }

    /// Adds another cycle's figures (the cumulative report).
    pub fn add(&mut self, other: &DonorTally) {
        self.beneficiaries += other.beneficiaries;
        self.double_aid += other.double_aid;
        self.with_disability += other.with_disability;
        self.mentoring_notes += other.mentoring_notes;
        for (map, from) in [
            (&mut self.by_kabkota, &other.by_kabkota),
            (&mut self.by_sex, &other.by_sex),
            (&mut self.by_level, &other.by_level),
            (&mut self.exits, &other.exits),
            (&mut self.grievances, &other.grievances),
        ] {
            for (k, v) in from {
                *map.entry(k.clone()).or_default() += v;
            }
        }
        for (k, v) in &other.tranches {
            let slot = self.tranches.entry(*k).or_default();
            slot.0 += v.0;
            slot.1 += v.1;
            slot.2 += v.2;
            slot.3 += v.3;
        }
    }
}

/// The program's plan against what its cycles did: distinct people reached against the
/// target reach, rupiah planned (entitlements) and paid against the budget.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PlanComparison {
    pub target_reach: u64,
    /// Distinct people among the beneficiaries of every cycle (a child in two cycles counts once).
    pub reached: u64,
    pub budget_rp: i64,
    pub entitled_rp: i64,
    pub paid_rp: i64,
}

/// The donor report of a program: each cycle's figures, the cumulative ones and the plan.
#[derive(Debug, Clone)]
pub struct DonorReport {
    pub program_name: String,
    pub per_cycle: Vec<(CycleRecord, DonorTally)>,
    pub total: DonorTally,
    pub plan: PlanComparison,
}

/// The donor report of a program the viewer sees (figures only, never names).
pub async fn donor_report(
    store: &Store,
    viewer: &Viewer,
    program_id: i64,
) -> Result<DonorReport, ActivityError> {
    let scoped = store.scoped(viewer);
    let program = scoped
        .program(program_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let mut per_cycle = Vec::new();
    let mut total = DonorTally::default();
    for c in scoped.cycles(program_id).await? {
        if c.state == CycleState::Cancelled {
            continue;
        }
        let tally = DonorTally::from_figures(&scoped.cycle_figures(c.id).await?);
        total.add(&tally);
        per_cycle.push((c, tally));
    }
    let (entitled_rp, paid_rp) = total
        .tranches
        .values()
        .fold((0, 0), |(e, p), t| (e + t.0, p + t.1));
    Ok(DonorReport {
        plan: PlanComparison {
            target_reach: program.input.planned,
            reached: scoped.program_reach(program_id).await?,
            budget_rp: i64::try_from(program.input.budget_rp).unwrap_or(i64::MAX),
            entitled_rp,
            paid_rp,
        },
        program_name: program.input.name,
        per_cycle,
        total,
    })
}

/// How a person-facts file went.
#[derive(Debug, Default)]
pub struct FactsImport {
    /// Registry person records whose facts were written.
    pub updated: u64,
    /// Refused rows by line, with the reason.
    pub rejected: Vec<(usize, Msg)>,
}

fn yes_no_cell(column: &str, value: &str) -> Result<Option<bool>, Msg> {
    match value.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "ya" | "y" | "1" | "yes" => Ok(Some(true)),
        "tidak" | "t" | "0" | "no" => Ok(Some(false)),
        _ => Err(Msg::new("cycles.facts_value")
            .arg("column", column)
            .arg("value", value.trim())),
    }
}

/// Reads a file of facts the registry rows do not hold (CSV through the intake path:
/// `nik` and any of `sekolah` ya/tidak, `jenjang` SD/SMP/SMA, `disabilitas` ya/tidak) and
/// records them for the people of the registry in the viewer's scope with that NIK, so
/// eligibility rules can read them. Every refused row is reported by line; nothing is
/// written for a row with any bad cell.
pub async fn import_person_facts(
    store: &Store,
    viewer: &Viewer,
    file_name: &str,
    bytes: &[u8],
) -> Result<FactsImport, ActivityError> {
    use sinergi_store::PersonFacts;
    let table = sinergi_intake::read_table_bytes(file_name, bytes).map_err(|e| refused(e.msg()))?;
    let Some(niks) = table.column("nik") else {
        return Err(refused(Msg::new("cycles.facts_columns")));
    };
    let (school, level, disability) = (
        table.column("sekolah"),
        table.column("jenjang"),
        table.column("disabilitas"),
    );
    if school.is_none() && level.is_none() && disability.is_none() {
        return Err(refused(Msg::new("cycles.facts_columns")));
    }
    let mut out = FactsImport::default();
    let mut rows: Vec<(usize, String, PersonFacts)> = Vec::new();
    for row in 0..table.rows() {
        let line = table.lines.get(row).map_or(row + 2, |l| *l as usize);
        let parsed = (|| {
            let nik = sinergi_core::Nik::parse(niks.get(row), None)
                .map_err(|errors| {
                    errors
                        .first()
                        .map(Localized::msg)
                        .unwrap_or_else(|| Msg::new("cycles.facts_columns"))
                })?
                .nik;
            let level = match level.map(|c| c.get(row).trim()).filter(|v| !v.is_empty()) {
                None => None,
                Some(v) => Some(SchoolLevel::lookup(v).ok_or_else(|| {
                    Msg::new("cycles.facts_value")
                        .arg("column", "jenjang")
                        .arg("value", v)
                })?),
            };
            Ok::<_, Msg>((
                nik.as_str().to_string(),
                PersonFacts {
                    person_id: 0,
                    in_school: school
                        .map(|c| yes_no_cell("sekolah", c.get(row)))
                        .transpose()?
                        .flatten(),
                    level,
                    disability: disability
                        .map(|c| yes_no_cell("disabilitas", c.get(row)))
                        .transpose()?
                        .flatten(),
                },
            ))
        })();
        match parsed {
            Ok((nik, facts)) => rows.push((line, nik, facts)),
            Err(m) => out.rejected.push((line, m)),
        }
    }
    let scoped = store.scoped(viewer);
    let wanted: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let mut ids: HashMap<String, Vec<i64>> = HashMap::new();
    for (nik, id) in scoped.persons_by_nik(&wanted).await? {
        ids.entry(nik).or_default().push(id);
    }
    let mut facts = Vec::new();
    for (line, nik, f) in rows {
        match ids.get(&nik) {
            Some(persons) => facts.extend(persons.iter().map(|id| PersonFacts {
                person_id: *id,
                ..f.clone()
            })),
            None => out
                .rejected
                .push((line, Msg::new("cycles.facts_unknown_nik"))),
        }
    }
    out.rejected.sort_by_key(|r| r.0);
    out.updated = scoped.record_person_facts(&facts).await?;
    Ok(out)
}

/// School level from a cell (`SD`, `SMP/MTs`, …), for files that add facts.
pub fn level_of(cell: &str) -> Option<SchoolLevel> {
    SchoolLevel::lookup(cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, desil: u8, level: Option<SchoolLevel>, source: &str) -> MemberRecord {
        MemberRecord {
            id,
            person_id: Some(id),
            region: "52.03.05.2001".into(),
            name: String::new(),
            nik_masked: None,
            sex: Some("P".into()),
            level: level.map(|l| l.key().to_string()),
            disability: false,
            facts: Facts {
                desil: Some(desil),
                level,
                ..Facts::default()
            },
            source: source.into(),
            reason: None,
            verdict: "memenuhi".into(),
            verdict_note: None,
            included: true,
            amount: None,
            exit_kind: None,
            exit_reason: None,
            duplicate_of: None,
            double_aid: Vec::new(),
        }
    }

    #[test]
    fn approval_rechecks_prices_and_keeps_manual_additions() {
        let rule = Rule::parse("desil <= 2").unwrap();
        let amount = AmountRule::parse("jenjang:SD=300000,SMP=450000,SMA=600000").unwrap();
        let start = NaiveDate::from_ymd_opt(2026, 7, 13).unwrap();
        let members = vec![
            member(1, 1, Some(SchoolLevel::Smp), "registri"),
            // The registry changed since enrolment: desil 4 now fails the re-check.
            member(2, 4, Some(SchoolLevel::Sd), "registri"),
            member(3, 5, Some(SchoolLevel::Sma), "manual"),
            member(4, 2, None, "registri"),
        ];
        let d = approval_decisions(
            &members,
            Some(&rule),
            &amount,
            start,
            &[],
            &Verifications::new(),
        );
        assert_eq!(d[0].amount, Some(450_000));
        assert_eq!(d[1].amount, None);
        assert_eq!(d[1].verdict, Verdict::NotEligible);
        assert_eq!(d[2].amount, Some(600_000));
        assert_eq!(d[3].amount, None);
        assert!(matches!(d[3].verdict, Verdict::Undecided(_)));

        // With verification steps: only a beneficiary whose latest record of each step
        // passed is kept; the others are left out with the steps they lack.
        use VerificationStep as V;
        let steps = [V::Documents, V::SchoolConfirmation];
        let mut verified = Verifications::new();
        verified.insert(1, vec![(V::Documents, true), (V::SchoolConfirmation, true)]);
        verified.insert(
            3,
            vec![(V::Documents, true), (V::SchoolConfirmation, false)],
        );
        let d = approval_decisions(&members, Some(&rule), &amount, start, &steps, &verified);
        assert_eq!(d[0].amount, Some(450_000));
        assert_eq!(d[0].note, None);
        assert_eq!(d[2].amount, None, "a manual addition must be verified too");
        assert_eq!(d[2].note.as_deref(), Some("verifikasi:konfirmasi_sekolah"));
        assert_eq!(d[3].amount, None);
        assert_eq!(
            approval_note(d[2].note.as_deref().unwrap()).key,
            "cycles.not_verified"
        );
    }

    #[test]
    fn the_tally_counts_reach_payments_exits_and_grievances() {
        let mut a = member(1, 1, Some(SchoolLevel::Sd), "registri");
        a.exit_kind = Some("lulus".into());
        let b = member(2, 1, Some(SchoolLevel::Smp), "registri");
        let ent = |id, member_id, state| EntitlementRecord {
            id,
            member_id,
            name: String::new(),
            nik_masked: None,
            region: String::new(),
            tranche: 1,
            amount: 300_000,
            state,
            note: None,
        };
        let t = DonorTally::of(
            &[a, b],
            &[
                ent(1, 1, EntitlementState::Paid),
                ent(2, 2, EntitlementState::Failed),
            ],
            &[
                (1, "pengaduan".into(), Some("selesai".into())),
                (2, "pendampingan".into(), None),
            ],
        );
        assert_eq!(t.beneficiaries, 2);
        assert_eq!(t.by_kabkota.get("52.03"), Some(&2));
        assert_eq!(t.tranches.get(&1), Some(&(600_000, 300_000, 1, 1)));
        assert_eq!(t.exits.get("lulus"), Some(&1));
        assert_eq!(t.grievances.get("selesai"), Some(&1));
        let mut sum = t.clone();
        sum.add(&t);
        assert_eq!(sum.beneficiaries, 4);
        assert_eq!(sum.tranches.get(&1).unwrap().1, 600_000);
    }
}
