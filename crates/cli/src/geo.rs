//! `sinergi geo import FILE`: boundaries for choropleth maps.

use std::path::Path;

use anyhow::{Context, anyhow};
use sinergi_core::Localized;
use sinergi_store::Actor;

pub async fn import(file: &Path, source: Option<String>, database: &str) -> anyhow::Result<()> {
    let bytes = std::fs::read(file)
        .with_context(|| format!("berkas {} tidak bisa dibaca", file.display()))?;
    let t = crate::lang::messages();
    let boundaries = sinergi_intake::geo::read_boundaries(&bytes).map_err(|e| {
        anyhow!(
            "berkas {} ditolak, tidak ada yang disimpan. {}",
            file.display(),
            crate::lang::geo_error(&t, &e)
        )
    })?;
    let store = crate::setup::open(database).await?;
    let source = source.unwrap_or_else(|| {
        file.file_name()
            .map_or("impor".into(), |n| n.to_string_lossy().into_owned())
    });
    let points: usize = boundaries.iter().map(|b| b.point_count()).sum();
    let stored = store
        .save_boundaries(Actor::system("cli"), &boundaries, &source)
        .await
        .map_err(|e| anyhow!("berkas {} ditolak: {}", file.display(), t.render(&e.msg())))?;
    println!("{stored} batas wilayah disimpan ({points} titik) dari {source}.");
    for (level, n) in store.boundary_counts().await? {
        println!("  tingkat {level}: {n} wilayah berbatas");
    }
    Ok(())
}
