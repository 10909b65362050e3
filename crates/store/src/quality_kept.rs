//! The data-quality scorecard kept (issue 22, migration 0019): the deployment's thresholds as
//! versions (only the province admin adds one; audited `quality_rules.save`), and each
//! scorecard as computed for one scope, level, region and year with the fingerprint of the
//! data it judged ([`Scoped::quality_stamp`]). The use case reads a kept scorecard while its
//! fingerprint and thresholds still hold, and computes and keeps a new one otherwise: after an
//! import, a realisation entered, an LKS report or a figure loaded, the next read recomputes.

use serde::Serialize;
use sinergi_core::{Level, Viewer, priority as rules};

use crate::audit::{AuditEvent, append_audit, now_text};
use sqlx::AssertSqlSafe;

use crate::{Scoped, StoreError, on_pool};

/// One version of the deployment's scorecard thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityRulesVersion {
    pub id: i64,
    /// JSON of `insight::quality::QualityRules`.
    pub rules: String,
    pub created_at: String,
    pub created_by: String,
}

/// A scorecard as kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeptScorecard {
    /// The thresholds version it was graded with (`None` = the defaults).
    pub rules_id: Option<i64>,
    pub stamp: String,
    /// JSON of the graded rows and failing shares (the use case's).
    pub body: String,
    pub computed_at: String,
    pub computed_by: String,
    /// How long the computation took.
    pub millis: i64,
}

/// What a kept scorecard is filed under besides the viewer's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptKey {
    /// `kecamatan`, `kabkota` or `mitra` (per partner organisation).
    pub level: String,
    /// The region below which (empty: all in scope).
    pub within: String,
    pub year: i32,
}

impl KeptKey {
    pub fn new(level: Level, within: Option<&sinergi_core::RegionCode>, year: i32) -> Self {
        KeptKey {
            level: level.key().to_string(),
            within: within.map(|w| w.to_string()).unwrap_or_default(),
            year,
        }
    }
}

/// Whose rows a scorecard was computed through: viewers with the same regions and
/// organisation see the same rows, so they share a kept scorecard.
pub fn scope_key(viewer: &Viewer) -> String {
    match viewer {
        Viewer::Public => "public".into(),
        Viewer::System(_) => "system".into(),
        Viewer::User(p) => {
            let mut regions: Vec<String> = p.scope.regions.iter().map(|r| r.to_string()).collect();
            regions.sort();
            format!(
                "r={};o={}",
                regions.join(","),
                p.scope
                    .organisation
                    .map(|o| o.to_string())
                    .unwrap_or_default()
            )
        }
    }
}

/// What the fingerprint is made of, each a single value.
const STAMP_PARTS: [&str; 20] = [
    "SELECT COUNT(*) FROM strategy_realisation",
    "SELECT MAX(id) FROM strategy_realisation",
    "SELECT MAX(entered_at) FROM strategy_realisation",
    "SELECT COUNT(*) FROM strategy_target",
    "SELECT SUM(value) FROM strategy_target",
    "SELECT COUNT(*) FROM strategy_version",
    "SELECT MAX(COALESCE(published_at, created_at)) FROM strategy_version",
    "SELECT COUNT(*) FROM strategy_version WHERE status = 'published'",
    "SELECT COUNT(*) FROM lks_report",
    "SELECT MAX(updated_at) FROM lks_report",
    "SELECT COUNT(*) FROM organisation",
    "SELECT COUNT(*) FROM person_list",
    "SELECT MAX(id) FROM person_list",
    "SELECT SUM(row_count) FROM person_list",
    "SELECT COUNT(replaced_by) FROM person_list",
    "SELECT MAX(finished_at) FROM job",
    "SELECT COUNT(*) FROM aggregate_value",
    "SELECT MAX(id) FROM aggregate_value",
    "SELECT MAX(loaded_at) FROM aggregate_value",
    "SELECT COUNT(*) FROM region WHERE valid_to IS NULL",
];

type RulesRow = (i64, String, String, String);

