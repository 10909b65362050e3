//! `sinergi serve`.

use std::net::SocketAddr;

use anyhow::Context;
use sinergi_web::AppState;

pub async fn run(bind: SocketAddr, database: &str, demo: bool) -> anyhow::Result<()> {
    let store = crate::setup::open(database).await?;
    if demo {
        // The synthetic world (people, organisations, programs) is a later issue; until it
        // lands the demo is the full region register, which open() has just ensured.
        tracing::info!("mode demo: data wilayah lengkap tersedia");
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
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("berhenti");
    };
    sinergi_web::serve(
        listener,
        AppState {
            store: store.clone(),
        },
        shutdown,
    )
    .await?;
    store.close().await;
    Ok(())
}
