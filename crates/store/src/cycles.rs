//! Program cycles (issue 20): eligibility rules, cycles, their beneficiaries, entitlements,
//! payment results and notes. A cycle is reached through its program (visible to the viewer
//! as programs are); its beneficiaries and entitlements pass the row filter over the
//! person's desa and the program's organisation, and are shown by name only to viewers who
//! may (the board sees the aggregates). Every change is audited in its transaction; the
//! state rules are core's (`sinergi_core::cycle`), re-checked here inside the transaction.

use chrono::NaiveDate;
use serde::Serialize;
use sinergi_core::Msg;
use sinergi_core::cycle::{
    AmountRule, CycleAction, CycleState, EnrolSource, EntitlementState, PaymentResult, SchoolLevel,
    VerificationStep, may_run_cycles, may_see_beneficiary_names,
};
use sinergi_core::eligibility::{Facts, RuleCase, RuleStatus, Verdict};
use sinergi_core::program::Program;
use sqlx::AssertSqlSafe;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::pii::PiiField;
use crate::scope::{Placeholders, bind_filter};
use crate::{Scoped, StoreError, on_pool};

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn refused(msg: Msg) -> StoreError {
    StoreError::Refused(msg)
}

/// Facts about one registry person that its list row does not hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFacts {
    pub person_id: i64,
    pub in_school: Option<bool>,
    pub level: Option<SchoolLevel>,
    pub disability: Option<bool>,
}

/// One version of a program's eligibility rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRecord {
    pub id: i64,
    pub program_id: i64,
    pub version: i64,
    pub expression: String,
    pub cases: Vec<RuleCase>,
    pub status: RuleStatus,
    /// People in scope matching, and evaluated, when counted before publishing.
    pub matched: Option<i64>,
    pub checked: Option<i64>,
    pub created_at: String,
    pub published_at: Option<String>,
}

/// What one enrolment wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enrolled {
    pub added: u64,
    /// Left out: they exited the program in an earlier cycle.
    pub exited_before: u64,
}

/// A cycle as stored.
#[derive(Debug, Clone, Serialize)]
pub struct CycleRecord {
    pub id: i64,
    pub program_id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub state: CycleState,
    pub rule_id: Option<i64>,
    pub amount: AmountRule,
    pub tranches: i64,
    pub approved_at: Option<String>,
    pub members: i64,
    /// The verification steps every beneficiary must pass before approval.
    pub steps: Vec<VerificationStep>,
}

/// What a new cycle needs.
#[derive(Debug, Clone)]
pub struct NewCycle {
    pub program_id: i64,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub rule_id: Option<i64>,
    pub amount: AmountRule,
    pub tranches: i64,
    /// The verification steps every beneficiary must pass before approval (may be none).
    pub steps: Vec<VerificationStep>,
}

/// A person of the registry in scope, with the facts a rule reads.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub person_id: i64,
    pub name: String,
    pub nik_masked: Option<String>,
    pub facts: Facts,
}

/// One beneficiary to enrol, already checked by the rule.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub candidate: Candidate,
    pub source: EnrolSource,
    pub verdict: Verdict,
}

/// A beneficiary of a cycle.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRecord {
    pub id: i64,
    pub person_id: Option<i64>,
    pub region: String,
    pub name: String,
    pub nik_masked: Option<String>,
    pub sex: Option<String>,
    pub level: Option<String>,
    pub disability: bool,
    pub facts: Facts,
    pub source: String,
    pub reason: Option<String>,
    pub verdict: String,
    pub verdict_note: Option<String>,
    pub included: bool,
    pub amount: Option<i64>,
    pub exit_kind: Option<String>,
    pub exit_reason: Option<String>,
    /// The partner decided this record is the same person as that beneficiary: left out.
    pub duplicate_of: Option<i64>,
    /// Other partners already giving this person the same aid type (the double-aid check).
    pub double_aid: Vec<String>,
}

/// A beneficiary's decision at approval: kept (with its frozen amount per tranche) or not.
#[derive(Debug, Clone)]
pub struct ApprovalDecision {
    pub member_id: i64,
    pub verdict: Verdict,
    /// Some: included with this amount per tranche.
    pub amount: Option<i64>,
    /// Why a beneficiary was left out, when the verdict alone does not say (verification).
    pub note: Option<String>,
}

/// One entitlement with its beneficiary, for the payment batch and the pages.
#[derive(Debug, Clone, Serialize)]
pub struct EntitlementRecord {
    pub id: i64,
    pub member_id: i64,
    pub name: String,
    pub nik_masked: Option<String>,
    pub region: String,
    pub tranche: i64,
    pub amount: i64,
    pub state: EntitlementState,
    pub note: Option<String>,
}

/// A note about one beneficiary: a verification step, a mentoring visit or a grievance.
#[derive(Debug, Clone, Serialize)]
pub struct NoteRecord {
    pub id: i64,
    pub member_id: i64,
    pub kind: String,
    pub on_date: String,
    pub author: String,
    pub body: String,
    pub follow_up: Option<String>,
    pub status: Option<String>,
    pub entitlement_id: Option<i64>,
    /// A verification note's step and whether it passed.
    pub step: Option<VerificationStep>,
    pub passed: Option<bool>,
}

/// An entitlement row as read with its beneficiary: id, member, name, masked NIK, region,
/// tranche, amount, state, result note.
type EntitlementRow = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    i64,
    i64,
    String,
    Option<String>,
);

fn to_entitlement(r: EntitlementRow) -> Result<EntitlementRecord, StoreError> {
    Ok(EntitlementRecord {
        id: r.0,
        member_id: r.1,
        name: r.2,
        nik_masked: r.3,
        region: r.4,
        tranche: r.5,
        amount: r.6,
        state: EntitlementState::from_key(&r.7).ok_or_else(|| corrupt(&r.7))?,
        note: r.8,
    })
}

/// A `cycle_note` row as read: id, member, kind, date, author, body, follow-up, status,
/// entitlement, step, outcome.
type NoteRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

fn to_note(r: NoteRow) -> NoteRecord {
    NoteRecord {
        id: r.0,
        member_id: r.1,
        kind: r.2,
        on_date: r.3,
        author: r.4,
        body: r.5,
        follow_up: r.6,
        status: r.7,
        entitlement_id: r.8,
        step: r.9.as_deref().and_then(VerificationStep::from_key),
        passed: r.10.map(|o| o == "lulus"),
    }
}

/// A new note.
#[derive(Debug, Clone)]
pub struct NewNote {
    pub member_id: i64,
    pub kind: &'static str,
    pub on_date: NaiveDate,
    pub body: String,
    pub follow_up: Option<String>,
    pub status: Option<String>,
    pub entitlement_id: Option<i64>,
    /// A verification note (kind `verifikasi`) names its step and outcome.
    pub step: Option<VerificationStep>,
    pub passed: Option<bool>,
}

type RuleRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
    Option<String>,
);

