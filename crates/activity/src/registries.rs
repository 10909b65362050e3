//! Importing an institution registry (LKS, LKKS or partners) from a CSV or XLSX file: read
//! by intake with the registry's reader, stored through the viewer's scoped handle (which
//! refuses, row by row, what the viewer may not write). Called by the import page, the
//! `sinergi registri impor` command and the JSON API.

use sinergi_core::{Msg, Viewer};
use sinergi_intake::RowError;
use sinergi_intake::institutions::{
    LKKS_COLUMNS, LKS_COLUMNS, PARTNER_COLUMNS, read_lkks, read_lks, read_partners,
};
use sinergi_store::{Refusal, RegistryBatch, RegistryImport, RejectedRow, Store};

use crate::ActivityError;

/// The three institution registries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registry {
    Lks,
    Lkks,
    Partners,
}

impl Registry {
    pub const ALL: [Registry; 3] = [Registry::Lks, Registry::Lkks, Registry::Partners];

    /// The name in paths and commands: `lks`, `lkks`, `mitra`.
    pub fn key(self) -> &'static str {
        match self {
            Registry::Lks => "lks",
            Registry::Lkks => "lkks",
            Registry::Partners => "mitra",
        }
    }

    pub fn from_key(key: &str) -> Result<Registry, ActivityError> {
        Registry::ALL
            .into_iter()
            .find(|r| r.key() == key.trim())
            .ok_or_else(|| {
                ActivityError::Refused(Msg::new("institution.registry_unknown").arg("value", key))
            })
    }

    /// The file's columns, in export order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Registry::Lks => &LKS_COLUMNS,
            Registry::Lkks => &LKKS_COLUMNS,
            Registry::Partners => &PARTNER_COLUMNS,
        }
    }
}

/// What a face hands over: the file.
#[derive(Debug, Clone)]
pub struct RegistryUpload<'a> {
    pub bytes: &'a [u8],
    /// The file's name; its extension says CSV or XLSX.
    pub file_name: &'a str,
}

/// How an import ended. Refusals are outcomes, not errors: the face shows them.
#[derive(Debug)]
pub enum RegistryOutcome {
    /// Rows were stored (created or updated); every row refused while reading or by the
    /// store is listed in line order.
    Imported(RegistryImport),
    /// The file could not be read as a table; nothing was stored.
    Unreadable(Msg),
    /// The file as a whole was refused (required columns missing); nothing was stored.
    Refused { errors: Vec<RowError> },
}

/// Reads `upload` as `registry` and stores what reads well, for `viewer`.
/// The upload is kept with its report, so it is listed on the uploads page.
pub async fn import_registry(
    store: &Store,
    viewer: &Viewer,
    registry: Registry,
    upload: RegistryUpload<'_>,
) -> Result<RegistryOutcome, ActivityError> {
    if viewer.is_public() {
        return Err(ActivityError::Forbidden);
    }
    let outcome = read_and_store(store, viewer, registry, upload.clone()).await?;
    let report = match &outcome {
        RegistryOutcome::Imported(i) => {
            let errors: Vec<RowError> = i
                .rejected
                .iter()
                .map(|r| RowError {
                    line: r.line,
                    column: r.column.clone(),
                    reason: r.reason.clone(),
                })
                .collect();
            crate::lists::ImportReport::of_rows(false, i.created + i.updated, &errors)
        }
        RegistryOutcome::Unreadable(m) => {
            crate::lists::ImportReport::of_rows(true, 0, &[RowError::file(m.clone())])
        }
        RegistryOutcome::Refused { errors } => crate::lists::ImportReport::of_rows(true, 0, errors),
    };
    crate::lists::record_upload(
        store,
        viewer,
        crate::lists::REGISTRY_UPLOAD,
        &format!("{} · {}", registry.key().to_uppercase(), upload.file_name),
        &report,
    )
    .await?;
    Ok(outcome)
}

async fn read_and_store(
    store: &Store,
    viewer: &Viewer,
    registry: Registry,
    upload: RegistryUpload<'_>,
) -> Result<RegistryOutcome, ActivityError> {
    if upload.bytes.is_empty() {
        return Ok(RegistryOutcome::Unreadable(Msg::new(
            "institution.file_missing",
        )));
    }
    let table = match sinergi_intake::read_table_bytes(upload.file_name, upload.bytes) {
        Ok(t) => t,
        Err(sinergi_intake::TableError::Rows { errors, .. }) => {
            return Ok(RegistryOutcome::Refused { errors: errors.0 });
        }
        Err(e) => {
            return Ok(RegistryOutcome::Unreadable(
                Msg::new("institution.file_unreadable").arg("reason", e),
            ));
        }
    };
    let scoped = store.scoped(viewer);
    let (stored, read) = match registry {
        Registry::Lks => match read_lks(&table) {
            Ok(r) => (
                scoped.import_registry(RegistryBatch::Lks(&r.rows)).await?,
                r.rejected,
            ),
            Err(errors) => return Ok(RegistryOutcome::Refused { errors }),
        },
        Registry::Lkks => match read_lkks(&table) {
            Ok(r) => (
                scoped.import_registry(RegistryBatch::Lkks(&r.rows)).await?,
                r.rejected,
            ),
            Err(errors) => return Ok(RegistryOutcome::Refused { errors }),
        },
        Registry::Partners => match read_partners(&table) {
            Ok(r) => (
                scoped
                    .import_registry(RegistryBatch::Partners(&r.rows))
                    .await?,
                r.rejected,
            ),
            Err(errors) => return Ok(RegistryOutcome::Refused { errors }),
        },
    };
    Ok(RegistryOutcome::Imported(merged(read, stored)))
}

/// Rows refused while reading and by the store, in line order, as one outcome.
fn merged(read: Vec<RowError>, mut stored: RegistryImport) -> RegistryImport {
    stored
        .rejected
        .extend(read.into_iter().map(|e| RejectedRow {
            line: e.line,
            column: e.column,
            reason: e.reason,
            refusal: Refusal::Invalid,
        }));
    stored.rejected.sort_by_key(|r| r.line);
    stored
}
