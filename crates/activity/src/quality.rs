//! The data-quality scorecard as a use case (issue 22, `/mutu-data`): the store gathers what
//! is judged through the viewer's rows, `insight::quality` grades it against the deployment's
//! thresholds, and follow-up marks (owner and status, never deleted, audited) are read and
//! moved. Pages, the download and later the report call these.

use chrono::{Datelike, NaiveDate};
use sinergi_core::{Level, Msg, RegionCode, Viewer, priority as rules};
use sinergi_insight::quality::{
    Cell, Check, Grade, QualityRules, ReferencePair, RegionCounts, Series, scorecard as grade,
};
use sinergi_store::{
    FOLLOWUP_STATUSES, FlaggedRow, Followup, QualityAsk, QualityCounts, QualityGap, RefusedNiks,
    Store,
};

use crate::ActivityError;

/// Longest follow-up note and owner name accepted.
pub const DETAIL_MAX: usize = 500;
pub const OWNER_MAX: usize = 120;

/// What the page asks for.
#[derive(Debug, Clone)]
pub struct ScorecardAsk {
    pub level: Level,
    pub within: Option<RegionCode>,
    /// `None`: the year of the latest quarter that has ended.
    pub year: Option<i32>,
    pub today: NaiveDate,
    /// Gather the offending rows too (a region's drill-down).
    pub detail: bool,
}

/// One region's row of the scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardRow {
    pub code: RegionCode,
    pub name: String,
    /// In [`Check::ALL`] order.
    pub cells: Vec<Cell>,
    pub counts: QualityCounts,
    /// Follow-up marks of this region not yet done.
    pub open_followups: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardView {
    pub level: Level,
    pub within: Option<RegionCode>,
    pub year: i32,
    pub rules: QualityRules,
    /// Worst first (most checks failing, then needing attention), then by code.
    pub rows: Vec<ScorecardRow>,
    /// Per check: the share of the regions where it applies that fail it.
    pub failing_share: Vec<Option<f64>>,
    /// The drill-down's rows (empty unless asked for).
    pub realisation_gaps: Vec<QualityGap>,
    pub report_gaps: Vec<QualityGap>,
    pub flagged_rows: Vec<FlaggedRow>,
    pub refused: Vec<RefusedNiks>,
    /// Follow-up marks below `within` in the viewer's regions, newest first.
    pub followups: Vec<Followup>,
}

/// The year of the latest quarter that has ended by `today`.
pub fn default_year(today: NaiveDate) -> i32 {
    if today.month() <= 3 {
        today.year() - 1
    } else {
        today.year()
    }
}

fn counts_of(c: &QualityCounts) -> RegionCounts {
    RegionCounts {
        realisation_expected: c.realisation_expected,
        realisation_entered: c.realisation_entered,
        realisation_on_time: c.realisation_on_time,
        lks_reports_due: c.lks_reports_due,
        lks_reports_received: c.lks_reports_received,
        lks_reports_on_time: c.lks_reports_on_time,
        list_rows: c.list_rows,
        list_rows_complete: c.list_rows_complete,
        list_rows_read: c.list_rows_read,
        nik_refused: c.nik_refused,
        nik_warned: c.nik_warned,
        duplicates: c.duplicates,
    }
}

