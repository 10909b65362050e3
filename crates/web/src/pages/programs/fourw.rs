//! The 4W matrix (who × what × where × when): the page with its map and budget charts, and
//! the JSON matrix. The matrix itself is the `fourw` use case.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Serialize;
use sinergi_activity::programs::{FourW, MatrixColumns, pivot_placements};
use sinergi_core::program::{FundingSource, Sector};
use sinergi_core::{Level, Viewer};
use sinergi_store::Page;

use super::{
    Choice, FilterQuery, MATRIX_PAGE, blank, choices, funding_key, level_key, partner_choices,
    render, respond, sector_choices, sector_key,
};
use crate::auth::Signed;
use crate::chart::{Bar, BarChart, ValueFormat};
use crate::i18n::Messages;
use crate::map::{Map, MapItem, SEQUENTIAL, class_of, legend_for_breaks, quantile_breaks};
use crate::pager::Pager;
use crate::{AppError, AppState, Ui};

/// Matrix cells per page at most (rows × columns, the total column included).
const MATRIX_CELLS: u32 = 400;
/// Places drawn on the 4W map at most (each point is ~150 bytes of SVG).
const MAP_MAX: usize = 120;

/// The matrix the query asks for, as `viewer` may see it.
pub(super) async fn compute(
    state: &AppState,
    viewer: &Viewer,
    q: &FilterQuery,
) -> Result<FourW, AppError> {
    Ok(sinergi_activity::programs::fourw(
        &state.store,
        viewer,
        &q.filter()?,
        q.level(),
        q.columns(),
    )
    .await?)
}

/// What a matrix cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    Programs,
    Partners,
    Planned,
    Budget,
}

impl Measure {
    fn parse(v: Option<&str>) -> Measure {
        match v {
            Some("mitra") => Measure::Partners,
            Some("sasaran") => Measure::Planned,
            Some("anggaran") => Measure::Budget,
            _ => Measure::Programs,
        }
    }

    fn of(self, c: &sinergi_insight::Cell) -> f64 {
        match self {
            Measure::Programs => f64::from(c.programs),
            Measure::Partners => f64::from(c.partners),
            Measure::Planned => c.planned as f64,
            Measure::Budget => c.budget,
        }
    }

    fn text(self, t: &Messages, c: &sinergi_insight::Cell) -> String {
        let v = self.of(c);
        if v == 0.0 {
            return String::new();
        }
        match self {
            Measure::Budget => crate::chart::rupiah_compact(t, v),
            _ => t.num(&(v.round() as u64)),
        }
    }
}

pub struct MatrixRowView {
    pub code: String,
    pub name: String,
    pub cells: Vec<String>,
    pub total: String,
}

#[derive(Template)]
#[template(path = "fourw.html")]
struct MatrixPage {
    ui: Ui,
    t: Messages,
    region_picker: crate::picker::RegionPicker,
    columns: Vec<String>,
    rows: Vec<MatrixRowView>,
    row_count: usize,
    first_row: usize,
    last_row: usize,
    pager: Pager,
    totals: Vec<String>,
    total: String,
    programs: usize,
    partners: u32,
    map: Option<String>,
    /// Why the map shows fewer or coarser places than the table, when it does.
    map_note: Option<String>,
    sector_chart: Option<String>,
    source_chart: Option<String>,
    budget_rows: Vec<(String, String)>,
    source_rows: Vec<(String, String)>,
    sectors: Vec<Choice>,
    partner_choices: Vec<Choice>,
    levels: Vec<Choice>,
    column_choices: Vec<Choice>,
    measures: Vec<Choice>,
    from: String,
    to: String,
    export_query: String,
    can_import: bool,
    can_analyse: bool,
}

