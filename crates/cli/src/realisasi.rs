//! `sinergi realisasi impor`: a realisation file for a strategy, entered as a user (whose
//! scope applies) through the same use case as the data page and the API.

use std::path::Path;

use anyhow::{Context, bail};
use sinergi_activity::realisation::{RealisationOutcome, import_realisation_file};
use sinergi_core::{Localized, Msg, Viewer};
use sinergi_i18n::{Lang, Messages};
use sinergi_store::Store;

pub async fn import(
    file: &Path,
    strategy_id: i64,
    as_user: &str,
    database: &str,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file)
        .with_context(|| format!("berkas {} tidak bisa dibaca", file.display()))?;
    let store = crate::setup::open(database).await?;
    let result = run(&store, file, &bytes, strategy_id, as_user).await;
    store.close().await;
    result
}

async fn run(
    store: &Store,
    file: &Path,
    bytes: &[u8],
    strategy_id: i64,
    as_user: &str,
) -> anyhow::Result<()> {
    let t = Messages::new(Lang::Id);
    let principal = store
        .principal_by_username(as_user)
        .await?
        .with_context(|| t.render(&Msg::new("strategy.cli.user_unknown").arg("user", as_user)))?;
    let viewer = Viewer::User(principal);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let outcome = import_realisation_file(store, &viewer, strategy_id, &name, bytes)
        .await
        .map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
    match outcome {
        RealisationOutcome::Stored { count } => {
            println!(
                "{}",
                t.render(&Msg::new("strategy.cli.stored").arg("count", count))
            );
            Ok(())
        }
        RealisationOutcome::Refused { rows } => {
            let lines: Vec<String> = rows
                .iter()
                .map(|r| {
                    let m = if r.column.is_empty() {
                        Msg::new("error.row").arg("line", r.line)
                    } else {
                        Msg::new("error.row_column")
                            .arg("line", r.line)
                            .arg("column", r.column)
                    };
                    format!("  {}", t.render(&m.arg_msg("reason", r.reason.clone())))
                })
                .collect();
            bail!(
                "{}\n{}",
                t.render(&Msg::new("strategy.cli.refused").arg("count", rows.len())),
                lines.join("\n")
            );
        }
        RealisationOutcome::Unreadable(m) => bail!("{}", t.render(&m)),
    }
}
