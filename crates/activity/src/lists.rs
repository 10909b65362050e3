//! Importing a person-level list (a partner's beneficiaries, a register): read by intake,
//! checked against the region register, stored through the viewer's scoped handle, as a
//! background job. The same file twice for one organisation is refused naming the earlier
//! import; a corrected list replaces an earlier one by choice.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sinergi_core::{LegalBasis, Localized, Msg, Viewer};
use sinergi_intake::RowError;
use sinergi_store::{ListBatch, NewPersonList, Organisation, OutOfScopeRow, Store};

use crate::ActivityError;
use crate::jobs::{JobRunner, Progress};

/// The kind of job an import runs as.
pub const IMPORT_JOB: &str = "daftar.impor";

/// Uploads that are stored in the request rather than as a job (4W sheets, institution
/// registries, published figures) are kept as finished jobs of these kinds, so the uploads
/// page and the home page list them with their rejected rows beside the list imports.
pub const FOURW_UPLOAD: &str = "4w.impor";
pub const REGISTRY_UPLOAD: &str = "registri.impor";
pub const AGGREGATE_UPLOAD: &str = "agregat.impor";
/// A strategy's realisation file (run as a job, as 4W sheets and registries are).
pub const REALISATION_UPLOAD: &str = "realisasi.impor";
/// Every kind the uploads page lists.
pub const UPLOAD_KINDS: [&str; 5] = [
    IMPORT_JOB,
    FOURW_UPLOAD,
    REGISTRY_UPLOAD,
    AGGREGATE_UPLOAD,
    REALISATION_UPLOAD,
];

/// The catalogue keys an upload's page is titled with and counts its stored rows in.
pub fn upload_keys(kind: &str) -> (&'static str, &'static str) {
    match kind {
        FOURW_UPLOAD => ("jobs.title.fourw", "uploads.rows_stored"),
        REGISTRY_UPLOAD => ("jobs.title.registry", "uploads.rows_stored"),
        AGGREGATE_UPLOAD => ("jobs.title.aggregate", "uploads.figures_stored"),
        REALISATION_UPLOAD => ("jobs.title.realisation", "uploads.figures_stored"),
        _ => ("jobs.import_title", "lists.stored"),
    }
}

/// A reject report keeps at most this many rows (the count of all is kept beside them).
pub const REPORT_ROWS: usize = 10_000;

/// What a face hands over: the file and what the user said about it.
#[derive(Debug, Clone)]
pub struct PersonListUpload {
    pub bytes: Vec<u8>,
    /// The file's name, for the list's default name and its provenance.
    pub file_name: String,
    pub organisation_id: i64,
    /// The list's name; the file's name when empty.
    pub name: Option<String>,
    pub legal_basis: Option<LegalBasis>,
    /// The consent register, agreement or decree the basis rests on.
    pub reference: String,
    /// An earlier list of the organisation that this corrected one replaces ("ganti daftar").
    pub replaces: Option<i64>,
}

/// How an import ended. Refusals are outcomes, not errors: the face shows their rows.
#[derive(Debug)]
pub enum PersonListOutcome {
    /// Stored in one transaction; `rejected` rows were left out, each with its reason.
    Stored {
        list_id: i64,
        list_name: String,
        organisation: Organisation,
        stored: u64,
        rejected: Vec<RowError>,
        /// Warnings kept with the stored rows (a row may carry several).
        warnings: u64,
    },
    /// The file as a whole was refused (unreadable, or missing required columns); nothing
    /// was stored.
    Refused { errors: Vec<RowError> },
    /// Rows lie outside the viewer's scope or organisation; nothing was stored.
    OutsideScope { rows: Vec<OutOfScopeRow> },
}

impl PersonListOutcome {
    /// Distinct lines that were not stored.
    pub fn rejected_lines(&self) -> usize {
        let lines: std::collections::BTreeSet<u64> = match self {
            PersonListOutcome::Stored { rejected, .. } => rejected.iter().map(|e| e.line).collect(),
            PersonListOutcome::Refused { errors } => errors.iter().map(|e| e.line).collect(),
            PersonListOutcome::OutsideScope { rows } => rows.iter().map(|r| r.line).collect(),
        };
        lines.len()
    }
}

