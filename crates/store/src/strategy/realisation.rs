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
            .ok_or_else(|| {
                StoreError::Invalid(
                    "strategi ini belum diterbitkan; realisasi dicatat terhadap versi terbit"
                        .into(),
                )
            })?;
        let locks: Vec<String> = self
            .period_locks(strategy_id)
            .await?
            .into_iter()
            .map(|l| l.period)
            .collect();
        let mut refused = Vec::new();
        let mut clean = Vec::with_capacity(rows.len());
        let mut seen: HashMap<(String, String, String, String, String), u64> = HashMap::new();
        for r in rows {
            let refuse = |column: &'static str, reason: String| RefusedRealisation {
                line: r.line,
                column,
                reason,
            };
            let Some(ind) = tree.indicator(r.indicator_code.trim()) else {
                refused.push(refuse(
                    "kode_indikator",
                    format!(
                        "indikator \"{}\" tidak ada di versi terbit strategi ini",
                        r.indicator_code.trim()
                    ),
                ));
                continue;
            };
            let disaggregation =
                match check_disaggregation(&r.disaggregation, &ind.fields.disaggregations) {
                    Ok(d) => d,
                    Err(e) => {
                        refused.push(refuse("rincian", e));
                        continue;
                    }
                };
            let region = r.region.trim();
            if !within_strategy(&tree.strategy.region, region) {
                refused.push(refuse(
                    "kode_wilayah",
                    format!(
                        "wilayah {region} di luar wilayah strategi {}",
                        tree.strategy.region
                    ),
                ));
                continue;
            }
            if !may_enter_at(self.viewer(), region) {
                refused.push(refuse(
                    "kode_wilayah",
                    format!("wilayah {region} di luar wilayah kewenangan Anda"),
                ));
                continue;
            }
            let year = r.period.calendar_year();
            if !matches!(r.period, Period::Quarter(..) | Period::Year(_)) {
                refused.push(refuse(
                    "periode",
                    format!("periode {} harus triwulan (2025-Q3) atau tahun", r.period),
                ));
                continue;
            }
            if year < tree.strategy.year_from - 1 || year > tree.strategy.year_to {
                refused.push(refuse(
                    "periode",
                    format!(
                        "periode {} di luar masa strategi {}–{}",
                        r.period, tree.strategy.year_from, tree.strategy.year_to
                    ),
                ));
                continue;
            }
            if let Err(e) = sinergi_core::strategy::check_unlocked(
                &r.period.to_string(),
                locks.contains(&r.period.to_string()),
            ) {
                refused.push(refuse("periode", e.to_string()));
                continue;
            }
            if !r.value.is_finite() {
                refused.push(refuse("nilai", "nilai bukan angka".into()));
                continue;
            }
            if r.source.trim().is_empty() {
                refused.push(refuse("sumber", "sumber wajib diisi".into()));
                continue;
            }
            let key = (
                r.indicator_code.trim().to_string(),
                disaggregation.clone(),
                region.to_string(),
                r.period.to_string(),
                r.source.trim().to_string(),
            );
            if let Some(first) = seen.insert(key, r.line) {
                refused.push(refuse(
                    "kode_indikator",
                    format!(
                        "mengulang indikator, rincian, wilayah, periode dan sumber baris {first}; sisakan satu"
                    ),
                ));
                continue;
            }
            clean.push((r, disaggregation));
        }
        if !refused.is_empty() {
            return Ok(Err(refused));
        }
        let actor = self.actor();
        let actor_id = self.viewer().principal().map(|p| p.user_id);
        let now = now_text();
        let mut periods: Vec<String> = clean.iter().map(|(r, _)| r.period.to_string()).collect();
        periods.sort();
        periods.dedup();
        let event = AuditEvent::new(actor, "strategy.realisation", "strategy_realisation")
            .id(strategy_id)
            .region(&tree.strategy.region)
            .after(serde_json::json!({
                "cara": method.key(),
                "baris": clean.len(),
                "periode": periods,
                // A single form entry is recorded whole; imports by their size.
                "nilai": (clean.len() == 1).then(|| {
                    let (r, d) = &clean[0];
                    serde_json::json!({"indikator": r.indicator_code.trim(), "rincian": d, "wilayah": r.region.trim(), "periode": r.period.to_string(), "sumber": r.source.trim(), "nilai": r.value})
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
                return Err(StoreError::Invalid(
                    StrategyRuleError::Locked(p.clone()).to_string(),
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
                for (r, d) in chunk {
                    q = q
                        .bind(strategy_id)
                        .bind(r.indicator_code.trim().to_string())
                        .bind(d.clone())
                        .bind(r.region.trim().to_string())
                        .bind(r.period.to_string())
                        .bind(r.source.trim().to_string())
                        .bind(r.value)
                        .bind(r.drivers.trim().to_string())
                        .bind(r.obstacles.trim().to_string())
                        .bind(r.follow_up.trim().to_string())
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
        period: Option<&str>,
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
        let f = realisation_filter(self.viewer(), &strategy.region, strategy.id, &mut ph);
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
        Ok(rows
            .into_iter()
            .map(|r| Realisation {
                indicator_code: r.0,
                disaggregation: r.1,
                region: r.2,
                period: r.3,
                source: r.4,
                value: r.5,
                drivers: r.6,
                obstacles: r.7,
                follow_up: r.8,
                method: EntryMethod::from_key(&r.9),
                entered_at: r.10,
            })
            .collect())
    }
}
