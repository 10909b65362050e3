//! Uploading a person-level list from the browser: the file, its owner, and the legal basis
//! without which it is refused. Rows are checked by intake and stored by the scoped store.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use sinergi_activity::lists::{self, PersonListOutcome, PersonListUpload};
use sinergi_core::LegalBasis;
use sinergi_intake::RowError;
use sinergi_store::Organisation;

use super::render;
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

/// Person lists are spreadsheets of thousands of rows, not millions.
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;

pub struct Outcome {
    pub list_id: i64,
    pub stored: u64,
}

#[derive(Template)]
#[template(path = "list_upload.html")]
struct UploadPage {
    ui: Ui,
    t: Messages,
    organisations: Vec<Organisation>,
    bases: Vec<(&'static str, String)>,
    outcome: Option<Outcome>,
    rejected: Vec<RowError>,
    rejected_rows: usize,
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
        outcome: None,
        rejected: Vec::new(),
        rejected_rows: 0,
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
                    _ => {}
                }
            }
        }
    }
    Ok(f)
}

pub async fn upload(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    multipart: Multipart,
) -> Response {
    let result = async {
        let mut view = page(&state, &ui, &user).await?;
        let fields = match read_fields(multipart).await {
            Ok(f) => f,
            Err(e) => {
                view.error = Some(format!("{} {e}", ui.t.get("lists.bad_upload")));
                return Ok(view);
            }
        };
        let Some((filename, bytes)) = fields.file.filter(|(_, b)| !b.is_empty()) else {
            view.error = Some(ui.t.get("lists.no_file").to_string());
            return Ok(view);
        };
        let Some(org) = fields
            .organisation
            .and_then(|id| view.organisations.iter().find(|o| o.id == id))
        else {
            view.error = Some(ui.t.get("lists.no_organisation").to_string());
            return Ok(view);
        };
        let legal_basis = fields.basis.as_deref().and_then(LegalBasis::from_key);
        let outcome = lists::import_person_list(
            &state.store,
            &user.viewer,
            PersonListUpload {
                bytes: &bytes,
                file_name: filename,
                organisation_id: org.id,
                name: Some(fields.name),
                legal_basis,
                reference: fields.reference,
            },
        )
        .await;
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => match AppError::from(e) {
                e @ AppError {
                    detail: Some(_), ..
                } => {
                    view.error = e.detail_text(ui.t);
                    return Ok(view);
                }
                other => return Err(other),
            },
        };
        view.rejected_rows = outcome.rejected_lines();
        match outcome {
            PersonListOutcome::Stored {
                list_id,
                stored,
                rejected,
                ..
            } => {
                view.outcome = Some(Outcome { list_id, stored });
                view.rejected = rejected;
            }
            PersonListOutcome::Refused { errors } => {
                view.error = Some(ui.t.get("lists.refused").to_string());
                view.rejected = errors;
            }
            PersonListOutcome::OutsideScope { rows } => {
                view.error = Some(ui.t.get("lists.outside_scope").to_string());
                view.rejected = rows
                    .into_iter()
                    .map(|o| RowError {
                        line: o.line,
                        column: Some("kode_desa".into()),
                        reason: sinergi_core::Msg::new("lists.outside_scope_reason")
                            .arg("region", &o.region),
                    })
                    .collect();
            }
        }
        Ok(view)
    }
    .await;
    let failed = matches!(&result, Ok(v) if v.error.is_some());
    let mut resp = render(&ui, result);
    if failed {
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    resp
}
