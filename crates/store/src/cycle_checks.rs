//! Program cycles (issue 20), enrolment's two checks and the cycle's figures.
//!
//! - **Duplicates within a cycle**: the people of a draft cycle are read in memory (NIK and
//!   KK opened with the deployment key) for the linkage engine, which runs in the activity
//!   layer; the pairs it finds wait for the partner's decision (`sama`: the later record
//!   leaves the list; `beda`: both stay). A cycle with a pair waiting is not submitted nor
//!   approved.
//! - **Double aid**: the records of *other* partners' held lists that record aid in the
//!   cycle's kecamatans during the cycle (or the year before it) are read in memory for the
//!   same engine (`activity::double_aid`'s held-list path); only the other partners' names
//!   are kept with a flagged beneficiary, what a double-aid round shows a partner.
//! - **Figures**: the donor tally as a few aggregate queries over the viewer's rows.
//!
//! Every change is audited in its transaction.

use chrono::{Months, NaiveDate};
use serde::Serialize;
use sinergi_core::Msg;
use sinergi_core::cycle::{CycleState, EntitlementState, may_see_beneficiary_names};
use sqlx::AssertSqlSafe;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::pii::PiiField;
use crate::scope::{Placeholders, bind_filter};
use crate::{HeldRecord, Scoped, StoreError, on_pool};

/// A pair of beneficiaries of a cycle the linkage engine found to be perhaps one person.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicatePair {
    pub id: i64,
    /// Enrolled first; stays when the pair is decided to be one person.
    pub member_a: i64,
    /// Enrolled later; leaves the list when the pair is decided to be one person.
    pub member_b: i64,
    pub name_a: String,
    pub name_b: String,
    pub nik_a: Option<String>,
    pub nik_b: Option<String>,
    pub region_a: String,
    pub region_b: String,
    pub probability: f64,
    /// `None` while waiting; `Some(true)` one person, `Some(false)` two people.
    pub same: Option<bool>,
}

/// A pair found by enrolment's linkage, by beneficiary id (`member_a` < `member_b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewDuplicate {
    pub member_a: i64,
    pub member_b: i64,
    pub probability: f64,
}

/// One group of a cycle's included beneficiaries, counted in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberGroup {
    /// The kab/kota code (`52.03`).
    pub kabkota: String,
    /// "-" when unknown.
    pub sex: String,
    /// "-" when unknown.
    pub level: String,
    pub disability: bool,
    pub exit_kind: Option<String>,
    /// Flagged by the double-aid check.
    pub double_aid: bool,
    pub count: u64,
}

/// A cycle's figures as aggregate rows over the viewer's rows (never names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CycleFigures {
    pub members: Vec<MemberGroup>,
    /// (tranche, state, rupiah, count).
    pub entitlements: Vec<(i64, EntitlementState, i64, u64)>,
    /// (kind, status, count): mentoring notes, grievances, verifications.
    pub notes: Vec<(String, Option<String>, u64)>,
}

type PersonRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    String,
    Option<String>,
    Option<String>,
);

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Scoped<'_> {
    fn held(&self, r: &PersonRow) -> Result<HeldRecord, StoreError> {
        let key = self.pii_key()?;
        Ok(HeldRecord {
            line: r.0,
            nik: r
                .4
                .as_ref()
                .map(|c| key.open(PiiField::Nik, c))
                .transpose()?,
            kk: r
                .5
                .as_ref()
                .map(|c| key.open(PiiField::Kk, c))
                .transpose()?,
            name: r.1.clone(),
            birth_date: r
                .3
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            sex: r.2.as_deref().and_then(|s| s.chars().next()),
            region: r.7.clone(),
            aid_type: r.8.clone(),
            person_key: r.6.as_deref().map(hex),
        })
    }

    /// The people of a draft cycle the partner runs, opened in memory for the linkage
    /// engine (never shown): (beneficiary id, record), beneficiaries already decided to be
    /// someone else's duplicate left out. `HeldRecord::line` is the beneficiary id.
    pub async fn cycle_people(&self, cycle_id: i64) -> Result<Vec<HeldRecord>, StoreError> {
        self.writable_cycle(cycle_id, &[CycleState::Draft]).await?;
        let rows: Vec<PersonRow> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT m.id, r.name, r.sex, r.birth_date, r.nik_cipher, r.kk_cipher, r.nik_hash, \
             r.region_code, NULL, NULL FROM cycle_member m JOIN person_record r ON r.id = m.person_id \
             WHERE m.cycle_id = $1 AND m.duplicate_of IS NULL ORDER BY m.id"
        )
        .bind(cycle_id)
        .fetch_all(pool)
        .await
        })?;
        rows.iter().map(|r| self.held(r)).collect()
    }

    /// The records of other partners' held lists that record aid (any type: the caller
    /// keeps the ones that count as the cycle's) in the kecamatans of a draft cycle's
    /// beneficiaries, received from a year before the cycle starts to its end (or
    /// undated): (other partner's name, record), opened in memory for the double-aid check
    /// and never shown.
    pub async fn aid_elsewhere(
        &self,
        cycle_id: i64,
    ) -> Result<Vec<(String, HeldRecord)>, StoreError> {
        let (c, _) = self.writable_cycle(cycle_id, &[CycleState::Draft]).await?;
        let kecamatan: Vec<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT DISTINCT substr(region_code, 1, 8) FROM cycle_member WHERE cycle_id = $1"
        )
        .bind(cycle_id)
        .fetch_all(pool)
        .await)?;
        let from = c
            .start
            .checked_sub_months(Months::new(12))
            .unwrap_or(c.start)
            .format("%Y-%m-%d")
            .to_string();
        let to = c.end.format("%Y-%m-%d").to_string();
        let mut out = Vec::new();
        for k in kecamatan {
            let rows: Vec<PersonRow> = on_pool!(self, |pool| sqlx::query_as(
                "SELECT r.source_line, r.name, r.sex, r.birth_date, r.nik_cipher, r.kk_cipher, \
                 r.nik_hash, r.region_code, d.aid_type, o.name FROM distribution d \
                 JOIN person_record r ON r.list_id = d.list_id AND r.source_line = d.source_line \
                 JOIN organisation o ON o.id = d.organisation_id \
                 WHERE d.region_code > $1 AND d.region_code < $2 AND d.organisation_id <> $3 \
                 AND d.aid_type IS NOT NULL AND (d.received_on IS NULL OR d.received_on = '' \
                 OR (d.received_on >= $4 AND d.received_on <= $5)) ORDER BY d.id"
            )
            .bind(&k)
            .bind(format!("{k}/"))
            .bind(c.organisation_id)
            .bind(&from)
            .bind(&to)
            .fetch_all(pool)
            .await)?;
            for r in &rows {
                let mut held = self.held(r)?;
                held.line = r.0;
                out.push((r.9.clone().unwrap_or_default(), held));
            }
        }
        Ok(out)
    }

    /// Records enrolment's checks on a draft cycle: new duplicate pairs (a pair already
    /// found keeps its decision) and the double-aid flags, which replace the previous ones
    /// (beneficiary id, other partners). Returns the pairs still waiting for a decision.
    pub async fn record_cycle_checks(
        &self,
        cycle_id: i64,
        pairs: &[NewDuplicate],
        flags: &[(i64, Vec<String>)],
    ) -> Result<u64, StoreError> {
        let (_, home) = self.writable_cycle(cycle_id, &[CycleState::Draft]).await?;
        let now = now_text();
        let event = AuditEvent::new(self.actor(), "cycle.check", "program_cycle")
            .id(cycle_id)
            .region(&home)
            .after(serde_json::json!({
                "pasangan_ganda": pairs.len(), "bantuan_ganda": flags.len(),
            }));
        let pending = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for p in pairs {
                sqlx::query(
                    "INSERT INTO cycle_duplicate (cycle_id, member_a, member_b, probability, \
                     created_at) SELECT $1, $2, $3, $4, $5 WHERE \
                     (SELECT COUNT(*) FROM cycle_member WHERE cycle_id = $1 AND id IN ($2, $3)) = 2 \
                     ON CONFLICT (member_a, member_b) DO NOTHING",
                )
                .bind(cycle_id)
                .bind(p.member_a)
                .bind(p.member_b)
                .bind(p.probability)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE cycle_member SET double_aid = NULL WHERE cycle_id = $1")
                .bind(cycle_id)
                .execute(&mut *tx)
                .await?;
            for (member, others) in flags {
                sqlx::query(
                    "UPDATE cycle_member SET double_aid = $2 WHERE id = $1 AND cycle_id = $3",
                )
                .bind(*member)
                .bind(others.join("; "))
                .bind(cycle_id)
                .execute(&mut *tx)
                .await?;
            }
            let pending: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM cycle_duplicate WHERE cycle_id = $1 AND decision IS NULL",
            )
            .bind(cycle_id)
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(tx, &event);
            tx.commit().await?;
            count(pending)
        });
        Ok(pending)
    }

    /// The duplicate pairs of a cycle the viewer sees by name (both beneficiaries in its
    /// rows), waiting ones first.
    pub async fn cycle_duplicates(&self, cycle_id: i64) -> Result<Vec<DuplicatePair>, StoreError> {
        if !may_see_beneficiary_names(self.viewer()) || self.cycle(cycle_id).await?.is_none() {
            return Err(StoreError::Forbidden);
        }
        let mut ph = Placeholders::starting_at(2);
        let scope_a = self.rows("a.region_code", "a.organisation_id", &mut ph);
        let scope_b = self.rows("b.region_code", "b.organisation_id", &mut ph);
        let sql = format!(
            "SELECT d.id, d.member_a, d.member_b, a.name, b.name, a.nik_masked, b.nik_masked, \
             a.region_code, b.region_code, d.probability, d.decision FROM cycle_duplicate d \
             JOIN cycle_member a ON a.id = d.member_a JOIN cycle_member b ON b.id = d.member_b \
             WHERE d.cycle_id = $1 AND {} AND {} \
             ORDER BY CASE WHEN d.decision IS NULL THEN 0 ELSE 1 END, d.id",
            scope_a.sql, scope_b.sql
        );
        let mut binds = scope_a.binds;
        binds.extend(scope_b.binds);
        type Row = (
            i64,
            i64,
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
            String,
            f64,
            Option<String>,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(cycle_id),
            binds
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| DuplicatePair {
                id: r.0,
                member_a: r.1,
                member_b: r.2,
                name_a: r.3,
                name_b: r.4,
                nik_a: r.5,
                nik_b: r.6,
                region_a: r.7,
                region_b: r.8,
                probability: r.9,
                same: r.10.map(|d| d == "sama"),
            })
            .collect())
    }

    /// How many duplicate pairs of a cycle wait for a decision.
    pub async fn pending_duplicates(&self, cycle_id: i64) -> Result<u64, StoreError> {
        let n: i64 = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM cycle_duplicate WHERE cycle_id = $1 AND decision IS NULL"
        )
        .bind(cycle_id)
        .fetch_one(pool)
        .await)?;
        Ok(count(n))
    }

    /// Decides a duplicate pair of a draft cycle: one person (the later record leaves the
    /// list, kept as the earlier one's duplicate) or two people (both stay).
    pub async fn decide_duplicate(
        &self,
        cycle_id: i64,
        pair_id: i64,
        same: bool,
    ) -> Result<(), StoreError> {
        let (_, home) = self.writable_cycle(cycle_id, &[CycleState::Draft]).await?;
        let now = now_text();
        let actor = self.actor();
        let who = actor.name.clone();
        let decision = if same { "sama" } else { "beda" };
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let pair: Option<(i64, i64, Option<String>)> = sqlx::query_as(
                "SELECT member_a, member_b, decision FROM cycle_duplicate \
                 WHERE id = $1 AND cycle_id = $2",
            )
            .bind(pair_id)
            .bind(cycle_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((a, b, before)) = pair else {
                return Err(StoreError::Forbidden);
            };
            sqlx::query(
                "UPDATE cycle_duplicate SET decision = $2, decided_by = $3, decided_at = $4 \
                 WHERE id = $1",
            )
            .bind(pair_id)
            .bind(decision)
            .bind(&who)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            if same {
                sqlx::query(
                    "UPDATE cycle_member SET duplicate_of = $2, included = 0 WHERE id = $1",
                )
                .bind(b)
                .bind(a)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE cycle_member SET duplicate_of = NULL, included = 1 \
                     WHERE id = $1 AND duplicate_of = $2",
                )
                .bind(b)
                .bind(a)
                .execute(&mut *tx)
                .await?;
            }
            let event = AuditEvent::new(actor.clone(), "cycle.duplicate", "program_cycle")
                .id(cycle_id)
                .region(&home)
                .before(serde_json::json!({ "pasangan": pair_id, "putusan": before }))
                .after(serde_json::json!({
                    "pasangan": pair_id, "putusan": decision, "penerima": [a, b],
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// A cycle's figures in the viewer's rows, as aggregate queries (no row per
    /// beneficiary leaves the database).
    pub async fn cycle_figures(&self, cycle_id: i64) -> Result<CycleFigures, StoreError> {
        if self.cycle(cycle_id).await?.is_none() {
            return Err(StoreError::Forbidden);
        }
        let mut ph = Placeholders::starting_at(2);
        let scope = self.rows("m.region_code", "m.organisation_id", &mut ph);
        let sql = format!(
            "SELECT substr(m.region_code, 1, 5), COALESCE(m.sex, '-'), COALESCE(m.level, '-'), \
             m.disability, m.exit_kind, \
             CASE WHEN m.double_aid IS NULL THEN 'n' ELSE 'y' END, COUNT(*) \
             FROM cycle_member m WHERE m.cycle_id = $1 AND m.included = 1 AND {} \
             GROUP BY 1, 2, 3, 4, 5, 6",
            scope.sql
        );
        type MRow = (String, String, String, i64, Option<String>, String, i64);
        let rows: Vec<MRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(cycle_id),
            scope.binds.clone()
        )
        .fetch_all(pool)
        .await)?;
        let members = rows
            .into_iter()
            .map(|r| MemberGroup {
                kabkota: r.0,
                sex: r.1,
                level: r.2,
                disability: r.3 != 0,
                exit_kind: r.4,
                double_aid: r.5 == "y",
                count: count(r.6),
            })
            .collect();
        let sql = format!(
            "SELECT e.tranche, e.state, CAST(SUM(e.amount_rupiah) AS BIGINT), COUNT(*) \
             FROM entitlement e JOIN cycle_member m ON m.id = e.member_id \
             WHERE e.cycle_id = $1 AND {} GROUP BY e.tranche, e.state",
            scope.sql
        );
        let rows: Vec<(i64, String, i64, i64)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(cycle_id),
            scope.binds.clone()
        )
        .fetch_all(pool)
        .await)?;
        let entitlements = rows
            .into_iter()
            .map(|r| {
                let state = EntitlementState::from_key(&r.1)
                    .ok_or_else(|| StoreError::Corrupt(r.1.clone()))?;
                Ok((r.0, state, r.2, count(r.3)))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let sql = format!(
            "SELECT n.kind, n.status, COUNT(*) FROM cycle_note n \
             JOIN cycle_member m ON m.id = n.member_id \
             WHERE n.cycle_id = $1 AND {} GROUP BY n.kind, n.status",
            scope.sql
        );
        let rows: Vec<(String, Option<String>, i64)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(cycle_id),
            scope.binds.clone()
        )
        .fetch_all(pool)
        .await)?;
        let notes = rows.into_iter().map(|r| (r.0, r.1, count(r.2))).collect();
        Ok(CycleFigures {
            members,
            entitlements,
            notes,
        })
    }

    /// Distinct people among the included beneficiaries of a program's cycles (cancelled
    /// cycles left out) in the viewer's rows: a child in two cycles counts once.
    pub async fn program_reach(&self, program_id: i64) -> Result<u64, StoreError> {
        self.visible_program(program_id).await?;
        let mut ph = Placeholders::starting_at(2);
        let scope = self.rows("m.region_code", "m.organisation_id", &mut ph);
        let sql = format!(
            "SELECT COUNT(DISTINCT COALESCE(m.person_id, -m.id)) FROM cycle_member m \
             JOIN program_cycle c ON c.id = m.cycle_id \
             WHERE c.program_id = $1 AND c.state <> 'cancelled' AND m.included = 1 AND {}",
            scope.sql
        );
        let n: i64 = on_pool!(self, |pool| bind_filter!(
            sqlx::query_scalar(AssertSqlSafe(sql.clone())).bind(program_id),
            scope.binds
        )
        .fetch_one(pool)
        .await)?;
        Ok(count(n))
    }
}

/// Refusal of a move while duplicate pairs wait: how many.
pub(crate) fn duplicates_pending(n: u64) -> StoreError {
    StoreError::Refused(Msg::new("cycles.duplicates_pending").arg("count", n))
}
