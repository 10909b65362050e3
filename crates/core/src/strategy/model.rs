//! The strategy's read models, typed: areas are [`StrategyArea`] (national or a region code),
//! periods are [`Period`]. The store reads them, use cases, insight and reports work on them.

use serde::Serialize;

use super::{Direction, StrategyArea, VersionStatus};
use crate::period::Period;

/// Where a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceType {
    /// A sample survey (Susenas, SSGI, SKI): an estimate with sampling error.
    Survey,
    /// Counted from records (DTSEN, e-PPGBM, a register).
    Administrative,
}

impl SourceType {
    pub fn key(self) -> &'static str {
        match self {
            SourceType::Survey => "survey",
            SourceType::Administrative => "administrative",
        }
    }

    pub fn from_key(key: &str) -> Option<SourceType> {
        [SourceType::Survey, SourceType::Administrative]
            .into_iter()
            .find(|t| t.key() == key)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Strategy {
    pub id: i64,
    /// A province or kab/kota, or all of Indonesia.
    pub region: StrategyArea,
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
    pub region: StrategyArea,
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
    pub fn target_for(&self, region: &StrategyArea, year: i32) -> Option<(f64, bool)> {
        let direct = self
            .targets
            .iter()
            .find(|t| &t.region == region && t.year == year)
            .map(|t| (t.value, false));
        if direct.is_some() || !self.fields.is_rate() {
            return direct;
        }
        let StrategyArea::Region(code) = region else {
            return None;
        };
        self.targets
            .iter()
            .filter(|t| t.year == year && &t.region != region && t.region.covers(code))
            .max_by_key(|t| t.region.region().map_or(0, |r| r.level().number() + 1))
            .map(|t| (t.value, true))
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
    /// Key of a computation the store knows.
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

    pub fn from_key(s: &str) -> EntryMethod {
        match s {
            "import" => EntryMethod::Import,
            "computed" => EntryMethod::Computed,
            _ => EntryMethod::Form,
        }
    }
}

/// A stored realisation value.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Realisation {
    pub indicator_code: String,
    pub disaggregation: String,
    pub region: StrategyArea,
    pub period: Period,
    pub source: String,
    pub value: f64,
    pub drivers: String,
    pub obstacles: String,
    pub follow_up: String,
    pub method: EntryMethod,
    pub entered_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PeriodLock {
    pub period: Period,
    pub locked_by: String,
    pub locked_at: String,
}
