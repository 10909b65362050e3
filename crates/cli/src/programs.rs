//! `sinergi program impor`: a 4W sheet, under a user's scope, through the same use case as
//! the upload page and the API.

use std::path::Path;

use anyhow::bail;
use sinergi_activity::programs::{ProgramUpload, import_programs};
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
        let done = import_programs(
            &store,
            &viewer,
            ProgramUpload {
                file_name: file.display().to_string(),
                bytes: &bytes,
                organisation,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
        let summary = t.render(
            &Msg::new("programs.cli_summary")
                .arg("created", done.created)
                .arg("updated", done.updated)
                .arg("rows", done.rows)
                .arg("rejected", done.rejected_rows),
        );
        let rows: Vec<String> = done
            .rejected
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
                        .arg_msg("reason", e.reason.clone()),
                );
                format!("  {line}")
            })
            .collect();
        if done.failed() {
            bail!("{summary}\n{}", rows.join("\n"));
        }
        println!("{summary}");
        for r in &rows {
            eprintln!("{r}");
        }
        Ok(())
    }
    .await;
    store.close().await;
    result
}
