//! Partner directory pages: list, detail and edit (a partner edits its own record), create,
//! agreements, import and export.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_activity::registries::Registry;
use sinergi_core::institution::{AgreementInput, Helix, rules};
use sinergi_intake::institutions::read_partners;
use sinergi_store::{PARTNER_SORTS, Page, PartnerFilter, PartnerRecord, Scoped, Sort};

use super::registry::{
    RegistryPages, editing, field_value_unknown, form_date, keep_key, read_form, refused_save,
};
use super::{Field, form_value, keyed_options, label, opt, opt_date};
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::pages::{optional_region, render};
use crate::{AppError, AppState, Ui};

/// The partner directory's shared pages (import, template, export).
pub struct PartnerPages;

impl RegistryPages for PartnerPages {
    const REGISTRY: Registry = Registry::Partners;
    const BASE: &'static str = "/mitra";
    const IMPORT_TITLE: &'static str = "partner.import_title";
    const EXPORT_EXTRA: &'static [&'static str] = &["wilayah", "kesepakatan"];
    type Query = PartnerQuery;
    type Record = PartnerRecord;

    async fn export_records<'a>(
        scoped: &'a Scoped<'a>,
        q: &'a PartnerQuery,
    ) -> Result<Vec<PartnerRecord>, AppError> {
        Ok(scoped.export_partners(&q.filter()?).await?)
    }

    fn export_row(r: &PartnerRecord) -> Vec<String> {
        let agreements = r
            .agreements
            .iter()
            .map(|a| {
                format!(
                    "{} ({} – {}): {}",
                    a.number,
                    opt_date(a.signed_on),
                    opt_date(a.valid_until),
                    a.scope
                )
            })
            .collect::<Vec<_>>()
            .join(" | ");
        record_values(r)
            .into_iter()
            .map(|(_, v)| v)
            .chain([opt(&r.region_name), agreements])
            .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PartnerQuery {
    pub q: Option<String>,
    pub peran: Option<String>,
    pub wilayah: Option<String>,
    pub sektor: Option<String>,
    pub urut: Option<String>,
    pub hal: Option<u32>,
}

impl PartnerQuery {
    pub(crate) fn filter(&self) -> Result<PartnerFilter, AppError> {
        let helix = match self.peran.as_deref().map(str::trim).unwrap_or("") {
            "" => None,
            h => Some(Helix::from_key(h).ok_or_else(|| {
                AppError::bad_request(
                    "error.invalid",
                    field_value_unknown(
                        "peran",
                        h,
                        "pemerintah, dunia_usaha, akademisi, masyarakat, media, filantropi",
                    ),
                )
            })?),
        };
        Ok(PartnerFilter {
            query: self.q.clone(),
            helix,
            region: optional_region(self.wilayah.as_deref())?,
            sector: self.sektor.clone(),
        })
    }
}

fn helix_options(t: Messages) -> Vec<(String, String)> {
    keyed_options(t, Helix::ALL, |h| h.key(), "partner.helix")
}

#[derive(Template)]
#[template(path = "partners.html")]
struct ListPage {
    ui: Ui,
    t: Messages,
    region_picker: crate::picker::RegionPicker,
    rows: Vec<PartnerRecord>,
    total: u64,
    pager: Option<Pager>,
    q: PartnerQuery,
    helixes: Vec<(String, String)>,
    can_create: bool,
}

impl ListPage {
    fn helix(&self, p: &PartnerRecord) -> String {
        if p.helix.is_none() {
            return String::new();
        }
        label(self.t, "partner.helix", p.helix_key())
    }
}

pub async fn list(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<PartnerQuery>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let sort = Sort::parse(q.urut.as_deref(), &PARTNER_SORTS);
        let paged = state
            .store
            .scoped(&user.viewer)
            .partners_list(&filter, sort, Page::new(q.hal, None, 50))
            .await?;
        let keep: Vec<(&str, &str)> = [
            ("q", &q.q),
            ("peran", &q.peran),
            ("wilayah", &q.wilayah),
            ("sektor", &q.sektor),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect();
        let pager = (paged.pages() > 1).then(|| Pager::new(&paged, "/mitra", &keep));
        Ok(ListPage {
            t: ui.t,
            ui: ui.clone(),
            region_picker: crate::picker::RegionPicker::load(&state, &ui, filter.region.as_ref())
                .await?,
            total: paged.total,
            rows: paged.items,
            pager,
            helixes: helix_options(ui.t),
            can_create: rules::may_add_registry_rows(&user.viewer),
            q,
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Template)]
#[template(path = "partner.html")]
struct DetailPage {
    ui: Ui,
    t: Messages,
    record: Option<PartnerRecord>,
    fields: Vec<Field>,
    can_edit: bool,
    errors: Vec<String>,
    saved: bool,
}

impl DetailPage {
    fn helix(&self) -> String {
        match &self.record {
            Some(p) if p.helix.is_some() => label(self.t, "partner.helix", p.helix_key()),
            _ => String::new(),
        }
    }
}

fn fields(t: Messages, value: &dyn Fn(&str) -> String, new: bool) -> Vec<Field> {
    let mut out = Vec::new();
    if new {
        out.push(Field::new("kode_mitra", "partner.key", "text", value("kode_mitra")).required());
    }
    out.extend([
        Field::new("nama", "partner.name", "text", value("nama")).required(),
        Field::new(
            "kode_wilayah",
            "partner.seat",
            "text",
            value("kode_wilayah"),
        )
        .required(),
        Field::new("peran", "partner.helix_label", "select", value("peran"))
            .options(helix_options(t)),
        Field::new("jenis", "partner.kind", "text", value("jenis")),
        Field::new("sektor", "partner.sectors", "text", value("sektor")),
        Field::new(
            "wilayah_kerja",
            "partner.areas",
            "text",
            value("wilayah_kerja"),
        ),
        Field::new(
            "narahubung",
            "inst.contact_name",
            "text",
            value("narahubung"),
        ),
        Field::new("telepon", "inst.phone", "tel", value("telepon")),
        Field::new("surel", "inst.email", "email", value("surel")),
        Field::new("alamat", "lks.address", "text", value("alamat")),
    ]);
    out
}

fn record_values(p: &PartnerRecord) -> Vec<(&'static str, String)> {
    vec![
        ("kode_mitra", opt(&p.key)),
        ("nama", p.name.clone()),
        ("kode_wilayah", p.region.clone()),
        ("peran", p.helix_key().to_string()),
        ("jenis", opt(&p.kind)),
        ("sektor", p.sectors.join(";")),
        ("wilayah_kerja", p.areas.join(";")),
        ("narahubung", opt(&p.contact_name)),
        ("telepon", opt(&p.phone)),
        ("surel", opt(&p.email)),
        ("alamat", opt(&p.address)),
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
        .partner(id)
        .await?
        .ok_or_else(|| AppError::not_found("partner.not_found"))?;
    let values = record_values(&record);
    let value = |n: &str| {
        values
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let seat = sinergi_core::RegionCode::parse(&record.region).map_err(AppError::internal)?;
    Ok(DetailPage {
        t: ui.t,
        ui: ui.clone(),
        fields: fields(ui.t, &value, record.key.is_none()),
        can_edit: rules::may_write_registry_row(&user.viewer, Some((&seat, record.id)), &seat),
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
    let p = page(&state, &ui, &user, id).await.map(|mut p| {
        p.saved = q.ok.is_some();
        p
    });
    render(&ui, p)
}

pub async fn new_form(ui: Ui, Signed(user): Signed) -> Response {
    if !rules::may_add_registry_rows(&user.viewer) {
        return AppError::forbidden().page(&ui);
    }
    render(
        &ui,
        Ok(DetailPage {
            t: ui.t,
            ui: ui.clone(),
            fields: fields(ui.t, &|_| String::new(), true),
            can_edit: true,
            record: None,
            errors: Vec::new(),
            saved: false,
        }),
    )
}

async fn save(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    id: Option<i64>,
    mut pairs: Vec<(String, String)>,
) -> Response {
    let record = match id {
        Some(id) => {
            let found = state.store.scoped(&user.viewer).partner(id).await;
            match editing(found, "partner.not_found") {
                Ok(r) => Some(r),
                Err(e) => return e.page(ui),
            }
        }
        None => None,
    };
    // A listed partner keeps its key; a bare one (made before the directory) gets one here.
    keep_key(
        &mut pairs,
        "kode_mitra",
        record.as_ref().and_then(|r| r.key.clone()),
    );
    let mut errors = Vec::new();
    match read_form(&ui.t, &pairs, read_partners) {
        Ok(input) => match state.store.scoped(&user.viewer).save_partner(&input).await {
            Ok((id, _)) => return Redirect::to(&format!("/mitra/{id}?ok=1")).into_response(),
            Err(e) => match refused_save(ui, e) {
                Ok(reason) => errors.push(reason),
                Err(e) => return e.page(ui),
            },
        },
        Err(e) => errors = e,
    }
    let value = |n: &str| form_value(&pairs, n).to_string();
    let new = record.as_ref().is_none_or(|r| r.key.is_none());
    let page = DetailPage {
        t: ui.t,
        ui: ui.clone(),
        fields: fields(ui.t, &value, new),
        can_edit: true,
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

#[derive(Deserialize)]
pub struct AgreementForm {
    nomor: String,
    tanggal: Option<String>,
    berlaku_sampai: Option<String>,
    ruang_lingkup: String,
}

pub async fn add_agreement(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<AgreementForm>,
) -> Response {
    let result: Result<(), AppError> = async {
        let input = AgreementInput {
            number: f.nomor.clone(),
            signed_on: form_date(&f.tanggal, "tanggal")?,
            valid_until: form_date(&f.berlaku_sampai, "berlaku_sampai")?,
            scope: f.ruang_lingkup.clone(),
        };
        state
            .store
            .scoped(&user.viewer)
            .save_agreement(id, &input)
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/mitra/{id}?ok=1")).into_response(),
        Err(e) => e.page(&ui),
    }
}