fn rule_record(r: RuleRow) -> Result<RuleRecord, StoreError> {
    Ok(RuleRecord {
        id: r.0,
        program_id: r.1,
        version: r.2,
        expression: r.3,
        cases: serde_json::from_str(&r.4).map_err(corrupt)?,
        status: RuleStatus::from_key(&r.5).ok_or_else(|| corrupt(&r.5))?,
        matched: r.6,
        checked: r.7,
        created_at: r.8,
        published_at: r.9,
    })
}

const RULE_COLS: &str = "id, program_id, version, expression, cases_json, status, matched, \
     checked, created_at, published_at";

type CycleRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    i64,
    Option<String>,
    i64,
    String,
);

const CYCLE_COLS: &str = "c.id, c.program_id, c.organisation_id, c.name, c.start_date, \
     c.end_date, c.state, c.rule_id, c.amount_rule, c.tranches, c.approved_at, \
     (SELECT COUNT(*) FROM cycle_member m WHERE m.cycle_id = c.id AND m.included = 1), c.steps";

fn day(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(format!("{s}: {e}")))
}

fn cycle_record(r: CycleRow) -> Result<CycleRecord, StoreError> {
    Ok(CycleRecord {
        id: r.0,
        program_id: r.1,
        organisation_id: r.2,
        name: r.3,
        start: day(&r.4)?,
        end: day(&r.5)?,
        state: CycleState::from_key(&r.6).ok_or_else(|| corrupt(&r.6))?,
        rule_id: r.7,
        amount: AmountRule::parse(&r.8).map_err(|_| corrupt(&r.8))?,
        tranches: r.9,
        approved_at: r.10,
        members: r.11,
        steps: VerificationStep::split(&r.12).map_err(|_| corrupt(&r.12))?,
    })
}

type MemberRow = (
    i64,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<String>,
);

// Sixteen columns (sqlx's tuple limit): the exit is "kind: reason", the checks
// "duplicate_of|partner; partner".
const MEMBER_COLS: &str = "m.id, m.person_id, m.region_code, m.name, m.nik_masked, m.sex, \
     m.level, m.disability, m.facts_json, m.source, m.reason, m.verdict, m.verdict_note, \
     m.included, m.amount_rupiah, \
     COALESCE(m.exit_kind || ': ' || m.exit_reason, '') || '\n' || \
     COALESCE(CAST(m.duplicate_of AS TEXT), '') || '|' || COALESCE(m.double_aid, '')";

