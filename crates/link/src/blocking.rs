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

/// Groups `parts` into `out` by `bucket` (one pass over memory instead of a global sort) and
/// returns the bucket bounds: bucket `b` is `out[bounds[b]..bounds[b + 1]]`, its items in no
/// particular order. With `bucket` monotone in the order, sorting each bucket sorts all;
/// otherwise equal items at least share a bucket. Callers then work on the buckets side by
/// side ([`split_buckets`]).
///
/// The input comes in parts (one per rayon job, in order), so it is never concatenated first.
/// `out`'s memory is reused from rule to rule (fresh pages cost a page fault each).
fn scatter<T: Copy + Send + Sync + Default>(
    parts: Vec<Vec<T>>,
    buckets: usize,
    bucket: impl Fn(&T) -> usize + Sync,
    out: &mut Vec<T>,
) -> Vec<usize> {
    let len: usize = parts.iter().map(Vec::len).sum();
    out.clear();
    if len < 1 << 14 || buckets < 2 {
        for p in parts {
            out.extend_from_slice(&p);
        }
        return vec![0, len];
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
    counts
}

/// [`scatter`] of hashed items by the hash's top bits: equal hashes share a bucket.
pub(crate) fn scatter_by_hash(
    parts: Vec<Vec<(u64, u32)>>,
    out: &mut Vec<(u64, u32)>,
) -> Vec<usize> {
    let bits = bucket_bits(parts.iter().map(Vec::len).sum());
    scatter(
        parts,
        1 << bits,
        |(h, _)| {
            if bits == 0 {
                0
            } else {
                (h >> (64 - bits)) as usize
            }
        },
        out,
    )
}

/// `items` cut at `bounds` (from [`scatter`]) into one slice per bucket.
pub(crate) fn split_buckets<'a, T>(mut items: &'a mut [T], bounds: &[usize]) -> Vec<&'a mut [T]> {
    let mut slices = Vec::with_capacity(bounds.len().saturating_sub(1));
    for w in bounds.windows(2) {
        let (head, tail) = items.split_at_mut(w[1] - w[0]);
        slices.push(head);
        items = tail;
    }
    slices
}

/// Sorts `items` and drops repeats, keeping them at the front: the new length.
fn sort_dedup<T: Ord + Copy>(items: &mut [T]) -> usize {
    items.sort_unstable();
    let mut len = 0;
    for i in 0..items.len() {
        if len == 0 || items[i] != items[len - 1] {
            items[len] = items[i];
            len += 1;
        }
    }
    len
}

/// A rayon job's keys so far and its reused buffers (combinations, next combinations, one
/// part's keys).
type Scratch = (Vec<(u64, u32)>, Vec<u64>, Vec<u64>, Vec<u64>);

