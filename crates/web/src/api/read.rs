//! Read endpoints for the use cases that have pages: the registries (LKS, LKKS, partners), the
//! strategy with its indicators, targets and realisation, the double-aid rounds, the forums
//! and the viewer's uploads. Each calls what its page calls, through the viewer's scoped store
//! (or the use case in `activity`), and answers the result as JSON.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use sinergi_store::{LKKS_SORTS, LKS_SORTS, PARTNER_SORTS, Page, Sort};

use super::{openapi, respond};
use crate::auth::Signed;
use crate::pages::institutions::lkks::LkksQuery;
use crate::pages::institutions::lks::{LKS_PAGE_SIZE, LksQuery};
use crate::pages::institutions::partners::PartnerQuery;
use crate::{AppError, AppState, Ui};

/// Registry pages are 50 rows unless `ukuran` asks otherwise (at most [`Page::MAX_SIZE`]).
const REGISTRY_PAGE_SIZE: u32 = 50;

/// `GET /api/v1/lks`: the LKS registry as the caller may see it (the public directory without
/// a token), filtered and sorted as on `/lks`, paged.
#[utoipa::path(get, path = "/api/v1/lks", tag = "registri", security((), ("token" = [])),
    summary = "Registri LKS dalam cakupan pemanggil (direktori publik tanpa token), berhalaman",
    params(("q" = Option<String>, Query, description = "Nama LKS"),
        ("wilayah" = Option<String>, Query, description = "Kode wilayah", example = "52.03"),
        ("ppks" = Option<String>, Query, description = "Kategori PPKS yang dilayani"),
        ("akreditasi" = Option<String>, Query, description = "Peringkat akreditasi (A, B, C, belum)"),
        ("segera" = Option<String>, Query, description = "Isi untuk hanya yang izin/akreditasinya segera berakhir"),
        ("urut" = Option<String>, Query, description = "Urutan, mis. nama atau -nama"),
        ("hal" = Option<u32>, Query, description = "Halaman, mulai 1"),
        ("ukuran" = Option<u32>, Query, description = "Ukuran halaman")),
    responses((status = 200, description = "Satu halaman LKS", body = openapi::PageOfDocuments),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn lks(State(state): State<AppState>, ui: Ui, Query(q): Query<LksQuery>) -> Response {
    let result = async {
        let filter = q.filter()?;
        let sort = Sort::parse(q.urut.as_deref(), &LKS_SORTS);
        Ok(state
            .store
            .scoped(ui.viewer())
            .lks_list(&filter, sort, Page::new(q.hal, q.ukuran, LKS_PAGE_SIZE))
            .await?)
    }
    .await;
    respond(&ui, result)
}

#[derive(Deserialize)]
pub struct PageSize {
    ukuran: Option<u32>,
}

/// `GET /api/v1/lkks`: the LKKS network in the caller's scope, as on `/lkks`, paged.
#[utoipa::path(get, path = "/api/v1/lkks", tag = "registri",
    summary = "Jaringan LKKS dalam cakupan pemanggil, berhalaman",
    params(("q" = Option<String>, Query, description = "Nama LKKS"),
        ("wilayah" = Option<String>, Query, description = "Kode wilayah"),
        ("status" = Option<String>, Query, description = "Status pembentukan: belum_dibentuk, dalam_pembentukan, dikukuhkan, aktif, tidak_aktif"),
        ("urut" = Option<String>, Query, description = "Urutan"),
        ("hal" = Option<u32>, Query, description = "Halaman, mulai 1"),
        ("ukuran" = Option<u32>, Query, description = "Ukuran halaman")),
    responses((status = 200, description = "Satu halaman LKKS", body = openapi::PageOfDocuments),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn lkks(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<LkksQuery>,
    Query(s): Query<PageSize>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let sort = Sort::parse(q.urut.as_deref(), &LKKS_SORTS);
        Ok(state
            .store
            .scoped(&user.viewer)
            .lkks_list(
                &filter,
                sort,
                Page::new(q.hal, s.ukuran, REGISTRY_PAGE_SIZE),
            )
            .await?)
    }
    .await;
    respond(&ui, result)
}

/// `GET /api/v1/mitra`: the partner directory in the caller's scope, as on `/mitra`, paged.
#[utoipa::path(get, path = "/api/v1/mitra", tag = "registri",
    summary = "Direktori mitra dalam cakupan pemanggil, berhalaman",
    params(("q" = Option<String>, Query, description = "Nama mitra"),
        ("peran" = Option<String>, Query, description = "Unsur pentaheliks"),
        ("wilayah" = Option<String>, Query, description = "Kode wilayah"),
        ("sektor" = Option<String>, Query, description = "Sektor"),
        ("urut" = Option<String>, Query, description = "Urutan"),
        ("hal" = Option<u32>, Query, description = "Halaman, mulai 1"),
        ("ukuran" = Option<u32>, Query, description = "Ukuran halaman")),
    responses((status = 200, description = "Satu halaman mitra", body = openapi::PageOfDocuments),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn partners(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<PartnerQuery>,
    Query(s): Query<PageSize>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let sort = Sort::parse(q.urut.as_deref(), &PARTNER_SORTS);
        Ok(state
            .store
            .scoped(&user.viewer)
            .partners_list(
                &filter,
                sort,
                Page::new(q.hal, s.ukuran, REGISTRY_PAGE_SIZE),
            )
            .await?)
    }
    .await;
    respond(&ui, result)
}

/// `GET /api/v1/strategi`: the strategies the caller may see, as on `/strategi`.
#[utoipa::path(get, path = "/api/v1/strategi", tag = "strategi", security((), ("token" = [])),
    summary = "Strategi (RAD/Renstra) yang boleh dilihat pemanggil",
    responses((status = 200, description = "Strategi", body = Vec<openapi::Document>),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn strategies(State(state): State<AppState>, ui: Ui) -> Response {
    let result = async { Ok(state.store.scoped(ui.viewer()).strategies().await?) }.await;
    respond(&ui, result)
}

#[derive(Deserialize)]
pub struct VersionQuery {
    versi: Option<i64>,
}

/// `GET /api/v1/strategi/{id}`: one strategy version whole — objectives, indicators and their
/// targets per region and year — as on `/strategi/{id}`.
#[utoipa::path(get, path = "/api/v1/strategi/{id}", tag = "strategi", security((), ("token" = [])),
    summary = "Satu strategi: sasaran, indikator dan targetnya per wilayah dan tahun",
    params(("id" = i64, Path, description = "Id strategi"),
        ("versi" = Option<i64>, Query, description = "Nomor versi; kosong = versi terbit terakhir (atau draf bagi pengelola)")),
    responses((status = 200, description = "Strategi", body = openapi::Document),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn strategy(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<i64>,
    Query(q): Query<VersionQuery>,
) -> Response {
    let result = async {
        state
            .store
            .scoped(ui.viewer())
            .strategy_tree(id, q.versi)
            .await?
            .ok_or_else(|| AppError::not_found("strategy.not_found"))
    }
    .await;
    respond(&ui, result)
}

#[derive(Deserialize)]
pub struct RealisationQuery {
    periode: Option<String>,
    indikator: Option<String>,
}

/// `GET /api/v1/strategi/{id}/realisasi?periode=2025-Q1&indikator=…`: the realisation values
/// of a strategy the caller may see, as its indicator and data pages read them.
#[utoipa::path(get, path = "/api/v1/strategi/{id}/realisasi", tag = "strategi", security((), ("token" = [])),
    summary = "Nilai realisasi satu strategi, menurut periode dan indikator",
    params(("id" = i64, Path, description = "Id strategi"),
        ("periode" = Option<String>, Query, description = "Triwulan, mis. 2025-Q1", example = "2025-Q1"),
        ("indikator" = Option<String>, Query, description = "Kode indikator")),
    responses((status = 200, description = "Nilai realisasi", body = Vec<openapi::Document>),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn realisation(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<i64>,
    Query(q): Query<RealisationQuery>,
) -> Response {
    let result = async {
        let period = crate::pages::strategy::asked_period(q.periode.as_deref())?;
        let indicator = q
            .indikator
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let scoped = state.store.scoped(ui.viewer());
        let tree = scoped
            .strategy_tree(id, None)
            .await?
            .ok_or_else(|| AppError::not_found("strategy.not_found"))?;
        Ok(scoped
            .realisations(&tree.strategy, period, indicator)
            .await?)
    }
    .await;
    respond(&ui, result)
}

/// `GET /api/v1/bantuan-ganda`: the double-aid rounds the caller has a part in (the public:
/// closed rounds), as on `/bantuan-ganda`.
#[utoipa::path(get, path = "/api/v1/bantuan-ganda", tag = "bantuan-ganda", security((), ("token" = [])),
    summary = "Putaran cek bantuan ganda yang melibatkan pemanggil",
    responses((status = 200, description = "Putaran", body = Vec<openapi::Document>),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn double_aid_rounds(State(state): State<AppState>, ui: Ui) -> Response {
    let result =
        async { Ok(sinergi_activity::double_aid::rounds(&state.store, ui.viewer()).await?) }.await;
    respond(&ui, result)
}

/// `GET /api/v1/forum`: the forums the caller may see, as on `/forum`.
#[utoipa::path(get, path = "/api/v1/forum", tag = "forum",
    summary = "Forum koordinasi dalam cakupan pemanggil",
    responses((status = 200, description = "Forum", body = Vec<openapi::Document>),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn forums(State(state): State<AppState>, ui: Ui, Signed(user): Signed) -> Response {
    let result =
        async { Ok(sinergi_activity::forums::forums(&state.store, &user.viewer).await?) }.await;
    respond(&ui, result)
}

#[derive(Deserialize)]
pub struct UploadsQuery {
    ditolak: Option<String>,
}

/// `GET /api/v1/tugas`: the caller's uploads of the last 90 days (an admin's: everyone's),
/// newest first, as on `/tugas`; `?ditolak=1` keeps those with rows that were not stored.
#[utoipa::path(get, path = "/api/v1/tugas", tag = "daftar",
    summary = "Unggahan pemanggil 90 hari terakhir (tugas impor dan laporannya)",
    params(("ditolak" = Option<String>, Query, description = "Isi untuk hanya unggahan dengan baris ditolak")),
    responses((status = 200, description = "Unggahan", body = Vec<openapi::Document>),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn uploads(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<UploadsQuery>,
) -> Response {
    let only_rejected = q.ditolak.as_deref().is_some_and(|v| !v.is_empty());
    let result = async {
        Ok(sinergi_activity::lists::recent_uploads(
            &state.store,
            &user.viewer,
            crate::pages::institutions::today(),
            only_rejected,
        )
        .await?)
    }
    .await;
    respond(&ui, result)
}
