//! The background job runner: heavy work (imports today; exports and reports can use it)
//! runs off the request threads, a bounded number at once, its state in the `job` table so
//! that a restart leaves no job "running" forever. Any kind of work fits: a job is a closure
//! that reports progress and ends with a JSON result or a message saying why it failed.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sinergi_core::{Localized, Msg, Viewer};
use sinergi_store::{JobRecord, Store};
use tokio::sync::Semaphore;

use crate::ActivityError;

/// How far a running job got: `done` of `total` units (0 of 0 while it reads its input).
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn set_done(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    pub fn get(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// Runs jobs; cheap to clone (one per server or command).
#[derive(Clone)]
pub struct JobRunner {
    pub(crate) store: Store,
    slots: Arc<Semaphore>,
    live: Arc<Mutex<HashMap<i64, Arc<Progress>>>>,
}

impl std::fmt::Debug for JobRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobRunner")
            .field("free_slots", &self.slots.available_permits())
            .finish()
    }
}

/// At most this many heavy jobs at once on a server: each may use every core while it
/// prepares rows, and the database takes one writer at a time anyway.
pub const DEFAULT_HEAVY_SLOTS: usize = 1;

impl JobRunner {
    pub fn new(store: Store, slots: usize) -> JobRunner {
        JobRunner {
            store,
            slots: Arc::new(Semaphore::new(slots.max(1))),
            live: Arc::default(),
        }
    }

    /// For a server starting up: jobs a previous process left queued or running are marked
    /// failed ("interrupted"); their work was one transaction, so nothing of it is stored.
    pub async fn recover(&self) -> Result<u64, ActivityError> {
        Ok(self.store.fail_interrupted_jobs().await?)
    }

    /// Queues `work` as a job of `kind` owned by `viewer`; it starts when a slot is free.
    /// Returns the job's id at once.
    pub async fn submit<F, Fut>(
        &self,
        viewer: &Viewer,
        kind: &str,
        label: &str,
        work: F,
    ) -> Result<i64, ActivityError>
    where
        F: FnOnce(Arc<Progress>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<serde_json::Value, Msg>> + Send + 'static,
    {
        let id = self.store.scoped(viewer).create_job(kind, label).await?;
        let progress = Arc::new(Progress::default());
        self.live
            .lock()
            .expect("job table lock")
            .insert(id, progress.clone());
        let runner = self.clone();
        tokio::spawn(async move {
            let _slot = runner.slots.clone().acquire_owned().await;
            let outcome = match runner.store.job_started(id).await {
                Ok(()) => {
                    // A panic in the work fails the job instead of leaving it running.
                    let handle = tokio::spawn(work(progress.clone()));
                    match handle.await {
                        Ok(result) => result,
                        Err(_) => Err(Msg::new("jobs.crashed")),
                    }
                }
                Err(e) => Err(e.msg()),
            };
            if let Err(e) = &outcome {
                tracing::warn!(job = id, error = %e, "job failed");
            }
            if let Err(e) = runner.store.job_finished(id, outcome, progress.get()).await {
                tracing::error!(job = id, error = %e, "could not record the end of a job");
            }
            runner.live.lock().expect("job table lock").remove(&id);
        });
        Ok(id)
    }

    /// A job as `viewer` may see it (its owner, an administrator, the system), with the live
    /// progress while it runs; `None` when unknown or not theirs.
    pub async fn status(
        &self,
        viewer: &Viewer,
        id: i64,
    ) -> Result<Option<JobRecord>, ActivityError> {
        let Some(mut job) = self.store.scoped(viewer).job(id).await? else {
            return Ok(None);
        };
        if !job.state.is_finished() {
            let live = self.live.lock().expect("job table lock").get(&id).cloned();
            if let Some(p) = live {
                let (done, total) = p.get();
                job.progress_done = done as i64;
                job.progress_total = total as i64;
            }
        }
        Ok(Some(job))
    }

    /// Waits until job `id` has finished, calling `tick` with its progress now and then (the
    /// CLI's progress line); returns the finished job.
    pub async fn wait(
        &self,
        viewer: &Viewer,
        id: i64,
        mut tick: impl FnMut(&JobRecord),
    ) -> Result<JobRecord, ActivityError> {
        loop {
            let job = self
                .status(viewer, id)
                .await?
                .ok_or(ActivityError::Forbidden)?;
            tick(&job);
            if job.state.is_finished() {
                return Ok(job);
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}
