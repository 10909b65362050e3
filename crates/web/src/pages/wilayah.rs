//! The region browser: province → kab/kota → kecamatan → desa, with counts and name search.

use sinergi_core::Localized;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use sinergi_activity::profile::FigureKind;
use sinergi_core::Disclosed;
use sinergi_core::{Level, Region, RegionCode, RegionQuery};
use sinergi_store::{AggregateValue, ChildCounts, LevelCounts, Page};

use crate::chart::{LineChart, PALETTE, Series, ValueFormat};

use super::render;
use crate::i18n::Messages;
use crate::map::{
    LegendClass, Map, MapItem, MultiPolygon, SEQUENTIAL, class_of, legend_for_breaks,
    quantile_breaks,
};
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

/// The regions one level down as areas (points where no boundary is held, inside the
/// region's own outline), coloured by the desa they hold, each linking to its page. `None`
/// when fewer than two can be drawn.
fn children_map(
    t: &Messages,
    title: &str,
    children: &[ChildCounts],
    areas: &HashMap<String, MultiPolygon>,
    outline: Vec<MultiPolygon>,
) -> Option<String> {
    let counts: Vec<f64> = children
        .iter()
        .map(|c| c.below.get(Level::Desa) as f64)
        .filter(|n| *n > 0.0)
        .collect();
    let breaks = quantile_breaks(&counts, 5);
    let items: Vec<MapItem> = children
        .iter()
        .filter_map(|c| {
            let code = c.region.code.to_string();
            let geometry =
                crate::map::geometry(areas, &code, c.region.latitude, c.region.longitude)?;
            let desa = c.below.get(Level::Desa);
            Some(MapItem {
                label: c.region.name.clone(),
                geometry,
                class: Some(class_of(desa as f64, &breaks)),
                size: None,
                detail: if desa > 0 {
                    format!("{} {}", t.num(&desa), t.get("count.desa"))
                } else {
                    String::new()
                },
                href: Some(format!("/wilayah/{code}")),
                code,
            })
        })
        .collect();
    if items.len() < 2 {
        return None;
    }
    let classes = if counts.is_empty() || breaks.is_empty() {
        vec![LegendClass {
            label: t.get("wilayah.map_legend").to_string(),
            colour: SEQUENTIAL[2].to_string(),
        }]
    } else {
        legend_for_breaks(&breaks, &SEQUENTIAL, |v| t.num(&(v as u64)))
    };
    Some(
        Map {
            title: title.to_string(),
            items,
            background: outline,
            classes,
            no_data_label: String::new(),
        }
        .render(),
    )
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

/// The "Profil" section, as the public sees it (assembled by `activity::profile`).
pub struct Profile {
    pub desil1: Option<ProfileSum>,
    /// One table per kind of source: survey and administrative figures are never mixed.
    pub groups: Vec<FigureGroup>,
    /// A line chart (SVG) per figure with two periods or more, kinds apart.
    pub charts: Vec<String>,
    /// PPKS category name and people (latest period), with the period and source.
    pub ppks: Vec<(String, String)>,
    /// Period, source and kind of the PPKS counts.
    pub ppks_from: Option<ProfileSum>,
    pub ppks_desa: Option<ProfileSum>,
    pub extreme_desa: Option<ProfileSum>,
    /// Registered LKS: the total and per grade (label, count).
    pub lks: Option<(String, Vec<(String, String)>)>,
    /// The LKKS network: target name, reached of kab/kota, per status (label, count).
    pub lkks: Option<LkksShown>,
    /// Beneficiaries, program reach and LKS clients by sex, age band and disability.
    pub group_tables: Vec<super::figures::GroupShown>,
}

pub struct LkksShown {
    pub target: String,
    pub target_status: String,
    pub reached: String,
    pub kabkota: String,
    pub by_status: Vec<(String, String)>,
}

pub struct ProfileSum {
    pub value: String,
    /// Administrative, or synthetic in a demo.
    pub kind_key: &'static str,
    pub period: String,
    pub source: String,
}

pub struct FigureGroup {
    pub kind_key: &'static str,
    pub rows: Vec<FigureRow>,
    /// Whether a row has a national figure beside it.
    pub has_national: bool,
}

pub struct FigureRow {
    /// Catalogue key of the data element (`figure.stunting`).
    pub key: String,
    pub period: String,
    pub value: String,
    pub source: String,
    pub estimated: bool,
    /// Indonesia's figure for the same measure and period, with its source.
    pub national: Option<String>,
}

fn unit_value(t: &Messages, unit: &str, value: f64) -> String {
    match unit {
        "persen" => format!("{} %", t.decimal(&value)),
        _ => t.decimal(&value),
    }
}

fn figure_value(t: &Messages, v: &AggregateValue) -> String {
    unit_value(t, &v.unit, v.value)
}

fn figure_kind_key(kind: FigureKind) -> &'static str {
    match kind {
        FigureKind::Survey => "profil.survey",
        FigureKind::Administrative => "profil.administrative",
        FigureKind::Synthetic => "profil.synthetic",
    }
}

