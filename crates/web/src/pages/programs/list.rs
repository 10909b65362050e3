//! The program list, as a page and as JSON.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use sinergi_store::{PROGRAM_SORTS, Page, Sort};

use super::{
    Choice, FilterQuery, PAGE_SIZE, ProgramView, blank, partner_choices, render, respond,
    sector_choices, view,
};
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::{AppState, Ui};

#[derive(Template)]
#[template(path = "programs.html")]
struct ListPage {
    ui: Ui,
    t: Messages,
    region_picker: crate::picker::RegionPicker,
    rows: Vec<ProgramView>,
    total: u64,
    pager: Option<Pager>,
    q: String,
    sectors: Vec<Choice>,
    partners: Vec<Choice>,
    from: String,
    to: String,
    export_query: String,
    can_import: bool,
}

pub(super) async fn list(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let sort = Sort::parse(q.urut.as_deref(), &PROGRAM_SORTS);
        let scoped = state.store.scoped(&user.viewer);
        let paged = scoped
            .programs(&filter, sort, Page::new(q.hal, q.per, PAGE_SIZE))
            .await?;
        let params = q.params();
        let params_ref: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Ok(ListPage {
            rows: paged.items.iter().map(|p| view(&ui.t, p)).collect(),
            total: paged.total,
            pager: Some(Pager::new(&paged, "/program", &params_ref)),
            q: q.q.clone().unwrap_or_default(),
            sectors: sector_choices(&ui.t, blank(&q.sektor)),
            partners: partner_choices(scoped.program_organisations().await?, blank(&q.mitra)),
            from: q.dari.clone().unwrap_or_default(),
            to: q.sampai.clone().unwrap_or_default(),
            export_query: q.query_string(),
            region_picker: crate::picker::RegionPicker::load(&state, &ui, filter.within.as_ref())
                .await?,
            can_import: user.viewer.can_write(),
            t: ui.t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

/// `GET /api/v1/program`: the programs the caller may see, filtered, sorted and paged as on
/// `/program`.
#[utoipa::path(get, path = "/api/v1/program", tag = "program", operation_id = "program_list",
    summary = "Program dalam cakupan pemanggil, disaring dan berhalaman",
    params(("q" = Option<String>, Query, description = "Nama atau kode program"),
        ("sektor" = Option<String>, Query, description = "Sektor"),
        ("mitra" = Option<String>, Query, description = "Id atau nama mitra"),
        ("wilayah" = Option<String>, Query, description = "Kode wilayah"),
        ("dari" = Option<String>, Query, description = "Berjalan sejak tanggal (YYYY-MM-DD)"),
        ("sampai" = Option<String>, Query, description = "Berjalan sampai tanggal (YYYY-MM-DD)"),
        ("urut" = Option<String>, Query, description = "Urutan, mis. nama atau -mulai"),
        ("hal" = Option<u32>, Query, description = "Halaman, mulai 1"),
        ("per" = Option<u32>, Query, description = "Ukuran halaman")),
    responses((status = 200, description = "Satu halaman program", body = crate::api::openapi::PageOfDocuments),
        (status = 400, description = "Permintaan tidak sah", body = crate::api::openapi::ErrorBody), (status = 401, description = "Tanpa token atau sesi", body = crate::api::openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = crate::api::openapi::ErrorBody)))]
pub(super) async fn api_list(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        let sort = Sort::parse(q.urut.as_deref(), &PROGRAM_SORTS);
        Ok(state
            .store
            .scoped(&user.viewer)
            .programs(&q.filter()?, sort, Page::new(q.hal, q.per, PAGE_SIZE))
            .await?)
    }
    .await;
    respond(&ui, result)
}
