//! JSON API for other systems. Same data, same store calls as the pages.

pub mod bearer;
pub mod cycles;
pub mod double_aid;
pub mod forums;
pub mod limit;
pub mod openapi;
pub mod read;
pub mod strategy;

pub use limit::{RateLimiter, RatePolicy};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sinergi_core::Localized;
use sinergi_core::{Region, RegionCode, RegionQuery};
use sinergi_store::{ChildCounts, Page, Paged};

use crate::{AppError, AppState, Ui};

#[derive(Serialize)]
struct RegionDetail {
    region: Region,
    ancestors: Vec<Region>,
    children: Vec<ChildCounts>,
    former_names: Vec<FormerName>,
}

#[derive(Serialize)]
struct FormerName {
    name: String,
    valid_from: Option<chrono::NaiveDate>,
    valid_to: Option<chrono::NaiveDate>,
}

fn respond<T: Serialize>(ui: &Ui, result: Result<T, AppError>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.json(ui.t),
    }
}

/// A JSON request body read into `T`; 400 in the error shape, saying why, when it is not.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        AppError::bad_request(
            "api.bad_json",
            sinergi_core::Msg::new("api.json_unreadable").arg("reason", e),
        )
    })
}

/// 201 Created: `{"id": …}` with `Location` naming where to read it; or the error.
fn created(ui: &Ui, result: Result<(i64, String), AppError>) -> Response {
    match result {
        Ok((id, location)) => (
            axum::http::StatusCode::CREATED,
            [(axum::http::header::LOCATION, location)],
            Json(openapi::Created { id }),
        )
            .into_response(),
        Err(e) => e.json(ui.t),
    }
}

