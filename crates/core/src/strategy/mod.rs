//! The collaboration strategy's arithmetic, pure: achievement (*capaian*) per direction,
//! rating bands, validation rules in the spirit of DHIS2, period locks and version freezing.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

mod cross;
mod entry;
mod model;

pub use cross::{
    Breakdown, CellGap, Cross, CrossCell, CrossLayout, Groups, cell_key, cross, indicator_cross,
};

pub use entry::{
    CheckedRealisation, NewRealisation, RealisationContext, RefusedRealisation, check_realisations,
    range_warning,
};
pub use model::{
    EntryMethod, Indicator, IndicatorFields, Objective, PeriodLock, Realisation, SourceType,
    Strategy, StrategyTree, StrategyVersion, Target,
};

use crate::access::{Role, Viewer};
use crate::msg::Msg;
use crate::region::{RegionCode, RegionCodeError};

/// The text of a national strategy's area (no Kemendagri code covers all of Indonesia).
pub const NATIONAL: &str = "ID";

/// The area a strategy covers: all of Indonesia, or one province or kab/kota.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StrategyArea {
    National,
    Region(RegionCode),
}

impl StrategyArea {
    /// Reads [`NATIONAL`] or a region code.
    pub fn parse(s: &str) -> Result<StrategyArea, RegionCodeError> {
        let s = s.trim();
        if s == NATIONAL {
            Ok(StrategyArea::National)
        } else {
            RegionCode::parse(s).map(StrategyArea::Region)
        }
    }

    /// The region, unless national.
    pub fn region(&self) -> Option<&RegionCode> {
        match self {
            StrategyArea::National => None,
            StrategyArea::Region(r) => Some(r),
        }
    }

    /// Whether `code` is the area itself or lies below it.
    pub fn covers(&self, code: &RegionCode) -> bool {
        match self {
            StrategyArea::National => true,
            StrategyArea::Region(r) => r == code || r.contains(code),
        }
    }

    /// Whether `code` lies one level directly below the area (a kab/kota of a province).
    pub fn is_child(&self, code: &RegionCode) -> bool {
        match self {
            StrategyArea::National => code.parent().is_none(),
            StrategyArea::Region(r) => code.parent().as_ref() == Some(r),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            StrategyArea::National => NATIONAL,
            StrategyArea::Region(r) => r.as_str(),
        }
    }
}

impl std::fmt::Display for StrategyArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for StrategyArea {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

// ---------------------------------------------------------------- who may do what
//
// The strategy's access rules, decided here once and applied by the store.

/// Whether `viewer` may change the strategy itself (structure, publication, locks, rules):
/// admins whose scope covers the strategy's area, and the system.
pub fn may_manage(viewer: &Viewer, area: &StrategyArea) -> bool {
    match viewer {
        Viewer::Public => false,
        Viewer::System(_) => true,
        Viewer::User(p) => p.is_admin() && area.region().is_some_and(|r| p.scope.covers(r)),
    }
}

/// Whether `viewer` enters realisation at all: admins and kab/kota operators (and the system).
/// Partners report through the LKKS (they read the indicators they are PIC for); board
/// members read only.
pub fn enters_realisation(viewer: &Viewer) -> bool {
    match viewer {
        Viewer::Public => false,
        Viewer::System(_) => true,
        Viewer::User(p) => matches!(p.role, Role::AdminProvinsi | Role::OperatorKabKota),
    }
}

/// Whether `viewer` may enter realisation for `region`: [`enters_realisation`], within scope.
pub fn may_enter_realisation(viewer: &Viewer, region: &RegionCode) -> bool {
    enters_realisation(viewer)
        && match viewer {
            Viewer::User(p) => p.scope.covers(region),
            _ => true,
        }
}

/// Whether `viewer` may enter realisation for `area`: a region as [`may_enter_realisation`];
/// the national level only for the system (no user's scope covers all of Indonesia).
pub fn may_enter_realisation_in(viewer: &Viewer, area: &StrategyArea) -> bool {
    match area {
        StrategyArea::Region(r) => may_enter_realisation(viewer, r),
        StrategyArea::National => viewer.is_system(),
    }
}

/// Whether `viewer` sees draft versions: those who work on the strategy (admins, operators,
/// the board, the system); not the public, not organisation-bound roles.
pub fn sees_drafts(viewer: &Viewer) -> bool {
    match viewer {
        Viewer::Public => false,
        Viewer::System(_) => true,
        Viewer::User(p) => !p.role.is_organisation_bound(),
    }
}

/// Whether `viewer` may change the deployment's rating bands and letterhead.
pub fn may_change_settings(viewer: &Viewer) -> bool {
    viewer.is_admin()
}

/// Whether a higher or a lower value is the better one (poverty, child marriage and stunting
/// are lower-is-better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    pub fn key(self) -> &'static str {
        match self {
            Direction::Higher => "naik",
            Direction::Lower => "turun",
        }
    }

    /// Reads `naik`/`turun` (and the English `higher`/`lower`).
    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim().to_lowercase().as_str() {
            "naik" | "higher" | "tinggi" => Some(Direction::Higher),
            "turun" | "lower" | "rendah" => Some(Direction::Lower),
            _ => None,
        }
    }
}

