//! `sinergi realisasi impor`: a realisation file for a strategy, entered as a user (whose
//! scope applies) through the same use case as the data page and the API.

use std::path::Path;

use anyhow::{Context, bail};
use sinergi_activity::jobs::JobRunner;
use sinergi_activity::realisation::submit_realisation_file;
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
    let result = run(&store, file, bytes, strategy_id, as_user).await;
    store.close().await;
    result
}

async fn run(
    store: &Store,
    file: &Path,
    bytes: Vec<u8>,
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
    let runner = JobRunner::new(store.clone(), 1);
    let job = submit_realisation_file(store, &runner, &viewer, strategy_id, name, bytes)
        .await
        .map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
    let report = crate::progress::wait_for_upload(&runner, &viewer, job, &t).await?;
    if report.outcome == "stored" {
        println!(
            "{}",
            t.render(&Msg::new("strategy.cli.stored").arg("count", report.stored))
        );
        println!("{}", crate::progress::warnings_line(&t, report.warnings));
        return Ok(());
    }
    // A file that could not be read is refused with its one reason (line 0).
    if let [only] = report.rows.as_slice()
        && only.line == 0
    {
        bail!("{}", t.render_stored(&only.reason));
    }
    let lines: Vec<String> = report
        .rows
        .iter()
        .map(|r| format!("  {}", t.render_stored(&r.message())))
        .collect();
    bail!(
        "{}\n{}",
        t.render(&Msg::new("strategy.cli.refused").arg("count", report.rows_total)),
        lines.join("\n")
    );
}
