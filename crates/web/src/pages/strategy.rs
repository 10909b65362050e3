//! The collaboration strategy: the tree (vision, missions, objectives, indicators) per
//! version, the indicator page (trend chart, kab/kota table and map, survey and administrative
//! figures side by side), the quarter dashboard (red first), data entry (form, import with a
//! reject report, computation), period locks, validation rules, settings, and reports.
//!
//! Access: admins manage the strategy of their province; admins and kab/kota operators enter
//! realisation within their regions; partners read (and see every region of the indicators
//! they are PIC for) but report through the LKKS; the board reads; the public sees the
//! published strategy and the province-level figures only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sinergi_core::strategy::{
    CompareOp, Direction, RatingBands, RuleCheck, ValidationRule, ValueKey, VersionStatus,
    Violation, evaluate_rules,
};
use sinergi_core::{Period, RegionCode};
use sinergi_report::{Labels, Status, red_first, statuses};
use sinergi_store::{
    EntryMethod, IndicatorFields, NewRealisation, OrganisationKind, PeriodLock, Realisation,
    RefusedRealisation, SessionUser, SourceType, Strategy, StrategyTree, Target,
};

use super::render;
use crate::auth::Signed;
use crate::chart::{LineChart, PALETTE, Series, ValueFormat};
use crate::i18n::{Lang, Messages};
use crate::map::{Geometry, LegendClass, Map, MapItem};
use crate::{AppError, AppState, Ui};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/strategi", get(index).post(create))
        .route(
            "/strategi/pengaturan",
            get(settings_form)
                .post(save_settings)
                .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024)),
        )
        .route("/strategi/{id}", get(tree_page))
        .route("/strategi/{id}/sasaran", post(add_objective))
        .route("/strategi/{id}/indikator", post(add_indicator))
        .route("/strategi/{id}/target", post(set_target))
        .route("/strategi/{id}/terbitkan", post(publish))
        .route("/strategi/{id}/amandemen", post(amend))
        .route("/strategi/{id}/indikator/{code}", get(indicator))
        .route("/strategi/{id}/dasbor", get(dashboard))
        .route("/strategi/{id}/data", get(data_page).post(save_value))
        .route(
            "/strategi/{id}/data/impor",
            post(import).layer(axum::extract::DefaultBodyLimit::max(
                super::lists::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/strategi/{id}/data/templat.xlsx", get(template))
        .route("/strategi/{id}/data/hitung", post(compute))
        .route("/strategi/{id}/kunci", post(lock))
        .route("/strategi/{id}/aturan", post(add_rule))
        .route(
            "/strategi/{id}/laporan",
            post(super::strategy_report::start),
        )
        .route(
            "/strategi/laporan/{job}",
            get(super::strategy_report::progress),
        )
        .route(
            "/strategi/laporan/{job}/unduh",
            get(super::strategy_report::download),
        )
}

/// Report labels from the web catalogue.
pub(crate) struct CatalogueLabels(pub Messages);

impl Labels for CatalogueLabels {
    fn get(&self, key: &str) -> String {
        self.0.get(key).to_string()
    }
    fn num(&self, v: f64) -> String {
        self.0.decimal(&v)
    }
    fn english(&self) -> bool {
        self.0.lang == Lang::En
    }
}

fn bad(detail: impl Into<String>) -> AppError {
    AppError::bad_request_text("error.invalid", detail)
}

async fn load_tree(
    state: &AppState,
    ui: &Ui,
    id: i64,
    number: Option<i64>,
) -> Result<StrategyTree, AppError> {
    state
        .store
        .scoped(ui.viewer())
        .strategy_tree(id, number)
        .await?
        .ok_or_else(|| AppError::not_found("strategy.not_found"))
}

/// The quarter in view: asked for, or the latest with values, or the current one.
fn chosen_period(asked: Option<&str>, values: &[Realisation]) -> Result<String, AppError> {
    if let Some(p) = asked.map(str::trim).filter(|p| !p.is_empty()) {
        return Period::parse(p)
            .map(|p| p.to_string())
            .map_err(|e| bad(e.to_string()));
    }
    Ok(values
        .iter()
        .filter(|v| v.period.contains('Q'))
        .map(|v| v.period.clone())
        .max()
        .unwrap_or_else(|| Period::quarter_of(chrono::Utc::now().date_naive()).to_string()))
}

async fn names_of(
    state: &AppState,
    codes: impl Iterator<Item = String>,
) -> Result<HashMap<String, String>, AppError> {
    let parsed: Vec<RegionCode> = codes.filter_map(|c| RegionCode::parse(&c).ok()).collect();
    Ok(state.store.region_names(&parsed).await?)
}

// ---------------------------------------------------------------- index and creation

#[derive(Template)]
#[template(path = "strategy_index.html")]
struct IndexPage {
    ui: Ui,
    t: Messages,
    strategies: Vec<(Strategy, Option<i64>)>,
    can_create: bool,
    error: Option<String>,
}

pub async fn index(State(state): State<AppState>, ui: Ui) -> Response {
    let result = index_page(&state, &ui, None).await;
    render(&ui, result)
}

async fn index_page(
    state: &AppState,
    ui: &Ui,
    error: Option<String>,
) -> Result<IndexPage, AppError> {
    let scoped = state.store.scoped(ui.viewer());
    let mut strategies = Vec::new();
    for s in scoped.strategies().await? {
        let published = scoped.published_number(s.id).await?;
        strategies.push((s, published));
    }
    Ok(IndexPage {
        t: ui.t,
        ui: ui.clone(),
        strategies,
        can_create: ui.viewer().is_admin(),
        error,
    })
}

#[derive(Deserialize)]
pub struct NewStrategyForm {
    wilayah: String,
    judul: String,
    tahun_awal: String,
    tahun_akhir: String,
    visi: String,
    #[serde(default)]
    misi: String,
}

fn year(field: &str, s: &str) -> Result<i32, AppError> {
    s.trim()
        .parse()
        .map_err(|_| bad(format!("{field}: \"{}\" bukan tahun", s.trim())))
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

pub async fn create(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(f): Form<NewStrategyForm>,
) -> Response {
    let result: Result<i64, AppError> = async {
        let years = (
            year("tahun awal", &f.tahun_awal)?,
            year("tahun akhir", &f.tahun_akhir)?,
        );
        let (id, _) = state
            .store
            .scoped(&user.viewer)
            .create_strategy(f.wilayah.trim(), &f.judul, years, &f.visi, &lines(&f.misi))
            .await?;
        Ok(id)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/strategi/{id}")).into_response(),
        Err(e) => e.page(&ui),
    }
}

// ---------------------------------------------------------------- the tree

#[derive(Template)]
#[template(path = "strategy_tree.html")]
struct TreePage {
    ui: Ui,
    t: Messages,
    tree: StrategyTree,
    years: Vec<i32>,
    /// Indicator id → province targets per year (formatted).
    targets: HashMap<i64, Vec<String>>,
    editable: bool,
    can_amend: bool,
    can_report: bool,
    directions: Vec<(&'static str, &'static str)>,
    disaggregations: Vec<&'static str>,
    computations: Vec<(&'static str, &'static str)>,
    /// Partners the editor may name as an indicator's PIC: they then see its realisation.
    partners: Vec<(i64, String)>,
}

#[derive(Deserialize)]
pub struct TreeQuery {
    versi: Option<i64>,
}

pub async fn tree_page(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<i64>,
    Query(q): Query<TreeQuery>,
) -> Response {
    let result = async {
        let tree = load_tree(&state, &ui, id, q.versi).await?;
        let years: Vec<i32> = (tree.strategy.year_from..=tree.strategy.year_to).collect();
        let targets = tree
            .indicators()
            .map(|i| {
                (
                    i.id,
                    years
                        .iter()
                        .map(|y| {
                            i.targets
                                .iter()
                                .find(|t| t.region == tree.strategy.region && t.year == *y)
                                .map_or("–".into(), |t| ui.t.decimal(&t.value))
                        })
                        .collect(),
                )
            })
            .collect();
        let manage = state.store.scoped(ui.viewer()).may_manage(&tree.strategy);
        let editable = manage && tree.version.status == VersionStatus::Draft;
        let partners = match (&ui.user, editable) {
            (Some(u), true) => state
                .store
                .scoped(&u.viewer)
                .organisations_acting_for()
                .await?
                .into_iter()
                .filter(|o| o.kind == OrganisationKind::Mitra)
                .map(|o| (o.id, o.name))
                .collect(),
            _ => Vec::new(),
        };
        let has_draft = tree
            .versions
            .iter()
            .any(|v| v.status == VersionStatus::Draft);
        Ok(TreePage {
            t: ui.t,
            ui: ui.clone(),
            editable,
            partners,
            can_amend: manage && !has_draft,
            can_report: ui.user.is_some(),
            years,
            targets,
            tree,
            directions: vec![
                ("turun", "strategy.direction.lower"),
                ("naik", "strategy.direction.higher"),
            ],
            disaggregations: sinergi_core::strategy::DISAGGREGATIONS.to_vec(),
            computations: sinergi_store::COMPUTATIONS
                .iter()
                .map(|c| (c.key, c.name))
                .collect(),
        })
    }
    .await;
    render(&ui, result)
}

async fn draft_of(state: &AppState, user: &SessionUser, id: i64) -> Result<i64, AppError> {
    state
        .store
        .scoped(&user.viewer)
        .strategy_versions(id)
        .await?
        .into_iter()
        .find(|v| v.status == VersionStatus::Draft)
        .map(|v| v.id)
        .ok_or_else(|| bad("strategi ini tidak punya draf; buat amandemen dulu"))
}

fn back_to_tree(id: i64, result: Result<(), AppError>, ui: &Ui) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/strategi/{id}")).into_response(),
        Err(e) => e.page(ui),
    }
}

#[derive(Deserialize)]
pub struct ObjectiveForm {
    kode: String,
    nama: String,
}

pub async fn add_objective(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ObjectiveForm>,
) -> Response {
    let result = async {
        let draft = draft_of(&state, &user, id).await?;
        state
            .store
            .scoped(&user.viewer)
            .add_objective(draft, &f.kode, &f.nama)
            .await?;
        Ok(())
    }
    .await;
    back_to_tree(id, result, &ui)
}

#[derive(Deserialize)]
pub struct IndicatorForm {
    sasaran: i64,
    kode: String,
    nama: String,
    definisi: String,
    #[serde(default)]
    rumus: String,
    satuan: String,
    arah: String,
    #[serde(default)]
    kode_rujukan: String,
    sumber_data: String,
    jenis_sumber: String,
    #[serde(default)]
    konsep: String,
    #[serde(default)]
    rincian: Vec<String>,
    #[serde(default)]
    tahun_dasar: String,
    #[serde(default)]
    nilai_dasar: String,
    #[serde(default)]
    sumber_dasar: String,
    #[serde(default)]
    pic: String,
    /// Organisation id of the partner responsible; empty for none.
    #[serde(default)]
    pic_organisasi: String,
    #[serde(default)]
    perhitungan: String,
}

fn opt_figure(field: &str, s: &str) -> Result<Option<f64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    sinergi_intake::realisation::parse_figure(s)
        .map(Some)
        .ok_or_else(|| bad(format!("{field}: \"{s}\" bukan angka")))
}