/// Achievement in percent, as stored (uncapped). `None` when it cannot be computed (no
/// target, or a zero target with nothing to measure progress from).
///
/// - higher-is-better: actual / target × 100;
/// - lower-is-better: (1 + (1 − actual / target)) × 100 (DOMAIN.md);
/// - a zero target (extreme poverty → 0 %): reaching 0 is 100 %; above it, the share of the
///   way from the baseline to 0 that was covered, (baseline − actual) / baseline × 100 —
///   `None` without a positive baseline, because a ratio to 0 means nothing.
pub fn achievement(
    direction: Direction,
    actual: f64,
    target: f64,
    baseline: Option<f64>,
) -> Option<f64> {
    if !actual.is_finite() || !target.is_finite() {
        return None;
    }
    match direction {
        Direction::Higher if target == 0.0 => Some(if actual >= 0.0 { 100.0 } else { 0.0 }),
        Direction::Higher => Some(actual / target * 100.0),
        Direction::Lower if target == 0.0 => {
            if actual <= 0.0 {
                Some(100.0)
            } else {
                match baseline {
                    Some(b) if b > 0.0 => Some((b - actual) / b * 100.0),
                    _ => None,
                }
            }
        }
        Direction::Lower => Some((1.0 + (1.0 - actual / target)) * 100.0),
    }
}

/// The display cap: achievement is shown within 0–100 % (stored uncapped).
pub const DISPLAY_CAP: f64 = 100.0;

/// Achievement as shown: clamped to 0–[`DISPLAY_CAP`].
pub fn display_capped(value: f64) -> f64 {
    value.clamp(0.0, DISPLAY_CAP)
}

/// One rating band: values at or above `min` (and below the next band's) get it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub min: f64,
    pub label_id: String,
    pub label_en: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// Rating bands of a deployment, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingBands {
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BandError {
    #[error("pita penilaian kosong")]
    Empty,
    #[error("warna pita \"{0}\" bukan bentuk #rrggbb")]
    Colour(String),
    #[error("batas bawah pita harus menurun dari pita terbaik ke terburuk")]
    Order,
    #[error("nama pita wajib diisi")]
    Label,
}

impl BandError {
    /// The reason as a catalogue message.
    pub fn msg(&self) -> Msg {
        match self {
            BandError::Empty => Msg::new("strategy.refuse.bands_empty"),
            BandError::Colour(c) => Msg::new("strategy.refuse.band_colour").arg("colour", c),
            BandError::Order => Msg::new("strategy.refuse.band_order"),
            BandError::Label => Msg::new("strategy.refuse.band_label"),
        }
    }
}

fn band(min: f64, id: &str, en: &str, colour: &str) -> Band {
    Band {
        min,
        label_id: id.into(),
        label_en: en.into(),
        colour: colour.into(),
    }
}

impl RatingBands {
    /// Five bands: 91–100 / 76–90 / 66–75 / 51–65 / ≤ 50.
    pub fn five() -> RatingBands {
        RatingBands {
            bands: vec![
                band(91.0, "Sangat Tinggi", "Very high", "#1a7f37"),
                band(76.0, "Tinggi", "High", "#5cb85c"),
                band(66.0, "Sedang", "Moderate", "#e0a800"),
                band(51.0, "Rendah", "Low", "#e8590c"),
                band(f64::NEG_INFINITY, "Sangat Rendah", "Very low", "#c92a2a"),
            ],
        }
    }

    /// Four bands: 86–100 Baik / 71–85 Sedang / 56–70 Kurang / < 56 Sangat Kurang.
    pub fn four() -> RatingBands {
        RatingBands {
            bands: vec![
                band(86.0, "Baik", "Good", "#1a7f37"),
                band(71.0, "Sedang", "Fair", "#e0a800"),
                band(56.0, "Kurang", "Poor", "#e8590c"),
                band(f64::NEG_INFINITY, "Sangat Kurang", "Very poor", "#c92a2a"),
            ],
        }
    }

