//! Independent random streams per unit of work, so output does not depend on thread count.

use rand::SeedableRng;

/// ChaCha8: fast, and reproducible across platforms for a given `rand` version (pinned in
/// Cargo.lock).
pub type Rng = rand::rngs::ChaCha8Rng;

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The stream for `(seed, region or other key, purpose)`.
pub fn stream(seed: u64, key: &str, purpose: &str) -> Rng {
    let mut h = splitmix(seed);
    for b in key.bytes().chain([0xFF]).chain(purpose.bytes()) {
        h = splitmix(h ^ u64::from(b));
    }
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        h = splitmix(h ^ i as u64);
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    Rng::from_seed(bytes)
}

/// Splits `total` into parts proportional to `weights` (largest remainder; ties by index),
/// each part at most its `cap` when caps are given. Deterministic.
pub fn apportion(total: u64, weights: &[f64], caps: Option<&[u64]>) -> Vec<u64> {
    let n = weights.len();
    let mut out = vec![0u64; n];
    let mut remaining = total;
    let mut open: Vec<usize> = (0..n).filter(|&i| weights[i] > 0.0).collect();
    if let Some(caps) = caps {
        open.retain(|&i| caps[i] > 0);
    }
    // Capped parts are filled and removed, the rest re-split, until nothing overflows.
    while remaining > 0 && !open.is_empty() {
        let sum: f64 = open.iter().map(|&i| weights[i]).sum();
        let mut shares: Vec<(usize, u64, f64)> = open
            .iter()
            .map(|&i| {
                let exact = remaining as f64 * weights[i] / sum;
                (i, exact.floor() as u64, exact - exact.floor())
            })
            .collect();
        let given: u64 = shares.iter().map(|s| s.1).sum();
        let left = remaining.saturating_sub(given);
        let mut order: Vec<usize> = (0..shares.len()).collect();
        order.sort_by(|&a, &b| shares[b].2.total_cmp(&shares[a].2).then(a.cmp(&b)));
        for &k in order.iter().take(left as usize) {
            shares[k].1 += 1;
        }
        let mut overflow = false;
        let mut next_open = Vec::with_capacity(open.len());
        let mut used = 0;
        for (i, share, _) in shares {
            let room = caps.map_or(u64::MAX, |c| c[i] - out[i]);
            if share >= room {
                out[i] += room;
                used += room;
                if share > room {
                    overflow = true;
                }
            } else {
                out[i] += share;
                used += share;
                next_open.push(i);
            }
        }
        remaining -= used;
        if !overflow {
            break;
        }
        open = next_open;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_differ_by_key_purpose_and_seed() {
        let draw = |seed, key, purpose| stream(seed, key, purpose).random::<u64>();
        let base = draw(1, "52.01", "a");
        assert_eq!(base, draw(1, "52.01", "a"));
        assert_ne!(base, draw(2, "52.01", "a"));
        assert_ne!(base, draw(1, "52.02", "a"));
        assert_ne!(base, draw(1, "52.01", "b"));
    }

    #[test]
    fn apportion_is_exact_and_respects_caps() {
        let parts = apportion(10, &[1.0, 1.0, 1.0], None);
        assert_eq!(parts.iter().sum::<u64>(), 10);
        assert_eq!(parts, vec![4, 3, 3]);
        let capped = apportion(10, &[10.0, 1.0, 1.0], Some(&[2, 10, 10]));
        assert_eq!(capped, vec![2, 4, 4]);
        // More than the caps allow: everything is filled, no more.
        assert_eq!(apportion(50, &[1.0, 1.0], Some(&[3, 4])), vec![3, 4]);
        assert_eq!(apportion(7, &[0.0, 0.0], None), vec![0, 0]);
    }
}
