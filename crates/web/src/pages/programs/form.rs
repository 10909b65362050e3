//! The HTML form that creates and edits one program, without JavaScript. The values go
//! through the same checks as the JSON API (`ProgramJson::into_input`), so a wrong field is
//! named the same way in both; saving is the `save_program` use case (the store applies the
//! scope and audits the change).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sinergi_activity::programs::{SaveMode, SaveOutcome, editable_program, save_program};
use sinergi_core::program::{
    AidType, FieldError, FundingSource, ProgramStatus, Sector, SexTarget, own_organisation,
};
use sinergi_core::{Msg, Ppks};
use sinergi_store::{Program, SessionUser};

use super::{
    Choice, LocationJson, ProgramJson, ReachedJson, aid_key, funding_key, render, sector_key,
    sex_key, status_key,
};
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

/// The form as typed: text, so a wrong value comes back to the user unchanged.
#[derive(Debug, Clone, Default)]
pub struct ProgramFormValues {
    pub organisasi: String,
    pub kode: String,
    pub nama: String,
    pub sektor: String,
    pub ppks: Vec<String>,
    pub jenis_bantuan: String,
    pub sumber_dana: String,
    pub anggaran_rp: String,
    pub mulai: String,
    pub selesai: String,
    pub status: String,
    pub desil: String,
    pub usia: String,
    pub jenis_kelamin: String,
    pub khusus_disabilitas: bool,
    pub sasaran: String,
    pub tercapai_total: String,
    pub tercapai_laki_laki: String,
    pub tercapai_perempuan: String,
    pub tercapai_anak: String,
    pub tercapai_disabilitas: String,
    /// One location per line: `kode_wilayah sasaran tercapai`, anything after `#` ignored.
    pub lokasi: String,
}

