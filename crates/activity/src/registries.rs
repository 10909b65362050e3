//! Importing an institution registry (LKS, LKKS or partners) from a CSV or XLSX file: read
//! by intake with the registry's reader, stored through the viewer's scoped handle (which
//! refuses, row by row, what the viewer may not write), as a background job. Called by the
//! import page, the `sinergi registri impor` command and the JSON API.

use sinergi_core::institution::{LkksInput, LksInput, PartnerInput};
use sinergi_core::{Msg, Viewer};
use sinergi_intake::RowError;
use sinergi_intake::institutions::{
    LKKS_COLUMNS, LKS_COLUMNS, PARTNER_COLUMNS, RegistryRows, read_lkks, read_lks, read_partners,
};
use sinergi_store::{Refusal, RegistryBatch, RegistryImport, RejectedRow, Store};

use crate::ActivityError;
use crate::jobs::{JobRunner, Progress};
use crate::lists::{ImportReport, REGISTRY_UPLOAD, off_request_threads, submit_upload};

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
pub struct RegistryUpload {
    pub bytes: Vec<u8>,
    /// The file's name; its extension says CSV or XLSX.
    pub file_name: String,
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

impl RegistryOutcome {
    /// The outcome as its job keeps it and every face shows it.
    pub fn report(&self) -> ImportReport {
        match self {
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
                let mut report = ImportReport::of_rows(false, i.created + i.updated, &errors);
                report.created = Some(i.created);
                report.updated = Some(i.updated);
                report
            }
            RegistryOutcome::Unreadable(m) => {
                ImportReport::of_rows(true, 0, &[RowError::file(m.clone())])
            }
            RegistryOutcome::Refused { errors } => ImportReport::of_rows(true, 0, errors),
        }
    }
}

/// Starts the import of `upload` as `registry` for `viewer` as a background job of
/// `runner` (kind [`REGISTRY_UPLOAD`]) and returns the job's id; its result is the
/// [`ImportReport`] (with created and updated counts). The role is checked at once.
pub async fn submit_registry(
    store: &Store,
    runner: &JobRunner,
    viewer: &Viewer,
    registry: Registry,
    upload: RegistryUpload,
) -> Result<i64, ActivityError> {
    if viewer.is_public() {
        return Err(ActivityError::Forbidden);
    }
    let label = format!("{} · {}", registry.key().to_uppercase(), upload.file_name);
    let store = store.clone();
    let job_viewer = viewer.clone();
    submit_upload(
        runner,
        viewer,
        REGISTRY_UPLOAD,
        &label,
        move |progress| async move {
            let outcome = import_registry(&store, &job_viewer, registry, upload, &progress).await?;
            Ok(outcome.report())
        },
    )
    .await
}

/// Reads `upload` as `registry` and stores what reads well, for `viewer` (the work of a
/// registry import job; faces call [`submit_registry`]).
pub async fn import_registry(
    store: &Store,
    viewer: &Viewer,
    registry: Registry,
    upload: RegistryUpload,
    progress: &Progress,
) -> Result<RegistryOutcome, ActivityError> {
    if viewer.is_public() {
        return Err(ActivityError::Forbidden);
    }
    if upload.bytes.is_empty() {
        return Ok(RegistryOutcome::Unreadable(Msg::new(
            "institution.file_missing",
        )));
    }
    // Decompressing and reading the file is CPU work: on a blocking thread.
    let read = off_request_threads(move || read_registry(registry, &upload)).await?;
    let read = match read {
        Ok(read) => read,
        Err(outcome) => return Ok(outcome),
    };
    progress.set_total(read.len());
    let scoped = store.scoped(viewer);
    let (stored, rejected) = match &read {
        Read::Lks(r) => (
            scoped.import_registry(RegistryBatch::Lks(&r.rows)).await?,
            &r.rejected,
        ),
        Read::Lkks(r) => (
            scoped.import_registry(RegistryBatch::Lkks(&r.rows)).await?,
            &r.rejected,
        ),
        Read::Partners(r) => (
            scoped
                .import_registry(RegistryBatch::Partners(&r.rows))
                .await?,
            &r.rejected,
        ),
    };
    progress.set_done(read.len());
    Ok(RegistryOutcome::Imported(merged(rejected.clone(), stored)))
}

/// A registry's rows as read, before the store.
enum Read {
    Lks(RegistryRows<LksInput>),
    Lkks(RegistryRows<LkksInput>),
    Partners(RegistryRows<PartnerInput>),
}

impl Read {
    /// Rows read, good and refused.
    fn len(&self) -> u64 {
        let (rows, rejected) = match self {
            Read::Lks(r) => (r.rows.len(), &r.rejected),
            Read::Lkks(r) => (r.rows.len(), &r.rejected),
            Read::Partners(r) => (r.rows.len(), &r.rejected),
        };
        let refused: std::collections::BTreeSet<u64> = rejected.iter().map(|e| e.line).collect();
        (rows + refused.len()) as u64
    }
}

/// The file as a table, then as the registry's rows; or the outcome that ends the import.
fn read_registry(registry: Registry, upload: &RegistryUpload) -> Result<Read, RegistryOutcome> {
    let table = match sinergi_intake::read_table_bytes(&upload.file_name, &upload.bytes) {
        Ok(t) => t,
        Err(sinergi_intake::TableError::Rows { errors, .. }) => {
            return Err(RegistryOutcome::Refused { errors: errors.0 });
        }
        Err(e) => {
            return Err(RegistryOutcome::Unreadable(
                Msg::new("institution.file_unreadable").arg("reason", e),
            ));
        }
    };
    let refused = |errors| RegistryOutcome::Refused { errors };
    Ok(match registry {
        Registry::Lks => Read::Lks(read_lks(&table).map_err(refused)?),
        Registry::Lkks => Read::Lkks(read_lkks(&table).map_err(refused)?),
        Registry::Partners => Read::Partners(read_partners(&table).map_err(refused)?),
    })
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
