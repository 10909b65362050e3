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

/// A form, query string or JSON body that does not fit its handler is refused by axum's
/// extractors with English plain text. This turns every such refusal into the translated error
/// page (or JSON error under `/api/`), naming the field, in one place for all handlers.
pub async fn translate_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::extract::FromRequestParts;
    let (mut parts, body) = request.into_parts();
    let ui = match Ui::from_request_parts(&mut parts, &()).await {
        Ok(ui) => ui,
        Err(never) => match never {},
    };
    let api = parts.uri.path().starts_with("/api/");
    let response = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    let plain_text = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(response.status().is_client_error() && plain_text) {
        return response;
    }
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let error = AppError {
        status,
        key: "error.bad_input",
        detail: Some(rejection_detail(&String::from_utf8_lossy(&bytes))),
    };
    if api {
        error.json(ui.t)
    } else {
        error.page(&ui)
    }
}

/// The useful part of an extractor's message, in Bahasa Indonesia: which field is missing or
/// does not fit. serde's wording is stable enough to read; anything else is passed on as is.
fn rejection_detail(text: &str) -> String {
    let field = |marker: &str| {
        text.split_once(marker)
            .and_then(|(_, rest)| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(f) = field("missing field `") {
        return format!("kolom \"{f}\" wajib diisi");
    }
    if let Some(f) = field("unknown field `") {
        return format!("kolom \"{f}\" tidak dikenal");
    }
    if text.contains("invalid digit")
        || text.contains("invalid type")
        || text.contains("invalid value")
    {
        // e.g. "Failed to deserialize query string: hal: invalid digit found in string"
        let parts: Vec<&str> = text.split(": ").collect();
        let at = parts
            .len()
            .checked_sub(2)
            .map(|i| parts[i])
            .filter(|f| !f.contains(' '))
            .map(|f| format!("kolom \"{f}\": "))
            .unwrap_or_default();
        return format!("{at}nilai bukan bilangan atau bentuknya tidak sesuai");
    }
    if text.contains("Content-Type") || text.contains("content type") {
        return "jenis isi permintaan tidak sesuai (harus formulir atau JSON)".into();
    }
    if text.contains("length limit") || text.contains("too large") {
        return "isian terlalu besar".into();
    }
    text.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::rejection_detail;

    #[test]
    fn extractor_messages_become_indonesian_with_the_field() {
        assert_eq!(
            rejection_detail("Failed to deserialize form body: missing field `alasan`"),
            "kolom \"alasan\" wajib diisi"
        );
        assert_eq!(
            rejection_detail(
                "Failed to deserialize query string: hal: invalid digit found in string"
            ),
            "kolom \"hal\": nilai bukan bilangan atau bentuknya tidak sesuai"
        );
        assert!(
            rejection_detail("Expected request with `Content-Type: application/json`")
                .contains("jenis isi")
        );
    }
}
