//! The Indeks Prioritas as a use case (issue 22): read the deployment's current method
//! version, draw its indicator columns from the figures held, compute the index with its
//! sensitivity analysis (in `insight`), and publish a ranking that names the method version and
//! the data periods. Pages, the CLI and later the API call these.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sinergi_core::{Level, Msg, RegionCode, Viewer, priority as rules};
use sinergi_insight::priority::{
    Direction, Method, RankRange, Sensitivity, TreatmentReport, index, sensitivity,
};
use sinergi_store::{NewRanking, PriorityMethodVersion, RankingRow, Store};

use crate::ActivityError;

/// The name the deployment's method is saved under (its versions count up).
pub const METHOD_NAME: &str = "Indeks Prioritas";

/// What a method version stores: the index method and how its sensitivity is tested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodDefinition {
    pub method: Method,
    #[serde(default)]
    pub sensitivity: Sensitivity,
}

/// The starting method, from figures the platform holds per region (aggregate elements):
/// Desil I families and poverty rate (kemiskinan), PPKS targets, stunting and child marriage
/// (kerentanan). Equal weights, min–max, arithmetic, 1,000 draws.
pub fn default_definition() -> MethodDefinition {
    MethodDefinition {
        method: Method::equal(&[
            (
                "keluarga_desil_1",
                "kemiskinan",
                Direction::HigherIsPriority,
            ),
            ("kemiskinan_p0", "kemiskinan", Direction::HigherIsPriority),
            ("ppks_sasaran", "kerentanan", Direction::HigherIsPriority),
            ("stunting", "kerentanan", Direction::HigherIsPriority),
            ("perkawinan_anak", "kerentanan", Direction::HigherIsPriority),
        ]),
        sensitivity: Sensitivity::default(),
    }
}

/// One region of a computed ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityRow {
    pub code: RegionCode,
    pub name: String,
    pub score: Option<f64>,
    pub rank: u32,
    pub range: Option<RankRange>,
    /// Per indicator (method order).
    pub raw: Vec<Option<f64>>,
    pub normalised: Vec<Option<f64>>,
    pub contributions: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PriorityView {
    /// `None` while the deployment has saved no method (the default is shown).
    pub method: Option<PriorityMethodVersion>,
    pub definition: MethodDefinition,
    pub level: Level,
    pub within: Option<RegionCode>,
    /// Per indicator: its element key and the period drawn on (`None` = none held).
    pub periods: Vec<(String, Option<String>)>,
    pub treatment: Vec<TreatmentReport>,
    /// Best rank first.
    pub rows: Vec<PriorityRow>,
}

impl PriorityView {
    pub fn row(&self, code: &RegionCode) -> Option<&PriorityRow> {
        self.rows.iter().find(|r| &r.code == code)
    }
}

/// The latest saved version of the method with its definition, or the default unsaved.
pub async fn current_method(
    store: &Store,
    viewer: &Viewer,
) -> Result<(Option<PriorityMethodVersion>, MethodDefinition), ActivityError> {
    let methods = store.scoped(viewer).priority_methods().await?;
    match methods.into_iter().find(|m| m.name == METHOD_NAME) {
        Some(m) => {
            let def = parse_definition(&m.definition)?;
            Ok((Some(m), def))
        }
        None => Ok((None, default_definition())),
    }
}

fn parse_definition(json: &str) -> Result<MethodDefinition, ActivityError> {
    serde_json::from_str(json)
        .map_err(|e| ActivityError::Refused(Msg::new("priority.method_invalid").arg("why", e)))
}

/// Saves a new version of the method from its JSON (checked before it is stored).
pub async fn save_method(
    store: &Store,
    viewer: &Viewer,
    definition_json: &str,
    note: Option<&str>,
) -> Result<PriorityMethodVersion, ActivityError> {
    let def = parse_definition(definition_json)?;
    // A method that cannot rank is refused now, not when a page first uses it.
    let empty: Vec<Vec<Option<f64>>> = vec![Vec::new(); def.method.indicators.len()];
    index(&def.method, &empty).map_err(|e| {
        ActivityError::Refused(Msg::new("priority.method_invalid").arg("why", e.to_string()))
    })?;
    let canonical = serde_json::to_string_pretty(&def)
        .map_err(|e| ActivityError::Refused(Msg::new("priority.method_invalid").arg("why", e)))?;
    Ok(store
        .scoped(viewer)
        .save_priority_method(METHOD_NAME, &canonical, note)
        .await?)
}

/// The region a viewer's ranking is below when none is asked: their one region, else all.
pub fn default_within(viewer: &Viewer) -> Option<RegionCode> {
    match viewer {
        Viewer::User(p) if p.scope.regions.len() == 1 => p.scope.regions.first().cloned(),
        _ => None,
    }
}

