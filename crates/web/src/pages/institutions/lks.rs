//! LKS registry pages: the list (the public directory without login), detail and edit,
//! create, import and export, expiries, and capacity against need.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_activity::registries::Registry;
use sinergi_core::institution::{EXPIRY_WINDOW_DAYS, Grade, ReportPeriod, ReportRole, rules};
use sinergi_core::{Ppks, RegionCode};
use sinergi_intake::institutions::read_lks;
use sinergi_store::{
    CapacityRow, Expiry, GradeFilter, LKS_SORTS, LksFilter, LksRecord, LksRow, Page, Scoped, Sort,
    services_label,
};

use super::registry::{
    RegistryPages, editing, field_value_unknown, keep_key, list_links, read_form, refused_save,
};
use super::{Field, form_table, form_value, opt, opt_date, today};
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::pages::{optional_region, render};
use crate::{AppError, AppState, Ui};

/// The LKS registry's shared pages (import, template, export).
pub struct LksPages;

impl RegistryPages for LksPages {
    const REGISTRY: Registry = Registry::Lks;
    const BASE: &'static str = "/lks";
    const IMPORT_TITLE: &'static str = "lks.import_title";
    const EXPORT_EXTRA: &'static [&'static str] = &["wilayah", "lkks", "akreditasi_berlaku"];
    type Query = LksQuery;
    type Record = LksRecord;

    async fn export_records<'a>(
        scoped: &'a Scoped<'a>,
        q: &'a LksQuery,
    ) -> Result<Vec<LksRecord>, AppError> {
        Ok(scoped.export_lks(&q.filter()?).await?)
    }

    fn export_row(r: &LksRecord) -> Vec<String> {
        record_values(r)
            .into_iter()
            .map(|(_, v)| v)
            .chain([
                opt(&r.region_name),
                opt(&r.lkks_name),
                opt_date(r.accreditation_until),
            ])
            .collect()
    }
}

pub const LKS_PAGE_SIZE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct LksQuery {
    pub q: Option<String>,
    pub wilayah: Option<String>,
    pub ppks: Option<String>,
    pub akreditasi: Option<String>,
    pub segera: Option<String>,
    pub urut: Option<String>,
    pub hal: Option<u32>,
    pub ukuran: Option<u32>,
}

impl LksQuery {
    pub fn filter(&self) -> Result<LksFilter, AppError> {
        let ppks = match self
            .ppks
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(p) => Some(Ppks::lookup(p).map_err(|_| {
                AppError::bad_request(
                    "error.invalid",
                    field_value_unknown("ppks", p, "1–26, LUT, ADK, …"),
                )
            })?),
            None => None,
        };
        let grade = match self.akreditasi.as_deref().map(str::trim).unwrap_or("") {
            "" => None,
            "belum" => Some(GradeFilter::None),
            g => Some(GradeFilter::Grade(Grade::from_key(g).ok_or_else(|| {
                AppError::bad_request(
                    "error.invalid",
                    field_value_unknown("akreditasi", g, "A, B, C, belum"),
                )
            })?)),
        };
        let soon = self.segera.as_deref().is_some_and(|s| !s.is_empty());
        Ok(LksFilter {
            query: self.q.clone(),
            region: optional_region(self.wilayah.as_deref())?,
            ppks,
            grade,
            accreditation_ends: soon.then(|| {
                (
                    today(),
                    today() + chrono::Duration::days(EXPIRY_WINDOW_DAYS),
                )
            }),
        })
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        [
            ("q", &self.q),
            ("wilayah", &self.wilayah),
            ("ppks", &self.ppks),
            ("akreditasi", &self.akreditasi),
            ("segera", &self.segera),
            ("urut", &self.urut),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect()
    }
}