/// An import's outcome as its job keeps it (JSON in the `job` table) and every face shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ImportReport {
    /// `stored`, `refused` (the whole file) or `outside_scope` (nothing stored).
    pub outcome: String,
    pub list_id: Option<i64>,
    pub list_name: Option<String>,
    pub organisation: Option<String>,
    pub stored: u64,
    pub rejected_lines: usize,
    /// Refused rows in line order, at most [`REPORT_ROWS`].
    pub rows: Vec<ReportRow>,
    /// How many refusals there were in all (more than `rows` when cut).
    pub rows_total: usize,
    /// Warnings kept with the stored rows (0 for imports that keep none).
    #[serde(default)]
    pub warnings: u64,
    /// Of the stored records, those new and those that updated an earlier one (registries
    /// and 4W sheets, which update by their key; `None` for person lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<u64>,
}

/// One refused row: the reason as a stored message ([`Msg::to_json`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReportRow {
    pub line: u64,
    pub column: Option<String>,
    pub reason: serde_json::Value,
}

impl ReportRow {
    /// "baris 5, kolom nik: …" as a stored message, for faces that list rows as sentences.
    pub fn message(&self) -> serde_json::Value {
        let line = self.line.to_string();
        match &self.column {
            Some(c) => serde_json::json!({ "key": "error.row_column",
                "args": { "line": line, "column": c, "reason": self.reason } }),
            None => serde_json::json!({ "key": "error.row",
                "args": { "line": line, "reason": self.reason } }),
        }
    }
}

impl ImportReport {
    /// The report of an upload stored in the request: `stored` rows, `errors` refused
    /// (`refused` when the file as a whole was).
    pub fn of_rows(refused: bool, stored: u64, errors: &[RowError]) -> ImportReport {
        let lines: std::collections::BTreeSet<u64> = errors.iter().map(|e| e.line).collect();
        ImportReport {
            outcome: if refused { "refused" } else { "stored" }.into(),
            list_id: None,
            list_name: None,
            organisation: None,
            stored,
            rejected_lines: lines.len(),
            rows: errors
                .iter()
                .take(REPORT_ROWS)
                .map(|e| ReportRow {
                    line: e.line,
                    column: e.column.clone(),
                    reason: e.reason.to_json(),
                })
                .collect(),
            rows_total: errors.len(),
            warnings: 0,
            created: None,
            updated: None,
        }
    }

    pub fn of(outcome: &PersonListOutcome) -> ImportReport {
        let rejected_lines = outcome.rejected_lines();
        let rows_of = |errors: &[RowError]| -> Vec<ReportRow> {
            errors
                .iter()
                .take(REPORT_ROWS)
                .map(|e| ReportRow {
                    line: e.line,
                    column: e.column.clone(),
                    reason: e.reason.to_json(),
                })
                .collect()
        };
        match outcome {
            PersonListOutcome::Stored {
                list_id,
                list_name,
                organisation,
                stored,
                rejected,
                warnings,
            } => ImportReport {
                outcome: "stored".into(),
                list_id: Some(*list_id),
                list_name: Some(list_name.clone()),
                organisation: Some(organisation.name.clone()),
                stored: *stored,
                rejected_lines,
                rows: rows_of(rejected),
                rows_total: rejected.len(),
                warnings: *warnings,
                created: None,
                updated: None,
            },
            PersonListOutcome::Refused { errors } => ImportReport {
                outcome: "refused".into(),
                list_id: None,
                list_name: None,
                organisation: None,
                stored: 0,
                rejected_lines,
                rows: rows_of(errors),
                rows_total: errors.len(),
                warnings: 0,
                created: None,
                updated: None,
            },
            PersonListOutcome::OutsideScope { rows } => {
                let errors: Vec<RowError> = rows
                    .iter()
                    .map(|o| RowError {
                        line: o.line,
                        column: Some("kode_desa".into()),
                        reason: Msg::new("lists.outside_scope_reason").arg("region", &o.region),
                    })
                    .collect();
                ImportReport {
                    outcome: "outside_scope".into(),
                    list_id: None,
                    list_name: None,
                    organisation: None,
                    stored: 0,
                    rejected_lines,
                    rows: rows_of(&errors),
                    rows_total: errors.len(),
                    warnings: 0,
                    created: None,
                    updated: None,
                }
            }
        }
    }
}

