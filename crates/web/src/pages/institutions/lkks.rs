//! LKKS network pages: the list, detail with status (and its history), decree, term, board
//! and yearly records, import and export, and the formation-target page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_activity::registries::Registry;
use sinergi_core::Msg;
use sinergi_core::institution::{BoardMember, BoardPosition, FormationStatus, LkksBody, field_msg};
use sinergi_intake::institutions::read_lkks;
use sinergi_store::{
    FormationProgress, FormationTarget, LKKS_SORTS, LkksFilter, LkksRecord, LkksRow, LkksYear,
    Page, Scoped, Sort,
};

use super::registry::{
    RegistryPages, field_value_unknown, form_date, keep_key, read_form, refused_save,
};
use super::{Field, form_value, keyed_options, label, opt, opt_date};
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::pages::{optional_region, render};
use crate::{AppError, AppState, Ui};

/// The LKKS network's shared pages (import, template, export).
pub struct LkksPages;

impl RegistryPages for LkksPages {
    const REGISTRY: Registry = Registry::Lkks;
    const BASE: &'static str = "/lkks";
    const IMPORT_TITLE: &'static str = "lkks.import_title";
    const EXPORT_EXTRA: &'static [&'static str] = &["wilayah"];
    type Query = LkksQuery;
    type Record = LkksRecord;

    async fn export_records<'a>(
        scoped: &'a Scoped<'a>,
        q: &'a LkksQuery,
    ) -> Result<Vec<LkksRecord>, AppError> {
        Ok(scoped.export_lkks(&q.filter()?).await?)
    }

    fn export_row(r: &LkksRecord) -> Vec<String> {
        record_values(r)
            .into_iter()
            .map(|(_, v)| v)
            .chain([opt(&r.lkks.region_name)])
            .collect()
    }
}

const STATUS_CHOICES: &str = "belum_dibentuk, dalam_pembentukan, dikukuhkan, aktif, tidak_aktif";

#[derive(Debug, Default, Deserialize)]
pub struct LkksQuery {
    pub q: Option<String>,
    pub wilayah: Option<String>,
    pub status: Option<String>,
    pub urut: Option<String>,
    pub hal: Option<u32>,
}

impl LkksQuery {
    pub(crate) fn filter(&self) -> Result<LkksFilter, AppError> {
        let status = match self.status.as_deref().map(str::trim).unwrap_or("") {
            "" => None,
            s => Some(FormationStatus::from_key(s).ok_or_else(|| {
                AppError::bad_request(
                    "error.invalid",
                    field_value_unknown("status", s, STATUS_CHOICES),
                )
            })?),
        };
        Ok(LkksFilter {
            query: self.q.clone(),
            region: optional_region(self.wilayah.as_deref())?,
            status,
        })
    }
}

fn status_options(t: Messages) -> Vec<(String, String)> {
    keyed_options(t, FormationStatus::ALL, |s| s.key(), "lkks.status")
}

#[derive(Template)]
#[template(path = "lkks_list.html")]
struct ListPage {
    ui: Ui,
    t: Messages,
    region_picker: crate::picker::RegionPicker,
    rows: Vec<LkksRow>,
    total: u64,
    pager: Option<Pager>,
    q: LkksQuery,
    statuses: Vec<(String, String)>,
    can_import: bool,
}

impl ListPage {
    fn status(&self, s: &FormationStatus) -> String {
        label(self.t, "lkks.status", s.key())
    }
}

