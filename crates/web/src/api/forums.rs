//! Forums over the API: open a forum, read its history, plan a meeting and read it whole, add
//! follow-up actions and move them on. The bodies are the pages' forms as JSON (one reading of
//! each), and every call is the use case in `activity::forums`, which goes through the
//! viewer's scoped store: the scope and role rules are the pages' own.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Serialize;
use sinergi_activity::forums as uc;
use sinergi_store::{Forum, MeetingSummary, Page};

use super::{created, json_body, openapi, respond};
use crate::auth::Signed;
use crate::pages::forums::{
    ActionForm, ActionStatusForm, ActionsQuery, ForumForm, MeetingForm, PageQuery, today,
};
use crate::{AppError, AppState, Ui};

/// Meetings on one page of a forum's history.
const HISTORY_PAGE: u32 = 50;

/// `POST /api/v1/forum`: opens a forum for an LKKS the caller manages.
#[utoipa::path(post, path = "/api/v1/forum", tag = "forum", operation_id = "forum_create",
    summary = "Buka forum untuk LKKS yang dikelola pemanggil",
    request_body(content = ForumForm, content_type = "application/json"),
    responses((status = 201, description = "Forum dibuka", body = openapi::Created),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn create_forum(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    body: Bytes,
) -> Response {
    let result = async {
        let input = json_body::<ForumForm>(&body)?.input()?;
        let id = uc::create_forum(&state.store, &user.viewer, &input).await?;
        Ok((id, format!("/api/v1/forum/{id}")))
    }
    .await;
    created(&ui, result)
}

/// A forum and one page of its meetings, newest first; `sebelum`/`setelah` page by key.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ForumHistoryBody {
    #[schema(value_type = openapi::ForumBody)]
    forum: Forum,
    #[schema(value_type = Vec<openapi::MeetingSummaryBody>)]
    meetings: Vec<MeetingSummary>,
    total: u64,
    /// Send as `sebelum` for the older meetings; null when this page is the last.
    sebelum: Option<i64>,
    /// Send as `setelah` for the newer meetings; null on the first page.
    setelah: Option<i64>,
}

/// `GET /api/v1/forum/{id}`: a forum in scope with a page of its history.
#[utoipa::path(get, path = "/api/v1/forum/{id}", tag = "forum", operation_id = "forum_detail",
    summary = "Satu forum dengan satu halaman riwayat pertemuannya (terbaru dahulu)",
    params(("id" = i64, Path, description = "Id forum"),
        ("sebelum" = Option<i64>, Query, description = "Pertemuan yang lebih lama dari pertemuan ini (kunci `sebelum` jawaban sebelumnya)"),
        ("setelah" = Option<i64>, Query, description = "Pertemuan yang lebih baru dari pertemuan ini"),
        ("hal" = Option<u32>, Query, description = "Halaman, mulai 1 (tanpa kunci)")),
    responses((status = 200, description = "Forum dan riwayatnya", body = ForumHistoryBody),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn forum(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Response {
    let result = async {
        let h = uc::forum_history(
            &state.store,
            &user.viewer,
            id,
            Page::new(q.hal, None, HISTORY_PAGE),
            q.cursor(),
        )
        .await?
        .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let full = h.meetings.items.len() as u32 == h.meetings.size;
        Ok(ForumHistoryBody {
            sebelum: h.meetings.items.last().map(|m| m.id).filter(|_| full),
            setelah: h
                .meetings
                .items
                .first()
                .map(|m| m.id)
                .filter(|_| q.cursor().is_some()),
            total: h.meetings.total,
            meetings: h.meetings.items,
            forum: h.forum,
        })
    }
    .await;
    respond(&ui, result)
}

/// `POST /api/v1/forum/{id}/rapat`: plans a meeting of a forum the caller manages.
#[utoipa::path(post, path = "/api/v1/forum/{id}/rapat", tag = "forum", operation_id = "meeting_plan",
    summary = "Rencanakan pertemuan forum (jam menurut zona wilayah forum)",
    params(("id" = i64, Path, description = "Id forum")),
    request_body(content = MeetingForm, content_type = "application/json"),
    responses((status = 201, description = "Pertemuan direncanakan", body = openapi::Created),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn plan_meeting(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let input = json_body::<MeetingForm>(&body)?.input(id)?;
        let m = uc::plan_meeting(&state.store, &user.viewer, &input).await?;
        Ok((m, format!("/api/v1/forum/rapat/{m}")))
    }
    .await;
    created(&ui, result)
}

/// `GET /api/v1/forum/rapat/{id}`: a meeting whole — agenda, invitations, decisions, actions.
#[utoipa::path(get, path = "/api/v1/forum/rapat/{id}", tag = "forum", operation_id = "meeting_detail",
    summary = "Satu pertemuan: agenda, undangan dan kehadiran, keputusan, tindak lanjut",
    params(("id" = i64, Path, description = "Id pertemuan")),
    responses((status = 200, description = "Pertemuan", body = openapi::MeetingRecordBody),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn meeting(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        uc::meeting(&state.store, &user.viewer, id)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))
    }
    .await;
    respond(&ui, result)
}

