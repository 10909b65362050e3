//! `sinergi templat <jenis> -o FILE`: the import template, as the import pages serve it.

use anyhow::{Context, anyhow};
use sinergi_core::{Localized, RegionCode};

/// Writes the import template `kind` with the region choices of `within`.
pub async fn write(
    kind: &str,
    out: &std::path::Path,
    within: Option<&str>,
    database: &str,
) -> anyhow::Result<()> {
    let t = crate::lang::messages();
    let within = within
        .map(RegionCode::parse)
        .transpose()
        .map_err(|e| anyhow!(t.render(&e.msg())))?;
    let store = crate::setup::open(database).await?;
    let viewer = sinergi_core::Viewer::System("cli");
    let (kind, bytes) = sinergi_web::templates::build_template(&store, &viewer, kind, within, &t)
        .await
        .map_err(|e| anyhow!(t.render(&e.msg())))?;
    std::fs::write(out, bytes).with_context(|| format!("menulis {}", out.display()))?;
    println!("Templat {} ditulis ke {}", kind.key(), out.display());
    Ok(())
}