/// The organisations `viewer` may file a list for.
pub async fn organisations_for(
    store: &Store,
    viewer: &Viewer,
) -> Result<Vec<Organisation>, ActivityError> {
    Ok(store.scoped(viewer).organisations_acting_for().await?)
}

/// Whether `viewer` may import lists at all: faces ask before they read an upload's body.
pub fn may_import(viewer: &Viewer) -> Result<(), ActivityError> {
    if viewer.can_write() {
        Ok(())
    } else {
        Err(ActivityError::Forbidden)
    }
}

/// The checks that need no reading of the file: the role, the organisation, and the same
/// file already stored for it (refused at once, naming the earlier import).
async fn precheck(
    store: &Store,
    viewer: &Viewer,
    upload: &PersonListUpload,
    content_hash: &str,
) -> Result<Organisation, ActivityError> {
    may_import(viewer)?;
    // The same refusals the store makes, before any reading: a job is never started for them.
    if upload.legal_basis.is_none() {
        return Err(ActivityError::Refused(Msg::new("lists.basis_missing")));
    }
    if upload.reference.trim().is_empty() {
        return Err(ActivityError::Refused(Msg::new("lists.reference_missing")));
    }
    let organisation = store
        .scoped(viewer)
        .organisations_acting_for()
        .await?
        .into_iter()
        .find(|o| o.id == upload.organisation_id)
        .ok_or_else(|| {
            ActivityError::Refused(
                Msg::new("lists.organisation_not_yours").arg("id", upload.organisation_id),
            )
        })?;
    if let Some((earlier, refusal)) = store
        .scoped(viewer)
        .list_with_content(organisation.id, content_hash)
        .await?
        // Replacing a list by the very same file is allowed (it changes nothing but the id).
        && upload.replaces != Some(earlier)
    {
        return Err(ActivityError::Refused(refusal));
    }
    Ok(organisation)
}

/// Starts the import of `upload` as a background job of `runner` and returns the job's id;
/// refusals that need no reading of the file (role, organisation, same file) come back at
/// once. The job's result is an [`ImportReport`].
pub async fn submit_person_list(
    store: &Store,
    runner: &JobRunner,
    viewer: &Viewer,
    upload: PersonListUpload,
) -> Result<i64, ActivityError> {
    let content_hash = sinergi_core::audit::sha256_hex(&upload.bytes);
    precheck(store, viewer, &upload, &content_hash).await?;
    let label = upload.file_name.clone();
    let store = store.clone();
    let job_viewer = viewer.clone();
    runner
        .submit(viewer, IMPORT_JOB, &label, move |progress| async move {
            match import_person_list(&store, &job_viewer, upload, progress).await {
                Ok(outcome) => {
                    // Still in the job: the public counts are recounted here, not by a visitor.
                    if matches!(outcome, PersonListOutcome::Stored { .. })
                        && let Err(e) = store.refresh_published_counts().await
                    {
                        tracing::warn!("published counts not refreshed after an import: {e}");
                    }
                    serde_json::to_value(ImportReport::of(&outcome))
                        .map_err(|_| Msg::new("jobs.crashed"))
                }
                Err(e) => Err(e.msg()),
            }
        })
        .await
}