/// `POST /api/v1/forum/rapat/{id}/terlaksana`: records that a planned meeting took place.
#[utoipa::path(post, path = "/api/v1/forum/rapat/{id}/terlaksana", tag = "forum", operation_id = "meeting_held",
    summary = "Catat pertemuan sudah terlaksana",
    params(("id" = i64, Path, description = "Id pertemuan")),
    responses((status = 200, description = "Dicatat", body = openapi::Created),
        (status = 400, description = "Langkah tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn mark_held(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        uc::mark_held(&state.store, &user.viewer, id).await?;
        Ok(openapi::Created { id })
    }
    .await;
    respond(&ui, result)
}

/// `POST /api/v1/forum/rapat/{id}/tindak-lanjut`: a follow-up action on a meeting.
#[utoipa::path(post, path = "/api/v1/forum/rapat/{id}/tindak-lanjut", tag = "forum", operation_id = "action_add",
    summary = "Tambah tindak lanjut pada pertemuan (penanggung jawab, tenggat)",
    params(("id" = i64, Path, description = "Id pertemuan")),
    request_body(content = ActionForm, content_type = "application/json"),
    responses((status = 201, description = "Tindak lanjut dicatat", body = openapi::Created),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn add_action(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let input = json_body::<ActionForm>(&body)?.input()?;
        let a = uc::add_action(&state.store, &user.viewer, id, &input).await?;
        Ok((a, format!("/api/v1/forum/rapat/{id}")))
    }
    .await;
    created(&ui, result)
}

/// `GET /api/v1/forum/tindak-lanjut`: the caller's actions, soonest deadline first, paged.
#[utoipa::path(get, path = "/api/v1/forum/tindak-lanjut", tag = "forum", operation_id = "actions_list",
    summary = "Tindak lanjut dalam cakupan pemanggil, tenggat terdekat dahulu, berhalaman",
    params(("terlambat" = Option<String>, Query, description = "`1`: hanya yang lewat tenggat"),
        ("status" = Option<String>, Query, description = "terbuka, berjalan, selesai, dibatalkan"),
        ("forum" = Option<i64>, Query, description = "Id forum"),
        ("hal" = Option<u32>, Query, description = "Halaman, mulai 1")),
    responses((status = 200, description = "Satu halaman tindak lanjut", body = openapi::PageOfActions),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn actions(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<ActionsQuery>,
) -> Response {
    let result = async {
        Ok(uc::actions_overview(
            &state.store,
            &user.viewer,
            &q.filter(),
            Page::new(q.hal, None, HISTORY_PAGE),
        )
        .await?)
    }
    .await;
    respond(&ui, result)
}

/// `POST /api/v1/forum/tindak-lanjut/{id}`: moves an action on (evidence needed to close).
#[utoipa::path(post, path = "/api/v1/forum/tindak-lanjut/{id}", tag = "forum", operation_id = "action_update",
    summary = "Ubah status tindak lanjut (bukti wajib untuk selesai)",
    params(("id" = i64, Path, description = "Id tindak lanjut")),
    request_body(content = ActionStatusForm, content_type = "application/json"),
    responses((status = 200, description = "Status diubah", body = openapi::Created),
        (status = 400, description = "Isian atau langkah tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn update_action(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let f = json_body::<ActionStatusForm>(&body)?;
        let to = f.status()?;
        uc::update_action(&state.store, &user.viewer, id, to, f.evidence(), today()).await?;
        Ok(openapi::Created { id })
    }
    .await;
    respond(&ui, result)
}