    /// Checks labels, colours and order; the last band always catches everything below.
    pub fn validate(mut self) -> Result<RatingBands, BandError> {
        if self.bands.is_empty() {
            return Err(BandError::Empty);
        }
        for b in &self.bands {
            if b.label_id.trim().is_empty() || b.label_en.trim().is_empty() {
                return Err(BandError::Label);
            }
            let hex = b.colour.strip_prefix('#').unwrap_or("");
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(BandError::Colour(b.colour.clone()));
            }
        }
        if self.bands.windows(2).any(|w| w[0].min <= w[1].min) {
            return Err(BandError::Order);
        }
        if let Some(last) = self.bands.last_mut() {
            last.min = f64::NEG_INFINITY;
        }
        Ok(self)
    }

    /// The band of a display value (0–100); its index is the rank (0 = best).
    pub fn rate(&self, capped: f64) -> (usize, &Band) {
        let i = self
            .bands
            .iter()
            .position(|b| capped >= b.min)
            .unwrap_or(self.bands.len() - 1);
        (i, &self.bands[i])
    }

    /// JSON with the last band's open lower end written as null (JSON has no −∞).
    pub fn to_json(&self) -> String {
        let v: Vec<serde_json::Value> = self
            .bands
            .iter()
            .map(|b| {
                serde_json::json!({
                    "min": if b.min.is_finite() { Some(b.min) } else { None },
                    "label_id": b.label_id, "label_en": b.label_en, "colour": b.colour,
                })
            })
            .collect();
        serde_json::Value::Array(v).to_string()
    }

    pub fn from_json(text: &str) -> Result<RatingBands, BandError> {
        #[derive(Deserialize)]
        struct Raw {
            min: Option<f64>,
            label_id: String,
            label_en: String,
            colour: String,
        }
        let raw: Vec<Raw> = serde_json::from_str(text).map_err(|_| BandError::Empty)?;
        RatingBands {
            bands: raw
                .into_iter()
                .map(|r| Band {
                    min: r.min.unwrap_or(f64::NEG_INFINITY),
                    label_id: r.label_id,
                    label_en: r.label_en,
                    colour: r.colour,
                })
                .collect(),
        }
        .validate()
    }
}

/// A version's life: drafted, published (frozen), superseded by an amendment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    Published,
    Superseded,
}

impl VersionStatus {
    pub fn key(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Published => "published",
            VersionStatus::Superseded => "superseded",
        }
    }

    pub fn from_key(s: &str) -> Option<VersionStatus> {
        [
            VersionStatus::Draft,
            VersionStatus::Published,
            VersionStatus::Superseded,
        ]
        .into_iter()
        .find(|v| v.key() == s)
    }

    /// Only a draft's content may change; a published text is the agreed document.
    pub fn check_editable(self) -> Result<(), StrategyRuleError> {
        match self {
            VersionStatus::Draft => Ok(()),
            _ => Err(StrategyRuleError::Frozen),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StrategyRuleError {
    #[error(
        "versi strategi ini sudah diterbitkan dan dibekukan; buat amandemen (versi baru) untuk mengubahnya"
    )]
    Frozen,
    #[error(
        "periode {0} sudah dikunci; buka kunci dulu (tercatat di log audit) untuk mengubah realisasinya"
    )]
    Locked(String),
}

/// A closed quarter can't be edited: `locked` is whether a lock row exists for the period.
pub fn check_unlocked(period: &str, locked: bool) -> Result<(), StrategyRuleError> {
    if locked {
        Err(StrategyRuleError::Locked(period.to_string()))
    } else {
        Ok(())
    }
}

/// How two values compare in a validation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompareOp {
    Le,
    Lt,
    Ge,
    Gt,
    Eq,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Le => "<=",
            CompareOp::Lt => "<",
            CompareOp::Ge => ">=",
            CompareOp::Gt => ">",
            CompareOp::Eq => "=",
        }
    }

    pub fn parse(s: &str) -> Option<CompareOp> {
        match s.trim() {
            "<=" | "≤" => Some(CompareOp::Le),
            "<" => Some(CompareOp::Lt),
            ">=" | "≥" => Some(CompareOp::Ge),
            ">" => Some(CompareOp::Gt),
            "=" | "==" => Some(CompareOp::Eq),
            _ => None,
        }
    }

    pub fn holds(self, l: f64, r: f64) -> bool {
        match self {
            CompareOp::Le => l <= r,
            CompareOp::Lt => l < r,
            CompareOp::Ge => l >= r,
            CompareOp::Gt => l > r,
            CompareOp::Eq => (l - r).abs() <= 1e-9 * l.abs().max(r.abs()).max(1.0),
        }
    }
}

