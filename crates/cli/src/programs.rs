//! `sinergi program impor`: a 4W sheet, under a user's scope, through the same use case as
//! the upload page and the API.

use std::path::Path;

use anyhow::bail;
use sinergi_activity::jobs::JobRunner;
use sinergi_activity::programs::{ProgramUpload, submit_programs};
use sinergi_core::{Localized, Msg, Viewer};
use sinergi_i18n::{Lang, Messages};

pub async fn import(
    file: &Path,
    as_user: &str,
    organisation: Option<String>,
    database: &str,
) -> anyhow::Result<()> {
    let t = Messages::new(Lang::Id);
    let bytes = std::fs::read(file).map_err(|e| {
        anyhow::anyhow!(
            t.render(
                &Msg::new("programs.cli_file_unreadable")
                    .arg("path", file.display())
                    .arg("reason", e)
            )
        )
    })?;
    let store = crate::setup::open(database).await?;
    let result = async {
        let principal = store.principal_by_username(as_user).await?.ok_or_else(|| {
            anyhow::anyhow!(t.render(&Msg::new("programs.cli_no_user").arg("user", as_user)))
        })?;
        let viewer = Viewer::User(principal);
        let runner = JobRunner::new(store.clone(), 1);
        let job = submit_programs(
            &store,
            &runner,
            &viewer,
            ProgramUpload {
                file_name: file.display().to_string(),
                bytes,
                organisation,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
        let report = crate::progress::wait_for_upload(&runner, &viewer, job, &t).await?;
        let summary = t.render(
            &Msg::new("programs.cli_summary")
                .arg("created", report.created.unwrap_or_default())
                .arg("updated", report.updated.unwrap_or_default())
                .arg("rows", report.stored)
                .arg("rejected", report.rejected_lines),
        );
        let rows: Vec<String> = report
            .rows
            .iter()
            .map(|e| {
                let line = t.render(
                    &Msg::new("programs.cli_row")
                        .arg("line", e.line)
                        .arg(
                            "column",
                            e.column
                                .as_deref()
                                .map(|c| format!(", {c}"))
                                .unwrap_or_default(),
                        )
                        .arg("reason", t.render_stored(&e.reason)),
                );
                format!("  {line}")
            })
            .collect();
        if report.outcome != "stored" {
            bail!("{summary}\n{}", rows.join("\n"));
        }
        println!("{summary}");
        println!("{}", crate::progress::warnings_line(&t, report.warnings));
        for r in &rows {
            eprintln!("{r}");
        }
        Ok(())
    }
    .await;
    store.close().await;
    result
}