/// Reads, checks and stores a person list for `viewer` (the work of an import job).
pub async fn import_person_list(
    store: &Store,
    viewer: &Viewer,
    upload: PersonListUpload,
    progress: Arc<Progress>,
) -> Result<PersonListOutcome, ActivityError> {
    let content_hash = sinergi_core::audit::sha256_hex(&upload.bytes);
    let organisation = precheck(store, viewer, &upload, &content_hash).await?;
    // Regions known to the register, current or retired.
    let known = store.region_code_set().await?;
    let prefixes = store.region_prefix_table().await?;
    // Rows may name their desa instead of its code: names are matched within the viewer's
    // scope (everywhere for an account without one); a `provinsi` given is checked against
    // every province.
    let within = viewer
        .principal()
        .map(|p| p.scope.regions.clone())
        .unwrap_or_default();
    let region_names = store.region_name_index_with_provinces(&within).await?;
    let name = upload
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| upload.file_name.clone());
    let new = NewPersonList {
        organisation_id: organisation.id,
        name: name.clone(),
        legal_basis: upload.legal_basis,
        reference: upload.reference,
        source_file: Some(upload.file_name),
        content_hash: Some(content_hash),
        replaces: upload.replaces,
    };
    let bytes = upload.bytes;
    // Rows are sealed and hashed on the reader's side (on every core), so the writer only
    // writes while the next batch is read.
    let sealer = store.person_sealer()?;
    // Rows are counted only once read: a text file's line count is the bar's total until then
    // (a workbook's is unknown).
    let text = !bytes.iter().take(4096).any(|&b| b == 0) && !bytes.starts_with(b"PK");
    if text {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        progress.set_total(lines.saturating_sub(1));
    }
    // Rows go to the store in batches while the file is read: a few batches in flight at
    // most, so memory holds the file and the refused rows, never all accepted rows.
    let (sender, mut batches) = tokio::sync::mpsc::channel::<ListBatch>(BATCHES_IN_FLIGHT);
    // Reading is CPU work: on a blocking thread, never on the threads serving requests.
    let reader = tokio::task::spawn_blocking(move || {
        let ctx = sinergi_intake::PersonContext {
            region_exists: &|code| known.contains(code.as_str()),
            prefixes: Some(&prefixes),
            region_names: Some(&region_names),
            today: chrono::Utc::now().date_naive(),
            limits: sinergi_intake::Limits::default(),
        };
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        let mut rejected = Vec::new();
        // After the store stops listening (rows outside the scope) the rest is only read.
        let mut listening = true;
        let read = sinergi_intake::read_person_rows(&bytes, &ctx, &mut |row| match row {
            Ok(p) => {
                batch.push(p);
                if batch.len() == BATCH_ROWS && listening {
                    let sealed = sealer.prepare(&batch);
                    batch.clear();
                    listening = sender.blocking_send(ListBatch::Sealed(sealed)).is_ok();
                } else if !listening {
                    batch.clear();
                }
            }
            Err(e) => rejected.extend(e),
        });
        // A refused file ends without `Done`: the store rolls back what it wrote.
        if read.is_ok() && listening {
            let _ = sender.blocking_send(ListBatch::Sealed(sealer.prepare(&batch)));
            let _ = sender.blocking_send(ListBatch::Done);
        }
        read.map(|_| rejected)
    });
    let report = |n: u64| progress.set_done(n);
    let stored = store
        .scoped(viewer)
        .import_person_batches(&new, &mut batches, &report)
        .await;
    // The reader ends once the store stopped receiving.
    drop(batches);
    let read = reader
        .await
        .map_err(|_| ActivityError::Refused(Msg::new("jobs.crashed")))?;
    let rejected = match read {
        Ok(rejected) => rejected,
        // The whole file was refused (possibly after rows were written, rolled back).
        Err(errors) => return Ok(PersonListOutcome::Refused { errors: errors.0 }),
    };
    match stored? {
        Ok(imported) => {
            progress.set_total(imported.stored);
            // As the store kept them: a NIK repeated batches later warns on its first row too.
            let warnings = store
                .scoped(viewer)
                .person_list(imported.list_id)
                .await?
                .map_or(0, |l| l.warning_count as u64);
            Ok(PersonListOutcome::Stored {
                list_id: imported.list_id,
                list_name: name,
                organisation,
                stored: imported.stored,
                rejected,
                warnings,
            })
        }
        Err(rows) => Ok(PersonListOutcome::OutsideScope { rows }),
    }
}

/// Rows per batch handed from the reader to the store.
const BATCH_ROWS: usize = 5_000;
/// Batches read ahead of the store.
const BATCHES_IN_FLIGHT: usize = 2;

/// An import job as its page shows it: the job and, once stored, its report and one page of
/// its stored rows' warnings.
#[derive(Debug, Clone)]
pub struct ImportJob {
    pub job: sinergi_store::JobRecord,
    pub report: Option<ImportReport>,
    /// The warnings kept with the stored rows (within the viewer's scope), when asked for.
    pub warnings: Option<sinergi_store::Paged<sinergi_store::RowWarning>>,
}

