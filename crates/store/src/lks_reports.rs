//! Monthly LKS reports: the LKS writes (activities, beneficiaries by sex, age group and
//! disability, obstacles) and submits; its LKKS reviews (approve, or send back with a
//! comment). Overdue: no report received for a month whose due day has passed.

use chrono::NaiveDate;
use serde::Serialize;
use sinergi_core::institution::{
    Disaggregation, InstitutionError, ReportAction, ReportInput, ReportPeriod, ReportRole,
    ReportState, describe, rules,
};
use sinergi_core::{Localized, Msg, RegionCode};
use sqlx::AssertSqlSafe;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::institutions::fetch_page;
use crate::scope::{Bind, Placeholders, bind_filter, within_regions};
use crate::{Page, Paged, Scoped, StoreError, on_pool};

#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub period: Option<ReportPeriod>,
    pub state: Option<ReportState>,
    pub region: Option<RegionCode>,
    pub lks: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReportComment {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LksReport {
    pub id: i64,
    pub lks_id: i64,
    pub lks_name: String,
    pub region: String,
    pub period: String,
    pub state: ReportState,
    pub activities: String,
    pub obstacles: String,
    pub beneficiaries: Disaggregation,
    pub submitted_at: Option<String>,
    pub updated_at: String,
    pub comments: Vec<ReportComment>,
}

/// An LKS with no report received for a month past its due day.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OverdueReport {
    pub lks_id: i64,
    pub lks_name: String,
    pub region: String,
    pub region_name: Option<String>,
    /// The report's state when one was started but not submitted.
    pub state: Option<ReportState>,
    pub report_id: Option<i64>,
}

type ReportDbRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    (i64, i64, i64, i64, i64, i64),
    Option<String>,
    String,
);

const REPORT_COLUMNS: &str = "t.id, o.id, o.name, o.region_code, t.period, t.state, \
     t.activities, t.obstacles, t.male, t.female, t.child, t.adult, t.elderly, t.disability, \
     t.submitted_at, t.updated_at";

type Flat = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    String,
);

fn nest(r: Flat) -> ReportDbRow {
    (
        r.0,
        r.1,
        r.2,
        r.3,
        r.4,
        r.5,
        r.6,
        r.7,
        (r.8, r.9, r.10, r.11, r.12, r.13),
        r.14,
        r.15,
    )
}

fn to_report(r: ReportDbRow) -> LksReport {
    let n = |v: i64| v.max(0) as u32;
    LksReport {
        id: r.0,
        lks_id: r.1,
        lks_name: r.2,
        region: r.3,
        period: r.4,
        state: ReportState::from_key(&r.5).unwrap_or(ReportState::Draft),
        activities: r.6,
        obstacles: r.7,
        beneficiaries: Disaggregation {
            male: n(r.8.0),
            female: n(r.8.1),
            child: n(r.8.2),
            adult: n(r.8.3),
            elderly: n(r.8.4),
            disability: n(r.8.5),
        },
        submitted_at: r.9,
        updated_at: r.10,
        comments: Vec::new(),
    }
}

