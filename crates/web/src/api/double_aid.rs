//! The double-aid check over the API: open a round, invite, join with a held list, run,
//! close, and each viewer's results (a partner its own flagged rows, the admin and board
//! counts, the public the province total). The open form is read by the page's reader; every
//! call is the use case in `activity::double_aid`, whose rules are core's.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sinergi_activity::double_aid as uc;
use sinergi_store::{JoinableList, RoundRecord, RoundResults};

use super::{created, json_body, openapi, respond};
use crate::auth::Signed;
use crate::pages::double_aid::{InviteForm, parse_open};
use crate::{AppError, AppState, Ui};

/// A round to open: the fields of the page's form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"wilayah": "52.03", "periode": "2025-Q1", "jenis": "tunai", "mitra": [1, 2]}))]
pub struct OpenRoundJson {
    /// Region code the round covers.
    wilayah: String,
    /// Quarter, e.g. 2025-Q1.
    periode: String,
    /// The aid type that counts as the same help (empty: every type).
    #[serde(default)]
    jenis: String,
    /// The organisations invited.
    #[serde(default)]
    mitra: Vec<i64>,
}

impl OpenRoundJson {
    /// As the form's fields, so the page's reader reads it.
    fn fields(&self) -> Vec<(String, String)> {
        let mut f = vec![
            ("wilayah".to_string(), self.wilayah.clone()),
            ("periode".to_string(), self.periode.clone()),
            ("jenis".to_string(), self.jenis.clone()),
        ];
        f.extend(
            self.mitra
                .iter()
                .map(|m| ("mitra".to_string(), m.to_string())),
        );
        f
    }
}

/// `POST /api/v1/bantuan-ganda`: opens a round (the provincial admin, within its scope).
#[utoipa::path(post, path = "/api/v1/bantuan-ganda", tag = "bantuan-ganda", operation_id = "double_aid_open",
    summary = "Buka putaran cek bantuan ganda dan undang mitra",
    request_body(content = OpenRoundJson, content_type = "application/json"),
    responses((status = 201, description = "Putaran dibuka", body = openapi::Created),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    body: Bytes,
) -> Response {
    let result = async {
        let input = parse_open(&json_body::<OpenRoundJson>(&body)?.fields())?;
        let id = uc::open_round(&state.store, &user.viewer, &input).await?;
        Ok((id, format!("/api/v1/bantuan-ganda/{id}")))
    }
    .await;
    created(&ui, result)
}

/// A round with what this viewer sees of it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundBody {
    #[schema(value_type = openapi::Document)]
    round: RoundRecord,
    /// `{"OwnRows": {flags, review}}` for a partner, `{"Counts": …}` for the admin and
    /// board, `{"ProvinceTotal": …}` for the public, `"Nothing"` before a run.
    #[schema(value_type = openapi::AnyValue)]
    results: RoundResults,
    /// Held lists the caller may join with.
    #[schema(value_type = Vec<openapi::Document>)]
    joinable: Vec<JoinableList>,
    /// The caller runs and closes it.
    may_run: bool,
}

/// `GET /api/v1/bantuan-ganda/{id}`: one round and the caller's view of its results.
#[utoipa::path(get, path = "/api/v1/bantuan-ganda/{id}", tag = "bantuan-ganda", operation_id = "double_aid_round",
    security((), ("token" = [])),
    summary = "Satu putaran dan hasilnya sebagaimana boleh dilihat pemanggil",
    params(("id" = i64, Path, description = "Id putaran")),
    responses((status = 200, description = "Putaran", body = RoundBody),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada atau tidak terlibat", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn round(State(state): State<AppState>, ui: Ui, Path(id): Path<i64>) -> Response {
    let result = async {
        let page = uc::round_page(&state.store, ui.viewer(), id)
            .await?
            .ok_or(AppError::not_found("double_aid.not_found"))?;
        Ok(RoundBody {
            round: page.round,
            results: page.results,
            joinable: page.joinable,
            may_run: page.may_run,
        })
    }
    .await;
    respond(&ui, result)
}

