//! The collaboration strategy: the tree (vision, missions, objectives, indicators) per
//! version, the indicator page (trend chart, kab/kota table and map, survey and administrative
//! figures side by side), the quarter dashboard (red first), data entry (form, import with a
//! reject report, computation), period locks, validation rules, settings, and reports.
//!
//! Access: admins manage the strategy of their province; admins and kab/kota operators enter
//! realisation within their regions; partners read (and see every region of the indicators
//! they are PIC for) but report through the LKKS; the board reads; the public sees the
//! published strategy and the province-level figures only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sinergi_activity::realisation::FormOutcome;
use sinergi_core::strategy::StrategyArea;
use sinergi_core::strategy::{
    CompareOp, Direction, RatingBands, RuleCheck, ValidationRule, VersionStatus, Violation,
};
use sinergi_core::{Msg, Period, RegionCode};
use sinergi_report::{Labels, Status, red_first, statuses};
use sinergi_store::{
    EntryMethod, IndicatorFields, NewRealisation, OrganisationKind, PeriodLock, Realisation,
    RefusedRealisation, SessionUser, SourceType, Strategy, StrategyTree, Target,
};

use super::render;
use crate::auth::Signed;
use crate::chart::{LineChart, PALETTE, Series, ValueFormat};
use crate::i18n::{Lang, Messages};
use crate::map::{LegendClass, Map, MapItem};
use crate::{AppError, AppState, Ui};
use sinergi_activity::realisation::RealisationOutcome;

mod dashboard;
pub(crate) mod entry;
pub(crate) mod indicator;
pub(crate) mod report;
mod settings;
pub(crate) mod tree;

#[allow(unused_imports)]
use dashboard::*;
#[allow(unused_imports)]
use entry::*;
#[allow(unused_imports)]
use indicator::*;
pub use report::report_bytes;
#[allow(unused_imports)]
use settings::*;
#[allow(unused_imports)]
use tree::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/strategi", get(index).post(create))
        .route(
            "/strategi/pengaturan",
            get(settings_form)
                .post(save_settings)
                .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024)),
        )
        .route("/strategi/{id}", get(tree_page))
        .route("/strategi/{id}/sasaran", post(add_objective))
        .route("/strategi/{id}/indikator", post(add_indicator))
        .route("/strategi/{id}/target", post(set_target))
        .route("/strategi/{id}/terbitkan", post(publish))
        .route("/strategi/{id}/amandemen", post(amend))
        .route("/strategi/{id}/indikator/{code}", get(indicator))
        .route("/strategi/{id}/dasbor", get(dashboard))
        .route("/strategi/{id}/data", get(data_page).post(save_value))
        .route(
            "/strategi/{id}/data/impor",
            post(import).layer(axum::extract::DefaultBodyLimit::max(
                super::lists::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/strategi/{id}/data/templat.xlsx", get(template))
        .route("/strategi/{id}/data/hitung", post(compute))
        .route("/strategi/{id}/data/rincian", post(save_grid))
        .route(
            "/api/v1/strategi/{id}/realisasi",
            get(crate::api::read::realisation).post(api_realisation),
        )
        .route("/strategi/{id}/kunci", post(lock))
        .route("/strategi/{id}/aturan", post(add_rule))
        .route("/strategi/{id}/laporan", post(report::start))
        .route("/strategi/laporan/{job}", get(report::progress))
        .route("/strategi/laporan/{job}/unduh", get(report::download))
}

/// Report labels from the web catalogue.
pub(crate) struct CatalogueLabels(pub Messages);

impl Labels for CatalogueLabels {
    fn get(&self, key: &str) -> String {
        self.0.get(key).to_string()
    }
    fn num(&self, v: f64) -> String {
        self.0.decimal(&v)
    }
    fn english(&self) -> bool {
        self.0.lang == Lang::En
    }
}

fn bad(detail: Msg) -> AppError {
    AppError::bad_request("error.invalid", detail)
}

/// "field: reason", both from the catalogue.
fn field_msg(field: &'static str, reason: Msg) -> Msg {
    Msg::new("strategy.refuse.field")
        .arg_msg("field", Msg::new(field))
        .arg_msg("reason", reason)
}

async fn load_tree(
    state: &AppState,
    ui: &Ui,
    id: i64,
    number: Option<i64>,
) -> Result<StrategyTree, AppError> {
    state
        .store
        .scoped(ui.viewer())
        .strategy_tree(id, number)
        .await?
        .ok_or_else(|| AppError::not_found("strategy.not_found"))
}

/// A period as asked for in a form or query; empty is none.
pub(crate) fn asked_period(asked: Option<&str>) -> Result<Option<Period>, AppError> {
    match asked.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => Period::parse(p)
            .map(Some)
            .map_err(|_| bad(Msg::new("strategy.refuse.period_bad").arg("period", p))),
    }
}

/// The quarter in view: asked for, or the latest with values, or the current one.
fn chosen_period(asked: Option<&str>, values: &[Realisation]) -> Result<Period, AppError> {
    Ok(sinergi_activity::strategy::chosen_period(
        asked_period(asked)?,
        values,
    ))
}

async fn names_of<'a>(
    state: &AppState,
    areas: impl Iterator<Item = &'a StrategyArea>,
) -> Result<HashMap<String, String>, AppError> {
    Ok(sinergi_activity::strategy::region_names(&state.store, areas).await?)
}

