//! Importing a 4W sheet: the upload page and `POST /api/v1/program/impor`. Both submit the
//! one 4W import job (`submit_programs`); the page goes to the job's progress page, the API
//! waits for its report.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, body::Bytes};
use serde::{Deserialize, Serialize};
use sinergi_activity::ActivityError;
use sinergi_activity::lists::{ImportReport, UploadEnd, wait_for_upload};
use sinergi_activity::programs::{ProgramUpload, submit_programs};
use sinergi_core::Msg;

use super::render;
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

#[derive(Template)]
#[template(path = "fourw_import.html")]
struct ImportPage {
    ui: Ui,
    t: Messages,
    error: Option<String>,
}

impl ImportPage {
    fn new(ui: &Ui) -> ImportPage {
        ImportPage {
            t: ui.t,
            ui: ui.clone(),
            error: None,
        }
    }
}

pub(super) async fn import_form(ui: Ui, Signed(user): Signed) -> Response {
    let result = if user.viewer.can_write() {
        Ok(ImportPage::new(&ui))
    } else {
        Err(AppError::forbidden())
    };
    render(&ui, result)
}

/// The uploaded file of a multipart form (field `berkas`), with its name.
async fn file_field(multipart: &mut Multipart) -> Result<Option<(String, Vec<u8>)>, Msg> {
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("berkas") {
            let name = field.file_name().unwrap_or("4w.xlsx").to_string();
            match field.bytes().await {
                Ok(b) => file = Some((name, b.to_vec())),
                Err(e) => {
                    return Err(Msg::new("programs.import_unreadable_detail").arg("reason", e));
                }
            }
        }
    }
    Ok(file.filter(|(_, b)| !b.is_empty()))
}

/// The upload: the sheet is imported as a background job and the browser goes to the job's
/// progress page (stored programs, every refused row). A form without a file comes back
/// with 400.
pub(super) async fn import(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    mut multipart: Multipart,
) -> Response {
    if !user.viewer.can_write() {
        return render(&ui, Err::<ImportPage, _>(AppError::forbidden()));
    }
    let mut page = ImportPage::new(&ui);
    let (name, bytes) = match file_field(&mut multipart).await {
        Ok(Some(file)) => file,
        Ok(None) => {
            page.error = Some(ui.t.get("program.import_no_file").to_string());
            return bad_request(&ui, page);
        }
        Err(m) => {
            page.error = Some(ui.t.render(&m));
            return bad_request(&ui, page);
        }
    };
    let upload = ProgramUpload {
        file_name: name,
        bytes,
        organisation: None,
    };
    match submit_programs(&state.store, &state.jobs, &user.viewer, upload).await {
        Ok(job) => axum::response::Redirect::to(&format!("/tugas/{job}")).into_response(),
        Err(ActivityError::Refused(m)) => {
            page.error = Some(ui.t.render(&m));
            bad_request(&ui, page)
        }
        Err(e) => render(&ui, Err::<ImportPage, _>(AppError::from(e))),
    }
}

fn bad_request(ui: &Ui, page: ImportPage) -> Response {
    let mut resp = render(ui, Ok(page));
    *resp.status_mut() = StatusCode::BAD_REQUEST;
    resp
}

/// Query parameters of the API import.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ImportQuery {
    /// The file's name when the body is the file itself (its extension says CSV or XLSX).
    nama: Option<String>,
    /// The organisation (id or name) for rows whose `mitra` is blank.
    organisasi: Option<String>,
}

/// A refused row as the API reports it, the reason in the user's language.
#[derive(Serialize)]
struct RejectedJson {
    line: u64,
    column: Option<String>,
    reason: String,
}

/// The API's answer to an import.
#[derive(Serialize)]
struct ImportJson {
    /// New programs stored.
    stored: usize,
    /// Programs that existed (same organisation and code) and were updated.
    updated: usize,
    /// Rows of the programs stored or updated.
    rows: usize,
    rejected_rows: usize,
    rejected: Vec<RejectedJson>,
}

