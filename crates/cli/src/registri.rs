//! `sinergi registri impor lks|lkks|mitra BERKAS`: an institution registry, through the same
//! import use case as the web page and the API, run as a job with a progress bar.

use std::path::Path;

use anyhow::{Context, bail};
use sinergi_activity::jobs::JobRunner;
use sinergi_activity::registries::{self, Registry, RegistryUpload};
use sinergi_core::{Localized, Viewer};
use sinergi_i18n::{Lang, Messages};
use sinergi_store::Store;

pub async fn import(
    registry: &str,
    file: &Path,
    as_user: Option<&str>,
    database: &str,
) -> anyhow::Result<()> {
    let t = Messages::new(Lang::Id);
    let registry = Registry::from_key(registry).map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
    let bytes = std::fs::read(file)
        .with_context(|| format!("berkas {} tidak bisa dibaca", file.display()))?;
    let store = crate::setup::open(database).await?;
    let result = run(&store, &t, registry, file, bytes, as_user).await;
    store.close().await;
    result
}

async fn run(
    store: &Store,
    t: &Messages,
    registry: Registry,
    file: &Path,
    bytes: Vec<u8>,
    as_user: Option<&str>,
) -> anyhow::Result<()> {
    let viewer = match as_user {
        Some(name) => {
            Viewer::User(store.principal_by_username(name).await?.with_context(|| {
                format!("--sebagai: pengguna \"{name}\" tidak ada atau nonaktif")
            })?)
        }
        None => Viewer::System("cli"),
    };
    let runner = JobRunner::new(store.clone(), 1);
    let job = registries::submit_registry(
        store,
        &runner,
        &viewer,
        registry,
        RegistryUpload {
            bytes,
            file_name: file.display().to_string(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
    let report = crate::progress::wait_for_upload(&runner, &viewer, job, t).await?;
    let rows: Vec<String> = report
        .rows
        .iter()
        .map(|r| format!("  {}", t.render_stored(&r.message())))
        .collect();
    if report.outcome != "stored" {
        bail!(
            "berkas ditolak, tidak ada yang disimpan:\n{}",
            rows.join("\n")
        );
    }
    println!(
        "Registri {}: {} baru, {} diperbarui, {} ditolak.",
        registry.key(),
        report.created.unwrap_or_default(),
        report.updated.unwrap_or_default(),
        report.rows_total
    );
    println!("{}", crate::progress::warnings_line(t, report.warnings));
    for r in &rows {
        eprintln!("{r}");
    }
    Ok(())
}
