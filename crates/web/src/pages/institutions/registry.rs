//! The registries' shared pages, one path for LKS, LKKS and partners: the import form and
//! upload (through the registry import use case), the import template, the CSV/XLSX export,
//! the JSON import API, and the pieces the list and edit forms share (list links, reading a
//! form with the registry's reader, a refused save). Each registry says what differs in a
//! [`RegistryPages`] implementation.

use std::future::Future;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use sinergi_activity::lists::{UploadEnd, wait_for_upload};
use sinergi_activity::registries::{self, Registry, RegistryUpload};
use sinergi_core::institution::field_msg;
use sinergi_core::{Localized, Msg, Table as InputTable};
use sinergi_intake::RowError;
use sinergi_intake::institutions::RegistryRows;
use sinergi_store::{Paged, Scoped, StoreError};

use super::{ImportPage, form_table, row_errors};
use crate::auth::Signed;
use crate::export::{Table, TableFormat, table_download};
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::ui::encode_component;
use crate::{AppError, AppState, Ui};

/// What differs between the registries' shared pages.
pub trait RegistryPages: Send + Sync + 'static {
    const REGISTRY: Registry;
    /// Where the registry's pages live (`/lks`).
    const BASE: &'static str;
    /// Catalogue key of the import page's title.
    const IMPORT_TITLE: &'static str;
    /// Export-only columns after the import columns (names for reading, ignored on import).
    const EXPORT_EXTRA: &'static [&'static str];
    /// The list's query (its filters apply to the export too).
    type Query: DeserializeOwned + Send + 'static;
    type Record: Send;

    /// Every record the viewer may see under the query's filters.
    fn export_records<'a>(
        scoped: &'a Scoped<'a>,
        q: &'a Self::Query,
    ) -> impl Future<Output = Result<Vec<Self::Record>, AppError>> + Send + 'a;

    /// A record's cells: the import columns, then [`Self::EXPORT_EXTRA`].
    fn export_row(r: &Self::Record) -> Vec<String>;
}

fn import_page<R: RegistryPages>(ui: &Ui) -> ImportPage {
    ImportPage::new(ui, R::IMPORT_TITLE, R::BASE, R::REGISTRY.columns())
}

pub async fn import_form<R: RegistryPages>(ui: Ui, Signed(_user): Signed) -> Response {
    crate::pages::render(&ui, Ok(import_page::<R>(&ui)))
}

/// The uploaded file of an import form (field `berkas`): its name and bytes (empty when
/// none was chosen).
async fn uploaded_file(mut multipart: Multipart) -> Result<(String, Bytes), Msg> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        Msg::new("institution.file_unreadable").arg("reason", e.body_text())
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("berkas") {
            let name = field.file_name().unwrap_or("data.csv").to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            return Ok((name, bytes));
        }
    }
    Ok((String::new(), Bytes::new()))
}