impl ImportJson {
    fn of(t: Messages, report: &ImportReport) -> ImportJson {
        ImportJson {
            stored: report.created.unwrap_or_default() as usize,
            updated: report.updated.unwrap_or_default() as usize,
            rows: report.stored as usize,
            rejected_rows: report.rejected_lines,
            rejected: report
                .rows
                .iter()
                .map(|e| RejectedJson {
                    line: e.line,
                    column: e.column.clone(),
                    reason: t.render_stored(&e.reason),
                })
                .collect(),
        }
    }
}

/// `POST /api/v1/program/impor`: a 4W sheet as a multipart field `berkas` or as the raw body
/// (`?nama=4w.csv` names it; without a name, a ZIP signature means XLSX, anything else CSV).
/// Answers the stored, updated and rejected rows; 400 when nothing was stored and something
/// was refused.
#[utoipa::path(post, path = "/api/v1/program/impor", tag = "program", operation_id = "program_import",
    summary = "Impor lembar 4W (CSV/XLSX): berkas sebagai badan permintaan atau isian multipart `berkas`",
    params(("nama" = Option<String>, Query, description = "Nama berkas bila badan permintaan adalah berkasnya (ekstensi menentukan CSV/XLSX)"),
        ("organisasi" = Option<String>, Query, description = "Id atau nama organisasi untuk baris yang kolom mitranya kosong")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "Disimpan, diperbarui dan baris ditolak", body = crate::api::openapi::Document),
        (status = 400, description = "Berkas tidak terbaca, atau tidak ada yang tersimpan", body = crate::api::openapi::Document),
        (status = 401, description = "Tanpa token atau sesi", body = crate::api::openapi::ErrorBody), (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = crate::api::openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = crate::api::openapi::ErrorBody)))]
pub(super) async fn api_import(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<ImportQuery>,
    request: Request,
) -> Response {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let file = if multipart {
        match Multipart::from_request(request, &state).await {
            Ok(mut m) => file_field(&mut m).await,
            Err(e) => {
                Err(Msg::new("programs.import_unreadable_detail").arg("reason", e.body_text()))
            }
        }
    } else {
        match Bytes::from_request(request, &state).await {
            Ok(b) if !b.is_empty() => {
                let name = q.nama.clone().unwrap_or_else(|| {
                    if b.starts_with(b"PK") {
                        "4w.xlsx".into()
                    } else {
                        "4w.csv".into()
                    }
                });
                Ok(Some((name, b.to_vec())))
            }
            Ok(_) => Ok(None),
            Err(e) => {
                Err(Msg::new("programs.import_unreadable_detail").arg("reason", e.body_text()))
            }
        }
    };
    let (name, bytes) = match file {
        Ok(Some(f)) => f,
        Ok(None) => {
            return AppError::bad_request(
                "program.import_no_file",
                Msg::new("programs.import_file_required"),
            )
            .json(ui.t);
        }
        Err(m) => return AppError::bad_request("program.import_unreadable", m).json(ui.t),
    };
    let upload = ProgramUpload {
        file_name: name,
        bytes,
        organisation: q.organisasi,
    };
    // The import runs as a job (off the request threads); the answer waits for its end.
    let report = async {
        let job = submit_programs(&state.store, &state.jobs, &user.viewer, upload).await?;
        wait_for_upload(&state.jobs, &user.viewer, job, |_| {}).await
    }
    .await;
    match report {
        Ok(UploadEnd::Report(report)) => match report.rows.as_slice() {
            // The sheet as a whole could not be read: its one reason.
            [only] if only.line == 0 && report.outcome != "stored" => AppError::bad_request(
                "program.import_unreadable",
                Msg::new("programs.value_refused").arg("reason", ui.t.render_stored(&only.reason)),
            )
            .json(ui.t),
            _ => {
                let status = if report.outcome == "stored" {
                    StatusCode::OK
                } else {
                    StatusCode::BAD_REQUEST
                };
                (status, Json(ImportJson::of(ui.t, &report))).into_response()
            }
        },
        Ok(UploadEnd::Failed(e)) => AppError::bad_request(
            "program.import_unreadable",
            Msg::new("programs.value_refused").arg("reason", ui.t.render_stored(&e)),
        )
        .json(ui.t),
        Err(ActivityError::Refused(m)) => {
            AppError::bad_request("program.import_unreadable", m).json(ui.t)
        }
        Err(e) => AppError::from(e).json(ui.t),
    }
}
