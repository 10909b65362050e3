//! Checking realisation rows before they are stored, pure: each row against the published
//! version (indicator, disaggregation), the strategy's area and years, the viewer's right to
//! enter for the region, the period locks, and the other rows (one value per key). Used by
//! the store (which applies it inside its transaction) and by file intake.

use std::collections::HashMap;

use serde::Serialize;

use super::{StrategyArea, StrategyTree, check_disaggregation, may_enter_realisation_in};
use crate::access::Viewer;
use crate::msg::Msg;
use crate::period::Period;

/// A realisation value as entered (a form row or a file line), before it is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRealisation {
    /// Line of the imported file, for reject reports (0 for forms).
    pub line: u64,
    pub indicator_code: String,
    pub disaggregation: String,
    /// The region code as written (or the national area's text).
    pub region: String,
    pub period: Period,
    pub source: String,
    pub value: f64,
    pub drivers: String,
    pub obstacles: String,
    pub follow_up: String,
}

/// A row refused, with its line, column and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedRealisation {
    pub line: u64,
    pub column: &'static str,
    #[serde(skip)]
    pub reason: Msg,
}

/// A row that passed: trimmed, typed, its disaggregation in canonical form.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedRealisation {
    pub line: u64,
    pub indicator_code: String,
    pub disaggregation: String,
    pub region: StrategyArea,
    pub period: Period,
    pub source: String,
    pub value: f64,
    pub drivers: String,
    pub obstacles: String,
    pub follow_up: String,
}

/// What the rows are checked against.
pub struct RealisationContext<'a> {
    /// The published version.
    pub tree: &'a StrategyTree,
    /// Closed periods.
    pub locked: &'a [Period],
    pub viewer: &'a Viewer,
}

/// Checks every row; all pass (the checked rows) or the refused ones come back, each with its
/// first reason.
pub fn check_realisations(
    ctx: &RealisationContext<'_>,
    rows: &[NewRealisation],
) -> Result<Vec<CheckedRealisation>, Vec<RefusedRealisation>> {
    let strategy = &ctx.tree.strategy;
    let mut refused = Vec::new();
    let mut clean = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, String, StrategyArea, Period, String), u64> = HashMap::new();
    for r in rows {
        let refuse = |column: &'static str, reason: Msg| RefusedRealisation {
            line: r.line,
            column,
            reason,
        };
        let code = r.indicator_code.trim();
        let Some(ind) = ctx.tree.indicator(code) else {
            refused.push(refuse(
                "kode_indikator",
                Msg::new("strategy.refuse.indicator_unknown").arg("code", code),
            ));
            continue;
        };
        let disaggregation =
            match check_disaggregation(&r.disaggregation, &ind.fields.disaggregations) {
                Ok(d) => d,
                Err(e) => {
                    refused.push(refuse("rincian", e));
                    continue;
                }
            };
        let text = r.region.trim();
        let region = match StrategyArea::parse(text) {
            Ok(a) => a,
            Err(_) => {
                refused.push(refuse(
                    "kode_wilayah",
                    Msg::new("strategy.refuse.region_bad").arg("region", text),
                ));
                continue;
            }
        };
        let inside = match &region {
            StrategyArea::National => strategy.region == StrategyArea::National,
            StrategyArea::Region(code) => strategy.region.covers(code),
        };
        if !inside {
            refused.push(refuse(
                "kode_wilayah",
                Msg::new("strategy.refuse.region_outside_strategy")
                    .arg("region", &region)
                    .arg("strategy", &strategy.region),
            ));
            continue;
        }
        if !may_enter_realisation_in(ctx.viewer, &region) {
            refused.push(refuse(
                "kode_wilayah",
                Msg::new("strategy.refuse.region_outside_scope").arg("region", &region),
            ));
            continue;
        }
        if !matches!(r.period, Period::Quarter(..) | Period::Year(_)) {
            refused.push(refuse(
                "periode",
                Msg::new("strategy.refuse.period_kind").arg("period", r.period),
            ));
            continue;
        }
        let year = r.period.calendar_year();
        if year < strategy.year_from - 1 || year > strategy.year_to {
            refused.push(refuse(
                "periode",
                Msg::new("strategy.refuse.period_outside")
                    .arg("period", r.period)
                    .arg("from", strategy.year_from)
                    .arg("to", strategy.year_to),
            ));
            continue;
        }
        if ctx.locked.contains(&r.period) {
            refused.push(refuse(
                "periode",
                Msg::new("strategy.refuse.locked").arg("period", r.period),
            ));
            continue;
        }
        if !r.value.is_finite() {
            refused.push(refuse("nilai", Msg::new("strategy.refuse.not_a_number")));
            continue;
        }
        let source = r.source.trim();
        if source.is_empty() {
            refused.push(refuse(
                "sumber",
                Msg::new("strategy.refuse.source_required"),
            ));
            continue;
        }
        let key = (
            code.to_string(),
            disaggregation.clone(),
            region.clone(),
            r.period,
            source.to_string(),
        );
        if let Some(first) = seen.insert(key, r.line) {
            refused.push(refuse(
                "kode_indikator",
                Msg::new("strategy.refuse.duplicate").arg("first", first),
            ));
            continue;
        }
        clean.push(CheckedRealisation {
            line: r.line,
            indicator_code: code.to_string(),
            disaggregation,
            region,
            period: r.period,
            source: source.to_string(),
            value: r.value,
            drivers: r.drivers.trim().to_string(),
            obstacles: r.obstacles.trim().to_string(),
            follow_up: r.follow_up.trim().to_string(),
        });
    }
    if refused.is_empty() {
        Ok(clean)
    } else {
        Err(refused)
    }
}
/// What a value says against its indicator's own range, before it is saved: a rate outside
/// 0 … 100 (112 for a proportion) or a negative count. Warnings, not refusals: a user who has
/// checked the figure may confirm it.
pub fn range_warning(fields: &super::IndicatorFields, value: f64) -> Option<Msg> {
    if fields.is_rate() && !(0.0..=100.0).contains(&value) {
        Some(
            Msg::new("strategy.check.rate_range")
                .arg("code", &fields.code)
                .arg("value", value),
        )
    } else if value < 0.0 {
        Some(
            Msg::new("strategy.check.negative")
                .arg("code", &fields.code)
                .arg("value", value),
        )
    } else {
        None
    }
}
