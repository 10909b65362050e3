//! Reading the strategy's figures: the quarter dashboard and the data a report is made from,
//! assembled once from the viewer's realisation values, the rating bands and insight's
//! indicator status. Faces only render what comes back.

use std::collections::HashMap;

use sinergi_core::strategy::{
    Cross, RatingBands, Realisation, SourceType, StrategyArea, StrategyTree, ValueKey, Violation,
    evaluate_rules,
};
use sinergi_core::{Msg, Period, RegionCode, Viewer};
use sinergi_insight::status::{Status, red_first, statuses};
use sinergi_store::{Letterhead, Store};

use crate::ActivityError;

/// The quarter in view: asked for, or the latest quarter with values, or the current one.
pub fn chosen_period(asked: Option<Period>, values: &[Realisation]) -> Period {
    asked.unwrap_or_else(|| {
        values
            .iter()
            .filter(|v| matches!(v.period, Period::Quarter(..)))
            .map(|v| v.period)
            .max()
            .unwrap_or_else(|| Period::quarter_of(chrono::Utc::now().date_naive()))
    })
}

/// Region names for codes (the national area has none).
pub async fn region_names<'a>(
    store: &Store,
    areas: impl Iterator<Item = &'a StrategyArea>,
) -> Result<HashMap<String, String>, ActivityError> {
    let codes: Vec<RegionCode> = areas.filter_map(|a| a.region().cloned()).collect();
    Ok(store.region_names(&codes).await?)
}

/// One indicator's line on the dashboard.
#[derive(Debug, Clone)]
pub struct DashboardRow {
    pub status: Status,
    /// Regions directly below per band (same order as the bands), then without data.
    pub spread: Vec<usize>,
    /// The (at most three) worst regions below.
    pub worst: Vec<StrategyArea>,
}

/// The quarter dashboard of one strategy for one region.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub tree: StrategyTree,
    pub period: Period,
    pub region: StrategyArea,
    pub bands: RatingBands,
    /// Red first.
    pub rows: Vec<DashboardRow>,
    /// Indicators per band, then without data.
    pub summary: Vec<usize>,
    /// How many regions directly below hold a value this quarter.
    pub below: usize,
    /// Concepts measured by a survey and by records, their statuses side by side.
    pub side_by_side: Vec<(String, Vec<Status>)>,
    pub names: HashMap<String, String>,
    /// Beneficiaries, program reach and LKS clients of the region by sex, age band and
    /// disability (as the viewer may see them).
    pub group_tables: Vec<crate::aggregates::GroupTable>,
    /// The region's breakdown of each indicator asking for one, with a figure this quarter.
    pub breakdowns: Vec<(sinergi_core::strategy::IndicatorFields, Cross)>,
}

/// The breakdowns (sex × age group × disability) of the indicators of `tree` that ask for
/// one, for `region` in `period`, as `viewer` may see them: small counts hidden from those
/// who get suppressed counts; indicators with nothing held are left out.
pub fn breakdowns_for(
    store: &Store,
    viewer: &Viewer,
    tree: &StrategyTree,
    values: &[Realisation],
    region: &StrategyArea,
    period: Period,
) -> Vec<(sinergi_core::strategy::IndicatorFields, Cross)> {
    let threshold = if viewer.gets_suppressed_counts() {
        store.disclosure_threshold()
    } else {
        0
    };
    tree.indicators()
        .filter(|i| !i.fields.disaggregations.is_empty())
        .map(|i| {
            let c =
                sinergi_core::strategy::indicator_cross(&i.fields, values, region, Some(period))
                    .disclosed(threshold);
            (i.fields.clone(), c)
        })
        .filter(|(_, c)| !c.is_empty())
        .collect()
}

