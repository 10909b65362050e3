//! `sinergi daftar impor`: a person-level list, under a user's scope, with its legal basis;
//! run as a job with a progress bar; `--ganti ID` replaces an earlier list.

use std::path::Path;

use anyhow::{Context, bail};
use sinergi_activity::jobs::JobRunner;
use sinergi_activity::lists::{self, ImportReport, PersonListUpload};
use sinergi_core::{LegalBasis, Localized, Viewer};
use sinergi_store::Store;

use crate::args::KeyArgs;

#[allow(clippy::too_many_arguments)]
pub async fn import(
    file: &Path,
    as_user: &str,
    organisation: &str,
    basis: Option<String>,
    reference: Option<String>,
    name: Option<String>,
    replaces: Option<i64>,
    key: &KeyArgs,
    database: &str,
) -> anyhow::Result<()> {
    let legal_basis = match basis.as_deref() {
        None => None,
        Some(b) => Some(LegalBasis::from_key(b).with_context(|| {
            format!(
                "--dasar-hukum \"{b}\" tidak dikenal; pilih: {}",
                LegalBasis::ALL.map(|b| b.key()).join(", ")
            )
        })?),
    };
    let bytes = std::fs::read(file)
        .with_context(|| format!("berkas {} tidak bisa dibaca", file.display()))?;
    let store = crate::setup::open_with_key(database, key).await?;
    let result = run(
        &store,
        file,
        bytes,
        as_user,
        organisation,
        legal_basis,
        reference,
        name,
        replaces,
    )
    .await;
    store.close().await;
    result
}

/// Runs the import as a job (the same use case and runner as the server), shows its progress
/// on stderr, and prints its report.
#[allow(clippy::too_many_arguments)]
async fn run(
    store: &Store,
    file: &Path,
    bytes: Vec<u8>,
    as_user: &str,
    organisation: &str,
    legal_basis: Option<LegalBasis>,
    reference: Option<String>,
    name: Option<String>,
    replaces: Option<i64>,
) -> anyhow::Result<()> {
    let t = crate::lang::messages();
    let principal = store
        .principal_by_username(as_user)
        .await?
        .with_context(|| format!("--sebagai: pengguna \"{as_user}\" tidak ada atau nonaktif"))?;
    let org = match organisation.parse::<i64>() {
        Ok(id) => store.organisation(id).await?,
        Err(_) => store.organisation_by_name(organisation).await?,
    }
    .with_context(|| format!("--organisasi: \"{organisation}\" tidak ada"))?;
    let viewer = Viewer::User(principal);
    let runner = JobRunner::new(store.clone(), 1);
    let job = lists::submit_person_list(
        store,
        &runner,
        &viewer,
        PersonListUpload {
            bytes,
            file_name: file.display().to_string(),
            organisation_id: org.id,
            name: Some(name.unwrap_or_else(|| {
                file.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })),
            legal_basis,
            reference: reference.unwrap_or_default(),
            replaces,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
    let report: ImportReport = crate::progress::wait_for_upload(&runner, &viewer, job, &t).await?;
    let rows: Vec<String> = report
        .rows
        .iter()
        .map(|r| format!("  {}", t.render_stored(&r.message())))
        .collect();
    match report.outcome.as_str() {
        "stored" => {
            println!(
                "Daftar \"{}\" disimpan (id {}): {} orang untuk {}.",
                report.list_name.unwrap_or_default(),
                report.list_id.unwrap_or_default(),
                report.stored,
                report.organisation.unwrap_or_default()
            );
            println!("{}", crate::progress::warnings_line(&t, report.warnings));
            if !rows.is_empty() {
                eprintln!("{} baris tidak disimpan:", report.rejected_lines);
                eprintln!("{}", rows.join("\n"));
            }
            Ok(())
        }
        "outside_scope" => bail!(
            "daftar ditolak, tidak ada yang disimpan: {} baris di luar cakupan pengguna atau organisasinya\n{}",
            report.rejected_lines,
            rows.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
        ),
        _ => bail!(
            "berkas ditolak, tidak ada yang disimpan:\n{}",
            rows.join("\n")
        ),
    }
}
