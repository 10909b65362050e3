//! The five-year collaboration strategy: versions (a published one is frozen; amendments make a
//! new draft and the history stays readable), objectives, indicators, targets, realisation
//! keyed like a DHIS2 data value, period locks with an audited reopen, validation rules, and the
//! deployment's rating bands and letterhead. Every change is audited in its own transaction.

use std::collections::HashMap;

use serde::Serialize;
use sinergi_core::strategy::{
    Direction, RatingBands, RuleCheck, StrategyRuleError, ValidationRule, VersionStatus,
    check_disaggregation,
};
use sinergi_core::{Period, Principal, RegionCode, Role};
use sqlx::AssertSqlSafe;

use crate::audit::{Actor, AuditEvent, append_audit, now_text};
use crate::scope::{Placeholders, bind_filter, realisation_filter};
use crate::{SourceType, Store, StoreError, on_pool};

/// The region text of a national strategy (no Kemendagri code covers all of Indonesia).
pub const NATIONAL: &str = "ID";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Strategy {
    pub id: i64,
    /// A province or kab/kota code, or [`NATIONAL`].
    pub region: String,
    pub title: String,
    pub year_from: i32,
    pub year_to: i32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StrategyVersion {
    pub id: i64,
    pub strategy_id: i64,
    pub number: i64,
    pub status: VersionStatus,
    pub vision: String,
    pub missions: Vec<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub published_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Target {
    pub region: String,
    pub year: i32,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Indicator {
    pub id: i64,
    pub objective_id: i64,
    pub fields: IndicatorFields,
    pub targets: Vec<Target>,
}

impl Indicator {
    /// The target for `region` in `year`; a rate (unit persen) falls back to the nearest
    /// ancestor's target, a count never does (a province count is not a kab/kota count).
    pub fn target_for(&self, region: &str, year: i32) -> Option<(f64, bool)> {
        let direct = self
            .targets
            .iter()
            .find(|t| t.region == region && t.year == year)
            .map(|t| (t.value, false));
        if direct.is_some() || !self.fields.is_rate() {
            return direct;
        }
        let mut best: Option<&Target> = None;
        for t in self.targets.iter().filter(|t| t.year == year) {
            let above = region.starts_with(&format!("{}.", t.region)) || t.region == NATIONAL;
            if above && best.is_none_or(|b| t.region.len() > b.region.len() || b.region == NATIONAL)
            {
                best = Some(t);
            }
        }
        best.map(|t| (t.value, true))
    }
}

/// What an indicator says: everything but its identity and targets.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IndicatorFields {
    pub code: String,
    pub name: String,
    pub definition: String,
    pub formula: String,
    pub unit: String,
    pub direction: Direction,
    pub reference_code: Option<String>,
    pub data_source: String,
    pub source_type: SourceType,
    /// Indicators measuring the same thing from a survey and from records share it.
    pub concept: String,
    pub disaggregations: Vec<String>,
    pub baseline_year: Option<i32>,
    pub baseline_value: Option<f64>,
    pub baseline_source: Option<String>,
    pub pic: String,
    pub pic_organisation_id: Option<i64>,
    /// Key of a computation in [`crate::COMPUTATIONS`].
    pub computation: Option<String>,
}

impl IndicatorFields {
    pub fn is_rate(&self) -> bool {
        matches!(self.unit.trim().to_lowercase().as_str(), "persen" | "%")
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Objective {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub indicators: Vec<Indicator>,
}

/// One version of a strategy, whole.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StrategyTree {
    pub strategy: Strategy,
    pub version: StrategyVersion,
    pub versions: Vec<StrategyVersion>,
    pub objectives: Vec<Objective>,
}

impl StrategyTree {
    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.objectives.iter().flat_map(|o| o.indicators.iter())
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators().find(|i| i.fields.code == code)
    }
}

/// How a realisation value came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryMethod {
    Form,
    Import,
    Computed,
}

impl EntryMethod {
    pub fn key(self) -> &'static str {
        match self {
            EntryMethod::Form => "form",
            EntryMethod::Import => "import",
            EntryMethod::Computed => "computed",
        }
    }

    fn from_key(s: &str) -> EntryMethod {
        match s {
            "import" => EntryMethod::Import,
            "computed" => EntryMethod::Computed,
            _ => EntryMethod::Form,
        }
    }
}

