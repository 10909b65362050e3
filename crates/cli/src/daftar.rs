//! `sinergi daftar impor`: a person-level list, under a user's scope, with its legal basis.

use std::path::Path;

use anyhow::{Context, bail};
use sinergi_activity::lists::{self, PersonListOutcome, PersonListUpload};
use sinergi_core::{LegalBasis, Localized, Viewer};
use sinergi_i18n::{Lang, Messages};
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
        &bytes,
        as_user,
        organisation,
        legal_basis,
        reference,
        name,
    )
    .await;
    store.close().await;
    result
}

#[allow(clippy::too_many_arguments)]
async fn run(
    store: &Store,
    file: &Path,
    bytes: &[u8],
    as_user: &str,
    organisation: &str,
    legal_basis: Option<LegalBasis>,
    reference: Option<String>,
    name: Option<String>,
) -> anyhow::Result<()> {
    let t = Messages::new(Lang::Id);
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
    let outcome = lists::import_person_list(
        store,
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
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
    let rejected_lines = outcome.rejected_lines();
    match outcome {
        PersonListOutcome::Stored {
            list_id,
            list_name,
            organisation,
            stored,
            rejected,
        } => {
            println!(
                "Daftar \"{list_name}\" disimpan (id {list_id}): {stored} orang untuk {}.",
                organisation.name
            );
            if !rejected.is_empty() {
                eprintln!("{rejected_lines} baris tidak disimpan:");
                for e in &rejected {
                    eprintln!("  {}", t.render(&e.msg()));
                }
            }
            Ok(())
        }
        PersonListOutcome::Refused { errors } => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("  {}", t.render(&e.msg())))
                .collect();
            bail!(
                "berkas ditolak, tidak ada yang disimpan:\n{}",
                lines.join("\n")
            );
        }
        PersonListOutcome::OutsideScope { rows } => {
            let lines: Vec<String> = rows
                .iter()
                .take(20)
                .map(|o| {
                    format!(
                        "  baris {}: wilayah {} di luar cakupan {as_user}",
                        o.line, o.region
                    )
                })
                .collect();
            bail!(
                "daftar ditolak, tidak ada yang disimpan: {} baris di luar cakupan pengguna atau organisasinya\n{}",
                rows.len(),
                lines.join("\n")
            );
        }
    }
}
