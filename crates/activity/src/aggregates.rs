//! Loading published figures per region (PPKS counts per desa, extreme-poverty target desa,
//! poverty, stunting, child marriage) from a CSV or XLSX file: read by intake, checked
//! against the region register, stored in one transaction. This is the import the pages name
//! where a figure is missing. Administrators and the system only: the figures are public.

use sinergi_core::{Msg, Viewer};
use sinergi_intake::RowError;
use sinergi_intake::aggregates::read_aggregates;
use sinergi_store::{Actor, AggregateValue, SourceType, Store};

use crate::ActivityError;

/// The command that loads figures, as pages name it.
pub const IMPORT_COMMAND: &str = "sinergi agregat impor";

/// How an import ended. Refusals are outcomes: the face lists them.
#[derive(Debug)]
pub enum AggregateOutcome {
    /// Figures stored (a figure with the same region, element, period and source replaced);
    /// refused rows in line order.
    Stored {
        stored: u64,
        rejected: Vec<RowError>,
    },
    /// The file as a whole was refused (unreadable, required columns missing); nothing stored.
    Refused { errors: Vec<RowError> },
}

/// Reads `bytes` and stores every figure that reads well and names a known region.
pub async fn import_aggregates(
    store: &Store,
    viewer: &Viewer,
    bytes: &[u8],
) -> Result<AggregateOutcome, ActivityError> {
    if !viewer.is_admin() {
        return Err(ActivityError::Forbidden);
    }
    let table = match sinergi_intake::read_table_bytes("", bytes) {
        Ok(t) => t,
        Err(sinergi_intake::TableError::Rows { errors, .. }) => {
            return Ok(AggregateOutcome::Refused { errors: errors.0 });
        }
        Err(e) => {
            return Ok(AggregateOutcome::Refused {
                errors: vec![RowError::file(
                    Msg::new("institution.file_unreadable").arg("reason", e),
                )],
            });
        }
    };
    let (rows, mut rejected) = read_aggregates(&table);
    if rows.is_empty() && rejected.iter().any(|e| e.line <= 1) {
        return Ok(AggregateOutcome::Refused { errors: rejected });
    }
    let known = store.region_code_set().await?;
    let mut values = Vec::with_capacity(rows.len());
    for r in rows {
        if !viewer.may_load_figures_for(&r.region) {
            rejected.push(RowError {
                line: r.line,
                column: Some("kode_wilayah".into()),
                reason: Msg::new("aggregate.region_outside").arg("value", &r.region),
            });
            continue;
        }
        if !known.contains(r.region.as_str()) {
            rejected.push(RowError {
                line: r.line,
                column: Some("kode_wilayah".into()),
                reason: Msg::new("aggregate.region_unknown").arg("value", &r.region),
            });
            continue;
        }
        values.push(AggregateValue {
            region: r.region,
            element: r.element,
            period: r.period,
            value: r.value,
            unit: r.unit,
            source: r.source,
            source_type: if r.survey {
                SourceType::Survey
            } else {
                SourceType::Administrative
            },
            estimated: r.estimated,
            note: r.note,
        });
    }
    rejected.sort_by_key(|e| e.line);
    let actor = Actor::from(viewer);
    let stored = if values.is_empty() {
        0
    } else {
        store.load_aggregates(actor, &values).await?
    };
    Ok(AggregateOutcome::Stored { stored, rejected })
}
