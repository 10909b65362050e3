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
                ..Default::default()
            },
            exports: sinergi_web::ExportSlots::default(),
        },
        shutdown,
    )
    .await?;
    store.close().await;
    Ok(())
}

/// The demo load frees hundreds of megabytes that glibc keeps in its heaps; hand them back
/// to the kernel so the idle server's RSS is what it actually uses.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_freed_memory() {
    // SAFETY: malloc_trim only returns free heap pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}
