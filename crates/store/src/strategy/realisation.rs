//! Realisation values: stored all or nothing against the published version, read through
//! the viewer's realisation filter.

#[allow(unused_imports)]
use super::*;

impl Scoped<'_> {
    /// Stores realisation values (all or nothing): each row is checked against the published
    /// version (indicator, disaggregation), the strategy's region, the principal's scope and
    /// the period locks. Refused rows come back with their line and reason, and nothing is
    /// stored; otherwise the count stored. Same key → replaced (re-import updates).
    pub async fn save_realisations(
        &self,
        strategy_id: i64,
        method: EntryMethod,
        rows: &[NewRealisation],
    ) -> Result<Result<u64, Vec<RefusedRealisation>>, StoreError> {
        if !self.enters_realisation() {
            return Err(StoreError::Forbidden);
        }
        let tree = self
            .load_tree(strategy_id, None, false)
            .await?
            .filter(|t| t.version.status == VersionStatus::Published)
            .ok_or_else(|| StoreError::Refused(Msg::new("strategy.refuse.not_published")))?;
        let locked: Vec<Period> = self
            .period_locks(strategy_id)
            .await?
            .into_iter()
            .map(|l| l.period)
            .collect();
        let ctx = RealisationContext {
            tree: &tree,
            locked: &locked,
            viewer: self.viewer(),
        };
        let clean = match check_realisations(&ctx, rows) {
            Ok(clean) => clean,
            Err(refused) => return Ok(Err(refused)),
        };
        let actor = self.actor();
        let actor_id = self.viewer().principal().map(|p| p.user_id);
        let now = now_text();
        let mut periods: Vec<String> = clean.iter().map(|r| r.period.to_string()).collect();
        periods.sort();
        periods.dedup();
        let event = AuditEvent::new(actor, "strategy.realisation", "strategy_realisation")
            .id(strategy_id)
            .region(tree.strategy.region.as_str())
            .after(serde_json::json!({
                "cara": method.key(),
                "baris": clean.len(),
                "periode": periods,
                // A single form entry is recorded whole; imports by their size.
                "nilai": (clean.len() == 1).then(|| {
                    let r = &clean[0];
                    serde_json::json!({"indikator": r.indicator_code, "rincian": r.disaggregation, "wilayah": r.region.as_str(), "periode": r.period.to_string(), "sumber": r.source, "nilai": r.value})
                }),
            }));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Locks are read again inside the transaction: a lock taken meanwhile wins.
            let locked: Vec<String> = sqlx::query_scalar(
                "SELECT period FROM strategy_period_lock WHERE strategy_id = $1",
            )
            .bind(strategy_id)
            .fetch_all(&mut *tx)
            .await?;
            if let Some(p) = periods.iter().find(|p| locked.contains(p)) {
                return Err(StoreError::Refused(
                    Msg::new("strategy.refuse.locked").arg("period", p),
                ));
            }
            for chunk in clean.chunks(50) {
                let mut ph = Placeholders::starting_at(1);
                let tuples: Vec<String> = chunk
                    .iter()
                    .map(|_| {
                        let cols: Vec<String> = (0..13).map(|_| ph.next()).collect();
                        format!("({})", cols.join(", "))
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO strategy_realisation (strategy_id, indicator_code, disaggregation, region_code, \
                     period, source, value, drivers, obstacles, follow_up, method, entered_by, entered_at) VALUES {} \
                     ON CONFLICT (strategy_id, indicator_code, disaggregation, region_code, period, source) DO UPDATE SET \
                     value = excluded.value, drivers = excluded.drivers, obstacles = excluded.obstacles, \
                     follow_up = excluded.follow_up, method = excluded.method, entered_by = excluded.entered_by, \
                     entered_at = excluded.entered_at",
                    tuples.join(", ")
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for r in chunk {
                    q = q
                        .bind(strategy_id)
                        .bind(r.indicator_code.clone())
                        .bind(r.disaggregation.clone())
                        .bind(r.region.as_str().to_string())
                        .bind(r.period.to_string())
                        .bind(r.source.clone())
                        .bind(r.value)
                        .bind(r.drivers.clone())
                        .bind(r.obstacles.clone())
                        .bind(r.follow_up.clone())
                        .bind(method.key())
                        .bind(actor_id)
                        .bind(now.clone());
                }
                q.execute(&mut *tx).await?;
            }
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(Ok(clean.len() as u64))
    }

    /// Realisation values this viewer may see: the strategy's own level for everyone (the
    /// system sees all); regional roles also their regions; partners also every region of the
    /// indicators they are PIC for. Optionally one period and/or one indicator.
    pub async fn realisations(
        &self,
        strategy: &Strategy,
        period: Option<Period>,
        indicator: Option<&str>,
    ) -> Result<Vec<Realisation>, StoreError> {
        let mut ph = Placeholders::starting_at(2);
        let mut sql = String::from(
            "SELECT r.indicator_code, r.disaggregation, r.region_code, r.period, r.source, r.value, \
             r.drivers, r.obstacles, r.follow_up, r.method, r.entered_at FROM strategy_realisation r \
             WHERE r.strategy_id = $1",
        );
        let mut binds = Vec::new();
        if let Some(p) = period {
            sql.push_str(&format!(" AND r.period = {}", ph.next()));
            binds.push(crate::scope::Bind::Text(p.to_string()));
        }
        if let Some(i) = indicator {
            sql.push_str(&format!(" AND r.indicator_code = {}", ph.next()));
            binds.push(crate::scope::Bind::Text(i.to_string()));
        }
        let f = realisation_filter(
            self.viewer(),
            strategy.region.as_str(),
            strategy.id,
            &mut ph,
        );
        sql.push_str(&format!(" AND ({})", f.sql));
        binds.extend(f.binds);
        sql.push_str(
            " ORDER BY r.indicator_code, r.region_code, r.period, r.disaggregation, r.source",
        );
        type Row = (
            String,
            String,
            String,
            String,
            String,
            f64,
            String,
            String,
            String,
            String,
            String,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(strategy.id),
            binds
        )
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(Realisation {
                    indicator_code: r.0,
                    disaggregation: r.1,
                    region: area(&r.2)?,
                    period: period_of(&r.3)?,
                    source: r.4,
                    value: r.5,
                    drivers: r.6,
                    obstacles: r.7,
                    follow_up: r.8,
                    method: EntryMethod::from_key(&r.9),
                    entered_at: r.10,
                })
            })
            .collect()
    }
}