impl ProgramFormValues {
    /// From the posted pairs (PPKS checkboxes repeat their name).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> ProgramFormValues {
        let mut v = ProgramFormValues::default();
        for (k, value) in pairs {
            let slot = match k.as_str() {
                "organisasi" => &mut v.organisasi,
                "kode" => &mut v.kode,
                "nama" => &mut v.nama,
                "sektor" => &mut v.sektor,
                "jenis_bantuan" => &mut v.jenis_bantuan,
                "sumber_dana" => &mut v.sumber_dana,
                "anggaran_rp" => &mut v.anggaran_rp,
                "mulai" => &mut v.mulai,
                "selesai" => &mut v.selesai,
                "status" => &mut v.status,
                "desil" => &mut v.desil,
                "usia" => &mut v.usia,
                "jenis_kelamin" => &mut v.jenis_kelamin,
                "sasaran" => &mut v.sasaran,
                "tercapai_total" => &mut v.tercapai_total,
                "tercapai_laki_laki" => &mut v.tercapai_laki_laki,
                "tercapai_perempuan" => &mut v.tercapai_perempuan,
                "tercapai_anak" => &mut v.tercapai_anak,
                "tercapai_disabilitas" => &mut v.tercapai_disabilitas,
                "lokasi" => &mut v.lokasi,
                "ppks" => {
                    v.ppks.push(value);
                    continue;
                }
                "khusus_disabilitas" => {
                    v.khusus_disabilitas = true;
                    continue;
                }
                _ => continue,
            };
            *slot = value;
        }
        v
    }

    /// The form of a stored program, for editing.
    fn of(p: &Program) -> ProgramFormValues {
        let i = &p.input;
        let t = &i.target;
        ProgramFormValues {
            organisasi: i.organisation_id.to_string(),
            kode: i.code.clone(),
            nama: i.name.clone(),
            sektor: i.sector.key().to_string(),
            ppks: i.ppks.iter().map(|x| x.number().to_string()).collect(),
            jenis_bantuan: i.aid_type.key().to_string(),
            sumber_dana: i.funding.key().to_string(),
            anggaran_rp: i.budget_rp.to_string(),
            mulai: i.start.to_string(),
            selesai: i.end.to_string(),
            status: i.status.key().to_string(),
            desil: format!("{}-{}", t.desil_from, t.desil_to),
            usia: t.ages_text(),
            jenis_kelamin: t.sex.key().to_string(),
            khusus_disabilitas: t.disability_only,
            sasaran: i.planned.to_string(),
            tercapai_total: i.reached.total.to_string(),
            tercapai_laki_laki: i.reached.male.to_string(),
            tercapai_perempuan: i.reached.female.to_string(),
            tercapai_anak: i.reached.children.to_string(),
            tercapai_disabilitas: i.reached.disability.to_string(),
            lokasi: i
                .locations
                .iter()
                .map(|l| {
                    let name = p
                        .region_names
                        .get(l.region.as_str())
                        .map(|n| format!(" # {n}"))
                        .unwrap_or_default();
                    format!("{} {} {}{name}", l.region, l.planned, l.reached)
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The API's body for these values, or the fields that are not even numbers or lines.
    fn to_json(&self) -> (ProgramJson, Vec<FieldError>) {
        let mut e = Vec::new();
        let mut number = |v: &str, field: &'static str| -> Option<u64> {
            let v = v.trim().replace(['.', ' '], "");
            if v.is_empty() {
                return None;
            }
            v.parse::<u64>().map(Some).unwrap_or_else(|_| {
                e.push(FieldError::new(
                    field,
                    Msg::new("programs.not_unsigned").arg("value", &v),
                ));
                None
            })
        };
        let text = |v: &str| Some(v.trim().to_string()).filter(|s| !s.is_empty());
        let json = ProgramJson {
            organisasi: self.organisasi.trim().parse().ok(),
            kode: text(&self.kode),
            nama: text(&self.nama),
            sektor: text(&self.sektor),
            ppks: self.ppks.clone(),
            jenis_bantuan: text(&self.jenis_bantuan),
            sumber_dana: text(&self.sumber_dana),
            anggaran_rp: number(&self.anggaran_rp, "anggaran_rp"),
            mulai: text(&self.mulai),
            selesai: text(&self.selesai),
            status: text(&self.status),
            desil: text(&self.desil),
            usia: text(&self.usia),
            jenis_kelamin: text(&self.jenis_kelamin),
            khusus_disabilitas: self.khusus_disabilitas,
            sasaran: number(&self.sasaran, "sasaran"),
            tercapai: ReachedJson {
                total: number(&self.tercapai_total, "tercapai").unwrap_or(0),
                laki_laki: number(&self.tercapai_laki_laki, "tercapai").unwrap_or(0),
                perempuan: number(&self.tercapai_perempuan, "tercapai").unwrap_or(0),
                anak: number(&self.tercapai_anak, "tercapai").unwrap_or(0),
                disabilitas: number(&self.tercapai_disabilitas, "tercapai").unwrap_or(0),
            },
            lokasi: Vec::new(),
        };
        let mut json = json;
        for (n, line) in self.lokasi.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("");
            let parts: Vec<&str> = line
                .split([' ', '\t', ';', ','])
                .filter(|s| !s.is_empty())
                .collect();
            if parts.is_empty() {
                continue;
            }
            let mut nums = Vec::new();
            for p in &parts[1..] {
                match p.parse::<u64>() {
                    Ok(x) => nums.push(x),
                    Err(_) => e.push(FieldError::new(
                        "lokasi",
                        Msg::new("programs.location_line_number")
                            .arg("line", n + 1)
                            .arg("value", p),
                    )),
                }
            }
            if nums.len() > 2 {
                e.push(FieldError::new(
                    "lokasi",
                    Msg::new("programs.location_line_too_many").arg("line", n + 1),
                ));
            }
            json.lokasi.push(LocationJson {
                kode_wilayah: parts[0].to_string(),
                sasaran: nums.first().copied().unwrap_or(0),
                tercapai: nums.get(1).copied().unwrap_or(0),
            });
        }
        (json, e)
    }
}

/// The label of a field named in an error, so messages read like the form.
fn field_label(field: &str) -> &'static str {
    match field {
        "organisasi" => "program.partner",
        "kode" | "kode_program" => "program.code",
        "nama" | "nama_program" => "program.name",
        "sektor" => "program.sector",
        "ppks" => "program.ppks",
        "jenis_bantuan" => "program.aid_type",
        "sumber_dana" => "program.funding",
        "anggaran_rp" => "program.budget",
        "mulai" => "program.from",
        "selesai" => "program.to",
        "status" => "program.status",
        "desil" => "program.desil",
        "usia" => "program.ages",
        "jenis_kelamin" => "program.sex",
        "sasaran" => "program.planned",
        "tercapai" => "program.reached",
        "lokasi" => "program.locations",
        _ => "program.invalid",
    }
}

pub struct FieldMessage {
    pub field: String,
    pub label: &'static str,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "program_form.html")]
struct FormPage {
    ui: Ui,
    t: Messages,
    /// The program being edited (id, name), or none for a new one.
    existing: Option<(i64, String)>,
    form: ProgramFormValues,
    errors: Vec<FieldMessage>,
    error: Option<String>,
    /// Organisations the account may enter programs for; one for a partner or LKS.
    organisations: Vec<Choice>,
    sectors: Vec<Choice>,
    aid_types: Vec<Choice>,
    fundings: Vec<Choice>,
    statuses: Vec<Choice>,
    sexes: Vec<Choice>,
    ppks: Vec<Choice>,
}

fn vocab<T: Copy>(
    t: &Messages,
    all: &[T],
    key: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            value: key(*x).to_string(),
            label: t.get(label(*x)).to_string(),
            selected: key(*x) == selected,
        })
        .collect()
}

