//! `sinergi daftar impor`: a person-level list, under a user's scope, with its legal basis.

use std::path::Path;

use anyhow::{Context, bail};
use sinergi_core::LegalBasis;
use sinergi_store::{NewPersonList, Store};

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
    let principal = store
        .principal_by_username(as_user)
        .await?
        .with_context(|| format!("--sebagai: pengguna \"{as_user}\" tidak ada atau nonaktif"))?;
    let org = match organisation.parse::<i64>() {
        Ok(id) => store.organisation(id).await?,
        Err(_) => store.organisation_by_name(organisation).await?,
    }
    .with_context(|| format!("--organisasi: \"{organisation}\" tidak ada"))?;
    // Regions known to the register, current or retired.
    let prefixes = store.region_prefix_table().await?;
    let known = store.region_code_set().await?;
    let list = sinergi_intake::read_person_list(
        bytes,
        &|code| known.contains(code.as_str()),
        Some(&prefixes),
    )?;
    let new = NewPersonList {
        organisation_id: org.id,
        name: name.unwrap_or_else(|| {
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        }),
        legal_basis,
        reference: reference.unwrap_or_default(),
        source_file: Some(file.display().to_string()),
    };
    match store
        .import_person_list(&principal, &new, &list.rows)
        .await?
    {
        Ok(imported) => {
            println!(
                "Daftar \"{}\" disimpan (id {}): {} orang untuk {}.",
                new.name, imported.list_id, imported.stored, org.name
            );
        }
        Err(outside) => {
            let lines: Vec<String> = outside
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
                outside.len(),
                lines.join("\n")
            );
        }
    }
    if !list.rejected.is_empty() {
        let rejected_lines: std::collections::BTreeSet<u64> =
            list.rejected.iter().map(|e| e.line).collect();
        eprintln!("{} baris tidak disimpan:", rejected_lines.len());
        for e in &list.rejected {
            eprintln!("  {e}");
        }
    }
    Ok(())
}
