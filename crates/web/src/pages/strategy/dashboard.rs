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
    period: String,
    period_label: String,
    region: String,
    region_name: String,
    rows: Vec<DashRow>,
    summary: Vec<usize>,
    bands: RatingBands,
    below: usize,
    /// (concept, [(code, source type key, actual)]) where a concept has several source types.
    side_by_side: Vec<SideBySide>,
}

/// Builds the quarter dashboard; public for the benchmark.
pub async fn dashboard(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let result = async {
        let tree = load_tree(&state, &ui, id, None).await?;
        let scoped = state.store.scoped(ui.viewer());
        let asked = q
            .periode
            .as_deref()
            .map(|p| Period::parse(p).map(|p| p.to_string()))
            .transpose()
            .map_err(|e| bad(e.to_string()))?;
        let values = match &asked {
            Some(p) => scoped.realisations(&tree.strategy, Some(p), None).await?,
            None => scoped.realisations(&tree.strategy, None, None).await?,
        };
        let period = chosen_period(asked.as_deref(), &values)?;
        let top = tree.strategy.region.clone();
        let region = match q
            .wilayah
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(r) if values.iter().any(|v| v.region == r) || r == top => r.to_string(),
            Some(r) => {
                return Err(bad(format!(
                    "wilayah {r}: tidak ada data yang dapat Anda lihat"
                )));
            }
            None => top.clone(),
        };
        let bands = state.store.scoped(ui.viewer()).rating_bands().await?;
        // Kab/kota directly below the strategy's region that hold a value this quarter.
        let mut below: Vec<String> = values
            .iter()
            .filter(|v| v.period == period && v.region != top && v.region.len() == top.len() + 3)
            .map(|v| v.region.clone())
            .collect();
        below.sort();
        below.dedup();
        let main = statuses(
            &tree,
            &values,
            &period,
            &bands,
            std::slice::from_ref(&region),
        );
        let spread_rows = if region == top {
            statuses(&tree, &values, &period, &bands, &below)
        } else {
            Vec::new()
        };
        let mut by_code: HashMap<&str, Vec<&Status>> = HashMap::new();
        for s in &spread_rows {
            by_code.entry(s.code.as_str()).or_default().push(s);
        }
        let names = names_of(
            &state,
            below.iter().cloned().chain(std::iter::once(region.clone())),
        )
        .await?;
        let mut sorted: Vec<&Status> = main.iter().collect();
        red_first(&mut sorted);
        let rows: Vec<DashRow> = sorted
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
                DashRow {
                    shown: Shown::of(ui.t, &bands, s),
                    status: s.clone(),
                    spread,
                    worst: worst
                        .iter()
                        .map(|k| names.get(&k.region).cloned().unwrap_or(k.region.clone()))
                        .collect(),
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
        let mut side_by_side: Vec<SideBySide> = concepts
            .into_iter()
            .filter(|(_, v)| {
                v.iter().any(|s| s.source_type == SourceType::Survey)
                    && v.iter()
                        .any(|s| s.source_type == SourceType::Administrative)
            })
            .map(|(c, v)| {
                (
                    c.to_string(),
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
        side_by_side.sort();
        let period_label = Period::parse(&period).map_or(period.clone(), |p| match ui.t.lang {
            Lang::Id => p.label_id(),
            Lang::En => p.to_string(),
        });
        Ok(DashboardPage {
            t: ui.t,
            ui: ui.clone(),
            region_name: names.get(&region).cloned().unwrap_or(region.clone()),
            below: below.len(),
            tree,
            period,
            period_label,
            region,
            rows,
            summary,
            bands,
            side_by_side,
        })
    }
    .await;
    render(&ui, result)
}