fn disclosed(t: &Messages, d: &Disclosed) -> String {
    match d {
        Disclosed::Count(n) => t.num(n),
        Disclosed::Suppressed => t.get("profil.suppressed").to_string(),
    }
}

fn sum_shown(t: &Messages, sum: &sinergi_store::AggregateSum) -> ProfileSum {
    let synthetic = {
        let s = sum.source.to_lowercase();
        s.contains("sintetis") || s.contains("synthetic")
    };
    ProfileSum {
        value: disclosed(t, &sum.value),
        kind_key: if synthetic {
            "profil.synthetic"
        } else {
            "profil.administrative"
        },
        period: sum.period.clone(),
        source: sum.source.clone(),
    }
}

async fn profile(
    state: &AppState,
    t: &Messages,
    code: &RegionCode,
) -> Result<Option<Profile>, AppError> {
    let p = sinergi_activity::profile::region_profile(&state.store, code).await?;
    if p.is_empty() {
        return Ok(None);
    }
    // Official survey, official administrative, then synthetic demo figures on their own.
    let groups: Vec<FigureGroup> = [
        FigureKind::Survey,
        FigureKind::Administrative,
        FigureKind::Synthetic,
    ]
    .into_iter()
    .map(|kind| {
        let rows: Vec<FigureRow> = p
            .figures
            .iter()
            .filter(|f| FigureKind::of(f) == kind)
            .map(|f| FigureRow {
                key: format!("figure.{}", f.element),
                period: f.period.clone(),
                value: figure_value(t, f),
                source: f.source.clone(),
                estimated: f.estimated,
                // Never beside a synthetic figure: they are not the same measure.
                national: p
                    .national_for(f)
                    .filter(|_| kind != FigureKind::Synthetic)
                    .map(|n| format!("{} ({})", unit_value(t, &n.unit, n.value), n.source)),
            })
            .collect();
        FigureGroup {
            kind_key: figure_kind_key(kind),
            has_national: rows.iter().any(|r| r.national.is_some()),
            rows,
        }
    })
    .filter(|g| !g.rows.is_empty())
    .collect();
    let charts = p
        .trends
        .iter()
        .map(|tr| {
            let kind = t.get(figure_kind_key(tr.kind)).to_string();
            LineChart {
                title: format!("{} — {kind}", t.get(&format!("figure.{}", tr.element))),
                x_labels: tr.points.iter().map(|p| t.period_text(&p.0)).collect(),
                series: vec![Series {
                    name: kind,
                    values: tr.points.iter().map(|p| Some(p.1)).collect(),
                    colour: PALETTE[tr.kind as usize % PALETTE.len()].to_string(),
                    dashed: false,
                }],
                format: if tr.unit == "persen" {
                    ValueFormat::Percent
                } else {
                    ValueFormat::Number
                },
                from_zero: true,
            }
            .render(t)
        })
        .collect();
    let ppks_from = p.ppks.first().map(|(_, s)| sum_shown(t, s));
    let ppks = p
        .ppks
        .iter()
        .map(|(k, s)| (k.name().to_string(), disclosed(t, &s.value)))
        .collect();
    let lks = p.lks.as_ref().map(|l| {
        (
            t.num(&l.total),
            l.by_grade
                .iter()
                .map(|(g, n)| {
                    let label = match g {
                        Some(g) => format!("{} {}", t.get("profil.grade"), g.key()),
                        None => t.get("lks.grade_none").to_string(),
                    };
                    (label, t.num(n))
                })
                .collect(),
        )
    });
    let lkks = p.lkks.as_ref().map(|n| LkksShown {
        target: n.target_name.clone(),
        target_status: super::institutions::label(*t, "lkks.status", n.target_status.key()),
        reached: t.num(&(n.reached as u64)),
        kabkota: t.num(&(n.kabkota as u64)),
        by_status: n
            .by_status
            .iter()
            .filter(|(_, c)| *c > 0)
            .map(|(s, c)| {
                let label = match s {
                    Some(s) => super::institutions::label(*t, "lkks.status", s.key()),
                    None => t.get("profil.lkks_none").to_string(),
                };
                (label, t.num(&(*c as u64)))
            })
            .collect(),
    });
    Ok(Some(Profile {
        desil1: p.desil1.as_ref().map(|s| sum_shown(t, s)),
        groups,
        charts,
        ppks,
        ppks_from,
        ppks_desa: p.ppks_desa.as_ref().map(|s| sum_shown(t, s)),
        extreme_desa: p.extreme_desa.as_ref().map(|s| sum_shown(t, s)),
        lks,
        lkks,
        group_tables: p
            .group_tables
            .iter()
            .map(|g| super::figures::group_shown(t, g))
            .collect(),
    }))
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
    profile: Option<Profile>,
    /// SVG of the regions one level down, when they have coordinates.
    map: Option<String>,
    /// The profile's cross-tables (by sex, age band, disability).
    group_tables: Vec<super::figures::GroupShown>,
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
    let mut profile = match &code {
        Some(code) => profile(state, &ui.t, code).await?,
        None => None,
    };
    let group_tables = profile
        .as_mut()
        .map(|p| std::mem::take(&mut p.group_tables))
        .unwrap_or_default();
    let map_title = format!(
        "{} — {}",
        region
            .as_ref()
            .map_or(ui.t.get("wilayah.indonesia"), |r| r.name.as_str()),
        ui.t.get("wilayah.map")
    );
    let areas = match child_level {
        Some(l) => crate::map::areas(store, code.as_ref(), l).await?,
        None => HashMap::new(),
    };
    // Points (desa, or kecamatan without boundaries) sit inside the region's own outline.
    let outline = match (&code, level) {
        (Some(c), Some(l)) if areas.is_empty() => crate::map::areas(store, Some(c), l)
            .await?
            .into_values()
            .collect(),
        _ => Vec::new(),
    };
    let map = children_map(&ui.t, &map_title, &children, &areas, outline);
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
        profile,
        map,
        group_tables,
    })
}

pub async fn index(State(state): State<AppState>, ui: Ui) -> Response {
    let result = region_page(&state, &ui, None).await;
    render(&ui, result)
}

pub async fn detail(State(state): State<AppState>, ui: Ui, Path(code): Path<String>) -> Response {
    let page = async {
        let result = match RegionCode::parse(&code) {
            Ok(code) => region_page(&state, &ui, Some(code)).await,
            Err(e) => Err(AppError::bad_request("error.bad_code", e.msg())),
        };
        result
            .and_then(|page| page.render().map_err(AppError::from))
            .map_err(|e| e.page(&ui))
    };
    // The same HTML for every visitor who is not signed in (the navigation differs otherwise).
    if ui.user.is_some() {
        return page
            .await
            .map_or_else(|e| e, |html| Html(html).into_response());
    }
    state
        .public_pages
        .serve(&state.store, &ui.here, ui.t.lang, page)
        .await
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