/// The import job `id` for `viewer` (its owner or an administrator); `None` when unknown,
/// not theirs, or not an import.
pub async fn import_job(
    runner: &JobRunner,
    viewer: &Viewer,
    id: i64,
) -> Result<Option<ImportJob>, ActivityError> {
    import_job_page(runner, viewer, id, None).await
}

/// [`import_job`] with one page of the stored list's row warnings (the job page shows them
/// beside the refused rows).
pub async fn import_job_page(
    runner: &JobRunner,
    viewer: &Viewer,
    id: i64,
    warnings_page: Option<sinergi_store::Page>,
) -> Result<Option<ImportJob>, ActivityError> {
    let Some(job) = runner.status(viewer, id).await? else {
        return Ok(None);
    };
    if !UPLOAD_KINDS.contains(&job.kind.as_str()) {
        return Ok(None);
    }
    let report: Option<ImportReport> = job
        .result
        .clone()
        .and_then(|r| serde_json::from_value(r).ok());
    let warnings = match (warnings_page, report.as_ref().and_then(|r| r.list_id)) {
        (Some(page), Some(list_id)) => Some(
            runner
                .store
                .scoped(viewer)
                .list_warnings(list_id, page)
                .await?,
        ),
        _ => None,
    };
    Ok(Some(ImportJob {
        job,
        report,
        warnings,
    }))
}

/// Runs an upload's `work` (a 4W sheet, a registry, a realisation file) as a background job
/// of `kind`, off the request threads, as person lists run: the job's result is the
/// [`ImportReport`] the work returns; an error fails the job with its message. Returns the
/// job's id at once; the faces show its progress page (`/tugas/{id}`), wait for it (the CLI,
/// the JSON API) or poll it (`GET /api/v1/tugas/{id}`).
pub async fn submit_upload<F, Fut>(
    runner: &JobRunner,
    viewer: &Viewer,
    kind: &str,
    label: &str,
    work: F,
) -> Result<i64, ActivityError>
where
    F: FnOnce(Arc<Progress>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<ImportReport, ActivityError>> + Send + 'static,
{
    let label = if label.trim().is_empty() {
        kind
    } else {
        label.trim()
    };
    runner
        .submit(viewer, kind, label, move |progress| async move {
            match work(progress).await {
                Ok(report) => serde_json::to_value(report).map_err(|_| Msg::new("jobs.crashed")),
                Err(e) => Err(e.msg()),
            }
        })
        .await
}

/// An upload job once finished: its report, or the stored message it failed with.
#[derive(Debug, Clone)]
pub enum UploadEnd {
    Report(ImportReport),
    Failed(serde_json::Value),
}

/// Waits for upload job `id` to finish (calling `tick` with its progress now and then) and
/// returns how it ended.
pub async fn wait_for_upload(
    runner: &JobRunner,
    viewer: &Viewer,
    id: i64,
    tick: impl FnMut(&sinergi_store::JobRecord),
) -> Result<UploadEnd, ActivityError> {
    let job = runner.wait(viewer, id, tick).await?;
    if let Some(error) = job.error {
        return Ok(UploadEnd::Failed(error));
    }
    job.result
        .and_then(|r| serde_json::from_value(r).ok())
        .map(UploadEnd::Report)
        .ok_or_else(|| ActivityError::Refused(Msg::new("jobs.crashed")))
}

/// CPU work of an upload job (decompressing and reading a file) on a blocking thread, never
/// on the threads that serve requests.
pub(crate) async fn off_request_threads<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ActivityError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ActivityError::Refused(Msg::new("jobs.crashed")))
}