pub async fn list(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<LkksQuery>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let sort = Sort::parse(q.urut.as_deref(), &LKKS_SORTS);
        let paged = state
            .store
            .scoped(&user.viewer)
            .lkks_list(&filter, sort, Page::new(q.hal, None, 50))
            .await?;
        let keep: Vec<(&str, &str)> = [("q", &q.q), ("wilayah", &q.wilayah), ("status", &q.status)]
            .into_iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
            .collect();
        let pager = (paged.pages() > 1).then(|| Pager::new(&paged, "/lkks", &keep));
        Ok(ListPage {
            t: ui.t,
            ui: ui.clone(),
            region_picker: crate::picker::RegionPicker::load(&state, &ui, filter.region.as_ref())
                .await?,
            total: paged.total,
            rows: paged.items,
            pager,
            statuses: status_options(ui.t),
            can_import: sinergi_core::institution::rules::may_add_registry_rows(&user.viewer),
            q,
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Template)]
#[template(path = "lkks_detail.html")]
struct DetailPage {
    ui: Ui,
    t: Messages,
    record: LkksRecord,
    fields: Vec<Field>,
    positions: Vec<(String, String)>,
    can_edit: bool,
    errors: Vec<String>,
    saved: bool,
}

impl DetailPage {
    fn status(&self, s: &FormationStatus) -> String {
        label(self.t, "lkks.status", s.key())
    }

    fn position(&self, p: &BoardPosition) -> String {
        label(self.t, "lkks.position", p.key())
    }
}

fn fields(t: Messages, value: &dyn Fn(&str) -> String) -> Vec<Field> {
    vec![
        Field::new("nama", "lkks.name", "text", value("nama")).required(),
        Field::new("sebutan", "lkks.body", "select", value("sebutan")).options(
            LkksBody::ALL
                .iter()
                .map(|b| (b.key().to_string(), b.key().to_string()))
                .collect(),
        ),
        Field::new("status", "lkks.status_label", "select", value("status"))
            .options(status_options(t)),
        Field::new("no_sk", "lkks.decree", "text", value("no_sk")),
        Field::new(
            "tanggal_sk",
            "lkks.decree_date",
            "date",
            value("tanggal_sk"),
        ),
        Field::new(
            "ditandatangani_oleh",
            "lkks.signed_by",
            "text",
            value("ditandatangani_oleh"),
        ),
        Field::new(
            "periode_mulai",
            "lkks.term_start",
            "date",
            value("periode_mulai"),
        ),
        Field::new(
            "periode_selesai",
            "lkks.term_end",
            "date",
            value("periode_selesai"),
        ),
        Field::new("alamat", "lks.address", "text", value("alamat")),
        Field::new("telepon", "inst.phone", "tel", value("telepon")),
        Field::new("surel", "inst.email", "email", value("surel")),
        Field::new("catatan", "lkks.status_note", "text", value("catatan")),
    ]
}

fn record_values(r: &LkksRecord) -> Vec<(&'static str, String)> {
    let l = &r.lkks;
    let seat = |p| r.seat(p).map(|s| s.name.clone()).unwrap_or_default();
    vec![
        ("kode_wilayah", l.region.clone()),
        ("nama", l.name.clone()),
        ("sebutan", l.body.clone()),
        ("status", l.status.key().to_string()),
        ("no_sk", opt(&l.decree_number)),
        ("tanggal_sk", opt_date(l.decree_date)),
        ("ditandatangani_oleh", opt(&l.decree_signed_by)),
        ("periode_mulai", opt_date(l.term_start)),
        ("periode_selesai", opt_date(l.term_end)),
        ("alamat", opt(&l.address)),
        ("telepon", opt(&l.phone)),
        ("surel", opt(&l.email)),
        ("ketua_umum", seat(BoardPosition::KetuaUmum)),
        ("ketua_harian", seat(BoardPosition::KetuaHarian)),
        ("sekretaris", seat(BoardPosition::Sekretaris)),
        ("bendahara", seat(BoardPosition::Bendahara)),
    ]
}

async fn page(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    id: i64,
) -> Result<DetailPage, AppError> {
    let record = state
        .store
        .scoped(&user.viewer)
        .lkks(id)
        .await?
        .ok_or_else(|| AppError::not_found("lkks.not_found"))?;
    let values = record_values(&record);
    let value = |n: &str| {
        values
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Ok(DetailPage {
        t: ui.t,
        ui: ui.clone(),
        fields: fields(ui.t, &value),
        positions: keyed_options(ui.t, BoardPosition::ALL, |p| p.key(), "lkks.position"),
        can_edit: user.viewer.can_write(),
        record,
        errors: Vec::new(),
        saved: false,
    })
}

#[derive(Deserialize)]
pub struct SavedQuery {
    ok: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let p = page(&state, &ui, &user, id).await.map(|mut p| {
        p.saved = q.ok.is_some();
        p
    });
    render(&ui, p)
}

pub async fn update(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(mut pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut view = match page(&state, &ui, &user, id).await {
        Ok(v) => v,
        Err(e) => return e.page(&ui),
    };
    // The region is the key: it comes from the record.
    let region = view.record.lkks.region.clone();
    keep_key(&mut pairs, "kode_wilayah", Some(region));
    let note = form_value(&pairs, "catatan").to_string();
    let mut errors = Vec::new();
    match read_form(&ui.t, &pairs, read_lkks) {
        Ok(mut input) => {
            // The board is edited seat by seat below, not through this form.
            input.board = None;
            match state
                .store
                .scoped(&user.viewer)
                .save_lkks(&input, Some(&note))
                .await
            {
                Ok(_) => return Redirect::to(&format!("/lkks/{id}?ok=1")).into_response(),
                Err(e) => match refused_save(&ui, e) {
                    Ok(reason) => errors.push(reason),
                    Err(e) => return e.page(&ui),
                },
            }
        }
        Err(e) => errors = e,
    }
    let value = |n: &str| form_value(&pairs, n).to_string();
    view.fields = fields(ui.t, &value);
    view.errors = errors;
    let mut resp = render(&ui, Ok(view));
    *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    resp
}

#[derive(Deserialize)]
pub struct SeatForm {
    jabatan: String,
    bidang: Option<String>,
    nama: String,
    telepon: Option<String>,
    surel: Option<String>,
}

pub async fn add_seat(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<SeatForm>,
) -> Response {
    let Some(position) = BoardPosition::from_key(&f.jabatan) else {
        let positions: Vec<&str> = BoardPosition::ALL.iter().map(|p| p.key()).collect();
        return AppError::bad_request(
            "error.invalid",
            field_value_unknown("jabatan", &f.jabatan, &positions.join(", ")),
        )
        .page(&ui);
    };
    let member = BoardMember {
        position,
        title: f.bidang.filter(|b| !b.trim().is_empty()),
        name: f.nama,
        phone: f.telepon,
        email: f.surel,
    };
    match state
        .store
        .scoped(&user.viewer)
        .add_board_member(id, &member)
        .await
    {
        Ok(()) => Redirect::to(&format!("/lkks/{id}?ok=1")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

pub async fn remove_seat(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, seat)): Path<(i64, i64)>,
) -> Response {
    match state
        .store
        .scoped(&user.viewer)
        .remove_board_member(id, seat)
        .await
    {
        Ok(_) => Redirect::to(&format!("/lkks/{id}?ok=1")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

#[derive(Deserialize)]
pub struct YearForm {
    tahun: String,
    laporan_diterima: Option<String>,
    sinkron_program: Option<String>,
    catatan: Option<String>,
}

pub async fn set_year(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<YearForm>,
) -> Response {
    let result: Result<(), AppError> = async {
        let year: i64 = f.tahun.trim().parse().map_err(|_| {
            AppError::bad_request(
                "error.invalid",
                field_msg("tahun", Msg::new("error.value_malformed")),
            )
        })?;
        let record = LkksYear {
            year,
            report_received_on: form_date(&f.laporan_diterima, "laporan_diterima")?,
            program_synced_on: form_date(&f.sinkron_program, "sinkron_program")?,
            note: f.catatan.clone(),
        };
        state
            .store
            .scoped(&user.viewer)
            .set_lkks_year(id, &record)
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/lkks/{id}?ok=1")).into_response(),
        Err(e) => e.page(&ui),
    }
}

#[derive(Template)]
#[template(path = "lkks_target.html")]
struct TargetPage {
    ui: Ui,
    t: Messages,
    targets: Vec<FormationTarget>,
    progress: Option<FormationProgress>,
    statuses: Vec<(String, String)>,
    can_create: bool,
    province: String,
    map: Option<String>,
}

impl TargetPage {
    fn status(&self, s: &FormationStatus) -> String {
        label(self.t, "lkks.status", s.key())
    }
}

#[derive(Deserialize)]
pub struct TargetQuery {
    id: Option<i64>,
}

pub async fn targets(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<TargetQuery>,
) -> Response {
    let result = async {
        let p = &user.principal;
        let targets = state.store.scoped(&user.viewer).formation_targets().await?;
        let chosen = q.id.or_else(|| targets.first().map(|t| t.id));
        let progress = match chosen {
            Some(id) => {
                state
                    .store
                    .scoped(&user.viewer)
                    .formation_progress(id)
                    .await?
            }
            None => None,
        };
        let map = match &progress {
            Some(p) => {
                let codes: Vec<_> = p.entries.iter().map(|e| e.region.clone()).collect();
                let areas = crate::map::areas_of(&state.store, &codes).await?;
                target_map(ui.t, p, &areas)
            }
            None => None,
        };
        Ok(TargetPage {
            t: ui.t,
            ui: ui.clone(),
            map,
            targets,
            progress,
            statuses: status_options(ui.t),
            can_create: user.viewer.is_admin(),
            province: p
                .scope
                .regions
                .first()
                .map(|r| r.province().to_string())
                .unwrap_or_default(),
        })
    }
    .await;
    render(&ui, result)
}

/// The kab/kota of a target as areas (points where no boundary is held): dark when the
/// target is reached, light when not; each links to its LKKS when one is recorded. `None`
/// when fewer than two can be drawn.
fn target_map(
    t: Messages,
    p: &FormationProgress,
    areas: &std::collections::HashMap<String, crate::map::MultiPolygon>,
) -> Option<String> {
    use crate::map::{LegendClass, Map, MapItem, SEQUENTIAL};
    let items: Vec<MapItem> = p
        .entries
        .iter()
        .filter_map(|e| {
            let code = e.region.to_string();
            let geometry = crate::map::geometry(areas, &code, e.latitude, e.longitude)?;
            Some(MapItem {
                code,
                label: e.region_name.clone(),
                geometry,
                class: Some(usize::from(e.reached)),
                size: None,
                detail: e.status.map_or_else(
                    || t.get("lkks.no_record").to_string(),
                    |s| label(t, "lkks.status", s.key()),
                ),
                href: e.lkks_id.map(|id| format!("/lkks/{id}")),
            })
        })
        .collect();
    if items.len() < 2 {
        return None;
    }
    Some(
        Map {
            title: format!("{} {}", p.target.name, t.get("lkks.target_map")),
            items,
            background: Vec::new(),
            classes: vec![
                LegendClass {
                    label: t.get("lkks.target_missing").to_string(),
                    colour: SEQUENTIAL[0].to_string(),
                },
                LegendClass {
                    label: t.get("lkks.target_reached_legend").to_string(),
                    colour: SEQUENTIAL[4].to_string(),
                },
            ],
            no_data_label: String::new(),
        }
        .render(),
    )
}

#[derive(Deserialize)]
pub struct TargetForm {
    provinsi: String,
    nama: String,
    status: String,
    tenggat: String,
}

pub async fn create_target(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(f): Form<TargetForm>,
) -> Response {
    let result: Result<i64, AppError> = async {
        let province = sinergi_core::RegionCode::parse(f.provinsi.trim()).map_err(|_| {
            AppError::bad_request(
                "error.bad_code",
                Msg::new("institution.region_malformed").arg("value", &f.provinsi),
            )
        })?;
        let status = FormationStatus::from_key(&f.status).ok_or_else(|| {
            AppError::bad_request(
                "error.invalid",
                field_value_unknown("status", &f.status, STATUS_CHOICES),
            )
        })?;
        let due = form_date(&Some(f.tenggat.clone()), "tenggat")?.ok_or_else(|| {
            AppError::bad_request(
                "error.invalid",
                field_msg("tenggat", Msg::new("institution.required")),
            )
        })?;
        Ok(state
            .store
            .scoped(&user.viewer)
            .save_formation_target(&province, &f.nama, status, due)
            .await?)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/lkks/target?id={id}")).into_response(),
        Err(e) => e.page(&ui),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use sinergi_store::FormationEntry;

    #[test]
    fn the_target_map_marks_reached_and_missing_kab_kota() {
        let entry = |code: &str, name: &str, lat: f64, reached: bool| FormationEntry {
            region: sinergi_core::RegionCode::parse(code).unwrap(),
            region_name: name.into(),
            latitude: Some(lat),
            longitude: Some(116.0 + lat / 10.0),
            lkks_id: reached.then_some(7),
            status: reached.then_some(FormationStatus::Aktif),
            reached,
        };
        let p = FormationProgress {
            target: FormationTarget {
                id: 1,
                province: "52".into(),
                name: "Semua aktif".into(),
                target_status: FormationStatus::Aktif,
                due_date: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            },
            entries: vec![
                entry("52.03", "Kabupaten Lombok Timur", -8.6, true),
                entry("52.04", "Kabupaten Sumbawa", -8.7, false),
            ],
            reached: 1,
        };
        let svg = target_map(Messages::new(Lang::Id), &p, &Default::default()).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(
            svg.contains("href=\"/lkks/7\""),
            "the reached one links to its LKKS"
        );
        assert!(svg.contains("Kabupaten Sumbawa") && svg.contains("belum tercatat"));
        assert!(svg.contains("Sudah mencapai target"), "legend");
        let one = FormationProgress {
            entries: p.entries[..1].to_vec(),
            ..p
        };
        assert!(target_map(Messages::new(Lang::Id), &one, &Default::default()).is_none());
    }
}
