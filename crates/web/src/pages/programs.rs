//! Programs and the 4W matrix: the list and detail of partners' programs, the matrix (who ×
//! what × where × when) with its map and budget charts, import and export in the 4W template,
//! overlap and gap analysis, and the JSON API partners' systems push programs through.
//! Rows come from the store, which applies the access scope; analysis runs in `insight`.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sinergi_core::program::{
    AidType, FieldError, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached,
    Sector, SexTarget, TargetGroup, parse_date,
};
use sinergi_core::{DesilRange, Level, Ppks, Principal, RegionCode};
use sinergi_insight::{Columns, DesaColumns, GapRules, Placement, ProgramFacts};
use sinergi_intake::RowError;
use sinergi_intake::programs::{TEMPLATE_COLUMNS, program_rows, read_program_sheet};
use sinergi_store::{DesaNeed, PROGRAM_SORTS, Page, Program, ProgramFilter, SessionUser, Sort};

use super::render;
use crate::auth::Signed;
use crate::chart::{Bar, BarChart, ValueFormat};
use crate::export::{Table, TableFormat, table_download};
use crate::i18n::Messages;
use crate::map::{
    Geometry, Map, MapItem, SEQUENTIAL, class_of, legend_for_breaks, quantile_breaks,
};
use crate::pager::Pager;
use crate::{AppError, AppState, Ui};

pub const PAGE_SIZE: u32 = 50;
/// Matrix rows per page: a page of a 9-sector matrix stays well inside the page budget.
pub const MATRIX_PAGE: u32 = 40;
/// Matrix cells per page at most (rows × columns, the total column included).
const MATRIX_CELLS: u32 = 400;
/// Places drawn on the 4W map at most (each point is ~150 bytes of SVG).
const MAP_MAX: usize = 120;
/// 4W spreadsheets hold thousands of rows, not millions.
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;
/// Rows shown per analysis list.
const SHOWN: usize = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/program", get(list))
        .route(
            "/program/baru",
            get(super::program_form::new_form).post(super::program_form::create),
        )
        .route("/program/{id}", get(detail))
        .route(
            "/program/{id}/ubah",
            get(super::program_form::edit_form).post(super::program_form::update),
        )
        .route("/4w", get(matrix_page))
        .route("/4w/ekspor.xlsx", get(export_xlsx))
        .route("/4w/ekspor.csv", get(export_csv))
        .route("/4w/templat.xlsx", get(template))
        .route(
            "/4w/impor",
            get(import_form)
                .post(import)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/4w/analisis", get(analysis_page))
        .route("/api/v1/program", get(api_list).post(api_save))
        .route("/api/v1/program/{id}", get(api_detail).post(api_update))
        .route("/api/v1/4w", get(api_matrix))
}

/// Query parameters shared by the list, the matrix, the exports and the API.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FilterQuery {
    pub q: Option<String>,
    pub sektor: Option<String>,
    pub mitra: Option<String>,
    pub wilayah: Option<String>,
    pub dari: Option<String>,
    pub sampai: Option<String>,
    pub urut: Option<String>,
    pub hal: Option<u32>,
    pub per: Option<u32>,
    pub tingkat: Option<String>,
    pub kolom: Option<String>,
    pub nilai: Option<String>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl FilterQuery {
    pub fn filter(&self) -> Result<ProgramFilter, AppError> {
        let date = |v: &Option<String>, field: &str| -> Result<Option<NaiveDate>, AppError> {
            match blank(v) {
                None => Ok(None),
                Some(s) => parse_date(s).map(Some).ok_or_else(|| {
                    AppError::bad_request_text(
                        "error.invalid",
                        format!("{field}: \"{s}\" bukan tanggal (TTTT-BB-HH)"),
                    )
                }),
            }
        };
        Ok(ProgramFilter {
            within: super::optional_region(self.wilayah.as_deref())?,
            sector: match blank(&self.sektor) {
                None => None,
                Some(s) => Some(Sector::lookup(s).ok_or_else(|| {
                    AppError::bad_request_text(
                        "error.invalid",
                        format!("sektor \"{s}\" tidak dikenal; pilih: {}", Sector::keys()),
                    )
                })?),
            },
            organisation: match blank(&self.mitra) {
                None => None,
                Some(s) => Some(s.parse().map_err(|_| {
                    AppError::bad_request_text(
                        "error.invalid",
                        format!("mitra: \"{s}\" bukan nomor organisasi"),
                    )
                })?),
            },
            from: date(&self.dari, "dari")?,
            to: date(&self.sampai, "sampai")?,
            query: blank(&self.q).map(str::to_string),
        })
    }

    /// The filter as query parameters, for links that keep it.
    fn params(&self) -> Vec<(&'static str, String)> {
        [
            ("q", &self.q),
            ("sektor", &self.sektor),
            ("mitra", &self.mitra),
            ("wilayah", &self.wilayah),
            ("dari", &self.dari),
            ("sampai", &self.sampai),
            ("tingkat", &self.tingkat),
            ("kolom", &self.kolom),
            ("nilai", &self.nilai),
        ]
        .into_iter()
        .filter_map(|(k, v)| blank(v).map(|v| (k, v.to_string())))
        .collect()
    }

    fn query_string(&self) -> String {
        let p = self.params();
        if p.is_empty() {
            String::new()
        } else {
            format!(
                "?{}",
                p.iter()
                    .map(|(k, v)| format!("{k}={}", crate::ui::encode_component(v)))
                    .collect::<Vec<_>>()
                    .join("&")
            )
        }
    }

    fn level(&self) -> Level {
        match blank(&self.tingkat) {
            Some("kecamatan") => Level::Kecamatan,
            Some("desa") => Level::Desa,
            _ => Level::KabKota,
        }
    }
}

/// Options of a `<select>`: (value, label key or text, selected).
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn sector_choices(t: &Messages, selected: Option<&str>) -> Vec<Choice> {
    Sector::ALL
        .iter()
        .map(|s| Choice {
            value: s.key().to_string(),
            label: t.get(sector_key(*s)).to_string(),
            selected: selected == Some(s.key()),
        })
        .collect()
}

pub fn sector_key(s: Sector) -> &'static str {
    match s {
        Sector::PerlindunganSosial => "program.sector.perlindungan_sosial",
        Sector::RehabilitasiSosial => "program.sector.rehabilitasi_sosial",
        Sector::PemberdayaanEkonomi => "program.sector.pemberdayaan_ekonomi",
        Sector::Pendidikan => "program.sector.pendidikan",
        Sector::Kesehatan => "program.sector.kesehatan",
        Sector::Perumahan => "program.sector.perumahan",
        Sector::PerlindunganAnak => "program.sector.perlindungan_anak",
        Sector::PenanggulanganBencana => "program.sector.penanggulangan_bencana",
        Sector::Lainnya => "program.sector.lainnya",
    }
}