/// `POST /api/v1/bantuan-ganda/{id}/undang`: one more partner invited to an open round.
#[utoipa::path(post, path = "/api/v1/bantuan-ganda/{id}/undang", tag = "bantuan-ganda", operation_id = "double_aid_invite",
    summary = "Undang satu mitra lagi ke putaran yang terbuka",
    params(("id" = i64, Path, description = "Id putaran")),
    request_body(content = InviteForm, content_type = "application/json"),
    responses((status = 200, description = "Diundang", body = openapi::Created),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let f = json_body::<InviteForm>(&body)?;
        uc::invite(
            &state.store,
            &user.viewer,
            id,
            f.organisation()?,
            f.contact(),
        )
        .await?;
        Ok(openapi::Created { id })
    }
    .await;
    respond(&ui, result)
}

/// Joining with a list the partner holds in Sinergi (encoded files: the page or the CLI).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"organisasi": 1, "daftar": 1}))]
pub struct JoinJson {
    organisasi: i64,
    daftar: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Joined {
    id: i64,
    /// Records taken from the list.
    records: i64,
}

/// `POST /api/v1/bantuan-ganda/{id}/gabung`: a partner (or the admin for it) joins with a
/// held list.
#[utoipa::path(post, path = "/api/v1/bantuan-ganda/{id}/gabung", tag = "bantuan-ganda", operation_id = "double_aid_join",
    summary = "Bergabung ke putaran dengan daftar yang tersimpan di Sinergi",
    params(("id" = i64, Path, description = "Id putaran")),
    request_body(content = JoinJson, content_type = "application/json"),
    responses((status = 200, description = "Bergabung", body = Joined),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn join(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let f = json_body::<JoinJson>(&body)?;
        let records = uc::join(
            &state.store,
            &user.viewer,
            id,
            f.organisasi,
            uc::Join::Held { list_id: f.daftar },
        )
        .await?;
        Ok(Joined { id, records })
    }
    .await;
    respond(&ui, result)
}

/// What a run found.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RunBody {
    id: i64,
    closed: bool,
    members: usize,
    records: usize,
    overlaps: usize,
    uncertain: usize,
    candidate_pairs: u64,
}

async fn run_or_close(
    state: AppState,
    ui: Ui,
    user: &sinergi_store::SessionUser,
    id: i64,
    close: bool,
) -> Response {
    let result = async {
        let s = uc::run_round(&state.store, &user.viewer, id, close).await?;
        Ok::<_, AppError>(RunBody {
            id,
            closed: close,
            members: s.members,
            records: s.records,
            overlaps: s.overlaps,
            uncertain: s.uncertain,
            candidate_pairs: s.candidate_pairs,
        })
    }
    .await;
    respond(&ui, result)
}

/// `POST /api/v1/bantuan-ganda/{id}/jalankan`: runs the round on its joined members.
#[utoipa::path(post, path = "/api/v1/bantuan-ganda/{id}/jalankan", tag = "bantuan-ganda", operation_id = "double_aid_run",
    summary = "Jalankan putaran pada anggota yang sudah bergabung",
    params(("id" = i64, Path, description = "Id putaran")),
    responses((status = 200, description = "Hasil putaran", body = RunBody),
        (status = 400, description = "Langkah tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    run_or_close(state, ui, &user, id, false).await
}

/// `POST /api/v1/bantuan-ganda/{id}/tutup`: runs and closes the round (results frozen).
#[utoipa::path(post, path = "/api/v1/bantuan-ganda/{id}/tutup", tag = "bantuan-ganda", operation_id = "double_aid_close",
    summary = "Jalankan dan tutup putaran (hasil dibekukan)",
    params(("id" = i64, Path, description = "Id putaran")),
    responses((status = 200, description = "Hasil putaran", body = RunBody),
        (status = 400, description = "Langkah tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    run_or_close(state, ui, &user, id, true).await
}