pub(super) async fn matrix_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        let c = compute(&state, &user.viewer, &q).await?;
        let t = &ui.t;
        let measure = Measure::parse(blank(&q.nilai));
        let column_label = |k: &str| {
            if c.columns == MatrixColumns::Partner {
                k.to_string()
            } else {
                Sector::from_key(k).map_or(k.to_string(), |s| t.get(sector_key(s)).to_string())
            }
        };
        // One page of rows; the totals below the table stay those of every row.
        // Rows per page shrink as columns grow (a matrix by partner can have dozens), so a
        // page holds about the same number of cells; `per` may ask for fewer, not more.
        let size = (MATRIX_CELLS / (c.matrix.columns.len() as u32 + 1)).clamp(5, MATRIX_PAGE);
        let mut page = Page::new(q.hal, Some(q.per.unwrap_or(size).min(size)), size);
        let all_rows = c.matrix.rows.len();
        // A page past the end (an old link after a filter change) shows the last page.
        let pages = all_rows.div_ceil(page.size as usize).max(1);
        page.number = page.number.min(pages as u32);
        let first = page.offset() as usize;
        let last = (first + page.size as usize).min(all_rows);
        let paged: sinergi_store::Paged<()> = sinergi_store::Paged {
            items: Vec::new(),
            total: all_rows as u64,
            page: page.number,
            size: page.size,
        };
        let params = q.params();
        let params_ref: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let pager = Pager::new(&paged, "/4w", &params_ref);
        let rows: Vec<MatrixRowView> = c.matrix.rows[first..last]
            .iter()
            .map(|r| MatrixRowView {
                code: r.key.clone(),
                name: c
                    .places
                    .get(&r.key)
                    .map(|p| p.0.clone())
                    .unwrap_or_default(),
                cells: r.cells.iter().map(|x| measure.text(t, x)).collect(),
                total: measure.text(t, &r.total),
            })
            .collect();
        let (map, map_note) = matrix_map(&state, t, &q, &c, measure).await?;
        // Budgets by sector and by source: whole programs, not spread.
        let mut by_sector: BTreeMap<Sector, f64> = BTreeMap::new();
        let mut by_source: BTreeMap<FundingSource, f64> = BTreeMap::new();
        for p in &c.programs {
            *by_sector.entry(p.input.sector).or_default() += p.input.budget_rp as f64;
            *by_source.entry(p.input.funding).or_default() += p.input.budget_rp as f64;
        }
        let bars = |items: Vec<(String, f64)>, title: &str| {
            (!items.is_empty()).then(|| {
                BarChart {
                    title: title.to_string(),
                    bars: items
                        .into_iter()
                        .map(|(label, value)| Bar {
                            label,
                            value,
                            colour: None,
                            href: None,
                        })
                        .collect(),
                    format: ValueFormat::Rupiah,
                }
                .render(t)
            })
        };
        let mut sector_items: Vec<(String, f64)> = by_sector
            .iter()
            .map(|(s, v)| (t.get(sector_key(*s)).to_string(), *v))
            .collect();
        sector_items.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut source_items: Vec<(String, f64)> = by_source
            .iter()
            .map(|(s, v)| (t.get(funding_key(*s)).to_string(), *v))
            .collect();
        source_items.sort_by(|a, b| b.1.total_cmp(&a.1));
        let money = |items: &[(String, f64)]| {
            items
                .iter()
                .map(|(l, v)| (l.clone(), crate::chart::rupiah_compact(t, *v)))
                .collect()
        };
        Ok(MatrixPage {
            columns: c.matrix.columns.iter().map(|k| column_label(k)).collect(),
            totals: c.matrix.totals.iter().map(|x| measure.text(t, x)).collect(),
            total: measure.text(t, &c.matrix.total),
            programs: c.programs.len(),
            partners: c.matrix.total.partners,
            rows,
            row_count: all_rows,
            first_row: first + 1,
            last_row: last,
            pager,
            map,
            map_note,
            sector_chart: bars(sector_items.clone(), t.get("program.chart_sector")),
            source_chart: bars(source_items.clone(), t.get("program.chart_source")),
            budget_rows: money(&sector_items),
            source_rows: money(&source_items),
            sectors: sector_choices(t, blank(&q.sektor)),
            partner_choices: partner_choices(
                state
                    .store
                    .scoped(&user.viewer)
                    .program_organisations()
                    .await?,
                blank(&q.mitra),
            ),
            levels: choices(
                t,
                &[
                    ("kabkota", "program.level_kabkota"),
                    ("kecamatan", "program.level_kecamatan"),
                    ("desa", "program.level_desa"),
                ],
                c.level.key(),
            ),
            column_choices: choices(
                t,
                &[
                    ("sektor", "program.by_sector"),
                    ("mitra", "program.by_partner"),
                ],
                if c.columns == MatrixColumns::Partner {
                    "mitra"
                } else {
                    "sektor"
                },
            ),
            measures: choices(
                t,
                &[
                    ("program", "program.measure_programs"),
                    ("mitra", "program.measure_partners"),
                    ("sasaran", "program.measure_planned"),
                    ("anggaran", "program.measure_budget"),
                ],
                blank(&q.nilai).unwrap_or("program"),
            ),
            from: q.dari.clone().unwrap_or_default(),
            to: q.sampai.clone().unwrap_or_default(),
            export_query: q.query_string(),
            region_picker: crate::picker::RegionPicker::load(
                &state,
                &ui,
                q.filter()?.within.as_ref(),
            )
            .await?,
            can_import: user.viewer.can_write(),
            can_analyse: true,
            t: ui.t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

/// The matrix rows on a map: areas when boundaries for that level are imported, otherwise
/// points at the regions' coordinates; coloured by the measure. Too many rows for a light
/// page are drawn one level up (desa as their kecamatan, kecamatan as their kab/kota); if
/// that is still too many, the largest are drawn and the note says so.
async fn matrix_map(
    state: &AppState,
    t: &Messages,
    q: &FilterQuery,
    c: &FourW,
    measure: Measure,
) -> Result<(Option<String>, Option<String>), AppError> {
    if c.matrix.rows.len() < 2 {
        return Ok((None, None));
    }
    let mut level = c.level;
    let mut coarser = None;
    while coarser.as_ref().unwrap_or(&c.matrix).rows.len() > MAP_MAX && level > Level::KabKota {
        level = Level::from_number(level.number() - 1).unwrap_or(Level::KabKota);
        coarser = Some(pivot_placements(&c.placements, level.dotted_len()));
    }
    let matrix = coarser.as_ref().unwrap_or(&c.matrix);
    let fetched;
    let places = if coarser.is_some() {
        let keys: Vec<String> = matrix.rows.iter().map(|r| r.key.clone()).collect();
        fetched = state.store.region_points(&keys).await?;
        &fetched
    } else {
        &c.places
    };
    let mut rows: Vec<(&sinergi_insight::MatrixRow, f64)> = matrix
        .rows
        .iter()
        .map(|r| (r, measure.of(&r.total)))
        .collect();
    let mut notes = Vec::new();
    if level != c.level {
        notes.push(format!(
            "{} {}",
            t.get("program.map_coarser"),
            t.get(level_key(level))
        ));
    }
    if rows.len() > MAP_MAX {
        rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.key.cmp(&b.0.key)));
        notes.push(format!(
            "{} {MAP_MAX} {} {}",
            t.get("program.map_capped"),
            t.get("pager.of"),
            t.num(&(rows.len() as u64))
        ));
        rows.truncate(MAP_MAX);
    }
    let within = super::optional_region(q.wilayah.as_deref())?;
    let areas = crate::map::areas(&state.store, within.as_ref(), level).await?;
    let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let breaks = quantile_breaks(&values, 5);
    let items: Vec<MapItem> = rows
        .iter()
        .filter_map(|(r, v)| {
            let (name, lat, lng) = places.get(&r.key)?.clone();
            let geometry = crate::map::geometry(&areas, &r.key, lat, lng)?;
            Some(MapItem {
                code: r.key.clone(),
                label: name,
                geometry,
                class: Some(class_of(*v, &breaks)),
                size: None,
                detail: measure.text(t, &r.total),
                href: Some(format!("/program?wilayah={}", r.key)),
            })
        })
        .collect();
    if items.len() < 2 {
        return Ok((None, None));
    }
    // Points (desa, or regions without a boundary) sit inside the outlines one level below
    // the region filtered on: kab/kota of a province, kecamatan of a kab/kota.
    let background = match &within {
        Some(w)
            if items
                .iter()
                .any(|i| matches!(i.geometry, crate::map::Geometry::Point { .. })) =>
        {
            let outline_level = w
                .level()
                .child()
                .filter(|l| *l <= Level::Kecamatan)
                .unwrap_or(w.level());
            let mut outlines = crate::map::areas(&state.store, Some(w), outline_level).await?;
            if outlines.is_empty() {
                outlines = crate::map::areas(&state.store, Some(w), w.level()).await?;
            }
            outlines.into_values().collect()
        }
        _ => Vec::new(),
    };
    let map = Map {
        title: t.get("program.map").to_string(),
        items,
        background,
        classes: legend_for_breaks(&breaks, &SEQUENTIAL, |v| t.decimal(&v)),
        no_data_label: String::new(),
    }
    .render();
    Ok((Some(map), (!notes.is_empty()).then(|| notes.join(" "))))
}

