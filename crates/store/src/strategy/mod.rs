//! The five-year collaboration strategy: versions (a published one is frozen; amendments make a
//! new draft and the history stays readable), objectives, indicators, targets, realisation
//! keyed like a DHIS2 data value, period locks with an audited reopen, validation rules, and the
//! deployment's rating bands and letterhead. Every change is audited in its own transaction.

use std::collections::HashMap;

use serde::Serialize;
use sinergi_core::strategy::{
    Direction, RatingBands, RealisationContext, RuleCheck, StrategyArea, ValidationRule,
    VersionStatus, check_realisations,
};
use sinergi_core::{Msg, Period};
use sqlx::AssertSqlSafe;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::scope::{Placeholders, bind_filter, realisation_filter};
use crate::{Scoped, SourceType, Store, StoreError, on_pool};

mod locks;
mod realisation;
mod rules;
mod settings;
mod tree;

pub use sinergi_core::strategy::{
    EntryMethod, Indicator, IndicatorFields, NATIONAL, NewRealisation, Objective, PeriodLock,
    Realisation, RefusedRealisation, Strategy, StrategyTree, StrategyVersion, Target,
};

/// The letterhead of reports, per deployment.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Letterhead {
    /// Lines under the logo, e.g. the organisation's name and address.
    pub lines: Vec<String>,
    /// A JPEG logo, base64 (PDF embeds JPEG as is).
    pub logo_jpeg_base64: Option<String>,
}

const BANDS_KEY: &str = "strategi.pita";
const LETTERHEAD_KEY: &str = "strategi.kop";

type VersionRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);
const VERSION_COLS: &str =
    "id, strategy_id, number, status, vision, missions_json, note, created_at, published_at";

fn to_version(r: VersionRow) -> Result<StrategyVersion, StoreError> {
    Ok(StrategyVersion {
        id: r.0,
        strategy_id: r.1,
        number: r.2,
        status: VersionStatus::from_key(&r.3)
            .ok_or_else(|| StoreError::Corrupt(format!("status versi: {}", r.3)))?,
        vision: r.4,
        missions: serde_json::from_str(&r.5).unwrap_or_default(),
        note: r.6,
        created_at: r.7,
        published_at: r.8,
    })
}

type IndicatorRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<f64>,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
);
const INDICATOR_COLS: &str = "id, objective_id, code, name, definition, formula, unit, direction, \
     reference_code, data_source, source_type, concept, disaggregations, baseline_year, \
     baseline_value, baseline_source, pic, pic_organisation_id, computation";

fn to_indicator(r: IndicatorRow) -> Result<Indicator, StoreError> {
    Ok(Indicator {
        id: r.0,
        objective_id: r.1,
        fields: IndicatorFields {
            code: r.2,
            name: r.3,
            definition: r.4,
            formula: r.5,
            unit: r.6,
            direction: Direction::parse(&r.7)
                .ok_or_else(|| StoreError::Corrupt(format!("arah: {}", r.7)))?,
            reference_code: r.8,
            data_source: r.9,
            source_type: SourceType::from_key(&r.10)
                .ok_or_else(|| StoreError::Corrupt(format!("jenis sumber: {}", r.10)))?,
            concept: r.11,
            disaggregations: r
                .12
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            baseline_year: r.13.map(|y| y as i32),
            baseline_value: r.14,
            baseline_source: r.15,
            pic: r.16,
            pic_organisation_id: r.17,
            computation: r.18,
        },
        targets: Vec::new(),
    })
}

fn frozen() -> StoreError {
    StoreError::Refused(Msg::new("strategy.refuse.frozen"))
}

/// A refused field: its name and the reason, both catalogue keys.
fn field(field: &'static str, reason: Msg) -> StoreError {
    StoreError::Refused(
        Msg::new("strategy.refuse.field")
            .arg_msg("field", Msg::new(field))
            .arg_msg("reason", reason),
    )
}

fn required(name: &'static str) -> StoreError {
    field(name, Msg::new("strategy.refuse.required"))
}

fn strategy_missing() -> StoreError {
    StoreError::Refused(Msg::new("strategy.refuse.strategy_missing"))
}

fn area(text: &str) -> Result<StrategyArea, StoreError> {
    StrategyArea::parse(text).map_err(|_| StoreError::Corrupt(format!("wilayah: {text}")))
}

fn period_of(text: &str) -> Result<Period, StoreError> {
    Period::parse(text).map_err(|_| StoreError::Corrupt(format!("periode: {text}")))
}

