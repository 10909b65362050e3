//! Pieces shared by the institution registries (LKKS, LKS, partners): dates as stored, the
//! outcome of a registry import, and the write rule for a registry row.

use chrono::NaiveDate;
use serde::Serialize;
use sinergi_core::{Principal, RegionCode};

use crate::StoreError;

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

/// A row an import (or a form) could not store, with its line and reason in Indonesian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub line: u64,
    pub column: Option<String>,
    pub reason: String,
}

/// What a registry import did: every row is created, updated or rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegistryImport {
    pub created: u64,
    pub updated: u64,
    pub rejected: Vec<RejectedRow>,
}

impl RegistryImport {
    pub(crate) fn reject(&mut self, line: u64, column: &str, reason: impl Into<String>) {
        self.rejected.push(RejectedRow {
            line,
            column: (!column.is_empty()).then(|| column.to_string()),
            reason: reason.into(),
        });
    }

    /// A single saved row's rejection as the store's error (for forms).
    pub(crate) fn single(self) -> Result<bool, StoreError> {
        if self.rejected.iter().any(|r| r.reason == FORBIDDEN) {
            return Err(StoreError::Forbidden);
        }
        if self.rejected.is_empty() {
            return Ok(self.created > 0);
        }
        // Every problem at once, so a form can be fixed in one go.
        Err(StoreError::Invalid(
            self.rejected
                .into_iter()
                .map(|r| match r.column {
                    Some(c) => format!("{c}: {}", r.reason),
                    None => r.reason,
                })
                .collect::<Vec<_>>()
                .join("; "),
        ))
    }
}

pub(crate) const FORBIDDEN: &str =
    "di luar wilayah atau organisasi Anda: baris ini tidak boleh Anda ubah";

/// Who may write a registry row. `existing` is the row's current seat and organisation when
/// it exists. Creating needs a regional writer covering the seat (an LKS or partner account
/// edits only its own record, it does not add others); changing needs the row in view and the
/// new seat in view too. `None` is the system (command line, demo).
pub(crate) fn may_write(
    by: Option<&Principal>,
    existing: Option<(&RegionCode, i64)>,
    seat: &RegionCode,
) -> bool {
    let Some(p) = by else { return true };
    if !p.can_write() {
        return false;
    }
    match existing {
        Some((region, id)) => p.may_see(region, id) && p.may_see(seat, id),
        None => !p.role.is_organisation_bound() && p.scope.covers(seat),
    }
}