impl Scoped<'_> {
    /// The thresholds in force: the latest version saved, if any.
    pub async fn quality_rules(&self) -> Result<Option<QualityRulesVersion>, StoreError> {
        if !rules::may_view(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        let row: Option<RulesRow> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, rules, created_at, created_by FROM quality_rules ORDER BY id DESC LIMIT 1"
        )
        .fetch_optional(pool)
        .await
        })?;
        Ok(row.map(|r| QualityRulesVersion {
            id: r.0,
            rules: r.1,
            created_at: r.2,
            created_by: r.3,
        }))
    }

    /// Saves the deployment's thresholds as a new version (the province admin only); the audit
    /// record keeps the thresholds before and after.
    pub async fn save_quality_rules(&self, rules_json: &str) -> Result<i64, StoreError> {
        if !rules::may_define_method(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        let before = self.quality_rules().await?;
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s);
        let after = parse(rules_json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let before = before
            .and_then(|b| parse(&b.rules).ok())
            .unwrap_or(serde_json::Value::Null);
        let now = now_text();
        let by = self.actor().name.clone();
        let id: i64 = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO quality_rules (rules, created_at, created_by) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(rules_json)
            .bind(&now)
            .bind(&by)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(self.actor(), "quality_rules.save", "quality_rules")
                .id(id)
                .before(before.clone())
                .after(after.clone());
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// A fingerprint of everything the scorecard judges (realisation and targets, strategies,
    /// LKS reports and organisations, lists and their imports, figures, regions): counts,
    /// highest ids and latest change times, a handful of indexed or small scans. Equal
    /// fingerprints mean nothing judged was added, changed or removed.
    pub async fn quality_stamp(&self) -> Result<String, StoreError> {
        let parts = STAMP_PARTS
            .iter()
            .map(|q| format!("COALESCE(CAST(({q}) AS TEXT), '')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!("SELECT {parts}");
        let stamp: String = on_pool!(self, |pool| sqlx::query_scalar(AssertSqlSafe(sql.clone()))
            .fetch_one(pool)
            .await)?;
        Ok(stamp)
    }

    /// The scorecard kept for this viewer's scope under `key`, if any.
    pub async fn kept_scorecard(&self, key: &KeptKey) -> Result<Option<KeptScorecard>, StoreError> {
        if !rules::may_view(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        type Row = (Option<i64>, String, String, String, String, i64);
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT rules_id, stamp, body, computed_at, computed_by, millis FROM quality_result \
             WHERE scope_key = $1 AND level = $2 AND within = $3 AND year = $4"
        )
        .bind(scope_key(self.viewer()))
        .bind(&key.level)
        .bind(&key.within)
        .bind(i64::from(key.year))
        .fetch_optional(pool)
        .await
        })?;
        Ok(row.map(|r| KeptScorecard {
            rules_id: r.0,
            stamp: r.1,
            body: r.2,
            computed_at: r.3,
            computed_by: r.4,
            millis: r.5,
        }))
    }

    /// Keeps a scorecard computed through this viewer's rows, replacing the one kept under
    /// the same scope and key. A derived copy, not a record: not audited. Returns when and by
    /// whom it was kept.
    pub async fn keep_scorecard(
        &self,
        key: &KeptKey,
        rules_id: Option<i64>,
        stamp: &str,
        body: &str,
        millis: i64,
    ) -> Result<(String, String), StoreError> {
        if !rules::may_view(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        let now = now_text();
        let by = self.actor().name.clone();
        let scope = scope_key(self.viewer());
        on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO quality_result (scope_key, level, within, year, rules_id, stamp, body, \
             computed_at, computed_by, millis) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (scope_key, level, within, year) DO UPDATE SET rules_id = excluded.rules_id, \
             stamp = excluded.stamp, body = excluded.body, computed_at = excluded.computed_at, \
             computed_by = excluded.computed_by, millis = excluded.millis"
        )
        .bind(&scope)
        .bind(&key.level)
        .bind(&key.within)
        .bind(i64::from(key.year))
        .bind(rules_id)
        .bind(stamp)
        .bind(body)
        .bind(&now)
        .bind(&by)
        .bind(millis)
        .execute(pool)
        .await
        .map(|_| ())
        })?;
        Ok((now, by))
    }
}
