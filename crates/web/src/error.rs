//! Error rendering, in one place: the same error becomes an HTML page or a JSON body.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use sinergi_core::{Localized, Msg};
use sinergi_store::StoreError;

use crate::Ui;
use crate::i18n::Messages;

/// An error a handler returns. `key` names the catalogue headline; `detail` adds specifics
/// (which field, which row, why) as a catalogue message, rendered in the user's language.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub key: &'static str,
    pub detail: Option<Msg>,
}

impl AppError {
    pub fn not_found(key: &'static str) -> AppError {
        AppError {
            status: StatusCode::NOT_FOUND,
            key,
            detail: None,
        }
    }

    pub fn bad_request(key: &'static str, detail: Msg) -> AppError {
        AppError {
            status: StatusCode::BAD_REQUEST,
            key,
            detail: Some(detail),
        }
    }

    /// The detail in the user's language, if any.
    pub fn detail_text(&self, t: Messages) -> Option<String> {
        self.detail.as_ref().map(|d| t.render(d))
    }

    /// The detail, or else the headline, in the user's language.
    pub fn explain(&self, t: Messages) -> String {
        self.detail_text(t)
            .unwrap_or_else(|| t.get(self.key).to_string())
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
            detail: self.detail_text(ui.t),
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, ui.t.get(self.key).to_string()).into_response(),
        }
    }

    /// Renders as `{"error": {"code", "message", "detail"}}`.
    pub fn json(self, t: Messages) -> Response {
        let body = json!({ "error": {
            "code": self.key,
            "message": t.get(self.key),
            "detail": self.detail_text(t),
        } });
        (self.status, Json(body)).into_response()
    }
}

/// A region code that does not parse, with the input and the reason.
pub fn bad_code(input: &str, e: &sinergi_core::RegionCodeError) -> Msg {
    Msg::new("error.bad_code_detail")
        .arg("input", input)
        .arg_msg("reason", e.msg())
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Forbidden => AppError::forbidden(),
            // Input the user can correct: say what, in the user's language.
            e if e.is_users_to_fix() => AppError::bad_request("error.invalid", e.msg()),
            e => AppError::internal(format!("store: {e}")),
        }
    }
}

impl From<sinergi_activity::ActivityError> for AppError {
    fn from(e: sinergi_activity::ActivityError) -> AppError {
        use sinergi_activity::ActivityError as E;
        match e {
            E::Forbidden => AppError::forbidden(),
            E::Refused(m) => AppError::bad_request("error.invalid", m),
            E::Store(e) => e.into(),
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
    let content_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let status = response.status();
    // Under /api/ every error has the one JSON shape, even those no handler wrote (a method
    // the route does not take, an empty refusal).
    if api && status.is_client_error() && content_type.is_empty() {
        let key = if status == StatusCode::METHOD_NOT_ALLOWED {
            "api.method_not_allowed"
        } else {
            "error.bad_input"
        };
        let mut resp = AppError {
            status,
            key,
            detail: None,
        }
        .json(ui.t);
        if let Some(allow) = response.headers().get(axum::http::header::ALLOW) {
            resp.headers_mut()
                .insert(axum::http::header::ALLOW, allow.clone());
        }
        return resp;
    }
    let plain_text = content_type.starts_with("text/plain");
    if !(status.is_client_error() && plain_text) {
        return response;
    }
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

/// The useful part of an extractor's message: which field is missing or does not fit.
/// serde's wording is stable enough to read; anything else gets a general message.
fn rejection_detail(text: &str) -> Msg {
    let field = |marker: &str| {
        text.split_once(marker)
            .and_then(|(_, rest)| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(f) = field("missing field `") {
        return Msg::new("error.field_required").arg("field", f);
    }
    if let Some(f) = field("unknown field `") {
        return Msg::new("error.field_unknown").arg("field", f);
    }
    if text.contains("invalid digit")
        || text.contains("invalid type")
        || text.contains("invalid value")
    {
        // e.g. "Failed to deserialize query string: hal: invalid digit found in string"
        let parts: Vec<&str> = text.split(": ").collect();
        let field = parts
            .len()
            .checked_sub(2)
            .map(|i| parts[i])
            .filter(|f| !f.contains(' '));
        return match field {
            Some(f) => Msg::new("error.field")
                .arg("field", f)
                .arg_msg("reason", Msg::new("error.value_malformed")),
            None => Msg::new("error.value_malformed"),
        };
    }
    if text.contains("Content-Type") || text.contains("content type") {
        return Msg::new("error.content_type");
    }
    if text.contains("length limit") || text.contains("too large") {
        return Msg::new("error.input_too_large");
    }
    Msg::new("error.bad_input")
}

#[cfg(test)]
mod tests {
    use super::rejection_detail;
    use crate::i18n::{Lang, Messages};

    #[test]
    fn extractor_messages_name_the_field_in_each_language() {
        let (id, en) = (Messages::new(Lang::Id), Messages::new(Lang::En));
        let m = rejection_detail("Failed to deserialize form body: missing field `alasan`");
        assert_eq!(id.render(&m), "kolom \"alasan\" wajib diisi");
        assert_eq!(en.render(&m), "field \"alasan\" is required");
        let m = rejection_detail(
            "Failed to deserialize query string: hal: invalid digit found in string",
        );
        assert_eq!(
            id.render(&m),
            "kolom \"hal\": nilai bukan bilangan atau bentuknya tidak sesuai"
        );
        assert_eq!(
            en.render(&m),
            "field \"hal\": the value is not a number or not in the expected form"
        );
        let m = rejection_detail("Expected request with `Content-Type: application/json`");
        assert!(id.render(&m).contains("jenis isi"));
        assert!(en.render(&m).contains("content type"));
    }
}