pub async fn add_indicator(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Response {
    let result = async {
        // serde_urlencoded reads repeated checkboxes (rincian) only as a list of pairs.
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&body).map_err(|e| bad(e.to_string()))?;
        let mut map = serde_json::Map::new();
        let mut rincian = Vec::new();
        for (k, v) in pairs {
            if k == "rincian" {
                rincian.push(serde_json::Value::String(v));
            } else if k == "sasaran" {
                map.insert(
                    k,
                    serde_json::Value::from(v.trim().parse::<i64>().unwrap_or(0)),
                );
            } else {
                map.insert(k, serde_json::Value::String(v));
            }
        }
        map.insert("rincian".into(), serde_json::Value::Array(rincian));
        let f: IndicatorForm = serde_json::from_value(serde_json::Value::Object(map))
            .map_err(|e| bad(format!("formulir indikator tidak lengkap: {e}")))?;
        let direction =
            Direction::parse(&f.arah).ok_or_else(|| bad("arah: pilih naik atau turun"))?;
        let source_type = SourceType::from_key(&f.jenis_sumber)
            .ok_or_else(|| bad("jenis sumber: pilih survei atau administratif"))?;
        let baseline_year = match f.tahun_dasar.trim() {
            "" => None,
            y => Some(year("tahun dasar", y)?),
        };
        // A named partner must be a partner organisation the editor may act for.
        let pic_organisation_id = match f.pic_organisasi.trim() {
            "" => None,
            text => {
                let known = state
                    .store
                    .scoped(&user.viewer)
                    .organisations_acting_for()
                    .await?
                    .into_iter()
                    .find(|o| o.kind == OrganisationKind::Mitra && o.id.to_string() == text);
                Some(
                    known
                        .ok_or_else(|| {
                            bad(format!(
                                "penanggung jawab (mitra): \"{text}\" bukan mitra di wilayah Anda"
                            ))
                        })?
                        .id,
                )
            }
        };
        let fields = IndicatorFields {
            code: f.kode,
            name: f.nama,
            definition: f.definisi,
            formula: f.rumus,
            unit: f.satuan,
            direction,
            reference_code: Some(f.kode_rujukan),
            data_source: f.sumber_data,
            source_type,
            concept: f.konsep,
            disaggregations: f.rincian,
            baseline_year,
            baseline_value: opt_figure("nilai dasar", &f.nilai_dasar)?,
            baseline_source: Some(f.sumber_dasar).filter(|s| !s.trim().is_empty()),
            pic: f.pic,
            pic_organisation_id,
            computation: Some(f.perhitungan).filter(|s| !s.trim().is_empty()),
        };
        state
            .store
            .scoped(&user.viewer)
            .add_indicator(f.sasaran, &fields)
            .await?;
        Ok(())
    }
    .await;
    back_to_tree(id, result, &ui)
}

