//! `sinergi serve`.

use std::net::SocketAddr;

use anyhow::Context;
use sinergi_web::AppState;

use crate::args::KeyArgs;

pub struct Options {
    pub bind: SocketAddr,
    /// The demo world's scale, with `--demo`.
    pub demo: Option<f64>,
    pub trust_proxy: bool,
    pub suppression_threshold: u64,
    /// API requests per second per token (bursts up to three times that).
    pub token_rate: u32,
}

pub async fn run(options: Options, database: &str, key: &KeyArgs) -> anyhow::Result<()> {
    let Options { bind, demo, .. } = options;
    let store = crate::setup::open_with_key(database, key).await?;
    if let Some(scale) = demo {
        crate::demo::ensure_demo(&store, scale).await?;
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        release_freed_memory();
    } else if store.user_count().await? == 0 {
        tracing::warn!(
            "belum ada akun: buat admin pertama dengan `sinergi admin create --nama-pengguna NAMA --wilayah KODE_PROVINSI`"
        );
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
                "alamat {bind} sudah dipakai program lain; pilih yang lain dengan --bind"
            ),
            std::io::ErrorKind::PermissionDenied => {
                anyhow::anyhow!(
                    "tidak ada izin mendengarkan di {bind}; port di bawah 1024 butuh hak khusus"
                )
            }
            _ => anyhow::anyhow!("tidak bisa mendengarkan di {bind}: {e}"),
        })?;
    let addr = listener
        .local_addr()
        .context("alamat server tidak diketahui")?;
    tracing::info!(
        "Sinergi berjalan di http://{addr} (basis data: {})",
        store.describe()
    );
    let store = store
        .clone()
        .with_disclosure_threshold(options.suppression_threshold);
    // The public counts are computed once now, beside the first requests, not in them.
    let warming = store.clone();
    tokio::spawn(async move {
        if let Err(e) = warming.warm_published_counts().await {
            tracing::warn!("angka publik belum dihitung: {e}");
        }
    });
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    tokio::spawn(async {
        // Requests, exports and imports free what they used, but glibc keeps freed pages
        // inside its heaps: hand them back now and then, so an idle server is small again
        // after a burst (measured: 121 MB → 89 MB after two person-list requests).
        let mut tick = tokio::time::interval(TRIM_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _ = tokio::task::spawn_blocking(release_freed_memory).await;
        }
    });
    // Jobs the previous process left unfinished are marked failed by `serve`.
    let jobs = sinergi_activity::jobs::JobRunner::new(
        store.clone(),
        sinergi_activity::jobs::DEFAULT_HEAVY_SLOTS,
    );
    // Where to go next.
    if demo.is_some() {
        tracing::info!(
            "buka http://{addr}/masuk dan masuk sebagai admin.ntb (kata sandi di README); Ctrl+C untuk berhenti"
        );
    } else {
        tracing::info!("buka http://{addr} di peramban; Ctrl+C untuk berhenti");
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("berhenti");
    };
    sinergi_web::serve(
        listener,
        AppState {
            store: store.clone(),
            jobs,
            auth: sinergi_web::auth::AuthConfig {
                trust_proxy: options.trust_proxy,
                tls: false,
                api_rate: sinergi_web::api::RateLimiter::new(sinergi_web::api::RatePolicy {
                    burst: options.token_rate.saturating_mul(3),
                    per_second: f64::from(options.token_rate),
                }),
                ..Default::default()
            },
            exports: sinergi_web::ExportSlots::default(),
            public_pages: sinergi_web::PublicPages::default(),
            homes: Default::default(),
        },
        shutdown,
    )
    .await?;
    store.close().await;
    Ok(())
}

/// How often the server hands freed heap pages back to the kernel.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_EVERY: std::time::Duration = std::time::Duration::from_secs(20);

/// glibc's allocator settings for the server, set before any thread starts:
/// - two arenas instead of eight per core: each thread that allocates otherwise gets its own
///   heap (tokio's workers, the blocking pool, sqlx's SQLite threads), and memory freed in
///   one cannot serve another, so resident memory grows with the number of threads;
/// - fixed mmap and trim thresholds (128 KiB): by default glibc raises the mmap threshold
///   up to 32 MiB after the first large free, after which big buffers (an export chunk, a
///   rendered page, a query's rows) come from the heaps and stay there.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune_allocator() {
    // SAFETY: mallopt only changes the allocator's tuning parameters.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator() {}

/// The demo load frees hundreds of megabytes that glibc keeps in its heaps; hand them back
/// to the kernel so the idle server's RSS is what it actually uses.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_freed_memory() {
    // SAFETY: malloc_trim only returns free heap pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}