fn member_record(r: MemberRow) -> Result<MemberRecord, StoreError> {
    let packed = r.15.unwrap_or_default();
    let (exit, checks) = packed.rsplit_once('\n').unwrap_or((&packed, ""));
    let exit = exit.split_once(": ");
    let (duplicate_of, double_aid) = checks.split_once('|').unwrap_or(("", ""));
    Ok(MemberRecord {
        id: r.0,
        person_id: r.1,
        region: r.2,
        name: r.3,
        nik_masked: r.4,
        sex: r.5,
        level: r.6,
        disability: r.7 != 0,
        facts: serde_json::from_str(&r.8).map_err(corrupt)?,
        source: r.9,
        reason: r.10,
        verdict: r.11,
        verdict_note: r.12,
        included: r.13 != 0,
        amount: r.14,
        exit_kind: exit.map(|e| e.0.to_string()),
        exit_reason: exit.map(|e| e.1.to_string()),
        duplicate_of: match duplicate_of {
            "" => None,
            id => Some(id.parse().map_err(|_| corrupt(id))?),
        },
        double_aid: double_aid
            .split("; ")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

impl Scoped<'_> {
    /// The program, if the viewer sees it; refused otherwise.
    pub(crate) async fn visible_program(&self, program_id: i64) -> Result<Program, StoreError> {
        self.program(program_id).await?.ok_or(StoreError::Forbidden)
    }

    /// The program, if the viewer may also change it (its own organisation's, within reach).
    async fn writable_program(&self, program_id: i64) -> Result<Program, StoreError> {
        self.require_write()?;
        let p = self.visible_program(program_id).await?;
        if !may_run_cycles(self.viewer(), &p) {
            return Err(StoreError::Forbidden);
        }
        Ok(p)
    }

    fn home(p: &Program) -> String {
        p.region.as_ref().map(|r| r.to_string()).unwrap_or_default()
    }

    // -------------------------------------------------------------------------------
    // Rules

    /// Stores a new draft version of a program's rule (already parsed by the caller).
    pub async fn create_rule(
        &self,
        program_id: i64,
        expression: &str,
        cases: &[RuleCase],
    ) -> Result<i64, StoreError> {
        let p = self.writable_program(program_id).await?;
        let home = Self::home(&p);
        let cases_json = serde_json::to_string(cases).map_err(corrupt)?;
        let now = now_text();
        let actor = self.actor();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let version: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM eligibility_rule WHERE program_id = $1",
            )
            .bind(program_id)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO eligibility_rule (program_id, organisation_id, region_code, version, \
                 expression, cases_json, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7) RETURNING id",
            )
            .bind(program_id)
            .bind(p.input.organisation_id)
            .bind(&home)
            .bind(version)
            .bind(expression)
            .bind(&cases_json)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "rule.create", "eligibility_rule")
                .id(id)
                .region(&home)
                .after(serde_json::json!({
                    "program": program_id, "versi": version, "aturan": expression,
                    "kasus_uji": cases.len(),
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The rules of a program, newest version first.
    pub async fn rules(&self, program_id: i64) -> Result<Vec<RuleRecord>, StoreError> {
        self.visible_program(program_id).await?;
        let sql = format!(
            "SELECT {RULE_COLS} FROM eligibility_rule WHERE program_id = $1 ORDER BY version DESC"
        );
        let rows: Vec<RuleRow> = on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql))
            .bind(program_id)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(rule_record).collect()
    }

    /// One rule, through its program's visibility.
    pub async fn rule(&self, rule_id: i64) -> Result<Option<RuleRecord>, StoreError> {
        let sql = format!("SELECT {RULE_COLS} FROM eligibility_rule WHERE id = $1");
        let row: Option<RuleRow> = on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql))
            .bind(rule_id)
            .fetch_optional(pool)
            .await)?;
        let Some(row) = row else { return Ok(None) };
        self.visible_program(row.1).await?;
        rule_record(row).map(Some)
    }

    /// Keeps the count of people in scope matching a draft (shown before publishing).
    pub async fn record_rule_count(
        &self,
        rule_id: i64,
        matched: i64,
        checked: i64,
    ) -> Result<(), StoreError> {
        let rule = self.rule(rule_id).await?.ok_or(StoreError::Forbidden)?;
        self.writable_program(rule.program_id).await?;
        on_pool!(self, |pool| sqlx::query(
            "UPDATE eligibility_rule SET matched = $2, checked = $3 WHERE id = $1"
        )
        .bind(rule_id)
        .bind(matched)
        .bind(checked)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Adds a test case to a draft rule (a published rule does not change).
    pub async fn add_rule_case(&self, rule_id: i64, case: &RuleCase) -> Result<(), StoreError> {
        let rule = self.rule(rule_id).await?.ok_or(StoreError::Forbidden)?;
        let p = self.writable_program(rule.program_id).await?;
        if rule.status != RuleStatus::Draft {
            return Err(refused(Msg::new("cycles.rule_not_draft")));
        }
        let mut cases = rule.cases;
        cases.push(case.clone());
        let json = serde_json::to_string(&cases).map_err(corrupt)?;
        let event = AuditEvent::new(self.actor(), "rule.case", "eligibility_rule")
            .id(rule_id)
            .region(Self::home(&p))
            .after(serde_json::json!({ "kasus": case.label, "harapan": case.expected }));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE eligibility_rule SET cases_json = $2 WHERE id = $1 AND status = 'draft'",
            )
            .bind(rule_id)
            .bind(&json)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                return Err(refused(Msg::new("cycles.rule_not_draft")));
            }
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Publishes a draft whose cases passed and whose count was shown (the caller checks
    /// the cases; the count must have been taken).
    pub async fn publish_rule(&self, rule_id: i64) -> Result<(), StoreError> {
        let rule = self.rule(rule_id).await?.ok_or(StoreError::Forbidden)?;
        let p = self.writable_program(rule.program_id).await?;
        if rule.status != RuleStatus::Draft {
            return Err(refused(Msg::new("cycles.rule_not_draft")));
        }
        if rule.matched.is_none() {
            return Err(refused(Msg::new("cycles.rule_count_first")));
        }
        let now = now_text();
        let event = AuditEvent::new(self.actor(), "rule.publish", "eligibility_rule")
            .id(rule_id)
            .region(Self::home(&p))
            .after(serde_json::json!({
                "versi": rule.version, "cocok": rule.matched, "dinilai": rule.checked,
            }));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE eligibility_rule SET status = 'published', published_at = $2 \
                 WHERE id = $1 AND status = 'draft'",
            )
            .bind(rule_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// People of the registry in the viewer's scope (optionally one stored list, or under
    /// one region), by id from `after`, at most `limit`: the candidates a rule is counted
    /// over and enrolment draws from.
    pub async fn registry_candidates(
        &self,
        list_id: Option<i64>,
        region: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut ph = Placeholders::starting_at(3);
        let scope = self.rows("r.region_code", "r.organisation_id", &mut ph);
        let mut binds = scope.binds;
        let mut extra = String::new();
        if let Some(list) = list_id {
            extra.push_str(&format!(" AND r.list_id = {}", ph.next()));
            binds.push(crate::scope::Bind::Int(list));
        }
        if let Some(region) = region {
            let lo = ph.next();
            let hi = ph.next();
            extra.push_str(&format!(
                " AND (r.region_code = {lo} OR (r.region_code > {lo} AND r.region_code < {hi}))"
            ));
            binds.push(crate::scope::Bind::Text(region.to_string()));
            binds.push(crate::scope::Bind::Text(format!("{region}/")));
        }
        let sql = format!(
            "SELECT r.id, r.name, r.nik_masked, r.region_code, r.sex, r.birth_date, r.desil, \
             f.in_school, f.level, f.disability \
             FROM person_record r LEFT JOIN person_fact f ON f.person_id = r.id \
             WHERE r.id > $1 AND {}{extra} ORDER BY r.id LIMIT $2",
            scope.sql
        );
        type Row = (
            i64,
            String,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<i64>,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(after)
                .bind(limit),
            binds
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| Candidate {
                person_id: r.0,
                name: r.1,
                nik_masked: r.2,
                facts: Facts {
                    desil: r.6.and_then(|d| u8::try_from(d).ok()),
                    birth_date: r.5.as_deref().and_then(|s| day(s).ok()),
                    sex: r.4,
                    region: r.3,
                    in_school: r.7.map(|v| v != 0),
                    level: r.8.as_deref().and_then(SchoolLevel::lookup),
                    disability: r.9.map(|v| v != 0),
                    ..Facts::default()
                },
            })
            .collect())
    }

    /// The registry people in scope with these NIKs (matched by their keyed blind index; a
    /// person in several lists gives several ids): (NIK, person id). Only ids leave.
    pub async fn persons_by_nik(&self, niks: &[String]) -> Result<Vec<(String, i64)>, StoreError> {
        let key = self.pii_key()?;
        let mut out = Vec::new();
        for chunk in niks.chunks(500) {
            let by_hash: std::collections::HashMap<Vec<u8>, &String> = chunk
                .iter()
                .map(|n| (key.blind_index(PiiField::Nik, n), n))
                .collect();
            let mut ph = Placeholders::starting_at(1);
            let scope = self.rows("r.region_code", "r.organisation_id", &mut ph);
            let mut binds = scope.binds;
            let list = by_hash
                .keys()
                .map(|h| {
                    binds.push(crate::scope::Bind::Bytes(h.clone()));
                    ph.next()
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT r.id, r.nik_hash FROM person_record r WHERE r.nik_hash IN ({list}) AND {}",
                scope.sql
            );
            let rows: Vec<(i64, Vec<u8>)> = on_pool!(self, |pool| bind_filter!(
                sqlx::query_as(AssertSqlSafe(sql.clone())),
                binds
            )
            .fetch_all(pool)
            .await)?;
            for (id, hash) in rows {
                if let Some(nik) = by_hash.get(&hash) {
                    out.push(((*nik).clone(), id));
                }
            }
        }
        Ok(out)
    }

    /// Records facts about registry people in scope (school, level, disability); a fact
    /// left empty keeps what was known. One audit event for the upload.
    pub async fn record_person_facts(&self, facts: &[PersonFacts]) -> Result<u64, StoreError> {
        self.require_write()?;
        let now = now_text();
        let event = AuditEvent::new(self.actor(), "person.facts", "person_fact")
            .after(serde_json::json!({ "orang": facts.len() }));
        let written = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut written = 0u64;
            for f in facts {
                written += sqlx::query(
                    "INSERT INTO person_fact (person_id, in_school, level, disability, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) DO UPDATE SET \
                     in_school = COALESCE(excluded.in_school, person_fact.in_school), \
                     level = COALESCE(excluded.level, person_fact.level), \
                     disability = COALESCE(excluded.disability, person_fact.disability), \
                     updated_at = excluded.updated_at",
                )
                .bind(f.person_id)
                .bind(f.in_school.map(i64::from))
                .bind(f.level.map(SchoolLevel::key))
                .bind(f.disability.map(i64::from))
                .bind(&now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            append_audit!(tx, &event);
            tx.commit().await?;
            written
        });
        Ok(written)
    }

    // -------------------------------------------------------------------------------
    // Cycles

    /// Creates a draft cycle of a program the viewer may change.
    pub async fn create_cycle(&self, new: &NewCycle) -> Result<i64, StoreError> {
        let p = self.writable_program(new.program_id).await?;
        let home = Self::home(&p);
        if new.end < new.start || new.tranches < 1 {
            return Err(refused(Msg::new("cycles.cycle_invalid")));
        }
        if let Some(rule_id) = new.rule_id {
            let rule = self.rule(rule_id).await?.ok_or(StoreError::Forbidden)?;
            if rule.program_id != new.program_id || rule.status != RuleStatus::Published {
                return Err(refused(Msg::new("cycles.rule_not_published")));
            }
        }
        let now = now_text();
        let actor = self.actor();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO program_cycle (program_id, organisation_id, region_code, name, \
                 start_date, end_date, state, rule_id, amount_rule, tranches, created_at, \
                 updated_at, steps) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $10, $10, $11) RETURNING id",
            )
            .bind(new.program_id)
            .bind(p.input.organisation_id)
            .bind(&home)
            .bind(new.name.trim())
            .bind(new.start.to_string())
            .bind(new.end.to_string())
            .bind(new.rule_id)
            .bind(new.amount.text())
            .bind(new.tranches)
            .bind(&now)
            .bind(VerificationStep::join(&new.steps))
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "cycle.create", "program_cycle")
                .id(id)
                .region(&home)
                .after(serde_json::json!({
                    "program": new.program_id, "nama": new.name.trim(),
                    "mulai": new.start, "selesai": new.end, "aturan": new.rule_id,
                    "jumlah": new.amount.text(), "tahap": new.tranches,
                    "verifikasi": VerificationStep::join(&new.steps),
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The cycles of a program the viewer sees.
    pub async fn cycles(&self, program_id: i64) -> Result<Vec<CycleRecord>, StoreError> {
        self.visible_program(program_id).await?;
        let sql = format!(
            "SELECT {CYCLE_COLS} FROM program_cycle c WHERE c.program_id = $1 ORDER BY c.start_date, c.id"
        );
        let rows: Vec<CycleRow> = on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql))
            .bind(program_id)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(cycle_record).collect()
    }

    /// One cycle, through its program's visibility.
    pub async fn cycle(&self, cycle_id: i64) -> Result<Option<CycleRecord>, StoreError> {
        let sql = format!("SELECT {CYCLE_COLS} FROM program_cycle c WHERE c.id = $1");
        let row: Option<CycleRow> = on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql))
            .bind(cycle_id)
            .fetch_optional(pool)
            .await)?;
        let Some(row) = row else { return Ok(None) };
        if self.program(row.1).await?.is_none() {
            return Ok(None);
        }
        cycle_record(row).map(Some)
    }

    /// A cycle the viewer may change, in one of `states`.
    pub(crate) async fn writable_cycle(
        &self,
        cycle_id: i64,
        states: &[CycleState],
    ) -> Result<(CycleRecord, String), StoreError> {
        let c = self.cycle(cycle_id).await?.ok_or(StoreError::Forbidden)?;
        let p = self.writable_program(c.program_id).await?;
        if !states.contains(&c.state) {
            return Err(refused(
                Msg::new("cycles.state_refused").arg_msg("state", c.state.label()),
            ));
        }
        Ok((c, Self::home(&p)))
    }

    /// Moves a cycle by `action` (not approval, which freezes: [`Scoped::approve_cycle`]).
    pub async fn move_cycle(
        &self,
        cycle_id: i64,
        action: CycleAction,
    ) -> Result<CycleState, StoreError> {
        if action == CycleAction::Approve {
            return Err(refused(Msg::new("cycles.approve_separately")));
        }
        let c = self.cycle(cycle_id).await?.ok_or(StoreError::Forbidden)?;
        let next = c.state.apply(action).map_err(refused)?;
        let (c, home) = self.writable_cycle(cycle_id, &[c.state]).await?;
        if action == CycleAction::Submit {
            let pending = self.pending_duplicates(cycle_id).await?;
            if pending > 0 {
                return Err(crate::cycle_checks::duplicates_pending(pending));
            }
        }
        let event = AuditEvent::new(self.actor(), "cycle.state", "program_cycle")
            .id(cycle_id)
            .region(&home)
            .before(serde_json::json!({ "status": c.state.key() }))
            .after(serde_json::json!({ "status": next.key(), "aksi": action.key() }));
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE program_cycle SET state = $2, updated_at = $4 WHERE id = $1 AND state = $3",
            )
            .bind(cycle_id)
            .bind(next.key())
            .bind(c.state.key())
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                return Err(refused(Msg::new("cycles.changed_meanwhile")));
            }
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(next)
    }

    /// Enrols beneficiaries in a draft cycle; people already in it are skipped (the
    /// program's duplicates are the same person record). Someone who left the program in an
    /// earlier cycle (graduated, moved, dropped) is not enrolled again from the registry or a
    /// list, only by hand with a reason; [`Enrolled::exited_before`] counts them.
    pub async fn enrol(
        &self,
        cycle_id: i64,
        members: &[NewMember],
    ) -> Result<Enrolled, StoreError> {
        let (c, home) = self.writable_cycle(cycle_id, &[CycleState::Draft]).await?;
        for m in members {
            m.source.check().map_err(refused)?;
        }
        let now = now_text();
        let actor = self.actor();
        let added = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Who left the program in an earlier cycle, and who is in this cycle already:
            // read once per call, not per person (an enrolment of 100,000 is a few dozen
            // statements).
            let left: std::collections::HashSet<i64> = sqlx::query_scalar(
                "SELECT m.person_id FROM cycle_member m JOIN program_cycle pc ON pc.id = m.cycle_id \
                 WHERE pc.program_id = $1 AND m.exit_kind IS NOT NULL AND m.person_id IS NOT NULL",
            )
            .bind(c.program_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
            let mut present: std::collections::HashSet<i64> = sqlx::query_scalar(
                "SELECT person_id FROM cycle_member WHERE cycle_id = $1 AND person_id IS NOT NULL",
            )
            .bind(cycle_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
            let mut exited_before = 0u64;
            let mut rows = Vec::with_capacity(members.len());
            for m in members {
                let manual = matches!(m.source, EnrolSource::Manual { .. });
                if !manual && left.contains(&m.candidate.person_id) {
                    exited_before += 1;
                    continue;
                }
                if !present.insert(m.candidate.person_id) {
                    continue;
                }
                let facts = serde_json::to_string(&m.candidate.facts).map_err(corrupt)?;
                rows.push((m, facts));
            }
            let added = rows.len() as u64;
            // 15 values a row: 1,000 rows stay under SQLite's 32,766 parameters.
            for chunk in rows.chunks(1_000) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO cycle_member (cycle_id, person_id, organisation_id, region_code, \
                     name, nik_masked, sex, level, disability, facts_json, source, reason, \
                     verdict, verdict_note, included, created_at) ",
                );
                qb.push_values(chunk, |mut b, (m, facts)| {
                    let f = &m.candidate.facts;
                    b.push_bind(cycle_id)
                        .push_bind(m.candidate.person_id)
                        .push_bind(c.organisation_id)
                        .push_bind(f.region.clone())
                        .push_bind(m.candidate.name.clone())
                        .push_bind(m.candidate.nik_masked.clone())
                        .push_bind(f.sex.clone())
                        .push_bind(f.level.map(SchoolLevel::key))
                        .push_bind(i64::from(f.disability == Some(true)))
                        .push_bind(facts.clone())
                        .push_bind(m.source.key())
                        .push_bind(match &m.source {
                            EnrolSource::Manual { reason } => Some(reason.trim().to_string()),
                            _ => None,
                        })
                        .push_bind(m.verdict.key())
                        .push_bind(match &m.verdict {
                            Verdict::Undecided(why) => Some(why.clone()),
                            _ => None,
                        })
                        .push_bind(1i64)
                        .push_bind(now.clone());
                });
                qb.build().execute(&mut *tx).await?;
            }
            let manual = members
                .iter()
                .filter(|m| matches!(m.source, EnrolSource::Manual { .. }))
                .count();
            let event = AuditEvent::new(actor.clone(), "cycle.enrol", "program_cycle")
                .id(cycle_id)
                .region(&home)
                .after(serde_json::json!({ "ditambahkan": added, "manual": manual, "keluar_sebelumnya": exited_before }));
            append_audit!(tx, &event);
            tx.commit().await?;
            Enrolled {
                added,
                exited_before,
            }
        });
        Ok(added)
    }

    /// The beneficiaries of a cycle the viewer may see by name (the board may not).
    pub async fn cycle_members(&self, cycle_id: i64) -> Result<Vec<MemberRecord>, StoreError> {
        if !may_see_beneficiary_names(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        self.members_in_scope(cycle_id).await
    }

    /// One page of a cycle's beneficiaries by id (keyset): the `limit` after id `after`, or
    /// the `limit` before id `before` (oldest first either way). One more row than `limit`
    /// is read to tell whether rows lie beyond: returned as the flag.
    pub async fn cycle_members_page(
        &self,
        cycle_id: i64,
        after: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<(Vec<MemberRecord>, bool), StoreError> {
        if !may_see_beneficiary_names(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        if self.cycle(cycle_id).await?.is_none() {
            return Err(StoreError::Forbidden);
        }
        let mut ph = Placeholders::starting_at(4);
        let scope = self.rows("m.region_code", "m.organisation_id", &mut ph);
        let (cmp, order, key) = match (after, before) {
            (_, Some(b)) => ("<", "DESC", b),
            (Some(a), None) => (">", "ASC", a),
            (None, None) => (">", "ASC", 0),
        };
        let sql = format!(
            "SELECT {MEMBER_COLS} FROM cycle_member m WHERE m.cycle_id = $1 AND m.id {cmp} $2 \
             AND {} ORDER BY m.id {order} LIMIT $3",
            scope.sql
        );
        let rows: Vec<MemberRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(cycle_id)
                .bind(key)
                .bind(limit + 1),
            scope.binds
        )
        .fetch_all(pool)
        .await)?;
        let more = rows.len() as i64 > limit;
        let mut members = rows
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(0))
            .map(member_record)
            .collect::<Result<Vec<_>, _>>()?;
        if before.is_some() {
            members.reverse();
        }
        Ok((members, more))
    }

    /// The entitlements and notes of some beneficiaries of a cycle (one page of them),
    /// read by member id rather than for the whole cycle.
    pub async fn cycle_members_detail(
        &self,
        cycle_id: i64,
        member_ids: &[i64],
    ) -> Result<(Vec<EntitlementRecord>, Vec<NoteRecord>), StoreError> {
        if !may_see_beneficiary_names(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        if self.cycle(cycle_id).await?.is_none() || member_ids.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        // Ids are integers: written into the statement, never text from outside.
        let ids = member_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut ph = Placeholders::starting_at(2);
        let scope = self.rows("m.region_code", "m.organisation_id", &mut ph);
        let sql = format!(
            "SELECT e.id, e.member_id, m.name, m.nik_masked, m.region_code, e.tranche, \
             e.amount_rupiah, e.state, e.result_note FROM entitlement e \
             JOIN cycle_member m ON m.id = e.member_id \
             WHERE +e.cycle_id = $1 AND e.member_id IN ({ids}) AND {} \
             ORDER BY e.tranche, e.id",
            scope.sql
        );
        let rows: Vec<EntitlementRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(cycle_id),
            scope.binds
        )
        .fetch_all(pool)
        .await)?;
        let ents = rows
            .into_iter()
            .map(to_entitlement)
            .collect::<Result<Vec<_>, StoreError>>()?;
        let visible: std::collections::HashSet<i64> = {
            let mut ph = Placeholders::starting_at(2);
            let scope = self.rows("m.region_code", "m.organisation_id", &mut ph);
            let sql = format!(
                "SELECT m.id FROM cycle_member m WHERE m.cycle_id = $1 AND m.id IN ({ids}) AND {}",
                scope.sql
            );
            let rows: Vec<(i64,)> = on_pool!(self, |pool| bind_filter!(
                sqlx::query_as(AssertSqlSafe(sql.clone())).bind(cycle_id),
                scope.binds
            )
            .fetch_all(pool)
            .await)?;
            rows.into_iter().map(|r| r.0).collect()
        };
        let sql = format!(
            "SELECT id, member_id, kind, on_date, author, body, follow_up, status, \
             entitlement_id, step, outcome FROM cycle_note \
             WHERE cycle_id = $1 AND member_id IN ({ids}) ORDER BY id"
        );
        let rows: Vec<NoteRow> = on_pool!(self, |pool| {
            sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(cycle_id)
                .fetch_all(pool)
                .await
        })?;
        let notes = rows
            .into_iter()
            .filter(|r| visible.contains(&r.1))
            .map(to_note)
            .collect();
        Ok((ents, notes))
    }

    async fn members_in_scope(&self, cycle_id: i64) -> Result<Vec<MemberRecord>, StoreError> {
        if self.cycle(cycle_id).await?.is_none() {
            return Err(StoreError::Forbidden);
        }
        let mut ph = Placeholders::starting_at(2);
        let scope = self.rows("m.region_code", "m.organisation_id", &mut ph);
        let sql = format!(
            "SELECT {MEMBER_COLS} FROM cycle_member m WHERE m.cycle_id = $1 AND {} ORDER BY m.id",
            scope.sql
        );
        let rows: Vec<MemberRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(cycle_id),
            scope.binds
        )
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(member_record).collect()
    }

    /// Approves a cycle waiting for approval: each beneficiary's re-checked verdict and
    /// frozen amount are written, entitlements for every tranche created, and the state
    /// moved, in one transaction. The decisions must cover every beneficiary.
    pub async fn approve_cycle(
        &self,
        cycle_id: i64,
        decisions: &[ApprovalDecision],
    ) -> Result<u64, StoreError> {
        let (c, home) = self
            .writable_cycle(cycle_id, &[CycleState::ToApprove])
            .await?;
        let next = c.state.apply(CycleAction::Approve).map_err(refused)?;
        let pending = self.pending_duplicates(cycle_id).await?;
        if pending > 0 {
            return Err(crate::cycle_checks::duplicates_pending(pending));
        }
        // Group by outcome so 100k beneficiaries are a few hundred statements, not 100k.
        let mut groups: std::collections::BTreeMap<(bool, &'static str, Option<i64>), Vec<i64>> =
            Default::default();
        let mut notes: Vec<(i64, &str)> = Vec::new();
        for d in decisions {
            groups
                .entry((d.amount.is_some(), d.verdict.key(), d.amount))
                .or_default()
                .push(d.member_id);
            if let Some(why) = &d.note {
                notes.push((d.member_id, why));
            } else if let Verdict::Undecided(why) = &d.verdict {
                notes.push((d.member_id, why));
            }
        }
        let included = decisions.iter().filter(|d| d.amount.is_some()).count() as u64;
        let now = now_text();
        let event = AuditEvent::new(self.actor(), "cycle.approve", "program_cycle")
            .id(cycle_id)
            .region(&home)
            .before(serde_json::json!({ "status": c.state.key() }))
            .after(serde_json::json!({
                "status": next.key(), "penerima": included,
                "dikeluarkan": decisions.len() as u64 - included, "tahap": c.tranches,
            }));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let total: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM cycle_member WHERE cycle_id = $1")
                    .bind(cycle_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if total != decisions.len() as i64 {
                return Err(refused(Msg::new("cycles.changed_meanwhile")));
            }
            // By id: `+cycle_id` keeps the planner off the (cycle_id, id) index, which would
            // walk the whole cycle once per statement (quadratic: 64 s for 100,000 on
            // PostgreSQL).
            for ((keep, verdict, amount), ids) in &groups {
                for chunk in ids.chunks(900) {
                    let list = (0..chunk.len())
                        .map(|i| format!("${}", i + 5))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "UPDATE cycle_member SET included = $1, verdict = $2, amount_rupiah = $3 \
                         WHERE id IN ({list}) AND +cycle_id = $4"
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql))
                        .bind(i64::from(*keep))
                        .bind(*verdict)
                        .bind(*amount)
                        .bind(cycle_id);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.execute(&mut *tx).await?;
                }
            }
            for (id, why) in &notes {
                sqlx::query("UPDATE cycle_member SET verdict_note = $2 WHERE id = $1")
                    .bind(*id)
                    .bind(*why)
                    .execute(&mut *tx)
                    .await?;
            }
            for tranche in 1..=c.tranches {
                sqlx::query(
                    "INSERT INTO entitlement (cycle_id, member_id, tranche, amount_rupiah, state) \
                     SELECT $1, id, $2, amount_rupiah, 'approved' FROM cycle_member \
                     WHERE cycle_id = $1 AND included = 1",
                )
                .bind(cycle_id)
                .bind(tranche)
                .execute(&mut *tx)
                .await?;
            }
            let changed = sqlx::query(
                "UPDATE program_cycle SET state = $2, approved_at = $3, updated_at = $3 \
                 WHERE id = $1 AND state = 'to_approve'",
            )
            .bind(cycle_id)
            .bind(next.key())
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                return Err(refused(Msg::new("cycles.changed_meanwhile")));
            }
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(included)
    }

    /// The entitlements of a cycle (one tranche, or all) the viewer sees by name.
    pub async fn entitlements(
        &self,
        cycle_id: i64,
        tranche: Option<i64>,
    ) -> Result<Vec<EntitlementRecord>, StoreError> {
        if !may_see_beneficiary_names(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        self.entitlements_in_scope(cycle_id, tranche).await
    }

    async fn entitlements_in_scope(
        &self,
        cycle_id: i64,
        tranche: Option<i64>,
    ) -> Result<Vec<EntitlementRecord>, StoreError> {
        if self.cycle(cycle_id).await?.is_none() {
            return Err(StoreError::Forbidden);
        }
        let mut ph = Placeholders::starting_at(3);
        let scope = self.rows("m.region_code", "m.organisation_id", &mut ph);
        let sql = format!(
            "SELECT e.id, e.member_id, m.name, m.nik_masked, m.region_code, e.tranche, \
             e.amount_rupiah, e.state, e.result_note FROM entitlement e \
             JOIN cycle_member m ON m.id = e.member_id \
             WHERE e.cycle_id = $1 AND ($2 = 0 OR e.tranche = $2) AND {} \
             ORDER BY e.tranche, e.id",
            scope.sql
        );
        let rows: Vec<EntitlementRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(cycle_id)
                .bind(tranche.unwrap_or(0)),
            scope.binds
        )
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(to_entitlement).collect()
    }

    /// Records the bank's results: each entitlement (of this cycle, in the viewer's
    /// reach) paid or failed with its reason. Only once the cycle is approved: an
    /// entitlement is never settled before its cycle. Returns how many were updated; the
    /// ids not found in the cycle are returned for the caller to report.
    pub async fn record_payments(
        &self,
        cycle_id: i64,
        results: &[(i64, PaymentResult)],
    ) -> Result<(u64, Vec<i64>), StoreError> {
        let (c, home) = self.writable_cycle(cycle_id, &CycleState::ALL).await?;
        if !c.state.entitlements_payable() {
            return Err(refused(
                Msg::new("cycles.not_payable").arg_msg("state", c.state.label()),
            ));
        }
        let reachable: std::collections::HashSet<i64> = self
            .entitlements_in_scope(cycle_id, None)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        let now = now_text();
        let (paid, failed) = results.iter().fold((0u64, 0u64), |(p, f), (_, r)| match r {
            PaymentResult::Paid { .. } => (p + 1, f),
            PaymentResult::Failed { .. } => (p, f + 1),
        });
        let event = AuditEvent::new(self.actor(), "cycle.payments", "program_cycle")
            .id(cycle_id)
            .region(&home)
            .after(serde_json::json!({ "dibayar": paid, "gagal": failed }));
        let mut unknown = Vec::new();
        let updated = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut updated = 0u64;
            for (id, result) in results {
                if !reachable.contains(id) {
                    unknown.push(*id);
                    continue;
                }
                let (state, note) = match result {
                    PaymentResult::Paid { reference } => ("paid", reference.as_str()),
                    PaymentResult::Failed { reason } => ("failed", reason.as_str()),
                };
                updated += sqlx::query(
                    "UPDATE entitlement SET state = $2, result_note = $3, result_at = $4 \
                     WHERE id = $1 AND cycle_id = $5",
                )
                .bind(*id)
                .bind(state)
                .bind(note)
                .bind(&now)
                .bind(cycle_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            append_audit!(tx, &event);
            tx.commit().await?;
            updated
        });
        Ok((updated, unknown))
    }

    // -------------------------------------------------------------------------------
    // Notes and exits

    /// Adds a verification step, mentoring note or grievance about one beneficiary.
    pub async fn add_cycle_note(&self, cycle_id: i64, note: &NewNote) -> Result<i64, StoreError> {
        let (_, home) = self.writable_cycle(cycle_id, &CycleState::ALL).await?;
        if !self
            .members_in_scope(cycle_id)
            .await?
            .iter()
            .any(|m| m.id == note.member_id)
        {
            return Err(StoreError::Forbidden);
        }
        if note.body.trim().is_empty() {
            return Err(refused(Msg::new("cycles.note_empty")));
        }
        if note.kind == "verifikasi" && (note.step.is_none() || note.passed.is_none()) {
            return Err(refused(Msg::new("cycles.step_required")));
        }
        let author = self.actor().name;
        let now = now_text();
        let actor = self.actor();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO cycle_note (cycle_id, member_id, kind, on_date, author, body, \
                 follow_up, status, entitlement_id, created_at, step, outcome) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(cycle_id)
            .bind(note.member_id)
            .bind(note.kind)
            .bind(note.on_date.to_string())
            .bind(&author)
            .bind(note.body.trim())
            .bind(&note.follow_up)
            .bind(&note.status)
            .bind(note.entitlement_id)
            .bind(&now)
            .bind(note.step.map(VerificationStep::key))
            .bind(note.passed.map(|p| if p { "lulus" } else { "gagal" }))
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "cycle.note", "cycle_note")
                .id(id)
                .region(&home)
                .after(serde_json::json!({
                    "siklus": cycle_id, "penerima": note.member_id, "jenis": note.kind,
                    "status": note.status, "langkah": note.step.map(VerificationStep::key),
                    "lulus": note.passed,
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The notes of a cycle about beneficiaries the viewer sees by name.
    pub async fn cycle_notes(&self, cycle_id: i64) -> Result<Vec<NoteRecord>, StoreError> {
        Ok(self.cycle_members_and_notes(cycle_id).await?.1)
    }

    /// A cycle's beneficiaries the viewer sees by name and the notes about them, the
    /// beneficiaries read once (approval needs both).
    pub async fn cycle_members_and_notes(
        &self,
        cycle_id: i64,
    ) -> Result<(Vec<MemberRecord>, Vec<NoteRecord>), StoreError> {
        let all = self.cycle_members(cycle_id).await?;
        let members: std::collections::HashSet<i64> = all.iter().map(|m| m.id).collect();
        let rows: Vec<NoteRow> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, member_id, kind, on_date, author, body, follow_up, status, entitlement_id, \
             step, outcome FROM cycle_note WHERE cycle_id = $1 ORDER BY id"
        )
        .bind(cycle_id)
        .fetch_all(pool)
        .await
        })?;
        let notes = rows
            .into_iter()
            .filter(|r| members.contains(&r.1))
            .map(to_note)
            .collect();
        Ok((all, notes))
    }

    /// Records a beneficiary's exit (graduated, moved, dropped) with its reason.
    pub async fn exit_member(
        &self,
        cycle_id: i64,
        member_id: i64,
        kind: &str,
        reason: &str,
        on: NaiveDate,
    ) -> Result<(), StoreError> {
        let (_, home) = self.writable_cycle(cycle_id, &CycleState::ALL).await?;
        if !["lulus", "pindah", "berhenti"].contains(&kind) || reason.trim().is_empty() {
            return Err(refused(Msg::new("cycles.exit_invalid")));
        }
        if !self
            .members_in_scope(cycle_id)
            .await?
            .iter()
            .any(|m| m.id == member_id)
        {
            return Err(StoreError::Forbidden);
        }
        let event = AuditEvent::new(self.actor(), "cycle.exit", "cycle_member")
            .id(member_id)
            .region(&home)
            .after(serde_json::json!({ "jenis": kind, "alasan": reason.trim(), "tanggal": on }));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE cycle_member SET exit_kind = $3, exit_reason = $4, exit_on = $5 \
                 WHERE id = $1 AND cycle_id = $2",
            )
            .bind(member_id)
            .bind(cycle_id)
            .bind(kind)
            .bind(reason.trim())
            .bind(on.to_string())
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Every beneficiary and entitlement of a cycle in the viewer's rows, for aggregates
    /// only (the donor report; the board's view): no names leave through this.
    pub async fn cycle_for_report(
        &self,
        cycle_id: i64,
    ) -> Result<
        (
            Vec<MemberRecord>,
            Vec<EntitlementRecord>,
            Vec<(i64, String, Option<String>)>,
        ),
        StoreError,
    > {
        let mut members = self.members_in_scope(cycle_id).await?;
        for m in &mut members {
            m.name.clear();
            m.nik_masked = None;
        }
        let mut ents = self.entitlements_in_scope(cycle_id, None).await?;
        for e in &mut ents {
            e.name.clear();
            e.nik_masked = None;
        }
        let ids: std::collections::HashSet<i64> = members.iter().map(|m| m.id).collect();
        let notes: Vec<(i64, String, Option<String>)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT member_id, kind, status FROM cycle_note WHERE cycle_id = $1"
        )
        .bind(cycle_id)
        .fetch_all(pool)
        .await)?;
        Ok((
            members,
            ents,
            notes.into_iter().filter(|n| ids.contains(&n.0)).collect(),
        ))
    }
}

