//! The data-quality scorecard (*mutu data*): per region (kab/kota, kecamatan or partner), the
//! families of checks DHIS2's data-quality tools and the WHO Data Quality Review use —
//! completeness, timeliness, internal consistency (outliers, change over time), identity
//! quality of beneficiary lists and consistency with reference figures. The store hands over
//! counts and value series; everything here is pure. Thresholds are per deployment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Modified z-score (Iglewicz & Hoaglin): 0.6745 · (x − median) / MAD. `None` for every value
/// when the MAD is zero (more than half the values equal: no spread to judge against).
pub fn modified_z_scores(values: &[f64]) -> Vec<Option<f64>> {
    let med = median(values);
    let deviations: Vec<f64> = values.iter().map(|v| (v - med).abs()).collect();
    let mad = median(&deviations);
    values
        .iter()
        .map(|v| (mad > 0.0).then(|| 0.6745 * (v - med) / mad))
        .collect()
}

/// (x − mean) / SD (sample SD); `None` without spread.
pub fn z_scores(values: &[f64]) -> Vec<Option<f64>> {
    let n = values.len() as f64;
    if values.len() < 2 {
        return vec![None; values.len()];
    }
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    values
        .iter()
        .map(|v| (sd > 0.0).then(|| (v - mean) / sd))
        .collect()
}

fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// How outliers are found in a series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "limit")]
pub enum OutlierRule {
    /// |modified z| above the limit (3.5 by default).
    ModifiedZ(f64),
    /// |x − mean| above this many SDs (2 or 3).
    StandardDeviations(f64),
}

impl OutlierRule {
    /// Indices of the outlying values.
    pub fn outliers(&self, values: &[f64]) -> Vec<usize> {
        let (scores, limit) = match *self {
            OutlierRule::ModifiedZ(limit) => (modified_z_scores(values), limit),
            OutlierRule::StandardDeviations(limit) => (z_scores(values), limit),
        };
        scores
            .iter()
            .enumerate()
            .filter(|(_, z)| z.is_some_and(|z| z.abs() > limit))
            .map(|(i, _)| i)
            .collect()
    }
}

/// The change of the latest value against the mean of the earlier ones, as a fraction
/// (0.5 = 50 % higher). `None` with no earlier values or an earlier mean of zero.
pub fn change_against_earlier(series: &[f64]) -> Option<f64> {
    let (latest, earlier) = series.split_last()?;
    if earlier.is_empty() {
        return None;
    }
    let mean = earlier.iter().sum::<f64>() / earlier.len() as f64;
    (mean != 0.0).then(|| (latest - mean) / mean.abs())
}

/// Every check of the scorecard, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    RealisationComplete,
    RealisationOnTime,
    LksReportsComplete,
    LksReportsOnTime,
    RequiredFieldsFilled,
    Outliers,
    ChangeOverTime,
    NikRefused,
    NikWarned,
    Duplicates,
    ReferenceAgreement,
}

impl Check {
    pub const ALL: [Check; 11] = [
        Check::RealisationComplete,
        Check::RealisationOnTime,
        Check::LksReportsComplete,
        Check::LksReportsOnTime,
        Check::RequiredFieldsFilled,
        Check::Outliers,
        Check::ChangeOverTime,
        Check::NikRefused,
        Check::NikWarned,
        Check::Duplicates,
        Check::ReferenceAgreement,
    ];

    /// The stable key (stored with follow-up marks; catalogue key `priority.check.<key>`).
    pub fn key(self) -> &'static str {
        match self {
            Check::RealisationComplete => "realisation_complete",
            Check::RealisationOnTime => "realisation_on_time",
            Check::LksReportsComplete => "lks_reports_complete",
            Check::LksReportsOnTime => "lks_reports_on_time",
            Check::RequiredFieldsFilled => "required_fields_filled",
            Check::Outliers => "outliers",
            Check::ChangeOverTime => "change_over_time",
            Check::NikRefused => "nik_refused",
            Check::NikWarned => "nik_warned",
            Check::Duplicates => "duplicates",
            Check::ReferenceAgreement => "reference_agreement",
        }
    }

    pub fn from_key(key: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Completeness-like checks are good when high; problem shares are good when low.
    pub fn higher_is_better(self) -> bool {
        matches!(
            self,
            Check::RealisationComplete
                | Check::RealisationOnTime
                | Check::LksReportsComplete
                | Check::LksReportsOnTime
                | Check::RequiredFieldsFilled
                | Check::ReferenceAgreement
        )
    }
}

