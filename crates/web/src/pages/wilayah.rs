//! The region browser: province → kab/kota → kecamatan → desa, with counts and name search.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use sinergi_core::{Level, Region, RegionCode, RegionQuery};
use sinergi_store::{ChildCounts, LevelCounts, Page};

use super::render;
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::{AppError, AppState, Ui};

pub const SEARCH_PAGE_SIZE: u32 = 50;

/// A row of a region table, ready for the template.
pub struct Row {
    pub code: String,
    pub name: String,
    pub kind_key: &'static str,
    pub counts: Vec<u64>,
    pub context: String,
    pub retired: bool,
}

fn kind_key(region: &Region) -> &'static str {
    match region.kind.key() {
        "provinsi" => "kind.provinsi",
        "kabupaten" => "kind.kabupaten",
        "kota" => "kind.kota",
        "kecamatan" => "kind.kecamatan",
        "kelurahan" => "kind.kelurahan",
        "desa_adat" => "kind.desa_adat",
        _ => "kind.desa",
    }
}

fn count_key(level: Level) -> &'static str {
    match level {
        Level::Provinsi => "count.provinsi",
        Level::KabKota => "count.kabkota",
        Level::Kecamatan => "count.kecamatan",
        Level::Desa => "count.desa",
    }
}

/// Levels strictly below `level` (all four for the country).
fn levels_below(level: Option<Level>) -> Vec<Level> {
    Level::ALL
        .into_iter()
        .filter(|l| level.is_none_or(|top| *l > top))
        .collect()
}

fn rows(children: Vec<ChildCounts>, count_levels: &[Level]) -> Vec<Row> {
    children
        .into_iter()
        .map(|c| Row {
            code: c.region.code.to_string(),
            kind_key: kind_key(&c.region),
            counts: count_levels.iter().map(|l| c.below.get(*l)).collect(),
            name: c.region.name,
            context: String::new(),
            retired: false,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "wilayah.html")]
struct RegionPage {
    ui: Ui,
    t: Messages,
    /// `None` for Indonesia as a whole.
    region: Option<Region>,
    ancestors: Vec<Region>,
    former_names: Vec<(String, Option<NaiveDate>, Option<NaiveDate>)>,
    totals: Vec<(&'static str, u64)>,
    child_level_key: &'static str,
    count_keys: Vec<&'static str>,
    rows: Vec<Row>,
    query: String,
}

impl RegionPage {
    fn title(&self) -> &str {
        match &self.region {
            Some(r) => &r.name,
            None => self.t.get("wilayah.title"),
        }
    }

    fn kind_key(&self) -> &'static str {
        self.region.as_ref().map_or("wilayah.indonesia", kind_key)
    }
}

async fn region_page(
    state: &AppState,
    ui: &Ui,
    code: Option<RegionCode>,
) -> Result<RegionPage, AppError> {
    let store = &state.store;
    let (region, ancestors, former_names) = match &code {
        Some(code) => {
            let region = store
                .region(code)
                .await?
                .ok_or(AppError::not_found("error.region_not_found"))?;
            (
                Some(region),
                store.region_ancestors(code).await?,
                store.region_former_names(code).await?,
            )
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let level = code.as_ref().map(RegionCode::level);
    let child_level = level.map_or(Some(Level::Provinsi), Level::child);
    let children = match (&region, child_level) {
        (Some(r), Some(_)) if r.is_current() => store.region_children(code.as_ref()).await?,
        (None, _) => store.region_children(None).await?,
        _ => Vec::new(),
    };
    let below = levels_below(level);
    let totals_counts: LevelCounts = if child_level.is_some() {
        store.region_counts_below(code.as_ref()).await?
    } else {
        LevelCounts::default()
    };
    let totals = below
        .iter()
        .map(|l| (count_key(*l), totals_counts.get(*l)))
        .collect();
    // Each child's row counts the levels below the child itself.
    let count_levels = levels_below(child_level);
    Ok(RegionPage {
        ui: ui.clone(),
        t: ui.t,
        region,
        ancestors,
        former_names,
        totals,
        child_level_key: child_level.map_or("", |l| match l {
            Level::Provinsi => "level.provinsi",
            Level::KabKota => "level.kabkota",
            Level::Kecamatan => "level.kecamatan",
            Level::Desa => "level.desa",
        }),
        count_keys: count_levels.iter().map(|l| count_key(*l)).collect(),
        rows: rows(children, &count_levels),
        query: String::new(),
    })
}

pub async fn index(State(state): State<AppState>, ui: Ui) -> Response {
    let result = region_page(&state, &ui, None).await;
    render(&ui, result)
}

pub async fn detail(State(state): State<AppState>, ui: Ui, Path(code): Path<String>) -> Response {
    let result = match RegionCode::parse(&code) {
        Ok(code) => region_page(&state, &ui, Some(code)).await,
        Err(e) => Err(AppError::bad_request("error.bad_code", e.to_string())),
    };
    render(&ui, result)
}

#[derive(Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
    pub hal: Option<u32>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ui: Ui,
    t: Messages,
    query: String,
    total: u64,
    rows: Vec<Row>,
    pager: Option<Pager>,
}

pub async fn search(
    State(state): State<AppState>,
    ui: Ui,
    Query(params): Query<SearchParams>,
) -> Response {
    let query = params.q.unwrap_or_default();
    let result = async {
        let Some(parsed) = RegionQuery::parse(&query) else {
            return Ok(SearchPage {
                ui: ui.clone(),
                t: ui.t,
                query: query.clone(),
                total: 0,
                rows: Vec::new(),
                pager: None,
            });
        };
        let paged = state
            .store
            .search_regions(&parsed, Page::new(params.hal, None, SEARCH_PAGE_SIZE))
            .await?;
        let context = ancestor_names(&state, &paged.items).await?;
        let pager = Pager::new(&paged, "/wilayah/cari", &[("q", &query)]);
        let rows = paged
            .items
            .iter()
            .map(|r| Row {
                code: r.code.to_string(),
                name: r.name.clone(),
                kind_key: kind_key(r),
                counts: Vec::new(),
                context: r
                    .code
                    .ancestors()
                    .iter()
                    .filter_map(|a| context.get(a.as_str()).cloned())
                    .collect::<Vec<_>>()
                    .join(" › "),
                retired: !r.is_current(),
            })
            .collect();
        Ok(SearchPage {
            ui: ui.clone(),
            t: ui.t,
            query: query.clone(),
            total: paged.total,
            rows,
            pager: Some(pager),
        })
    }
    .await;
    render(&ui, result)
}

/// Names of every ancestor of the given regions, fetched once per distinct code.
pub(crate) async fn ancestor_names(
    state: &AppState,
    regions: &[Region],
) -> Result<HashMap<String, String>, AppError> {
    let mut codes: Vec<RegionCode> = regions.iter().flat_map(|r| r.code.ancestors()).collect();
    codes.sort();
    codes.dedup();
    Ok(state.store.region_names(&codes).await?)
}