pub(super) fn funding_key(f: FundingSource) -> &'static str {
    match f {
        FundingSource::Apbn => "program.funding.apbn",
        FundingSource::Apbd => "program.funding.apbd",
        FundingSource::Apbdes => "program.funding.apbdes",
        FundingSource::Csr => "program.funding.csr",
        FundingSource::Zakat => "program.funding.zakat_infak_sedekah",
        FundingSource::Filantropi => "program.funding.filantropi",
        FundingSource::Hibah => "program.funding.hibah",
        FundingSource::Swadaya => "program.funding.swadaya",
        FundingSource::Lainnya => "program.funding.lainnya",
    }
}

pub(super) fn aid_key(a: AidType) -> &'static str {
    match a {
        AidType::Tunai => "program.aid.tunai",
        AidType::Barang => "program.aid.barang",
        AidType::Layanan => "program.aid.layanan",
        AidType::Beasiswa => "program.aid.beasiswa",
        AidType::Perumahan => "program.aid.perumahan",
        AidType::Pelatihan => "program.aid.pelatihan",
        AidType::Pendampingan => "program.aid.pendampingan",
    }
}

pub(super) fn status_key(s: ProgramStatus) -> &'static str {
    match s {
        ProgramStatus::Rencana => "program.status.rencana",
        ProgramStatus::Berjalan => "program.status.berjalan",
        ProgramStatus::Selesai => "program.status.selesai",
        ProgramStatus::Dihentikan => "program.status.dihentikan",
    }
}

pub(super) fn sex_key(s: SexTarget) -> &'static str {
    match s {
        SexTarget::Semua => "program.sex.semua",
        SexTarget::LakiLaki => "program.sex.laki_laki",
        SexTarget::Perempuan => "program.sex.perempuan",
    }
}

/// A program as a list row shows it.
pub struct ProgramView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub organisation: String,
    pub sector: &'static str,
    pub period: String,
    pub budget: String,
    pub places: usize,
    pub planned: u64,
    pub reached: u64,
    pub status: &'static str,
}

fn view(t: &Messages, p: &Program) -> ProgramView {
    ProgramView {
        id: p.id,
        code: p.input.code.clone(),
        name: p.input.name.clone(),
        organisation: p.organisation_name.clone(),
        sector: sector_key(p.input.sector),
        period: format!("{} – {}", t.date(&p.input.start), t.date(&p.input.end)),
        budget: crate::chart::rupiah_compact(t, p.input.budget_rp as f64),
        places: p.input.locations.len(),
        planned: p.input.planned,
        reached: p.input.reached.total,
        status: status_key(p.input.status),
    }
}

#[derive(Template)]
#[template(path = "programs.html")]
struct ListPage {
    ui: Ui,
    t: Messages,
    rows: Vec<ProgramView>,
    total: u64,
    pager: Option<Pager>,
    q: String,
    region: String,
    sectors: Vec<Choice>,
    partners: Vec<Choice>,
    from: String,
    to: String,
    export_query: String,
    can_import: bool,
}

fn partner_choices(orgs: Vec<(i64, String)>, selected: Option<&str>) -> Vec<Choice> {
    orgs.into_iter()
        .map(|(id, name)| Choice {
            selected: selected == Some(id.to_string().as_str()),
            value: id.to_string(),
            label: name,
        })
        .collect()
}

