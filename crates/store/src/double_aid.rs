//! Double-aid check rounds (issue 19): a round for a region and period, its invited partners
//! and how each joined (a held list, or an encoded file kept only until the round closes),
//! the pairs found (each side a partner and a line of its own list), frozen when the round
//! closes, and the comparison with the previous round of the same region.
//!
//! Every method applies `core::double_aid`: who opens, joins, runs and closes a round, and
//! what each viewer gets of its results (a partner its own flagged lines with the other
//! organisation's name and contact, the admin counts, the board suppressed counts, the
//! public a province total of closed rounds). Changes and results views are audited.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;
use sinergi_core::double_aid::{
    JoinMode, ResultsView, RoundStatus, disclose_count, may_join_round, may_open_round,
    may_see_counterpart, results_view,
};
use sinergi_core::{Disclosed, Msg, Period, RegionCode};

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::pii::PiiField;
use crate::{Scoped, StoreError, on_pool};

/// A round to open.
#[derive(Debug, Clone)]
pub struct NewRound {
    pub region: RegionCode,
    pub period: Period,
    /// The aid types that count as the same help (empty: every type).
    pub aid_types: Vec<String>,
    /// The partners invited: organisation, and a contact for the others (blank: the one in
    /// its registry entry).
    pub invite: Vec<(i64, Option<String>)>,
}

/// A member of a round as its viewer may see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RoundMember {
    pub organisation_id: i64,
    pub name: String,
    pub contact: String,
    /// `None`: invited, not joined yet.
    pub mode: Option<JoinMode>,
    pub list_id: Option<i64>,
    pub record_count: i64,
    pub joined_at: Option<String>,
}

/// A round as its viewer may see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RoundRecord {
    pub id: i64,
    pub region: String,
    pub period: String,
    pub aid_types: Vec<String>,
    pub status: RoundStatus,
    pub previous_id: Option<i64>,
    pub created_at: String,
    pub run_at: Option<String>,
    pub closed_at: Option<String>,
    pub candidate_pairs: i64,
    /// The members this viewer may see: all for the admin and board, its own for a partner,
    /// none for the public.
    pub members: Vec<RoundMember>,
}

/// How a member joins.
#[derive(Debug, Clone)]
pub enum JoinWith {
    /// A list the partner holds in the store.
    Held { list_id: i64 },
    /// An encoded file (`sinergi sandi`), already read and checked: its text and rows.
    Encoded { text: String, records: i64 },
}

/// What the run needs of a member (the admin or the system only).
#[derive(Debug, Clone)]
pub struct RunMember {
    pub organisation_id: i64,
    pub name: String,
    pub contact: String,
    pub mode: JoinMode,
    pub list_id: Option<i64>,
    pub encoded_file: Option<String>,
}

/// One person of a held list, read in memory for a run; never shown.
#[derive(Debug, Clone)]
pub struct HeldRecord {
    /// The line of the partner's own list.
    pub line: i64,
    pub nik: Option<String>,
    pub kk: Option<String>,
    pub name: String,
    pub birth_date: Option<NaiveDate>,
    /// 'L' or 'P'.
    pub sex: Option<char>,
    pub region: String,
    pub aid_type: Option<String>,
    /// The store's keyed NIK hash (hex): the same person in a later round.
    pub person_key: Option<String>,
}

/// One pair found by a run.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPair {
    pub org_a: i64,
    pub line_a: i64,
    pub org_b: i64,
    pub line_b: i64,
    pub kecamatan: String,
    pub aid_type: String,
    pub probability: f64,
    /// NIK, KK and filter (or name/date) weights: the evidence.
    pub weights: [f64; 3],
    pub certain: bool,
    pub person_key: Option<String>,
}

/// A partner's own line, flagged: also receives this aid from `other`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FlagRow {
    pub line: i64,
    /// How the pair was found: both sides joined the same way (held lists are linked in
    /// cleartext by the linkage engine, encoded files by the encoded scorer).
    pub method: Option<JoinMode>,
    pub aid_type: String,
    pub other: String,
    pub other_contact: String,
}

/// A partner's own line in an uncertain pair: the evidence, and its own verdict.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReviewRow {
    pub pair_no: i64,
    /// How the pair was found (see [`FlagRow::method`]).
    pub method: Option<JoinMode>,
    pub line: i64,
    pub aid_type: String,
    pub probability: f64,
    pub weights: [f64; 3],
    pub decision: Option<String>,
}

/// An open round with uncertain pairs still undecided: for a partner, the sides that are its
/// own; for the round's admin, the pairs with a side undecided. Listed on the review queue
/// page (`/tautan`), which links to the round where the pairs are reviewed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PendingReview {
    pub round_id: i64,
    pub region: String,
    pub period: String,
    pub undecided: i64,
}

/// kecamatan × partner pair × aid type.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CountRow {
    pub kecamatan: String,
    /// How the pairs were found (see [`FlagRow::method`]).
    pub method: Option<JoinMode>,
    pub partners: (String, String),
    pub aid_type: String,
    pub count: Disclosed,
}

