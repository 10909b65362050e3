//! One program, as a page and as JSON.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use sinergi_core::program::{Reached, may_edit_program};

use super::{ProgramView, aid_key, funding_key, render, respond, sex_key, view};
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

pub struct LocationView {
    pub code: String,
    pub name: String,
    pub planned: u64,
    pub reached: u64,
}

#[derive(Template)]
#[template(path = "program.html")]
struct DetailPage {
    ui: Ui,
    t: Messages,
    p: ProgramView,
    aid: &'static str,
    funding: &'static str,
    ppks: Vec<String>,
    desil: String,
    ages: String,
    sex: &'static str,
    disability_only: bool,
    reached: Reached,
    locations: Vec<LocationView>,
    updated_at: String,
    /// A partner or LKS edits its own programs; LKKS and admins those in their regions.
    can_edit: bool,
    saved: bool,
}

#[derive(Deserialize)]
pub(super) struct DetailQuery {
    ok: Option<String>,
}

pub(super) async fn detail(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(dq): Query<DetailQuery>,
) -> Response {
    let result = async {
        let p = state
            .store
            .scoped(&user.viewer)
            .program(id)
            .await?
            .ok_or(AppError::not_found("program.not_found"))?;
        let t = &p.input.target;
        Ok(DetailPage {
            p: view(&ui.t, &p),
            aid: aid_key(p.input.aid_type),
            funding: funding_key(p.input.funding),
            ppks: p.input.ppks.iter().map(|x| x.name().to_string()).collect(),
            desil: format!("{}–{}", t.desil_from, t.desil_to),
            ages: t.ages_text(),
            sex: sex_key(t.sex),
            disability_only: t.disability_only,
            reached: p.input.reached,
            locations: p
                .input
                .locations
                .iter()
                .map(|l| LocationView {
                    code: l.region.to_string(),
                    name: p.region_name(&l.region).unwrap_or_default().to_string(),
                    planned: l.planned,
                    reached: l.reached,
                })
                .collect(),
            updated_at: p
                .updated_on()
                .map(|d| ui.t.date_short(&d))
                .unwrap_or_default(),
            can_edit: may_edit_program(&user.viewer, p.input.organisation_id),
            saved: dq.ok.is_some(),
            t: ui.t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

/// `GET /api/v1/program/{id}`: one program in scope; 404 outside it.
#[utoipa::path(get, path = "/api/v1/program/{id}", tag = "program", operation_id = "program_detail",
    summary = "Satu program dalam cakupan; 404 di luar cakupan",
    params(("id" = i64, Path, description = "Id program")),
    responses((status = 200, description = "Program", body = crate::api::openapi::Document),
        (status = 400, description = "Permintaan tidak sah", body = crate::api::openapi::ErrorBody), (status = 401, description = "Tanpa token atau sesi", body = crate::api::openapi::ErrorBody), (status = 404, description = "Tidak ada dalam cakupan", body = crate::api::openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = crate::api::openapi::ErrorBody)))]
pub(super) async fn api_detail(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        state
            .store
            .scoped(&user.viewer)
            .program(id)
            .await?
            .ok_or(AppError::not_found("program.not_found"))
    }
    .await;
    respond(&ui, result)
}
