//! `sinergi agregat impor BERKAS`: published figures per region, through the same use case
//! the pages name where a figure is missing.

use std::path::Path;

use anyhow::{Context, bail};
use sinergi_activity::aggregates::{self, AggregateOutcome};
use sinergi_core::{Localized, Viewer};

pub async fn import(file: &Path, database: &str) -> anyhow::Result<()> {
    let t = crate::lang::messages();
    let bytes = std::fs::read(file)
        .with_context(|| format!("berkas {} tidak bisa dibaca", file.display()))?;
    let store = crate::setup::open(database).await?;
    let outcome = aggregates::import_aggregates(
        &store,
        &Viewer::System("cli"),
        &file.display().to_string(),
        &bytes,
    )
    .await;
    store.close().await;
    match outcome.map_err(|e| anyhow::anyhow!(t.render(&e.msg())))? {
        AggregateOutcome::Stored {
            stored, rejected, ..
        } => {
            println!(
                "{}",
                t.render(
                    &sinergi_core::Msg::new("aggregate.stored")
                        .arg("n", stored)
                        .arg("rejected", rejected.len())
                )
            );
            for e in &rejected {
                eprintln!("  {}", t.render(&e.msg()));
            }
            Ok(())
        }
        AggregateOutcome::Refused { errors, .. } => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("  {}", t.render(&e.msg())))
                .collect();
            bail!("{}\n{}", t.get("aggregate.refused"), lines.join("\n"));
        }
    }
}