/// Bucket count for `len` items: several hundred items per bucket (a few pages to sort).
fn bucket_bits(len: usize) -> u32 {
    (len / 512).max(1).ilog2().min(16)
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
        // Only name tokens and years alone give a record several keys; without them a record
        // has one key or none, and no combinations need building.
        let single = parts
            .iter()
            .all(|(_, f)| !matches!(f, KeyFn::NameToken | KeyFn::Year));
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
        // Only equal keys need to meet. Each bucket is then sorted, its blocks found and
        // their pairs listed, buckets side by side.
        let bounds = scatter_by_hash(keyed_parts, &mut keyed);
        let bit = 1u8 << r;
        let max_block = settings.max_block_size;
        let (pairs, skipped_blocks, skipped_records) = split_buckets(&mut keyed, &bounds)
            .into_par_iter()
            .fold(
                || (Vec::new(), 0u64, 0u64),
                |(mut acc, mut blocks, mut records), bucket| {
                    let len = sort_dedup(bucket);
                    let bucket = &bucket[..len];
                    let mut start = 0;
                    while start < len {
                        let mut end = start + 1;
                        while end < len && bucket[end].0 == bucket[start].0 {
                            end += 1;
                        }
                        let block = &bucket[start..end];
                        start = end;
                        if block.len() > max_block {
                            blocks += 1;
                            records += block.len() as u64;
                            continue;
                        }
                        for (x, (_, a)) in block.iter().enumerate() {
                            for (_, b) in &block[x + 1..] {
                                let (i, j) = if a < b { (*a, *b) } else { (*b, *a) };
                                if (i as usize) < split && (j as usize) >= split || split == n {
                                    acc.push(pack(i, j, bit));
                                }
                            }
                        }
                    }
                    (acc, blocks, records)
                },
            )
            .map(|(acc, blocks, records)| (vec![acc], blocks, records))
            .reduce(
                || (Vec::new(), 0, 0),
                |mut x, y| {
                    x.0.extend(y.0);
                    (x.0, x.1 + y.1, x.2 + y.2)
                },
            );
        let st = RuleStats {
            rule: rule.keys.join(" + "),
            skipped_blocks,
            skipped_records,
            ..Default::default()
        };
        stats.push(st);
        all.extend(pairs);
    }
    // All rules' pairs grouped by their first record, each group sorted, then the same pair
    // from several rules, or from several blocks of one rule (two shared name tokens),
    // becomes one entry with all its rule bits; groups side by side.
    let bits = bucket_bits(all.iter().map(Vec::len).sum());
    let shift = (usize::BITS - n.max(1).leading_zeros()).saturating_sub(bits);
    drop(keyed);
    let mut merged = Vec::new();
    let bounds = scatter(
        all,
        1 << bits,
        |p| ((p >> 36) >> shift) as usize,
        &mut merged,
    );
    let kept: Vec<(usize, [u64; 8])> = split_buckets(&mut merged, &bounds)
        .into_par_iter()
        .map(|bucket| {
            bucket.sort_unstable();
            let mut len = 0;
            for i in 0..bucket.len() {
                let p = bucket[i];
                if len > 0 && bucket[len - 1] >> 8 == p >> 8 {
                    bucket[len - 1] |= p & 0xff;
                } else {
                    bucket[len] = p;
                    len += 1;
                }
            }
            // Each rule's distinct pairs.
            let mut per_rule = [0u64; 8];
            for p in &bucket[..len] {
                for (r, c) in per_rule.iter_mut().enumerate() {
                    *c += (p >> r) & 1;
                }
            }
            (len, per_rule)
        })
        .collect();
    // The groups' kept pairs moved together, in order.
    let mut end = 0;
    let mut per_rule = [0u64; 8];
    for ((len, counts), start) in kept.iter().zip(&bounds) {
        merged.copy_within(*start..start + len, end);
        end += len;
        for (total, c) in per_rule.iter_mut().zip(counts) {
            *total += c;
        }
    }
    merged.truncate(end);
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
    fn scattered_buckets_sorted_one_by_one_are_one_sort() {
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
        assert!(expected.len() > 1 << 14, "large enough to be scattered");
        for bits in [1u32, 4, 10] {
            let mut out = vec![7; 3];
            let bounds = scatter(
                parts.clone(),
                1 << bits,
                |x| (x >> (64 - bits)) as usize,
                &mut out,
            );
            assert_eq!(bounds.len(), (1 << bits) + 1, "{bits} bits");
            for bucket in split_buckets(&mut out, &bounds) {
                bucket.sort_unstable();
            }
            assert_eq!(out, expected, "{bits} bits");
        }
    }

    #[test]
    fn sort_dedup_keeps_one_of_each_at_the_front() {
        let mut v = [5, 3, 5, 1, 3, 3, 9];
        let len = sort_dedup(&mut v);
        assert_eq!(&v[..len], [1, 3, 5, 9]);
        assert_eq!(sort_dedup::<u8>(&mut []), 0);
    }

    #[test]
    fn packing_round_trips() {
        let p = pack(12_345_678, 200_000_000, 0b101);
        assert_eq!(unpack(p), (12_345_678, 200_000_000, 0b101));
        assert!(pack(1, 5, 0) < pack(2, 3, 0));
    }
}
