//! Uploading a person-level list from the browser: the file, its owner, and the legal basis
//! without which it is refused. Rows are checked by intake and stored by the scoped store.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sinergi_activity::lists::{self, ImportReport, ListDetail, PersonListUpload};
use sinergi_core::LegalBasis;
use sinergi_store::{JobRecord, Organisation};

use super::render;
use crate::auth::Signed;
use crate::export::{Table, TableFormat, table_download};
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

/// Person lists are spreadsheets of thousands of rows, not millions.
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;

#[derive(Template)]
#[template(path = "list_upload.html")]
struct UploadPage {
    ui: Ui,
    t: Messages,
    organisations: Vec<Organisation>,
    bases: Vec<(&'static str, String)>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
) -> Result<UploadPage, AppError> {
    if !user.principal.can_write() {
        return Err(AppError::forbidden());
    }
    Ok(UploadPage {
        t: ui.t,
        ui: ui.clone(),
        organisations: lists::organisations_for(&state.store, &user.viewer).await?,
        bases: LegalBasis::ALL
            .iter()
            .map(|b| (b.key(), format!("basis.{}", b.key())))
            .collect(),
        error: None,
    })
}

pub async fn form(State(state): State<AppState>, ui: Ui, Signed(user): Signed) -> Response {
    let result = page(&state, &ui, &user).await;
    render(&ui, result)
}

/// The upload's fields, as the page's form and the API send them.
#[derive(Default)]
pub(crate) struct Fields {
    pub file: Option<(String, Vec<u8>)>,
    pub organisation: Option<i64>,
    pub basis: Option<String>,
    pub reference: String,
    pub name: String,
    /// "ganti daftar": the id of an earlier list this corrected one replaces.
    pub replaces: Option<i64>,
}

pub(crate) async fn read_fields(mut multipart: Multipart) -> Result<Fields, String> {
    let mut f = Fields::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "berkas" => {
                let filename = field.file_name().unwrap_or("daftar.csv").to_string();
                let bytes = field.bytes().await.map_err(|e| e.to_string())?;
                f.file = Some((filename, bytes.to_vec()));
            }
            _ => {
                let text = field.text().await.map_err(|e| e.to_string())?;
                match name.as_str() {
                    "organisasi" => f.organisation = text.trim().parse().ok(),
                    "dasar_hukum" => f.basis = Some(text).filter(|t| !t.trim().is_empty()),
                    "rujukan" => f.reference = text,
                    "nama" => f.name = text,
                    "ganti" => f.replaces = text.trim().parse().ok(),
                    _ => {}
                }
            }
        }
    }
    Ok(f)
}

/// The upload: the role is checked before the body is read (an account that may not import
/// never gets a file parsed); the import then runs as a background job and the browser goes
/// to its progress page.
pub async fn upload(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    multipart: Multipart,
) -> Response {
    if lists::may_import(&user.viewer).is_err() {
        return AppError::forbidden().page(&ui);
    }
    let result = async {
        let mut view = page(&state, &ui, &user).await?;
        let fields = match read_fields(multipart).await {
            Ok(f) => f,
            Err(e) => {
                view.error = Some(format!("{} {e}", ui.t.get("lists.bad_upload")));
                return Ok(Err(view));
            }
        };
        let Some((filename, bytes)) = fields.file.filter(|(_, b)| !b.is_empty()) else {
            view.error = Some(ui.t.get("lists.no_file").to_string());
            return Ok(Err(view));
        };
        let Some(org) = fields
            .organisation
            .and_then(|id| view.organisations.iter().find(|o| o.id == id))
        else {
            view.error = Some(ui.t.get("lists.no_organisation").to_string());
            return Ok(Err(view));
        };
        let legal_basis = fields.basis.as_deref().and_then(LegalBasis::from_key);
        let submitted = lists::submit_person_list(
            &state.store,
            &state.jobs,
            &user.viewer,
            PersonListUpload {
                bytes,
                file_name: filename,
                organisation_id: org.id,
                name: Some(fields.name),
                legal_basis,
                reference: fields.reference,
                replaces: fields.replaces,
            },
        )
        .await;
        match submitted {
            Ok(job) => Ok(Ok(job)),
            Err(e) => match AppError::from(e) {
                e @ AppError {
                    detail: Some(_), ..
                } => {
                    view.error = e.detail_text(ui.t);
                    Ok(Err(view))
                }
                other => Err(other),
            },
        }
    }
    .await;
    match result {
        Ok(Ok(job)) => Redirect::to(&format!("/tugas/{job}")).into_response(),
        Ok(Err(view)) => {
            let mut resp = render(&ui, Ok(view));
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            resp
        }
        Err(e) => e.page(&ui),
    }
}

/// Rejected rows shown on the job page; the download has all the report keeps.
const ROWS_ON_PAGE: usize = 200;

#[derive(Template)]
#[template(path = "list_job.html")]
struct JobPage {
    ui: Ui,
    t: Messages,
    job: JobRecord,
    report: Option<ImportReport>,
    failed: Option<String>,
    /// Rendered (line, column, reason) of the first refused rows.
    rows: Vec<(u64, String, String)>,
    /// Rendered (line, warning) of the first warnings kept with stored rows, and their count.
    warnings: Vec<(i64, String)>,
    warnings_total: u64,
    percent: i64,
}

impl JobPage {
    /// The catalogue keys of the page's title and of its stored count, by upload kind.
    fn keys(&self) -> (&'static str, &'static str) {
        lists::upload_keys(&self.job.kind)
    }

