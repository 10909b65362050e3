//! The indicator page: trend chart, kab/kota table and map, survey and administrative figures
//! side by side.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------- indicator page

pub struct RegionStatus {
    pub code: String,
    pub name: String,
    pub status: Status,
    pub shown: Shown,
}

/// A status as the page writes it.
pub struct Shown {
    pub target: String,
    pub actual: String,
    pub achievement: String,
    pub band: Option<sinergi_core::strategy::Band>,
    pub band_label: String,
}

impl Shown {
    pub(crate) fn of(t: Messages, bands: &RatingBands, s: &Status) -> Shown {
        let num = |v: Option<f64>| v.map_or("–".to_string(), |v| t.decimal(&v));
        let band = s.band.and_then(|b| bands.bands.get(b)).cloned();
        Shown {
            target: format!(
                "{}{}",
                num(s.target),
                if s.target_inherited { "*" } else { "" }
            ),
            actual: num(s.actual),
            achievement: s.achievement.map_or("–".to_string(), |a| {
                format!(
                    "{} %",
                    t.decimal(&sinergi_core::strategy::display_capped(a))
                )
            }),
            band_label: match (&band, s.actual, s.target) {
                (Some(b), _, _) => band_label(t, b),
                // A value without a target cannot be rated; "no data" would be untrue.
                (None, Some(_), None) => t.get("home.no_target").to_string(),
                (None, _, _) => t.get("strategy.no_data").to_string(),
            },
            band,
        }
    }
}

#[derive(Template)]
#[template(path = "strategy_indicator.html")]
pub(super) struct IndicatorPage {
    ui: Ui,
    t: Messages,
    tree: StrategyTree,
    code: String,
    chart: String,
    /// The same concept from other source types (survey beside administrative).
    siblings: Vec<String>,
    /// Per year: label, then one cell per series.
    trend_rows: Vec<(String, Vec<String>)>,
    trend_series: Vec<String>,
    period: Period,
    regions: Vec<RegionStatus>,
    map: Option<String>,
    breakdown: Option<CrossShown>,
    periods: Vec<(String, String, bool)>,
    /// Regions to pick for the breakdown: code, name, whether shown.
    breakdown_regions: Vec<(String, String, bool)>,
    asks_breakdown: bool,
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    pub(super) periode: Option<String>,
    pub(super) wilayah: Option<String>,
    /// The data page's breakdown grid: which indicator.
    pub(super) indikator: Option<String>,
}

