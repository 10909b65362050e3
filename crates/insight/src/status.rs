//! Every indicator's status for a period: the value held, the target, the achievement per the
//! indicator's direction, and its rating band. Shared by the dashboard, the reports and the
//! benchmark, so they can't disagree.

use std::collections::HashMap;

use sinergi_core::Period;
use sinergi_core::strategy::{
    Direction, RatingBands, Realisation, SourceType, StrategyArea, StrategyTree, achievement,
    display_capped,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub direction: Direction,
    pub source_type: SourceType,
    pub concept: String,
    pub region: StrategyArea,
    pub actual: Option<f64>,
    pub source: Option<String>,
    pub target: Option<f64>,
    /// The target is the province's, applied to a kab/kota (rates only).
    pub target_inherited: bool,
    /// Uncapped, as computed.
    pub achievement: Option<f64>,
    /// Index into the bands (0 = best); `None` without an achievement.
    pub band: Option<usize>,
}

/// Status of every indicator of `tree` in every region of `regions`, for `period` (a quarter
/// is judged against its year's target). Only totals count (disaggregated values are detail);
/// with several sources for one value, the most recently entered wins.
pub fn statuses(
    tree: &StrategyTree,
    values: &[Realisation],
    period: Period,
    bands: &RatingBands,
    regions: &[StrategyArea],
) -> Vec<Status> {
    let year = period.calendar_year();
    let mut latest: HashMap<(&str, &StrategyArea), &Realisation> =
        HashMap::with_capacity(values.len());
    for v in values
        .iter()
        .filter(|v| v.period == period && v.disaggregation.is_empty())
    {
        latest
            .entry((v.indicator_code.as_str(), &v.region))
            .and_modify(|cur| {
                if v.entered_at > cur.entered_at {
                    *cur = v;
                }
            })
            .or_insert(v);
    }
    let mut out = Vec::with_capacity(regions.len() * 32);
    for ind in tree.indicators() {
        let f = &ind.fields;
        for region in regions {
            let value = latest.get(&(f.code.as_str(), region));
            let target = ind.target_for(region, year);
            let actual = value.map(|v| v.value);
            let ach = match (actual, target) {
                (Some(a), Some((t, _))) => achievement(f.direction, a, t, f.baseline_value),
                _ => None,
            };
            out.push(Status {
                code: f.code.clone(),
                name: f.name.clone(),
                unit: f.unit.clone(),
                direction: f.direction,
                source_type: f.source_type,
                concept: f.concept.clone(),
                region: region.clone(),
                actual,
                source: value.map(|v| v.source.clone()),
                target: target.map(|t| t.0),
                target_inherited: target.is_some_and(|t| t.1),
                achievement: ach,
                band: ach.map(|a| bands.rate(display_capped(a)).0),
            });
        }
    }
    out
}

/// Worst band first ("red first"), then the lowest achievement; without data last.
pub fn red_first(rows: &mut [&Status]) {
    rows.sort_by(|a, b| {
        let key = |s: &Status| (s.band.map_or(-1, |b| b as i64), s.achievement);
        let (ab, aa) = key(a);
        let (bb, ba) = key(b);
        bb.cmp(&ab)
            .then_with(|| aa.partial_cmp(&ba).unwrap_or(std::cmp::Ordering::Equal))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.region.cmp(&b.region))
    });
}