/// Pass and warn levels for one check, as shares 0–1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub pass: f64,
    pub warn: f64,
}

/// The deployment's rules. Defaults follow the WHO Data Quality Review (completeness and
/// timeliness ≥ 90 %, change over time ±33 %, reference figures within ±10 %).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityRules {
    pub thresholds: BTreeMap<Check, Threshold>,
    pub outlier: OutlierRule,
    /// Flag a series whose latest value differs from the mean of earlier ones by more.
    pub change_limit: f64,
    /// Flag a platform count differing from its reference figure by more (fraction).
    pub reference_limit: f64,
}

impl Default for QualityRules {
    fn default() -> Self {
        let t = |pass, warn| Threshold { pass, warn };
        let thresholds = Check::ALL
            .into_iter()
            .map(|c| {
                let th = match c {
                    Check::RealisationComplete
                    | Check::LksReportsComplete
                    | Check::RequiredFieldsFilled => t(0.9, 0.75),
                    Check::RealisationOnTime | Check::LksReportsOnTime => t(0.8, 0.6),
                    Check::ReferenceAgreement => t(0.9, 0.7),
                    Check::Outliers | Check::NikRefused | Check::Duplicates => t(0.02, 0.05),
                    Check::ChangeOverTime => t(0.1, 0.25),
                    Check::NikWarned => t(0.05, 0.1),
                };
                (c, th)
            })
            .collect();
        QualityRules {
            thresholds,
            outlier: OutlierRule::ModifiedZ(3.5),
            change_limit: 0.33,
            reference_limit: 0.1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Pass,
    Warn,
    Fail,
    /// Nothing was due or held: the check does not apply.
    NoData,
}

impl Grade {
    pub fn of(check: Check, value: Option<f64>, t: &Threshold) -> Grade {
        let Some(v) = value else {
            return Grade::NoData;
        };
        if check.higher_is_better() {
            if v >= t.pass {
                Grade::Pass
            } else if v >= t.warn {
                Grade::Warn
            } else {
                Grade::Fail
            }
        } else if v <= t.pass {
            Grade::Pass
        } else if v <= t.warn {
            Grade::Warn
        } else {
            Grade::Fail
        }
    }
}

/// Counts per region the store gathers (all for the chosen periods).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionCounts {
    pub realisation_expected: u64,
    pub realisation_entered: u64,
    pub realisation_on_time: u64,
    pub lks_reports_due: u64,
    pub lks_reports_received: u64,
    pub lks_reports_on_time: u64,
    pub list_rows: u64,
    pub list_rows_complete: u64,
    /// Rows read by the imports (stored and refused): what NIK refusals are a share of.
    pub list_rows_read: u64,
    pub nik_refused: u64,
    pub nik_warned: u64,
    pub duplicates: u64,
}

/// One indicator's values for one region, oldest period first.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub region: usize,
    pub indicator: String,
    pub periods: Vec<String>,
    pub values: Vec<f64>,
}

/// A platform count and the reference figure for the same thing (e.g. DTSEN Desil I).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferencePair {
    pub region: usize,
    pub what: String,
    pub platform: f64,
    pub reference: f64,
}

/// A value that made a check fail: what the drill-down lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offender {
    pub indicator: String,
    pub period: Option<String>,
    pub value: f64,
    /// The z-score, the change fraction or the reference figure, by check.
    pub against: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub value: Option<f64>,
    pub grade: Grade,
    pub offenders: Vec<Offender>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// `cells[region][check]` in `Check::ALL` order.
    pub cells: Vec<Vec<Cell>>,
    /// Per check: share of the regions where it applies that fail it.
    pub failing_share: Vec<Option<f64>>,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The scorecard for `counts.len()` regions.
