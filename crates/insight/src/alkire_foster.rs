//! Alkire–Foster multidimensional poverty count per desa, from person- or family-level
//! figures: each unit is deprived in an indicator when its value is on the wrong side of the
//! cut-off; its weighted deprivation score decides whether it is poor (score ≥ k). Per desa:
//! H (headcount ratio), A (intensity among the poor), M0 = H × A, and each indicator's
//! contribution to M0. Cut-offs, weights and k are data (part of the method version).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deprived {
    /// Deprived when the value is below the cut-off (e.g. years of schooling).
    Below,
    /// Deprived when the value is above the cut-off (e.g. people per room).
    Above,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deprivation {
    pub key: String,
    pub cutoff: f64,
    pub deprived: Deprived,
    /// Weights of all indicators sum to 1 (rescaled if they don't).
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfMethod {
    pub indicators: Vec<Deprivation>,
    /// The poverty cut-off k, as a share of the weights (e.g. 1/3).
    pub poverty_cutoff: f64,
}

/// Units (persons or families) as columns: `desa[u]` is the unit's desa (an index into the
/// caller's desa list), `values[i][u]` its figure for indicator `i`.
pub struct Units<'a> {
    pub desa: &'a [u32],
    pub values: &'a [Vec<Option<f64>>],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfDesa {
    /// Units with every figure present (the others are left out, and counted in `dropped`).
    pub units: u64,
    pub dropped: u64,
    pub poor: u64,
    /// Headcount ratio H = poor / units.
    pub h: f64,
    /// Intensity A = mean deprivation score of the poor.
    pub a: f64,
    /// Adjusted headcount ratio M0 = H × A.
    pub m0: f64,
    /// Per indicator: share of M0 (sums to 1 when M0 > 0).
    pub contributions: Vec<f64>,
    /// Per indicator: censored headcount ratio (poor and deprived in it / units).
    pub censored_headcount: Vec<f64>,
}

/// The count for `desa_count` desa. Units of a desa outside that range are ignored.
pub fn alkire_foster(method: &AfMethod, units: &Units<'_>, desa_count: usize) -> Vec<AfDesa> {
    let k = method.indicators.len();
    let total_w: f64 = method.indicators.iter().map(|d| d.weight).sum();
    let weights: Vec<f64> = method
        .indicators
        .iter()
        .map(|d| {
            if total_w > 0.0 {
                d.weight / total_w
            } else {
                0.0
            }
        })
        .collect();
    #[derive(Clone)]
    struct Acc {
        units: u64,
        dropped: u64,
        poor: u64,
        score_poor: f64,
        censored: Vec<u64>,
    }
    let mut acc = vec![
        Acc {
            units: 0,
            dropped: 0,
            poor: 0,
            score_poor: 0.0,
            censored: vec![0; k],
        };
        desa_count
    ];
    let mut deprived = vec![false; k];
    'unit: for (u, &d) in units.desa.iter().enumerate() {
        let Some(a) = acc.get_mut(d as usize) else {
            continue;
        };
        let mut score = 0.0;
        for (i, spec) in method.indicators.iter().enumerate() {
            let Some(v) = units
                .values
                .get(i)
                .and_then(|c| c.get(u))
                .copied()
                .flatten()
            else {
                a.dropped += 1;
                continue 'unit;
            };
            deprived[i] = match spec.deprived {
                Deprived::Below => v < spec.cutoff,
                Deprived::Above => v > spec.cutoff,
            };
            if deprived[i] {
                score += weights[i];
            }
        }
        a.units += 1;
        // A small tolerance so that k = 1/3 with three weights of 1/3 counts as reached.
        if score > 0.0 && score + 1e-9 >= method.poverty_cutoff {
            a.poor += 1;
            a.score_poor += score;
            for (c, &dep) in a.censored.iter_mut().zip(&deprived) {
                if dep {
                    *c += 1;
                }
            }
        }
    }
    acc.into_iter()
        .map(|a| {
            let n = a.units as f64;
            let h = if a.units > 0 { a.poor as f64 / n } else { 0.0 };
            let intensity = if a.poor > 0 {
                a.score_poor / a.poor as f64
            } else {
                0.0
            };
            let m0 = h * intensity;
            let censored_headcount: Vec<f64> = a
                .censored
                .iter()
                .map(|&c| if a.units > 0 { c as f64 / n } else { 0.0 })
                .collect();
            let contributions = censored_headcount
                .iter()
                .zip(&weights)
                .map(|(h_j, w)| if m0 > 0.0 { w * h_j / m0 } else { 0.0 })
                .collect();
            AfDesa {
                units: a.units,
                dropped: a.dropped,
                poor: a.poor,
                h,
                a: intensity,
                m0,
                contributions,
                censored_headcount,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn counts_by_hand() {
        // Three indicators, weights ½, ¼, ¼; poor when the score reaches ½.
        let method = AfMethod {
            indicators: vec![
                Deprivation {
                    key: "school_years".into(),
                    cutoff: 6.0,
                    deprived: Deprived::Below,
                    weight: 2.0,
                },
                Deprivation {
                    key: "per_room".into(),
                    cutoff: 3.0,
                    deprived: Deprived::Above,
                    weight: 1.0,
                },
                Deprivation {
                    key: "clean_water".into(),
                    cutoff: 1.0,
                    deprived: Deprived::Below,
                    weight: 1.0,
                },
            ],
            poverty_cutoff: 0.5,
        };
        // Desa 0, four units:
        //  u0 school 3 (dep ½), room 4 (dep ¼), water 0 (dep ¼) → 1.0, poor
        //  u1 school 9,          room 4 (dep ¼), water 0 (dep ¼) → 0.5, poor
        //  u2 school 9,          room 1,         water 0 (dep ¼) → 0.25, not poor
        //  u3 school 3 (dep ½),  room 1,         water 1         → 0.5, poor
        // Desa 1: one unit with a missing figure (dropped), one not deprived.
        let desa = [0, 0, 0, 0, 1, 1];
        let values = vec![
            vec![Some(3.0), Some(9.0), Some(9.0), Some(3.0), None, Some(9.0)],
            vec![
                Some(4.0),
                Some(4.0),
                Some(1.0),
                Some(1.0),
                Some(9.0),
                Some(1.0),
            ],
            vec![
                Some(0.0),
                Some(0.0),
                Some(0.0),
                Some(1.0),
                Some(0.0),
                Some(1.0),
            ],
        ];
        let out = alkire_foster(
            &method,
            &Units {
                desa: &desa,
                values: &values,
            },
            2,
        );
        let d = &out[0];
        assert_eq!((d.units, d.poor, d.dropped), (4, 3, 0));
        close(d.h, 0.75);
        close(d.a, (1.0 + 0.5 + 0.5) / 3.0);
        close(d.m0, 0.5);
        // Censored headcounts: school 2/4, room 2/4, water 2/4 (u2 is not poor).
        assert_eq!(d.censored_headcount, vec![0.5, 0.5, 0.5]);
        // Contributions: ½·½/0.5 = 0.5, ¼·½/0.5 = 0.25, 0.25.
        close(d.contributions[0], 0.5);
        close(d.contributions[1], 0.25);
        close(d.contributions[2], 0.25);
        close(d.contributions.iter().sum(), 1.0);
        let e = &out[1];
        assert_eq!((e.units, e.poor, e.dropped), (1, 0, 1));
        assert_eq!(e.m0, 0.0);
    }
}