/// A partner pair and aid type against the previous round.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CompareRow {
    pub partners: (String, String),
    pub aid_type: String,
    pub previous: Disclosed,
    pub now: Disclosed,
    /// Persons overlapping now and not before, and before and not now (held lists only:
    /// encoded lines of two rounds cannot be matched).
    pub new: Disclosed,
    pub resolved: Disclosed,
}

/// What one viewer gets of a round's results.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum RoundResults {
    OwnRows {
        flags: Vec<FlagRow>,
        review: Vec<ReviewRow>,
    },
    Counts {
        cells: Vec<CountRow>,
        comparison: Vec<CompareRow>,
        uncertain: Disclosed,
    },
    ProvinceTotal(Disclosed),
    Nothing,
}

type RoundRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    i64,
);

type MemberRow = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    i64,
    Option<String>,
);

type PairRow = (
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    f64,
    f64,
    f64,
    f64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A joined member as the run reads it: id, name, contact, mode, list, encoded file.
type RunRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// The two partners' verdicts on an uncertain pair.
type Verdicts = (Option<String>, Option<String>);

type HeldRow = (
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    String,
    Option<String>,
);

fn split_types(s: &str) -> Vec<String> {
    s.split(';')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Aid types as stored: trimmed, lower case, no duplicates, `;`-joined.
pub fn normalise_aid_types(types: &[String]) -> Vec<String> {
    let set: BTreeSet<String> = types
        .iter()
        .flat_map(|t| t.split([',', ';']))
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    set.into_iter().collect()
}

fn mode_of(s: &Option<String>) -> Option<JoinMode> {
    match s.as_deref() {
        Some("held") => Some(JoinMode::Held),
        Some("encoded") => Some(JoinMode::Encoded),
        _ => None,
    }
}

fn mode_key(m: JoinMode) -> &'static str {
    match m {
        JoinMode::Held => "held",
        JoinMode::Encoded => "encoded",
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn refused(key: &'static str) -> StoreError {
    StoreError::Refused(Msg::new(key))
}

impl Scoped<'_> {
    /// Opens a round (the admin of the region, or the system), inviting its partners. The
    /// last closed round of the region becomes the one it is compared with.
    pub async fn open_double_aid_round(&self, input: &NewRound) -> Result<i64, StoreError> {
        if !may_open_round(self.viewer(), &input.region) {
            return Err(StoreError::Forbidden);
        }
        let mut invited = BTreeSet::new();
        for (org, _) in &input.invite {
            if !invited.insert(*org) {
                return Err(StoreError::Refused(
                    Msg::new("double_aid.invited_twice").arg("id", *org),
                ));
            }
            if self.organisation(*org).await?.is_none() {
                return Err(StoreError::Refused(
                    Msg::new("double_aid.unknown_organisation").arg("id", *org),
                ));
            }
        }
        if invited.len() < 2 {
            return Err(refused("double_aid.two_partners"));
        }
        let aid_types = normalise_aid_types(&input.aid_types);
        let region = input.region.to_string();
        let period = input.period.to_string();
        let actor = self.actor();
        let creator = self.viewer().principal().map(|p| p.user_id);
        let now = now_text();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let previous: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM double_aid_round WHERE region_code = $1 AND status = 'closed' \
                 ORDER BY closed_at DESC, id DESC LIMIT 1",
            )
            .bind(&region)
            .fetch_optional(&mut *tx)
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO double_aid_round (region_code, period, aid_types, status, \
                 previous_id, created_by, created_at) VALUES ($1, $2, $3, 'open', $4, $5, $6) \
                 RETURNING id",
            )
            .bind(&region)
            .bind(&period)
            .bind(aid_types.join(";"))
            .bind(previous)
            .bind(creator)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            for (org, contact) in &input.invite {
                let registered: String = sqlx::query_scalar(
                    "SELECT COALESCE(NULLIF(p.email, ''), NULLIF(p.phone, ''), \
                     NULLIF(k.email, ''), NULLIF(k.phone, ''), '') FROM organisation o \
                     LEFT JOIN partner p ON p.organisation_id = o.id \
                     LEFT JOIN lks k ON k.organisation_id = o.id WHERE o.id = $1",
                )
                .bind(org)
                .fetch_one(&mut *tx)
                .await?;
                let contact = contact
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map_or(registered, str::to_string);
                sqlx::query(
                    "INSERT INTO double_aid_member (round_id, organisation_id, contact, \
                     invited_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(org)
                .bind(&contact)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            let event = AuditEvent::new(actor.clone(), "double_aid.open", "double_aid_round")
                .id(id)
                .region(&region)
                .after(serde_json::json!({
                    "periode": period,
                    "jenis": aid_types,
                    "mitra": invited.iter().collect::<Vec<_>>(),
                    "sebelumnya": previous,
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    async fn round_row(&self, id: i64) -> Result<Option<RoundRow>, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, region_code, period, aid_types, status, previous_id, created_at, run_at, \
             closed_at, candidate_pairs FROM double_aid_round WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?)
    }

    async fn member_rows(&self, round: Option<i64>) -> Result<Vec<MemberRow>, StoreError> {
        let sql = format!(
            "SELECT m.round_id, m.organisation_id, o.name, m.contact, m.mode, m.list_id, \
             m.record_count, m.joined_at FROM double_aid_member m \
             JOIN organisation o ON o.id = m.organisation_id {} ORDER BY m.round_id, o.name",
            if round.is_some() {
                "WHERE m.round_id = $1"
            } else {
                ""
            }
        );
        Ok(on_pool!(self, |pool| {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            match round {
                Some(r) => q.bind(r).fetch_all(pool).await,
                None => q.fetch_all(pool).await,
            }
        })?)
    }

    /// The rounds this viewer has a part in, newest first: the admin and board those of
    /// their regions, a partner those it is invited to, the public closed rounds.
    pub async fn double_aid_rounds(&self) -> Result<Vec<RoundRecord>, StoreError> {
        let rows: Vec<RoundRow> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, region_code, period, aid_types, status, previous_id, created_at, run_at, \
             closed_at, candidate_pairs FROM double_aid_round ORDER BY id DESC"
        )
        .fetch_all(pool)
        .await
        })?;
        let mut members: BTreeMap<i64, Vec<MemberRow>> = BTreeMap::new();
        for m in self.member_rows(None).await? {
            members.entry(m.0).or_default().push(m);
        }
        let mut out = Vec::new();
        for r in rows {
            let ms = members.remove(&r.0).unwrap_or_default();
            if let Some(round) = self.shape_round(r, ms)? {
                out.push(round);
            }
        }
        Ok(out)
    }

    /// One round, if the viewer has a part in it.
    pub async fn double_aid_round(&self, id: i64) -> Result<Option<RoundRecord>, StoreError> {
        let Some(row) = self.round_row(id).await? else {
            return Ok(None);
        };
        let members = self.member_rows(Some(id)).await?;
        self.shape_round(row, members)
    }

    fn view_of(&self, region: &str) -> Result<(RegionCode, ResultsView), StoreError> {
        let code = RegionCode::parse(region).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let view = results_view(self.viewer(), &code, self.disclosure_threshold());
        Ok((code, view))
    }

    fn shape_round(
        &self,
        r: RoundRow,
        members: Vec<MemberRow>,
    ) -> Result<Option<RoundRecord>, StoreError> {
        let status = RoundStatus::from_key(&r.4)
            .ok_or_else(|| StoreError::Corrupt(format!("round status {}", r.4)))?;
        let (_, view) = self.view_of(&r.1)?;
        let members: Vec<RoundMember> = match view {
            ResultsView::Nothing => return Ok(None),
            ResultsView::ProvinceTotals { .. } if status != RoundStatus::Closed => {
                return Ok(None);
            }
            ResultsView::ProvinceTotals { .. } => Vec::new(),
            ResultsView::OwnRows { organisation } => {
                let own: Vec<_> = members
                    .into_iter()
                    .filter(|m| m.1 == organisation)
                    .collect();
                if own.is_empty() {
                    return Ok(None);
                }
                own.into_iter().map(member).collect()
            }
            ResultsView::Counts { .. } => members.into_iter().map(member).collect(),
        };
        Ok(Some(RoundRecord {
            id: r.0,
            region: r.1,
            period: r.2,
            aid_types: split_types(&r.3),
            status,
            previous_id: r.5,
            created_at: r.6,
            run_at: r.7,
            closed_at: r.8,
            candidate_pairs: r.9,
            members,
        }))
    }

    /// Invites one more partner to an open round (the round's admin or the system).
    pub async fn invite_to_double_aid_round(
        &self,
        round_id: i64,
        organisation: i64,
        contact: Option<&str>,
    ) -> Result<(), StoreError> {
        let row = self
            .round_row(round_id)
            .await?
            .ok_or(StoreError::Forbidden)?;
        let region = RegionCode::parse(&row.1).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if !may_open_round(self.viewer(), &region) {
            return Err(StoreError::Forbidden);
        }
        if row.4 != "open" {
            return Err(refused("double_aid.closed"));
        }
        if self.organisation(organisation).await?.is_none() {
            return Err(StoreError::Refused(
                Msg::new("double_aid.unknown_organisation").arg("id", organisation),
            ));
        }
        let contact = contact.map(str::trim).unwrap_or("").to_string();
        let actor = self.actor();
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let exists: Option<i64> = sqlx::query_scalar(
                "SELECT organisation_id FROM double_aid_member WHERE round_id = $1 AND organisation_id = $2",
            )
            .bind(round_id)
            .bind(organisation)
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_some() {
                return Err(StoreError::Refused(
                    Msg::new("double_aid.invited_twice").arg("id", organisation),
                ));
            }
            sqlx::query(
                "INSERT INTO double_aid_member (round_id, organisation_id, contact, invited_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(round_id)
            .bind(organisation)
            .bind(&contact)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "double_aid.invite", "double_aid_round")
                .id(round_id)
                .region(&row.1)
                .after(serde_json::json!({ "mitra": organisation }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Joins `organisation` to an open round it is invited to: the partner itself, or the
    /// admin on its behalf. Joining again replaces the earlier list or file.
    pub async fn join_double_aid_round(
        &self,
        round_id: i64,
        organisation: i64,
        with: &JoinWith,
    ) -> Result<(), StoreError> {
        let row = self
            .round_row(round_id)
            .await?
            .ok_or(StoreError::Forbidden)?;
        let status = RoundStatus::from_key(&row.4)
            .ok_or_else(|| StoreError::Corrupt(format!("round status {}", row.4)))?;
        if status == RoundStatus::Closed {
            return Err(refused("double_aid.closed"));
        }
        if !may_join_round(self.viewer(), status, organisation) {
            return Err(StoreError::Forbidden);
        }
        // The admin joins on behalf of partners of its own rounds only.
        if let Some(p) = self.viewer().principal()
            && p.role == sinergi_core::Role::AdminProvinsi
            && !may_open_round(
                self.viewer(),
                &RegionCode::parse(&row.1).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            )
        {
            return Err(StoreError::Forbidden);
        }
        let invited: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(
            "SELECT organisation_id FROM double_aid_member WHERE round_id = $1 AND organisation_id = $2"
        )
        .bind(round_id)
        .bind(organisation)
        .fetch_optional(pool)
        .await
        })?;
        if invited.is_none() {
            return Err(refused("double_aid.not_invited"));
        }
        let (mode, list_id, file, count) = match with {
            JoinWith::Held { list_id } => {
                let list: Option<(i64, Option<i64>)> = on_pool!(self, |pool| sqlx::query_as(
                    "SELECT organisation_id, replaced_by FROM person_list WHERE id = $1"
                )
                .bind(list_id)
                .fetch_optional(pool)
                .await)?;
                match list {
                    Some((owner, None)) if owner == organisation => {}
                    Some((owner, Some(_))) if owner == organisation => {
                        return Err(StoreError::Refused(
                            Msg::new("double_aid.list_replaced").arg("id", *list_id),
                        ));
                    }
                    _ => {
                        return Err(StoreError::Refused(
                            Msg::new("double_aid.list_not_own").arg("id", *list_id),
                        ));
                    }
                }
                let count: i64 = on_pool!(self, |pool| sqlx::query_scalar(
                    "SELECT COUNT(*) FROM person_record WHERE list_id = $1"
                )
                .bind(list_id)
                .fetch_one(pool)
                .await)?;
                (JoinMode::Held, Some(*list_id), None, count)
            }
            JoinWith::Encoded { text, records } => {
                (JoinMode::Encoded, None, Some(text.clone()), *records)
            }
        };
        if count == 0 {
            return Err(refused("double_aid.empty_list"));
        }
        let actor = self.actor();
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE double_aid_member SET mode = $1, list_id = $2, encoded_file = $3, \
                 record_count = $4, joined_at = $5 WHERE round_id = $6 AND organisation_id = $7",
            )
            .bind(mode_key(mode))
            .bind(list_id)
            .bind(&file)
            .bind(count)
            .bind(&now)
            .bind(round_id)
            .bind(organisation)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "double_aid.join", "double_aid_round")
                .id(round_id)
                .region(&row.1)
                .after(serde_json::json!({
                    "mitra": organisation,
                    "cara": mode_key(mode),
                    "daftar": list_id,
                    "baris": count,
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Whether this viewer runs and closes the round (its region's admin, or the system).
    fn require_round_admin(&self, row: &RoundRow) -> Result<(), StoreError> {
        let region = RegionCode::parse(&row.1).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if may_open_round(self.viewer(), &region) {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    /// The joined members with what the run needs (their encoded files): for the run only.
    pub async fn double_aid_run_members(
        &self,
        round_id: i64,
    ) -> Result<Vec<RunMember>, StoreError> {
        let row = self
            .round_row(round_id)
            .await?
            .ok_or(StoreError::Forbidden)?;
        self.require_round_admin(&row)?;
        let rows: Vec<RunRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT m.organisation_id, o.name, m.contact, m.mode, m.list_id, m.encoded_file \
                 FROM double_aid_member m JOIN organisation o ON o.id = m.organisation_id \
                 WHERE m.round_id = $1 AND m.mode IS NOT NULL ORDER BY m.organisation_id"
        )
        .bind(round_id)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(RunMember {
                    organisation_id: r.0,
                    name: r.1,
                    contact: r.2,
                    mode: mode_of(&r.3)?,
                    list_id: r.4,
                    encoded_file: r.5,
                })
            })
            .collect())
    }

    /// The persons of a member's held list, opened in memory for the run (the round's admin
    /// or the system only): the rows whose aid falls in the round's period (or gives no date).
    /// Nothing of them is shown or written anywhere; only pairs of lines are kept.
    pub async fn double_aid_held_records(
        &self,
        round_id: i64,
        list_id: i64,
    ) -> Result<Vec<HeldRecord>, StoreError> {
        let row = self
            .round_row(round_id)
            .await?
            .ok_or(StoreError::Forbidden)?;
        self.require_round_admin(&row)?;
        let member: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT organisation_id FROM double_aid_member WHERE round_id = $1 AND list_id = $2"
        )
        .bind(round_id)
        .bind(list_id)
        .fetch_optional(pool)
        .await)?;
        if member.is_none() {
            return Err(StoreError::Forbidden);
        }
        let period =
            Period::parse(&row.2).map_err(|e| StoreError::Corrupt(format!("period: {e}")))?;
        let (from, to) = (
            period.start().format("%Y-%m-%d").to_string(),
            period.end().format("%Y-%m-%d").to_string(),
        );
        let rows: Vec<HeldRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT r.source_line, r.name, r.sex, r.birth_date, r.nik_cipher, r.kk_cipher, \
             r.nik_hash, r.region_code, d.aid_type FROM person_record r \
             LEFT JOIN distribution d ON d.list_id = r.list_id AND d.source_line = r.source_line \
             WHERE r.list_id = $1 AND (d.received_on IS NULL OR d.received_on = '' \
             OR (d.received_on >= $2 AND d.received_on <= $3)) ORDER BY r.source_line, r.id"
        )
        .bind(list_id)
        .bind(&from)
        .bind(&to)
        .fetch_all(pool)
        .await)?;
        let key = self.pii_key()?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let nik = r.4.map(|c| key.open(PiiField::Nik, &c)).transpose()?;
            let kk = r.5.map(|c| key.open(PiiField::Kk, &c)).transpose()?;
            out.push(HeldRecord {
                line: r.0.unwrap_or(0),
                nik,
                kk,
                name: r.1,
                birth_date: r
                    .3
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
                sex: r.2.and_then(|s| s.chars().next()),
                region: r.7,
                aid_type: r.8,
                person_key: r.6.as_deref().map(hex),
            });
        }
        Ok(out)
    }

    /// Stores a run's pairs, replacing the previous run's; `close` also closes the round:
    /// its results are frozen and the encoded files are deleted. Uncertain pairs take the
    /// verdicts the partners gave the same person in the previous round.
    pub async fn save_double_aid_results(
        &self,
        round_id: i64,
        pairs: &[NewPair],
        candidate_pairs: u64,
        close: bool,
    ) -> Result<(), StoreError> {
        let row = self
            .round_row(round_id)
            .await?
            .ok_or(StoreError::Forbidden)?;
        self.require_round_admin(&row)?;
        if row.4 != "open" {
            return Err(refused("double_aid.closed"));
        }
        // Verdicts carried over from the previous round, by partner pair and person.
        let mut carried: BTreeMap<(i64, i64, String), Verdicts> = BTreeMap::new();
        if let Some(prev) = row.5 {
            for p in self.pair_rows(prev).await? {
                if let Some(k) = p.12 {
                    carried.insert((p.1, p.3, k), (p.13, p.14));
                }
            }
        }
        // Verdicts already given in this round (a run again, or the run on closing), by the
        // pair's lines, and by person over the previous round's.
        let mut kept: BTreeMap<(i64, i64, i64, i64), Verdicts> = BTreeMap::new();
        for p in self.pair_rows(round_id).await? {
            if p.13.is_none() && p.14.is_none() {
                continue;
            }
            if let Some(k) = p.12.clone() {
                carried.insert((p.1, p.3, k), (p.13.clone(), p.14.clone()));
            }
            kept.insert((p.1, p.2, p.3, p.4), (p.13, p.14));
        }
        let actor = self.actor();
        let now = now_text();
        let overlaps = pairs.iter().filter(|p| p.certain).count();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM double_aid_pair WHERE round_id = $1")
                .bind(round_id)
                .execute(&mut *tx)
                .await?;
            for (no, p) in pairs.iter().enumerate() {
                let verdicts = kept
                    .get(&(p.org_a, p.line_a, p.org_b, p.line_b))
                    .filter(|_| !p.certain)
                    .or_else(|| {
                        p.person_key
                            .as_ref()
                            .filter(|_| !p.certain)
                            .and_then(|k| carried.get(&(p.org_a, p.org_b, k.clone())))
                    })
                    .cloned()
                    .unwrap_or((None, None));
                sqlx::query(
                    "INSERT INTO double_aid_pair (round_id, pair_no, org_a, line_a, org_b, line_b, \
                     region_code, aid_type, probability, weight_nik, weight_kk, weight_filter, \
                     certain, person_key, decision_a, decision_b) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                )
                .bind(round_id)
                .bind(no as i64 + 1)
                .bind(p.org_a)
                .bind(p.line_a)
                .bind(p.org_b)
                .bind(p.line_b)
                .bind(&p.kecamatan)
                .bind(&p.aid_type)
                .bind(p.probability)
                .bind(p.weights[0])
                .bind(p.weights[1])
                .bind(p.weights[2])
                .bind(i64::from(p.certain))
                .bind(&p.person_key)
                .bind(&verdicts.0)
                .bind(&verdicts.1)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "UPDATE double_aid_round SET run_at = $1, candidate_pairs = $2 WHERE id = $3",
            )
            .bind(&now)
            .bind(candidate_pairs as i64)
            .bind(round_id)
            .execute(&mut *tx)
            .await?;
            if close {
                sqlx::query(
                    "UPDATE double_aid_round SET status = 'closed', closed_at = $1 WHERE id = $2",
                )
                .bind(&now)
                .bind(round_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE double_aid_member SET encoded_file = NULL WHERE round_id = $1")
                    .bind(round_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let event = AuditEvent::new(
                actor.clone(),
                if close {
                    "double_aid.close"
                } else {
                    "double_aid.run"
                },
                "double_aid_round",
            )
            .id(round_id)
            .region(&row.1)
            .after(serde_json::json!({
                "ganda": overlaps,
                "ragu": pairs.len() - overlaps,
                "pasangan_dibandingkan": candidate_pairs,
            }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    async fn pair_rows(&self, round_id: i64) -> Result<Vec<PairRow>, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT pair_no, org_a, line_a, org_b, line_b, region_code, aid_type, probability, \
             weight_nik, weight_kk, weight_filter, certain, person_key, decision_a, decision_b \
             FROM double_aid_pair WHERE round_id = $1 ORDER BY pair_no"
        )
        .bind(round_id)
        .fetch_all(pool)
        .await)?)
    }

    /// The round's results as this viewer may see them (`None`: no part in the round).
    /// Users' views are audited.
    pub async fn double_aid_results(
        &self,
        round_id: i64,
    ) -> Result<Option<RoundResults>, StoreError> {
        let Some(round) = self.double_aid_round(round_id).await? else {
            return Ok(None);
        };
        let (_, view) = self.view_of(&round.region)?;
        let pairs = self.pair_rows(round_id).await?;
        // Names and contacts of this round's members (and the previous round's, compared).
        let mut names: BTreeMap<i64, (String, String)> = BTreeMap::new();
        // How each member of this round joined: the method of its pairs.
        let mut modes: BTreeMap<i64, JoinMode> = BTreeMap::new();
        for r in [round.previous_id, Some(round_id)].into_iter().flatten() {
            for m in self.member_rows(Some(r)).await? {
                if r == round_id
                    && let Some(mode) = mode_of(&m.4)
                {
                    modes.insert(m.1, mode);
                }
                names.insert(m.1, (m.2, m.3));
            }
        }
        let method = |org: i64| modes.get(&org).copied();
        let name = |org: i64| names.get(&org).map_or_else(String::new, |n| n.0.clone());
        let results = match &view {
            ResultsView::OwnRows { organisation } => {
                let me = *organisation;
                let mut flags = Vec::new();
                let mut review = Vec::new();
                for p in &pairs {
                    let sides = [(p.1, p.2, p.3, p.13.clone()), (p.3, p.4, p.1, p.14.clone())];
                    for (own, line, other, decision) in sides {
                        if own != me {
                            continue;
                        }
                        if p.11 == 1 {
                            let (other_name, contact) =
                                names.get(&other).cloned().unwrap_or_default();
                            flags.push(FlagRow {
                                line,
                                method: method(own),
                                aid_type: p.6.clone(),
                                other: other_name,
                                other_contact: contact,
                            });
                        } else {
                            review.push(ReviewRow {
                                pair_no: p.0,
                                method: method(own),
                                line,
                                aid_type: p.6.clone(),
                                probability: p.7,
                                weights: [p.8, p.9, p.10],
                                decision,
                            });
                        }
                    }
                }
                // Each flag is a shared person: the counterpart it names is one the partner
                // may see (the rule in core); nothing names a member without one.
                debug_assert!(flags.is_empty() || may_see_counterpart(&view, flags.len() as u64));
                flags.sort_by(|x, y| (x.line, &x.other).cmp(&(y.line, &y.other)));
                review.sort_by_key(|r| (r.line, r.pair_no));
                RoundResults::OwnRows { flags, review }
            }
            ResultsView::Counts { .. } => {
                let within = |kec: &str| -> bool {
                    match self.viewer().principal() {
                        Some(p) => {
                            let round_region = RegionCode::parse(&round.region).ok();
                            round_region.is_some_and(|r| p.scope.covers(&r))
                                || RegionCode::parse(kec).is_ok_and(|k| p.scope.covers(&k))
                        }
                        None => true,
                    }
                };
                let mut cells: BTreeMap<(String, String, String, String, Option<JoinMode>), u64> =
                    BTreeMap::new();
                let mut uncertain = 0u64;
                for p in pairs.iter().filter(|p| within(&p.5)) {
                    if p.11 != 1 {
                        uncertain += 1;
                        continue;
                    }
                    let (x, y) = ordered(name(p.1), name(p.3));
                    *cells
                        .entry((p.5.clone(), x, y, p.6.clone(), method(p.1)))
                        .or_default() += 1;
                }
                let mut comparison = Vec::new();
                if let Some(prev) = round.previous_id {
                    let before = self.pair_rows(prev).await?;
                    comparison = compare(&before, &pairs, &name, &within)
                        .into_iter()
                        .map(|(k, c)| CompareRow {
                            partners: (k.0, k.1),
                            aid_type: k.2,
                            previous: disclose_count(&view, c.0),
                            now: disclose_count(&view, c.1),
                            new: disclose_count(&view, c.2),
                            resolved: disclose_count(&view, c.3),
                        })
                        .collect();
                }
                RoundResults::Counts {
                    cells: cells
                        .into_iter()
                        .map(|((kecamatan, a, b, aid_type, method), n)| CountRow {
                            kecamatan,
                            method,
                            partners: (a, b),
                            aid_type,
                            count: disclose_count(&view, n),
                        })
                        .collect(),
                    comparison,
                    uncertain: disclose_count(&view, uncertain),
                }
            }
            ResultsView::ProvinceTotals { .. } => RoundResults::ProvinceTotal(disclose_count(
                &view,
                pairs.iter().filter(|p| p.11 == 1).count() as u64,
            )),
            ResultsView::Nothing => RoundResults::Nothing,
        };
        if !self.viewer().is_public() {
            self.record(
                &AuditEvent::new(self.actor(), "double_aid.results", "double_aid_round")
                    .id(round_id)
                    .region(&round.region),
            )
            .await?;
        }
        Ok(Some(results))
    }

    /// The open rounds with uncertain pairs this viewer has to decide (a partner: its own
    /// sides) or follow (the round's admin: pairs with a side undecided).
    pub async fn double_aid_pending_reviews(&self) -> Result<Vec<PendingReview>, StoreError> {
        let mut out = Vec::new();
        for round in self.double_aid_rounds().await? {
            if round.status != RoundStatus::Open || round.run_at.is_none() {
                continue;
            }
            let (code, view) = self.view_of(&round.region)?;
            let org = match view {
                ResultsView::OwnRows { organisation } => Some(organisation),
                _ if may_open_round(self.viewer(), &code) => None,
                _ => continue,
            };
            let undecided: i64 = on_pool!(self, |pool| sqlx::query_scalar(
                "SELECT COUNT(*) FROM double_aid_pair WHERE round_id = $1 AND certain = 0 AND \
                 (($2 IS NULL AND (decision_a IS NULL OR decision_b IS NULL)) \
                 OR (org_a = $2 AND decision_a IS NULL) OR (org_b = $2 AND decision_b IS NULL))"
            )
            .bind(round.id)
            .bind(org)
            .fetch_one(pool)
            .await)?;
            if undecided > 0 {
                out.push(PendingReview {
                    round_id: round.id,
                    region: round.region,
                    period: round.period,
                    undecided,
                });
            }
        }
        Ok(out)
    }

    /// A partner's verdict on its own side of an uncertain pair of an open round.
    pub async fn decide_double_aid_pair(
        &self,
        round_id: i64,
        pair_no: i64,
        accept: bool,
    ) -> Result<(), StoreError> {
        let row = self
            .round_row(round_id)
            .await?
            .ok_or(StoreError::Forbidden)?;
        if row.4 != "open" {
            return Err(refused("double_aid.closed"));
        }
        let (_, view) = self.view_of(&row.1)?;
        let ResultsView::OwnRows { organisation } = view else {
            return Err(StoreError::Forbidden);
        };
        let pair: Option<(i64, i64, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT org_a, org_b, certain FROM double_aid_pair WHERE round_id = $1 AND pair_no = $2"
        )
        .bind(round_id)
        .bind(pair_no)
        .fetch_optional(pool)
        .await
        })?;
        let Some((a, b, certain)) = pair else {
            return Err(StoreError::Forbidden);
        };
        let column = if a == organisation {
            "decision_a"
        } else if b == organisation {
            "decision_b"
        } else {
            return Err(StoreError::Forbidden);
        };
        if certain == 1 {
            return Err(refused("double_aid.not_uncertain"));
        }
        let verdict = if accept { "accept" } else { "reject" };
        let sql = format!(
            "UPDATE double_aid_pair SET {column} = $1 WHERE round_id = $2 AND pair_no = $3"
        );
        let actor = self.actor();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(verdict)
                .bind(round_id)
                .bind(pair_no)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(actor.clone(), "double_aid.decide", "double_aid_round")
                .id(round_id)
                .region(&row.1)
                .after(serde_json::json!({ "pasangan": pair_no, "keputusan": verdict }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }
}

fn ordered(x: String, y: String) -> (String, String) {
    if x <= y { (x, y) } else { (y, x) }
}

fn member(m: MemberRow) -> RoundMember {
    RoundMember {
        organisation_id: m.1,
        name: m.2,
        contact: m.3,
        mode: mode_of(&m.4),
        list_id: m.5,
        record_count: m.6,
        joined_at: m.7,
    }
}

/// Per partner pair and aid type: (previous, now, new, resolved). New and resolved are
/// persons known by their key (held lists) in one round's overlaps and not the other's.
#[allow(clippy::type_complexity)]
fn compare(
    before: &[PairRow],
    now: &[PairRow],
    name: &dyn Fn(i64) -> String,
    within: &dyn Fn(&str) -> bool,
) -> BTreeMap<(String, String, String), (u64, u64, u64, u64)> {
    let mut out: BTreeMap<(String, String, String), (u64, u64, u64, u64)> = BTreeMap::new();
    let keyed = |pairs: &[PairRow]| -> BTreeMap<(String, String, String), BTreeSet<String>> {
        let mut m: BTreeMap<_, BTreeSet<String>> = BTreeMap::new();
        for p in pairs.iter().filter(|p| p.11 == 1 && within(&p.5)) {
            let (x, y) = ordered(name(p.1), name(p.3));
            let entry = m.entry((x, y, p.6.clone())).or_default();
            if let Some(k) = &p.12 {
                entry.insert(k.clone());
            }
        }
        m
    };
    let count = |pairs: &[PairRow], slot: usize, out: &mut BTreeMap<_, (u64, u64, u64, u64)>| {
        for p in pairs.iter().filter(|p| p.11 == 1 && within(&p.5)) {
            let (x, y) = ordered(name(p.1), name(p.3));
            let e: &mut (u64, u64, u64, u64) = out.entry((x, y, p.6.clone())).or_default();
            if slot == 0 {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    };
    count(before, 0, &mut out);
    count(now, 1, &mut out);
    let (kb, kn) = (keyed(before), keyed(now));
    for (k, e) in out.iter_mut() {
        let empty = BTreeSet::new();
        let b = kb.get(k).unwrap_or(&empty);
        let n = kn.get(k).unwrap_or(&empty);
        e.2 = n.difference(b).count() as u64;
        e.3 = b.difference(n).count() as u64;
    }
    out
}

/// A held list a member may join a round with.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JoinableList {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub row_count: i64,
}

impl Scoped<'_> {
    /// The current lists of the round's members this viewer may join with: a partner its
    /// own, the round's admin every member's; nothing once the round is closed.
    pub async fn double_aid_joinable_lists(
        &self,
        round_id: i64,
    ) -> Result<Vec<JoinableList>, StoreError> {
        let Some(row) = self.round_row(round_id).await? else {
            return Ok(Vec::new());
        };
        let status = RoundStatus::from_key(&row.4)
            .ok_or_else(|| StoreError::Corrupt(format!("round status {}", row.4)))?;
        let region = RegionCode::parse(&row.1).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let rows: Vec<(i64, i64, String, i64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT l.id, l.organisation_id, l.name, l.row_count FROM person_list l \
             JOIN double_aid_member m ON m.organisation_id = l.organisation_id AND m.round_id = $1 \
             WHERE l.replaced_by IS NULL ORDER BY l.organisation_id, l.id DESC"
        )
        .bind(round_id)
        .fetch_all(pool)
        .await)?;
        let admin = may_open_round(self.viewer(), &region);
        Ok(rows
            .into_iter()
            .filter(|r| {
                may_join_round(self.viewer(), status, r.1)
                    && (admin
                        || self
                            .viewer()
                            .principal()
                            .is_some_and(|p| p.scope.organisation == Some(r.1)))
            })
            .map(|r| JoinableList {
                id: r.0,
                organisation_id: r.1,
                name: r.2,
                row_count: r.3,
            })
            .collect())
    }
}

impl Scoped<'_> {
    /// Organisations holding a current list, as (id, name) by name: whom the admin may invite
    /// (organisation names are a public registry; the lists themselves are not shown).
    pub async fn double_aid_invitable(&self) -> Result<Vec<(i64, String)>, StoreError> {
        if !(self.viewer().is_system()
            || self
                .viewer()
                .principal()
                .is_some_and(|p| p.role == sinergi_core::Role::AdminProvinsi))
        {
            return Ok(Vec::new());
        }
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT o.id, o.name FROM organisation o WHERE EXISTS (SELECT 1 FROM person_list l \
             WHERE l.organisation_id = o.id AND l.replaced_by IS NULL) ORDER BY o.name, o.id"
        )
        .fetch_all(pool)
        .await)?)
    }
}
