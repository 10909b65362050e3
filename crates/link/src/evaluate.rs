//! Accuracy against ground truth (a person label per record): blocking recall, pairwise
//! precision/recall/F1 of the matched pairs, and the same over all pairs the clusters imply.

use std::collections::HashMap;

use serde::Serialize;

use crate::{Decision, ScoredPair, blocking};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Evaluation {
    pub true_pairs: u64,
    pub blocking_reached: u64,
    pub blocking_recall: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub cluster_precision: f64,
    pub cluster_recall: f64,
    pub cluster_f1: f64,
}

/// Pairs one group contributes: within it (one list) or across the two lists.
fn group_pairs(left: u64, right: u64, dedupe: bool) -> u64 {
    if dedupe {
        left * left.saturating_sub(1) / 2
    } else {
        left * right
    }
}

fn count_pairs<K: std::hash::Hash + Eq>(
    keys: impl Iterator<Item = (K, bool)>,
    dedupe: bool,
) -> u64 {
    let mut groups: HashMap<K, (u64, u64)> = HashMap::new();
    for (k, left) in keys {
        let e = groups.entry(k).or_insert((0, 0));
        if left || dedupe {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    groups
        .values()
        .map(|(l, r)| group_pairs(*l, *r, dedupe))
        .sum()
}

fn f1(tp: u64, predicted: u64, actual: u64) -> (f64, f64, f64) {
    let p = if predicted == 0 {
        0.0
    } else {
        tp as f64 / predicted as f64
    };
    let r = if actual == 0 {
        0.0
    } else {
        tp as f64 / actual as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// (true pairs, true pairs among the candidates).
pub fn blocking_recall(truth: &[u64], candidates: &[u64], split: usize, n: usize) -> (u64, u64) {
    let dedupe = split == n;
    let total = count_pairs((0..n).map(|r| (truth[r], r < split)), dedupe);
    let reached = candidates
        .iter()
        .filter(|p| {
            let (a, b, _) = blocking::unpack(**p);
            truth[a as usize] == truth[b as usize]
        })
        .count() as u64;
    (total, reached)
}

pub fn evaluate(
    truth: &[u64],
    pairs: &[ScoredPair],
    clusters: &[u32],
    threshold: f64,
    split: usize,
    n: usize,
    (true_pairs, reached): (u64, u64),
) -> Evaluation {
    let dedupe = split == n;
    let matched = pairs.iter().filter(|p| match p.decision {
        Some(d) => d == Decision::Accept,
        None => p.probability >= threshold,
    });
    let (mut predicted, mut tp) = (0u64, 0u64);
    for p in matched {
        predicted += 1;
        if truth[p.a as usize] == truth[p.b as usize] {
            tp += 1;
        }
    }
    let (precision, recall, f) = f1(tp, predicted, true_pairs);
    let cluster_pairs = count_pairs((0..n).map(|r| (clusters[r], r < split)), dedupe);
    let cluster_tp = count_pairs((0..n).map(|r| ((clusters[r], truth[r]), r < split)), dedupe);
    let (cp, cr, cf) = f1(cluster_tp, cluster_pairs, true_pairs);
    Evaluation {
        true_pairs,
        blocking_reached: reached,
        blocking_recall: if true_pairs == 0 {
            1.0
        } else {
            reached as f64 / true_pairs as f64
        },
        precision,
        recall,
        f1: f,
        cluster_precision: cp,
        cluster_recall: cr,
        cluster_f1: cf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_pairs_follow_truth() {
        // Persons: {0,1,2}, {3}; clusters: {0,1}, {2,3}.
        let truth = [7, 7, 7, 9];
        let clusters = [1, 1, 2, 2];
        let e = evaluate(&truth, &[], &clusters, 0.9, 4, 4, (3, 2));
        assert!((e.cluster_precision - 0.5).abs() < 1e-9);
        assert!((e.cluster_recall - 1.0 / 3.0).abs() < 1e-9);
        assert!((e.blocking_recall - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(e.f1, 0.0);
    }
}