#[derive(Deserialize)]
pub struct TargetForm {
    indikator: i64,
    wilayah: String,
    tahun: String,
    nilai: String,
}

pub async fn set_target(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<TargetForm>,
) -> Response {
    let result = async {
        let value = opt_figure("nilai target", &f.nilai)?
            .ok_or_else(|| bad("nilai target: wajib diisi"))?;
        state
            .store
            .scoped(&user.viewer)
            .set_targets(
                f.indikator,
                &[Target {
                    region: f.wilayah.trim().to_string(),
                    year: year("tahun", &f.tahun)?,
                    value,
                }],
            )
            .await?;
        Ok(())
    }
    .await;
    back_to_tree(id, result, &ui)
}

pub async fn publish(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let draft = draft_of(&state, &user, id).await?;
        state
            .store
            .scoped(&user.viewer)
            .publish_version(draft)
            .await?;
        Ok(())
    }
    .await;
    back_to_tree(id, result, &ui)
}

#[derive(Deserialize)]
pub struct AmendForm {
    alasan: String,
}

pub async fn amend(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<AmendForm>,
) -> Response {
    let result = state
        .store
        .scoped(&user.viewer)
        .amend_strategy(id, &f.alasan)
        .await
        .map(|_| ())
        .map_err(AppError::from);
    back_to_tree(id, result, &ui)
}

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
    fn of(t: Messages, bands: &RatingBands, s: &Status) -> Shown {
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
            band_label: band.as_ref().map_or_else(
                || t.get("strategy.no_data").to_string(),
                |b| band_label(t, b),
            ),
            band,
        }
    }
}