impl Scoped<'_> {
    fn report_where(&self, filter: &ReportFilter) -> (String, Vec<Bind>) {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("o.region_code", "o.id", &mut ph);
        let mut parts = vec![f.sql];
        let mut binds = f.binds;
        if let Some(r) = &filter.region
            && let Some(f) = within_regions(std::slice::from_ref(r), "o.region_code", &mut ph)
        {
            parts.push(f.sql);
            binds.extend(f.binds);
        }
        if let Some(p) = filter.period {
            parts.push(format!("t.period = {}", ph.next()));
            binds.push(Bind::Text(p.to_string()));
        }
        if let Some(s) = filter.state {
            parts.push(format!("t.state = {}", ph.next()));
            binds.push(Bind::Text(s.key().into()));
        }
        if let Some(id) = filter.lks {
            parts.push(format!("o.id = {}", ph.next()));
            binds.push(Bind::Int(id));
        }
        (parts.join(" AND "), binds)
    }

    /// Reports this viewer may see, latest month first.
    pub async fn lks_reports(
        &self,
        filter: &ReportFilter,
        page: Page,
    ) -> Result<Paged<LksReport>, StoreError> {
        let (w, binds) = self.report_where(filter);
        let from = "FROM lks_report t JOIN organisation o ON o.id = t.organisation_id";
        let count_sql = format!("SELECT COUNT(*) {from} WHERE {w}");
        let sql = format!(
            "SELECT {REPORT_COLUMNS} {from} WHERE {w} ORDER BY t.period DESC, o.name, t.id LIMIT {} OFFSET {}",
            page.limit(),
            page.offset()
        );
        let (total, rows): (u64, Vec<Flat>) = fetch_page(self, count_sql, sql, &binds).await?;
        Ok(Paged {
            items: rows.into_iter().map(|r| to_report(nest(r))).collect(),
            total,
            page: page.number,
            size: page.size,
        })
    }

    /// One report with its comments, when this viewer may see it.
    pub async fn lks_report(&self, id: i64) -> Result<Option<LksReport>, StoreError> {
        let (w, mut binds) = self.report_where(&ReportFilter::default());
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM lks_report t JOIN organisation o ON o.id = t.organisation_id WHERE {w} AND t.id = ${}",
            binds.len() + 1
        );
        binds.push(Bind::Int(id));
        let row: Option<Flat> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_optional(pool)
        .await)?;
        let Some(row) = row else { return Ok(None) };
        let mut report = to_report(nest(row));
        let comments: Vec<(String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT at, actor_name, action, body FROM lks_report_comment WHERE report_id = $1 ORDER BY id"
        )
        .bind(id)
        .fetch_all(pool)
        .await
        })?;
        report.comments = comments
            .into_iter()
            .map(|(at, actor, action, body)| ReportComment {
                at,
                actor,
                action,
                body,
            })
            .collect();
        Ok(Some(report))
    }

    /// Writes the report of LKS `lks_id` for `period` (created as a draft when new). Only the
    /// LKS's own operator writes, and only while the report is a draft or sent back.
    pub async fn save_lks_report(
        &self,
        lks_id: i64,
        period: ReportPeriod,
        input: &ReportInput,
    ) -> Result<i64, StoreError> {
        if rules::report_role(self.viewer()) != ReportRole::Reporter {
            return Err(StoreError::Forbidden);
        }
        let problems = input.problems();
        if !problems.is_empty() {
            return Err(StoreError::Refused(describe(&problems)));
        }
        let region = self.lks_seat(lks_id).await?;
        let now = now_text();
        let b = &input.beneficiaries;
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let existing: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, state FROM lks_report WHERE organisation_id = $1 AND period = $2",
            )
            .bind(lks_id)
            .bind(period.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            let id: i64 = match existing {
                Some((id, state)) => {
                    let state = ReportState::from_key(&state).unwrap_or(ReportState::Approved);
                    if !state.editable() {
                        return Err(StoreError::Refused(InstitutionError::Locked(state).msg()));
                    }
                    sqlx::query(
                        "UPDATE lks_report SET activities = $1, obstacles = $2, male = $3, female = $4, child = $5, adult = $6, elderly = $7, disability = $8, updated_at = $9 WHERE id = $10",
                    )
                    .bind(input.activities.trim())
                    .bind(input.obstacles.trim())
                    .bind(i64::from(b.male))
                    .bind(i64::from(b.female))
                    .bind(i64::from(b.child))
                    .bind(i64::from(b.adult))
                    .bind(i64::from(b.elderly))
                    .bind(i64::from(b.disability))
                    .bind(&now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
                None => {
                    sqlx::query_scalar(
                        "INSERT INTO lks_report (organisation_id, period, state, activities, obstacles, male, female, child, adult, elderly, disability, created_at, updated_at) \
                         VALUES ($1, $2, 'draf', $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
                    )
                    .bind(lks_id)
                    .bind(period.to_string())
                    .bind(input.activities.trim())
                    .bind(input.obstacles.trim())
                    .bind(i64::from(b.male))
                    .bind(i64::from(b.female))
                    .bind(i64::from(b.child))
                    .bind(i64::from(b.adult))
                    .bind(i64::from(b.elderly))
                    .bind(i64::from(b.disability))
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            let event = AuditEvent::new(self.actor(), "lks_report.save", "lks_report")
                .id(id)
                .region(&region)
                .after(serde_json::json!({ "lks": lks_id, "periode": period.to_string(), "penerima": b.total() }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The seat of an LKS this viewer may see (else Forbidden).
    async fn lks_seat(&self, lks_id: i64) -> Result<RegionCode, StoreError> {
        let seat: Option<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT region_code FROM organisation WHERE id = $1 AND kind = 'lks'"
        )
        .bind(lks_id)
        .fetch_optional(pool)
        .await)?;
        let region = seat
            .and_then(|r| RegionCode::parse(&r).ok())
            .ok_or(StoreError::Forbidden)?;
        if !self.viewer().may_see(&region, lks_id) {
            return Err(StoreError::Forbidden);
        }
        Ok(region)
    }

    /// Moves a report through the workflow (core's rule says who may do what from where);
    /// the comment is kept with the report. Returns the new state.
    pub async fn move_lks_report(
        &self,
        id: i64,
        action: ReportAction,
        comment: &str,
    ) -> Result<ReportState, StoreError> {
        let report = self.lks_report(id).await?.ok_or(StoreError::Forbidden)?;
        let to = report
            .state
            .apply(action, rules::report_role(self.viewer()), comment)
            .map_err(|e| match e {
                InstitutionError::NotYourStep(_) => StoreError::Forbidden,
                e => StoreError::Refused(e.msg()),
            })?;
        let actor = self.actor();
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Only from the state read above: a concurrent move makes this one fail.
            let n = sqlx::query(
                "UPDATE lks_report SET state = $1, updated_at = $2, submitted_at = CASE WHEN $3 THEN $2 ELSE submitted_at END WHERE id = $4 AND state = $5",
            )
            .bind(to.key())
            .bind(&now)
            .bind(action == ReportAction::Submit)
            .bind(id)
            .bind(report.state.key())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Refused(Msg::new("institution.report_changed")));
            }
            sqlx::query(
                "INSERT INTO lks_report_comment (report_id, at, actor_name, action, body) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&now)
            .bind(&actor.name)
            .bind(action.key())
            .bind(comment.trim())
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "lks_report.move", "lks_report")
                .id(id)
                .region(&report.region)
                .before(serde_json::json!({ "status": report.state.key() }))
                .after(serde_json::json!({ "status": to.key(), "tindakan": action.key() }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(to)
    }

    /// LKS this viewer may see with no report received (submitted or approved) for `period`.
    pub async fn overdue_lks_reports(
        &self,
        period: ReportPeriod,
        region: Option<&RegionCode>,
    ) -> Result<Vec<OverdueReport>, StoreError> {
        let mut ph = Placeholders::starting_at(2);
        let f = self.rows("o.region_code", "o.id", &mut ph);
        let mut w = f.sql;
        let mut binds = vec![Bind::Text(period.to_string())];
        binds.extend(f.binds);
        if let Some(r) = region
            && let Some(f) = within_regions(std::slice::from_ref(r), "o.region_code", &mut ph)
        {
            w = format!("{w} AND {}", f.sql);
            binds.extend(f.binds);
        }
        let sql = format!(
            "SELECT o.id, o.name, o.region_code, r.name, t.state, t.id FROM organisation o \
             LEFT JOIN lks_report t ON t.organisation_id = o.id AND t.period = $1 \
             LEFT JOIN region r ON r.code = o.region_code \
             WHERE o.kind = 'lks' AND {w} AND (t.id IS NULL OR t.state NOT IN ('diajukan', 'disetujui')) \
             ORDER BY o.region_code, o.name, o.id"
        );
        type O = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<i64>,
        );
        let rows: Vec<O> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, region, region_name, state, report)| OverdueReport {
                    lks_id: id,
                    lks_name: name,
                    region,
                    region_name,
                    state: state.as_deref().and_then(ReportState::from_key),
                    report_id: report,
                },
            )
            .collect())
    }
}

/// The due date of a period, for pages.
pub fn report_due(period: ReportPeriod) -> NaiveDate {
    period.due()
}