/// A validation rule over realisation values of the same region and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RuleCheck {
    /// The value lies within [min, max] (either end optional).
    Range { min: Option<f64>, max: Option<f64> },
    /// `left op right`, e.g. Desil I families ≤ all families.
    Compare { op: CompareOp, right: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationRule {
    pub id: i64,
    pub name: String,
    /// Indicator code the rule is about.
    pub left: String,
    pub check: RuleCheck,
}

impl ValidationRule {
    /// The rule in words, e.g. "IK1.4 <= IK1.3" or "IK1.1 dalam 0 … 100".
    pub fn expression(&self) -> String {
        match &self.check {
            RuleCheck::Range { min, max } => format!(
                "{} ∈ [{} … {}]",
                self.left,
                min.map_or("−∞".into(), |v| v.to_string()),
                max.map_or("+∞".into(), |v| v.to_string())
            ),
            RuleCheck::Compare { op, right } => format!("{} {} {right}", self.left, op.symbol()),
        }
    }
}

/// A value keyed by (indicator code, region, period).
pub type ValueKey = (String, String, String);

/// One broken rule for one region and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    pub rule_id: i64,
    pub rule: String,
    pub expression: String,
    pub region: String,
    pub period: String,
    pub left: f64,
    pub right: Option<f64>,
}