/// A realisation value to store (replaces the one with the same key).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRealisation {
    /// Line of the imported file, for reject reports (0 for forms).
    pub line: u64,
    pub indicator_code: String,
    pub disaggregation: String,
    pub region: String,
    pub period: Period,
    pub source: String,
    pub value: f64,
    pub drivers: String,
    pub obstacles: String,
    pub follow_up: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Realisation {
    pub indicator_code: String,
    pub disaggregation: String,
    pub region: String,
    pub period: String,
    pub source: String,
    pub value: f64,
    pub drivers: String,
    pub obstacles: String,
    pub follow_up: String,
    pub method: EntryMethod,
    pub entered_at: String,
}

/// A row the store refused, with its line and reason (in Bahasa Indonesia).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedRealisation {
    pub line: u64,
    pub column: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PeriodLock {
    pub period: String,
    pub locked_by: String,
    pub locked_at: String,
}

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
            .ok_or_else(|| StoreError::Invalid(format!("status versi tidak dikenal: {}", r.3)))?,
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
                .ok_or_else(|| StoreError::Invalid(format!("arah tidak dikenal: {}", r.7)))?,
            reference_code: r.8,
            data_source: r.9,
            source_type: SourceType::from_key(&r.10).ok_or_else(|| {
                StoreError::Invalid(format!("jenis sumber tidak dikenal: {}", r.10))
            })?,
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

