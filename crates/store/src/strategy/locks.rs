//! Period locks: a closed quarter's realisation can no longer change; reopening is audited
//! with its reason.

#[allow(unused_imports)]
use super::*;

impl Scoped<'_> {
    /// Locked periods of a strategy.
    pub async fn period_locks(&self, strategy_id: i64) -> Result<Vec<PeriodLock>, StoreError> {
        let rows: Vec<(String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT period, locked_by, locked_at FROM strategy_period_lock WHERE strategy_id = $1 ORDER BY period"
        )
        .bind(strategy_id)
        .fetch_all(pool)
        .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(PeriodLock {
                    period: period_of(&r.0)?,
                    locked_by: r.1,
                    locked_at: r.2,
                })
            })
            .collect()
    }

    /// Closes a period: its realisation can no longer change.
    pub async fn lock_period(&self, strategy_id: i64, period: Period) -> Result<(), StoreError> {
        self.lock_change(strategy_id, period, None).await
    }

    /// Reopens a closed period, with the reason, in the audit log.
    pub async fn reopen_period(
        &self,
        strategy_id: i64,
        period: Period,
        reason: &str,
    ) -> Result<(), StoreError> {
        if reason.trim().is_empty() {
            return Err(required("strategy.f.reopen_reason"));
        }
        self.lock_change(strategy_id, period, Some(reason.trim()))
            .await
    }

    async fn lock_change(
        &self,
        strategy_id: i64,
        period: Period,
        reopen: Option<&str>,
    ) -> Result<(), StoreError> {
        let strategy = self
            .strategy_row(strategy_id)
            .await?
            .ok_or_else(strategy_missing)?;
        if !sinergi_core::strategy::may_manage(self.viewer(), &strategy.region) {
            return Err(StoreError::Forbidden);
        }
        let actor = self.actor();
        let now = now_text();
        let p = period.to_string();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let (action, changed) = match reopen {
                None => (
                    "strategy.lock",
                    sqlx::query(
                        "INSERT INTO strategy_period_lock (strategy_id, period, locked_by, locked_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (strategy_id, period) DO NOTHING",
                    )
                    .bind(strategy_id)
                    .bind(&p)
                    .bind(&actor.name)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                ),
                Some(_) => (
                    "strategy.reopen",
                    sqlx::query(
                        "DELETE FROM strategy_period_lock WHERE strategy_id = $1 AND period = $2",
                    )
                    .bind(strategy_id)
                    .bind(&p)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                ),
            };
            if changed > 0 {
                let event = AuditEvent::new(actor.clone(), action, "strategy_period_lock")
                    .id(format!("{strategy_id}/{p}"))
                    .region(strategy.region.as_str())
                    .after(serde_json::json!({ "periode": p, "alasan": reopen }));
                append_audit!(tx, &event);
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