async fn page(
    state: &AppState,
    ui: &Ui,
    user: &SessionUser,
    existing: Option<&Program>,
    mut form: ProgramFormValues,
    errors: Vec<FieldError>,
    error: Option<String>,
) -> Result<FormPage, AppError> {
    let t = &ui.t;
    let orgs = sinergi_activity::lists::organisations_for(&state.store, &user.viewer).await?;
    let own = own_organisation(&user.viewer);
    if let Some(own) = own {
        form.organisasi = own.to_string();
    }
    let organisations = orgs
        .into_iter()
        .filter(|o| own.is_none_or(|id| id == o.id))
        .filter(|o| existing.is_none_or(|p| p.input.organisation_id == o.id))
        .map(|o| Choice {
            selected: form.organisasi == o.id.to_string(),
            value: o.id.to_string(),
            label: o.name,
        })
        .collect();
    let or = |v: &str, d: &str| {
        if v.is_empty() {
            d.to_string()
        } else {
            v.to_string()
        }
    };
    Ok(FormPage {
        existing: existing.map(|p| (p.id, p.input.name.clone())),
        errors: errors
            .into_iter()
            .map(|e| FieldMessage {
                label: field_label(e.field),
                field: e.field.to_string(),
                reason: t.render(&e.reason),
            })
            .collect(),
        error,
        organisations,
        sectors: vocab(t, Sector::ALL, Sector::key, sector_key, &form.sektor),
        aid_types: vocab(t, AidType::ALL, AidType::key, aid_key, &form.jenis_bantuan),
        fundings: vocab(
            t,
            FundingSource::ALL,
            FundingSource::key,
            funding_key,
            &or(&form.sumber_dana, FundingSource::Lainnya.key()),
        ),
        statuses: vocab(
            t,
            ProgramStatus::ALL,
            ProgramStatus::key,
            status_key,
            &or(&form.status, ProgramStatus::Berjalan.key()),
        ),
        sexes: vocab(
            t,
            SexTarget::ALL,
            SexTarget::key,
            sex_key,
            &or(&form.jenis_kelamin, SexTarget::Semua.key()),
        ),
        ppks: Ppks::ALL
            .iter()
            .map(|p| Choice {
                value: p.number().to_string(),
                label: p.name().to_string(),
                selected: form.ppks.iter().any(|x| x == &p.number().to_string()),
            })
            .collect(),
        form,
        t: ui.t,
        ui: ui.clone(),
    })
}

/// A program the account may edit: visible to it and, for a partner or LKS, its own.
async fn editable(state: &AppState, user: &SessionUser, id: i64) -> Result<Program, AppError> {
    editable_program(&state.store, &user.viewer, id)
        .await?
        .ok_or(AppError::not_found("program.not_found"))
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
) -> Response {
    let result = async {
        if !user.viewer.can_write() {
            return Err(AppError::forbidden());
        }
        page(
            &state,
            &ui,
            &user,
            None,
            ProgramFormValues::default(),
            Vec::new(),
            None,
        )
        .await
    }
    .await;
    render(&ui, result)
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let p = editable(&state, &user, id).await?;
        let form = ProgramFormValues::of(&p);
        page(&state, &ui, &user, Some(&p), form, Vec::new(), None).await
    }
    .await;
    render(&ui, result)
}

/// Checks and stores the posted program; the form again with every wrong field named, or a
/// redirect to the saved program.
async fn save(
    state: &AppState,
    ui: &Ui,
    user: &SessionUser,
    existing: Option<Program>,
    pairs: Vec<(String, String)>,
) -> Response {
    let mut form = ProgramFormValues::from_pairs(pairs);
    if let Some(p) = &existing {
        // Code and owner identify a program: an edit keeps them.
        form.kode = p.input.code.clone();
        form.organisasi = p.input.organisation_id.to_string();
    }
    let (json, mut errors) = form.to_json();
    let input = match json.into_input(&user.viewer) {
        Ok(input) => Some(input),
        Err(more) => {
            errors.extend(more);
            None
        }
    };
    let mut error = None;
    if let (Some(input), true) = (input, errors.is_empty()) {
        let mode = match &existing {
            Some(p) => SaveMode::Update(p.id),
            None => SaveMode::Create,
        };
        match save_program(&state.store, &user.viewer, input, mode).await {
            Ok(SaveOutcome::Saved(saved)) => {
                return Redirect::to(&format!("/program/{}?ok=1", saved.id)).into_response();
            }
            Ok(SaveOutcome::Refused(more)) => errors.extend(more),
            Err(e) => match AppError::from(e) {
                AppError {
                    detail: Some(d), ..
                } => error = Some(ui.t.render(&d)),
                other => return other.page(ui),
            },
        }
    }
    let result = page(state, ui, user, existing.as_ref(), form, errors, error).await;
    let mut resp = render(ui, result);
    if resp.status() == StatusCode::OK {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

pub(super) async fn create(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if !user.viewer.can_write() {
        return AppError::forbidden().page(&ui);
    }
    save(&state, &ui, &user, None, pairs).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    match editable(&state, &user, id).await {
        Ok(p) => save(&state, &ui, &user, Some(p), pairs).await,
        Err(e) => e.page(&ui),
    }
}