/// The import upload: the file through the registry import use case, run as a background
/// job; the browser goes to the job's progress page (stored, updated, every refused row in
/// line order). A form without a file, or a body that cannot be read, comes back with 400.
pub async fn import<R: RegistryPages>(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    multipart: Multipart,
) -> Response {
    // The role before the body: a read-only account never gets a file parsed.
    if !user.viewer.can_write() {
        return AppError::forbidden().page(&ui);
    }
    let mut page = import_page::<R>(&ui);
    let (name, bytes) = match uploaded_file(multipart).await {
        Ok((_, bytes)) if bytes.is_empty() => {
            page.error = Some(unreadable(&ui.t, &Msg::new("institution.file_missing")));
            return bad_request_page(&ui, page);
        }
        Ok(f) => f,
        Err(m) => {
            page.error = Some(unreadable(&ui.t, &m));
            return bad_request_page(&ui, page);
        }
    };
    let upload = RegistryUpload {
        bytes: bytes.to_vec(),
        file_name: name,
    };
    match registries::submit_registry(&state.store, &state.jobs, &user.viewer, R::REGISTRY, upload)
        .await
    {
        Ok(job) => axum::response::Redirect::to(&format!("/tugas/{job}")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

fn bad_request_page(ui: &Ui, page: ImportPage) -> Response {
    let mut resp = crate::pages::render(ui, Ok(page));
    *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    resp
}

fn unreadable(t: &Messages, m: &Msg) -> String {
    format!("{} {}", t.get("inst.import_unreadable"), t.render(m))
}

async fn export<R: RegistryPages>(
    state: AppState,
    ui: Ui,
    user: Signed,
    q: R::Query,
    format: TableFormat,
) -> Response {
    let result = async {
        let scoped = state.store.scoped(&user.0.viewer);
        let records = R::export_records(&scoped, &q).await?;
        let headers: Vec<&str> = R::REGISTRY
            .columns()
            .iter()
            .chain(R::EXPORT_EXTRA)
            .copied()
            .collect();
        let key = R::REGISTRY.key();
        let table = Table::new(key, &headers, records.iter().map(R::export_row).collect());
        table_download(format, key, table)
    }
    .await;
    result.unwrap_or_else(|e| e.page(&ui))
}

pub async fn export_csv<R: RegistryPages>(
    State(s): State<AppState>,
    ui: Ui,
    user: Signed,
    Query(q): Query<R::Query>,
) -> Response {
    export::<R>(s, ui, user, q, TableFormat::Csv).await
}

pub async fn export_xlsx<R: RegistryPages>(
    State(s): State<AppState>,
    ui: Ui,
    user: Signed,
    Query(q): Query<R::Query>,
) -> Response {
    export::<R>(s, ui, user, q, TableFormat::Xlsx).await
}

#[derive(Debug, Deserialize)]
pub struct ApiImportQuery {
    /// The file's name; its extension says CSV or XLSX (CSV when absent).
    berkas: Option<String>,
}

/// `POST /api/v1/registri/{lks|lkks|mitra}/impor?berkas=nama.xlsx`: the request body is the
/// file. Answers `{"dibuat", "diperbarui", "ditolak": [{"baris", "kolom", "alasan"}]}`, or
/// the JSON error body when the registry is unknown or the file cannot be read.
#[utoipa::path(post, path = "/api/v1/registri/{registry}/impor", tag = "registri", operation_id = "registry_import",
    summary = "Impor registri LKS, LKKS atau mitra (CSV/XLSX sebagai badan permintaan)",
    params(("registry" = String, Path, description = "lks, lkks atau mitra"),
        ("berkas" = Option<String>, Query, description = "Nama berkas; ekstensinya menentukan CSV atau XLSX")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "Dibuat, diperbarui dan baris ditolak", body = crate::api::openapi::Document),
        (status = 400, description = "Permintaan tidak sah", body = crate::api::openapi::ErrorBody), (status = 401, description = "Tanpa token atau sesi", body = crate::api::openapi::ErrorBody), (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = crate::api::openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = crate::api::openapi::ErrorBody)))]