/// A lowered rule node as SQL over `person_record r LEFT JOIN person_fact f`.
enum SqlPart {
    /// A predicate, never NULL once the rule's error conditions are false.
    Bool(String),
    /// An integer or text value and the condition under which it is empty.
    Int(String, Option<String>),
    Text(String, Option<String>),
    /// A person's age in full years on a day.
    Age(NaiveDate),
}

struct SqlRule<'a> {
    ph: &'a mut Placeholders,
    binds: Vec<crate::scope::Bind>,
    /// Conditions under which evaluating the rule fails (undecided).
    errors: Vec<String>,
    start: NaiveDate,
}

impl SqlRule<'_> {
    fn text(&mut self, s: &str) -> String {
        self.binds.push(crate::scope::Bind::Text(s.to_string()));
        self.ph.next()
    }

    /// `birth_date <= ` this text: the person is at least `years` old on `on`.
    fn born_by(&mut self, on: NaiveDate, years: i64) -> Option<String> {
        use chrono::Datelike as _;
        let year = i64::from(on.year()) - years;
        (1000..=9999).contains(&year).then(|| {
            let p = self.text(&format!("{year:04}-{:02}-{:02}", on.month(), on.day()));
            format!("r.birth_date <= {p}")
        })
    }

    fn boolean(&mut self, part: SqlPart) -> Option<String> {
        match part {
            SqlPart::Bool(p) => Some(p),
            _ => None,
        }
    }

    fn part(&mut self, node: &sinergi_core::eligibility::Lowered) -> Option<SqlPart> {
        use sinergi_core::eligibility::{CmpOp, Lowered as L};
        Some(match node {
            L::Bool(b) => SqlPart::Bool(if *b { "1 = 1" } else { "1 = 0" }.into()),
            L::Int(i) => SqlPart::Int(i.to_string(), None),
            L::Str(s) => SqlPart::Text(self.text(s), None),
            L::Var(0) => SqlPart::Int("r.desil".into(), Some("r.desil IS NULL".into())),
            L::Var(1) => SqlPart::Text("r.sex".into(), Some("r.sex IS NULL".into())),
            L::Var(2) => {
                // A boolean fact read as an operand: empty is an error.
                self.errors.push("f.disability IS NULL".into());
                SqlPart::Bool("COALESCE(f.disability = 1, 1 = 0)".into())
            }
            L::Var(3) => SqlPart::Text(
                "(CASE WHEN f.in_school = 1 THEN 'ya' ELSE 'tidak' END)".into(),
                Some("f.in_school IS NULL".into()),
            ),
            L::Var(4) => SqlPart::Text("f.level".into(), Some("f.level IS NULL".into())),
            L::Var(5) => SqlPart::Text("r.region_code".into(), None),
            L::Var(6) => {
                let s = self.start.format("%Y-%m-%d").to_string();
                SqlPart::Text(self.text(&s), None)
            }
            L::AgeAtStart => {
                self.errors.push("r.birth_date IS NULL".into());
                SqlPart::Age(self.start)
            }
            L::AgeOn(Some(on)) => {
                self.errors.push("r.birth_date IS NULL".into());
                SqlPart::Age(*on)
            }
            L::And(a, b) | L::Or(a, b) => {
                let (x, y) = (self.part(a)?, self.part(b)?);
                let (x, y) = (self.boolean(x)?, self.boolean(y)?);
                let op = if matches!(node, L::And(..)) {
                    "AND"
                } else {
                    "OR"
                };
                SqlPart::Bool(format!("({x} {op} {y})"))
            }
            L::Not(a) => {
                let x = self.part(a)?;
                SqlPart::Bool(format!("(NOT {})", self.boolean(x)?))
            }
            L::InRegion(a) => match a.as_ref() {
                L::Str(code) => {
                    let code = code.replace('.', "");
                    if code.is_empty() {
                        SqlPart::Bool("1 = 0".into())
                    } else {
                        let n = code.chars().count();
                        let p = self.text(&code);
                        SqlPart::Bool(format!(
                            "substr(replace(r.region_code, '.', ''), 1, {n}) = {p}"
                        ))
                    }
                }
                _ => return None,
            },
            // The registry holds no other programs' membership: `ikut` is false there.
            L::InProgram(a) => match a.as_ref() {
                L::Str(_) => SqlPart::Bool("1 = 0".into()),
                _ => return None,
            },
            L::Cmp(op, a, b) => {
                let (x, y) = (self.part(a)?, self.part(b)?);
                // Ages against a whole number: a comparison of ISO birth dates.
                let flip = |op: CmpOp| match op {
                    CmpOp::Lt => CmpOp::Gt,
                    CmpOp::Leq => CmpOp::Geq,
                    CmpOp::Gt => CmpOp::Lt,
                    CmpOp::Geq => CmpOp::Leq,
                    other => other,
                };
                let (op, on, n) = match (&x, &y) {
                    (SqlPart::Age(on), SqlPart::Int(n, None)) => (*op, *on, n.parse::<i64>().ok()?),
                    (SqlPart::Int(n, None), SqlPart::Age(on)) => {
                        (flip(*op), *on, n.parse::<i64>().ok()?)
                    }
                    (SqlPart::Age(_), _) | (_, SqlPart::Age(_)) => return None,
                    _ => return self.compare(*op, x, y),
                };
                let at_least = |s: &mut Self, years: i64| s.born_by(on, years);
                let not = |p: String| format!("(NOT {p})");
                SqlPart::Bool(match op {
                    CmpOp::Geq => at_least(self, n)?,
                    CmpOp::Gt => at_least(self, n + 1)?,
                    CmpOp::Lt => not(at_least(self, n)?),
                    CmpOp::Leq => not(at_least(self, n + 1)?),
                    CmpOp::Eq | CmpOp::Neq => {
                        let eq = format!(
                            "({} AND {})",
                            at_least(self, n)?,
                            not(at_least(self, n + 1)?)
                        );
                        if op == CmpOp::Eq { eq } else { not(eq) }
                    }
                })
            }
            _ => return None,
        })
    }

    fn compare(
        &mut self,
        op: sinergi_core::eligibility::CmpOp,
        x: SqlPart,
        y: SqlPart,
    ) -> Option<SqlPart> {
        use sinergi_core::eligibility::CmpOp;
        // (left, its empty condition, right, its empty condition, same kind, integers)
        let (a, an, b, bn, same, ints) = match (x, y) {
            (SqlPart::Int(a, an), SqlPart::Int(b, bn)) => (a, an, b, bn, true, true),
            (SqlPart::Text(a, an), SqlPart::Text(b, bn)) => (a, an, b, bn, true, false),
            (SqlPart::Int(a, an), SqlPart::Text(b, bn))
            | (SqlPart::Text(a, an), SqlPart::Int(b, bn)) => (a, an, b, bn, false, false),
            _ => return None,
        };
        // Only a fact against a constant (one side never empty).
        if an.is_some() && bn.is_some() {
            return None;
        }
        let null = an.or(bn);
        Some(SqlPart::Bool(match op {
            CmpOp::Eq | CmpOp::Neq => {
                let eq = if same {
                    match &null {
                        Some(n) => format!("((NOT {n}) AND {a} = {b})"),
                        None => format!("({a} = {b})"),
                    }
                } else {
                    // Different kinds are never equal.
                    "1 = 0".into()
                };
                if op == CmpOp::Eq {
                    eq
                } else {
                    format!("(NOT {eq})")
                }
            }
            _ => {
                // Ordering: integers only (text order differs between the backends'
                // collations and Rust's); an empty fact is an error.
                if !ints {
                    return None;
                }
                if let Some(n) = null {
                    self.errors.push(n);
                }
                let sym = match op {
                    CmpOp::Lt => "<",
                    CmpOp::Leq => "<=",
                    CmpOp::Gt => ">",
                    _ => ">=",
                };
                format!("({a} {sym} {b})")
            }
        }))
    }
}

