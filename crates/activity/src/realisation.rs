//! Entering realisation: rows from a form, the API or a file (CSV/XLSX), checked by core
//! against the published version and stored through the viewer's scoped handle, all or
//! nothing. Also the computed values. Pages, the JSON API and the CLI call these.

use std::collections::HashMap;

use sinergi_core::strategy::{
    EntryMethod, NewRealisation, RefusedRealisation, ValueKey, evaluate_rules, range_warning,
};
use sinergi_core::{Msg, Period, Viewer};
use sinergi_store::Store;

use crate::ActivityError;
use crate::jobs::{JobRunner, Progress};
use crate::lists::{ImportReport, REALISATION_UPLOAD, off_request_threads, submit_upload};
use sinergi_intake::RowError;

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

/// How a value typed into the form ended: stored or refused, or held back because it breaks
/// its indicator's range or a validation rule and was not yet confirmed.
#[derive(Debug, Clone, PartialEq)]
pub enum FormOutcome {
    Entered(RealisationOutcome),
    /// Nothing stored; each warning names the rule. Saving again with `confirmed` stores it.
    NeedsConfirmation {
        warnings: Vec<Msg>,
    },
}

/// Stores one value typed into the form, after checking it against its indicator's range and
/// the strategy's validation rules (with the values already held for that quarter and region)
/// unless the user has confirmed it.
pub async fn enter_form_value(
    store: &Store,
    viewer: &Viewer,
    strategy_id: i64,
    row: NewRealisation,
    confirmed: bool,
) -> Result<FormOutcome, ActivityError> {
    if !confirmed {
        let warnings = warnings_before_saving(store, viewer, strategy_id, &row).await?;
        if !warnings.is_empty() {
            return Ok(FormOutcome::NeedsConfirmation { warnings });
        }
    }
    let rows = [row];
    enter_realisation(store, viewer, strategy_id, EntryMethod::Form, &rows)
        .await
        .map(FormOutcome::Entered)
}

async fn warnings_before_saving(
    store: &Store,
    viewer: &Viewer,
    strategy_id: i64,
    row: &NewRealisation,
) -> Result<Vec<Msg>, ActivityError> {
    let scoped = store.scoped(viewer);
    let Some(tree) = scoped.strategy_tree(strategy_id, None).await? else {
        return Ok(Vec::new());
    };
    let mut warnings = Vec::new();
    if let Some(i) = tree.indicator(row.indicator_code.trim()) {
        warnings.extend(range_warning(&i.fields, row.value));
    }
    // Rules judge totals only; a disaggregated value is detail.
    if !row.disaggregation.trim().is_empty() {
        return Ok(warnings);
    }
    let rules = scoped.validation_rules(strategy_id).await?;
    if rules.is_empty() {
        return Ok(warnings);
    }
    let values = scoped
        .realisations(&tree.strategy, Some(row.period), None)
        .await?;
    let region = row.region.trim().to_string();
    let period = row.period.to_string();
    let mut keyed: HashMap<ValueKey, f64> = values
        .iter()
        .filter(|v| v.disaggregation.is_empty())
        .map(|v| {
            (
                (
                    v.indicator_code.clone(),
                    v.region.to_string(),
                    v.period.to_string(),
                ),
                v.value,
            )
        })
        .collect();
    keyed.insert(
        (
            row.indicator_code.trim().to_string(),
            region.clone(),
            period.clone(),
        ),
        row.value,
    );
    for v in evaluate_rules(&rules, &keyed) {
        let touches = v.region == region && v.period == period;
        let about = rules.iter().find(|r| r.id == v.rule_id).is_some_and(|r| {
            r.left == row.indicator_code.trim()
                || r.expression().contains(row.indicator_code.trim())
        });
        if touches && about {
            warnings.push(
                Msg::new("strategy.check.rule")
                    .arg("rule", &v.rule)
                    .arg("expression", &v.expression),
            );
        }
    }
    Ok(warnings)
}

/// One quarter's breakdown typed into the grid: the shared fields, then one typed figure per
/// disaggregation key (a cell of the cross, `jenis_kelamin=perempuan;kelompok_umur=0_17`, or
/// a group, `jenis_kelamin=perempuan`); empty cells are left out.
pub struct BreakdownEntry {
    pub indicator_code: String,
    pub region: String,
    pub period: Period,
    pub source: String,
    pub cells: Vec<(String, String)>,
}

