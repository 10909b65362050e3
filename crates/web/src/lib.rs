//! Sinergi's web layer: server-rendered pages in Bahasa Indonesia (English on request),
//! a JSON API, and the small static assets they need. Nothing is loaded from other hosts.

pub mod api;
pub mod auth;
pub mod chart;
mod error;
mod export;
pub use sinergi_i18n as i18n;
pub mod map;
mod pager;
mod pages;
mod picker;
mod public_pages;
pub mod templates;
mod ui;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use sinergi_store::Store;
use tokio::net::TcpListener;

pub use error::AppError;
pub use export::ExportSlots;
pub use pages::cycles::{donor_report_pdf, donor_report_xlsx, payment_batch_csv};
pub use pages::strategy::report_bytes;
pub use public_pages::PublicPages;
pub use ui::Ui;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub auth: auth::AuthConfig,
    /// Slots for large exports, so a few of them cannot stall every other request.
    pub exports: ExportSlots,
    /// Heavy work (imports) runs here, off the request threads.
    pub jobs: sinergi_activity::jobs::JobRunner,
    /// Public pages rendered for anonymous visitors, kept while their data is unchanged.
    pub public_pages: PublicPages,
    /// Signed-in homes, kept per user while their data is unchanged.
    pub homes: pages::home::KeptHomes,
}