pub fn ppks_options() -> Vec<(String, String)> {
    Ppks::ALL
        .iter()
        .map(|p| {
            (
                p.number().to_string(),
                format!("{}. {}", p.number(), p.name()),
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "lks_list.html")]
struct ListPage {
    ui: Ui,
    t: Messages,
    region_picker: crate::picker::RegionPicker,
    rows: Vec<LksRow>,
    total: u64,
    pager: Option<Pager>,
    q: LksQuery,
    ppks: Vec<(String, String)>,
    sorts: Vec<(String, &'static str)>,
    signed: bool,
    can_create: bool,
    export_query: String,
}

pub async fn list(State(state): State<AppState>, ui: Ui, Query(q): Query<LksQuery>) -> Response {
    let result = async {
        let filter = q.filter()?;
        let viewer = ui.viewer();
        let sort = Sort::parse(q.urut.as_deref(), &LKS_SORTS);
        let page = Page::new(q.hal, q.ukuran, LKS_PAGE_SIZE);
        let paged = state
            .store
            .scoped(viewer)
            .lks_list(&filter, sort, page)
            .await?;
        let (pager, export_query) = list_links(&paged, "/lks", &q.params());
        let sorts = LKS_SORTS
            .iter()
            .flat_map(|(k, _)| [(k.to_string(), "asc"), (format!("-{k}"), "desc")])
            .collect();
        Ok(ListPage {
            t: ui.t,
            ui: ui.clone(),
            region_picker: crate::picker::RegionPicker::load(&state, &ui, filter.region.as_ref())
                .await?,
            total: paged.total,
            rows: paged.items,
            pager,
            ppks: ppks_options(),
            sorts,
            signed: !viewer.is_public(),
            can_create: rules::may_add_registry_rows(viewer),
            export_query,
            q,
        })
    }
    .await;
    render(&ui, result)
}

impl ListPage {
    fn sort_label(&self, value: &str, dir: &str) -> String {
        format!(
            "{} {}",
            super::label(self.t, "lks.sort", value.trim_start_matches('-')),
            super::label(self.t, "inst", dir)
        )
    }
}

#[derive(Template)]
#[template(path = "lks_detail.html")]
struct DetailPage {
    ui: Ui,
    t: Messages,
    record: Option<LksRecord>,
    fields: Vec<Field>,
    can_edit: bool,
    can_report: bool,
    /// Whether the LKKS name links to its record (not for an LKS's own account).
    link_lkks: bool,
    report_period: String,
    errors: Vec<String>,
    saved: bool,
}

impl DetailPage {
    fn services(&self) -> String {
        self.record
            .as_ref()
            .map(|r| services_label(&r.service_list()))
            .unwrap_or_default()
    }
}

/// The edit form's fields, from a record or from posted values.
fn fields(t: Messages, value: &dyn Fn(&str) -> String) -> Vec<Field> {
    let grades = vec![
        ("A".to_string(), "A".to_string()),
        ("B".to_string(), "B".to_string()),
        ("C".to_string(), "C".to_string()),
    ];
    let mut grade = Field::new("akreditasi", "lks.grade", "select", value("akreditasi"));
    grade.options = std::iter::once((String::new(), t.get("lks.grade_none").to_string(), false))
        .chain(grades.into_iter().map(|(v, l)| {
            let sel = value("akreditasi") == v;
            (v, l, sel)
        }))
        .collect();
    vec![
        Field::new("kode_lks", "lks.key", "text", value("kode_lks")).required(),
        Field::new("nama", "lks.name", "text", value("nama")).required(),
        Field::new(
            "kode_wilayah",
            "lks.region_code",
            "text",
            value("kode_wilayah"),
        )
        .required(),
        Field::new("alamat", "lks.address", "text", value("alamat")),
        Field::new("lintang", "lks.latitude", "text", value("lintang")),
        Field::new("bujur", "lks.longitude", "text", value("bujur")),
        Field::new(
            "layanan_ppks",
            "lks.services",
            "checks",
            value("layanan_ppks"),
        )
        .options(ppks_options()),
        Field::new("kapasitas", "lks.capacity", "number", value("kapasitas")),
        Field::new(
            "klien_laki_laki",
            "lks.clients_male",
            "number",
            value("klien_laki_laki"),
        ),
        Field::new(
            "klien_perempuan",
            "lks.clients_female",
            "number",
            value("klien_perempuan"),
        ),
        Field::new(
            "klien_anak",
            "lks.clients_child",
            "number",
            value("klien_anak"),
        ),
        Field::new(
            "klien_dewasa",
            "lks.clients_adult",
            "number",
            value("klien_dewasa"),
        ),
        Field::new(
            "klien_lansia",
            "lks.clients_elderly",
            "number",
            value("klien_lansia"),
        ),
        Field::new(
            "klien_disabilitas",
            "lks.clients_disability",
            "number",
            value("klien_disabilitas"),
        ),
        Field::new("akta_notaris", "lks.deed", "text", value("akta_notaris")),
        Field::new(
            "tanggal_akta",
            "lks.deed_date",
            "date",
            value("tanggal_akta"),
        ),
        Field::new(
            "sk_kemenkumham",
            "lks.kemenkumham",
            "text",
            value("sk_kemenkumham"),
        ),
        Field::new("npwp", "lks.npwp", "text", value("npwp")),
        Field::new(
            "tanda_daftar",
            "lks.registration",
            "text",
            value("tanda_daftar"),
        ),
        Field::new(
            "tanda_daftar_berlaku",
            "lks.registration_until",
            "date",
            value("tanda_daftar_berlaku"),
        ),
        Field::new(
            "izin_operasional",
            "lks.permit",
            "text",
            value("izin_operasional"),
        ),
        Field::new(
            "izin_berlaku",
            "lks.permit_until",
            "date",
            value("izin_berlaku"),
        ),
        grade,
        Field::new(
            "tanggal_akreditasi",
            "lks.accredited_on",
            "date",
            value("tanggal_akreditasi"),
        ),
        Field::new(
            "narahubung",
            "inst.contact_name",
            "text",
            value("narahubung"),
        ),
        Field::new("telepon", "inst.phone", "tel", value("telepon")),
        Field::new("surel", "inst.email", "email", value("surel")),
    ]
}

/// The record's values under the import column names (the export row, too).
fn record_values(r: &LksRecord) -> Vec<(&'static str, String)> {
    let n = |v: u32| v.to_string();
    vec![
        ("kode_lks", opt(&r.key)),
        ("nama", r.name.clone()),
        ("kode_wilayah", r.region.clone()),
        ("alamat", opt(&r.address)),
        (
            "lintang",
            r.latitude.map(|v| v.to_string()).unwrap_or_default(),
        ),
        (
            "bujur",
            r.longitude.map(|v| v.to_string()).unwrap_or_default(),
        ),
        (
            "layanan_ppks",
            r.services
                .iter()
                .map(|s| s.ppks.number().to_string())
                .collect::<Vec<_>>()
                .join(";"),
        ),
        ("kapasitas", r.capacity.to_string()),
        ("klien_laki_laki", n(r.clients.male)),
        ("klien_perempuan", n(r.clients.female)),
        ("klien_anak", n(r.clients.child)),
        ("klien_dewasa", n(r.clients.adult)),
        ("klien_lansia", n(r.clients.elderly)),
        ("klien_disabilitas", n(r.clients.disability)),
        ("akta_notaris", opt(&r.deed_number)),
        ("tanggal_akta", opt_date(r.deed_date)),
        ("sk_kemenkumham", opt(&r.kemenkumham_decree)),
        ("npwp", opt(&r.npwp)),
        ("tanda_daftar", opt(&r.registration_number)),
        ("tanda_daftar_berlaku", opt_date(r.registration_until)),
        ("izin_operasional", opt(&r.permit_number)),
        ("izin_berlaku", opt_date(r.permit_until)),
        ("akreditasi", opt(&r.grade)),
        ("tanggal_akreditasi", opt_date(r.accredited_on)),
        ("narahubung", opt(&r.contact_name)),
        ("telepon", opt(&r.phone)),
        ("surel", opt(&r.email)),
    ]
}

async fn detail_page(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    id: i64,
) -> Result<DetailPage, AppError> {
    let record = state
        .store
        .scoped(&user.viewer)
        .lks(id)
        .await?
        .ok_or_else(|| AppError::not_found("lks.not_found"))?;
    let values = record_values(&record);
    let value = |name: &str| {
        values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Ok(DetailPage {
        t: ui.t,
        ui: ui.clone(),
        fields: fields(ui.t, &value),
        can_edit: user.viewer.can_write(),
        can_report: rules::report_role(&user.viewer) == ReportRole::Reporter,
        link_lkks: rules::may_open_other_registry_rows(&user.viewer),
        report_period: ReportPeriod::of(today()).previous().to_string(),
        record: Some(record),
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
    let page = detail_page(&state, &ui, &user, id).await.map(|mut p| {
        p.saved = q.ok.is_some();
        p
    });
    render(&ui, page)
}

pub async fn new_form(ui: Ui, Signed(user): Signed) -> Response {
    if !rules::may_add_registry_rows(&user.viewer) {
        return AppError::forbidden().page(&ui);
    }
    let page = DetailPage {
        t: ui.t,
        ui: ui.clone(),
        fields: fields(ui.t, &|_| String::new()),
        can_edit: true,
        can_report: false,
        link_lkks: false,
        report_period: String::new(),
        record: None,
        errors: Vec::new(),
        saved: false,
    };
    render(&ui, Ok(page))
}

/// Saves posted values; on a problem, the form comes back with the values and reasons.
async fn save(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    id: Option<i64>,
    mut pairs: Vec<(String, String)>,
) -> Response {
    // Editing: the LKS must be in view, and its key comes from the record, not the form.
    let record = match id {
        Some(id) => {
            let found = state.store.scoped(&user.viewer).lks(id).await;
            match editing(found, "lks.not_found") {
                Ok(r) => Some(r),
                Err(e) => return e.page(ui),
            }
        }
        None => None,
    };
    keep_key(
        &mut pairs,
        "kode_lks",
        record.as_ref().and_then(|r| r.key.clone()),
    );
    let mut errors = Vec::new();
    match read_form(&ui.t, &pairs, read_lks) {
        Ok(input) => match state.store.scoped(&user.viewer).save_lks(&input).await {
            Ok((id, _)) => return Redirect::to(&format!("/lks/{id}?ok=1")).into_response(),
            Err(e) => match refused_save(ui, e) {
                Ok(reason) => errors.push(reason),
                Err(e) => return e.page(ui),
            },
        },
        Err(e) => errors = e,
    }
    let value = |name: &str| form_value(&pairs, name).to_string();
    let joined = form_table(&pairs);
    let services = joined
        .header
        .iter()
        .position(|h| h == "layanan_ppks")
        .map(|i| joined.columns[i].get(0).to_string())
        .unwrap_or_default();
    let mut fields = fields(ui.t, &value);
    if let Some(f) = fields.iter_mut().find(|f| f.name == "layanan_ppks") {
        *f = Field::new("layanan_ppks", "lks.services", "checks", services).options(ppks_options());
    }
    let page = DetailPage {
        t: ui.t,
        ui: ui.clone(),
        fields,
        can_edit: true,
        can_report: false,
        link_lkks: false,
        report_period: String::new(),
        record,
        errors,
        saved: false,
    };
    let mut resp = render(ui, Ok(page));
    *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    resp
}

pub async fn create(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    save(&state, &ui, &user, None, pairs).await
}

pub async fn update(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    save(&state, &ui, &user, Some(id), pairs).await
}

#[derive(Template)]
#[template(path = "lks_expiries.html")]
struct ExpiriesPage {
    ui: Ui,
    t: Messages,
    rows: Vec<Expiry>,
    expired: bool,
    window: i64,
    pager: Pager,
}

impl ExpiriesPage {
    fn what(&self, e: &Expiry) -> String {
        super::label(self.t, "lks.expiry", e.what)
    }
}

#[derive(Deserialize)]
pub struct ExpiriesQuery {
    lewat: Option<String>,
    hal: Option<u32>,
}

/// Rows per page of the expiry list: keeps it well inside the page budget.
const EXPIRIES_PAGE_SIZE: u32 = 100;

pub async fn expiries(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<ExpiriesQuery>,
) -> Response {
    let expired = q.lewat.is_some_and(|v| !v.is_empty());
    let result = async {
        let paged = state
            .store
            .scoped(&user.viewer)
            .lks_expiries_page(today(), expired, Page::new(q.hal, None, EXPIRIES_PAGE_SIZE))
            .await?;
        let params: &[(&str, &str)] = if expired { &[("lewat", "1")] } else { &[] };
        Ok(ExpiriesPage {
            t: ui.t,
            ui: ui.clone(),
            pager: Pager::new(&paged, "/lks/kedaluwarsa", params),
            rows: paged.items,
            expired,
            window: EXPIRY_WINDOW_DAYS,
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Template)]
#[template(path = "lks_capacity.html")]
struct CapacityPage {
    ui: Ui,
    t: Messages,
    rows: Vec<CapacityRow>,
    region_picker: crate::picker::RegionPicker,
    totals: (u64, u64),
    /// Which import fills the need column, when no row has a need.
    fill_note: Option<String>,
}

impl CapacityPage {
    fn coverage(&self, r: &CapacityRow) -> String {
        r.coverage().map(|c| self.t.decimal(&c)).unwrap_or_default()
    }

    fn need(&self, r: &CapacityRow) -> String {
        r.need.map(|n| self.t.decimal(&n)).unwrap_or_default()
    }
}

#[derive(Deserialize)]
pub struct CapacityQuery {
    wilayah: Option<String>,
}

pub async fn capacity(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<CapacityQuery>,
) -> Response {
    let result = async {
        // Default: the user's first scope region (a province admin sees kab/kota).
        let region: Option<RegionCode> = match optional_region(q.wilayah.as_deref())? {
            Some(r) => Some(r),
            None => user.principal.scope.regions.first().cloned(),
        };
        let rows = state
            .store
            .scoped(&user.viewer)
            .lks_capacity_by_region(region.as_ref())
            .await?;
        let totals = (
            rows.iter().map(|r| r.capacity).sum(),
            rows.iter().map(|r| r.clients).sum(),
        );
        let fill_note = (!rows.is_empty() && rows.iter().all(|r| r.need.is_none())).then(|| {
            let level = region
                .as_ref()
                .map_or(Some(sinergi_core::Level::Provinsi), |r| r.level().child());
            crate::pages::fill_note(
                &ui.t,
                ui.t.get("lks.need"),
                "ppks_<jenis>",
                match level {
                    Some(sinergi_core::Level::Provinsi) => "level.provinsi",
                    Some(sinergi_core::Level::KabKota) => "level.kabkota",
                    Some(sinergi_core::Level::Kecamatan) => "level.kecamatan",
                    _ => "level.desa",
                },
            )
        });
        Ok(CapacityPage {
            t: ui.t,
            ui: ui.clone(),
            rows,
            region_picker: crate::picker::RegionPicker::load(&state, &ui, region.as_ref()).await?,
            totals,
            fill_note,
        })
    }
    .await;
    render(&ui, result)
}