fn frozen(e: StrategyRuleError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn field(field: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::InvalidField {
        field,
        reason: reason.into(),
    }
}

/// Whether `principal` may change the strategy itself (structure, publication, locks, rules):
/// admins whose scope covers the strategy's region. `None` is the command line.
fn may_manage(by: Option<&Principal>, strategy_region: &str) -> bool {
    match by {
        None => true,
        Some(p) => {
            p.is_admin() && RegionCode::parse(strategy_region).is_ok_and(|r| p.scope.covers(&r))
        }
    }
}

/// Whether `principal` may enter realisation for `region`: admins and kab/kota operators
/// within their scope. Partners report through the LKKS (they read the indicators they are PIC
/// for); board members read only.
pub fn may_enter_realisation(p: &Principal, region: &str) -> bool {
    matches!(p.role, Role::AdminProvinsi | Role::OperatorKabKota)
        && RegionCode::parse(region).is_ok_and(|r| p.scope.covers(&r))
}

/// `code` is the strategy's region or lies below it.
fn within_strategy(strategy_region: &str, code: &str) -> bool {
    strategy_region == NATIONAL
        || code == strategy_region
        || code.starts_with(&format!("{strategy_region}."))
}

impl Store {
    /// Creates a strategy with its first version, a draft.
    pub async fn create_strategy(
        &self,
        by: Option<&Principal>,
        region: &str,
        title: &str,
        years: (i32, i32),
        vision: &str,
        missions: &[String],
    ) -> Result<(i64, i64), StoreError> {
        if region != NATIONAL {
            RegionCode::parse(region).map_err(|e| field("wilayah", e.to_string()))?;
        }
        if !may_manage(by, region) {
            return Err(StoreError::Forbidden);
        }
        if title.trim().is_empty() {
            return Err(field("judul", "wajib diisi"));
        }
        if years.0 > years.1 || years.0 < 2000 || years.1 > 2100 {
            return Err(field(
                "tahun",
                format!("rentang {}–{} tidak masuk akal", years.0, years.1),
            ));
        }
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
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

    pub async fn strategies(&self) -> Result<Vec<Strategy>, StoreError> {
        let rows: Vec<(i64, String, String, i64, i64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, region_code, title, year_from, year_to FROM strategy ORDER BY id"
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| Strategy {
                id: r.0,
                region: r.1,
                title: r.2,
                year_from: r.3 as i32,
                year_to: r.4 as i32,
            })
            .collect())
    }

    pub async fn strategy(&self, id: i64) -> Result<Option<Strategy>, StoreError> {
        Ok(self.strategies().await?.into_iter().find(|s| s.id == id))
    }

    pub async fn strategy_versions(
        &self,
        strategy_id: i64,
    ) -> Result<Vec<StrategyVersion>, StoreError> {
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
        row.map(to_version)
            .transpose()?
            .ok_or_else(|| StoreError::Invalid(format!("versi {version_id} tidak ada")))
    }

    /// A whole version: `number` when given, else the published one, else (when
    /// `drafts_visible`) the newest draft.
    pub async fn strategy_tree(
        &self,
        strategy_id: i64,
        number: Option<i64>,
        drafts_visible: bool,
    ) -> Result<Option<StrategyTree>, StoreError> {
        let Some(strategy) = self.strategy(strategy_id).await? else {
            return Ok(None);
        };
        let versions = self.strategy_versions(strategy_id).await?;
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
                region: t.1,
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

    /// The version and its strategy, checked editable (a draft) and manageable by `by`.
    async fn editable_version(
        &self,
        by: Option<&Principal>,
        version_id: i64,
    ) -> Result<(Strategy, StrategyVersion), StoreError> {
        let version = self.version(version_id).await?;
        let strategy = self
            .strategy(version.strategy_id)
            .await?
            .ok_or_else(|| StoreError::Invalid("strategi tidak ada".into()))?;
        if !may_manage(by, &strategy.region) {
            return Err(StoreError::Forbidden);
        }
        version.status.check_editable().map_err(frozen)?;
        Ok((strategy, version))
    }

    /// Changes a draft's vision and missions.
    pub async fn set_vision(
        &self,
        by: Option<&Principal>,
        version_id: i64,
        vision: &str,
        missions: &[String],
    ) -> Result<(), StoreError> {
        let (strategy, _) = self.editable_version(by, version_id).await?;
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
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
                return Err(frozen(StrategyRuleError::Frozen));
            }
            let event = AuditEvent::new(actor.clone(), "strategy.vision", "strategy_version")
                .id(version_id)
                .region(&strategy.region)
                .after(serde_json::json!({ "visi": vision.trim(), "misi": missions }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Adds a strategic objective (*sasaran strategis*) to a draft.
    pub async fn add_objective(
        &self,
        by: Option<&Principal>,
        version_id: i64,
        code: &str,
        name: &str,
    ) -> Result<i64, StoreError> {
        let (strategy, _) = self.editable_version(by, version_id).await?;
        if code.trim().is_empty() {
            return Err(field("kode sasaran", "wajib diisi"));
        }
        if name.trim().is_empty() {
            return Err(field("nama sasaran", "wajib diisi"));
        }
        let tree = self.objectives_of(version_id).await?;
        if tree.iter().any(|o| o.code == code.trim()) {
            return Err(field(
                "kode sasaran",
                format!("{} sudah dipakai", code.trim()),
            ));
        }
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
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
                .region(&strategy.region)
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
        by: Option<&Principal>,
        objective_id: i64,
        f: &IndicatorFields,
    ) -> Result<i64, StoreError> {
        let version_id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT version_id FROM strategy_objective WHERE id = $1"
        )
        .bind(objective_id)
        .fetch_optional(pool)
        .await)?;
        let version_id = version_id.ok_or_else(|| field("sasaran", "tidak ada"))?;
        let (strategy, _) = self.editable_version(by, version_id).await?;
        for (name, value) in [
            ("kode indikator", &f.code),
            ("nama indikator", &f.name),
            ("definisi", &f.definition),
            ("satuan", &f.unit),
            ("sumber data", &f.data_source),
        ] {
            if value.trim().is_empty() {
                return Err(field(name, "wajib diisi"));
            }
        }
        for d in &f.disaggregations {
            if !sinergi_core::strategy::DISAGGREGATIONS.contains(&d.as_str()) {
                return Err(field(
                    "rincian",
                    format!(
                        "\"{d}\" tidak dikenal; pilih dari {}",
                        sinergi_core::strategy::DISAGGREGATIONS.join(", ")
                    ),
                ));
            }
        }
        if let Some(c) = &f.computation
            && crate::computed::computation(c).is_none()
        {
            return Err(field(
                "perhitungan",
                format!("\"{c}\" bukan perhitungan yang dikenal"),
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
                "kode indikator",
                format!("{} sudah dipakai", f.code.trim()),
            ));
        }
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
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
                .region(&strategy.region)
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
        by: Option<&Principal>,
        indicator_id: i64,
        targets: &[Target],
    ) -> Result<(), StoreError> {
        let version_id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT version_id FROM strategy_indicator WHERE id = $1"
        )
        .bind(indicator_id)
        .fetch_optional(pool)
        .await)?;
        let version_id = version_id.ok_or_else(|| field("indikator", "tidak ada"))?;
        let (strategy, _) = self.editable_version(by, version_id).await?;
        for t in targets {
            if !within_strategy(&strategy.region, &t.region) {
                return Err(field(
                    "wilayah target",
                    format!("{} di luar wilayah strategi {}", t.region, strategy.region),
                ));
            }
            if t.year < strategy.year_from || t.year > strategy.year_to {
                return Err(field(
                    "tahun target",
                    format!(
                        "{} di luar masa strategi {}–{}",
                        t.year, strategy.year_from, strategy.year_to
                    ),
                ));
            }
            if !t.value.is_finite() {
                return Err(field("nilai target", "bukan angka"));
            }
        }
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for t in targets {
                sqlx::query(
                    "INSERT INTO strategy_target (indicator_id, region_code, year, value) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (indicator_id, region_code, year) DO UPDATE SET value = excluded.value",
                )
                .bind(indicator_id)
                .bind(&t.region)
                .bind(i64::from(t.year))
                .bind(t.value)
                .execute(&mut *tx)
                .await?;
            }
            let event = AuditEvent::new(actor.clone(), "strategy.targets", "strategy_indicator")
                .id(indicator_id)
                .region(&strategy.region)
                .after(targets);
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Publishes a draft: it becomes the strategy's text, frozen; the previously published
    /// version is kept, marked superseded.
    pub async fn publish_version(
        &self,
        by: Option<&Principal>,
        version_id: i64,
    ) -> Result<(), StoreError> {
        let (strategy, version) = self.editable_version(by, version_id).await?;
        let tree = self.objectives_of(version_id).await?;
        if tree.iter().all(|o| o.indicators.is_empty()) {
            return Err(StoreError::Invalid(
                "versi tanpa indikator tidak dapat diterbitkan".into(),
            ));
        }
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
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
                return Err(frozen(StrategyRuleError::Frozen));
            }
            let event = AuditEvent::new(actor.clone(), "strategy.publish", "strategy_version")
                .id(version_id)
                .region(&strategy.region)
                .after(serde_json::json!({ "versi": version.number }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Starts an amendment: a new draft copying the newest version whole (objectives,
    /// indicators, targets). Refused while a draft exists.
    pub async fn amend_strategy(
        &self,
        by: Option<&Principal>,
        strategy_id: i64,
        note: &str,
    ) -> Result<i64, StoreError> {
        let strategy = self
            .strategy(strategy_id)
            .await?
            .ok_or_else(|| StoreError::Invalid("strategi tidak ada".into()))?;
        if !may_manage(by, &strategy.region) {
            return Err(StoreError::Forbidden);
        }
        if note.trim().is_empty() {
            return Err(field("alasan amandemen", "wajib diisi"));
        }
        let versions = self.strategy_versions(strategy_id).await?;
        if versions.iter().any(|v| v.status == VersionStatus::Draft) {
            return Err(StoreError::Invalid(
                "masih ada draf yang belum diterbitkan; ubah draf itu".into(),
            ));
        }
        let from = versions
            .last()
            .ok_or_else(|| StoreError::Invalid("strategi tanpa versi".into()))?;
        let objectives = self.objectives_of(from.id).await?;
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
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
                        .bind(&t.region)
                        .bind(i64::from(t.year))
                        .bind(t.value)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            }
            let event = AuditEvent::new(actor.clone(), "strategy.amend", "strategy_version")
                .id(id)
                .region(&strategy.region)
                .after(serde_json::json!({ "versi": number, "dari": from.number, "alasan": note.trim() }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

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
        Ok(rows
            .into_iter()
            .map(|r| PeriodLock {
                period: r.0,
                locked_by: r.1,
                locked_at: r.2,
            })
            .collect())
    }

    /// Closes a period: its realisation can no longer change.
    pub async fn lock_period(
        &self,
        by: Option<&Principal>,
        strategy_id: i64,
        period: Period,
    ) -> Result<(), StoreError> {
        self.lock_change(by, strategy_id, period, None).await
    }

    /// Reopens a closed period, with the reason, in the audit log.
    pub async fn reopen_period(
        &self,
        by: Option<&Principal>,
        strategy_id: i64,
        period: Period,
        reason: &str,
    ) -> Result<(), StoreError> {
        if reason.trim().is_empty() {
            return Err(field("alasan membuka kunci", "wajib diisi"));
        }
        self.lock_change(by, strategy_id, period, Some(reason.trim()))
            .await
    }

    async fn lock_change(
        &self,
        by: Option<&Principal>,
        strategy_id: i64,
        period: Period,
        reopen: Option<&str>,
    ) -> Result<(), StoreError> {
        let strategy = self
            .strategy(strategy_id)
            .await?
            .ok_or_else(|| StoreError::Invalid("strategi tidak ada".into()))?;
        if !may_manage(by, &strategy.region) {
            return Err(StoreError::Forbidden);
        }
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
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
                    .region(&strategy.region)
                    .after(serde_json::json!({ "periode": p, "alasan": reopen }));
                append_audit!(tx, &event);
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores realisation values (all or nothing): each row is checked against the published
    /// version (indicator, disaggregation), the strategy's region, the principal's scope and
    /// the period locks. Refused rows come back with their line and reason, and nothing is
    /// stored; otherwise the count stored. Same key → replaced (re-import updates).
    pub async fn save_realisations(
        &self,
        by: Option<&Principal>,
        strategy_id: i64,
        method: EntryMethod,
        rows: &[NewRealisation],
    ) -> Result<Result<u64, Vec<RefusedRealisation>>, StoreError> {
        if let Some(p) = by
            && !matches!(p.role, Role::AdminProvinsi | Role::OperatorKabKota)
        {
            return Err(StoreError::Forbidden);
        }
        let tree = self
            .strategy_tree(strategy_id, None, false)
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
            if let Some(p) = by
                && !may_enter_realisation(p, region)
            {
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
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
        let actor_id = by.map(|p| p.user_id);
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

    /// Realisation values the viewer may see (`None` = the public): the strategy's own level
    /// for everyone; regional roles also their regions; partners also every region of the
    /// indicators they are PIC for. Optionally one period and/or one indicator.
    pub async fn realisations(
        &self,
        viewer: Option<&Principal>,
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
        let f = realisation_filter(viewer, &strategy.region, strategy.id, &mut ph);
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

    pub async fn validation_rules(
        &self,
        strategy_id: i64,
    ) -> Result<Vec<ValidationRule>, StoreError> {
        let rows: Vec<(i64, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, name, left_code, check_json FROM strategy_validation_rule WHERE strategy_id = $1 ORDER BY id"
        )
        .bind(strategy_id)
        .fetch_all(pool)
        .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(ValidationRule {
                    id: r.0,
                    name: r.1,
                    left: r.2,
                    check: serde_json::from_str::<RuleCheck>(&r.3)
                        .map_err(|e| StoreError::Invalid(format!("aturan {}: {e}", r.0)))?,
                })
            })
            .collect()
    }

    /// Adds a validation rule (admins of the strategy's region).
    pub async fn add_validation_rule(
        &self,
        by: Option<&Principal>,
        strategy_id: i64,
        name: &str,
        left: &str,
        check: &RuleCheck,
    ) -> Result<i64, StoreError> {
        let strategy = self
            .strategy(strategy_id)
            .await?
            .ok_or_else(|| StoreError::Invalid("strategi tidak ada".into()))?;
        if !may_manage(by, &strategy.region) {
            return Err(StoreError::Forbidden);
        }
        if name.trim().is_empty() {
            return Err(field("nama aturan", "wajib diisi"));
        }
        let tree = self.strategy_tree(strategy_id, None, true).await?;
        let known = |c: &str| tree.as_ref().is_some_and(|t| t.indicator(c).is_some());
        if !known(left.trim()) {
            return Err(field(
                "indikator kiri",
                format!("\"{}\" tidak ada", left.trim()),
            ));
        }
        match check {
            RuleCheck::Compare { right, .. } if !known(right.trim()) => {
                return Err(field(
                    "indikator kanan",
                    format!("\"{}\" tidak ada", right.trim()),
                ));
            }
            RuleCheck::Range {
                min: Some(a),
                max: Some(b),
            } if a > b => {
                return Err(field(
                    "rentang",
                    format!("batas bawah {a} melebihi batas atas {b}"),
                ));
            }
            RuleCheck::Range {
                min: None,
                max: None,
            } => return Err(field("rentang", "isi batas bawah atau batas atas")),
            _ => {}
        }
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
        let json = serde_json::to_string(check).unwrap_or_default();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO strategy_validation_rule (strategy_id, name, left_code, check_json) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(strategy_id)
            .bind(name.trim())
            .bind(left.trim())
            .bind(&json)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "strategy.rule", "strategy_validation_rule")
                .id(id)
                .region(&strategy.region)
                .after(
                    serde_json::json!({ "nama": name.trim(), "kiri": left.trim(), "uji": check }),
                );
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The deployment's rating bands (the five-band default until set).
    pub async fn rating_bands(&self) -> Result<RatingBands, StoreError> {
        Ok(self
            .setting(BANDS_KEY)
            .await?
            .and_then(|s| RatingBands::from_json(&s).ok())
            .unwrap_or_else(RatingBands::five))
    }

    pub async fn letterhead(&self) -> Result<Letterhead, StoreError> {
        Ok(self
            .setting(LETTERHEAD_KEY)
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    /// Sets the rating bands and letterhead (an admin; audited).
    pub async fn set_strategy_settings(
        &self,
        by: Option<&Principal>,
        bands: &RatingBands,
        letterhead: &Letterhead,
    ) -> Result<(), StoreError> {
        if let Some(p) = by
            && !p.is_admin()
        {
            return Err(StoreError::Forbidden);
        }
        let bands = bands
            .clone()
            .validate()
            .map_err(|e| field("pita penilaian", e.to_string()))?;
        let actor = by.map(Actor::from).unwrap_or_else(|| Actor::system("cli"));
        let kop = serde_json::to_string(letterhead).unwrap_or_default();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for (k, v) in [(BANDS_KEY, bands.to_json()), (LETTERHEAD_KEY, kop.clone())] {
                sqlx::query(
                    "INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(k)
                .bind(&v)
                .execute(&mut *tx)
                .await?;
            }
            let event = AuditEvent::new(actor.clone(), "strategy.settings", "app_setting").after(
                serde_json::json!({ "pita": bands.to_json(), "kop": letterhead.lines, "logo": letterhead.logo_jpeg_base64.is_some() }),
            );
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
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
