//! Writing the strategy over the API — a strategy, its objectives, indicators and targets, and
//! publishing the draft — and its reports as jobs. The bodies are the pages' forms as JSON and
//! each call is the one the page makes (`pages::strategy::tree`, `…::report`), through the
//! viewer's scoped store, which holds the rules of who manages which strategy.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{created, json_body, openapi, respond};
use crate::auth::Signed;
use crate::pages::strategy::report::{StartForm, job_file, job_state, start_job};
use crate::pages::strategy::tree::{
    IndicatorForm, NewStrategyForm, ObjectiveForm, TargetForm, add_indicator_to, add_objective_to,
    create_strategy, publish_draft, set_target_of,
};
use crate::{AppState, Ui};

/// `POST /api/v1/strategi`: a strategy with its first draft (the provincial admin).
#[utoipa::path(post, path = "/api/v1/strategi", tag = "strategi", operation_id = "strategy_create",
    summary = "Buat strategi (RAD/Renstra) dengan draf pertamanya",
    request_body(content = NewStrategyForm, content_type = "application/json"),
    responses((status = 201, description = "Strategi dibuat", body = openapi::Created),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    body: Bytes,
) -> Response {
    let result = async {
        let f = json_body::<NewStrategyForm>(&body)?;
        let id = create_strategy(&state, &user, &f).await?;
        Ok((id, format!("/api/v1/strategi/{id}")))
    }
    .await;
    created(&ui, result)
}

/// `POST /api/v1/strategi/{id}/sasaran`: an objective in the strategy's draft.
#[utoipa::path(post, path = "/api/v1/strategi/{id}/sasaran", tag = "strategi", operation_id = "strategy_objective_add",
    summary = "Tambah sasaran pada draf strategi",
    params(("id" = i64, Path, description = "Id strategi")),
    request_body(content = ObjectiveForm, content_type = "application/json"),
    responses((status = 201, description = "Sasaran ditambahkan", body = openapi::Created),
        (status = 400, description = "Isian tidak sah atau tanpa draf", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn add_objective(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let f = json_body::<ObjectiveForm>(&body)?;
        let objective = add_objective_to(&state, &user, id, &f).await?;
        Ok((objective, format!("/api/v1/strategi/{id}")))
    }
    .await;
    created(&ui, result)
}

/// `POST /api/v1/strategi/{id}/indikator`: an indicator under an objective of the draft.
#[utoipa::path(post, path = "/api/v1/strategi/{id}/indikator", tag = "strategi", operation_id = "strategy_indicator_add",
    summary = "Tambah indikator di bawah sasaran draf strategi",
    params(("id" = i64, Path, description = "Id strategi")),
    request_body(content = IndicatorForm, content_type = "application/json"),
    responses((status = 201, description = "Indikator ditambahkan", body = openapi::Created),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn add_indicator(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let f = json_body::<IndicatorForm>(&body)?;
        let indicator = add_indicator_to(&state, &user, f).await?;
        Ok((indicator, format!("/api/v1/strategi/{id}")))
    }
    .await;
    created(&ui, result)
}

/// `POST /api/v1/strategi/{id}/target`: one target of an indicator (region, year, value).
#[utoipa::path(post, path = "/api/v1/strategi/{id}/target", tag = "strategi", operation_id = "strategy_target_set",
    summary = "Tetapkan target indikator per wilayah dan tahun",
    params(("id" = i64, Path, description = "Id strategi")),
    request_body(content = TargetForm, content_type = "application/json"),
    responses((status = 200, description = "Target ditetapkan", body = openapi::Created),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn set_target(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let f = json_body::<TargetForm>(&body)?;
        set_target_of(&state, &user, &f).await?;
        Ok(openapi::Created { id })
    }
    .await;
    respond(&ui, result)
}

/// `POST /api/v1/strategi/{id}/terbitkan`: publishes the strategy's draft.
#[utoipa::path(post, path = "/api/v1/strategi/{id}/terbitkan", tag = "strategi", operation_id = "strategy_publish",
    summary = "Terbitkan draf strategi",
    params(("id" = i64, Path, description = "Id strategi")),
    responses((status = 200, description = "Diterbitkan", body = openapi::Created),
        (status = 400, description = "Tanpa draf atau draf belum lengkap", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        publish_draft(&state, &user, id).await?;
        Ok(openapi::Created { id })
    }
    .await;
    respond(&ui, result)
}

/// A report job accepted.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportAccepted {
    tugas: String,
    /// Poll here.
    url: String,
}