pub fn scorecard(
    rules: &QualityRules,
    counts: &[RegionCounts],
    series: &[Series],
    references: &[ReferencePair],
) -> Scorecard {
    let n = counts.len();
    // Outliers and change over time, per region: (values judged, flagged, offenders).
    let mut outliers = vec![(0u64, Vec::new()); n];
    let mut changes = vec![(0u64, Vec::new()); n];
    for s in series.iter().filter(|s| s.region < n) {
        let o = &mut outliers[s.region];
        o.0 += s.values.len() as u64;
        let scores = match rules.outlier {
            OutlierRule::ModifiedZ(_) => modified_z_scores(&s.values),
            OutlierRule::StandardDeviations(_) => z_scores(&s.values),
        };
        for i in rules.outlier.outliers(&s.values) {
            o.1.push(Offender {
                indicator: s.indicator.clone(),
                period: s.periods.get(i).cloned(),
                value: s.values[i],
                against: scores[i].unwrap_or(f64::NAN),
            });
        }
        if let Some(change) = change_against_earlier(&s.values) {
            let c = &mut changes[s.region];
            c.0 += 1;
            if change.abs() > rules.change_limit {
                c.1.push(Offender {
                    indicator: s.indicator.clone(),
                    period: s.periods.last().cloned(),
                    value: *s.values.last().unwrap_or(&f64::NAN),
                    against: change,
                });
            }
        }
    }
    let mut refs = vec![(0u64, Vec::new()); n];
    for p in references
        .iter()
        .filter(|p| p.region < n && p.reference > 0.0)
    {
        let r = &mut refs[p.region];
        r.0 += 1;
        if ((p.platform - p.reference) / p.reference).abs() > rules.reference_limit {
            r.1.push(Offender {
                indicator: p.what.clone(),
                period: None,
                value: p.platform,
                against: p.reference,
            });
        }
    }

    let cells: Vec<Vec<Cell>> = (0..n)
        .map(|r| {
            let c = &counts[r];
            Check::ALL
                .into_iter()
                .map(|check| {
                    let (value, offenders) = match check {
                        Check::RealisationComplete => {
                            (ratio(c.realisation_entered, c.realisation_expected), vec![])
                        }
                        Check::RealisationOnTime => {
                            (ratio(c.realisation_on_time, c.realisation_expected), vec![])
                        }
                        Check::LksReportsComplete => {
                            (ratio(c.lks_reports_received, c.lks_reports_due), vec![])
                        }
                        Check::LksReportsOnTime => {
                            (ratio(c.lks_reports_on_time, c.lks_reports_due), vec![])
                        }
                        Check::RequiredFieldsFilled => {
                            (ratio(c.list_rows_complete, c.list_rows), vec![])
                        }
                        Check::NikRefused => (ratio(c.nik_refused, c.list_rows_read), vec![]),
                        Check::NikWarned => (ratio(c.nik_warned, c.list_rows), vec![]),
                        Check::Duplicates => (ratio(c.duplicates, c.list_rows), vec![]),
                        Check::Outliers => {
                            let (judged, off) = std::mem::take(&mut outliers[r]);
                            (ratio(off.len() as u64, judged), off)
                        }
                        Check::ChangeOverTime => {
                            let (judged, off) = std::mem::take(&mut changes[r]);
                            (ratio(off.len() as u64, judged), off)
                        }
                        Check::ReferenceAgreement => {
                            let (judged, off) = std::mem::take(&mut refs[r]);
                            (ratio(judged - off.len() as u64, judged), off)
                        }
                    };
                    let t = rules.thresholds.get(&check).copied().unwrap_or(Threshold {
                        pass: 0.0,
                        warn: 0.0,
                    });
                    Cell {
                        value,
                        grade: Grade::of(check, value, &t),
                        offenders,
                    }
                })
                .collect()
        })
        .collect();
    let failing_share = (0..Check::ALL.len())
        .map(|i| {
            let applies = cells.iter().filter(|row| row[i].grade != Grade::NoData);
            let (total, failing) = applies.fold((0u64, 0u64), |(t, f), row| {
                (t + 1, f + u64::from(row[i].grade == Grade::Fail))
            });
            ratio(failing, total)
        })
        .collect();
    Scorecard {
        cells,
        failing_share,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_z_by_hand() {
        // median 3, |deviations| 2,1,0,1,97 → MAD 1; 100 → 0.6745 × 97 = 65.4265.
        let z = modified_z_scores(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        assert!((z[4].unwrap() - 65.4265).abs() < 1e-9);
        assert!((z[0].unwrap() + 1.349).abs() < 1e-9);
        assert_eq!(
            OutlierRule::ModifiedZ(3.5).outliers(&[1.0, 2.0, 3.0, 4.0, 100.0]),
            vec![4]
        );
        // No spread: nothing can be judged.
        assert_eq!(modified_z_scores(&[5.0, 5.0, 5.0, 9.0]), vec![None; 4]);
    }

    #[test]
    fn sd_rule_by_hand() {
        // Mean 5, squared deviations sum to 32, sample SD √(32/7) = 2.138; 9 → z 1.87.
        let v = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let z = z_scores(&v);
        assert!((z[7].unwrap() - 4.0 / (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!(OutlierRule::StandardDeviations(2.0).outliers(&v).is_empty());
        assert_eq!(OutlierRule::StandardDeviations(1.5).outliers(&v), vec![7]);
    }

    #[test]
    fn change_against_the_earlier_mean() {
        assert_eq!(change_against_earlier(&[10.0, 30.0, 40.0]), Some(1.0));
        assert_eq!(change_against_earlier(&[40.0]), None);
        assert_eq!(change_against_earlier(&[0.0, 5.0]), None);
    }

    #[test]
    fn grades_follow_the_direction_of_each_check() {
        let t = Threshold {
            pass: 0.9,
            warn: 0.75,
        };
        assert_eq!(
            Grade::of(Check::RealisationComplete, Some(0.95), &t),
            Grade::Pass
        );
        assert_eq!(
            Grade::of(Check::RealisationComplete, Some(0.8), &t),
            Grade::Warn
        );
        assert_eq!(
            Grade::of(Check::RealisationComplete, Some(0.5), &t),
            Grade::Fail
        );
        assert_eq!(
            Grade::of(Check::RealisationComplete, None, &t),
            Grade::NoData
        );
        let low = Threshold {
            pass: 0.02,
            warn: 0.05,
        };
        assert_eq!(Grade::of(Check::NikRefused, Some(0.01), &low), Grade::Pass);
        assert_eq!(Grade::of(Check::NikRefused, Some(0.04), &low), Grade::Warn);
        assert_eq!(Grade::of(Check::NikRefused, Some(0.5), &low), Grade::Fail);
        for c in Check::ALL {
            assert_eq!(Check::from_key(c.key()), Some(c));
        }
    }

    #[test]
    fn scorecard_by_hand() {
        let rules = QualityRules::default();
        let counts = vec![
            RegionCounts {
                realisation_expected: 10,
                realisation_entered: 10,
                realisation_on_time: 7,
                list_rows: 100,
                list_rows_complete: 80,
                list_rows_read: 100,
                nik_refused: 1,
                nik_warned: 20,
                ..RegionCounts::default()
            },
            RegionCounts {
                realisation_expected: 10,
                realisation_entered: 5,
                realisation_on_time: 5,
                ..RegionCounts::default()
            },
        ];
        let series = vec![Series {
            region: 0,
            indicator: "PPKS".into(),
            periods: ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2027-Q1"]
                .map(String::from)
                .to_vec(),
            values: vec![1.0, 2.0, 3.0, 4.0, 100.0],
        }];
        let references = vec![
            ReferencePair {
                region: 1,
                what: "desil1".into(),
                platform: 120.0,
                reference: 100.0,
            },
            ReferencePair {
                region: 1,
                what: "population".into(),
                platform: 1005.0,
                reference: 1000.0,
            },
        ];
        let s = scorecard(&rules, &counts, &series, &references);
        let cell =
            |r: usize, c: Check| &s.cells[r][Check::ALL.iter().position(|x| *x == c).unwrap()];
        assert_eq!(cell(0, Check::RealisationComplete).grade, Grade::Pass);
        assert_eq!(cell(0, Check::RealisationOnTime).grade, Grade::Warn); // 0.7
        assert_eq!(cell(0, Check::RequiredFieldsFilled).grade, Grade::Warn); // 0.8
        assert_eq!(cell(0, Check::NikRefused).grade, Grade::Pass); // 0.01
        assert_eq!(cell(0, Check::NikWarned).grade, Grade::Fail); // 0.2
        assert_eq!(cell(0, Check::LksReportsComplete).grade, Grade::NoData);
        let out = cell(0, Check::Outliers);
        assert_eq!(out.value, Some(0.2));
        assert_eq!(out.offenders.len(), 1);
        assert_eq!(out.offenders[0].period.as_deref(), Some("2027-Q1"));
        // 100 against the mean 2.5 of the earlier four: +3,900 %.
        let change = cell(0, Check::ChangeOverTime);
        assert_eq!(change.grade, Grade::Fail);
        assert!((change.offenders[0].against - 39.0).abs() < 1e-12);
        assert_eq!(cell(1, Check::RealisationComplete).grade, Grade::Fail);
        // One of two reference figures within ±10 %.
        let r = cell(1, Check::ReferenceAgreement);
        assert_eq!(r.value, Some(0.5));
        assert_eq!(r.offenders[0].indicator, "desil1");
        // Realisation completeness: one of two regions fails.
        assert_eq!(s.failing_share[0], Some(0.5));
        // LKS reports apply nowhere.
        assert_eq!(s.failing_share[2], None);
    }
}