impl Store {
    async fn all_strategies(&self) -> Result<Vec<Strategy>, StoreError> {
        let rows: Vec<(i64, String, String, i64, i64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, region_code, title, year_from, year_to FROM strategy ORDER BY id"
        )
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(Strategy {
                    id: r.0,
                    region: area(&r.1)?,
                    title: r.2,
                    year_from: r.3 as i32,
                    year_to: r.4 as i32,
                })
            })
            .collect()
    }

    pub(crate) async fn strategy_row(&self, id: i64) -> Result<Option<Strategy>, StoreError> {
        Ok(self
            .all_strategies()
            .await?
            .into_iter()
            .find(|s| s.id == id))
    }

    async fn versions_of(&self, strategy_id: i64) -> Result<Vec<StrategyVersion>, StoreError> {
        let sql = format!(
            "SELECT {VERSION_COLS} FROM strategy_version WHERE strategy_id = $1 ORDER BY number"
        );
        let rows: Vec<VersionRow> =
            on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(strategy_id)
                .fetch_all(pool)
                .await)?;
        rows.into_iter().map(to_version).collect()
    }

    async fn version(&self, version_id: i64) -> Result<StrategyVersion, StoreError> {
        let sql = format!("SELECT {VERSION_COLS} FROM strategy_version WHERE id = $1");
        let row: Option<VersionRow> =
            on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(version_id)
                .fetch_optional(pool)
                .await)?;
        row.map(to_version).transpose()?.ok_or_else(|| {
            StoreError::Refused(Msg::new("strategy.refuse.version_missing").arg("id", version_id))
        })
    }

    /// A whole version: `number` when given, else the published one, else (when
    /// `drafts_visible`) the newest draft.
    pub(crate) async fn load_tree(
        &self,
        strategy_id: i64,
        number: Option<i64>,
        drafts_visible: bool,
    ) -> Result<Option<StrategyTree>, StoreError> {
        let Some(strategy) = self.strategy_row(strategy_id).await? else {
            return Ok(None);
        };
        let versions = self.versions_of(strategy_id).await?;
        let visible = |v: &&StrategyVersion| drafts_visible || v.status != VersionStatus::Draft;
        let chosen = match number {
            Some(n) => versions.iter().filter(visible).find(|v| v.number == n),
            None => versions
                .iter()
                .rev()
                .find(|v| v.status == VersionStatus::Published)
                .or_else(|| versions.iter().rev().find(visible)),
        };
        let Some(version) = chosen.cloned() else {
            return Ok(None);
        };
        let objectives = self.objectives_of(version.id).await?;
        Ok(Some(StrategyTree {
            strategy,
            version,
            versions: versions.into_iter().filter(|v| visible(&v)).collect(),
            objectives,
        }))
    }

    async fn objectives_of(&self, version_id: i64) -> Result<Vec<Objective>, StoreError> {
        let objectives: Vec<(i64, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, code, name FROM strategy_objective WHERE version_id = $1 ORDER BY position, id"
        )
        .bind(version_id)
        .fetch_all(pool)
        .await
        })?;
        let sql = format!(
            "SELECT {INDICATOR_COLS} FROM strategy_indicator WHERE version_id = $1 ORDER BY position, id"
        );
        // Nineteen columns: more than sqlx's tuples take, so read by position.
        let rows: Vec<IndicatorRow> = on_pool!(self, |pool| {
            use sqlx::Row;
            let raw = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(version_id)
                .fetch_all(pool)
                .await?;
            raw.iter()
                .map(|r| {
                    Ok::<IndicatorRow, sqlx::Error>((
                        r.try_get(0)?,
                        r.try_get(1)?,
                        r.try_get(2)?,
                        r.try_get(3)?,
                        r.try_get(4)?,
                        r.try_get(5)?,
                        r.try_get(6)?,
                        r.try_get(7)?,
                        r.try_get(8)?,
                        r.try_get(9)?,
                        r.try_get(10)?,
                        r.try_get(11)?,
                        r.try_get(12)?,
                        r.try_get(13)?,
                        r.try_get(14)?,
                        r.try_get(15)?,
                        r.try_get(16)?,
                        r.try_get(17)?,
                        r.try_get(18)?,
                    ))
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        let targets: Vec<(i64, String, i64, f64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT t.indicator_id, t.region_code, t.year, t.value FROM strategy_target t \
             JOIN strategy_indicator i ON i.id = t.indicator_id WHERE i.version_id = $1 \
             ORDER BY t.region_code, t.year"
        )
        .bind(version_id)
        .fetch_all(pool)
        .await)?;
        let mut by_indicator: HashMap<i64, Vec<Target>> = HashMap::new();
        for t in targets {
            by_indicator.entry(t.0).or_default().push(Target {
                region: area(&t.1)?,
                year: t.2 as i32,
                value: t.3,
            });
        }
        let mut out: Vec<Objective> = objectives
            .into_iter()
            .map(|o| Objective {
                id: o.0,
                code: o.1,
                name: o.2,
                indicators: Vec::new(),
            })
            .collect();
        for r in rows {
            let mut ind = to_indicator(r)?;
            ind.targets = by_indicator.remove(&ind.id).unwrap_or_default();
            if let Some(o) = out.iter_mut().find(|o| o.id == ind.objective_id) {
                o.indicators.push(ind);
            }
        }
        Ok(out)
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT value FROM app_setting WHERE key = $1"
        )
        .bind(key)
        .fetch_optional(pool)
        .await)?)
    }
}
