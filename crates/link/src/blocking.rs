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

/// Sorts `v` by first scattering it into `buckets` ranges (`bucket` must be monotone in the
/// order for a full sort, or any function when only equal items must end up together), then
/// sorting the small buckets in parallel: one pass over memory instead of a global sort.
///
/// The input comes in parts (one per rayon job, in order), so it is never concatenated first.
/// The result goes to `out`, whose memory is reused from rule to rule (fresh pages cost a
/// page fault each).
fn bucket_sort<T: Ord + Copy + Send + Sync + Default>(
    parts: Vec<Vec<T>>,
    buckets: usize,
    bucket: impl Fn(&T) -> usize + Sync,
    out: &mut Vec<T>,
) {
    let len: usize = parts.iter().map(Vec::len).sum();
    out.clear();
    if len < 1 << 14 || buckets < 2 {
        for p in parts {
            out.extend_from_slice(&p);
        }
        out.par_sort_unstable();
        return;
    }
    // Bucket sizes, counted per part in parallel.
    let mut counts = parts
        .par_iter()
        .map(|p| {
            let mut c = vec![0usize; buckets + 1];
            for x in p {
                c[bucket(x) + 1] += 1;
            }
            c
        })
        .reduce(
            || vec![0usize; buckets + 1],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    for b in 1..=buckets {
        counts[b] += counts[b - 1];
    }
    out.resize(len, T::default());
    // The scatter in side-by-side ranges of buckets: each job reads every part and writes
    // only its own buckets, whose places form one slice of `out`.
    let jobs = (rayon::current_num_threads() * 2).min(buckets);
    let mut ranges = Vec::with_capacity(jobs);
    let mut rest: &mut [T] = out;
    for j in 0..jobs {
        let (first, last) = (buckets * j / jobs, buckets * (j + 1) / jobs);
        let (head, tail) = rest.split_at_mut(counts[last] - counts[first]);
        ranges.push((first, last, head));
        rest = tail;
    }
    ranges.into_par_iter().for_each(|(first, last, slice)| {
        let base = counts[first];
        let mut next: Vec<usize> = counts[first..last].iter().map(|c| c - base).collect();
        for p in &parts {
            for x in p {
                let b = bucket(x);
                if (first..last).contains(&b) {
                    slice[next[b - first]] = *x;
                    next[b - first] += 1;
                }
            }
        }
    });
    drop(parts);
    let mut slices = Vec::with_capacity(buckets);
    let mut rest: &mut [T] = out;
    for b in 0..buckets {
        let (head, tail) = rest.split_at_mut(counts[b + 1] - counts[b]);
        slices.push(head);
        rest = tail;
    }
    slices.into_par_iter().for_each(|s| s.sort_unstable());
}

/// A rayon job's keys so far and its reused buffers (combinations, next combinations, one
/// part's keys).
type Scratch = (Vec<(u64, u32)>, Vec<u64>, Vec<u64>, Vec<u64>);

/// Bucket count for `len` items: a few thousand items per bucket.
fn bucket_bits(len: usize) -> u32 {
    (len / 2048).max(1).ilog2().min(16)
}

/// `split`: records before it come from the first file; with two files only pairs across the
/// split are candidates. For one file, `split` equals the record count.
pub(crate) fn candidates(
    settings: &Settings,
    columns: &[Prepared],
    n: usize,
    split: usize,
) -> Candidates {
    // Every rule's pairs, in parts as the rayon jobs produced them.
    let mut all: Vec<Vec<u64>> = Vec::new();
    // Each rule's keys, grouped; the memory serves every rule in turn.
    let mut keyed: Vec<(u64, u32)> = Vec::new();
    let mut stats = Vec::new();
    for (r, rule) in settings.blocking.iter().enumerate() {
        let parts: Vec<(usize, KeyFn)> = rule
            .keys
            .iter()
            .map(|k| settings.block_key(k).expect("checked with the settings"))
            .collect();
        // Only name tokens give a record several keys; without them a record has one key
        // or none, and no combinations need building.
        let single = parts.iter().all(|(_, f)| *f != KeyFn::NameToken);
        // Every combination of the parts' keys, hashed with the rule number; scratch buffers
        // are reused across the records of a rayon job.
        let keyed_parts: Vec<Vec<(u64, u32)>> = (0..n)
            .into_par_iter()
            .with_min_len(4096)
            .fold(
                || (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
                |(mut acc, mut combos, mut next, mut part): Scratch, rec| {
                    if single {
                        let mut key = r as u64;
                        for (c, f) in &parts {
                            part.clear();
                            columns[*c].keys(*f, rec, &mut part);
                            match part.first() {
                                // The same chain of hashes as the combinations below.
                                Some(k) => key = hash_of(&(key, *k)),
                                None => return (acc, combos, next, part),
                            }
                        }
                        acc.push((key, rec as u32));
                        return (acc, combos, next, part);
                    }
                    combos.clear();
                    combos.push(r as u64);
                    for (c, f) in &parts {
                        part.clear();
                        columns[*c].keys(*f, rec, &mut part);
                        if part.is_empty() {
                            combos.clear();
                            break;
                        }
                        next.clear();
                        for prev in &combos {
                            for k in &part {
                                next.push(hash_of(&(prev, k)));
                            }
                        }
                        std::mem::swap(&mut combos, &mut next);
                    }
                    acc.extend(combos.iter().map(|k| (*k, rec as u32)));
                    (acc, combos, next, part)
                },
            )
            .map(|t| t.0)
            .collect();
        // Only equal keys need to meet: buckets by the hash's top bits.
        let bits = bucket_bits(keyed_parts.iter().map(Vec::len).sum());
        bucket_sort(
            keyed_parts,
            1 << bits,
            |(k, _)| {
                if bits == 0 {
                    0
                } else {
                    (k >> (64 - bits)) as usize
                }
            },
            &mut keyed,
        );
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
        let pairs: Vec<Vec<u64>> = blocks
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
            .collect();
        stats.push(st);
        all.extend(pairs);
    }
    // One sort of all rules' pairs (by record numbers: buckets of the first record), then
    // the same pair from several rules, or from several blocks of one rule (two shared name
    // tokens), becomes one entry with all its rule bits.
    let bits = bucket_bits(all.iter().map(Vec::len).sum());
    let shift = (usize::BITS - n.max(1).leading_zeros()).saturating_sub(bits);
    drop(keyed);
    let mut sorted = Vec::new();
    bucket_sort(
        all,
        1 << bits,
        |p| ((p >> 36) >> shift) as usize,
        &mut sorted,
    );
    let all = sorted;
    let mut merged: Vec<u64> = Vec::with_capacity(all.len());
    for p in all {
        match merged.last_mut() {
            Some(last) if *last >> 8 == p >> 8 => *last |= p & 0xff,
            _ => merged.push(p),
        }
    }
    merged.shrink_to_fit();
    // Each rule's distinct pairs.
    let per_rule = merged
        .par_iter()
        .fold(
            || [0u64; 8],
            |mut acc, p| {
                for (r, c) in acc.iter_mut().enumerate() {
                    *c += (p >> r) & 1;
                }
                acc
            },
        )
        .reduce(
            || [0u64; 8],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    for (r, st) in stats.iter_mut().enumerate() {
        st.pairs = per_rule[r];
    }
    Candidates {
        pairs: merged,
        rules: stats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_sort_sorts_parts_as_one_sort_would() {
        let mut state = 99u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let parts: Vec<Vec<u64>> = (0..37)
            .map(|p| (0..(p * 997) % 5000).map(|_| next()).collect())
            .collect();
        let mut expected: Vec<u64> = parts.concat();
        expected.sort_unstable();
        assert!(
            expected.len() > 1 << 14,
            "large enough for the bucketed path"
        );
        for bits in [1u32, 4, 10] {
            let mut out = vec![7; 3];
            bucket_sort(
                parts.clone(),
                1 << bits,
                |x| (x >> (64 - bits)) as usize,
                &mut out,
            );
            assert_eq!(out, expected, "{bits} bits");
        }
    }

    #[test]
    fn packing_round_trips() {
        let p = pack(12_345_678, 200_000_000, 0b101);
        assert_eq!(unpack(p), (12_345_678, 200_000_000, 0b101));
        assert!(pack(1, 5, 0) < pack(2, 3, 0));
    }
}
