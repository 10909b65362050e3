//! The Fellegi–Sunter model: for each comparison level, m = P(level | same person) and
//! u = P(level | different people). u comes from random pairs (nearly all non-matches); m from
//! EM on the pairs of each training blocking rule, with the rule's own columns held fixed
//! (their agreement is forced by the blocking, so it says nothing there). Saved as JSON.

use std::collections::HashMap;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::LinkError;
use crate::blocking::pack;
use crate::features::{Prepared, Rows, gammas};
use crate::settings::Settings;
use sinergi_core::Msg;

const MODEL_VERSION: u32 = 1;
const EM_MAX_ITERATIONS: usize = 200;
const EM_TOLERANCE: f64 = 1e-7;
const FLOOR: f64 = 1e-9;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonModel {
    pub kolom: String,
    pub jenis: String,
    /// Level labels, best first; the last is "berbeda".
    pub tingkat: Vec<String>,
    pub m: Vec<f64>,
    pub u: Vec<f64>,
    /// Whether EM estimated m (otherwise m is the starting guess).
    pub dilatih: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub versi: u32,
    /// Prior probability that two random records are the same person, in the data it was
    /// estimated on; re-estimated on every run (it depends on the list size).
    pub lambda: f64,
    pub perbandingan: Vec<ComparisonModel>,
}

/// Level of comparison `k` in a packed gamma vector.
pub fn level_of(gamma: u64, k: usize) -> usize {
    ((gamma >> (4 * k)) & 0xf) as usize
}

fn initial_m(levels: usize) -> Vec<f64> {
    // Most matches agree exactly; the rest spread, thinning towards "different".
    let raw: Vec<f64> = (0..levels)
        .map(|l| if l == 0 { 8.0 } else { 0.5f64.powi(l as i32) })
        .collect();
    let sum: f64 = raw.iter().sum();
    raw.into_iter().map(|v| v / sum).collect()
}

/// u from random pairs. With few records all pairs are taken.
pub(crate) fn estimate_u(
    columns: &[Prepared],
    rows: &Rows,
    settings: &Settings,
    n: usize,
    split: usize,
) -> Vec<Vec<f64>> {
    let (left, right) = if split == n {
        (n, n)
    } else {
        (split, n - split)
    };
    let all_pairs = if split == n {
        (n as u64) * (n as u64 - 1) / 2
    } else {
        (left as u64) * (right as u64)
    };
    // Small lists need fewer pairs for the same precision of u; `sampel_u` is the ceiling.
    let wanted = settings.u_sample.min((20 * n).max(100_000));
    // Pairs packed as the blocking packs them and sorted, so that comparing them reads the
    // first records in order and prefetches the second (counts do not depend on order).
    let mut sample: Vec<u64> = if all_pairs <= wanted as u64 {
        let mut v = Vec::with_capacity(all_pairs as usize);
        for i in 0..split {
            let from = if split == n { i + 1 } else { split };
            for j in from..n {
                v.push(pack(i as u32, j as u32, 0));
            }
        }
        v
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
        (0..wanted)
            .map(|_| {
                loop {
                    let i = rng.random_range(0..split);
                    let j = if split == n {
                        rng.random_range(0..n)
                    } else {
                        rng.random_range(split..n)
                    };
                    if i != j {
                        break pack(i.min(j) as u32, i.max(j) as u32, 0);
                    }
                }
            })
            .collect()
    };
    sample.par_sort_unstable();
    let gammas = gammas(columns, rows, &sample);
    let levels: Vec<usize> = columns.iter().map(|c| c.spec.levels().len()).collect();
    let counts = gammas
        .par_iter()
        .fold(
            || levels.iter().map(|l| vec![0u64; l + 1]).collect::<Vec<_>>(),
            |mut acc, g| {
                for (k, a) in acc.iter_mut().enumerate() {
                    a[level_of(*g, k)] += 1;
                }
                acc
            },
        )
        .reduce(
            || levels.iter().map(|l| vec![0u64; l + 1]).collect::<Vec<_>>(),
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p += q;
                    }
                }
                a
            },
        );
    counts
        .into_iter()
        .map(|c| {
            let present: u64 = c[1..].iter().sum();
            // An agreement never seen among random pairs is rarer than one in the sample.
            let u: Vec<f64> = c[1..]
                .iter()
                .map(|v| (*v as f64).max(0.5) / present.max(1) as f64)
                .collect();
            let sum: f64 = u.iter().sum();
            u.into_iter().map(|v| v / sum).collect()
        })
        .collect()
}