/// Evaluates every rule where its operands have values; a missing operand is not a violation
/// (completeness is a separate question). Sorted by period, region, rule.
pub fn evaluate_rules(rules: &[ValidationRule], values: &HashMap<ValueKey, f64>) -> Vec<Violation> {
    let mut out = Vec::new();
    for ((code, region, period), &left) in values {
        for rule in rules.iter().filter(|r| &r.left == code) {
            let (ok, right) = match &rule.check {
                RuleCheck::Range { min, max } => (
                    min.is_none_or(|m| left >= m) && max.is_none_or(|m| left <= m),
                    None,
                ),
                RuleCheck::Compare { op, right } => {
                    match values.get(&(right.clone(), region.clone(), period.clone())) {
                        Some(&r) => (op.holds(left, r), Some(r)),
                        None => continue,
                    }
                }
            };
            if !ok {
                out.push(Violation {
                    rule_id: rule.id,
                    rule: rule.name.clone(),
                    expression: rule.expression(),
                    region: region.clone(),
                    period: period.clone(),
                    left,
                    right,
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.period, &a.region, a.rule_id).cmp(&(&b.period, &b.region, b.rule_id)));
    out
}

/// Disaggregations an indicator may ask for (Satu Data Gender dan Anak).
pub const DISAGGREGATIONS: [&str; 3] = ["jenis_kelamin", "kelompok_umur", "disabilitas"];

/// Allowed values per disaggregation.
pub fn disaggregation_values(dimension: &str) -> &'static [&'static str] {
    match dimension {
        "jenis_kelamin" => &["laki_laki", "perempuan"],
        "kelompok_umur" => &["0_17", "18_59", "60_plus"],
        "disabilitas" => &["ya", "tidak"],
        _ => &[],
    }
}

/// The catalogue key naming a group (`jenis_kelamin=perempuan` → "perempuan").
pub fn group_label_key(dimension: &str, value: &str) -> &'static str {
    match (dimension, value) {
        ("jenis_kelamin", "laki_laki") => "strategy.group.laki_laki",
        ("jenis_kelamin", "perempuan") => "strategy.group.perempuan",
        ("kelompok_umur", "0_17") => "strategy.group.0_17",
        ("kelompok_umur", "18_59") => "strategy.group.18_59",
        ("kelompok_umur", "60_plus") => "strategy.group.60_plus",
        ("disabilitas", "ya") => "strategy.group.disabilitas_ya",
        ("disabilitas", "tidak") => "strategy.group.disabilitas_tidak",
        _ => "strategy.group.other",
    }
}

/// Checks a disaggregation key against what the indicator asks for: one group
/// (`jenis_kelamin=perempuan`) or a cell of the cross (`jenis_kelamin=perempuan;
/// kelompok_umur=0_17;disabilitas=ya`, parts joined by `;` or `&`); empty is the total.
/// The key comes back canonical: parts in [`DISAGGREGATIONS`] order, joined by `;`.
pub fn check_disaggregation(key: &str, asked: &[String]) -> Result<String, Msg> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(String::new());
    }
    let mut parts: Vec<(usize, String)> = Vec::new();
    for part in key
        .split([';', '&'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((dim, value)) = part.split_once('=') else {
            return Err(Msg::new("strategy.refuse.dis_form").arg("key", key));
        };
        let (dim, value) = (dim.trim(), value.trim());
        if !asked.iter().any(|a| a == dim) {
            return Err(if asked.is_empty() {
                Msg::new("strategy.refuse.dis_not_asked_none").arg("dim", dim)
            } else {
                Msg::new("strategy.refuse.dis_not_asked")
                    .arg("dim", dim)
                    .arg("asked", asked.join(", "))
            });
        }
        if !disaggregation_values(dim).contains(&value) {
            return Err(Msg::new("strategy.refuse.dis_value")
                .arg("value", value)
                .arg("dim", dim)
                .arg("values", disaggregation_values(dim).join(", ")));
        }
        let order = DISAGGREGATIONS
            .iter()
            .position(|d| *d == dim)
            .unwrap_or(DISAGGREGATIONS.len());
        if parts.iter().any(|(o, _)| *o == order) {
            return Err(Msg::new("strategy.refuse.dis_twice").arg("dim", dim));
        }
        parts.push((order, format!("{dim}={value}")));
    }
    if parts.is_empty() {
        return Err(Msg::new("strategy.refuse.dis_form").arg("key", key));
    }
    parts.sort();
    Ok(parts
        .into_iter()
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join(";"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn achievement_follows_the_direction() {
        assert!(close(
            achievement(Direction::Higher, 80.0, 100.0, None),
            80.0
        ));
        // Child marriage: target 13 %, actual 14.96 % → 84.9 %.
        let a = achievement(Direction::Lower, 14.96, 13.0, Some(14.96)).unwrap();
        assert!((a - 84.923_076_923).abs() < 1e-6, "{a}");
        // Doing better than a lower-is-better target scores above 100 (stored uncapped).
        assert!(close(achievement(Direction::Lower, 6.5, 13.0, None), 150.0));
        assert!(close(
            achievement(Direction::Lower, 13.0, 13.0, None),
            100.0
        ));
        assert_eq!(display_capped(150.0), 100.0);
        assert_eq!(display_capped(-20.0), 0.0);
    }

    #[test]
    fn zero_target_uses_the_baseline_not_a_division_by_zero() {
        assert!(close(achievement(Direction::Lower, 0.0, 0.0, None), 100.0));
        assert!(close(
            achievement(Direction::Lower, 1.0, 0.0, Some(4.0)),
            75.0
        ));
        assert_eq!(achievement(Direction::Lower, 1.0, 0.0, None), None);
        assert_eq!(achievement(Direction::Lower, 1.0, 0.0, Some(0.0)), None);
        assert!(close(achievement(Direction::Higher, 3.0, 0.0, None), 100.0));
        assert_eq!(achievement(Direction::Higher, f64::NAN, 1.0, None), None);
    }

    #[test]
    fn bands_rate_at_their_edges() {
        let five = RatingBands::five();
        assert_eq!(five.rate(100.0).0, 0);
        assert_eq!(five.rate(91.0).0, 0);
        assert_eq!(five.rate(90.99).0, 1);
        assert_eq!(five.rate(76.0).0, 1);
        assert_eq!(five.rate(65.0).0, 3);
        assert_eq!(five.rate(50.0).1.label_id, "Sangat Rendah");
        assert_eq!(five.rate(0.0).0, 4);
        let four = RatingBands::four();
        assert_eq!(four.rate(86.0).1.label_id, "Baik");
        assert_eq!(four.rate(55.0).1.label_id, "Sangat Kurang");
    }

    #[test]
    fn bands_round_trip_and_refuse_bad_settings() {
        let five = RatingBands::five();
        assert_eq!(RatingBands::from_json(&five.to_json()).unwrap(), five);
        let mut bad = RatingBands::five();
        bad.bands[1].colour = "hijau".into();
        assert_eq!(bad.validate(), Err(BandError::Colour("hijau".into())));
        let mut bad = RatingBands::five();
        bad.bands.swap(0, 1);
        assert_eq!(bad.validate(), Err(BandError::Order));
        assert_eq!(
            RatingBands { bands: vec![] }.validate(),
            Err(BandError::Empty)
        );
    }

    #[test]
    fn published_versions_are_frozen_and_locked_periods_refuse() {
        assert!(VersionStatus::Draft.check_editable().is_ok());
        assert_eq!(
            VersionStatus::Published.check_editable(),
            Err(StrategyRuleError::Frozen)
        );
        assert!(VersionStatus::Superseded.check_editable().is_err());
        assert!(check_unlocked("2025-Q1", false).is_ok());
        let e = check_unlocked("2025-Q1", true).unwrap_err();
        assert!(e.to_string().contains("2025-Q1"));
    }

    #[test]
    fn rules_find_violations_per_region_and_period() {
        let rules = vec![
            ValidationRule {
                id: 1,
                name: "Desil I terjangkau ≤ Desil I".into(),
                left: "IK1.4".into(),
                check: RuleCheck::Compare {
                    op: CompareOp::Le,
                    right: "IK1.3".into(),
                },
            },
            ValidationRule {
                id: 2,
                name: "persen".into(),
                left: "IK1.1".into(),
                check: RuleCheck::Range {
                    min: Some(0.0),
                    max: Some(100.0),
                },
            },
        ];
        let k = |c: &str, r: &str| (c.to_string(), r.to_string(), "2025-Q1".to_string());
        let values: HashMap<ValueKey, f64> = [
            (k("IK1.4", "52.01"), 900.0),
            (k("IK1.3", "52.01"), 800.0),
            (k("IK1.4", "52.02"), 100.0),
            (k("IK1.3", "52.02"), 800.0),
            (k("IK1.4", "52.03"), 100.0), // no IK1.3: not judged
            (k("IK1.1", "52.01"), 112.0),
            (k("IK1.1", "52.02"), 12.0),
        ]
        .into_iter()
        .collect();
        let v = evaluate_rules(&rules, &values);
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!((v[0].rule_id, v[0].region.as_str()), (1, "52.01"));
        assert_eq!(v[0].right, Some(800.0));
        assert_eq!((v[1].rule_id, v[1].region.as_str()), (2, "52.01"));
        assert_eq!(rules[0].expression(), "IK1.4 <= IK1.3");
    }

    #[test]
    fn breakdowns_show_each_group_and_the_gap() {
        let asked = vec!["jenis_kelamin".to_string(), "disabilitas".to_string()];
        let b = cross(
            &asked,
            false,
            [
                ("jenis_kelamin=perempuan", 40.0),
                ("jenis_kelamin=laki_laki", 55.5),
                ("disabilitas=ya", 12.0),
                ("", 99.0),
            ],
        )
        .margins;
        assert_eq!(b.len(), 2);
        assert_eq!(
            b[0].groups,
            vec![("laki_laki", Some(55.5)), ("perempuan", Some(40.0))]
        );
        assert!(close(b[0].gap, 15.5));
        assert_eq!(b[1].groups, vec![("ya", Some(12.0)), ("tidak", None)]);
        assert_eq!(b[1].gap, None, "one group alone has no gap");
    }

    #[test]
    fn disaggregations_are_checked_against_the_indicator() {
        let asked = vec!["jenis_kelamin".to_string()];
        assert_eq!(check_disaggregation("", &asked).unwrap(), "");
        assert_eq!(
            check_disaggregation(" jenis_kelamin = perempuan ", &asked).unwrap(),
            "jenis_kelamin=perempuan"
        );
        assert!(check_disaggregation("disabilitas=ya", &asked).is_err());
        assert!(check_disaggregation("jenis_kelamin=x", &asked).is_err());
        assert!(check_disaggregation("perempuan", &asked).is_err());
        let all: Vec<String> = DISAGGREGATIONS.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            check_disaggregation(
                "disabilitas=ya; jenis_kelamin=perempuan&kelompok_umur=0_17",
                &all
            )
            .unwrap(),
            "jenis_kelamin=perempuan;kelompok_umur=0_17;disabilitas=ya"
        );
        assert!(
            check_disaggregation("jenis_kelamin=perempuan;jenis_kelamin=laki_laki", &all).is_err()
        );
        assert!(check_disaggregation("jenis_kelamin=perempuan;disabilitas=ya", &asked).is_err());
        assert!(check_disaggregation(";", &asked).is_err());
        assert_eq!(Direction::parse("Turun"), Some(Direction::Lower));
        assert_eq!(CompareOp::parse("≤"), Some(CompareOp::Le));
    }
}