/// Stores the filled cells of a breakdown grid, all or nothing; a cell that is not a figure
/// is refused by its key, numbered from 1 in the order the grid sent them.
pub async fn enter_breakdown(
    store: &Store,
    viewer: &Viewer,
    strategy_id: i64,
    entry: BreakdownEntry,
) -> Result<RealisationOutcome, ActivityError> {
    if !sinergi_core::strategy::enters_realisation(viewer) {
        return Err(ActivityError::Forbidden);
    }
    let mut rows = Vec::new();
    let mut refused = Vec::new();
    let filled = entry.cells.iter().filter(|(_, v)| !v.trim().is_empty());
    for (i, (key, typed)) in filled.enumerate() {
        let line = i as u64 + 1;
        let Some(value) = sinergi_intake::realisation::parse_figure(typed) else {
            refused.push(RefusedRealisation {
                line,
                column: "nilai",
                reason: Msg::new("strategy.refuse.cell")
                    .arg_msg("group", group_msg(key))
                    .arg("value", typed.trim()),
            });
            continue;
        };
        rows.push(NewRealisation {
            line,
            indicator_code: entry.indicator_code.clone(),
            disaggregation: key.clone(),
            region: entry.region.clone(),
            period: entry.period,
            source: entry.source.clone(),
            value,
            drivers: String::new(),
            obstacles: String::new(),
            follow_up: String::new(),
        });
    }
    if !refused.is_empty() {
        return Ok(RealisationOutcome::Refused { rows: refused });
    }
    enter_realisation(store, viewer, strategy_id, EntryMethod::Form, &rows).await
}

/// The groups a disaggregation key names, as a message ("perempuan · 60 tahun ke atas").
fn group_msg(key: &str) -> Msg {
    key.split(';')
        .map(|part| {
            let (dim, value) = part.split_once('=').unwrap_or((part, ""));
            Msg::new(sinergi_core::strategy::group_label_key(
                dim.trim(),
                value.trim(),
            ))
        })
        .reduce(|a, b| {
            Msg::new("strategy.group.and")
                .arg_msg("a", a)
                .arg_msg("b", b)
        })
        .unwrap_or_else(|| Msg::new("strategy.group.other"))
}

impl RealisationOutcome {
    /// The outcome as its import job keeps it and every face shows it.
    pub fn report(&self) -> ImportReport {
        match self {
            RealisationOutcome::Stored { count } => ImportReport::of_rows(false, *count, &[]),
            RealisationOutcome::Refused { rows } => {
                let errors: Vec<RowError> = rows
                    .iter()
                    .map(|r| RowError {
                        line: r.line,
                        column: (!r.column.is_empty()).then(|| r.column.to_string()),
                        reason: r.reason.clone(),
                    })
                    .collect();
                ImportReport::of_rows(true, 0, &errors)
            }
            RealisationOutcome::Unreadable(m) => {
                ImportReport::of_rows(true, 0, &[RowError::file(m.clone())])
            }
        }
    }
}

/// Starts the import of a realisation file for strategy `strategy_id` as a background job
/// of `runner` (kind [`REALISATION_UPLOAD`]) and returns the job's id; its result is the
/// [`ImportReport`]. The role is checked at once.
pub async fn submit_realisation_file(
    store: &Store,
    runner: &JobRunner,
    viewer: &Viewer,
    strategy_id: i64,
    file_name: String,
    bytes: Vec<u8>,
) -> Result<i64, ActivityError> {
    if !sinergi_core::strategy::enters_realisation(viewer) {
        return Err(ActivityError::Forbidden);
    }
    let store = store.clone();
    let job_viewer = viewer.clone();
    let label = file_name.clone();
    submit_upload(
        runner,
        viewer,
        REALISATION_UPLOAD,
        &label,
        move |progress| async move {
            let outcome = import_realisation_file(
                &store,
                &job_viewer,
                strategy_id,
                file_name,
                bytes,
                &progress,
            )
            .await?;
            Ok(outcome.report())
        },
    )
    .await
}

/// Reads a realisation file (the template's columns) and stores its rows (the work of a
/// realisation import job; faces call [`submit_realisation_file`]).
pub async fn import_realisation_file(
    store: &Store,
    viewer: &Viewer,
    strategy_id: i64,
    file_name: String,
    bytes: Vec<u8>,
    progress: &Progress,
) -> Result<RealisationOutcome, ActivityError> {
    if !sinergi_core::strategy::enters_realisation(viewer) {
        return Err(ActivityError::Forbidden);
    }
    if bytes.is_empty() {
        return Ok(RealisationOutcome::Unreadable(Msg::new(
            "strategy.refuse.no_rows",
        )));
    }
    // Decompressing and reading the file is CPU work: on a blocking thread.
    let read = off_request_threads(move || {
        sinergi_intake::read_table_bytes(&file_name, &bytes)
            .map(|table| sinergi_intake::realisation::read_realisations(&table))
    })
    .await?;
    let (rows, errors) = match read {
        Ok(read) => read,
        Err(e) => {
            return Ok(RealisationOutcome::Unreadable(
                Msg::new("strategy.refuse.file_unreadable").arg("detail", e),
            ));
        }
    };
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
    progress.set_total(rows.len() as u64);
    let outcome = enter_realisation(store, viewer, strategy_id, EntryMethod::Import, &rows).await?;
    if matches!(outcome, RealisationOutcome::Stored { .. }) {
        progress.set_done(rows.len() as u64);
    }
    Ok(outcome)
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