/// Computes the index and its sensitivity for the regions of `level` below `within`.
pub async fn rank(
    store: &Store,
    viewer: &Viewer,
    level: Level,
    within: Option<RegionCode>,
) -> Result<PriorityView, ActivityError> {
    if !rules::may_view(viewer) {
        return Err(ActivityError::Forbidden);
    }
    let (method, definition) = current_method(store, viewer).await?;
    let keys: Vec<String> = definition
        .method
        .indicators
        .iter()
        .map(|i| i.key.clone())
        .collect();
    let data = store
        .scoped(viewer)
        .priority_columns(level, within.as_ref(), &keys)
        .await?;
    let names = store.region_names(&data.regions).await?;
    let def = definition.clone();
    let columns = data.columns;
    // CPU work off the async threads.
    let (idx, ranges, columns) = tokio::task::spawn_blocking(move || {
        let idx = index(&def.method, &columns);
        let ranges = sensitivity(&def.method, &columns, &def.sensitivity);
        (idx, ranges, columns)
    })
    .await
    .map_err(|e| ActivityError::Refused(Msg::new("priority.compute_failed").arg("why", e)))?;
    let refuse = |e: sinergi_insight::priority::MethodError| {
        ActivityError::Refused(Msg::new("priority.method_invalid").arg("why", e.to_string()))
    };
    let idx = idx.map_err(refuse)?;
    let ranges = ranges.map_err(refuse)?;
    let mut rows: Vec<PriorityRow> = idx
        .regions
        .iter()
        .map(|r| PriorityRow {
            code: data.regions[r.region].clone(),
            name: names
                .get(data.regions[r.region].as_str())
                .cloned()
                .unwrap_or_default(),
            score: r.score,
            rank: r.rank,
            range: ranges.get(r.region).copied(),
            raw: columns.iter().map(|c| c[r.region]).collect(),
            normalised: r.normalised.clone(),
            contributions: r.contributions.clone(),
        })
        .collect();
    rows.sort_by_key(|r| r.rank);
    Ok(PriorityView {
        method,
        periods: keys.into_iter().zip(data.periods).collect(),
        definition,
        level,
        within,
        treatment: idx.treatment,
        rows,
    })
}

/// Who published a ranking, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    pub id: i64,
    pub published_at: String,
    pub published_by: String,
}

/// The latest ranking published for `level` below `within`, as it was stored (method version,
/// periods, scores, ranks, ranges, contributions), read instead of recomputed. It holds no raw
/// figures: "why is it ranked here" recomputes. `None` when nothing is published.
pub async fn published(
    store: &Store,
    viewer: &Viewer,
    level: Level,
    within: Option<RegionCode>,
) -> Result<Option<(PriorityView, Publication)>, ActivityError> {
    if !rules::may_view(viewer) {
        return Err(ActivityError::Forbidden);
    }
    let Some(ranking) = store
        .scoped(viewer)
        .latest_ranking(level, within.as_ref())
        .await?
    else {
        return Ok(None);
    };
    let definition = parse_definition(&ranking.method.definition)?;
    let codes = ranking
        .rows
        .iter()
        .map(|r| {
            RegionCode::parse(&r.region).map_err(|e| {
                ActivityError::Store(sinergi_store::StoreError::Corrupt(e.to_string()))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let names = store.region_names(&codes).await?;
    let rows = ranking
        .rows
        .iter()
        .zip(codes)
        .map(|(r, code)| PriorityRow {
            name: names.get(code.as_str()).cloned().unwrap_or_default(),
            code,
            score: r.score,
            rank: r.rank,
            range: match (r.median_rank, r.p5_rank, r.p95_rank) {
                (Some(median), Some(p5), Some(p95)) => Some(RankRange {
                    median,
                    p5,
                    p95,
                    unstable: r.unstable,
                }),
                _ => None,
            },
            raw: Vec::new(),
            normalised: Vec::new(),
            contributions: r.contributions.clone(),
        })
        .collect();
    let periods = definition
        .method
        .indicators
        .iter()
        .map(|i| (i.key.clone(), ranking.periods.get(&i.key).cloned()))
        .collect();
    Ok(Some((
        PriorityView {
            method: Some(ranking.method),
            definition,
            level,
            within,
            periods,
            treatment: Vec::new(),
            rows,
        },
        Publication {
            id: ranking.id,
            published_at: ranking.published_at,
            published_by: ranking.published_by,
        },
    )))
}

/// Computes and publishes the ranking; it names the saved method version and the periods.
pub async fn publish(
    store: &Store,
    viewer: &Viewer,
    level: Level,
    within: Option<RegionCode>,
) -> Result<i64, ActivityError> {
    let view = rank(store, viewer, level, within).await?;
    let Some(method) = &view.method else {
        return Err(ActivityError::Refused(Msg::new("priority.no_saved_method")));
    };
    let periods: BTreeMap<String, String> = view
        .periods
        .iter()
        .filter_map(|(k, p)| p.clone().map(|p| (k.clone(), p)))
        .collect();
    let ranking = NewRanking {
        method_id: method.id,
        level: view.level,
        within: view.within.clone(),
        periods,
        rows: view
            .rows
            .iter()
            .map(|r| RankingRow {
                region: r.code.to_string(),
                score: r.score,
                rank: r.rank,
                median_rank: r.range.map(|x| x.median),
                p5_rank: r.range.map(|x| x.p5),
                p95_rank: r.range.map(|x| x.p95),
                unstable: r.range.is_some_and(|x| x.unstable),
                contributions: r.contributions.clone(),
            })
            .collect(),
    };
    Ok(store.scoped(viewer).publish_ranking(&ranking).await?)
}