/// Keeps an upload that was stored in the request as a finished job of `kind` with its
/// report, so it is listed on the uploads page (and counted on the home page when rows were
/// rejected). Returns the job's id; `None` for the public, who upload nothing.
pub async fn record_upload(
    store: &Store,
    viewer: &Viewer,
    kind: &str,
    file_name: &str,
    report: &ImportReport,
) -> Result<Option<i64>, ActivityError> {
    if viewer.principal().is_none() && !viewer.is_system() {
        return Ok(None);
    }
    let label = if file_name.trim().is_empty() {
        kind
    } else {
        file_name.trim()
    };
    let id = store.scoped(viewer).create_job(kind, label).await?;
    let total = report.stored + report.rejected_lines as u64;
    store
        .job_finished(
            id,
            Ok(serde_json::to_value(report).unwrap_or_default()),
            (report.stored, total),
        )
        .await?;
    Ok(Some(id))
}

/// How far back the uploads page and the home page look for a viewer's uploads.
pub const UPLOADS_RECENT_DAYS: i64 = 90;
/// The uploads page lists at most this many (newest first).
pub const UPLOADS_SHOWN: u32 = 100;

/// A finished upload (an import job) as the uploads page and the home page count it.
#[derive(Debug, Clone, Serialize)]
pub struct Upload {
    pub job: sinergi_store::JobRecord,
    /// The import's report; `None` when the job failed before it had one.
    pub report: Option<ImportReport>,
}

impl Upload {
    /// Rows (or the whole file) the import did not store, so someone must correct and send
    /// them again: a stored list with rejected rows, a refused file, or a failed job.
    pub fn needs_correction(&self) -> bool {
        match &self.report {
            Some(r) => r.outcome != "stored" || r.rejected_lines > 0,
            None => true,
        }
    }

    /// The catalogue key naming what was uploaded (a list, a 4W sheet, a registry, figures).
    pub fn kind_key(&self) -> &'static str {
        match self.job.kind.as_str() {
            FOURW_UPLOAD => "uploads.kind.fourw",
            REGISTRY_UPLOAD => "uploads.kind.registry",
            AGGREGATE_UPLOAD => "uploads.kind.aggregate",
            REALISATION_UPLOAD => "uploads.kind.realisation",
            _ => "uploads.kind.list",
        }
    }

    /// Lines not stored (0 when the job failed without a report).
    pub fn rejected_lines(&self) -> usize {
        self.report.as_ref().map_or(0, |r| r.rejected_lines)
    }
}

/// The viewer's uploads of the last [`UPLOADS_RECENT_DAYS`] up to `today`, newest first
/// (an administrator's: everyone's); only those that need correcting when `only_rejected`.
pub async fn recent_uploads(
    store: &Store,
    viewer: &Viewer,
    today: chrono::NaiveDate,
    only_rejected: bool,
) -> Result<Vec<Upload>, ActivityError> {
    let since = (today - chrono::Duration::days(UPLOADS_RECENT_DAYS))
        .format("%Y-%m-%d")
        .to_string();
    let jobs = store
        .scoped(viewer)
        .finished_jobs(&UPLOAD_KINDS, &since, UPLOADS_SHOWN)
        .await?;
    Ok(jobs
        .into_iter()
        .map(|job| Upload {
            report: job
                .result
                .clone()
                .and_then(|r| serde_json::from_value(r).ok()),
            job,
        })
        .filter(|u| !only_rejected || u.needs_correction())
        .collect())
}

/// A stored list as its page shows it: the list, one page of its rows' warnings, and the
/// first distributions its rows record — all within the viewer's scope.
#[derive(Debug, Clone)]
pub struct ListDetail {
    pub list: sinergi_store::ListSummary,
    pub warnings: sinergi_store::Paged<sinergi_store::RowWarning>,
    pub distributions: sinergi_store::Paged<sinergi_store::Distribution>,
}

pub async fn list_detail(
    store: &Store,
    viewer: &Viewer,
    id: i64,
    warnings_page: sinergi_store::Page,
) -> Result<Option<ListDetail>, ActivityError> {
    let scoped = store.scoped(viewer);
    let Some(list) = scoped.person_list(id).await? else {
        return Ok(None);
    };
    let warnings = scoped.list_warnings(id, warnings_page).await?;
    let distributions = scoped
        .distributions(
            &sinergi_store::DistributionFilter {
                list_id: Some(id),
                person_id: None,
            },
            sinergi_store::Page::new(Some(1), Some(50), 50),
        )
        .await?;
    Ok(Some(ListDetail {
        list,
        warnings,
        distributions,
    }))
}
