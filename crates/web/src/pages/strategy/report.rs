//! Reports made in the background: a request starts a job (an in-process task), the progress
//! page refreshes itself without script until the file is ready, and the download stays
//! available (to its owner) for an hour, across page reloads. Jobs live in memory: a restart
//! forgets them, which costs only a new click.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_core::{Msg, Period, Viewer};
use sinergi_report::{Document, Letterhead, QuarterInput};
use sinergi_store::{Store, StrategyTree};

use super::super::render;
use super::CatalogueLabels;
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

const KEEP: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Strategy,
    Quarter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Pdf,
    Xlsx,
}

enum Outcome {
    Running,
    Done {
        filename: String,
        content_type: &'static str,
        bytes: Vec<u8>,
    },
    Failed(String),
}

struct Job {
    owner: i64,
    started: Instant,
    /// Per mille done.
    progress: AtomicU32,
    outcome: Mutex<Outcome>,
}

fn jobs() -> &'static Mutex<HashMap<String, Arc<Job>>> {
    static JOBS: OnceLock<Mutex<HashMap<String, Arc<Job>>>> = OnceLock::new();
    JOBS.get_or_init(Default::default)
}

fn job_id() -> Result<String, AppError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Builds a report's document from the data the use cases assemble (the slow part is
/// typesetting, done by the caller). `period` is the quarter of a quarterly report.
pub async fn build_document(
    store: &Store,
    viewer: &Viewer,
    tree: &StrategyTree,
    period: Option<Period>,
    t: Messages,
) -> Result<Document, AppError> {
    let kop = sinergi_activity::strategy::letterhead(store, viewer).await?;
    let letterhead = Letterhead {
        lines: kop.lines,
        logo_jpeg: kop.logo_jpeg_base64.and_then(|b| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(b).ok()
        }),
    };
    let labels = CatalogueLabels(t);
    match period {
        None => {
            let names = sinergi_activity::strategy::document_names(store, tree).await?;
            Ok(sinergi_report::strategy_document(
                tree, &names, &labels, letterhead,
            ))
        }
        Some(period) => {
            let data = sinergi_activity::strategy::quarter_report_data(store, viewer, tree, period)
                .await?;
            let groups: Vec<(String, String, sinergi_core::groups::CrossTable)> = data
                .group_tables
                .iter()
                .map(|g| {
                    let shown = crate::pages::figures::group_shown(&t, g);
                    (shown.title, shown.note, g.table.clone())
                })
                .collect();
            let quality = crate::pages::quality::report_section(
                store,
                viewer,
                &tree.strategy.region,
                chrono::Datelike::year(&period.end()),
                &t,
            )
            .await?;
            Ok(sinergi_report::quarter_report(
                &QuarterInput {
                    tree,
                    period,
                    period_label: super::period_label(t, period),
                    statuses: &data.statuses,
                    values: &data.values,
                    violations: &data.violations,
                    bands: &data.bands,
                    names: &data.names,
                    actions: &data.actions,
                    groups: &groups,
                    breakdowns: &data.breakdowns,
                    quality: quality.as_ref(),
                },
                &labels,
                letterhead,
            ))
        }
    }
}

/// The document's sheets as one XLSX workbook, through the one export module.
pub fn xlsx(doc: &Document) -> Result<Vec<u8>, AppError> {
    let tables: Vec<crate::export::Table> = doc
        .sheets
        .iter()
        .map(|s| crate::export::Table {
            name: s.sheet.clone(),
            headers: s.header.clone(),
            rows: s
                .rows
                .iter()
                .map(|r| r.iter().map(|c| c.text.clone()).collect())
                .collect(),
            notes: Vec::new(),
        })
        .collect();
    crate::export::xlsx_bytes(&tables).map_err(|e| AppError::internal(format!("xlsx: {e}")))
}

