//! Candidate pairs: records that share every key part of at least one blocking rule.
//!
//! A pair is packed in a u64 as `i (28 bits) | j (28 bits) | rules (8 bits)`, the low byte
//! saying which rules produced it. All rules' pairs are sorted together and merged, so each
//! pair is compared once while EM can still train on every pair of a rule.

use rayon::prelude::*;

use crate::features::{Prepared, hash_of};
use crate::settings::{KeyFn, Settings};

pub const MAX_RECORDS: usize = 1 << 28;

pub fn pack(i: u32, j: u32, rules: u8) -> u64 {
    (u64::from(i) << 36) | (u64::from(j) << 8) | u64::from(rules)
}

pub fn unpack(p: u64) -> (u32, u32, u8) {
    ((p >> 36) as u32, ((p >> 8) & 0x0fff_ffff) as u32, p as u8)
}

/// What one blocking rule produced.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RuleStats {
    pub rule: String,
    /// Pairs the rule produced (before merging with other rules).
    pub pairs: u64,
    /// Blocks larger than `blok_maks`, skipped, and the records in them.
    pub skipped_blocks: u64,
    pub skipped_records: u64,
}

pub(crate) struct Candidates {
    pub pairs: Vec<u64>,
    pub rules: Vec<RuleStats>,
}

/// `split`: records before it come from the first file; with two files only pairs across the
/// split are candidates. For one file, `split` equals the record count.
pub(crate) fn candidates(
    settings: &Settings,
    columns: &[Prepared],
    n: usize,
    split: usize,
) -> Candidates {
    let mut all = Vec::new();
    let mut stats = Vec::new();
    for (r, rule) in settings.blocking.iter().enumerate() {
        let parts: Vec<(usize, KeyFn)> = rule
            .keys
            .iter()
            .map(|k| settings.block_key(k).expect("checked with the settings"))
            .collect();
        let mut keyed: Vec<(u64, u32)> = (0..n)
            .into_par_iter()
            .fold(Vec::new, |mut acc, rec| {
                let mut combos: Vec<u64> = vec![r as u64];
                let mut part = Vec::new();
                for (c, f) in &parts {
                    part.clear();
                    columns[*c].keys(*f, rec, &mut part);
                    if part.is_empty() {
                        return acc;
                    }
                    combos = combos
                        .iter()
                        .flat_map(|prev| part.iter().map(move |k| hash_of(&(prev, k))))
                        .collect();
                }
                acc.extend(combos.into_iter().map(|k| (k, rec as u32)));
                acc
            })
            .reduce(Vec::new, |mut a, mut b| {
                a.append(&mut b);
                a
            });
        keyed.par_sort_unstable();
        keyed.dedup();
        let mut blocks = Vec::new();
        let mut start = 0;
        let mut st = RuleStats {
            rule: rule.keys.join(" + "),
            ..Default::default()
        };
        while start < keyed.len() {
            let mut end = start + 1;
            while end < keyed.len() && keyed[end].0 == keyed[start].0 {
                end += 1;
            }
            if end - start > settings.max_block_size {
                st.skipped_blocks += 1;
                st.skipped_records += (end - start) as u64;
            } else if end - start > 1 {
                blocks.push((start, end));
            }
            start = end;
        }
        let bit = 1u8 << r;
        let mut pairs: Vec<u64> = blocks
            .par_iter()
            .fold(Vec::new, |mut acc, (s, e)| {
                let block = &keyed[*s..*e];
                for (x, (_, a)) in block.iter().enumerate() {
                    for (_, b) in &block[x + 1..] {
                        let (i, j) = if a < b { (*a, *b) } else { (*b, *a) };
                        if (i as usize) < split && (j as usize) >= split || split == n {
                            acc.push(pack(i, j, bit));
                        }
                    }
                }
                acc
            })
            .reduce(Vec::new, |mut a, mut b| {
                a.append(&mut b);
                a
            });
        drop(keyed);
        // A pair can sit in several blocks of a rule (two shared name tokens).
        pairs.par_sort_unstable();
        pairs.dedup();
        st.pairs = pairs.len() as u64;
        stats.push(st);
        all.append(&mut pairs);
    }
    all.par_sort_unstable();
    // Merge the same pair from several rules into one entry with their bits.
    let mut merged: Vec<u64> = Vec::with_capacity(all.len());
    for p in all {
        match merged.last_mut() {
            Some(last) if *last >> 8 == p >> 8 => *last |= p & 0xff,
            _ => merged.push(p),
        }
    }
    merged.shrink_to_fit();
    Candidates {
        pairs: merged,
        rules: stats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips() {
        let p = pack(12_345_678, 200_000_000, 0b101);
        assert_eq!(unpack(p), (12_345_678, 200_000_000, 0b101));
        assert!(pack(1, 5, 0) < pack(2, 3, 0));
    }
}