/// The quarters a period picker offers: every quarter of the strategy's years, plus the one
/// in view when it lies outside; value, label, whether chosen.
pub(crate) fn period_choices(
    t: Messages,
    strategy: &sinergi_store::Strategy,
    chosen: Period,
) -> Vec<(String, String, bool)> {
    let mut periods: Vec<Period> = (strategy.year_from..=strategy.year_to)
        .flat_map(|y| (1..=4).filter_map(move |q| Period::quarter(y, q).ok()))
        .collect();
    if !periods.contains(&chosen) {
        periods.push(chosen);
        periods.sort();
    }
    periods
        .into_iter()
        .map(|p| (p.to_string(), t.period(&p), p == chosen))
        .collect()
}

/// A period's label in the user's language.
fn period_label(t: Messages, p: Period) -> String {
    t.period(&p)
}

// Askama hands some arguments over by reference and some by value: take either.
pub(crate) fn status_key(s: impl std::borrow::Borrow<VersionStatus>) -> &'static str {
    match s.borrow() {
        VersionStatus::Draft => "strategy.status.draft",
        VersionStatus::Published => "strategy.status.published",
        VersionStatus::Superseded => "strategy.status.superseded",
    }
}

pub(crate) fn dis_key(d: &str) -> &'static str {
    match d {
        "jenis_kelamin" => "strategy.dis.jenis_kelamin",
        "kelompok_umur" => "strategy.dis.kelompok_umur",
        _ => "strategy.dis.disabilitas",
    }
}

/// An indicator's breakdown as the pages show it: the cross-table of the groups (one
/// dimension across), the gap between the highest and lowest cell, then each dimension's
/// groups with a bar and the gap between them, and the total.
pub(crate) struct CrossShown {
    /// The indicator's code, and its code and name (the dashboard lists several).
    pub code: String,
    pub title: String,
    pub column_label: String,
    pub columns: Vec<String>,
    /// Row words, then (figure, whether it is the highest or lowest cell) per column.
    pub rows: Vec<(String, Vec<(String, bool)>)>,
    /// "highest cell (value) − lowest cell (value) = gap".
    pub cell_gap: Option<String>,
    pub margins: Vec<BreakdownTable>,
    pub total: Option<String>,
    /// "Jumlah" for a count, "Semua kelompok" for a rate (whose total is no sum).
    pub total_label: String,
    /// Group figures and total summed from the cells.
    pub summed: bool,
}

/// A dimension's groups: each with its value and a bar, and the gap between the highest and
/// lowest group.
pub(crate) struct BreakdownTable {
    pub label: String,
    pub rows: Vec<(String, String, String)>,
    pub gap: String,
}