#[derive(Serialize)]
struct MatrixJson {
    level: Level,
    columns_by: &'static str,
    columns: Vec<String>,
    /// This page's rows (`hal`, `per`: up to 500 rows a page, 100 unless asked).
    rows: Vec<MatrixRowJson>,
    /// Rows of the whole matrix, the page number and its size.
    total_rows: u64,
    page: u32,
    size: u32,
    /// Column totals and the grand total over every row, not just this page.
    totals: Vec<sinergi_insight::Cell>,
    total: sinergi_insight::Cell,
}

#[derive(Serialize)]
struct MatrixRowJson {
    code: String,
    name: String,
    cells: Vec<sinergi_insight::Cell>,
    total: sinergi_insight::Cell,
}

/// Matrix rows per API page unless `per` asks otherwise.
const MATRIX_API_PAGE: u32 = 100;

/// `GET /api/v1/4w`: the who-what-where matrix (regions × sectors or partners) the caller may
/// see, computed as on `/4w`.
#[utoipa::path(get, path = "/api/v1/4w", tag = "program", operation_id = "fourw_matrix",
    summary = "Matriks 4W (wilayah × sektor atau mitra) dalam cakupan pemanggil",
    params(("q" = Option<String>, Query, description = "Nama atau kode program"),
        ("sektor" = Option<String>, Query, description = "Sektor"),
        ("mitra" = Option<String>, Query, description = "Id atau nama mitra"),
        ("wilayah" = Option<String>, Query, description = "Kode wilayah"),
        ("dari" = Option<String>, Query, description = "Berjalan sejak tanggal (YYYY-MM-DD)"),
        ("sampai" = Option<String>, Query, description = "Berjalan sampai tanggal (YYYY-MM-DD)"),
        ("tingkat" = Option<String>, Query, description = "Tingkat baris: provinsi, kabkota, kecamatan, desa"),
        ("kolom" = Option<String>, Query, description = "Kolom: sektor atau mitra"),
        ("nilai" = Option<String>, Query, description = "Nilai sel: program, anggaran, sasaran, tercapai"),
        ("hal" = Option<u32>, Query, description = "Halaman baris, mulai 1"),
        ("per" = Option<u32>, Query, description = "Baris per halaman (bawaan 100, paling banyak 500)")),
    responses((status = 200, description = "Matriks", body = crate::api::openapi::Document),
        (status = 400, description = "Permintaan tidak sah", body = crate::api::openapi::ErrorBody), (status = 401, description = "Tanpa token atau sesi", body = crate::api::openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = crate::api::openapi::ErrorBody)))]
pub(super) async fn api_matrix(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        let c = compute(&state, &user.viewer, &q).await?;
        let page = Page::new(q.hal, q.per, MATRIX_API_PAGE);
        let all_rows = c.matrix.rows.len();
        let first = (page.offset() as usize).min(all_rows);
        let last = (first + page.size as usize).min(all_rows);
        Ok(MatrixJson {
            total_rows: all_rows as u64,
            page: page.number,
            size: page.size,
            level: c.level,
            columns_by: if c.columns == MatrixColumns::Partner {
                "mitra"
            } else {
                "sektor"
            },
            columns: c.matrix.columns.clone(),
            rows: c.matrix.rows[first..last]
                .iter()
                .map(|r| MatrixRowJson {
                    code: r.key.clone(),
                    name: c
                        .places
                        .get(&r.key)
                        .map(|p| p.0.clone())
                        .unwrap_or_default(),
                    cells: r.cells.clone(),
                    total: r.total.clone(),
                })
                .collect(),
            totals: c.matrix.totals.clone(),
            total: c.matrix.total.clone(),
        })
    }
    .await;
    respond(&ui, result)
}