#[derive(Template)]
#[template(path = "strategy_indicator.html")]
struct IndicatorPage {
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
    period: String,
    regions: Vec<RegionStatus>,
    map: Option<String>,
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    periode: Option<String>,
    wilayah: Option<String>,
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
                        && v.period.starts_with(&y.to_string())
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
        let mut codes: Vec<String> = own
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
        let names = names_of(&state, codes.iter().cloned()).await?;
        let rows = statuses(&one, &own, &period, &bands, &codes);
        let mut sorted: Vec<&Status> = rows.iter().collect();
        red_first(&mut sorted);
        let regions: Vec<RegionStatus> = sorted
            .into_iter()
            .map(|s| RegionStatus {
                code: s.region.clone(),
                name: names.get(&s.region).cloned().unwrap_or_default(),
                shown: Shown::of(ui.t, &bands, s),
                status: s.clone(),
            })
            .collect();
        let map = region_map(&state, &ui, &regions, &bands, &ind.fields.name).await?;
        Ok(IndicatorPage {
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

/// Kab/kota as points at their coordinates, coloured by rating band.
async fn region_map(
    state: &AppState,
    ui: &Ui,
    regions: &[RegionStatus],
    bands: &RatingBands,
    title: &str,
) -> Result<Option<String>, AppError> {
    let mut items = Vec::new();
    for r in regions {
        let Ok(code) = RegionCode::parse(&r.code) else {
            continue;
        };
        let Some(region) = state.store.region(&code).await? else {
            continue;
        };
        let (Some(lat), Some(lon)) = (region.latitude, region.longitude) else {
            continue;
        };
        items.push(MapItem {
            code: r.code.clone(),
            label: region.name,
            geometry: Geometry::Point { lon, lat },
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

// Askama hands some arguments over by reference and some by value: take either.
pub(crate) fn status_key(s: impl std::borrow::Borrow<VersionStatus>) -> &'static str {
    match s.borrow() {
        VersionStatus::Draft => "strategy.status.draft",
        VersionStatus::Published => "strategy.status.published",
        VersionStatus::Superseded => "strategy.status.superseded",
    }
}

pub(crate) fn dis_key(d: &str) -> &'static str {
    match d {
        "jenis_kelamin" => "strategy.dis.jenis_kelamin",
        "kelompok_umur" => "strategy.dis.kelompok_umur",
        _ => "strategy.dis.disabilitas",
    }
}

pub(crate) fn method_key(m: impl std::borrow::Borrow<EntryMethod>) -> &'static str {
    match m.borrow() {
        EntryMethod::Form => "strategy.method.form",
        EntryMethod::Import => "strategy.method.import",
        EntryMethod::Computed => "strategy.method.computed",
    }
}

pub(crate) fn band_label(t: Messages, b: &sinergi_core::strategy::Band) -> String {
    if t.lang == Lang::En {
        b.label_en.clone()
    } else {
        b.label_id.clone()
    }
}

// ---------------------------------------------------------------- dashboard

/// A concept with its figures per source: (indicator code, source type key, value).
type SideBySide = (String, Vec<(String, &'static str, String)>);

pub struct DashRow {
    pub status: Status,
    pub shown: Shown,
    /// Kab/kota per band (same order as the bands), then without data.
    pub spread: Vec<usize>,
    pub worst: Vec<String>,
}

#[derive(Template)]
#[template(path = "strategy_dashboard.html")]
struct DashboardPage {
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

// ---------------------------------------------------------------- data entry

#[derive(Template)]
#[template(path = "strategy_data.html")]
struct DataPage {
    ui: Ui,
    t: Messages,
    tree: StrategyTree,
    period: String,
    can_enter: bool,
    can_manage: bool,
    locks: Vec<PeriodLock>,
    rules: Vec<ValidationRule>,
    violations: Vec<Violation>,
    recent: Vec<Realisation>,
    notice: Option<String>,
    error: Option<String>,
    refused: Vec<RefusedRealisation>,
    computations: Vec<(String, String, String)>,
}

async fn data_view(
    state: &AppState,
    ui: &Ui,
    user: &SessionUser,
    id: i64,
    period: Option<&str>,
) -> Result<DataPage, AppError> {
    let tree = load_tree(state, ui, id, None).await?;
    let scoped = state.store.scoped(&user.viewer);
    let values = scoped.realisations(&tree.strategy, None, None).await?;
    let period = chosen_period(period, &values)?;
    let rules = scoped.validation_rules(id).await?;
    let keyed: HashMap<ValueKey, f64> = values
        .iter()
        .filter(|v| v.disaggregation.is_empty() && v.period == period)
        .map(|v| {
            (
                (v.indicator_code.clone(), v.region.clone(), v.period.clone()),
                v.value,
            )
        })
        .collect();
    let violations = evaluate_rules(&rules, &keyed);
    let mut recent: Vec<Realisation> = values.into_iter().filter(|v| v.period == period).collect();
    recent.sort_by(|a, b| b.entered_at.cmp(&a.entered_at));
    recent.truncate(30);
    let computations = tree
        .indicators()
        .filter_map(|i| {
            let key = i.fields.computation.as_deref()?;
            let c = sinergi_store::computation(key)?;
            Some((i.fields.code.clone(), c.name.to_string(), c.sql.to_string()))
        })
        .collect();
    Ok(DataPage {
        t: ui.t,
        ui: ui.clone(),
        can_enter: scoped.enters_realisation() && tree.version.status == VersionStatus::Published,
        can_manage: scoped.may_manage(&tree.strategy),
        locks: scoped.period_locks(id).await?,
        tree,
        period,
        rules,
        violations,
        recent,
        notice: None,
        error: None,
        refused: Vec::new(),
        computations,
    })
}

pub async fn data_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let result = data_view(&state, &ui, &user, id, q.periode.as_deref()).await;
    render(&ui, result)
}

/// Renders the data page with the outcome of a change (400 when something was refused).
fn outcome(ui: &Ui, result: Result<DataPage, AppError>) -> Response {
    let failed = matches!(&result, Ok(v) if v.error.is_some());
    let mut resp = render(ui, result);
    if failed {
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    resp
}

#[derive(Deserialize)]
pub struct ValueForm {
    kode_indikator: String,
    #[serde(default)]
    rincian: String,
    kode_wilayah: String,
    periode: String,
    sumber: String,
    nilai: String,
    #[serde(default)]
    faktor_pendorong: String,
    #[serde(default)]
    faktor_penghambat: String,
    #[serde(default)]
    tindak_lanjut: String,
}

pub async fn save_value(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ValueForm>,
) -> Response {
    let result = async {
        let period = Period::parse(&f.periode).ok();
        let mut view = data_view(
            &state,
            &ui,
            &user,
            id,
            period.map(|p| p.to_string()).as_deref(),
        )
        .await?;
        let Some(period) = period else {
            view.error = Some(format!(
                "{}: {}",
                ui.t.get("strategy.period"),
                Period::parse(&f.periode)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            ));
            return Ok(view);
        };
        let Some(value) = sinergi_intake::realisation::parse_figure(&f.nilai) else {
            view.error = Some(format!(
                "{}: \"{}\" {}",
                ui.t.get("strategy.actual"),
                f.nilai.trim(),
                ui.t.get("strategy.not_a_number")
            ));
            return Ok(view);
        };
        let row = NewRealisation {
            line: 0,
            indicator_code: f.kode_indikator,
            disaggregation: f.rincian,
            region: f.kode_wilayah,
            period,
            source: f.sumber,
            value,
            drivers: f.faktor_pendorong,
            obstacles: f.faktor_penghambat,
            follow_up: f.tindak_lanjut,
        };
        apply(&state, &ui, &user, id, &mut view, EntryMethod::Form, &[row]).await?;
        Ok(view)
    }
    .await;
    outcome(&ui, result)
}

/// Saves rows and refreshes the view with the outcome.
async fn apply(
    state: &AppState,
    ui: &Ui,
    user: &SessionUser,
    id: i64,
    view: &mut DataPage,
    method: EntryMethod,
    rows: &[NewRealisation],
) -> Result<(), AppError> {
    match state
        .store
        .scoped(&user.viewer)
        .save_realisations(id, method, rows)
        .await
    {
        Ok(Ok(n)) => {
            let period = view.period.clone();
            *view = data_view(state, ui, user, id, Some(&period)).await?;
            view.notice = Some(format!("{} {}", n, ui.t.get("strategy.saved")));
        }
        Ok(Err(refused)) => {
            view.error = Some(ui.t.get("strategy.refused").to_string());
            view.refused = refused;
        }
        Err(e) => match AppError::from(e) {
            AppError {
                detail: Some(d), ..
            } => view.error = Some(ui.t.render(&d)),
            other => return Err(other),
        },
    }
    Ok(())
}

pub async fn import(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        let mut view = data_view(&state, &ui, &user, id, None).await?;
        let mut file: Option<(String, Vec<u8>)> = None;
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some("berkas") {
                let name = field.file_name().unwrap_or("realisasi.csv").to_string();
                let bytes = field.bytes().await.map_err(|e| bad(e.to_string()))?;
                file = Some((name, bytes.to_vec()));
            }
        }
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            view.error = Some(ui.t.get("lists.no_file").to_string());
            return Ok(view);
        };
        let table = if name.to_lowercase().ends_with(".xlsx") {
            let dir = tempfile_dir()?;
            let path = dir.join("realisasi.xlsx");
            std::fs::write(&path, &bytes).map_err(AppError::internal)?;
            let t = sinergi_intake::read_table_file(&path);
            let _ = std::fs::remove_dir_all(&dir);
            t
        } else {
            sinergi_intake::read_csv_table(&bytes)
        };
        let table = match table {
            Ok(t) => t,
            Err(e) => {
                view.error = Some(e.to_string());
                return Ok(view);
            }
        };
        let (rows, errors) = sinergi_intake::realisation::read_realisations(&table);
        if !errors.is_empty() {
            view.error = Some(ui.t.get("strategy.refused").to_string());
            view.refused = errors
                .into_iter()
                .map(|e| RefusedRealisation {
                    line: e.line,
                    column: column_name(e.column.as_deref()),
                    reason: ui.t.render(&e.reason),
                })
                .collect();
            return Ok(view);
        }
        let rows: Vec<NewRealisation> = rows
            .into_iter()
            .map(|r| NewRealisation {
                line: r.line,
                indicator_code: r.indicator_code,
                disaggregation: r.disaggregation,
                region: r.region,
                period: r.period,
                source: r.source,
                value: r.value,
                drivers: r.drivers,
                obstacles: r.obstacles,
                follow_up: r.follow_up,
            })
            .collect();
        if rows.is_empty() {
            view.error = Some(ui.t.get("strategy.empty_file").to_string());
            return Ok(view);
        }
        apply(
            &state,
            &ui,
            &user,
            id,
            &mut view,
            EntryMethod::Import,
            &rows,
        )
        .await?;
        Ok(view)
    }
    .await;
    outcome(&ui, result)
}

fn column_name(c: Option<&str>) -> &'static str {
    sinergi_intake::realisation::COLUMNS
        .iter()
        .find(|k| Some(**k) == c)
        .copied()
        .unwrap_or("")
}

fn tempfile_dir() -> Result<std::path::PathBuf, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    let dir = std::env::temp_dir().join(format!(
        "sinergi-impor-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ));
    std::fs::create_dir_all(&dir).map_err(AppError::internal)?;
    Ok(dir)
}

pub async fn template(
    State(state): State<AppState>,
    ui: Ui,
    Signed(_user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let tree = load_tree(&state, &ui, id, None).await?;
        let columns = sinergi_intake::realisation::COLUMNS;
        let example: Vec<Vec<String>> = tree
            .indicators()
            .take(3)
            .map(|i| {
                vec![
                    i.fields.code.clone(),
                    String::new(),
                    tree.strategy.region.clone(),
                    "2025-Q3".into(),
                    i.fields.data_source.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]
            })
            .collect();
        let table = crate::export::Table::new("realisasi", &columns, example)
            .with_column_notes(&ui.t, "strategy.column.{}");
        crate::export::table_download(crate::export::TableFormat::Xlsx, "templat-realisasi", table)
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => e.page(&ui),
    }
}

#[derive(Deserialize)]
pub struct ComputeForm {
    periode: String,
}

pub async fn compute(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ComputeForm>,
) -> Response {
    let result = async {
        let period = Period::parse(&f.periode).map_err(|e| bad(e.to_string()))?;
        let mut view = data_view(&state, &ui, &user, id, Some(&period.to_string())).await?;
        match state
            .store
            .scoped(&user.viewer)
            .compute_realisations(id, period)
            .await
        {
            Ok(Ok(n)) => {
                view = data_view(&state, &ui, &user, id, Some(&period.to_string())).await?;
                view.notice = Some(format!("{n} {}", ui.t.get("strategy.computed")));
            }
            Ok(Err(refused)) => {
                view.error = Some(ui.t.get("strategy.refused").to_string());
                view.refused = refused;
            }
            Err(e) => return Err(e.into()),
        }
        Ok(view)
    }
    .await;
    outcome(&ui, result)
}

#[derive(Deserialize)]
pub struct LockForm {
    periode: String,
    aksi: String,
    #[serde(default)]
    alasan: String,
}

pub async fn lock(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<LockForm>,
) -> Response {
    let result: Result<Period, AppError> = async {
        let period = Period::parse(&f.periode).map_err(|e| bad(e.to_string()))?;
        let scoped = state.store.scoped(&user.viewer);
        match f.aksi.as_str() {
            "kunci" => scoped.lock_period(id, period).await?,
            _ => scoped.reopen_period(id, period, &f.alasan).await?,
        }
        Ok(period)
    }
    .await;
    match result {
        Ok(p) => Redirect::to(&format!("/strategi/{id}/data?periode={p}")).into_response(),
        Err(e) => e.page(&ui),
    }
}

#[derive(Deserialize)]
pub struct RuleForm {
    nama: String,
    kiri: String,
    jenis: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    kanan: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
}

pub async fn add_rule(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<RuleForm>,
) -> Response {
    let result: Result<(), AppError> = async {
        let check = if f.jenis == "bandingkan" {
            RuleCheck::Compare {
                op: CompareOp::parse(&f.operator)
                    .ok_or_else(|| bad(format!("operator \"{}\" tidak dikenal", f.operator)))?,
                right: f.kanan.trim().to_string(),
            }
        } else {
            RuleCheck::Range {
                min: opt_figure("batas bawah", &f.min)?,
                max: opt_figure("batas atas", &f.max)?,
            }
        };
        state
            .store
            .scoped(&user.viewer)
            .add_validation_rule(id, &f.nama, &f.kiri, &check)
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/strategi/{id}/data")).into_response(),
        Err(e) => e.page(&ui),
    }
}

// ---------------------------------------------------------------- settings

#[derive(Template)]
#[template(path = "strategy_settings.html")]
struct SettingsPage {
    ui: Ui,
    t: Messages,
    bands: RatingBands,
    letterhead: String,
    has_logo: bool,
    notice: Option<String>,
}

pub async fn settings_form(
    State(state): State<AppState>,
    ui: Ui,
    crate::auth::Admin(_user): crate::auth::Admin,
) -> Response {
    let result = async {
        let scoped = state.store.scoped(ui.viewer());
        let kop = scoped.letterhead().await?;
        Ok(SettingsPage {
            t: ui.t,
            ui: ui.clone(),
            bands: scoped.rating_bands().await?,
            letterhead: kop.lines.join("\n"),
            has_logo: kop.logo_jpeg_base64.is_some(),
            notice: None,
        })
    }
    .await;
    render(&ui, result)
}

pub async fn save_settings(
    State(state): State<AppState>,
    ui: Ui,
    crate::auth::Admin(user): crate::auth::Admin,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        let mut preset = String::new();
        let mut kop = String::new();
        let mut logo: Option<Vec<u8>> = None;
        let mut drop_logo = false;
        let mut colours: HashMap<usize, String> = HashMap::new();
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field.name().unwrap_or("").to_string();
            if name == "logo" {
                let b = field.bytes().await.map_err(|e| bad(e.to_string()))?;
                if !b.is_empty() {
                    logo = Some(b.to_vec());
                }
                continue;
            }
            let text = field.text().await.map_err(|e| bad(e.to_string()))?;
            match name.as_str() {
                "pita" => preset = text,
                "kop" => kop = text,
                "hapus_logo" => drop_logo = true,
                n if n.starts_with("warna_") => {
                    if let Ok(i) = n["warna_".len()..].parse() {
                        colours.insert(i, text.trim().to_string());
                    }
                }
                _ => {}
            }
        }
        let mut bands = match preset.as_str() {
            "empat" => RatingBands::four(),
            "lima" => RatingBands::five(),
            _ => state.store.scoped(&user.viewer).rating_bands().await?,
        };
        if preset.is_empty() || preset == "tetap" {
            for (i, c) in colours {
                if let Some(b) = bands.bands.get_mut(i) {
                    b.colour = c;
                }
            }
        }
        let mut letterhead = state.store.scoped(&user.viewer).letterhead().await?;
        letterhead.lines = lines(&kop);
        if let Some(bytes) = logo {
            if !sinergi_report::pdf::is_usable_jpeg(&bytes) {
                return Err(bad(ui.t.get("strategy.settings.logo_bad")));
            }
            use base64::Engine;
            letterhead.logo_jpeg_base64 =
                Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        } else if drop_logo {
            letterhead.logo_jpeg_base64 = None;
        }
        state
            .store
            .scoped(&user.viewer)
            .set_strategy_settings(&bands, &letterhead)
            .await?;
        Ok(SettingsPage {
            t: ui.t,
            ui: ui.clone(),
            bands,
            has_logo: letterhead.logo_jpeg_base64.is_some(),
            letterhead: letterhead.lines.join("\n"),
            notice: Some(ui.t.get("strategy.settings.saved").to_string()),
        })
    }
    .await;
    render(&ui, result)
}
