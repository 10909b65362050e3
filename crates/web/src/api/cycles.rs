//! Program cycles over the API: a program's cycles and rules, one cycle with a keyset page of
//! its beneficiaries and its donor tally, the program's donor report; a new cycle and the
//! steps of its life. The bodies are the pages' forms as JSON, and every call is the use case
//! in `activity::cycles` through the viewer's scoped store (names only for those who may see
//! them, as on the page).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sinergi_activity::cycles as uc;
use sinergi_core::cycle::CycleState;
use sinergi_store::{CycleRecord, MemberRecord, RuleRecord};

use super::{created, json_body, openapi, respond};
use crate::auth::Signed;
use crate::pages::cycles::{ActionForm, CycleForm, new_cycle_of};
use crate::{AppError, AppState, Ui};

/// A program's cycles and eligibility rules.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CyclesBody {
    program: String,
    /// The caller may run the program's cycles (create, enrol, move, pay).
    may_run: bool,
    #[schema(value_type = Vec<openapi::CycleBody>)]
    cycles: Vec<CycleRecord>,
    #[schema(value_type = Vec<openapi::Document>)]
    rules: Vec<RuleRecord>,
}

/// `GET /api/v1/program/{id}/siklus`: the cycles and rules of a program in scope.
#[utoipa::path(get, path = "/api/v1/program/{id}/siklus", tag = "siklus", operation_id = "cycles_list",
    summary = "Siklus dan aturan kelayakan satu program dalam cakupan",
    params(("id" = i64, Path, description = "Id program")),
    responses((status = 200, description = "Siklus program", body = CyclesBody),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn cycles(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let o = uc::cycles_overview(&state.store, &user.viewer, id)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        Ok(CyclesBody {
            program: o.program_name,
            may_run: o.may_run,
            cycles: o.cycles,
            rules: o.rules,
        })
    }
    .await;
    respond(&ui, result)
}

/// `POST /api/v1/program/{id}/siklus`: a draft cycle of a program the caller runs.
#[utoipa::path(post, path = "/api/v1/program/{id}/siklus", tag = "siklus", operation_id = "cycle_create",
    summary = "Buat siklus (draf) untuk program yang dijalankan pemanggil",
    params(("id" = i64, Path, description = "Id program")),
    request_body(content = CycleForm, content_type = "application/json"),
    responses((status = 201, description = "Siklus dibuat", body = openapi::Created),
        (status = 400, description = "Isian tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn create_cycle(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let new = new_cycle_of(id, &json_body::<CycleForm>(&body)?)?;
        let cycle = uc::create_cycle(&state.store, &user.viewer, &new).await?;
        Ok((cycle, format!("/api/v1/program/{id}/siklus/{cycle}")))
    }
    .await;
    created(&ui, result)
}

#[derive(Debug, Default, Deserialize)]
pub struct MemberPage {
    setelah: Option<i64>,
    sebelum: Option<i64>,
}

/// One cycle: its record, a keyset page of its beneficiaries (empty for those who may not
/// see names) and the donor tally (figures only).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CycleDetailBody {
    #[schema(value_type = openapi::CycleBody)]
    cycle: CycleRecord,
    /// The caller sees beneficiaries by name.
    by_name: bool,
    may_run: bool,
    #[schema(value_type = Vec<openapi::MemberBody>)]
    members: Vec<MemberRecord>,
    /// Donor figures: beneficiaries by kab/kota, sex, level; tranches planned and paid.
    #[schema(value_type = openapi::Document)]
    tally: uc::DonorTally,
    /// Send as `sebelum` for the previous page; null on the first.
    sebelum: Option<i64>,
    /// Send as `setelah` for the next page; null on the last.
    setelah: Option<i64>,
}

