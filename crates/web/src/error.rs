//! Error rendering, in one place: the same error becomes an HTML page or a JSON body.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use sinergi_store::StoreError;

use crate::Ui;
use crate::i18n::Messages;

/// An error a handler returns. `key` names the catalogue message; `detail` adds specifics
/// that are already in the user's language (e.g. a parser's message).
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub key: &'static str,
    pub detail: Option<String>,
}

impl AppError {
    pub fn not_found(key: &'static str) -> AppError {
        AppError {
            status: StatusCode::NOT_FOUND,
            key,
            detail: None,
        }
    }

    pub fn bad_request(key: &'static str, detail: impl Into<String>) -> AppError {
        AppError {
            status: StatusCode::BAD_REQUEST,
            key,
            detail: Some(detail.into()),
        }
    }

    pub fn forbidden() -> AppError {
        AppError {
            status: StatusCode::FORBIDDEN,
            key: "error.forbidden",
            detail: None,
        }
    }

    /// A failure that is not the user's: the cause goes to the log, the user sees a
    /// translated message without internals.
    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %cause, "internal error");
        AppError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            key: "error.internal",
            detail: None,
        }
    }

    /// Renders as a page in the user's language.
    pub fn page(self, ui: &Ui) -> Response {
        let page = ErrorPage {
            ui: ui.clone(),
            t: ui.t,
            message: ui.t.get(self.key).to_string(),
            detail: self.detail,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, ui.t.get(self.key).to_string()).into_response(),
        }
    }

    /// Renders as `{"error": {"code", "message", "detail"}}`.
    pub fn json(self, t: Messages) -> Response {
        let body = json!({ "error": { "code": self.key, "message": t.get(self.key), "detail": self.detail } });
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Forbidden => AppError::forbidden(),
            // Input the user can correct: the store's message is already Indonesian.
            StoreError::Invalid(_)
            | StoreError::InvalidField { .. }
            | StoreError::UsernameTaken(_) => AppError::bad_request("error.invalid", e.to_string()),
            e => AppError::internal(format!("store: {e}")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> AppError {
        AppError::internal(format!("template: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ui: Ui,
    t: Messages,
    message: String,
    detail: Option<String>,
}