/// EM over pattern counts: estimates λ and m for the `trained` comparisons, u held fixed.
fn em(patterns: &[(u64, f64)], m: &mut [Vec<f64>], u: &[Vec<f64>], trained: &[bool]) -> f64 {
    let mut lambda = 0.1;
    let total: f64 = patterns.iter().map(|p| p.1).sum();
    if total == 0.0 {
        return lambda;
    }
    for _ in 0..EM_MAX_ITERATIONS {
        let mut acc: Vec<Vec<f64>> = m.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut matches = 0.0;
        for (g, count) in patterns {
            let (mut pm, mut pu) = (lambda, 1.0 - lambda);
            for k in 0..m.len() {
                let l = level_of(*g, k);
                if l > 0 {
                    pm *= m[k][l - 1];
                    pu *= u[k][l - 1];
                }
            }
            let post = pm / (pm + pu);
            let w = post * count;
            matches += w;
            for k in 0..m.len() {
                let l = level_of(*g, k);
                if l > 0 && trained[k] {
                    acc[k][l - 1] += w;
                }
            }
        }
        let mut change: f64 = 0.0;
        for k in 0..m.len() {
            if !trained[k] {
                continue;
            }
            let sum: f64 = acc[k].iter().sum();
            if sum <= 0.0 {
                continue;
            }
            for l in 0..m[k].len() {
                let v = (acc[k][l] / sum).max(FLOOR);
                change = change.max((v - m[k][l]).abs());
                m[k][l] = v;
            }
        }
        let new_lambda = (matches / total).clamp(FLOOR, 1.0 - FLOOR);
        change = change.max((new_lambda - lambda).abs());
        lambda = new_lambda;
        if change < EM_TOLERANCE {
            break;
        }
    }
    lambda
}

/// How many pairs have each (gamma, rule bits): one pass serves every EM session and λ.
pub(crate) fn pattern_counts(pairs: &[u64], gammas: &[u64]) -> Vec<(u64, u8, f64)> {
    let map = pairs
        .par_iter()
        .zip(gammas.par_iter())
        .fold(
            FxHashMap::default,
            |mut acc: FxHashMap<(u64, u8), u64>, (p, g)| {
                *acc.entry((*g, *p as u8)).or_insert(0) += 1;
                acc
            },
        )
        .reduce(FxHashMap::default, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_insert(0) += v;
            }
            a
        });
    let mut v: Vec<(u64, u8, f64)> = map
        .into_iter()
        .map(|((g, r), c)| (g, r, c as f64))
        .collect();
    v.sort_unstable_by_key(|p| (p.0, p.1));
    v
}

/// Counts of the rule-`bit` pairs per gamma, with the held-out comparisons masked away.
fn session_counts(all: &[(u64, u8, f64)], bit: u8, mask: u64) -> Vec<(u64, f64)> {
    let mut map: HashMap<u64, f64> = HashMap::new();
    for (g, rules, c) in all {
        if rules & bit != 0 {
            *map.entry(g & mask).or_insert(0.0) += c;
        }
    }
    let mut v: Vec<(u64, f64)> = map.into_iter().collect();
    v.sort_unstable_by_key(|p| p.0);
    v
}

impl Model {
    /// Trains m by EM, one session per training rule, and averages the sessions.
    pub(crate) fn train(
        settings: &Settings,
        columns: &[Prepared],
        u: Vec<Vec<f64>>,
        counts: &[(u64, u8, f64)],
    ) -> Model {
        let k = columns.len();
        let init: Vec<Vec<f64>> = u.iter().map(|v| initial_m(v.len())).collect();
        let mut sums: Vec<Vec<f64>> = init.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut sessions = vec![0usize; k];
        for (r, rule) in settings.blocking.iter().enumerate() {
            if !rule.train {
                continue;
            }
            let fixed: Vec<usize> = rule
                .keys
                .iter()
                .filter_map(|key| settings.block_key(key).ok().map(|(c, _)| c))
                .collect();
            let trained: Vec<bool> = (0..k).map(|c| !fixed.contains(&c)).collect();
            let mask = (0..k)
                .filter(|c| trained[*c])
                .fold(0u64, |m, c| m | (0xf << (4 * c)));
            let patterns = session_counts(counts, 1u8 << r, mask);
            if patterns.is_empty() {
                continue;
            }
            let mut m = init.clone();
            em(&patterns, &mut m, &u, &trained);
            for c in 0..k {
                if trained[c] {
                    sessions[c] += 1;
                    for (s, v) in sums[c].iter_mut().zip(&m[c]) {
                        *s += v;
                    }
                }
            }
        }
        let perbandingan = columns
            .iter()
            .enumerate()
            .map(|(c, col)| ComparisonModel {
                kolom: col.spec.column.clone(),
                jenis: col.spec.kind.key().to_string(),
                tingkat: col.spec.levels(),
                m: if sessions[c] > 0 {
                    sums[c].iter().map(|s| s / sessions[c] as f64).collect()
                } else {
                    init[c].clone()
                },
                u: u[c].clone(),
                dilatih: sessions[c] > 0,
            })
            .collect();
        Model {
            versi: MODEL_VERSION,
            lambda: 0.0,
            perbandingan,
        }
    }