/// The scorecard for the regions of `ask.level` below `ask.within` in the viewer's scope.
pub async fn scorecard(
    store: &Store,
    viewer: &Viewer,
    ask: &ScorecardAsk,
) -> Result<ScorecardView, ActivityError> {
    if !rules::may_view(viewer) {
        return Err(ActivityError::Forbidden);
    }
    if ask.level == Level::Desa {
        return Err(ActivityError::Refused(Msg::new("priority.quality_level")));
    }
    let year = ask.year.unwrap_or_else(|| default_year(ask.today));
    if !(2000..=ask.today.year()).contains(&year) {
        return Err(ActivityError::Refused(
            Msg::new("priority.quality_year").arg("year", year),
        ));
    }
    let scoped = store.scoped(viewer);
    let inputs = scoped
        .quality_inputs(&QualityAsk {
            level: ask.level,
            within: ask.within.clone(),
            year,
            today: ask.today,
            import_job_kind: crate::lists::IMPORT_JOB.to_string(),
            detail: ask.detail,
        })
        .await?;
    let followups = scoped.followups(ask.within.as_ref()).await?;
    let position = |code: &str| inputs.regions.iter().position(|(c, _)| c.as_str() == code);
    let series: Vec<Series> = inputs
        .series
        .iter()
        .filter_map(|s| {
            Some(Series {
                region: position(&s.region)?,
                indicator: s.indicator.clone(),
                periods: s.periods.clone(),
                values: s.values.clone(),
            })
        })
        .collect();
    let references: Vec<ReferencePair> = inputs
        .references
        .iter()
        .filter_map(|p| {
            Some(ReferencePair {
                region: position(&p.region)?,
                what: format!("{} {}", p.element, p.period),
                platform: p.platform,
                reference: p.reference,
            })
        })
        .collect();
    let counts: Vec<RegionCounts> = inputs.counts.iter().map(counts_of).collect();
    let rules = QualityRules::default();
    let card = grade(&rules, &counts, &series, &references);
    let mut rows: Vec<ScorecardRow> = inputs
        .regions
        .iter()
        .zip(card.cells)
        .zip(&inputs.counts)
        .map(|(((code, name), cells), counts)| {
            let below = |f: &Followup| {
                f.region == code.as_str() || f.region.starts_with(&format!("{code}."))
            };
            ScorecardRow {
                code: code.clone(),
                name: name.clone(),
                cells,
                counts: counts.clone(),
                open_followups: followups
                    .iter()
                    .filter(|f| f.status != "selesai" && below(f))
                    .count(),
            }
        })
        .collect();
    // Worst first: most checks failing, then most needing attention, then by code.
    rows.sort_by_key(|r| {
        let count = |g: Grade| r.cells.iter().filter(|c| c.grade == g).count();
        (
            std::cmp::Reverse(count(Grade::Fail)),
            std::cmp::Reverse(count(Grade::Warn)),
            r.code.to_string(),
        )
    });
    Ok(ScorecardView {
        level: ask.level,
        within: ask.within.clone(),
        year,
        rules,
        rows,
        failing_share: card.failing_share,
        realisation_gaps: inputs.realisation_gaps,
        report_gaps: inputs.report_gaps,
        flagged_rows: inputs.flagged_rows,
        refused: inputs.refused,
        followups,
    })
}

/// Marks a region's check for follow-up; the value it flags stays as it is.
pub async fn mark_followup(
    store: &Store,
    viewer: &Viewer,
    region: &RegionCode,
    check_key: &str,
    detail: &str,
    owner: &str,
) -> Result<i64, ActivityError> {
    if Check::from_key(check_key).is_none() {
        return Err(ActivityError::Refused(
            Msg::new("priority.check_unknown").arg("check", check_key),
        ));
    }
    check_lengths(detail, owner)?;
    Ok(store
        .scoped(viewer)
        .mark_followup(region, check_key, detail.trim(), owner)
        .await?)
}

/// Moves a mark to `status` (`terbuka`, `ditangani`, `selesai`), with a new owner if given.
pub async fn update_followup(
    store: &Store,
    viewer: &Viewer,
    id: i64,
    status: &str,
    owner: &str,
) -> Result<(), ActivityError> {
    if !FOLLOWUP_STATUSES.contains(&status) {
        return Err(ActivityError::Refused(Msg::new(
            "priority.followup_status_unknown",
        )));
    }
    check_lengths("", owner)?;
    Ok(store
        .scoped(viewer)
        .update_followup(id, status, owner)
        .await?)
}

fn check_lengths(detail: &str, owner: &str) -> Result<(), ActivityError> {
    if detail.chars().count() > DETAIL_MAX {
        return Err(ActivityError::Refused(
            Msg::new("priority.followup_too_long")
                .arg("field", "rincian")
                .arg("max", DETAIL_MAX),
        ));
    }
    if owner.chars().count() > OWNER_MAX {
        return Err(ActivityError::Refused(
            Msg::new("priority.followup_too_long")
                .arg("field", "penanggung_jawab")
                .arg("max", OWNER_MAX),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_year_is_that_of_the_latest_ended_quarter() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(default_year(d(2026, 3, 31)), 2025);
        assert_eq!(default_year(d(2026, 4, 1)), 2026);
        assert_eq!(default_year(d(2026, 12, 7)), 2026);
    }
}
