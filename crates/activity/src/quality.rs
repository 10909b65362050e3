//! The data-quality scorecard as a use case (issue 22, `/mutu-data`): the store gathers what
//! is judged through the viewer's rows, `insight::quality` grades it against the deployment's
//! thresholds, and follow-up marks (owner and status, never deleted, audited) are read and
//! moved. Pages, the download and later the report call these.

use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sinergi_core::{Level, Msg, RegionCode, Viewer, priority as rules};
use sinergi_insight::quality::{
    Cell, Check, Grade, QualityRules, ReferencePair, RegionCounts, Series, scorecard as grade,
};
use sinergi_store::{
    FOLLOWUP_STATUSES, FlaggedRow, Followup, KeptKey, QualityAsk, QualityCounts, QualityGap,
    RefusedNiks, Scoped, Store,
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
    /// Gather the offending rows too (a region's drill-down; always computed afresh).
    pub detail: bool,
    /// Compute afresh even when the kept scorecard still holds (on demand).
    pub recompute: bool,
}

/// Where the scorecard shown came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// When and by whom it was computed, and how long that took.
    pub computed_at: String,
    pub computed_by: String,
    pub millis: i64,
    /// Read from the kept scorecard (`false`: computed for this request).
    pub kept: bool,
    /// The thresholds version graded with (`None` = the defaults).
    pub rules_id: Option<i64>,
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
    /// `None` for a drill-down (computed afresh, not kept).
    pub provenance: Option<Provenance>,
}