pub async fn api_import(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(registry): Path<String>,
    Query(q): Query<ApiImportQuery>,
    body: Bytes,
) -> Response {
    let result = async {
        let registry = Registry::from_key(&registry)
            .map_err(|e| AppError::bad_request("error.invalid", e.msg()))?;
        let name = q.berkas.unwrap_or_else(|| "data.csv".into());
        let upload = RegistryUpload {
            bytes: body.to_vec(),
            file_name: name,
        };
        // The import runs as a job (off the request threads); the answer waits for its end.
        let job =
            registries::submit_registry(&state.store, &state.jobs, &user.viewer, registry, upload)
                .await?;
        let report = match wait_for_upload(&state.jobs, &user.viewer, job, |_| {}).await? {
            UploadEnd::Report(r) => r,
            UploadEnd::Failed(e) => {
                return Err(AppError::bad_request(
                    "error.invalid",
                    Msg::new("jobs.cli_failed").arg("reason", ui.t.render_stored(&e)),
                ));
            }
        };
        let rendered: Vec<String> = report
            .rows
            .iter()
            .map(|r| ui.t.render_stored(&r.message()))
            .collect();
        if report.outcome != "stored" {
            // One reason for the whole file (line 0), or the rows that refused it.
            return Err(AppError::bad_request(
                "error.invalid",
                match report.rows.as_slice() {
                    [only] if only.line == 0 => Msg::new("institution.problems")
                        .arg("problems", ui.t.render_stored(&only.reason)),
                    _ => Msg::new("institution.file_refused").arg("errors", rendered.join("; ")),
                },
            ));
        }
        Ok(json!({
            "tugas": job,
            "dibuat": report.created.unwrap_or_default(),
            "diperbarui": report.updated.unwrap_or_default(),
            "ditolak": report.rows.iter().map(|r| json!({
                "baris": r.line,
                "kolom": r.column,
                "alasan": ui.t.render_stored(&r.reason),
            })).collect::<Vec<_>>(),
        }))
    }
    .await;
    match result {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.json(ui.t),
    }
}

/// The pager and the export link's query of a registry list (the filters, without paging
/// and sorting).
pub fn list_links<T>(
    paged: &Paged<T>,
    base: &str,
    params: &[(&'static str, String)],
) -> (Option<Pager>, String) {
    let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let pager = (paged.pages() > 1).then(|| Pager::new(paged, base, &refs));
    let export_query = format!(
        "?{}",
        params
            .iter()
            .filter(|(k, _)| *k != "urut")
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    );
    (pager, export_query)
}

/// A posted form read by the registry's own reader, exactly as an import row: the one
/// input, or every problem as "column: reason" in the user's language.
pub fn read_form<R>(
    t: &Messages,
    pairs: &[(String, String)],
    reader: fn(&InputTable) -> Result<RegistryRows<R>, Vec<RowError>>,
) -> Result<R, Vec<String>> {
    match reader(&form_table(pairs)) {
        Ok(mut read) if read.rejected.is_empty() && !read.rows.is_empty() => {
            Ok(read.rows.remove(0).1)
        }
        Ok(read) => Err(row_errors(t, &read.rejected)),
        Err(e) => Err(row_errors(t, &e)),
    }
}

/// A refused save: what the user can correct comes back to the form in their language;
/// anything else is an error (for the error page).
pub fn refused_save(ui: &Ui, e: StoreError) -> Result<String, AppError> {
    if e.is_users_to_fix() {
        Ok(ui.t.render(&e.msg()))
    } else {
        Err(AppError::from(e))
    }
}

/// An optional date field of a registry form (`2025-03-31` or `31/03/2025`), the field named
/// when it is not a date.
pub fn form_date(
    value: &Option<String>,
    field: &str,
) -> Result<Option<chrono::NaiveDate>, AppError> {
    match value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => sinergi_intake::institutions::parse_date(s)
            .map(Some)
            .ok_or_else(|| {
                AppError::bad_request(
                    "error.invalid",
                    field_msg(field, Msg::new("institution.not_a_date").arg("value", s)),
                )
            }),
    }
}

/// A value that is not one of the choices, with the field named.
pub fn field_value_unknown(field: &str, value: &str, choices: &str) -> Msg {
    field_msg(
        field,
        Msg::new("error.value_unknown")
            .arg("value", value)
            .arg("choices", choices),
    )
}

/// Editing a record: its key column comes from the record, never from the posted form (a
/// record without a key yet, made before the registry, takes the form's).
pub fn keep_key(pairs: &mut Vec<(String, String)>, column: &str, key: Option<String>) {
    if let Some(key) = key {
        pairs.retain(|(k, _)| k != column);
        pairs.push((column.to_string(), key));
    }
}

/// The record being edited: not found (404) when it is not in view.
pub fn editing<T>(
    found: Result<Option<T>, StoreError>,
    not_found: &'static str,
) -> Result<T, AppError> {
    found?.ok_or_else(|| AppError::not_found(not_found))
}
