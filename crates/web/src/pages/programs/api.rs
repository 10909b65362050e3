//! Saving a program through the JSON API (`POST /api/v1/program`, `/api/v1/program/{id}`),
//! and the body both the API and the HTML form are read into ([`ProgramJson`]).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sinergi_activity::ActivityError;
use sinergi_activity::programs::{SaveMode, SaveOutcome, save_program};
use sinergi_core::program::{
    AidType, FieldError, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached,
    Sector, SexTarget, TargetGroup, parse_date, program_organisation,
};
use sinergi_core::{DesilRange, Msg, Ppks, RegionCode, Viewer};
use sinergi_store::SessionUser;

use crate::auth::Signed;
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

/// A program as a partner's system sends it. Text for vocabularies (keys or aliases), so a
/// wrong value is named in Indonesian rather than refused by the JSON parser.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kode": "PKH-API-1",
    "nama": "Bantuan pangan lansia",
    "sektor": "perlindungan_sosial",
    "ppks": ["1"],
    "jenis_bantuan": "sembako",
    "sumber_dana": "csr",
    "anggaran_rp": 120000000,
    "mulai": "2025-01-01",
    "selesai": "2025-12-31",
    "desil": "1-3",
    "sasaran": 30,
    "tercapai": {"total": 10, "laki_laki": 4, "perempuan": 6},
    "lokasi": [{"kode_wilayah": "52.03.05", "sasaran": 30}]
}))]
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

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationJson {
    pub kode_wilayah: String,
    #[serde(default)]
    pub sasaran: u64,
    #[serde(default)]
    pub tercapai: u64,
}

fn field(field: &'static str, reason: Msg) -> FieldError {
    FieldError::new(field, reason)
}

impl ProgramJson {
    /// The program, or every field that is wrong.
    pub fn into_input(self, viewer: &Viewer) -> Result<ProgramInput, Vec<FieldError>> {
        let mut e = Vec::new();
        let organisation_id = program_organisation(viewer, self.organisasi).unwrap_or_else(|m| {
            e.push(field("organisasi", m));
            0
        });
        macro_rules! vocab {
            ($ty:ty, $value:expr, $name:literal, $default:expr) => {
                match $value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => $default.unwrap_or_else(|| {
                        e.push(field($name, Msg::new("programs.required")));
                        <$ty>::ALL[0]
                    }),
                    Some(v) => <$ty>::lookup(v).unwrap_or_else(|| {
                        e.push(field($name, <$ty>::unknown(v)));
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
                Err(err) => e.push(field("ppks", detail(err))),
            }
        }
        let mut date = |v: &Option<String>, name: &'static str| match v.as_deref().map(str::trim) {
            None | Some("") => {
                e.push(field(name, Msg::new("programs.date_required")));
                None
            }
            Some(s) => parse_date(s).or_else(|| {
                e.push(field(
                    name,
                    Msg::new("programs.date_not_iso").arg("value", s),
                ));
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
                Err(err) => e.push(field("desil", detail(err))),
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
                Err(err) => e.push(field(
                    "lokasi",
                    Msg::new("programs.location_code_bad")
                        .arg("value", &l.kode_wilayah)
                        .arg("reason", err),
                )),
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

/// A reason a shared parser gives (desil, PPKS, region code) as a message.
// Transitional until those parsers return catalogue messages themselves (their areas).
fn detail(e: impl std::fmt::Display) -> Msg {
    Msg::new("programs.value_refused").arg("reason", e)
}

/// 422 with every refused field, each reason in the user's language.
fn invalid_fields(t: Messages, fields: Vec<FieldError>) -> Response {
    let body = serde_json::json!({ "error": {
        "code": "program.invalid",
        "message": t.get("program.invalid"),
        "detail": fields.iter().map(|f| t.render(&f.msg())).collect::<Vec<_>>().join("; "),
        "fields": fields
            .iter()
            .map(|f| serde_json::json!({ "field": f.field, "reason": t.render(&f.reason) }))
            .collect::<Vec<_>>(),
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
    if !user.viewer.can_write() {
        return AppError::forbidden().json(ui.t);
    }
    let json: ProgramJson = match serde_json::from_slice(body) {
        Ok(j) => j,
        Err(e) => {
            return AppError::bad_request(
                "program.bad_json",
                Msg::new("programs.json_unreadable").arg("reason", e),
            )
            .json(ui.t);
        }
    };
    let input = match json.into_input(&user.viewer) {
        Ok(i) => i,
        Err(fields) => return invalid_fields(ui.t, fields),
    };
    let mode = match id {
        Some(id) => SaveMode::Update(id),
        None => SaveMode::Upsert,
    };
    match save_program(&state.store, &user.viewer, input, mode).await {
        Ok(SaveOutcome::Saved(saved)) => {
            let status = if saved.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(saved)).into_response()
        }
        Ok(SaveOutcome::Refused(fields)) => invalid_fields(ui.t, fields),
        Err(ActivityError::Refused(m)) if m.key == "program.not_found" => {
            AppError::not_found("program.not_found").json(ui.t)
        }
        Err(e) => AppError::from(e).json(ui.t),
    }
}

/// `POST /api/v1/program`: a new program (or the one with the same organisation and code,
/// updated), through the same use case as the form.
#[utoipa::path(post, path = "/api/v1/program", tag = "program", operation_id = "program_save",
    summary = "Simpan program baru (atau perbarui yang berkode sama pada organisasi itu)",
    request_body(content = ProgramJson, content_type = "application/json"),
    responses((status = 201, description = "Program dibuat", body = crate::api::openapi::ProgramSaved),
        (status = 200, description = "Program yang ada diperbarui", body = crate::api::openapi::ProgramSaved),
        (status = 400, description = "Permintaan tidak sah", body = crate::api::openapi::ErrorBody), (status = 401, description = "Tanpa token atau sesi", body = crate::api::openapi::ErrorBody), (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = crate::api::openapi::ErrorBody), (status = 422, description = "Isian ditolak; setiap isian dengan alasannya", body = crate::api::openapi::ValidationErrorBody), (status = 500, description = "Kesalahan server", body = crate::api::openapi::ErrorBody)))]
pub(super) async fn api_save(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    body: Bytes,
) -> Response {
    save_json(&state, &ui, &user, &body, None).await
}

/// `POST /api/v1/program/{id}`: replaces a program in scope with the body.
#[utoipa::path(post, path = "/api/v1/program/{id}", tag = "program", operation_id = "program_update",
    summary = "Perbarui satu program dalam cakupan",
    params(("id" = i64, Path, description = "Id program")),
    request_body(content = ProgramJson, content_type = "application/json"),
    responses((status = 200, description = "Program diperbarui", body = crate::api::openapi::ProgramSaved),
        (status = 400, description = "Permintaan tidak sah", body = crate::api::openapi::ErrorBody), (status = 401, description = "Tanpa token atau sesi", body = crate::api::openapi::ErrorBody), (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = crate::api::openapi::ErrorBody), (status = 404, description = "Tidak ada dalam cakupan", body = crate::api::openapi::ErrorBody), (status = 422, description = "Isian ditolak; setiap isian dengan alasannya", body = crate::api::openapi::ValidationErrorBody), (status = 500, description = "Kesalahan server", body = crate::api::openapi::ErrorBody)))]
pub(super) async fn api_update(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    save_json(&state, &ui, &user, &body, Some(id)).await
}