impl AppState {
    /// Defaults for local use: no proxy, no TLS, default throttles (the suppression
    /// threshold is the store's own).
    pub fn new(store: Store) -> AppState {
        AppState {
            jobs: sinergi_activity::jobs::JobRunner::new(
                store.clone(),
                sinergi_activity::jobs::DEFAULT_HEAVY_SLOTS,
            ),
            store,
            auth: auth::AuthConfig::default(),
            exports: export::ExportSlots::default(),
            public_pages: PublicPages::default(),
            homes: Default::default(),
        }
    }
}

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
const CSS: &str = include_str!("../static/app.css");

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home::home))
        .route("/wilayah", get(pages::wilayah::index))
        .route("/wilayah/cari", get(pages::wilayah::search))
        .route("/wilayah/{code}", get(pages::wilayah::detail))
        .route("/bahasa/{lang}", get(ui::switch_language))
        .route(
            "/masuk",
            get(pages::session::login_form).post(pages::session::login),
        )
        .route("/keluar", post(pages::session::logout))
        .route("/keluar/semua", post(pages::session::logout_everywhere))
        .route("/akun", get(pages::session::account))
        .route("/akun/sandi", post(pages::session::change_password))
        .route("/admin/pengguna", get(pages::admin::users))
        .route(
            "/admin/pengguna/baru",
            get(pages::admin::new_user_form).post(pages::admin::create_user),
        )
        .route(
            "/admin/pengguna/{id}",
            get(pages::admin::edit_user_form).post(pages::admin::update_user),
        )
        .route(
            "/admin/pengguna/{id}/sandi",
            post(pages::admin::reset_password),
        )
        .route(
            "/admin/pengguna/{id}/lepas",
            post(pages::admin::release_login),
        )
        .route("/admin/audit", get(pages::admin::audit))
        .route(
            "/admin/token",
            get(pages::tokens::list).post(pages::tokens::issue),
        )
        .route("/admin/token/{id}/cabut", post(pages::tokens::revoke))
        .route("/penerima", get(pages::persons::list))
        .route(
            "/daftar/impor",
            get(pages::lists::form).post(pages::lists::upload).layer(
                axum::extract::DefaultBodyLimit::max(pages::lists::MAX_UPLOAD_BYTES),
            ),
        )
        .route("/daftar/{id}", get(pages::lists::detail))
        .route("/tugas", get(pages::lists::uploads))
        .route("/tugas/{id}", get(pages::lists::job))
        .route("/tugas/{id}/{file}", get(pages::lists::rejects))
        .route("/agregat", get(pages::figures::form))
        .route(
            "/agregat/impor",
            post(pages::figures::upload).layer(axum::extract::DefaultBodyLimit::max(
                pages::lists::MAX_UPLOAD_BYTES,
            )),
        )
        .route(
            "/agregat/kelompok",
            get(pages::figures::grid).post(pages::figures::save_grid),
        )
        .route("/penerima/ekspor.csv", get(pages::persons::export_csv))
        .route("/penerima/ekspor.xlsx", get(pages::persons::export_xlsx))
        .route("/penerima/{id}", get(pages::persons::detail))
        .route("/penerima/{id}/buka", post(pages::persons::reveal))
        .route("/penerima/{id}/pindah", post(pages::persons::move_to))
        .route(
            "/tautan",
            get(pages::review::queues)
                .post(pages::review::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    pages::lists::MAX_UPLOAD_BYTES,
                )),
        )
        .route("/tautan/{id}", get(pages::review::pairs))
        .route("/tautan/{id}/keputusan.csv", get(pages::review::decisions))
        .route("/tautan/{id}/{pair}", post(pages::review::decide))
        .route("/tautan/{id}/{pair}/buka", post(pages::review::reveal))
        .route("/prioritas", get(pages::priority::index))
        .route("/prioritas/wilayah/{code}", get(pages::priority::region))
        .route("/prioritas/unduh", get(pages::priority::download))
        .route("/prioritas/terbitkan", post(pages::priority::publish))
        .route("/mutu-data", get(pages::quality::index))
        .route("/mutu-data/wilayah/{code}", get(pages::quality::region))
        .route("/mutu-data/unduh", get(pages::quality::download))
        .route("/mutu-data/hitung-ulang", post(pages::quality::recompute))
        .route(
            "/mutu-data/ambang",
            get(pages::quality::rules_form).post(pages::quality::save_rules),
        )
        .route("/mutu-data/tindak-lanjut", post(pages::quality::mark))
        .route(
            "/mutu-data/tindak-lanjut/{id}",
            post(pages::quality::update),
        )
        .route("/statistik", get(pages::stats::index))
        .route("/statistik/{code}", get(pages::stats::region))
        .route("/api/v1/penerima", get(api::persons))
        .route("/api/v1/penerima/{id}", get(api::person))
        .route(
            "/api/v1/daftar",
            post(api::import_list).layer(axum::extract::DefaultBodyLimit::max(
                pages::lists::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/api/v1/tugas/{id}", get(api::job))
        .route("/api/v1/tugas", get(api::read::uploads))
        .route("/api/v1/lks", get(api::read::lks))
        .route("/api/v1/lkks", get(api::read::lkks))
        .route("/api/v1/mitra", get(api::read::partners))
        .route(
            "/api/v1/strategi",
            get(api::read::strategies).post(api::strategy::create),
        )
        .route("/api/v1/strategi/{id}", get(api::read::strategy))
        .route(
            "/api/v1/strategi/{id}/sasaran",
            post(api::strategy::add_objective),
        )
        .route(
            "/api/v1/strategi/{id}/indikator",
            post(api::strategy::add_indicator),
        )
        .route(
            "/api/v1/strategi/{id}/target",
            post(api::strategy::set_target),
        )
        .route(
            "/api/v1/strategi/{id}/terbitkan",
            post(api::strategy::publish),
        )
        .route(
            "/api/v1/strategi/{id}/laporan",
            post(api::strategy::start_report),
        )
        .route("/api/v1/laporan/{tugas}", get(api::strategy::report_job))
        .route(
            "/api/v1/laporan/{tugas}/unduh",
            get(api::strategy::report_download),
        )
        .route(
            "/api/v1/bantuan-ganda",
            get(api::read::double_aid_rounds).post(api::double_aid::open),
        )
        .route("/api/v1/bantuan-ganda/{id}", get(api::double_aid::round))
        .route(
            "/api/v1/bantuan-ganda/{id}/undang",
            post(api::double_aid::invite),
        )
        .route(
            "/api/v1/bantuan-ganda/{id}/gabung",
            post(api::double_aid::join),
        )
        .route(
            "/api/v1/bantuan-ganda/{id}/jalankan",
            post(api::double_aid::run),
        )
        .route(
            "/api/v1/bantuan-ganda/{id}/tutup",
            post(api::double_aid::close),
        )
        .route(
            "/api/v1/forum",
            get(api::read::forums).post(api::forums::create_forum),
        )
        .route("/api/v1/forum/tindak-lanjut", get(api::forums::actions))
        .route(
            "/api/v1/forum/tindak-lanjut/{id}",
            post(api::forums::update_action),
        )
        .route("/api/v1/forum/rapat/{id}", get(api::forums::meeting))
        .route(
            "/api/v1/forum/rapat/{id}/terlaksana",
            post(api::forums::mark_held),
        )
        .route(
            "/api/v1/forum/rapat/{id}/tindak-lanjut",
            post(api::forums::add_action),
        )
        .route("/api/v1/forum/{id}", get(api::forums::forum))
        .route("/api/v1/forum/{id}/rapat", post(api::forums::plan_meeting))
        .route(
            "/api/v1/program/{id}/siklus",
            get(api::cycles::cycles).post(api::cycles::create_cycle),
        )
        .route(
            "/api/v1/program/{id}/siklus/laporan",
            get(api::cycles::donor_report),
        )
        .route(
            "/api/v1/program/{id}/siklus/{siklus}",
            get(api::cycles::cycle),
        )
        .route(
            "/api/v1/program/{id}/siklus/{siklus}/langkah",
            post(api::cycles::step),
        )
        .route("/api/v1/statistik", get(api::published_counts))
        .route("/api/v1/openapi.json", get(api::openapi::spec))
        .route("/api/v1/docs", get(api::openapi::docs))
        .route("/api/v1/wilayah", get(api::provinces))
        .route("/api/v1/wilayah/cari", get(api::search))
        .route("/api/v1/wilayah/{code}", get(api::region))
        .merge(templates::routes())
        .merge(pages::institutions::routes())
        .merge(pages::programs::routes())
        .merge(pages::cycles::routes())
        .merge(pages::strategy::routes())
        .merge(pages::forums::routes())
        .merge(pages::double_aid::routes())
        .fallback(pages::not_found)
        // Inside the session layer, so the error page knows the user and the language.
        .layer(axum::middleware::from_fn(error::translate_rejections))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::layer,
        ))
        // Added after the layer: the stylesheet and the health check need no session, so
        // fetching them costs no database round trip.
        .route("/static/app.css", get(css))
        .route("/healthz", get(|| async { "ok" }))
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

/// Serves until `shutdown` resolves. Jobs a previous server left unfinished are marked
/// failed first: their input died with that process.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    match state.jobs.recover().await {
        Ok(0) => {}
        Ok(n) => tracing::warn!("{n} jobs interrupted by the previous stop marked failed"),
        Err(e) => return Err(std::io::Error::other(e.to_string())),
    }
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Size of the stylesheet every page loads, for the page budget.
pub fn css_len() -> usize {
    CSS.len()
}