/// Assembles the quarter dashboard as `viewer` may see it; `None` when the strategy is not
/// there for this viewer.
pub async fn quarter_dashboard(
    store: &Store,
    viewer: &Viewer,
    strategy_id: i64,
    asked: Option<Period>,
    region: Option<&str>,
) -> Result<Option<Dashboard>, ActivityError> {
    let scoped = store.scoped(viewer);
    let Some(tree) = scoped.strategy_tree(strategy_id, None).await? else {
        return Ok(None);
    };
    let values = scoped.realisations(&tree.strategy, asked, None).await?;
    let period = chosen_period(asked, &values);
    let top = tree.strategy.region.clone();
    let region = match region.map(str::trim).filter(|s| !s.is_empty()) {
        None => top.clone(),
        Some(text) => match StrategyArea::parse(text) {
            Ok(r) if r == top || values.iter().any(|v| v.region == r) => r,
            _ => {
                return Err(ActivityError::Refused(
                    Msg::new("strategy.refuse.region_no_data").arg("region", text),
                ));
            }
        },
    };
    let bands = scoped.rating_bands().await?;
    // Regions directly below the strategy's area that hold a value this quarter.
    let mut below: Vec<StrategyArea> = values
        .iter()
        .filter(|v| v.period == period)
        .filter(|v| v.region.region().is_some_and(|r| top.is_child(r)))
        .map(|v| v.region.clone())
        .collect();
    below.sort();
    below.dedup();
    let main = statuses(
        &tree,
        &values,
        period,
        &bands,
        std::slice::from_ref(&region),
    );
    let spread_rows = if region == top {
        statuses(&tree, &values, period, &bands, &below)
    } else {
        Vec::new()
    };
    let mut by_code: HashMap<&str, Vec<&Status>> = HashMap::new();
    for s in &spread_rows {
        by_code.entry(s.code.as_str()).or_default().push(s);
    }
    let names = region_names(store, below.iter().chain(std::iter::once(&region))).await?;
    let mut sorted: Vec<&Status> = main.iter().collect();
    red_first(&mut sorted);
    let rows: Vec<DashboardRow> = sorted
        .into_iter()
        .map(|s| {
            let mut spread = vec![0; bands.bands.len() + 1];
            let mut worst: Vec<&Status> = Vec::new();
            if let Some(list) = by_code.get(s.code.as_str()) {
                for k in list {
                    spread[k.band.unwrap_or(bands.bands.len())] += 1;
                }
                worst = list.iter().copied().filter(|k| k.band.is_some()).collect();
                red_first(&mut worst);
                worst.truncate(3);
            }
            DashboardRow {
                status: s.clone(),
                spread,
                worst: worst.iter().map(|k| k.region.clone()).collect(),
            }
        })
        .collect();
    let mut summary = vec![0; bands.bands.len() + 1];
    for r in &rows {
        summary[r.status.band.unwrap_or(bands.bands.len())] += 1;
    }
    // Survey and administrative figures of one concept, side by side, never merged.
    let mut concepts: HashMap<&str, Vec<&Status>> = HashMap::new();
    for s in &main {
        concepts.entry(s.concept.as_str()).or_default().push(s);
    }
    let mut side_by_side: Vec<(String, Vec<Status>)> = concepts
        .into_iter()
        .filter(|(_, v)| {
            v.iter().any(|s| s.source_type == SourceType::Survey)
                && v.iter()
                    .any(|s| s.source_type == SourceType::Administrative)
        })
        .map(|(c, v)| (c.to_string(), v.into_iter().cloned().collect()))
        .collect();
    side_by_side.sort_by(|a, b| a.0.cmp(&b.0));
    let group_tables = match region.region() {
        Some(code) => crate::aggregates::group_tables(store, viewer, code).await?,
        None => Vec::new(),
    };
    let breakdowns = breakdowns_for(store, viewer, &tree, &values, &region, period);
    Ok(Some(Dashboard {
        breakdowns,
        group_tables,
        below: below.len(),
        tree,
        period,
        region,
        bands,
        rows,
        summary,
        side_by_side,
        names,
    }))
}

/// Validation-rule violations among total values of one period.
pub fn violations_of(
    rules: &[sinergi_core::strategy::ValidationRule],
    values: &[Realisation],
    period: Period,
) -> Vec<Violation> {
    let keyed: HashMap<ValueKey, f64> = values
        .iter()
        .filter(|v| v.disaggregation.is_empty() && v.period == period)
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
    evaluate_rules(rules, &keyed)
}

/// What the quarterly report is made from, plain data.
#[derive(Debug, Clone)]
pub struct QuarterData {
    pub values: Vec<Realisation>,
    pub statuses: Vec<Status>,
    pub violations: Vec<Violation>,
    pub bands: RatingBands,
    pub names: HashMap<String, String>,
    /// Forum actions due in the quarter within the strategy's area, per forum and commission.
    pub actions: Vec<sinergi_core::forum::ActionTally>,
    /// The area's figures by sex, age band and disability.
    pub group_tables: Vec<crate::aggregates::GroupTable>,
    /// Per region in view (the strategy's area first), the breakdown of each indicator
    /// asking for one that holds a figure.
    pub breakdowns: Vec<(StrategyArea, sinergi_core::strategy::IndicatorFields, Cross)>,
}

/// Assembles the quarterly report's data for `viewer`: the strategy's area first, then every
/// region with a value.
pub async fn quarter_report_data(
    store: &Store,
    viewer: &Viewer,
    tree: &StrategyTree,
    period: Period,
) -> Result<QuarterData, ActivityError> {
    let scoped = store.scoped(viewer);
    let values = scoped
        .realisations(&tree.strategy, Some(period), None)
        .await?;
    let top = tree.strategy.region.clone();
    let mut regions: Vec<StrategyArea> = values
        .iter()
        .map(|v| v.region.clone())
        .filter(|r| r != &top)
        .collect();
    regions.sort();
    regions.dedup();
    regions.insert(0, top);
    let bands = scoped.rating_bands().await?;
    let statuses = statuses(tree, &values, period, &bands, &regions);
    let rules = scoped.validation_rules(tree.strategy.id).await?;
    let violations = violations_of(&rules, &values, period);
    let names = region_names(store, regions.iter()).await?;
    let within = match &tree.strategy.region {
        StrategyArea::National => None,
        StrategyArea::Region(code) => Some(code),
    };
    let due = scoped
        .actions_due(period.start(), period.end(), within)
        .await?;
    let actions = sinergi_core::forum::tally_actions(&due, chrono::Utc::now().date_naive());
    let group_tables = match within {
        Some(code) => crate::aggregates::group_tables(store, viewer, code).await?,
        None => Vec::new(),
    };
    let breakdowns = regions
        .iter()
        .flat_map(|r| {
            breakdowns_for(store, viewer, tree, &values, r, period)
                .into_iter()
                .map(move |(f, c)| (r.clone(), f, c))
        })
        .collect();
    Ok(QuarterData {
        breakdowns,
        group_tables,
        values,
        statuses,
        violations,
        bands,
        names,
        actions,
    })
}

/// Names of every region a strategy document mentions (its targets' regions).
pub async fn document_names(
    store: &Store,
    tree: &StrategyTree,
) -> Result<HashMap<String, String>, ActivityError> {
    let areas: Vec<StrategyArea> = tree
        .indicators()
        .flat_map(|i| i.targets.iter().map(|t| t.region.clone()))
        .collect();
    region_names(store, areas.iter()).await
}

/// The deployment's report letterhead.
pub async fn letterhead(store: &Store, viewer: &Viewer) -> Result<Letterhead, ActivityError> {
    Ok(store.scoped(viewer).letterhead().await?)
}