/// A scorecard as kept: the graded rows (offending values left to the drill-down) and the
/// failing shares.
#[derive(Debug, Serialize, Deserialize)]
struct KeptBody {
    rows: Vec<KeptRow>,
    failing_share: Vec<Option<f64>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeptRow {
    code: String,
    name: String,
    cells: Vec<Cell>,
    counts: QualityCounts,
}

/// The deployment's thresholds in force (the defaults until the admin saves some) and the
/// version they come from.
pub async fn quality_rules(
    store: &Store,
    viewer: &Viewer,
) -> Result<(QualityRules, Option<i64>), ActivityError> {
    rules_in_force(&store.scoped(viewer)).await
}

async fn rules_in_force(scoped: &Scoped<'_>) -> Result<(QualityRules, Option<i64>), ActivityError> {
    match scoped.quality_rules().await? {
        None => Ok((QualityRules::default(), None)),
        Some(v) => {
            let rules: QualityRules = serde_json::from_str(&v.rules).map_err(|e| {
                ActivityError::Store(sinergi_store::StoreError::Corrupt(format!(
                    "quality_rules {}: {e}",
                    v.id
                )))
            })?;
            Ok((rules, Some(v.id)))
        }
    }
}

/// Saves new thresholds for the deployment (the province admin; audited). Every threshold is
/// a share 0–1, and for a check that is better high the warn level is not above the pass
/// level (not below it for a check that is better low).
pub async fn save_quality_rules(
    store: &Store,
    viewer: &Viewer,
    rules: &QualityRules,
) -> Result<i64, ActivityError> {
    if !rules::may_define_method(viewer) {
        return Err(ActivityError::Forbidden);
    }
    validate_rules(rules)?;
    let json = serde_json::to_string(rules)
        .map_err(|e| ActivityError::Store(sinergi_store::StoreError::Corrupt(e.to_string())))?;
    Ok(store.scoped(viewer).save_quality_rules(&json).await?)
}

/// Whether thresholds make sense (see [`save_quality_rules`]).
pub fn validate_rules(rules: &QualityRules) -> Result<(), ActivityError> {
    let share = |v: f64| v.is_finite() && (0.0..=1.0).contains(&v);
    for check in Check::ALL {
        let Some(t) = rules.thresholds.get(&check) else {
            return Err(ActivityError::Refused(
                Msg::new("quality.rules.missing").arg("check", check.key()),
            ));
        };
        let ordered = if check.higher_is_better() {
            t.warn <= t.pass
        } else {
            t.warn >= t.pass
        };
        if !share(t.pass) || !share(t.warn) || !ordered {
            return Err(ActivityError::Refused(
                Msg::new("quality.rules.bad_threshold").arg("check", check.key()),
            ));
        }
    }
    let limit = match rules.outlier {
        sinergi_insight::quality::OutlierRule::ModifiedZ(l)
        | sinergi_insight::quality::OutlierRule::StandardDeviations(l) => l,
    };
    if !(limit.is_finite() && limit > 0.0 && limit <= 10.0) {
        return Err(ActivityError::Refused(Msg::new(
            "quality.rules.bad_outlier",
        )));
    }
    for v in [rules.change_limit, rules.reference_limit] {
        if !(v.is_finite() && v > 0.0 && v <= 10.0) {
            return Err(ActivityError::Refused(Msg::new("quality.rules.bad_limit")));
        }
    }
    Ok(())
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
    let (rules, rules_id) = rules_in_force(&scoped).await?;
    let followups = scoped.followups(ask.within.as_ref()).await?;
    if ask.detail {
        return computed(&scoped, ask, year, rules, followups).await;
    }
    // The overview: the kept scorecard while the data judged, the day and the thresholds are
    // those it was computed with; otherwise computed now and kept.
    let key = KeptKey::new(ask.level, ask.within.as_ref(), year);
    let stamp = format!("{}|{}", scoped.quality_stamp().await?, ask.today);
    if !ask.recompute
        && let Some(kept) = scoped.kept_scorecard(&key).await?
        && kept.stamp == stamp
        && kept.rules_id == rules_id
        && let Ok(body) = serde_json::from_str::<KeptBody>(&kept.body)
    {
        let mut rows = Vec::with_capacity(body.rows.len());
        for r in body.rows {
            let code = RegionCode::parse(&r.code)
                .map_err(|e| sinergi_store::StoreError::Corrupt(e.to_string()))?;
            rows.push(ScorecardRow {
                open_followups: open_below(&followups, &code),
                code,
                name: r.name,
                cells: r.cells,
                counts: r.counts,
            });
        }
        return Ok(ScorecardView {
            level: ask.level,
            within: ask.within.clone(),
            year,
            rules,
            rows,
            failing_share: body.failing_share,
            realisation_gaps: Vec::new(),
            report_gaps: Vec::new(),
            flagged_rows: Vec::new(),
            refused: Vec::new(),
            followups,
            provenance: Some(Provenance {
                computed_at: kept.computed_at,
                computed_by: kept.computed_by,
                millis: kept.millis,
                kept: true,
                rules_id,
            }),
        });
    }
    let started = Instant::now();
    let mut view = computed(&scoped, ask, year, rules, followups).await?;
    let millis = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let body = KeptBody {
        rows: view
            .rows
            .iter()
            .map(|r| KeptRow {
                code: r.code.to_string(),
                name: r.name.clone(),
                cells: r
                    .cells
                    .iter()
                    .map(|c| Cell {
                        value: c.value,
                        grade: c.grade,
                        offenders: Vec::new(),
                    })
                    .collect(),
                counts: r.counts.clone(),
            })
            .collect(),
        failing_share: view.failing_share.clone(),
    };
    let body = serde_json::to_string(&body)
        .map_err(|e| sinergi_store::StoreError::Corrupt(e.to_string()))?;
    let (computed_at, computed_by) = scoped
        .keep_scorecard(&key, rules_id, &stamp, &body, millis)
        .await?;
    view.provenance = Some(Provenance {
        computed_at,
        computed_by,
        millis,
        kept: false,
        rules_id,
    });
    Ok(view)
}

/// Follow-up marks of `code` or below it not yet done.
fn open_below(followups: &[Followup], code: &RegionCode) -> usize {
    let below = format!("{code}.");
    followups
        .iter()
        .filter(|f| f.status != "selesai")
        .filter(|f| f.region == code.as_str() || f.region.starts_with(&below))
        .count()
}

/// Gathers and grades the scorecard now.
async fn computed(
    scoped: &Scoped<'_>,
    ask: &ScorecardAsk,
    year: i32,
    rules: QualityRules,
    followups: Vec<Followup>,
) -> Result<ScorecardView, ActivityError> {
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
    let card = grade(&rules, &counts, &series, &references);
    let mut rows: Vec<ScorecardRow> = inputs
        .regions
        .iter()
        .zip(card.cells)
        .zip(&inputs.counts)
        .map(|(((code, name), cells), counts)| ScorecardRow {
            code: code.clone(),
            name: name.clone(),
            cells,
            counts: counts.clone(),
            open_followups: open_below(&followups, code),
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
        provenance: None,
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

    fn refused_key(rules: &QualityRules) -> Option<String> {
        match validate_rules(rules) {
            Ok(()) => None,
            Err(ActivityError::Refused(m)) => Some(m.key.to_string()),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn thresholds_are_shares_with_warn_beyond_pass() {
        assert_eq!(refused_key(&QualityRules::default()), None);
        // A completeness check is better high: warn may not lie above pass.
        let mut r = QualityRules::default();
        r.thresholds.insert(
            Check::RealisationComplete,
            sinergi_insight::quality::Threshold {
                pass: 0.9,
                warn: 0.95,
            },
        );
        assert_eq!(
            refused_key(&r).as_deref(),
            Some("quality.rules.bad_threshold")
        );
        // A problem share is better low: warn may not lie below pass.
        let mut r = QualityRules::default();
        r.thresholds.insert(
            Check::Duplicates,
            sinergi_insight::quality::Threshold {
                pass: 0.05,
                warn: 0.02,
            },
        );
        assert!(refused_key(&r).is_some());
        let mut r = QualityRules::default();
        r.thresholds.insert(
            Check::Outliers,
            sinergi_insight::quality::Threshold {
                pass: 0.02,
                warn: 1.5,
            },
        );
        assert!(refused_key(&r).is_some(), "above 100 %");
        let mut r = QualityRules::default();
        r.thresholds.remove(&Check::NikWarned);
        assert_eq!(refused_key(&r).as_deref(), Some("quality.rules.missing"));
        let r = QualityRules {
            outlier: sinergi_insight::quality::OutlierRule::ModifiedZ(0.0),
            ..QualityRules::default()
        };
        assert_eq!(
            refused_key(&r).as_deref(),
            Some("quality.rules.bad_outlier")
        );
        let r = QualityRules {
            change_limit: f64::NAN,
            ..QualityRules::default()
        };
        assert_eq!(refused_key(&r).as_deref(), Some("quality.rules.bad_limit"));
    }
}