/// A report asked for: the form's fields, and the JSON body of
/// `POST /api/v1/strategi/{id}/laporan`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"jenis": "triwulan", "format": "xlsx", "periode": "2025-Q1"}))]
pub struct StartForm {
    /// `strategi` (the strategy document) or `triwulan` (the quarter's monitoring report).
    jenis: String,
    /// `pdf` or `xlsx`.
    format: String,
    /// The quarter, e.g. 2025-Q1, for `triwulan`.
    #[serde(default)]
    periode: String,
}

pub async fn start(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<StartForm>,
) -> Response {
    match start_job(&state, &ui, &user, id, &f).await {
        Ok(job) => Redirect::to(&format!("/strategi/laporan/{job}")).into_response(),
        Err(e) => e.page(&ui),
    }
}

/// Starts making a report in the background (the page's form, or the API's JSON body); the
/// job's id, to poll and download with (the caller's only).
pub(crate) async fn start_job(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    id: i64,
    f: &StartForm,
) -> Result<String, AppError> {
    async {
        let kind = match f.jenis.as_str() {
            "strategi" => ReportKind::Strategy,
            "triwulan" => ReportKind::Quarter,
            other => {
                return Err(super::bad(
                    Msg::new("strategy.refuse.report_kind").arg("kind", other),
                ));
            }
        };
        let format = match f.format.as_str() {
            "pdf" => ReportFormat::Pdf,
            "xlsx" => ReportFormat::Xlsx,
            other => {
                return Err(super::bad(
                    Msg::new("strategy.refuse.report_format").arg("format", other),
                ));
            }
        };
        let period = match kind {
            ReportKind::Quarter => Some(Period::parse(&f.periode).map_err(|_| {
                super::bad(Msg::new("strategy.refuse.period_bad").arg("period", f.periode.trim()))
            })?),
            ReportKind::Strategy => None,
        };
        let tree = state
            .store
            .scoped(&user.viewer)
            .strategy_tree(id, None)
            .await?
            .ok_or_else(|| AppError::not_found("strategy.not_found"))?;
        let id = job_id()?;
        let job = Arc::new(Job {
            owner: user.principal.user_id,
            started: Instant::now(),
            progress: AtomicU32::new(0),
            outcome: Mutex::new(Outcome::Running),
        });
        {
            let mut all = jobs().lock().map_err(AppError::internal)?;
            all.retain(|_, j| j.started.elapsed() < KEEP);
            all.insert(id.clone(), job.clone());
        }
        let store = state.store.clone();
        let principal = user.principal.clone();
        let viewer = user.viewer.clone();
        let t = ui.t;
        tokio::spawn(async move {
            let outcome = run(&store, &viewer, &principal, &tree, format, period, t, &job).await;
            if let Ok(mut o) = job.outcome.lock() {
                *o = match outcome {
                    Ok(done) => done,
                    Err(e) => Outcome::Failed(e),
                };
            }
        });
        Ok(id)
    }
    .await
}

