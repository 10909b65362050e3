//! Sinergi's web layer: server-rendered pages in Bahasa Indonesia (English on request),
//! a JSON API, and the small static assets they need. Nothing is loaded from other hosts.

mod api;
mod error;
pub mod i18n;
mod pager;
mod pages;
mod ui;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use sinergi_store::Store;
use tokio::net::TcpListener;

pub use error::AppError;
pub use ui::Ui;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
const CSS: &str = include_str!("../static/app.css");

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/wilayah", get(pages::wilayah::index))
        .route("/wilayah/cari", get(pages::wilayah::search))
        .route("/wilayah/{code}", get(pages::wilayah::detail))
        .route("/bahasa/{lang}", get(ui::switch_language))
        .route("/api/v1/wilayah", get(api::provinces))
        .route("/api/v1/wilayah/cari", get(api::search))
        .route("/api/v1/wilayah/{code}", get(api::region))
        .route("/static/app.css", get(css))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(pages::not_found)
        .with_state(state)
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Size of the stylesheet every page loads, for the page budget.
pub fn css_len() -> usize {
    CSS.len()
}
