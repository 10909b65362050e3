//! Background jobs as the database remembers them: what was asked, by whom, how far it got
//! and how it ended. The runner (`sinergi_activity::jobs`) does the work; this table is what
//! survives a restart. Progress while running lives in the runner's memory (a write
//! transaction of the job itself would block progress writes on SQLite).

use serde::Serialize;
use sinergi_core::Msg;

use crate::audit::now_text;
use crate::{Scoped, Store, StoreError, on_pool};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn key(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    fn from_key(key: &str) -> JobState {
        match key {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            _ => JobState::Failed,
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed)
    }
}

/// A job as stored.
#[derive(Debug, Clone, Serialize)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub owner_id: Option<i64>,
    pub state: JobState,
    pub progress_done: i64,
    pub progress_total: i64,
    /// What the job works on, for its page (a file name).
    pub label: String,
    /// The outcome, as the job's kind writes it.
    pub result: Option<serde_json::Value>,
    /// Why it failed, as a stored message ([`Msg::to_json`]).
    pub error: Option<serde_json::Value>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

type JobRow = (
    i64,
    String,
    Option<i64>,
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

const JOB_COLUMNS: &str = "id, kind, owner_id, state, progress_done, progress_total, label, \
     result_json, error_json, created_at, finished_at";

fn to_job(r: JobRow) -> JobRecord {
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    JobRecord {
        id: r.0,
        kind: r.1,
        owner_id: r.2,
        state: JobState::from_key(&r.3),
        progress_done: r.4,
        progress_total: r.5,
        label: r.6,
        result: json(r.7),
        error: json(r.8),
        created_at: r.9,
        finished_at: r.10,
    }
}

impl Scoped<'_> {
    /// Queues a job owned by the viewer (no owner for the system).
    pub async fn create_job(&self, kind: &str, label: &str) -> Result<i64, StoreError> {
        let owner = self.viewer().principal().map(|p| p.user_id);
        if owner.is_none() && !self.viewer().is_system() {
            return Err(StoreError::Forbidden);
        }
        let now = now_text();
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "INSERT INTO job (kind, owner_id, state, label, created_at) \
             VALUES ($1, $2, 'queued', $3, $4) RETURNING id"
        )
        .bind(kind)
        .bind(owner)
        .bind(label)
        .bind(&now)
        .fetch_one(pool)
        .await)?)
    }

    /// A job, for its owner, an administrator or the system; `None` for anyone else.
    pub async fn job(&self, id: i64) -> Result<Option<JobRecord>, StoreError> {
        let Some(job) = self.job_unscoped(id).await? else {
            return Ok(None);
        };
        let viewer = self.viewer();
        let visible = viewer.is_system()
            || viewer.is_admin()
            || viewer
                .principal()
                .is_some_and(|p| Some(p.user_id) == job.owner_id);
        Ok(visible.then_some(job))
    }
}

impl Scoped<'_> {
    /// Finished jobs of any of `kinds` created on or after `since` (a `YYYY-MM-DD` date), newest
    /// first, at most `limit`: the viewer's own, or every one for an administrator or the
    /// system (as [`Scoped::job`] shows them); none for the public.
    pub async fn finished_jobs(
        &self,
        kinds: &[&str],
        since: &str,
        limit: u32,
    ) -> Result<Vec<JobRecord>, StoreError> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let viewer = self.viewer();
        let owner = if viewer.is_system() || viewer.is_admin() {
            None
        } else {
            match viewer.principal() {
                Some(p) => Some(p.user_id),
                None => return Ok(Vec::new()),
            }
        };
        let first_kind = 3;
        let in_kinds: Vec<String> = (0..kinds.len())
            .map(|i| format!("${}", first_kind + i))
            .collect();
        let own = if owner.is_some() {
            format!("AND owner_id = ${}", first_kind + kinds.len())
        } else {
            String::new()
        };
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM job WHERE state IN ('done', 'failed') \
             AND created_at >= $1 AND kind IN ({}) {own} ORDER BY id DESC LIMIT $2",
            in_kinds.join(", ")
        );
        let rows: Vec<JobRow> = on_pool!(self, |pool| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(since)
                .bind(i64::from(limit));
            for k in kinds {
                q = q.bind(*k);
            }
            match owner {
                Some(o) => q.bind(o),
                None => q,
            }
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(to_job).collect())
    }
}

impl Store {
    async fn job_unscoped(&self, id: i64) -> Result<Option<JobRecord>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM job WHERE id = $1");
        let row: Option<JobRow> = on_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(to_job))
    }

    /// Marks a queued job running.
    pub async fn job_started(&self, id: i64) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query(
            "UPDATE job SET state = 'running' WHERE id = $1 AND state = 'queued'"
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Records how a job ended: its result, or why it failed; and how far it got.
    pub async fn job_finished(
        &self,
        id: i64,
        outcome: Result<serde_json::Value, Msg>,
        progress: (u64, u64),
    ) -> Result<(), StoreError> {
        let (state, result, error) = match outcome {
            Ok(v) => ("done", Some(v.to_string()), None),
            Err(m) => ("failed", None, Some(m.to_json().to_string())),
        };
        let now = now_text();
        on_pool!(self, |pool| sqlx::query(
            "UPDATE job SET state = $1, result_json = $2, error_json = $3, finished_at = $4, \
             progress_done = $5, progress_total = $6 WHERE id = $7"
        )
        .bind(state)
        .bind(result)
        .bind(error)
        .bind(&now)
        .bind(progress.0 as i64)
        .bind(progress.1 as i64)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// At start-up: jobs a previous process left queued or running will never finish (their
    /// input lived in that process). Marks them failed with the reason; returns how many.
    /// Their work was one transaction, so nothing of it was stored.
    pub async fn fail_interrupted_jobs(&self) -> Result<u64, StoreError> {
        let error = Msg::new("jobs.interrupted").to_json().to_string();
        let now = now_text();
        let done = on_pool!(self, |pool| sqlx::query(
            "UPDATE job SET state = 'failed', error_json = $1, finished_at = $2 \
             WHERE state IN ('queued', 'running')"
        )
        .bind(&error)
        .bind(&now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }
}
