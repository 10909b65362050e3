//! The strategy's text: strategies, versions (drafts, publication, amendments), objectives,
//! indicators and targets.

#[allow(unused_imports)]
use super::*;

impl Scoped<'_> {
    /// Creates a strategy with its first version, a draft.
    pub async fn create_strategy(
        &self,
        region: &str,
        title: &str,
        years: (i32, i32),
        vision: &str,
        missions: &[String],
    ) -> Result<(i64, i64), StoreError> {
        let area = StrategyArea::parse(region).map_err(|_| {
            field(
                "strategy.f.region",
                Msg::new("strategy.refuse.region_bad").arg("region", region.trim()),
            )
        })?;
        let region = area.as_str();
        if !sinergi_core::strategy::may_manage(self.viewer(), &area) {
            return Err(StoreError::Forbidden);
        }
        if title.trim().is_empty() {
            return Err(required("strategy.f.title"));
        }
        if years.0 > years.1 || years.0 < 2000 || years.1 > 2100 {
            return Err(field(
                "strategy.f.years",
                Msg::new("strategy.refuse.years")
                    .arg("from", years.0)
                    .arg("to", years.1),
            ));
        }
        let actor = self.actor();
        let now = now_text();
        let missions_json = serde_json::to_string(missions).unwrap_or_else(|_| "[]".into());
        let ids = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO strategy (region_code, title, year_from, year_to, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(region)
            .bind(title.trim())
            .bind(i64::from(years.0))
            .bind(i64::from(years.1))
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let version: i64 = sqlx::query_scalar(
                "INSERT INTO strategy_version (strategy_id, number, status, vision, missions_json, created_at) \
                 VALUES ($1, 1, 'draft', $2, $3, $4) RETURNING id",
            )
            .bind(id)
            .bind(vision.trim())
            .bind(&missions_json)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "strategy.create", "strategy")
                .id(id)
                .region(region)
                .after(serde_json::json!({ "judul": title.trim(), "tahun": [years.0, years.1] }));
            append_audit!(tx, &event);
            tx.commit().await?;
            (id, version)
        });
        Ok(ids)
    }

    /// The strategies this viewer may read: those with a published version, and drafts too
    /// for those who work on the strategy.
    pub async fn strategies(&self) -> Result<Vec<Strategy>, StoreError> {
        let drafts = sinergi_core::strategy::sees_drafts(self.viewer());
        let mut out = Vec::new();
        for s in self.all_strategies().await? {
            if drafts || self.published_number(s.id).await?.is_some() {
                out.push(s);
            }
        }
        Ok(out)
    }

    pub async fn strategy(&self, id: i64) -> Result<Option<Strategy>, StoreError> {
        Ok(self.strategies().await?.into_iter().find(|s| s.id == id))
    }

    /// The number of the strategy's published version, if any.
    pub async fn published_number(&self, strategy_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(self
            .versions_of(strategy_id)
            .await?
            .iter()
            .rev()
            .find(|v| v.status == VersionStatus::Published)
            .map(|v| v.number))
    }

    /// The versions this viewer may read (drafts only for those who see drafts).
    pub async fn strategy_versions(
        &self,
        strategy_id: i64,
    ) -> Result<Vec<StrategyVersion>, StoreError> {
        let drafts = sinergi_core::strategy::sees_drafts(self.viewer());
        Ok(self
            .versions_of(strategy_id)
            .await?
            .into_iter()
            .filter(|v| drafts || v.status != VersionStatus::Draft)
            .collect())
    }

    /// A whole version as this viewer may read it: `number` when given, else the published
    /// one, else (for those who see drafts) the newest draft.
    pub async fn strategy_tree(
        &self,
        strategy_id: i64,
        number: Option<i64>,
    ) -> Result<Option<StrategyTree>, StoreError> {
        let drafts = sinergi_core::strategy::sees_drafts(self.viewer());
        self.load_tree(strategy_id, number, drafts).await
    }

    /// Whether this viewer may manage `strategy` (for showing the controls; the store checks
    /// again on every change).
    pub fn may_manage(&self, strategy: &Strategy) -> bool {
        sinergi_core::strategy::may_manage(self.viewer(), &strategy.region)
    }

    /// Whether this viewer enters realisation at all.
    pub fn enters_realisation(&self) -> bool {
        sinergi_core::strategy::enters_realisation(self.viewer())
    }

    /// The version and its strategy, checked editable (a draft) and manageable by this viewer.
    async fn editable_version(
        &self,
        version_id: i64,
    ) -> Result<(Strategy, StrategyVersion), StoreError> {
        let version = self.version(version_id).await?;
        let strategy = self
            .strategy_row(version.strategy_id)
            .await?
            .ok_or_else(strategy_missing)?;
        if !sinergi_core::strategy::may_manage(self.viewer(), &strategy.region) {
            return Err(StoreError::Forbidden);
        }
        version.status.check_editable().map_err(|_| frozen())?;
        Ok((strategy, version))
    }

    /// Changes a draft's vision and missions.
    pub async fn set_vision(
        &self,
        version_id: i64,
        vision: &str,
        missions: &[String],
    ) -> Result<(), StoreError> {
        let (strategy, _) = self.editable_version(version_id).await?;
        let actor = self.actor();
        let json = serde_json::to_string(missions).unwrap_or_else(|_| "[]".into());
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // The status is checked again in the statement: a publication in between wins.
            let done = sqlx::query(
                "UPDATE strategy_version SET vision = $1, missions_json = $2 WHERE id = $3 AND status = 'draft'",
            )
            .bind(vision.trim())
            .bind(&json)
            .bind(version_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(frozen());
            }
            let event = AuditEvent::new(actor.clone(), "strategy.vision", "strategy_version")
                .id(version_id)
                .region(strategy.region.as_str())
                .after(serde_json::json!({ "visi": vision.trim(), "misi": missions }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Adds a strategic objective (*sasaran strategis*) to a draft.
    pub async fn add_objective(
        &self,
        version_id: i64,
        code: &str,
        name: &str,
    ) -> Result<i64, StoreError> {
        let (strategy, _) = self.editable_version(version_id).await?;
        if code.trim().is_empty() {
            return Err(required("strategy.f.objective_code"));
        }
        if name.trim().is_empty() {
            return Err(required("strategy.f.objective_name"));
        }
        let tree = self.objectives_of(version_id).await?;
        if tree.iter().any(|o| o.code == code.trim()) {
            return Err(field(
                "strategy.f.objective_code",
                Msg::new("strategy.refuse.taken").arg("code", code.trim()),
            ));
        }
        let actor = self.actor();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO strategy_objective (version_id, code, name, position) \
                 SELECT $1, $2, $3, COALESCE(MAX(position), 0) + 1 FROM strategy_objective WHERE version_id = $4 \
                 RETURNING id",
            )
            .bind(version_id)
            .bind(code.trim())
            .bind(name.trim())
            .bind(version_id)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "strategy.objective", "strategy_objective")
                .id(id)
                .region(strategy.region.as_str())
                .after(serde_json::json!({ "kode": code.trim(), "nama": name.trim() }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Adds an indicator under an objective of a draft.
    pub async fn add_indicator(
        &self,
        objective_id: i64,
        f: &IndicatorFields,
    ) -> Result<i64, StoreError> {
        let version_id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT version_id FROM strategy_objective WHERE id = $1"
        )
        .bind(objective_id)
        .fetch_optional(pool)
        .await)?;
        let version_id = version_id
            .ok_or_else(|| field("strategy.f.objective", Msg::new("strategy.refuse.missing")))?;
        let (strategy, _) = self.editable_version(version_id).await?;
        for (name, value) in [
            ("strategy.f.indicator_code", &f.code),
            ("strategy.f.indicator_name", &f.name),
            ("strategy.f.definition", &f.definition),
            ("strategy.f.unit", &f.unit),
            ("strategy.f.data_source", &f.data_source),
        ] {
            if value.trim().is_empty() {
                return Err(required(name));
            }
        }
        for d in &f.disaggregations {
            if !sinergi_core::strategy::DISAGGREGATIONS.contains(&d.as_str()) {
                return Err(field(
                    "strategy.f.disaggregation",
                    Msg::new("strategy.refuse.dis_unknown")
                        .arg("dim", d)
                        .arg("known", sinergi_core::strategy::DISAGGREGATIONS.join(", ")),
                ));
            }
        }
        if let Some(c) = &f.computation
            && crate::computed::computation(c).is_none()
        {
            return Err(field(
                "strategy.f.computation",
                Msg::new("strategy.refuse.computation_unknown").arg("key", c),
            ));
        }
        let existing: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM strategy_indicator WHERE version_id = $1 AND code = $2"
        )
        .bind(version_id)
        .bind(f.code.trim())
        .fetch_optional(pool)
        .await)?;
        if existing.is_some() {
            return Err(field(
                "strategy.f.indicator_code",
                Msg::new("strategy.refuse.taken").arg("code", f.code.trim()),
            ));
        }
        let actor = self.actor();
        let concept = if f.concept.trim().is_empty() {
            f.code.trim().to_string()
        } else {
            f.concept.trim().to_string()
        };
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO strategy_indicator (version_id, objective_id, code, name, definition, formula, \
                 unit, direction, reference_code, data_source, source_type, concept, disaggregations, \
                 baseline_year, baseline_value, baseline_source, pic, pic_organisation_id, computation, position) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
                 COALESCE(MAX(position), 0) + 1 FROM strategy_indicator WHERE version_id = $20 RETURNING id",
            )
            .bind(version_id)
            .bind(objective_id)
            .bind(f.code.trim())
            .bind(f.name.trim())
            .bind(f.definition.trim())
            .bind(f.formula.trim())
            .bind(f.unit.trim())
            .bind(f.direction.key())
            .bind(f.reference_code.as_deref().map(str::trim).filter(|s| !s.is_empty()))
            .bind(f.data_source.trim())
            .bind(f.source_type.key())
            .bind(&concept)
            .bind(f.disaggregations.join(","))
            .bind(f.baseline_year.map(i64::from))
            .bind(f.baseline_value)
            .bind(f.baseline_source.as_deref())
            .bind(f.pic.trim())
            .bind(f.pic_organisation_id)
            .bind(f.computation.as_deref())
            .bind(version_id)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "strategy.indicator", "strategy_indicator")
                .id(id)
                .region(strategy.region.as_str())
                .after(serde_json::json!({ "kode": f.code.trim(), "nama": f.name.trim() }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Sets yearly targets of a draft's indicator (region, year, value); replaces same keys.
    pub async fn set_targets(
        &self,
        indicator_id: i64,
        targets: &[Target],
    ) -> Result<(), StoreError> {
        let version_id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT version_id FROM strategy_indicator WHERE id = $1"
        )
        .bind(indicator_id)
        .fetch_optional(pool)
        .await)?;
        let version_id = version_id
            .ok_or_else(|| field("strategy.f.indicator", Msg::new("strategy.refuse.missing")))?;
        let (strategy, _) = self.editable_version(version_id).await?;
        for t in targets {
            let inside = match &t.region {
                StrategyArea::National => strategy.region == StrategyArea::National,
                StrategyArea::Region(code) => strategy.region.covers(code),
            };
            if !inside {
                return Err(field(
                    "strategy.f.target_region",
                    Msg::new("strategy.refuse.region_outside_strategy")
                        .arg("region", &t.region)
                        .arg("strategy", &strategy.region),
                ));
            }
            if t.year < strategy.year_from || t.year > strategy.year_to {
                return Err(field(
                    "strategy.f.target_year",
                    Msg::new("strategy.refuse.year_outside")
                        .arg("year", t.year)
                        .arg("from", strategy.year_from)
                        .arg("to", strategy.year_to),
                ));
            }
            if !t.value.is_finite() {
                return Err(field(
                    "strategy.f.target_value",
                    Msg::new("strategy.refuse.not_a_number"),
                ));
            }
        }
        let actor = self.actor();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for t in targets {
                sqlx::query(
                    "INSERT INTO strategy_target (indicator_id, region_code, year, value) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (indicator_id, region_code, year) DO UPDATE SET value = excluded.value",
                )
                .bind(indicator_id)
                .bind(t.region.as_str())
                .bind(i64::from(t.year))
                .bind(t.value)
                .execute(&mut *tx)
                .await?;
            }
            let event = AuditEvent::new(actor.clone(), "strategy.targets", "strategy_indicator")
                .id(indicator_id)
                .region(strategy.region.as_str())
                .after(targets);
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Publishes a draft: it becomes the strategy's text, frozen; the previously published
    /// version is kept, marked superseded.
    pub async fn publish_version(&self, version_id: i64) -> Result<(), StoreError> {
        let (strategy, version) = self.editable_version(version_id).await?;
        let tree = self.objectives_of(version_id).await?;
        if tree.iter().all(|o| o.indicators.is_empty()) {
            return Err(StoreError::Refused(Msg::new(
                "strategy.refuse.publish_empty",
            )));
        }
        let actor = self.actor();
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE strategy_version SET status = 'superseded' WHERE strategy_id = $1 AND status = 'published'",
            )
            .bind(strategy.id)
            .execute(&mut *tx)
            .await?;
            let done = sqlx::query(
                "UPDATE strategy_version SET status = 'published', published_at = $1 WHERE id = $2 AND status = 'draft'",
            )
            .bind(&now)
            .bind(version_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(frozen());
            }
            let event = AuditEvent::new(actor.clone(), "strategy.publish", "strategy_version")
                .id(version_id)
                .region(strategy.region.as_str())
                .after(serde_json::json!({ "versi": version.number }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Starts an amendment: a new draft copying the newest version whole (objectives,
    /// indicators, targets). Refused while a draft exists.
    pub async fn amend_strategy(&self, strategy_id: i64, note: &str) -> Result<i64, StoreError> {
        let strategy = self
            .strategy_row(strategy_id)
            .await?
            .ok_or_else(strategy_missing)?;
        if !sinergi_core::strategy::may_manage(self.viewer(), &strategy.region) {
            return Err(StoreError::Forbidden);
        }
        if note.trim().is_empty() {
            return Err(required("strategy.f.amend_reason"));
        }
        let versions = self.versions_of(strategy_id).await?;
        if versions.iter().any(|v| v.status == VersionStatus::Draft) {
            return Err(StoreError::Refused(Msg::new(
                "strategy.refuse.draft_exists",
            )));
        }
        let from = versions
            .last()
            .ok_or_else(|| StoreError::Corrupt(format!("strategi {strategy_id} tanpa versi")))?;
        let objectives = self.objectives_of(from.id).await?;
        let actor = self.actor();
        let now = now_text();
        let number = from.number + 1;
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO strategy_version (strategy_id, number, status, vision, missions_json, note, created_at) \
                 VALUES ($1, $2, 'draft', $3, $4, $5, $6) RETURNING id",
            )
            .bind(strategy_id)
            .bind(number)
            .bind(&from.vision)
            .bind(serde_json::to_string(&from.missions).unwrap_or_else(|_| "[]".into()))
            .bind(note.trim())
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            for (op, o) in objectives.iter().enumerate() {
                let oid: i64 = sqlx::query_scalar(
                    "INSERT INTO strategy_objective (version_id, code, name, position) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(id)
                .bind(&o.code)
                .bind(&o.name)
                .bind(op as i64 + 1)
                .fetch_one(&mut *tx)
                .await?;
                for (ip, i) in o.indicators.iter().enumerate() {
                    let f = &i.fields;
                    let iid: i64 = sqlx::query_scalar(
                        "INSERT INTO strategy_indicator (version_id, objective_id, code, name, definition, formula, \
                         unit, direction, reference_code, data_source, source_type, concept, disaggregations, \
                         baseline_year, baseline_value, baseline_source, pic, pic_organisation_id, computation, position) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
                    )
                    .bind(id)
                    .bind(oid)
                    .bind(&f.code)
                    .bind(&f.name)
                    .bind(&f.definition)
                    .bind(&f.formula)
                    .bind(&f.unit)
                    .bind(f.direction.key())
                    .bind(f.reference_code.as_deref())
                    .bind(&f.data_source)
                    .bind(f.source_type.key())
                    .bind(&f.concept)
                    .bind(f.disaggregations.join(","))
                    .bind(f.baseline_year.map(i64::from))
                    .bind(f.baseline_value)
                    .bind(f.baseline_source.as_deref())
                    .bind(&f.pic)
                    .bind(f.pic_organisation_id)
                    .bind(f.computation.as_deref())
                    .bind(ip as i64 + 1)
                    .fetch_one(&mut *tx)
                    .await?;
                    for t in &i.targets {
                        sqlx::query(
                            "INSERT INTO strategy_target (indicator_id, region_code, year, value) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(iid)
                        .bind(t.region.as_str())
                        .bind(i64::from(t.year))
                        .bind(t.value)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            }
            let event = AuditEvent::new(actor.clone(), "strategy.amend", "strategy_version")
                .id(id)
                .region(strategy.region.as_str())
                .after(serde_json::json!({ "versi": number, "dari": from.number, "alasan": note.trim() }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }
}
