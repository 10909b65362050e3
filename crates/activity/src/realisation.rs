//! Entering realisation: rows from a form, the API or a file (CSV/XLSX), checked by core
//! against the published version and stored through the viewer's scoped handle, all or
//! nothing. Also the computed values. Pages, the JSON API and the CLI call these.

use sinergi_core::strategy::{EntryMethod, NewRealisation, RefusedRealisation};
use sinergi_core::{Msg, Period, Viewer};
use sinergi_store::Store;

use crate::ActivityError;

/// How an entry ended. Refused rows are outcomes, shown line by line; nothing was stored.
#[derive(Debug, Clone, PartialEq)]
pub enum RealisationOutcome {
    /// Every row stored (same key replaced).
    Stored { count: u64 },
    /// Rows refused (by the file reader or the strategy's checks); nothing stored.
    Refused { rows: Vec<RefusedRealisation> },
    /// The file could not be read as a table, or held no rows.
    Unreadable(Msg),
}

/// Stores rows entered by `viewer` (a form row, JSON rows, or rows read from a file).
pub async fn enter_realisation(
    store: &Store,
    viewer: &Viewer,
    strategy_id: i64,
    method: EntryMethod,
    rows: &[NewRealisation],
) -> Result<RealisationOutcome, ActivityError> {
    if !sinergi_core::strategy::enters_realisation(viewer) {
        return Err(ActivityError::Forbidden);
    }
    if rows.is_empty() {
        return Ok(RealisationOutcome::Unreadable(Msg::new(
            "strategy.refuse.no_rows",
        )));
    }
    Ok(
        match store
            .scoped(viewer)
            .save_realisations(strategy_id, method, rows)
            .await?
        {
            Ok(count) => RealisationOutcome::Stored { count },
            Err(rows) => RealisationOutcome::Refused { rows },
        },
    )
}

/// Reads a realisation file (the template's columns) and stores its rows.
pub async fn import_realisation_file(
    store: &Store,
    viewer: &Viewer,
    strategy_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<RealisationOutcome, ActivityError> {
    if !sinergi_core::strategy::enters_realisation(viewer) {
        return Err(ActivityError::Forbidden);
    }
    if bytes.is_empty() {
        return Ok(RealisationOutcome::Unreadable(Msg::new(
            "strategy.refuse.no_rows",
        )));
    }
    let table = match sinergi_intake::read_table_bytes(file_name, bytes) {
        Ok(t) => t,
        Err(e) => {
            return Ok(RealisationOutcome::Unreadable(
                Msg::new("strategy.refuse.file_unreadable").arg("detail", e),
            ));
        }
    };
    let (rows, errors) = sinergi_intake::realisation::read_realisations(&table);
    if !errors.is_empty() {
        return Ok(RealisationOutcome::Refused {
            rows: errors
                .into_iter()
                .map(|e| RefusedRealisation {
                    line: e.line,
                    column: column_name(e.column.as_deref()),
                    reason: e.reason,
                })
                .collect(),
        });
    }
    enter_realisation(store, viewer, strategy_id, EntryMethod::Import, &rows).await
}

/// Computes every indicator that names a computation, for `period`, and stores the values.
pub async fn compute_realisation(
    store: &Store,
    viewer: &Viewer,
    strategy_id: i64,
    period: Period,
) -> Result<RealisationOutcome, ActivityError> {
    if !sinergi_core::strategy::enters_realisation(viewer) {
        return Err(ActivityError::Forbidden);
    }
    Ok(
        match store
            .scoped(viewer)
            .compute_realisations(strategy_id, period)
            .await?
        {
            Ok(count) => RealisationOutcome::Stored { count },
            Err(rows) => RealisationOutcome::Refused { rows },
        },
    )
}

fn column_name(c: Option<&str>) -> &'static str {
    sinergi_intake::realisation::COLUMNS
        .iter()
        .find(|k| Some(**k) == c)
        .copied()
        .unwrap_or("")
}