/// The breakdown of `fields` (as the use case disclosed it to the viewer) in the user's
/// language.
pub(crate) fn cross_shown(
    t: Messages,
    fields: &IndicatorFields,
    c: &sinergi_core::strategy::Cross,
) -> CrossShown {
    let figure = |key: &str, v: Option<f64>| match v {
        Some(v) => t.decimal(&v),
        None if c.is_suppressed(key) => t.get("profil.suppressed").to_string(),
        None => "–".to_string(),
    };
    let words = |groups: &[(&str, &str)]| {
        groups
            .iter()
            .map(|(d, g)| t.get(sinergi_core::strategy::group_label_key(d, g)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let marked: Vec<usize> = c
        .cell_gap
        .iter()
        .flat_map(|g| [g.highest, g.lowest])
        .collect();
    let layout = c.layout().filter(|_| c.has_cells());
    let (column_label, columns, rows) = match &layout {
        Some(l) => (
            t.get(dis_key(l.column_dimension)).to_string(),
            l.columns
                .iter()
                .map(|g| {
                    t.get(sinergi_core::strategy::group_label_key(
                        l.column_dimension,
                        g,
                    ))
                    .to_string()
                })
                .collect(),
            l.rows
                .iter()
                .map(|(row, values)| {
                    let cells = l
                        .columns
                        .iter()
                        .zip(values)
                        .map(|(col, v)| {
                            let i = c.cells.iter().position(|cell| {
                                cell.groups.contains(&(l.column_dimension, col))
                                    && row.iter().all(|g| cell.groups.contains(g))
                            });
                            let key = i.map(|i| c.cells[i].key()).unwrap_or_default();
                            (figure(&key, *v), i.is_some_and(|i| marked.contains(&i)))
                        })
                        .collect();
                    (words(row), cells)
                })
                .collect(),
        ),
        None => (String::new(), Vec::new(), Vec::new()),
    };
    let cell_gap = c.cell_gap.as_ref().filter(|_| layout.is_some()).map(|g| {
        let hi = &c.cells[g.highest];
        let lo = &c.cells[g.lowest];
        format!(
            "{} ({}) − {} ({}) = {}",
            words(&hi.groups),
            t.decimal(&hi.value.unwrap_or(0.0)),
            words(&lo.groups),
            t.decimal(&lo.value.unwrap_or(0.0)),
            t.decimal(&g.gap)
        )
    });
    let margins = c
        .margins
        .iter()
        .filter(|b| {
            b.groups
                .iter()
                .any(|(g, v)| v.is_some() || c.is_suppressed(&format!("{}={g}", b.dimension)))
        })
        .map(|b| {
            let top = b
                .groups
                .iter()
                .filter_map(|(_, v)| *v)
                .fold(0.0_f64, |m, v| m.max(v.abs()));
            BreakdownTable {
                label: t.get(dis_key(&b.dimension)).to_string(),
                rows: b
                    .groups
                    .iter()
                    .map(|(g, v)| {
                        let name = t
                            .get(sinergi_core::strategy::group_label_key(&b.dimension, g))
                            .to_string();
                        let shown = figure(&format!("{}={g}", b.dimension), *v);
                        (name, shown, bar(v.unwrap_or(0.0), top))
                    })
                    .collect(),
                gap: b.gap.map_or("–".to_string(), |g| t.decimal(&g)),
            }
        })
        .collect();
    CrossShown {
        code: fields.code.clone(),
        title: format!("{} {}", fields.code, fields.name),
        column_label,
        columns,
        rows,
        cell_gap,
        margins,
        total: (c.total.is_some() || c.is_suppressed("")).then(|| figure("", c.total)),
        total_label: t
            .get(if c.additive {
                "strategy.grid.total"
            } else {
                "strategy.grid.overall"
            })
            .to_string(),
        summed: c.additive && layout.is_some(),
    }
}

/// A small inline bar (120 px at the largest value); decoration beside the figure.
pub(crate) fn bar(value: f64, top: f64) -> String {
    let width = if top > 0.0 {
        (value.abs() / top * 120.0).round()
    } else {
        0.0
    };
    format!(
        r##"<svg width="120" height="10" aria-hidden="true"><rect width="{width}" height="10" fill="#3b6ea5"/></svg>"##
    )
}

pub(crate) fn method_key(m: impl std::borrow::Borrow<EntryMethod>) -> &'static str {
    match m.borrow() {
        EntryMethod::Form => "strategy.method.form",
        EntryMethod::Import => "strategy.method.import",
        EntryMethod::Computed => "strategy.method.computed",
    }
}

pub(crate) fn band_label(t: Messages, b: &sinergi_core::strategy::Band) -> String {
    if t.lang == Lang::En {
        b.label_en.clone()
    } else {
        b.label_id.clone()
    }
}
