//! Pieces shared by the institution registries (LKKS, LKS, partners): dates as stored, the
//! outcome of a registry import with its typed refusals, and the one screening every
//! registry row passes before it is written (the input's own problems, the region
//! register, the viewer's write rule from core).

use chrono::NaiveDate;
use sinergi_core::institution::{
    FieldProblem, LkksInput, LksInput, PartnerInput, field_msg, rules,
};
use sinergi_core::{Msg, RegionCode};

use crate::audit::AuditEvent;
use crate::{Scoped, StoreError};

/// Dates are stored as ISO text on both backends.
pub(crate) fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

pub(crate) fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

/// A trimmed text, `None` when blank.
pub(crate) fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Why a row was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The row's content (a field the user can correct).
    Invalid,
    /// The row lies outside the viewer's regions or organisation.
    OutOfScope,
}

/// A row an import (or a form) could not store, with its line and reason as a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: u64,
    pub column: Option<String>,
    pub reason: Msg,
    pub refusal: Refusal,
}

/// What a registry import did: every row is created, updated or rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryImport {
    pub created: u64,
    pub updated: u64,
    pub rejected: Vec<RejectedRow>,
}

impl RegistryImport {
    pub(crate) fn reject(&mut self, line: u64, column: &str, reason: Msg) {
        self.push(line, column, reason, Refusal::Invalid);
    }

    fn push(&mut self, line: u64, column: &str, reason: Msg, refusal: Refusal) {
        self.rejected.push(RejectedRow {
            line,
            column: (!column.is_empty()).then(|| column.to_string()),
            reason,
            refusal,
        });
    }

    /// Records a row that was stored (`created`, else updated).
    pub(crate) fn stored(&mut self, created: bool) {
        if created {
            self.created += 1;
        } else {
            self.updated += 1;
        }
    }

    /// Rejects every problem of a row's input; true when there were any.
    pub(crate) fn refuse_problems(&mut self, line: u64, problems: Vec<FieldProblem>) -> bool {
        let any = !problems.is_empty();
        for (column, reason) in problems {
            self.reject(line, column, reason);
        }
        any
    }

    /// Rejects a row whose region code is not in the register; true when rejected.
    pub(crate) fn refuse_unknown_region(
        &mut self,
        line: u64,
        column: &str,
        code: &RegionCode,
        known: bool,
    ) -> bool {
        if !known {
            self.reject(
                line,
                column,
                Msg::new("institution.region_unknown").arg("code", code),
            );
        }
        !known
    }

    /// A single saved row's rejection as the store's error (for forms).
    pub(crate) fn single(self) -> Result<bool, StoreError> {
        if self
            .rejected
            .iter()
            .any(|r| r.refusal == Refusal::OutOfScope)
        {
            return Err(StoreError::Forbidden);
        }
        if self.rejected.is_empty() {
            return Ok(self.created > 0);
        }
        // Every problem at once, so a form can be fixed in one go.
        let mut problems: Vec<Msg> = self
            .rejected
            .into_iter()
            .map(|r| match r.column {
                Some(c) => field_msg(&c, r.reason),
                None => r.reason,
            })
            .collect();
        if problems.len() == 1 {
            return Err(StoreError::Refused(problems.remove(0)));
        }
        Err(StoreError::Refused(
            Msg::new("institution.problems").arg_list("problems", problems),
        ))
    }
}

/// Rows of one registry, each with its line, for the one import path.
#[derive(Debug, Clone, Copy)]
pub enum RegistryBatch<'a> {
    Lks(&'a [(u64, LksInput)]),
    Lkks(&'a [(u64, LkksInput)]),
    Partners(&'a [(u64, PartnerInput)]),
}

impl Scoped<'_> {
    /// Stores a registry's rows in one transaction: each row passes the shared screening
    /// (its problems, the region register, the viewer's write rule) and is created, updated
    /// by its key, or rejected with its reason.
    pub async fn import_registry(
        &self,
        batch: RegistryBatch<'_>,
    ) -> Result<RegistryImport, StoreError> {
        match batch {
            RegistryBatch::Lks(rows) => self.import_lks(rows).await,
            RegistryBatch::Lkks(rows) => self.import_lkks(rows).await,
            RegistryBatch::Partners(rows) => self.import_partners(rows).await,
        }
    }

    /// Whether this handle may write a registry row (core's rule); when not, the row is
    /// rejected as out of scope under `column`.
    pub(crate) fn screen_write(
        &self,
        out: &mut RegistryImport,
        line: u64,
        column: &str,
        existing: Option<(&RegionCode, i64)>,
        seat: &RegionCode,
    ) -> bool {
        let ok = rules::may_write_registry_row(self.viewer(), existing, seat);
        if !ok {
            out.push(
                line,
                column,
                Msg::new("institution.row_forbidden"),
                Refusal::OutOfScope,
            );
        }
        ok
    }

    /// Refuses the write of an existing registry row this handle may not change.
    pub(crate) fn require_registry_write(
        &self,
        existing: (&RegionCode, i64),
        seat: &RegionCode,
    ) -> Result<(), StoreError> {
        if rules::may_write_registry_row(self.viewer(), Some(existing), seat) {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }
}

/// The count and one page of rows of a registry list: `count_sql` and `page_sql` share the
/// same WHERE clause and its binds (the viewer's row filter and the list's filters).
pub(crate) async fn fetch_page<T>(
    store: &crate::Store,
    count_sql: String,
    page_sql: String,
    binds: &[crate::scope::Bind],
) -> Result<(u64, Vec<T>), StoreError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    use crate::on_pool;
    use crate::scope::bind_filter;
    use sqlx::AssertSqlSafe;
    let (total, rows): (i64, Vec<T>) = on_pool!(store, |pool| {
        let total: i64 = bind_filter!(sqlx::query_scalar(AssertSqlSafe(count_sql.clone())), binds)
            .fetch_one(pool)
            .await?;
        let rows: Vec<T> = bind_filter!(sqlx::query_as(AssertSqlSafe(page_sql.clone())), binds)
            .fetch_all(pool)
            .await?;
        (total, rows)
    });
    Ok((total.max(0) as u64, rows))
}

impl Scoped<'_> {
    /// Audits an export of registry records that carry people's contacts (LKS staff, LKKS
    /// board members, partners' contact persons) like a by-name export: who exported, which
    /// registry, how many records, the region asked for (else the viewer's first), and the
    /// search term only as its keyed fingerprint ([`Self::audited_search`]), never as typed.
    /// Called once the records are read, before any reaches the caller: an export that
    /// cannot be audited is not handed out.
    pub(crate) async fn audit_contacts_export(
        &self,
        entity: &'static str,
        records: usize,
        query: Option<&str>,
        region: Option<&RegionCode>,
    ) -> Result<(), StoreError> {
        let action = match entity {
            "lks" => "lks.export",
            "lkks" => "lkks.export",
            _ => "partner.export",
        };
        let mut event = AuditEvent::new(self.actor(), action, entity).after(serde_json::json!({
            "baris": records,
            "saring": self.audited_search(query),
        }));
        event.region = region
            .or(self
                .viewer()
                .principal()
                .and_then(|p| p.scope.regions.first()))
            .map(|r| r.to_string());
        self.record(&event).await
    }
}