    /// λ such that the expected number of matches among the candidate pairs, divided by all
    /// possible pairs, gives λ back (blocking is assumed to reach nearly every match).
    pub(crate) fn estimate_lambda(&mut self, counts: &[(u64, u8, f64)], all_pairs: f64) {
        let factors: Vec<(f64, f64)> = counts
            .iter()
            .map(|(g, _, c)| {
                let bf: f64 = self
                    .perbandingan
                    .iter()
                    .enumerate()
                    .map(|(k, cm)| {
                        let l = level_of(*g, k);
                        if l == 0 {
                            1.0
                        } else {
                            cm.m[l - 1] / cm.u[l - 1]
                        }
                    })
                    .product();
                (bf, *c)
            })
            .collect();
        let mut lambda = 1.0 / all_pairs.max(2.0);
        for _ in 0..200 {
            let odds = lambda / (1.0 - lambda);
            let expected: f64 = factors
                .iter()
                .map(|(bf, c)| c * (odds * bf) / (1.0 + odds * bf))
                .sum();
            let new = (expected / all_pairs).clamp(1e-15, 0.5);
            if ((new - lambda) / lambda).abs() < 1e-9 {
                lambda = new;
                break;
            }
            lambda = new;
        }
        self.lambda = lambda;
    }

    /// log2 Bayes factor of each level of each comparison.
    pub fn weights(&self) -> Vec<Vec<f64>> {
        self.perbandingan
            .iter()
            .map(|c| {
                c.m.iter()
                    .zip(&c.u)
                    .map(|(m, u)| (m.max(FLOOR) / u.max(FLOOR)).log2())
                    .collect()
            })
            .collect()
    }

    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a model always serialises")
    }

    /// Reads a saved model and checks it fits these settings (same columns, kinds, levels).
    pub fn from_json(text: &str, settings: &Settings) -> Result<Model, LinkError> {
        let model: Model = serde_json::from_str(text)
            .map_err(|e| LinkError::Model(Msg::new("linkage.model_json").arg("detail", e)))?;
        if model.versi != MODEL_VERSION {
            return Err(LinkError::Model(
                Msg::new("linkage.model_version")
                    .arg("version", model.versi)
                    .arg("supported", MODEL_VERSION),
            ));
        }
        if model.perbandingan.len() != settings.comparisons.len() {
            return Err(LinkError::Model(
                Msg::new("linkage.model_comparisons")
                    .arg("model", model.perbandingan.len())
                    .arg("settings", settings.comparisons.len()),
            ));
        }
        for (cm, spec) in model.perbandingan.iter().zip(&settings.comparisons) {
            if cm.kolom != spec.column || cm.jenis != spec.kind.key() || cm.tingkat != spec.levels()
            {
                return Err(LinkError::Model(
                    Msg::new("linkage.model_mismatch")
                        .arg("column", &cm.kolom)
                        .arg("kind", &cm.jenis)
                        .arg("settings_column", &spec.column)
                        .arg("settings_kind", spec.kind.key()),
                ));
            }
            let ok =
                |v: &[f64]| v.len() == cm.tingkat.len() && v.iter().all(|p| *p > 0.0 && *p <= 1.0);
            if !ok(&cm.m) || !ok(&cm.u) {
                return Err(LinkError::Model(
                    Msg::new("linkage.model_probabilities").arg("column", &cm.kolom),
                ));
            }
        }
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_separates_two_classes() {
        // Two binary comparisons; matches agree on both 90 % of the time, non-matches 5 %.
        let u = vec![vec![0.05, 0.95], vec![0.05, 0.95]];
        let (mt, nm) = (1000.0, 9000.0);
        let p = |a: bool, b: bool| {
            let f = |x: bool, p: f64| if x { p } else { 1.0 - p };
            mt * f(a, 0.9) * f(b, 0.9) + nm * f(a, 0.05) * f(b, 0.05)
        };
        let g = |a: bool, b: bool| (if a { 1 } else { 2 }) | ((if b { 1 } else { 2 }) << 4);
        let patterns = vec![
            (g(true, true), p(true, true)),
            (g(true, false), p(true, false)),
            (g(false, true), p(false, true)),
            (g(false, false), p(false, false)),
        ];
        let mut m = vec![initial_m(2), initial_m(2)];
        let lambda = em(&patterns, &mut m, &u, &[true, true]);
        assert!((lambda - 0.1).abs() < 0.01, "{lambda}");
        assert!(
            (m[0][0] - 0.9).abs() < 0.02 && (m[1][0] - 0.9).abs() < 0.02,
            "{m:?}"
        );
    }
}