    fn running(&self) -> bool {
        !self.job.state.is_finished()
    }

    /// "baru: 3, diperbarui: 2" for imports that update records by their key.
    fn created_updated(&self) -> Option<String> {
        let r = self.report.as_ref()?;
        Some(
            self.t.render(
                &sinergi_core::Msg::new("jobs.created_updated")
                    .arg("created", r.created?)
                    .arg("updated", r.updated?),
            ),
        )
    }
}

#[derive(Template)]
#[template(path = "uploads.html")]
struct UploadsPage {
    ui: Ui,
    t: Messages,
    uploads: Vec<lists::Upload>,
    only_rejected: bool,
    window: String,
}

#[derive(serde::Deserialize)]
pub struct UploadsQuery {
    pub ditolak: Option<String>,
}

/// `/tugas`: the viewer's recent uploads (an administrator's: everyone's), newest first;
/// `?ditolak=1` keeps those with rows that were not stored, each linking to its report.
pub async fn uploads(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<UploadsQuery>,
) -> Response {
    let only_rejected = q.ditolak.as_deref().is_some_and(|v| !v.is_empty());
    let result = async {
        let uploads = lists::recent_uploads(
            &state.store,
            &user.viewer,
            super::institutions::today(),
            only_rejected,
        )
        .await?;
        Ok(UploadsPage {
            t: ui.t,
            ui: ui.clone(),
            uploads,
            only_rejected,
            window: ui.t.render(
                &sinergi_core::Msg::new("uploads.window").arg("days", lists::UPLOADS_RECENT_DAYS),
            ),
        })
    }
    .await;
    render(&ui, result)
}

/// `/tugas/{id}`: an import's progress, refreshing itself without JavaScript until it ends,
/// then its outcome with the reject report.
pub async fn job(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let first =
            sinergi_store::Page::new(Some(1), Some(ROWS_ON_PAGE as u32), ROWS_ON_PAGE as u32);
        let found = lists::import_job_page(&state.jobs, &user.viewer, id, Some(first))
            .await?
            .ok_or(AppError::not_found("error.not_found"))?;
        let warnings = found
            .warnings
            .iter()
            .flat_map(|w| w.items.iter())
            .map(|w| (w.line, ui.t.render_stored(&w.message)))
            .collect();
        let warnings_total = found.warnings.as_ref().map_or(0, |w| w.total);
        let rows = found
            .report
            .iter()
            .flat_map(|r| r.rows.iter().take(ROWS_ON_PAGE))
            .map(|r| {
                (
                    r.line,
                    r.column.clone().unwrap_or_default(),
                    ui.t.render_stored(&r.reason),
                )
            })
            .collect();
        let job = found.job;
        let percent = if job.progress_total > 0 {
            job.progress_done * 100 / job.progress_total
        } else {
            0
        };
        Ok(JobPage {
            t: ui.t,
            ui: ui.clone(),
            failed: job.error.as_ref().map(|e| ui.t.render_stored(e)),
            report: found.report,
            rows,
            warnings,
            warnings_total,
            percent,
            job,
        })
    }
    .await;
    render(&ui, result)
}

/// `/tugas/{id}/ditolak.csv` and `.xlsx`: the refused rows of an import, in the user's
/// language, through the one export module.
pub async fn rejects(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(file): Path<(i64, String)>,
) -> Response {
    let (id, ext) = file;
    let result = async {
        let format = match ext.as_str() {
            "ditolak.csv" => TableFormat::Csv,
            "ditolak.xlsx" => TableFormat::Xlsx,
            _ => return Err(AppError::not_found("error.not_found")),
        };
        let report = lists::import_job(&state.jobs, &user.viewer, id)
            .await?
            .and_then(|j| j.report)
            .ok_or(AppError::not_found("error.not_found"))?;
        let rows = report
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.line.to_string(),
                    r.column.clone().unwrap_or_default(),
                    ui.t.render_stored(&r.reason),
                ]
            })
            .collect();
        let headers = [
            ui.t.get("lists.line"),
            ui.t.get("lists.column"),
            ui.t.get("lists.reason"),
        ];
        let table = Table::new("ditolak", &headers, rows);
        table_download(format, &format!("ditolak_tugas_{id}"), table)
    }
    .await;
    result.unwrap_or_else(|e| e.page(&ui))
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    hal: Option<u32>,
}

#[derive(Template)]
#[template(path = "list_detail.html")]
struct ListPage {
    ui: Ui,
    t: Messages,
    detail: ListDetail,
    /// Rendered (line, warning) of this page of warnings.
    warnings: Vec<(i64, String)>,
    next_page: Option<u32>,
}

/// `/daftar/{id}`: a stored list, its rows' warnings with their count, and the aid its rows
/// record.
pub async fn detail(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Response {
    let result = async {
        let page = sinergi_store::Page::new(q.hal, Some(100), 100);
        let detail = lists::list_detail(&state.store, &user.viewer, id, page)
            .await?
            .ok_or(AppError::not_found("error.not_found"))?;
        let warnings = detail
            .warnings
            .items
            .iter()
            .map(|w| (w.line, ui.t.render_stored(&w.message)))
            .collect();
        let shown = u64::from(page.number) * u64::from(page.size);
        Ok(ListPage {
            t: ui.t,
            ui: ui.clone(),
            next_page: (shown < detail.warnings.total).then_some(page.number + 1),
            warnings,
            detail,
        })
    }
    .await;
    render(&ui, result)
}