/// `GET /api/v1/wilayah`: provinces with counts below each.
#[utoipa::path(get, path = "/api/v1/wilayah", tag = "wilayah", security((), ("token" = [])),
    summary = "Provinsi, dengan jumlah wilayah di bawahnya",
    responses((status = 200, description = "Provinsi", body = Vec<openapi::ChildCountsBody>), (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn provinces(State(state): State<AppState>, ui: Ui) -> Response {
    let result = state
        .store
        .region_children(None)
        .await
        .map_err(AppError::from);
    respond(&ui, result)
}

/// `GET /api/v1/wilayah/{code}`: one region (dotted or not), current or retired.
#[utoipa::path(get, path = "/api/v1/wilayah/{code}", tag = "wilayah", security((), ("token" = [])),
    summary = "Satu wilayah (berlaku atau sudah dihapus), induk, anak dan nama lamanya",
    params(("code" = String, Path, description = "Kode Kemendagri, bertitik atau tidak, mis. 52.03", example = "52.03")),
    responses((status = 200, description = "Wilayah", body = openapi::RegionDetailBody),
        (status = 400, description = "Kode tidak sah", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada", body = openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn region(State(state): State<AppState>, ui: Ui, Path(code): Path<String>) -> Response {
    let result = async {
        let code = RegionCode::parse(&code)
            .map_err(|e| AppError::bad_request("error.bad_code", e.msg()))?;
        let store = &state.store;
        let region = store
            .region(&code)
            .await?
            .ok_or(AppError::not_found("error.region_not_found"))?;
        let children = if region.is_current() {
            store.region_children(Some(&code)).await?
        } else {
            Vec::new()
        };
        let former_names = store
            .region_former_names(&code)
            .await?
            .into_iter()
            .map(|(name, valid_from, valid_to)| FormerName {
                name,
                valid_from,
                valid_to,
            })
            .collect();
        Ok(RegionDetail {
            ancestors: store.region_ancestors(&code).await?,
            region,
            children,
            former_names,
        })
    }
    .await;
    respond(&ui, result)
}

#[derive(Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    hal: Option<u32>,
    per: Option<u32>,
}

/// `GET /api/v1/wilayah/cari?q=…&hal=…&per=…`: name search, paginated.
#[utoipa::path(get, path = "/api/v1/wilayah/cari", tag = "wilayah", security((), ("token" = [])),
    summary = "Cari wilayah menurut nama, berhalaman",
    params(("q" = String, Query, description = "Nama atau bagian nama", example = "Lombok"),
        ("hal" = Option<u32>, Query, description = "Halaman, mulai 1"),
        ("per" = Option<u32>, Query, description = "Ukuran halaman, paling banyak 50")),
    responses((status = 200, description = "Satu halaman hasil", body = openapi::PageOfRegions),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ui: Ui,
    Query(p): Query<SearchParams>,
) -> Response {
    let result: Result<Paged<Region>, AppError> = async {
        let q = p.q.unwrap_or_default();
        let query = RegionQuery::parse(&q).ok_or_else(|| {
            AppError::bad_request(
                "error.bad_request",
                sinergi_core::Msg::new("error.field_required").arg("field", "q"),
            )
        })?;
        Ok(state
            .store
            .search_regions(&query, Page::new(p.hal, p.per, 50))
            .await?)
    }
    .await;
    respond(&ui, result)
}

/// One keyset page of persons: the rows, the count (stopped at the cap) and the keys to ask
/// for the next or previous page with.
#[derive(Serialize)]
struct PersonKeysetPage {
    items: Vec<sinergi_store::PersonRow>,
    total: u64,
    total_capped: bool,
    sebelum: Option<String>,
    setelah: Option<String>,
}

/// `GET /api/v1/penerima`: the persons the caller may see (scoped by the store), masked, by
/// keyset like the `/penerima` page: `setelah` (or `sebelum`) is the key the previous answer
/// gave, so a deep page costs what the first does; the count stops at 10,000.
#[utoipa::path(get, path = "/api/v1/penerima", tag = "penerima",
    summary = "Penerima manfaat dalam cakupan pemanggil (NIK disamarkan), berhalaman menurut kunci",
    params(("q" = Option<String>, Query, description = "Nama"),
        ("wilayah" = Option<String>, Query, description = "Kode wilayah"),
        ("daftar" = Option<i64>, Query, description = "Id daftar"),
        ("setelah" = Option<String>, Query, description = "Baris sesudah kunci ini (`setelah` dari jawaban sebelumnya)"),
        ("sebelum" = Option<String>, Query, description = "Baris sebelum kunci ini (`sebelum` dari jawaban sebelumnya)"),
        ("ukuran" = Option<u32>, Query, description = "Ukuran halaman (paling banyak 500)")),
    responses((status = 200, description = "Satu halaman penerima", body = openapi::KeysetPageOfPersons),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn persons(
    State(state): State<AppState>,
    ui: Ui,
    crate::auth::Signed(user): crate::auth::Signed,
    Query(q): Query<crate::pages::persons::PersonQuery>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let cursor = q.cursor()?;
        let size = q.ukuran.unwrap_or(crate::pages::persons::PERSONS_PAGE_SIZE);
        let page = state
            .store
            .scoped(&user.viewer)
            .person_page(&filter, &cursor, size)
            .await?;
        Ok(PersonKeysetPage {
            total_capped: page.total > sinergi_store::PERSON_COUNT_CAP,
            total: page.total.min(sinergi_store::PERSON_COUNT_CAP),
            sebelum: page.before.as_ref().map(ToString::to_string),
            setelah: page.after.as_ref().map(ToString::to_string),
            items: page.items,
        })
    }
    .await;
    respond(&ui, result)
}

/// `GET /api/v1/penerima/{id}`: one person in scope, masked; 404 outside the scope.
#[utoipa::path(get, path = "/api/v1/penerima/{id}", tag = "penerima",
    summary = "Satu penerima dalam cakupan (NIK disamarkan); 404 di luar cakupan",
    params(("id" = i64, Path, description = "Id penerima")),
    responses((status = 200, description = "Penerima", body = openapi::PersonBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn person(
    State(state): State<AppState>,
    ui: Ui,
    crate::auth::Signed(user): crate::auth::Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        state
            .store
            .scoped(&user.viewer)
            .person(id)
            .await?
            .ok_or(AppError::not_found("error.person_not_found"))
    }
    .await;
    respond(&ui, result)
}

#[derive(Serialize)]
struct PublishedCount {
    code: String,
    /// None when suppressed (fewer than the threshold).
    count: Option<u64>,
    suppressed: bool,
}

/// `GET /api/v1/statistik?wilayah=52`: published person counts per region one level below,
/// with small counts suppressed. No login.
#[utoipa::path(get, path = "/api/v1/statistik", tag = "statistik", security((), ("token" = [])),
    summary = "Jumlah penerima terbitan per wilayah satu tingkat di bawah (angka kecil disensor)",
    params(("wilayah" = Option<String>, Query, description = "Kode wilayah induk; kosong = provinsi", example = "52")),
    responses((status = 200, description = "Jumlah per wilayah", body = Vec<openapi::PublishedCountBody>),
        (status = 400, description = "Kode tidak sah", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada tingkat di bawahnya", body = openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn published_counts(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let result = async {
        let within = crate::pages::optional_region(q.get("wilayah").map(String::as_str))?;
        let level = match &within {
            None => sinergi_core::Level::Provinsi,
            Some(r) => r
                .level()
                .child()
                .ok_or(AppError::not_found("error.not_found"))?,
        };
        // Published counts: always as the public sees them, whoever asks.
        let counts = state
            .store
            .scoped(sinergi_core::Viewer::public())
            .person_counts(level, within.as_ref())
            .await?;
        Ok(counts
            .into_iter()
            .map(|(code, n)| match n {
                sinergi_core::Disclosed::Count(c) => PublishedCount {
                    code,
                    count: Some(c),
                    suppressed: false,
                },
                sinergi_core::Disclosed::Suppressed => PublishedCount {
                    code,
                    count: None,
                    suppressed: true,
                },
            })
            .collect::<Vec<_>>())
    }
    .await;
    respond(&ui, result)
}

#[derive(Serialize)]
struct RowRefusal {
    baris: u64,
    kolom: Option<String>,
    alasan: String,
}

/// `POST /api/v1/daftar`: a person list, as `multipart/form-data` with the fields of the
/// upload page (`berkas`, `organisasi`, `dasar_hukum`, `rujukan`, `nama`, `ganti`). The same
/// use case as the page and `sinergi daftar impor`: the import runs as a job; the answer is
/// 202 with the job's URL (`GET /api/v1/tugas/{id}`). The role is checked before the body is
/// read; the same file twice is refused at once naming the earlier import.
#[utoipa::path(post, path = "/api/v1/daftar", tag = "daftar",
    summary = "Unggah daftar penerima (multipart: berkas, organisasi, dasar_hukum, rujukan, nama, ganti); diproses sebagai tugas",
    request_body(content = openapi::Document, content_type = "multipart/form-data"),
    responses((status = 202, description = "Diterima sebagai tugas", body = openapi::JobAccepted),
        (status = 400, description = "Isian tidak lengkap atau berkas ditolak", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran tidak boleh mengimpor", body = openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn import_list(
    State(state): State<AppState>,
    ui: Ui,
    crate::auth::Signed(user): crate::auth::Signed,
    multipart: axum::extract::Multipart,
) -> Response {
    use sinergi_activity::lists::{PersonListUpload, may_import, submit_person_list};
    let result = async {
        may_import(&user.viewer)?;
        let fields = crate::pages::lists::read_fields(multipart)
            .await
            .map_err(|e| {
                AppError::bad_request(
                    "lists.bad_upload",
                    sinergi_core::Msg::new("lists.upload_unreadable").arg("cause", e),
                )
            })?;
        let (file_name, bytes) = fields.file.filter(|(_, b)| !b.is_empty()).ok_or_else(|| {
            AppError::bad_request(
                "lists.no_file",
                sinergi_core::Msg::new("error.field_required").arg("field", "berkas"),
            )
        })?;
        let organisation_id = fields.organisation.ok_or_else(|| {
            AppError::bad_request(
                "lists.no_organisation",
                sinergi_core::Msg::new("error.field_required").arg("field", "organisasi"),
            )
        })?;
        let job = submit_person_list(
            &state.store,
            &state.jobs,
            &user.viewer,
            PersonListUpload {
                bytes,
                file_name,
                organisation_id,
                name: Some(fields.name),
                legal_basis: fields
                    .basis
                    .as_deref()
                    .and_then(sinergi_core::LegalBasis::from_key),
                reference: fields.reference,
                replaces: fields.replaces,
            },
        )
        .await?;
        Ok::<_, AppError>(job)
    }
    .await;
    match result {
        Ok(job) => {
            let url = format!("/api/v1/tugas/{job}");
            (
                axum::http::StatusCode::ACCEPTED,
                [(axum::http::header::LOCATION, url.clone())],
                Json(serde_json::json!({ "tugas": job, "url": url })),
            )
                .into_response()
        }
        Err(e) => e.json(ui.t),
    }
}

/// `GET /api/v1/tugas/{id}`: an import job — state, progress and, once finished, its report
/// (refused rows with reasons in the caller's language) or why it failed.
#[utoipa::path(get, path = "/api/v1/tugas/{id}", tag = "daftar",
    summary = "Status, kemajuan dan laporan satu tugas impor",
    params(("id" = i64, Path, description = "Id tugas")),
    responses((status = 200, description = "Tugas", body = openapi::Document),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn job(
    State(state): State<AppState>,
    ui: Ui,
    crate::auth::Signed(user): crate::auth::Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let found = sinergi_activity::lists::import_job(&state.jobs, &user.viewer, id)
            .await?
            .ok_or(AppError::not_found("error.not_found"))?;
        let job = found.job;
        let report = found.report.map(|r| {
            serde_json::json!({
                "hasil": r.outcome,
                "daftar": r.list_id,
                "nama": r.list_name,
                "organisasi": r.organisation,
                "disimpan": r.stored,
                "baris_ditolak": r.rejected_lines,
                "peringatan": r.warnings,
                "dibuat": r.created,
                "diperbarui": r.updated,
                "ditolak": r.rows.iter().map(|row| RowRefusal {
                    baris: row.line,
                    kolom: row.column.clone(),
                    alasan: ui.t.render_stored(&row.reason),
                }).collect::<Vec<_>>(),
            })
        });
        Ok(serde_json::json!({
            "tugas": job.id,
            "status": job.state,
            "kemajuan": { "selesai": job.progress_done, "jumlah": job.progress_total },
            "laporan": report,
            "galat": job.error.as_ref().map(|e| ui.t.render_stored(e)),
        }))
    }
    .await;
    respond(&ui, result)
}