pub async fn indicator(
    State(state): State<AppState>,
    ui: Ui,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let result = async {
        let tree = load_tree(&state, &ui, id, None).await?;
        let ind = tree
            .indicator(&code)
            .ok_or_else(|| AppError::not_found("strategy.not_found"))?
            .clone();
        let siblings: Vec<String> = tree
            .indicators()
            .filter(|i| i.fields.concept == ind.fields.concept && i.fields.code != code)
            .map(|i| i.fields.code.clone())
            .collect();
        let scoped = state.store.scoped(ui.viewer());
        let mut values = Vec::new();
        for c in std::iter::once(&code).chain(&siblings) {
            values.extend(scoped.realisations(&tree.strategy, None, Some(c)).await?);
        }
        let top = tree.strategy.region.clone();
        // Trend: baseline year → end of the strategy; realisation is the year's latest value.
        let first = ind
            .fields
            .baseline_year
            .unwrap_or(tree.strategy.year_from)
            .min(tree.strategy.year_from);
        let years: Vec<i32> = (first..=tree.strategy.year_to).collect();
        let yearly = |c: &str, y: i32| -> Option<f64> {
            values
                .iter()
                .filter(|v| {
                    v.indicator_code == c
                        && v.region == top
                        && v.disaggregation.is_empty()
                        && v.period.calendar_year() == y
                })
                .max_by(|a, b| (&a.period, &a.entered_at).cmp(&(&b.period, &b.entered_at)))
                .map(|v| v.value)
        };
        let mut series = vec![Series {
            name: ui.t.get("strategy.target").to_string(),
            values: years
                .iter()
                .map(|y| {
                    if Some(*y) == ind.fields.baseline_year {
                        ind.fields.baseline_value
                    } else {
                        ind.target_for(&top, *y).map(|t| t.0)
                    }
                })
                .collect(),
            colour: PALETTE[1].into(),
            dashed: true,
        }];
        for (i, c) in std::iter::once(&code).chain(&siblings).enumerate() {
            let kind = tree
                .indicator(c)
                .map(|x| match x.fields.source_type {
                    SourceType::Survey => ui.t.get("strategy.source.survey"),
                    SourceType::Administrative => ui.t.get("strategy.source.administrative"),
                })
                .unwrap_or("");
            series.push(Series {
                name: format!("{} {c} ({kind})", ui.t.get("strategy.actual")),
                values: years.iter().map(|y| yearly(c, *y)).collect(),
                colour: PALETTE[(i * 2) % PALETTE.len()].into(),
                dashed: false,
            });
        }
        let chart = LineChart {
            title: ind.fields.name.clone(),
            x_labels: years.iter().map(|y| y.to_string()).collect(),
            series: series.clone(),
            format: if ind.fields.is_rate() {
                ValueFormat::Percent
            } else {
                ValueFormat::Number
            },
            from_zero: true,
        }
        .render(&ui.t);
        let trend_series = series.iter().map(|s| s.name.clone()).collect();
        let trend_rows = years
            .iter()
            .enumerate()
            .map(|(i, y)| {
                (
                    y.to_string(),
                    series
                        .iter()
                        .map(|s| s.values[i].map_or("–".into(), |v| ui.t.decimal(&v)))
                        .collect(),
                )
            })
            .collect();

        // Kab/kota comparison for the chosen quarter.
        let own: Vec<Realisation> = values
            .iter()
            .filter(|v| v.indicator_code == code)
            .cloned()
            .collect();
        let period = chosen_period(q.periode.as_deref(), &own)?;
        let bands = state.store.scoped(ui.viewer()).rating_bands().await?;
        let mut codes: Vec<StrategyArea> = own
            .iter()
            .map(|v| v.region.clone())
            .chain(ind.targets.iter().map(|t| t.region.clone()))
            .filter(|r| r != &top)
            .collect();
        codes.sort();
        codes.dedup();
        let one = StrategyTree {
            objectives: tree
                .objectives
                .iter()
                .map(|o| sinergi_store::Objective {
                    indicators: o
                        .indicators
                        .iter()
                        .filter(|i| i.fields.code == code)
                        .cloned()
                        .collect(),
                    ..o.clone()
                })
                .collect(),
            ..tree.clone()
        };
        let names = names_of(&state, codes.iter()).await?;
        let rows = statuses(&one, &own, period, &bands, &codes);
        let mut sorted: Vec<&Status> = rows.iter().collect();
        red_first(&mut sorted);
        let regions: Vec<RegionStatus> = sorted
            .into_iter()
            .map(|s| RegionStatus {
                code: s.region.to_string(),
                name: names.get(s.region.as_str()).cloned().unwrap_or_default(),
                shown: Shown::of(ui.t, &bands, s),
                status: s.clone(),
            })
            .collect();
        let map = region_map(&state, &ui, &regions, &bands, &ind.fields.name).await?;
        // The breakdown of the province, or of a kab/kota picked from those with figures.
        let asked_region = q
            .wilayah
            .as_deref()
            .and_then(|w| StrategyArea::parse(w.trim()).ok())
            .filter(|w| codes.contains(w));
        let shown_region = asked_region.unwrap_or_else(|| top.clone());
        let breakdown = sinergi_activity::strategy::breakdowns_for(
            &state.store,
            ui.viewer(),
            &tree,
            &own,
            &shown_region,
            period,
        )
        .into_iter()
        .find(|(f, _)| f.code == ind.fields.code)
        .map(|(f, c)| cross_shown(ui.t, &f, &c));
        let breakdown_regions = std::iter::once((top.to_string(), tree.strategy.title.clone()))
            .chain(codes.iter().map(|c| {
                (
                    c.to_string(),
                    names.get(c.as_str()).cloned().unwrap_or_default(),
                )
            }))
            .map(|(code, name)| {
                let chosen = code == shown_region.to_string();
                (code, name, chosen)
            })
            .collect();
        Ok(IndicatorPage {
            periods: period_choices(ui.t, &tree.strategy, period),
            breakdown,
            breakdown_regions,
            asks_breakdown: !ind.fields.disaggregations.is_empty(),
            t: ui.t,
            ui: ui.clone(),
            code,
            chart,
            siblings,
            trend_rows,
            trend_series,
            period,
            regions,
            map,
            tree,
        })
    }
    .await;
    render(&ui, result)
}

/// Kab/kota as areas (points where no boundary is held), coloured by rating band.
pub(super) async fn region_map(
    state: &AppState,
    ui: &Ui,
    regions: &[RegionStatus],
    bands: &RatingBands,
    title: &str,
) -> Result<Option<String>, AppError> {
    let codes: Vec<RegionCode> = regions
        .iter()
        .filter_map(|r| RegionCode::parse(&r.code).ok())
        .collect();
    let areas = crate::map::areas_of(&state.store, &codes).await?;
    let mut items = Vec::new();
    for r in regions {
        let Ok(code) = RegionCode::parse(&r.code) else {
            continue;
        };
        let Some(region) = state.store.region(&code).await? else {
            continue;
        };
        let Some(geometry) =
            crate::map::geometry(&areas, &r.code, region.latitude, region.longitude)
        else {
            continue;
        };
        items.push(MapItem {
            code: r.code.clone(),
            label: region.name,
            geometry,
            class: r.status.band,
            size: None,
            detail: r.status.achievement.map_or(String::new(), |a| {
                format!(
                    "{} {} %",
                    ui.t.get("strategy.achievement"),
                    ui.t.decimal(&sinergi_core::strategy::display_capped(a))
                )
            }),
            href: None,
        });
    }
    if items.len() < 2 {
        return Ok(None);
    }
    Ok(Some(
        Map {
            title: title.to_string(),
            items,
            background: Vec::new(),
            classes: bands
                .bands
                .iter()
                .map(|b| LegendClass {
                    label: band_label(ui.t, b),
                    colour: b.colour.clone(),
                })
                .collect(),
            no_data_label: ui.t.get("strategy.no_data").to_string(),
        }
        .render(),
    ))
}
