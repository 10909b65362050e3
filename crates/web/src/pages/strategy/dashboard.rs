//! The quarter dashboard, red first.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------- dashboard

/// A concept with its figures per source: (indicator code, source type key, value).
pub(super) type SideBySide = (String, Vec<(String, &'static str, String)>);

pub struct DashRow {
    pub status: Status,
    pub shown: Shown,
    /// Kab/kota per band (same order as the bands), then without data.
    pub spread: Vec<usize>,
    pub worst: Vec<String>,
}

#[derive(Template)]
#[template(path = "strategy_dashboard.html")]
pub(super) struct DashboardPage {
    ui: Ui,
    t: Messages,
    tree: StrategyTree,
    period: Period,
    period_label: String,
    periods: Vec<(String, String, bool)>,
    /// Region picker (signed-in only: kab/kota figures are not public): code, name, chosen.
    regions: Vec<(String, String, bool)>,
    region: StrategyArea,
    region_name: String,
    rows: Vec<DashRow>,
    summary: Vec<usize>,
    bands: RatingBands,
    below: usize,
    /// (concept, [(code, source type key, actual)]) where a concept has several source types.
    side_by_side: Vec<SideBySide>,
    /// The region's figures by sex, age band and disability.
    group_tables: Vec<crate::pages::figures::GroupShown>,
    /// The region's indicators by sex, age group and disability, with their gaps.
    breakdowns: Vec<CrossShown>,
}

/// Renders the quarter dashboard assembled by the use case.
pub async fn dashboard(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let result = async {
        let asked = asked_period(q.periode.as_deref())?;
        let d = sinergi_activity::strategy::quarter_dashboard(
            &state.store,
            ui.viewer(),
            id,
            asked,
            q.wilayah.as_deref(),
        )
        .await?
        .ok_or_else(|| AppError::not_found("strategy.not_found"))?;
        let name = |a: &StrategyArea| d.names.get(a.as_str()).cloned();
        let rows = d
            .rows
            .iter()
            .map(|r| DashRow {
                shown: Shown::of(ui.t, &d.bands, &r.status),
                status: r.status.clone(),
                spread: r.spread.clone(),
                worst: r
                    .worst
                    .iter()
                    .map(|a| name(a).unwrap_or_else(|| a.to_string()))
                    .collect(),
            })
            .collect();
        let side_by_side = d
            .side_by_side
            .iter()
            .map(|(c, v)| {
                (
                    c.clone(),
                    v.iter()
                        .map(|s| {
                            (
                                s.code.clone(),
                                match s.source_type {
                                    SourceType::Survey => "strategy.source.survey",
                                    SourceType::Administrative => "strategy.source.administrative",
                                },
                                s.actual.map_or("–".into(), |a| ui.t.decimal(&a)),
                            )
                        })
                        .collect(),
                )
            })
            .collect();
        let top = d.tree.strategy.region.clone();
        let mut areas: Vec<StrategyArea> = d
            .names
            .keys()
            .filter_map(|c| StrategyArea::parse(c).ok())
            .chain(std::iter::once(top.clone()))
            .collect();
        areas.sort();
        areas.dedup();
        let regions = if ui.username().is_empty() {
            Vec::new()
        } else {
            areas
                .iter()
                .map(|a| {
                    let label = name(a).unwrap_or_else(|| a.to_string());
                    (a.to_string(), label, a == &d.region)
                })
                .collect()
        };
        Ok(DashboardPage {
            regions,
            t: ui.t,
            ui: ui.clone(),
            region_name: name(&d.region).unwrap_or_else(|| d.region.to_string()),
            period_label: period_label(ui.t, d.period),
            periods: period_choices(ui.t, &d.tree.strategy, d.period),
            below: d.below,
            period: d.period,
            region: d.region.clone(),
            rows,
            summary: d.summary.clone(),
            bands: d.bands.clone(),
            side_by_side,
            group_tables: d
                .group_tables
                .iter()
                .map(|g| crate::pages::figures::group_shown(&ui.t, g))
                .collect(),
            breakdowns: d
                .breakdowns
                .iter()
                .map(|(f, c)| cross_shown(ui.t, f, c))
                .collect(),
            tree: d.tree,
        })
    }
    .await;
    render(&ui, result)
}