#[allow(clippy::too_many_arguments)]
async fn run(
    store: &Store,
    viewer: &Viewer,
    principal: &sinergi_core::Principal,
    tree: &StrategyTree,
    format: ReportFormat,
    period: Option<Period>,
    t: Messages,
    job: &Arc<Job>,
) -> Result<Outcome, String> {
    let doc = build_document(store, viewer, tree, period, t)
        .await
        .map_err(|e| e.explain(t))?;
    job.progress.store(200, Ordering::Relaxed);
    let stem = match period {
        None => format!("strategi-{}-v{}", tree.strategy.id, tree.version.number),
        Some(period) => format!("monev-{}-{period}", tree.strategy.id),
    };
    let job2 = job.clone();
    let made = tokio::task::spawn_blocking(move || match format {
        ReportFormat::Pdf => sinergi_report::pdf::render(&doc, &|share| {
            job2.progress
                .store(200 + (share * 800.0) as u32, Ordering::Relaxed)
        })
        .map(|b| (b, "pdf", "application/pdf"))
        .map_err(|e| e.to_string()),
        ReportFormat::Xlsx => xlsx(&doc)
            .map(|b| {
                (
                    b,
                    "xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            })
            .map_err(|e| e.key.to_string()),
    })
    .await
    .map_err(|e| e.to_string())??;
    job.progress.store(1000, Ordering::Relaxed);
    let _ = store
        .record(
            &sinergi_store::AuditEvent::new(principal, "strategy.report", "strategy")
                .id(tree.strategy.id)
                .region(tree.strategy.region.as_str())
                .after(serde_json::json!({ "berkas": format!("{stem}.{}", made.1) })),
        )
        .await;
    Ok(Outcome::Done {
        filename: format!("{stem}.{}", made.1),
        content_type: made.2,
        bytes: made.0,
    })
}

fn owned_job(id: &str, user: i64) -> Result<Arc<Job>, AppError> {
    jobs()
        .lock()
        .map_err(AppError::internal)?
        .get(id)
        .filter(|j| j.owner == user)
        .cloned()
        .ok_or_else(|| AppError::not_found("strategy.report.gone"))
}

#[derive(Template)]
#[template(path = "strategy_job.html")]
struct JobPage {
    t: Messages,
    job: String,
    percent: u32,
    done: Option<(String, usize)>,
    failed: Option<String>,
}

/// Where a report job stands: per mille done, and the file (name, size) or why it failed.
pub(crate) struct JobState {
    pub permille: u32,
    pub done: Option<(String, usize)>,
    pub failed: Option<String>,
}

/// The state of the caller's report job `id`; not found for anyone else's.
pub(crate) fn job_state(id: &str, user: i64) -> Result<JobState, AppError> {
    let job = owned_job(id, user)?;
    let outcome = job.outcome.lock().map_err(AppError::internal)?;
    let (done, failed) = match &*outcome {
        Outcome::Running => (None, None),
        Outcome::Done {
            filename, bytes, ..
        } => (Some((filename.clone(), bytes.len())), None),
        Outcome::Failed(e) => (None, Some(e.clone())),
    };
    Ok(JobState {
        permille: job.progress.load(Ordering::Relaxed),
        done,
        failed,
    })
}

/// The caller's finished report as a download; not found before it is done.
pub(crate) fn job_file(id: &str, user: i64) -> Result<Response, AppError> {
    let job = owned_job(id, user)?;
    let outcome = job.outcome.lock().map_err(AppError::internal)?;
    match &*outcome {
        Outcome::Done {
            filename,
            content_type,
            bytes,
        } => Ok(crate::export::file_download(
            filename,
            content_type,
            bytes.clone(),
        )),
        _ => Err(AppError::not_found("strategy.report.not_ready")),
    }
}

pub async fn progress(ui: Ui, Signed(user): Signed, Path(id): Path<String>) -> Response {
    let result = job_state(&id, user.principal.user_id).map(|s| JobPage {
        t: ui.t,
        percent: s.permille / 10,
        job: id.clone(),
        done: s.done,
        failed: s.failed,
    });
    render(&ui, result)
}

pub async fn download(ui: Ui, Signed(user): Signed, Path(id): Path<String>) -> Response {
    match job_file(&id, user.principal.user_id) {
        Ok(r) => r,
        Err(e) => e.page(&ui),
    }
}

/// A report's bytes made in the calling task (for the benchmark and scripts): the quarterly
/// report when `quarter` is given, else the strategy document; PDF or XLSX.
pub async fn report_bytes(
    store: &Store,
    viewer: &Viewer,
    strategy_id: i64,
    quarter: Option<&str>,
    pdf: bool,
    lang: crate::i18n::Lang,
) -> Result<Vec<u8>, AppError> {
    let tree = store
        .scoped(viewer)
        .strategy_tree(strategy_id, None)
        .await?
        .ok_or_else(|| AppError::not_found("strategy.not_found"))?;
    let period = quarter
        .map(|q| {
            Period::parse(q)
                .map_err(|_| super::bad(Msg::new("strategy.refuse.period_bad").arg("period", q)))
        })
        .transpose()?;
    let doc = build_document(store, viewer, &tree, period, Messages::new(lang)).await?;
    if pdf {
        sinergi_report::pdf::render(&doc, &|_| {}).map_err(AppError::internal)
    } else {
        xlsx(&doc)
    }
}