impl Scoped<'_> {
    /// Counts a lowered rule over the registry in scope in one query (checked, matched,
    /// undecided), with the rule's own semantics: any error anywhere makes a person
    /// undecided. `None` when the rule uses something this translation does not cover;
    /// the caller then evaluates the rows itself.
    pub async fn count_rule_in_sql(
        &self,
        rule: &sinergi_core::eligibility::Lowered,
        start: NaiveDate,
        region: Option<&str>,
    ) -> Result<Option<(i64, i64, i64)>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let scope = self.rows("r.region_code", "r.organisation_id", &mut ph);
        let mut binds = scope.binds;
        let mut extra = String::new();
        if let Some(region) = region {
            let lo = ph.next();
            let hi = ph.next();
            extra.push_str(&format!(
                " AND (r.region_code = {lo} OR (r.region_code > {lo} AND r.region_code < {hi}))"
            ));
            binds.push(crate::scope::Bind::Text(region.to_string()));
            binds.push(crate::scope::Bind::Text(format!("{region}/")));
        }
        let mut t = SqlRule {
            ph: &mut ph,
            binds: Vec::new(),
            errors: Vec::new(),
            start,
        };
        let Some(part) = t.part(rule) else {
            return Ok(None);
        };
        let Some(matched) = t.boolean(part) else {
            return Ok(None);
        };
        let mut errors = std::mem::take(&mut t.errors);
        errors.sort();
        errors.dedup();
        binds.extend(t.binds);
        let error = if errors.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("({})", errors.join(" OR "))
        };
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN {error} THEN 0 WHEN {matched} THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN {error} THEN 1 ELSE 0 END), 0) \
             FROM person_record r LEFT JOIN person_fact f ON f.person_id = r.id WHERE {}{extra}",
            scope.sql
        );
        let row: (i64, i64, i64) = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_one(pool)
        .await)?;
        Ok(Some(row))
    }
}