/// `POST /api/v1/strategi/{id}/laporan`: starts the strategy document or a quarter's report
/// (PDF or XLSX) as a job; 202 with where to poll.
#[utoipa::path(post, path = "/api/v1/strategi/{id}/laporan", tag = "strategi", operation_id = "strategy_report_start",
    summary = "Buat laporan strategi atau triwulan (PDF/XLSX) sebagai tugas",
    params(("id" = i64, Path, description = "Id strategi")),
    request_body(content = StartForm, content_type = "application/json"),
    responses((status = 202, description = "Diterima sebagai tugas", body = ReportAccepted),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Tanpa token, sesi atau token CSRF", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn start_report(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let f = json_body::<StartForm>(&body)?;
        start_job(&state, &ui, &user, id, &f).await
    }
    .await;
    match result {
        Ok(job) => {
            let url = format!("/api/v1/laporan/{job}");
            (
                StatusCode::ACCEPTED,
                [(axum::http::header::LOCATION, url.clone())],
                Json(ReportAccepted { tugas: job, url }),
            )
                .into_response()
        }
        Err(e) => e.json(ui.t),
    }
}

/// Where a report job stands.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportJob {
    tugas: String,
    /// 0–100.
    persen: u32,
    selesai: bool,
    /// The file's name and size once done.
    berkas: Option<String>,
    ukuran: Option<usize>,
    /// Where to download it once done.
    unduh: Option<String>,
    /// Why it failed, in the caller's language.
    galat: Option<String>,
}

/// `GET /api/v1/laporan/{tugas}`: the caller's report job (kept an hour).
#[utoipa::path(get, path = "/api/v1/laporan/{tugas}", tag = "strategi", operation_id = "report_job",
    summary = "Kemajuan tugas laporan pemanggil",
    params(("tugas" = String, Path, description = "Id tugas laporan")),
    responses((status = 200, description = "Tugas", body = ReportJob),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada (atau milik orang lain, atau sudah lewat sejam)", body = openapi::ErrorBody)))]
pub async fn report_job(ui: Ui, Signed(user): Signed, Path(id): Path<String>) -> Response {
    let result = job_state(&id, user.principal.user_id).map(|s| ReportJob {
        persen: s.permille / 10,
        selesai: s.done.is_some(),
        unduh: s
            .done
            .as_ref()
            .map(|_| format!("/api/v1/laporan/{id}/unduh")),
        ukuran: s.done.as_ref().map(|d| d.1),
        berkas: s.done.map(|d| d.0),
        galat: s.failed,
        tugas: id.clone(),
    });
    respond(&ui, result)
}

/// `GET /api/v1/laporan/{tugas}/unduh`: the finished report's file.
#[utoipa::path(get, path = "/api/v1/laporan/{tugas}/unduh", tag = "strategi", operation_id = "report_download",
    summary = "Unduh laporan yang sudah selesai",
    params(("tugas" = String, Path, description = "Id tugas laporan")),
    responses((status = 200, description = "Berkas laporan",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada atau belum selesai", body = openapi::ErrorBody)))]
pub async fn report_download(ui: Ui, Signed(user): Signed, Path(id): Path<String>) -> Response {
    match job_file(&id, user.principal.user_id) {
        Ok(r) => r,
        Err(e) => e.json(ui.t),
    }
}
