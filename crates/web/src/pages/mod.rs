//! HTML pages.

pub mod admin;
pub mod cycles;
pub mod double_aid;
pub mod figures;
pub mod forums;
pub mod home;
pub mod institutions;
pub mod lists;
pub mod persons;
pub mod priority;
pub mod programs;
pub mod quality;
pub mod review;
pub mod session;
pub mod stats;
pub mod strategy;
pub mod tokens;
pub mod wilayah;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::{AppError, Ui};
use sinergi_core::RegionCode;

/// An optional region code from a query parameter: blank means none; a bad one is a 400
/// naming the value.
pub(crate) fn optional_region(value: Option<&str>) -> Result<Option<RegionCode>, AppError> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => RegionCode::parse(s)
            .map(Some)
            .map_err(|e| AppError::bad_request("error.bad_code", crate::error::bad_code(s, &e))),
        None => Ok(None),
    }
}

/// "The column … is empty because … has not been loaded: load it with …" — said under a
/// column that no row fills, naming the import that fills it.
pub(crate) fn fill_note(
    t: &crate::i18n::Messages,
    column: &str,
    element: &str,
    level_key: &str,
) -> String {
    t.render(
        &sinergi_core::Msg::new("fill.note")
            .arg("column", column)
            .arg("element", element)
            .arg("level", t.get(level_key))
            .arg("command", sinergi_activity::aggregates::IMPORT_COMMAND),
    )
}

/// Renders a template, or the translated error page.
pub(crate) fn render(ui: &Ui, result: Result<impl Template, AppError>) -> Response {
    match result.and_then(|page| page.render().map_err(AppError::from)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => e.page(ui),
    }
}

pub async fn not_found(ui: Ui, uri: axum::http::Uri) -> Response {
    let e = AppError::not_found("error.not_found");
    if crate::auth::is_api(uri.path()) {
        e.json(ui.t)
    } else {
        e.page(&ui)
    }
}
