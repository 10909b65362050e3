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
    /// Per blocking rule, in settings order.
    pub rules: Vec<RuleRecall>,
}

/// What one blocking rule reached of the true pairs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleRecall {
    pub rule: String,
    /// True pairs among this rule's candidates.
    pub reached: u64,
    pub recall: f64,
    /// True pairs no other rule reached.
    pub only_this_rule: u64,
}

/// Blocking reach in total and per rule.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pub true_pairs: u64,
    pub reached: u64,
    /// Per rule: its name, true pairs reached, reached by no other rule.
    pub per_rule: Vec<(String, u64, u64)>,
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

/// True pairs, and how many of them the candidates (with their rule bits) reach.
pub fn blocking_recall(
    truth: &[u64],
    candidates: &[u64],
    split: usize,
    n: usize,
    rules: &[String],
) -> Reach {
    let dedupe = split == n;
    let true_pairs = count_pairs((0..n).map(|r| (truth[r], r < split)), dedupe);
    let mut reach = Reach {
        true_pairs,
        reached: 0,
        per_rule: rules.iter().map(|r| (r.clone(), 0, 0)).collect(),
    };
    for p in candidates {
        let (a, b, bits) = blocking::unpack(*p);
        if truth[a as usize] != truth[b as usize] {
            continue;
        }
        reach.reached += 1;
        for (k, counts) in reach.per_rule.iter_mut().enumerate() {
            if bits >> k & 1 == 1 {
                counts.1 += 1;
                if bits == 1 << k {
                    counts.2 += 1;
                }
            }
        }
    }
    reach
}

pub fn evaluate(
    truth: &[u64],
    pairs: &[ScoredPair],
    clusters: &[u32],
    threshold: f64,
    split: usize,
    n: usize,
    reach: Reach,
) -> Evaluation {
    let (true_pairs, reached) = (reach.true_pairs, reach.reached);
    let share = |x: u64| {
        if true_pairs == 0 {
            1.0
        } else {
            x as f64 / true_pairs as f64
        }
    };
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
        blocking_recall: share(reached),
        precision,
        recall,
        f1: f,
        cluster_precision: cp,
        cluster_recall: cr,
        cluster_f1: cf,
        rules: reach
            .per_rule
            .iter()
            .map(|(rule, hit, only)| RuleRecall {
                rule: rule.clone(),
                reached: *hit,
                recall: share(*hit),
                only_this_rule: *only,
            })
            .collect(),
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
        // Rule 0 reached pairs (0,1) and (1,2), rule 1 (1,2) too.
        let candidates = [
            blocking::pack(0, 1, 0b01),
            blocking::pack(1, 2, 0b11),
            blocking::pack(2, 3, 0b10),
        ];
        let names = ["a".to_string(), "b".to_string()];
        let reach = blocking_recall(&truth, &candidates, 4, 4, &names);
        let e = evaluate(&truth, &[], &clusters, 0.9, 4, 4, reach);
        assert_eq!((e.rules[0].reached, e.rules[0].only_this_rule), (2, 1));
        assert_eq!((e.rules[1].reached, e.rules[1].only_this_rule), (1, 0));
        assert!((e.rules[1].recall - 1.0 / 3.0).abs() < 1e-9);
        assert!((e.cluster_precision - 0.5).abs() < 1e-9);
        assert!((e.cluster_recall - 1.0 / 3.0).abs() < 1e-9);
        assert!((e.blocking_recall - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(e.f1, 0.0);
    }
}