async fn list(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let sort = Sort::parse(q.urut.as_deref(), &PROGRAM_SORTS);
        let paged = state
            .store
            .programs(
                &user.principal,
                &filter,
                sort,
                Page::new(q.hal, q.per, PAGE_SIZE),
            )
            .await?;
        let params = q.params();
        let params_ref: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Ok(ListPage {
            rows: paged.items.iter().map(|p| view(&ui.t, p)).collect(),
            total: paged.total,
            pager: Some(Pager::new(&paged, "/program", &params_ref)),
            q: q.q.clone().unwrap_or_default(),
            region: q.wilayah.clone().unwrap_or_default(),
            sectors: sector_choices(&ui.t, blank(&q.sektor)),
            partners: partner_choices(
                state.store.program_organisations(&user.principal).await?,
                blank(&q.mitra),
            ),
            from: q.dari.clone().unwrap_or_default(),
            to: q.sampai.clone().unwrap_or_default(),
            export_query: q.query_string(),
            can_import: user.principal.can_write(),
            t: ui.t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

pub struct LocationView {
    pub code: String,
    pub name: String,
    pub planned: u64,
    pub reached: u64,
}

#[derive(Template)]
#[template(path = "program.html")]
struct DetailPage {
    ui: Ui,
    t: Messages,
    p: ProgramView,
    aid: &'static str,
    funding: &'static str,
    ppks: Vec<String>,
    desil: String,
    ages: String,
    sex: &'static str,
    disability_only: bool,
    reached: Reached,
    locations: Vec<LocationView>,
    updated_at: String,
    /// A partner or LKS edits its own programs; LKKS and admins those in their regions.
    can_edit: bool,
    saved: bool,
}

#[derive(Deserialize)]
struct DetailQuery {
    ok: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(dq): Query<DetailQuery>,
) -> Response {
    let result = async {
        let p = state
            .store
            .program(&user.principal, id)
            .await?
            .ok_or(AppError::not_found("program.not_found"))?;
        let t = &p.input.target;
        Ok(DetailPage {
            p: view(&ui.t, &p),
            aid: aid_key(p.input.aid_type),
            funding: funding_key(p.input.funding),
            ppks: p.input.ppks.iter().map(|x| x.name().to_string()).collect(),
            desil: format!("{}–{}", t.desil_from, t.desil_to),
            ages: t.ages_text(),
            sex: sex_key(t.sex),
            disability_only: t.disability_only,
            reached: p.input.reached,
            locations: p
                .input
                .locations
                .iter()
                .map(|l| LocationView {
                    code: l.region.to_string(),
                    name: p
                        .region_names
                        .get(l.region.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    planned: l.planned,
                    reached: l.reached,
                })
                .collect(),
            updated_at: p.updated_at.chars().take(10).collect(),
            can_edit: user.principal.can_write()
                && (!user.principal.role.is_organisation_bound()
                    || user.principal.scope.organisation == Some(p.input.organisation_id)),
            saved: dq.ok.is_some(),
            t: ui.t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
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

/// One program location placed in the matrix: (program, organisation, row, column,
/// planned, reached, budget share).
type OwnedPlacement = (i64, i64, String, String, u64, u64, f64);

/// The matrix computed for a principal and filter: shared by the page, the export and the API.
struct Computed {
    programs: Vec<Program>,
    matrix: sinergi_insight::Matrix,
    level: Level,
    by_partner: bool,
    /// Row key → (name, lat, lng).
    places: HashMap<String, (String, Option<f64>, Option<f64>)>,
    placements: Vec<OwnedPlacement>,
}

/// The matrix of `placements` with rows cut to `len` characters of the region code (a
/// parent level), so partner and program counts stay distinct counts, not sums.
fn pivot_placements(placements: &[OwnedPlacement], len: usize) -> sinergi_insight::Matrix {
    sinergi_insight::pivot(placements.iter().map(
        |(program, org, row, column, planned, reached, budget)| Placement {
            program: *program,
            organisation: *org,
            row: &row[..len.min(row.len())],
            column,
            planned: *planned,
            reached: *reached,
            budget: *budget,
        },
    ))
}

async fn compute(
    state: &AppState,
    principal: &Principal,
    q: &FilterQuery,
) -> Result<Computed, AppError> {
    let filter = q.filter()?;
    let programs = state.store.programs_all(principal, &filter).await?;
    let level = q.level();
    let by_partner = blank(&q.kolom) == Some("mitra");
    let len = level.dotted_len();
    let mut placements_owned: Vec<OwnedPlacement> = Vec::new();
    for p in &programs {
        let planned: Vec<u64> = p.input.locations.iter().map(|l| l.planned).collect();
        let budgets = sinergi_insight::spread_budget(p.input.budget_rp, &planned);
        for (l, budget) in p.input.locations.iter().zip(budgets) {
            if let Some(w) = &filter.within
                && !(w == &l.region || w.contains(&l.region))
            {
                continue;
            }
            // A location above the matrix level stays at its own level (a kab/kota-wide
            // program in a kecamatan view is shown on the kab/kota row).
            let code = l.region.as_str();
            let row = code[..len.min(code.len())].to_string();
            let column = if by_partner {
                p.organisation_name.clone()
            } else {
                p.input.sector.key().to_string()
            };
            placements_owned.push((
                p.id,
                p.input.organisation_id,
                row,
                column,
                l.planned,
                l.reached,
                budget,
            ));
        }
    }
    let matrix = pivot_placements(&placements_owned, len);
    let keys: Vec<String> = matrix.rows.iter().map(|r| r.key.clone()).collect();
    let places = state.store.region_points(&keys).await?;
    Ok(Computed {
        programs,
        matrix,
        level,
        by_partner,
        places,
        placements: placements_owned,
    })
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
    region: String,
    from: String,
    to: String,
    export_query: String,
    can_import: bool,
    can_analyse: bool,
}

fn choices(t: &Messages, items: &[(&str, &str)], selected: &str) -> Vec<Choice> {
    items
        .iter()
        .map(|(v, key)| Choice {
            value: v.to_string(),
            label: t.get(key).to_string(),
            selected: *v == selected,
        })
        .collect()
}

async fn matrix_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        let c = compute(&state, &user.principal, &q).await?;
        let t = &ui.t;
        let measure = Measure::parse(blank(&q.nilai));
        let column_label = |k: &str| {
            if c.by_partner {
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
                state.store.program_organisations(&user.principal).await?,
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
                if c.by_partner { "mitra" } else { "sektor" },
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
            region: q.wilayah.clone().unwrap_or_default(),
            from: q.dari.clone().unwrap_or_default(),
            to: q.sampai.clone().unwrap_or_default(),
            export_query: q.query_string(),
            can_import: user.principal.can_write(),
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
    c: &Computed,
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
    let areas: HashMap<String, Vec<sinergi_store::Polygon>> = state
        .store
        .boundaries(within.as_ref(), level)
        .await?
        .into_iter()
        .map(|b| (b.code.to_string(), b.polygons))
        .collect();
    let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let breaks = quantile_breaks(&values, 5);
    let items: Vec<MapItem> = rows
        .iter()
        .filter_map(|(r, v)| {
            let (name, lat, lng) = places.get(&r.key)?.clone();
            let geometry = match areas.get(&r.key) {
                Some(a) => Geometry::Area(a.clone()),
                None => Geometry::Point {
                    lon: lng?,
                    lat: lat?,
                },
            };
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
    let map = Map {
        title: t.get("program.map").to_string(),
        items,
        background: Vec::new(),
        classes: legend_for_breaks(&breaks, &SEQUENTIAL, |v| t.decimal(&v)),
        no_data_label: String::new(),
    }
    .render();
    Ok((Some(map), (!notes.is_empty()).then(|| notes.join(" "))))
}

fn level_key(level: Level) -> &'static str {
    match level {
        Level::Provinsi | Level::KabKota => "program.level_kabkota",
        Level::Kecamatan => "program.level_kecamatan",
        Level::Desa => "program.level_desa",
    }
}

fn template_table(rows: Vec<Vec<String>>) -> Table {
    let headers: Vec<&str> = TEMPLATE_COLUMNS.iter().map(|(c, _)| *c).collect();
    Table {
        notes: TEMPLATE_COLUMNS
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
        ..Table::new("4W", &headers, rows)
    }
}

async fn export(
    state: &AppState,
    user: &SessionUser,
    q: &FilterQuery,
    format: TableFormat,
) -> Result<Response, AppError> {
    let programs = state
        .store
        .programs_all(&user.principal, &q.filter()?)
        .await?;
    let mut codes: Vec<RegionCode> = Vec::new();
    for p in &programs {
        for l in &p.input.locations {
            codes.extend(l.region.ancestors());
            codes.push(l.region.clone());
        }
    }
    codes.sort();
    codes.dedup();
    let names = state.store.region_names(&codes).await?;
    let name_at = |code: &RegionCode, level: Level| {
        code.at_level(level)
            .filter(|_| code.level() >= level)
            .and_then(|c| names.get(c.as_str()).cloned())
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for p in &programs {
        rows.extend(program_rows(&p.organisation_name, &p.input, &|c| {
            [
                name_at(c, Level::KabKota),
                name_at(c, Level::Kecamatan),
                name_at(c, Level::Desa),
            ]
        }));
    }
    state
        .store
        .record(
            &sinergi_store::AuditEvent::new(&user.principal, "program.export", "program")
                .after(serde_json::json!({ "program": programs.len(), "baris": rows.len() })),
        )
        .await?;
    table_download(format, "program-4w", template_table(rows))
}

async fn export_xlsx(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    export(&state, &user, &q, TableFormat::Xlsx)
        .await
        .unwrap_or_else(|e| e.page(&ui))
}

async fn export_csv(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    export(&state, &user, &q, TableFormat::Csv)
        .await
        .unwrap_or_else(|e| e.page(&ui))
}

async fn template(ui: Ui, Signed(_user): Signed) -> Response {
    table_download(TableFormat::Xlsx, "templat-4w", template_table(Vec::new()))
        .unwrap_or_else(|e| e.page(&ui))
}

pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
    pub rows: usize,
}

#[derive(Template)]
#[template(path = "fourw_import.html")]
struct ImportPage {
    ui: Ui,
    t: Messages,
    outcome: Option<ImportOutcome>,
    rejected: Vec<RowError>,
    rejected_rows: usize,
    error: Option<String>,
}

async fn import_form(ui: Ui, Signed(user): Signed) -> Response {
    let result = if user.principal.can_write() {
        Ok(ImportPage {
            t: ui.t,
            ui: ui.clone(),
            outcome: None,
            rejected: Vec::new(),
            rejected_rows: 0,
            error: None,
        })
    } else {
        Err(AppError::forbidden())
    };
    render(&ui, result)
}

/// Reads an uploaded 4W sheet and stores the programs it holds: the good ones in one
/// transaction, the rest listed row by row.
pub async fn import_sheet(
    state: &AppState,
    principal: &Principal,
    filename: &str,
    bytes: &[u8],
) -> Result<(ImportOutcome, Vec<RowError>, usize), AppError> {
    let table = match sinergi_intake::read_table_bytes(filename, bytes) {
        Ok(t) => t,
        Err(sinergi_intake::TableError::Rows { errors, more }) => {
            let n = errors.0.len() + more;
            return Ok((
                ImportOutcome {
                    created: 0,
                    updated: 0,
                    rows: 0,
                },
                errors.0,
                n,
            ));
        }
        Err(e) => {
            return Err(AppError::bad_request_text(
                "program.import_unreadable",
                e.to_string(),
            ));
        }
    };
    let orgs = state
        .store
        .scoped(&sinergi_core::Viewer::User(principal.clone()))
        .organisations_acting_for()
        .await?;
    let own = principal
        .scope
        .organisation
        .filter(|_| principal.role.is_organisation_bound())
        .and_then(|id| orgs.iter().find(|o| o.id == id).cloned());
    let resolve = |name: &str| -> Result<i64, String> {
        let name = name.trim();
        if let Some(o) = &own {
            return if name.is_empty() || name.eq_ignore_ascii_case(&o.name) {
                Ok(o.id)
            } else {
                Err(format!(
                    "akun Anda hanya boleh mengisi program \"{}\", bukan \"{name}\"",
                    o.name
                ))
            };
        }
        if name.is_empty() {
            return Err("wajib diisi: nama organisasi pemilik program".into());
        }
        orgs.iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
            .map(|o| o.id)
            .ok_or_else(|| format!("organisasi \"{name}\" tidak dikenal atau di luar wilayah Anda"))
    };
    let regions = match (&own, principal.scope.regions.is_empty()) {
        (Some(o), true) => vec![o.region.clone()],
        _ => principal.scope.regions.clone(),
    };
    let index = state.store.region_name_index(&regions).await?;
    let mut sheet = read_program_sheet(&table, &resolve, &index);
    // Programs with a place the account may not write are refused, named.
    let mut keep = Vec::new();
    for (p, lines) in sheet.programs.drain(..) {
        match p
            .locations
            .iter()
            .find(|l| !principal.may_see(&l.region, p.organisation_id))
        {
            Some(l) => {
                sheet.rejected_rows += lines.len();
                for line in lines {
                    sheet.rejected.push(RowError {
                        line,
                        column: Some("kode_wilayah".into()),
                        reason: format!(
                            "program \"{}\": lokasi {} di luar wilayah akun Anda",
                            p.code, l.region
                        )
                        .into(),
                    });
                }
            }
            None => keep.push((p, lines)),
        }
    }
    sheet.rejected.sort_by_key(|e| e.line);
    let inputs: Vec<ProgramInput> = keep.iter().map(|(p, _)| p.clone()).collect();
    let rows = keep.iter().map(|(_, l)| l.len()).sum();
    let saved = if inputs.is_empty() {
        Vec::new()
    } else {
        state.store.save_programs(principal, &inputs).await?
    };
    Ok((
        ImportOutcome {
            created: saved.iter().filter(|s| s.created).count(),
            updated: saved.iter().filter(|s| !s.created).count(),
            rows,
        },
        sheet.rejected,
        sheet.rejected_rows,
    ))
}

async fn import(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        if !user.principal.can_write() {
            return Err(AppError::forbidden());
        }
        let mut page = ImportPage {
            t: ui.t,
            ui: ui.clone(),
            outcome: None,
            rejected: Vec::new(),
            rejected_rows: 0,
            error: None,
        };
        let mut file = None;
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some("berkas") {
                let name = field.file_name().unwrap_or("4w.xlsx").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(e) => {
                        page.error = Some(format!("{} {e}", ui.t.get("program.import_unreadable")))
                    }
                }
            }
        }
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            page.error
                .get_or_insert_with(|| ui.t.get("program.import_no_file").to_string());
            return Ok(page);
        };
        match import_sheet(&state, &user.principal, &name, &bytes).await {
            Ok((outcome, rejected, rejected_rows)) => {
                page.outcome = Some(outcome);
                page.rejected = rejected;
                page.rejected_rows = rejected_rows;
            }
            Err(AppError {
                detail: Some(d), ..
            }) => page.error = Some(ui.t.render(&d)),
            Err(e) => return Err(e),
        }
        Ok(page)
    }
    .await;
    let failed = matches!(&result, Ok(p) if p.error.is_some() || (p.outcome.as_ref().is_some_and(|o| o.rows == 0) && !p.rejected.is_empty()));
    let mut resp = render(&ui, result);
    if failed {
        *resp.status_mut() = StatusCode::BAD_REQUEST;
    }
    resp
}

/// Programs and need figures as the analysis columns.
pub fn analysis_columns(programs: &[Program], need: &[DesaNeed]) -> Columns {
    let nan = |v: Option<f64>| v.map_or(f32::NAN, |x| x as f32);
    let desa = DesaColumns {
        codes: need.iter().map(|d| d.code.clone()).collect(),
        families: need.iter().map(|d| nan(d.families)).collect(),
        desil1: need.iter().map(|d| nan(d.desil1)).collect(),
        extreme_target: need.iter().map(|d| d.extreme_target).collect(),
        ppks: need.iter().map(|d| nan(d.ppks)).collect(),
    };
    let mut cols = Columns {
        desa,
        ..Columns::default()
    };
    for (i, p) in programs.iter().enumerate() {
        cols.programs.push(ProgramFacts {
            id: p.id,
            organisation: p.input.organisation_id,
            sector: p.input.sector,
            start: p.input.start,
            end: p.input.end,
            target: p.input.target,
        });
        for l in &p.input.locations {
            if l.region.level() == Level::Desa
                && let Some(d) = cols.desa.find(l.region.as_str())
            {
                cols.locations.push((i as u32, d as u32));
            }
            if let Some(k) = l.region.at_level(Level::KabKota) {
                *cols.planned_by_kabkota.entry(k.to_string()).or_default() += l.planned;
            }
        }
    }
    cols
}

pub struct OverlapView {
    pub code: String,
    pub name: String,
    pub score: String,
    pub partners: Vec<String>,
    pub programs: Vec<(i64, String)>,
}

pub struct IntroView {
    pub a: String,
    pub b: String,
    pub sector: &'static str,
    pub desa: u32,
    pub score: String,
}

pub struct GapView {
    pub code: String,
    pub name: String,
    pub desil1: u64,
    pub share: String,
    pub extreme: bool,
    pub ppks: u64,
}

pub struct KabView {
    pub code: String,
    pub name: String,
    pub desil1: u64,
    pub planned: u64,
    pub ratio: String,
    pub need: u32,
    pub reached: u32,
}

#[derive(Template)]
#[template(path = "fourw_analysis.html")]
struct AnalysisPage {
    ui: Ui,
    t: Messages,
    region: String,
    overlaps: Vec<OverlapView>,
    overlap_total: usize,
    intros: Vec<IntroView>,
    gaps: Vec<GapView>,
    gap_total: usize,
    kabkota: Vec<KabView>,
    desa_in_need: u32,
    desa_reached: u32,
    desa_total: usize,
    share_threshold: String,
    gaps_map: Option<String>,
    /// LKS capacity against the vulnerable population per region, lowest coverage first
    /// (from the LKS registry's `lks_capacity_by_region`).
    lks_capacity: Vec<CapacityView>,
    /// A partner's own view: overlaps of its programs only, no gaps.
    partner_view: bool,
}

/// One region's LKS capacity beside the vulnerable population it could serve.
struct CapacityView {
    code: String,
    name: String,
    capacity: u64,
    need: String,
    coverage: String,
}

/// Regions shown in the capacity table of the analysis page (the LKS pages have the rest).
const CAPACITY_SHOWN: usize = 12;

/// LKS capacity summed over the PPKS categories per region one level down, beside the need
/// figures held for them; regions whose capacity covers least of their need come first.
async fn capacity_views(
    state: &AppState,
    t: &Messages,
    principal: &sinergi_core::Principal,
    within: Option<&RegionCode>,
) -> Result<Vec<CapacityView>, AppError> {
    let rows = state
        .store
        .as_user(principal)
        .lks_capacity_by_region(within)
        .await?;
    let mut by_region: Vec<(String, String, u64, Option<f64>)> = Vec::new();
    for r in rows {
        let code = r.region.to_string();
        let i = match by_region.iter().position(|(c, ..)| *c == code) {
            Some(i) => i,
            None => {
                by_region.push((code, r.region_name.clone(), 0, None));
                by_region.len() - 1
            }
        };
        let entry = &mut by_region[i];
        entry.2 += r.capacity;
        if let Some(n) = r.need {
            entry.3 = Some(entry.3.unwrap_or(0.0) + n);
        }
    }
    let coverage = |capacity: u64, need: Option<f64>| {
        need.filter(|n| *n > 0.0)
            .map(|n| capacity as f64 / n * 100.0)
    };
    by_region.sort_by(|a, b| {
        let (ca, cb) = (coverage(a.2, a.3), coverage(b.2, b.3));
        match (ca, cb) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.0.cmp(&b.0),
        }
    });
    Ok(by_region
        .into_iter()
        .take(CAPACITY_SHOWN)
        .map(|(code, name, capacity, need)| CapacityView {
            coverage: coverage(capacity, need)
                .map(|c| t.decimal(&c))
                .unwrap_or_default(),
            need: need.map(|n| t.decimal(&n)).unwrap_or_default(),
            code,
            name,
            capacity,
        })
        .collect())
}

/// A partner's (or LKS's) own overlaps: its programs against the other organisations'
/// programs in the same desa, of which it learns only the organisation and sector.
async fn partner_analysis(
    state: &AppState,
    ui: &Ui,
    principal: &Principal,
    q: &FilterQuery,
) -> Result<AnalysisPage, AppError> {
    let t = &ui.t;
    let filter = q.filter()?;
    let own = state.store.programs_all(principal, &filter).await?;
    let peers = state.store.overlap_peers(principal, &filter).await?;
    let mut codes: Vec<String> = own
        .iter()
        .flat_map(|p| &p.input.locations)
        .filter(|l| l.region.level() == Level::Desa)
        .map(|l| l.region.to_string())
        .collect();
    codes.sort();
    codes.dedup();
    let n = codes.len();
    let mut cols = Columns {
        desa: DesaColumns {
            codes,
            families: vec![f32::NAN; n],
            desil1: vec![f32::NAN; n],
            extreme_target: vec![false; n],
            ppks: vec![f32::NAN; n],
        },
        ..Columns::default()
    };
    let mut org_names: HashMap<i64, String> = HashMap::new();
    let mut facts = |id,
                     organisation,
                     sector,
                     start,
                     end,
                     target,
                     desa: &mut dyn Iterator<Item = &RegionCode>| {
        let i = cols.programs.len() as u32;
        cols.programs.push(ProgramFacts {
            id,
            organisation,
            sector,
            start,
            end,
            target,
        });
        for code in desa {
            if let Some(d) = cols.desa.find(code.as_str()) {
                cols.locations.push((i, d as u32));
            }
        }
    };
    for p in &own {
        org_names.insert(p.input.organisation_id, p.organisation_name.clone());
        let i = &p.input;
        facts(
            p.id,
            i.organisation_id,
            i.sector,
            i.start,
            i.end,
            i.target,
            &mut i.locations.iter().map(|l| &l.region),
        );
    }
    for p in &peers {
        org_names.insert(p.organisation_id, p.organisation_name.clone());
        facts(
            p.id,
            p.organisation_id,
            p.sector,
            p.start,
            p.end,
            p.target,
            &mut p.desa.iter(),
        );
    }
    let desa_total = cols.desa.len();
    let rules = GapRules::default();
    let analysis = tokio::task::spawn_blocking(move || sinergi_insight::analyse(&cols, &rules))
        .await
        .map_err(AppError::internal)?;
    let own_ids: HashMap<i64, String> = own.iter().map(|p| (p.id, p.input.name.clone())).collect();
    let own_org = principal.scope.organisation.unwrap_or_default();
    let overlaps: Vec<&sinergi_insight::DesaOverlap> = analysis
        .overlaps
        .iter()
        .filter(|o| {
            o.pairs
                .iter()
                .any(|p| own_ids.contains_key(&p.a) || own_ids.contains_key(&p.b))
        })
        .collect();
    let places =
        PlaceNames::fetch(state, overlaps.iter().take(SHOWN).map(|o| o.code.as_str())).await?;
    let org = |id: &i64| org_names.get(id).cloned().unwrap_or_default();
    Ok(AnalysisPage {
        region: filter.within.map(|w| w.to_string()).unwrap_or_default(),
        overlap_total: overlaps.len(),
        overlaps: overlaps
            .iter()
            .take(SHOWN)
            .map(|o| {
                // Only the partner's own programs are named and linked.
                let mut ids: Vec<i64> = o
                    .pairs
                    .iter()
                    .flat_map(|p| [p.a, p.b])
                    .filter(|id| own_ids.contains_key(id))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                OverlapView {
                    code: o.code.clone(),
                    name: places.label(&o.code),
                    score: t.decimal(&o.score),
                    partners: o.partners.iter().map(org).collect(),
                    programs: ids
                        .into_iter()
                        .map(|id| (id, own_ids.get(&id).cloned().unwrap_or_default()))
                        .collect(),
                }
            })
            .collect(),
        intros: analysis
            .introductions
            .iter()
            .filter(|i| i.a == own_org || i.b == own_org)
            .take(SHOWN)
            .map(|i| IntroView {
                a: org(&i.a),
                b: org(&i.b),
                sector: sector_key(i.sector),
                desa: i.desa,
                score: t.decimal(&i.score),
            })
            .collect(),
        gaps: Vec::new(),
        gap_total: 0,
        kabkota: Vec::new(),
        desa_in_need: 0,
        desa_reached: analysis.desa_reached,
        desa_total,
        share_threshold: String::new(),
        gaps_map: None,
        lks_capacity: Vec::new(),
        partner_view: true,
        t: ui.t,
        ui: ui.clone(),
    })
}

/// Names of regions and of the kab/kota and kecamatan above them, fetched once, for labels
/// such as "Desa, Kecamatan, Kabupaten".
struct PlaceNames(HashMap<String, String>);

impl PlaceNames {
    async fn fetch<'c>(
        state: &AppState,
        codes: impl Iterator<Item = &'c str>,
    ) -> Result<PlaceNames, AppError> {
        let mut all: Vec<RegionCode> = Vec::new();
        for code in codes.filter_map(|c| RegionCode::parse(c).ok()) {
            all.extend(Self::above(&code));
            all.push(code);
        }
        all.sort();
        all.dedup();
        Ok(PlaceNames(state.store.region_names(&all).await?))
    }

    /// The region's kab/kota and kecamatan (none above kab/kota).
    fn above(code: &RegionCode) -> impl DoubleEndedIterator<Item = RegionCode> {
        code.ancestors()
            .into_iter()
            .filter(|a| a.level() >= Level::KabKota)
    }

    fn name(&self, code: &str) -> String {
        self.0.get(code).cloned().unwrap_or_default()
    }

    /// The region's name followed by the names above it, nearest first.
    fn label(&self, code: &str) -> String {
        let Ok(c) = RegionCode::parse(code) else {
            return String::new();
        };
        let mut parts = vec![self.name(code)];
        parts.extend(
            Self::above(&c)
                .rev()
                .filter_map(|a| self.0.get(a.as_str()).cloned()),
        );
        parts.join(", ")
    }
}

async fn analysis_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        // A partner or LKS sees the overlaps of its own programs only (gaps are the LKKS's).
        if user.principal.role.is_organisation_bound() {
            return partner_analysis(&state, &ui, &user.principal, &q).await;
        }
        let t = &ui.t;
        let filter = q.filter()?;
        let within = filter.within.clone().or_else(|| {
            (user.principal.scope.regions.len() == 1)
                .then(|| user.principal.scope.regions[0].clone())
        });
        let programs = state
            .store
            .programs_all(
                &user.principal,
                &ProgramFilter {
                    within: within.clone(),
                    ..filter.clone()
                },
            )
            .await?;
        let need = state.store.desa_need(within.as_ref()).await?;
        let lks_capacity = capacity_views(&state, t, &user.principal, within.as_ref()).await?;
        // Only desa the principal may see.
        let need: Vec<DesaNeed> = need
            .into_iter()
            .filter(|d| RegionCode::parse(&d.code).is_ok_and(|c| user.principal.scope.covers(&c)))
            .collect();
        let rules = GapRules::default();
        let cols = analysis_columns(&programs, &need);
        let desa_total = cols.desa.len();
        let analysis = tokio::task::spawn_blocking(move || sinergi_insight::analyse(&cols, &rules))
            .await
            .map_err(AppError::internal)?;
        let shown_overlaps = &analysis.overlaps[..analysis.overlaps.len().min(SHOWN)];
        let shown_gaps = &analysis.gaps[..analysis.gaps.len().min(SHOWN)];
        let places = PlaceNames::fetch(
            &state,
            shown_overlaps
                .iter()
                .map(|o| o.code.as_str())
                .chain(shown_gaps.iter().map(|g| g.code.as_str()))
                .chain(analysis.kabkota.iter().map(|k| k.code.as_str())),
        )
        .await?;
        let org_names: HashMap<i64, String> = programs
            .iter()
            .map(|p| (p.input.organisation_id, p.organisation_name.clone()))
            .collect();
        let program_names: HashMap<i64, String> = programs
            .iter()
            .map(|p| (p.id, p.input.name.clone()))
            .collect();
        let org = |id: &i64| org_names.get(id).cloned().unwrap_or_default();
        let overlaps = shown_overlaps
            .iter()
            .map(|o| {
                let mut ids: Vec<i64> = o.pairs.iter().flat_map(|p| [p.a, p.b]).collect();
                ids.sort_unstable();
                ids.dedup();
                OverlapView {
                    code: o.code.clone(),
                    name: places.label(&o.code),
                    score: t.decimal(&o.score),
                    partners: o.partners.iter().map(org).collect(),
                    programs: ids
                        .into_iter()
                        .map(|id| (id, program_names.get(&id).cloned().unwrap_or_default()))
                        .collect(),
                }
            })
            .collect();
        let intros = analysis
            .introductions
            .iter()
            .take(SHOWN)
            .map(|i| IntroView {
                a: org(&i.a),
                b: org(&i.b),
                sector: sector_key(i.sector),
                desa: i.desa,
                score: t.decimal(&i.score),
            })
            .collect();
        let gaps = shown_gaps
            .iter()
            .map(|g| GapView {
                code: g.code.clone(),
                name: places.label(&g.code),
                desil1: g.desil1.round() as u64,
                share: format!("{} %", t.decimal(&(f64::from(g.share) * 100.0))),
                extreme: g.extreme_target,
                ppks: g.ppks.round() as u64,
            })
            .collect();
        let kabkota = analysis
            .kabkota
            .iter()
            .map(|k| KabView {
                code: k.code.clone(),
                name: places.name(&k.code),
                desil1: k.desil1.round() as u64,
                planned: k.planned,
                ratio: k.need_per_reach.map_or_else(
                    || t.get("program.nothing_planned").to_string(),
                    |r| t.decimal(&r),
                ),
                need: k.desa_in_need,
                reached: k.desa_in_need_reached,
            })
            .collect();
        let gaps_map = gaps_map(t, &need, &analysis.gaps);
        Ok(AnalysisPage {
            region: within.map(|w| w.to_string()).unwrap_or_default(),
            overlap_total: analysis.overlaps.len(),
            gap_total: analysis.gaps.len(),
            desa_in_need: analysis.desa_in_need,
            desa_reached: analysis.desa_reached,
            desa_total,
            share_threshold: format!("{} %", t.decimal(&(f64::from(rules.desil1_share) * 100.0))),
            overlaps,
            intros,
            gaps,
            kabkota,
            gaps_map,
            lks_capacity,
            partner_view: false,
            t: ui.t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

/// Unreached desa in need as points (extreme-poverty targets darkest), over nothing else.
fn gaps_map(t: &Messages, need: &[DesaNeed], gaps: &[sinergi_insight::DesaGap]) -> Option<String> {
    let at: HashMap<&str, &DesaNeed> = need.iter().map(|d| (d.code.as_str(), d)).collect();
    let items: Vec<MapItem> = gaps
        .iter()
        .take(500)
        .filter_map(|g| {
            let d = at.get(g.code.as_str())?;
            Some(MapItem {
                code: g.code.clone(),
                label: g.code.clone(),
                geometry: Geometry::Point {
                    lon: d.longitude?,
                    lat: d.latitude?,
                },
                class: Some(usize::from(g.extreme_target)),
                size: Some(f64::from(g.desil1.max(1.0))),
                detail: format!(
                    "{} {}",
                    t.num(&(g.desil1.round() as u64)),
                    t.get("program.desil1_families")
                ),
                href: None,
            })
        })
        .collect();
    if items.len() < 2 {
        return None;
    }
    Some(
        Map {
            title: t.get("program.gaps_map").to_string(),
            items,
            background: Vec::new(),
            classes: vec![
                crate::map::LegendClass {
                    label: t.get("program.gap_need").to_string(),
                    colour: SEQUENTIAL[2].to_string(),
                },
                crate::map::LegendClass {
                    label: t.get("program.gap_extreme").to_string(),
                    colour: SEQUENTIAL[4].to_string(),
                },
            ],
            no_data_label: String::new(),
        }
        .render(),
    )
}

// ---------------------------------------------------------------------------------------
// JSON API

fn respond<T: Serialize>(ui: &Ui, result: Result<T, AppError>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.json(ui.t),
    }
}

async fn api_list(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        let sort = Sort::parse(q.urut.as_deref(), &PROGRAM_SORTS);
        Ok(state
            .store
            .programs(
                &user.principal,
                &q.filter()?,
                sort,
                Page::new(q.hal, q.per, PAGE_SIZE),
            )
            .await?)
    }
    .await;
    respond(&ui, result)
}

async fn api_detail(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        state
            .store
            .program(&user.principal, id)
            .await?
            .ok_or(AppError::not_found("program.not_found"))
    }
    .await;
    respond(&ui, result)
}

#[derive(Serialize)]
struct MatrixJson {
    level: Level,
    columns_by: &'static str,
    columns: Vec<String>,
    rows: Vec<MatrixRowJson>,
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

async fn api_matrix(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        let c = compute(&state, &user.principal, &q).await?;
        Ok(MatrixJson {
            level: c.level,
            columns_by: if c.by_partner { "mitra" } else { "sektor" },
            columns: c.matrix.columns.clone(),
            rows: c
                .matrix
                .rows
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

/// A program as a partner's system sends it. Text for vocabularies (keys or aliases), so a
/// wrong value is named in Indonesian rather than refused by the JSON parser.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramJson {
    pub organisasi: Option<i64>,
    pub kode: Option<String>,
    pub nama: Option<String>,
    pub sektor: Option<String>,
    #[serde(default)]
    pub ppks: Vec<String>,
    pub jenis_bantuan: Option<String>,
    pub sumber_dana: Option<String>,
    pub anggaran_rp: Option<u64>,
    pub mulai: Option<String>,
    pub selesai: Option<String>,
    pub status: Option<String>,
    pub desil: Option<String>,
    pub usia: Option<String>,
    pub jenis_kelamin: Option<String>,
    #[serde(default)]
    pub khusus_disabilitas: bool,
    pub sasaran: Option<u64>,
    #[serde(default)]
    pub tercapai: ReachedJson,
    #[serde(default)]
    pub lokasi: Vec<LocationJson>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReachedJson {
    #[serde(default)]
    pub total: u64,
    #[serde(default)]
    pub laki_laki: u64,
    #[serde(default)]
    pub perempuan: u64,
    #[serde(default)]
    pub anak: u64,
    #[serde(default)]
    pub disabilitas: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationJson {
    pub kode_wilayah: String,
    #[serde(default)]
    pub sasaran: u64,
    #[serde(default)]
    pub tercapai: u64,
}

fn field(field: &'static str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field,
        reason: reason.into(),
    }
}

impl ProgramJson {
    /// The program, or every field that is wrong.
    pub fn into_input(self, principal: &Principal) -> Result<ProgramInput, Vec<FieldError>> {
        let mut e = Vec::new();
        let organisation_id = match (
            principal.role.is_organisation_bound(),
            principal.scope.organisation,
            self.organisasi,
        ) {
            (true, Some(own), None) => own,
            (true, Some(own), Some(o)) if o == own => own,
            (true, _, Some(o)) => {
                e.push(field(
                    "organisasi",
                    format!(
                        "akun Anda hanya boleh mengisi program organisasinya sendiri, bukan {o}"
                    ),
                ));
                0
            }
            (_, _, Some(o)) => o,
            (_, _, None) => {
                e.push(field(
                    "organisasi",
                    "wajib diisi (nomor organisasi pemilik program)",
                ));
                0
            }
        };
        macro_rules! vocab {
            ($ty:ty, $value:expr, $name:literal, $default:expr) => {
                match $value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => $default.unwrap_or_else(|| {
                        e.push(field($name, "wajib diisi"));
                        <$ty>::ALL[0]
                    }),
                    Some(v) => <$ty>::lookup(v).unwrap_or_else(|| {
                        e.push(field(
                            $name,
                            format!("\"{v}\" tidak dikenal; pilih: {}", <$ty>::keys()),
                        ));
                        <$ty>::ALL[0]
                    }),
                }
            };
        }
        let sector = vocab!(Sector, self.sektor, "sektor", None::<Sector>);
        let aid_type = vocab!(
            AidType,
            self.jenis_bantuan,
            "jenis_bantuan",
            None::<AidType>
        );
        let funding = vocab!(
            FundingSource,
            self.sumber_dana,
            "sumber_dana",
            Some(FundingSource::Lainnya)
        );
        let status = vocab!(
            ProgramStatus,
            self.status,
            "status",
            Some(ProgramStatus::Berjalan)
        );
        let sex = vocab!(
            SexTarget,
            self.jenis_kelamin,
            "jenis_kelamin",
            Some(SexTarget::Semua)
        );
        let mut ppks = Vec::new();
        for p in &self.ppks {
            match Ppks::lookup(p) {
                Ok(x) => ppks.push(x),
                Err(err) => e.push(field("ppks", err.to_string())),
            }
        }
        let mut date = |v: &Option<String>, name: &'static str| match v.as_deref().map(str::trim) {
            None | Some("") => {
                e.push(field(name, "wajib diisi (TTTT-BB-HH)"));
                None
            }
            Some(s) => parse_date(s).or_else(|| {
                e.push(field(name, format!("\"{s}\" bukan tanggal (TTTT-BB-HH)")));
                None
            }),
        };
        let start = date(&self.mulai, "mulai");
        let end = date(&self.selesai, "selesai");
        let mut target = TargetGroup {
            sex,
            disability_only: self.khusus_disabilitas,
            ..TargetGroup::default()
        };
        if let Some(d) = self
            .desil
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match DesilRange::parse(d) {
                Ok(r) => {
                    target.desil_from = r.from.into();
                    target.desil_to = r.to.into();
                }
                Err(err) => e.push(field("desil", err.to_string())),
            }
        }
        match TargetGroup::parse_ages(self.usia.as_deref().unwrap_or("")) {
            Ok((lo, hi)) => {
                target.age_min = lo;
                target.age_max = hi;
            }
            Err(err) => e.push(field("usia", err)),
        }
        let mut locations = Vec::new();
        for l in &self.lokasi {
            match RegionCode::parse(&l.kode_wilayah) {
                Ok(region) => locations.push(ProgramLocation {
                    region,
                    planned: l.sasaran,
                    reached: l.tercapai,
                }),
                Err(err) => e.push(field("lokasi", format!("\"{}\": {err}", l.kode_wilayah))),
            }
        }
        let input = ProgramInput {
            organisation_id,
            code: self.kode.unwrap_or_default(),
            name: self.nama.unwrap_or_default(),
            sector,
            ppks,
            aid_type,
            funding,
            budget_rp: self.anggaran_rp.unwrap_or(0),
            start: start.unwrap_or_default(),
            end: end.or(start).unwrap_or_default(),
            status,
            target,
            planned: self.sasaran.unwrap_or(0),
            reached: Reached {
                total: self.tercapai.total,
                male: self.tercapai.laki_laki,
                female: self.tercapai.perempuan,
                children: self.tercapai.anak,
                disability: self.tercapai.disabilitas,
            },
            locations,
        };
        if let Err(more) = input.validate() {
            e.extend(
                more.into_iter()
                    .filter(|m| !(m.field == "selesai" && (start.is_none() || end.is_none()))),
            );
        }
        if e.is_empty() { Ok(input) } else { Err(e) }
    }
}

fn invalid_fields(t: Messages, fields: Vec<FieldError>) -> Response {
    let body = serde_json::json!({ "error": {
        "code": "program.invalid",
        "message": t.get("program.invalid"),
        "detail": fields.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; "),
        "fields": fields,
    }});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

async fn save_json(
    state: &AppState,
    ui: &Ui,
    user: &SessionUser,
    body: &[u8],
    id: Option<i64>,
) -> Response {
    if !user.principal.can_write() {
        return AppError::forbidden().json(ui.t);
    }
    let json: ProgramJson = match serde_json::from_slice(body) {
        Ok(j) => j,
        Err(e) => return AppError::bad_request_text("program.bad_json", e.to_string()).json(ui.t),
    };
    let mut input = match json.into_input(&user.principal) {
        Ok(i) => i,
        Err(fields) => return invalid_fields(ui.t, fields),
    };
    if let Some(id) = id {
        // Updating by id: the program must be visible, and keeps its organisation and code.
        match state.store.program(&user.principal, id).await {
            Ok(Some(existing)) => {
                if input.code.trim() != existing.input.code
                    || input.organisation_id != existing.input.organisation_id
                {
                    return invalid_fields(
                        ui.t,
                        vec![field(
                            "kode",
                            format!(
                                "program {id} berkode \"{}\"; kode dan organisasi tidak bisa diubah",
                                existing.input.code
                            ),
                        )],
                    );
                }
                input.code = existing.input.code;
            }
            Ok(None) => return AppError::not_found("program.not_found").json(ui.t),
            Err(e) => return AppError::from(e).json(ui.t),
        }
    }
    match state.store.save_program(&user.principal, &input).await {
        Ok(saved) => {
            let status = if saved.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(saved)).into_response()
        }
        Err(e) => AppError::from(e).json(ui.t),
    }
}

async fn api_save(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    body: Bytes,
) -> Response {
    save_json(&state, &ui, &user, &body, None).await
}

async fn api_update(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    save_json(&state, &ui, &user, &body, Some(id)).await
}