/// `GET /api/v1/program/{id}/siklus/{siklus}`: one cycle of a program in scope.
#[utoipa::path(get, path = "/api/v1/program/{id}/siklus/{siklus}", tag = "siklus", operation_id = "cycle_detail",
    summary = "Satu siklus: penerima (berhalaman menurut kunci) dan rekap untuk donor",
    params(("id" = i64, Path, description = "Id program"),
        ("siklus" = i64, Path, description = "Id siklus"),
        ("setelah" = Option<i64>, Query, description = "Penerima sesudah id ini (`setelah` jawaban sebelumnya)"),
        ("sebelum" = Option<i64>, Query, description = "Penerima sebelum id ini")),
    responses((status = 200, description = "Siklus", body = CycleDetailBody),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn cycle(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle_id)): Path<(i64, i64)>,
    Query(q): Query<MemberPage>,
) -> Response {
    let result = async {
        let cursor = uc::MemberCursor {
            after: q.setelah,
            before: q.sebelum,
        };
        let v = uc::cycle_view(&state.store, &user.viewer, id, cycle_id, cursor)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        Ok(CycleDetailBody {
            cycle: v.cycle,
            by_name: v.by_name,
            may_run: v.may_run,
            members: v.members,
            tally: v.tally,
            sebelum: v.before,
            setelah: v.after,
        })
    }
    .await;
    respond(&ui, result)
}

/// A cycle's state after a step.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CycleStateBody {
    id: i64,
    /// draft, to_approve, approved, distributed, ended or cancelled.
    #[schema(value_type = String)]
    state: CycleState,
}

/// `POST /api/v1/program/{id}/siklus/{siklus}/langkah`: submit, send back, approve (the
/// eligibility re-check and the frozen amounts as on the page), distribute, end, cancel.
#[utoipa::path(post, path = "/api/v1/program/{id}/siklus/{siklus}/langkah", tag = "siklus", operation_id = "cycle_step",
    summary = "Langkah siklus: ajukan, kembalikan, setujui, salurkan, tutup, batalkan",
    params(("id" = i64, Path, description = "Id program"), ("siklus" = i64, Path, description = "Id siklus")),
    request_body(content = ActionForm, content_type = "application/json"),
    responses((status = 200, description = "Keadaan siklus sesudahnya", body = CycleStateBody),
        (status = 400, description = "Langkah tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle_id)): Path<(i64, i64)>,
    body: Bytes,
) -> Response {
    let result = async {
        let action = json_body::<ActionForm>(&body)?.action()?;
        // The cycle must be this program's and in the caller's view.
        let scoped = state.store.scoped(&user.viewer);
        scoped
            .cycle(cycle_id)
            .await?
            .filter(|c| c.program_id == id)
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let to = uc::act_on_cycle(&state.store, &user.viewer, cycle_id, action).await?;
        Ok(CycleStateBody {
            id: cycle_id,
            state: to,
        })
    }
    .await;
    respond(&ui, result)
}

/// The donor report's figures for a program: per cycle, cumulative, against the plan.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DonorReportBody {
    program: String,
    #[schema(value_type = Vec<openapi::Document>)]
    per_cycle: Vec<CycleTally>,
    #[schema(value_type = openapi::Document)]
    total: uc::DonorTally,
    #[schema(value_type = openapi::Document)]
    plan: uc::PlanComparison,
}

#[derive(Serialize)]
pub struct CycleTally {
    cycle: CycleRecord,
    tally: uc::DonorTally,
}

/// `GET /api/v1/program/{id}/siklus/laporan`: the donor report's figures (never names).
#[utoipa::path(get, path = "/api/v1/program/{id}/siklus/laporan", tag = "siklus", operation_id = "cycles_donor_report",
    summary = "Angka laporan donor satu program: per siklus, kumulatif, dibanding rencana",
    params(("id" = i64, Path, description = "Id program")),
    responses((status = 200, description = "Laporan donor", body = DonorReportBody),
        (status = 400, description = "Permintaan tidak sah", body = openapi::ErrorBody),
        (status = 401, description = "Tanpa token atau sesi", body = openapi::ErrorBody),
        (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = openapi::ErrorBody),
        (status = 404, description = "Tidak ada dalam cakupan", body = openapi::ErrorBody),
        (status = 500, description = "Kesalahan server", body = openapi::ErrorBody)))]
pub async fn donor_report(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let r = uc::donor_report(&state.store, &user.viewer, id).await?;
        Ok(DonorReportBody {
            program: r.program_name,
            per_cycle: r
                .per_cycle
                .into_iter()
                .map(|(cycle, tally)| CycleTally { cycle, tally })
                .collect(),
            total: r.total,
            plan: r.plan,
        })
    }
    .await;
    respond(&ui, result)
}
