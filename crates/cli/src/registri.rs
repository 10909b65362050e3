//! `sinergi registri impor lks|lkks|mitra BERKAS`: an institution registry, through the same
//! import use case as the web page and the API.

use std::path::Path;

use anyhow::{Context, bail};
use sinergi_activity::registries::{self, Registry, RegistryOutcome, RegistryUpload};
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
    let result = run(&store, &t, registry, file, &bytes, as_user).await;
    store.close().await;
    result
}

async fn run(
    store: &Store,
    t: &Messages,
    registry: Registry,
    file: &Path,
    bytes: &[u8],
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
    let file_name = file.display().to_string();
    let upload = RegistryUpload {
        bytes,
        file_name: &file_name,
    };
    let outcome = registries::import_registry(store, &viewer, registry, upload)
        .await
        .map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
    match outcome {
        RegistryOutcome::Imported(o) => {
            println!(
                "Registri {}: {} baru, {} diperbarui, {} ditolak.",
                registry.key(),
                o.created,
                o.updated,
                o.rejected.len()
            );
            for r in &o.rejected {
                let reason = t.render(&r.reason);
                match &r.column {
                    Some(c) => eprintln!("  baris {}, kolom {c}: {reason}", r.line),
                    None => eprintln!("  baris {}: {reason}", r.line),
                }
            }
            Ok(())
        }
        RegistryOutcome::Unreadable(m) => bail!(t.render(&m)),
        RegistryOutcome::Refused { errors } => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("  {}", t.render(&e.msg())))
                .collect();
            bail!(
                "berkas ditolak, tidak ada yang disimpan:\n{}",
                lines.join("\n")
            );
        }
    }
}
