//! Indeks Prioritas: a composite index per region built the way the OECD/JRC *Handbook on
//! Constructing Composite Indicators* (2008) describes, over indicator columns in memory.
//!
//! 1. each indicator gets a direction (higher value = more priority, or the reverse);
//! 2. outliers are treated as COINr does: while |skewness| > 2 and excess kurtosis > 3.5 the
//!    most extreme value(s) are set to the next value, up to a set number of points;
//! 3. min–max normalisation to 0–100 (percentile rank is the alternative the sensitivity
//!    analysis tries);
//! 4. weights per indicator within its dimension and per dimension (equal by default);
//!    arithmetic or geometric aggregation, indicators into dimensions, dimensions into the index;
//! 5. a sensitivity analysis re-ranks about 1,000 times, varying weights, normalisation and
//!    aggregation, and reports each region's median rank and 5–95 % range.
//!
//! Missing values are left out of a region's mean with the remaining weights rescaled, so a
//! region without a figure is neither rewarded nor penalised for it; a region with no figure
//! at all gets no score and ranks last.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether a higher value of an indicator means a region needs priority more, or less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// e.g. share of families in Desil I–II, PPKS per 1,000 people, the 4W reach gap.
    HigherIsPriority,
    /// e.g. LKS capacity against need: the less there is, the higher the priority.
    LowerIsPriority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalisation {
    /// (x − min) / (max − min) × 100.
    MinMax,
    /// Percentile rank × 100 (ties share their mean rank); robust to outliers.
    Rank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Weighted mean: full compensability between indicators.
    Arithmetic,
    /// Weighted geometric mean of scores shifted to 1–100 (a zero would otherwise zero the
    /// whole index): a weak indicator is only partly made up by a strong one.
    Geometric,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorSpec {
    pub key: String,
    pub dimension: String,
    pub direction: Direction,
    /// Weight within its dimension (relative; rescaled to sum 1).
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionSpec {
    pub key: String,
    /// Weight of the dimension in the index (relative; rescaled to sum 1).
    pub weight: f64,
}

/// Outlier treatment thresholds (COINr's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Treatment {
    pub skew_limit: f64,
    pub kurtosis_limit: f64,
    /// Most points winsorised per indicator; beyond it the indicator is flagged, not forced.
    pub max_points: usize,
}

impl Default for Treatment {
    fn default() -> Self {
        Treatment {
            skew_limit: 2.0,
            kurtosis_limit: 3.5,
            max_points: 5,
        }
    }
}

/// A method: what the deployment chooses, stored as data and versioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    pub indicators: Vec<IndicatorSpec>,
    pub dimensions: Vec<DimensionSpec>,
    pub normalisation: Normalisation,
    pub aggregation: Aggregation,
    #[serde(default)]
    pub treatment: Treatment,
}

impl Method {
    /// Equal weights, min–max, arithmetic: the handbook's default starting point.
    pub fn equal(indicators: &[(&str, &str, Direction)]) -> Method {
        let mut dimensions: Vec<DimensionSpec> = Vec::new();
        for (_, dim, _) in indicators {
            if !dimensions.iter().any(|d| d.key == *dim) {
                dimensions.push(DimensionSpec {
                    key: dim.to_string(),
                    weight: 1.0,
                });
            }
        }
        Method {
            indicators: indicators
                .iter()
                .map(|(key, dim, direction)| IndicatorSpec {
                    key: key.to_string(),
                    dimension: dim.to_string(),
                    direction: *direction,
                    weight: 1.0,
                })
                .collect(),
            dimensions,
            normalisation: Normalisation::MinMax,
            aggregation: Aggregation::Arithmetic,
            treatment: Treatment::default(),
        }
    }

    fn dimension_of(&self) -> Vec<usize> {
        self.indicators
            .iter()
            .map(|i| {
                self.dimensions
                    .iter()
                    .position(|d| d.key == i.dimension)
                    .unwrap_or(0)
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MethodError {
    #[error("priority.error.column_count")]
    ColumnCount,
    #[error("priority.error.column_length")]
    ColumnLength,
    #[error("priority.error.unknown_dimension")]
    UnknownDimension(String),
    #[error("priority.error.weight")]
    Weight(String),
}

fn validate(method: &Method, columns: &[Vec<Option<f64>>], n: usize) -> Result<(), MethodError> {
    if columns.len() != method.indicators.len() {
        return Err(MethodError::ColumnCount);
    }
    if columns.iter().any(|c| c.len() != n) {
        return Err(MethodError::ColumnLength);
    }
    for i in &method.indicators {
        if !method.dimensions.iter().any(|d| d.key == i.dimension) {
            return Err(MethodError::UnknownDimension(i.dimension.clone()));
        }
        if !(i.weight.is_finite() && i.weight >= 0.0) {
            return Err(MethodError::Weight(i.key.clone()));
        }
    }
    for d in &method.dimensions {
        if !(d.weight.is_finite() && d.weight >= 0.0) {
            return Err(MethodError::Weight(d.key.clone()));
        }
    }
    Ok(())
}

/// What the outlier treatment did to one indicator (shown with the ranking).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatmentReport {
    pub key: String,
    pub skew_before: Option<f64>,
    pub kurtosis_before: Option<f64>,
    pub skew_after: Option<f64>,
    pub kurtosis_after: Option<f64>,
    pub winsorised: usize,
    /// Still beyond the limits after `max_points`: COINr would log-transform; we flag it.
    pub still_outside: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionScore {
    /// Index into the input columns.
    pub region: usize,
    /// `None` when the region has no figure for any indicator.
    pub score: Option<f64>,
    /// 1 = highest priority.
    pub rank: u32,
    /// Per indicator (method order): its share of the score; they sum to the score. Zero
    /// where the figure is missing.
    pub contributions: Vec<f64>,
    /// Per indicator: the normalised 0–100 value, `None` where missing.
    pub normalised: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Index {
    pub treatment: Vec<TreatmentReport>,
    /// In region order (not rank order).
    pub regions: Vec<RegionScore>,
}

impl Index {
    /// Region indices, best-ranked first.
    pub fn ranked(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.regions.len()).collect();
        order.sort_by_key(|&r| self.regions[r].rank);
        order
    }
}

/// Skewness and excess kurtosis, sample-adjusted as Excel's SKEW and KURT (and e1071 type 2).
/// `None` with fewer than four values or no spread.
pub fn skew_kurtosis(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len() as f64;
    if values.len() < 4 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for v in values {
        let d = v - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    if m2 <= f64::EPSILON * mean.abs().max(1.0) {
        return None;
    }
    let g1 = m3 / m2.powf(1.5);
    let g2 = m4 / (m2 * m2) - 3.0;
    let skew = g1 * (n * (n - 1.0)).sqrt() / (n - 2.0);
    let kurt = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0));
    Some((skew, kurt))
}

/// COINr's treatment: while the distribution is both skewed and heavy-tailed, set the
/// extreme value (every copy of it) on the skewed side to the next value inwards.
fn winsorise(key: &str, column: &mut [Option<f64>], t: &Treatment) -> TreatmentReport {
    let present = |c: &[Option<f64>]| c.iter().flatten().copied().collect::<Vec<f64>>();
    let before = skew_kurtosis(&present(column));
    let outside = |sk: Option<(f64, f64)>| {
        sk.is_some_and(|(s, k)| s.abs() > t.skew_limit && k > t.kurtosis_limit)
    };
    let mut winsorised = 0;
    let mut now = before;
    while outside(now) && winsorised < t.max_points {
        let skew = now.map(|(s, _)| s).unwrap_or(0.0);
        let values = present(column);
        let (extreme, next) = if skew > 0.0 {
            let max = values.iter().copied().fold(f64::MIN, f64::max);
            let next = values
                .iter()
                .copied()
                .filter(|v| *v < max)
                .fold(f64::MIN, f64::max);
            (max, next)
        } else {
            let min = values.iter().copied().fold(f64::MAX, f64::min);
            let next = values
                .iter()
                .copied()
                .filter(|v| *v > min)
                .fold(f64::MAX, f64::min);
            (min, next)
        };
        for v in column.iter_mut().flatten() {
            if *v == extreme {
                *v = next;
                winsorised += 1;
            }
        }
        now = skew_kurtosis(&present(column));
    }
    TreatmentReport {
        key: key.to_string(),
        skew_before: before.map(|(s, _)| s),
        kurtosis_before: before.map(|(_, k)| k),
        skew_after: now.map(|(s, _)| s),
        kurtosis_after: now.map(|(_, k)| k),
        winsorised,
        still_outside: outside(now),
    }
}

/// Normalise one treated column to 0–100 so that 100 is always "most priority".
fn normalise(column: &[Option<f64>], direction: Direction, how: Normalisation) -> Vec<f64> {
    let oriented: Vec<f64> = column
        .iter()
        .map(|v| match (v, direction) {
            (Some(x), Direction::HigherIsPriority) => *x,
            (Some(x), Direction::LowerIsPriority) => -*x,
            (None, _) => f64::NAN,
        })
        .collect();
    match how {
        Normalisation::MinMax => {
            let (min, max) = oriented
                .iter()
                .filter(|v| !v.is_nan())
                .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
            oriented
                .iter()
                .map(|v| {
                    if v.is_nan() {
                        f64::NAN
                    } else if max > min {
                        (v - min) / (max - min) * 100.0
                    } else {
                        // A constant indicator says nothing about order: the middle.
                        50.0
                    }
                })
                .collect()
        }
        Normalisation::Rank => {
            let mut order: Vec<usize> = (0..oriented.len())
                .filter(|&i| !oriented[i].is_nan())
                .collect();
            order.sort_by(|&a, &b| oriented[a].total_cmp(&oriented[b]));
            let m = order.len();
            let mut out = vec![f64::NAN; oriented.len()];
            let mut i = 0;
            while i < m {
                let mut j = i;
                while j + 1 < m && oriented[order[j + 1]] == oriented[order[i]] {
                    j += 1;
                }
                // Ties share the mean of their 0-based ranks.
                let mean_rank = (i + j) as f64 / 2.0;
                let value = if m > 1 {
                    mean_rank / (m - 1) as f64 * 100.0
                } else {
                    50.0
                };
                for &r in &order[i..=j] {
                    out[r] = value;
                }
                i = j + 1;
            }
            out
        }
    }
}

/// Geometric aggregation works on scores shifted into 1–100.
fn shift_for_geometric(v: f64) -> f64 {
    1.0 + v * 0.99
}

/// The index of one region from its normalised values (NaN = missing). For geometric
/// aggregation `values` are the logs of the shifted scores and the result is exponentiated.
/// `scratch` holds per-dimension sums (weight, weighted value).
fn aggregate_region(
    values: impl Iterator<Item = f64>,
    dim_of: &[usize],
    w_ind: &[f64],
    w_dim: &[f64],
    geometric: bool,
    scratch: &mut [(f64, f64)],
) -> f64 {
    scratch.iter_mut().for_each(|s| *s = (0.0, 0.0));
    for ((v, &d), &w) in values.zip(dim_of).zip(w_ind) {
        if !v.is_nan() && w > 0.0 {
            scratch[d].0 += w;
            scratch[d].1 += w * v;
        }
    }
    let (mut wsum, mut acc) = (0.0, 0.0);
    for (&(dw, dv), &w) in scratch.iter().zip(w_dim) {
        if dw > 0.0 && w > 0.0 {
            wsum += w;
            acc += w * dv / dw;
        }
    }
    if wsum == 0.0 {
        return f64::NAN;
    }
    let mean = acc / wsum;
    if geometric { mean.exp() } else { mean }
}

/// Each indicator's effective weight for one region, after leaving out missing figures.
fn effective_weights(
    present: &[bool],
    dim_of: &[usize],
    w_ind: &[f64],
    w_dim: &[f64],
    n_dims: usize,
) -> Vec<f64> {
    let mut dim_w = vec![0.0; n_dims];
    for ((&p, &d), &w) in present.iter().zip(dim_of).zip(w_ind) {
        if p {
            dim_w[d] += w;
        }
    }
    let total: f64 = dim_w
        .iter()
        .zip(w_dim)
        .filter(|(s, _)| **s > 0.0)
        .map(|(_, w)| w)
        .sum();
    present
        .iter()
        .zip(dim_of)
        .zip(w_ind)
        .map(|((&p, &d), &w)| {
            if p && dim_w[d] > 0.0 && total > 0.0 {
                w / dim_w[d] * w_dim[d] / total
            } else {
                0.0
            }
        })
        .collect()
}

/// Treated columns (one per indicator, in method order) and their reports.
fn treat(
    method: &Method,
    columns: &[Vec<Option<f64>>],
) -> (Vec<Vec<Option<f64>>>, Vec<TreatmentReport>) {
    let mut treated = columns.to_vec();
    let reports = treated
        .iter_mut()
        .zip(&method.indicators)
        .map(|(c, spec)| winsorise(&spec.key, c, &method.treatment))
        .collect();
    (treated, reports)
}

/// Ranks (1 = highest score; no score last; ties by region order) of `scores`, written into
/// `ranks`. `keys` is scratch space.
fn rank_into(scores: &[f64], keys: &mut Vec<(u64, u32)>, ranks: &mut [u32]) {
    keys.clear();
    keys.extend(scores.iter().enumerate().map(|(i, s)| {
        // Order-preserving map of f64 to u64, inverted for descending; NaN sorts last.
        let key = if s.is_nan() {
            u64::MAX
        } else {
            let bits = s.to_bits();
            let ascending = if bits >> 63 == 1 {
                !bits
            } else {
                bits | (1 << 63)
            };
            !ascending
        };
        (key, i as u32)
    }));
    keys.sort_unstable();
    for (pos, &(_, region)) in keys.iter().enumerate() {
        ranks[region as usize] = pos as u32 + 1;
    }
}

/// The index per region under `method`: `columns[i]` holds indicator `i`'s value per region.
pub fn index(method: &Method, columns: &[Vec<Option<f64>>]) -> Result<Index, MethodError> {
    let n = columns.first().map_or(0, Vec::len);
    validate(method, columns, n)?;
    let (treated, treatment) = treat(method, columns);
    let dim_of = method.dimension_of();
    let w_ind: Vec<f64> = method.indicators.iter().map(|i| i.weight).collect();
    let w_dim: Vec<f64> = method.dimensions.iter().map(|d| d.weight).collect();
    let geometric = method.aggregation == Aggregation::Geometric;
    let norm: Vec<Vec<f64>> = treated
        .iter()
        .zip(&method.indicators)
        .map(|(c, spec)| normalise(c, spec.direction, method.normalisation))
        .collect();
    let k = norm.len();
    let mut scratch = vec![(0.0, 0.0); w_dim.len()];
    let scores: Vec<f64> = (0..n)
        .map(|r| {
            let values = norm.iter().map(|c| {
                let v = c[r];
                if geometric && !v.is_nan() {
                    shift_for_geometric(v).ln()
                } else {
                    v
                }
            });
            aggregate_region(values, &dim_of, &w_ind, &w_dim, geometric, &mut scratch)
        })
        .collect();
    let mut ranks = vec![0u32; n];
    rank_into(&scores, &mut Vec::with_capacity(n), &mut ranks);
    let regions = (0..n)
        .map(|r| {
            let present: Vec<bool> = (0..k).map(|i| !norm[i][r].is_nan()).collect();
            let eff = effective_weights(&present, &dim_of, &w_ind, &w_dim, w_dim.len());
            let score = scores[r];
            let contributions = (0..k)
                .map(|i| {
                    if !present[i] || score.is_nan() {
                        return 0.0;
                    }
                    if geometric {
                        // Share of the log-score, scaled to the score.
                        let ln_score = score.ln();
                        if ln_score.abs() < 1e-12 {
                            0.0
                        } else {
                            score * eff[i] * shift_for_geometric(norm[i][r]).ln() / ln_score
                        }
                    } else {
                        eff[i] * norm[i][r]
                    }
                })
                .collect();
            RegionScore {
                region: r,
                score: (!score.is_nan()).then_some(score),
                rank: ranks[r],
                contributions,
                normalised: (0..k)
                    .map(|i| (!norm[i][r].is_nan()).then_some(norm[i][r]))
                    .collect(),
            }
        })
        .collect();
    Ok(Index { treatment, regions })
}

/// How the sensitivity analysis perturbs the method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub draws: usize,
    /// Each weight is multiplied by a uniform factor in [1 − spread, 1 + spread].
    pub weight_spread: f64,
    pub vary_normalisation: bool,
    pub vary_aggregation: bool,
    pub seed: u64,
    /// A rank is unstable when its 5–95 % range spans more than this share of the regions.
    pub unstable_share: f64,
}

impl Default for Sensitivity {
    fn default() -> Self {
        Sensitivity {
            draws: 1000,
            weight_spread: 0.2,
            vary_normalisation: true,
            vary_aggregation: true,
            seed: 22,
            unstable_share: 0.1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RankRange {
    pub median: u32,
    pub p5: u32,
    pub p95: u32,
    pub unstable: bool,
}

/// SplitMix64: small, fast and seedable, so every draw can be regenerated from the seed and
/// its number, whichever thread runs it.
struct SplitMix64(u64);

impl SplitMix64 {
    fn for_draw(seed: u64, draw: u64) -> Self {
        let mut s = SplitMix64(seed ^ draw.wrapping_mul(0xD1B5_4A32_D192_ED03));
        s.next_u64();
        s
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Ranks are stored in three bytes each (enough for 16 M regions): 1,000 draws over all
/// 83,762 desa then take 251 MB instead of 335 MB, inside the 300 MB budget. The quantiles
/// need every draw's rank, so they are kept exactly rather than sketched.
const RANK_BYTES: usize = 3;

/// Re-rank `sensitivity.draws` times and give each region its median rank and 5–95 % range.
/// Deterministic for a given seed, whatever the number of threads.
pub fn sensitivity(
    method: &Method,
    columns: &[Vec<Option<f64>>],
    s: &Sensitivity,
) -> Result<Vec<RankRange>, MethodError> {
    let n = columns.first().map_or(0, Vec::len);
    validate(method, columns, n)?;
    if n == 0 || s.draws == 0 {
        return Ok(Vec::new());
    }
    let (treated, _) = treat(method, columns);
    let dim_of = method.dimension_of();
    // Region-major f32 columns per (normalisation, aggregation): the draws only reweight them.
    let variant = |how: Normalisation, geometric: bool| -> Vec<f32> {
        let norm: Vec<Vec<f64>> = treated
            .iter()
            .zip(&method.indicators)
            .map(|(c, spec)| normalise(c, spec.direction, how))
            .collect();
        let k = norm.len();
        let mut out = vec![0f32; n * k];
        for (i, col) in norm.iter().enumerate() {
            for (r, &v) in col.iter().enumerate() {
                out[r * k + i] = if geometric && !v.is_nan() {
                    shift_for_geometric(v).ln() as f32
                } else {
                    v as f32
                };
            }
        }
        out
    };
    let normalisations = if s.vary_normalisation {
        vec![
            method.normalisation,
            other_normalisation(method.normalisation),
        ]
    } else {
        vec![method.normalisation]
    };
    let aggregations = if s.vary_aggregation {
        vec![method.aggregation, other_aggregation(method.aggregation)]
    } else {
        vec![method.aggregation]
    };
    let mut variants = Vec::new();
    for &how in &normalisations {
        for &agg in &aggregations {
            variants.push((how, agg, variant(how, agg == Aggregation::Geometric)));
        }
    }
    drop(treated);
    let k = method.indicators.len();
    let base_ind: Vec<f64> = method.indicators.iter().map(|i| i.weight).collect();
    let base_dim: Vec<f64> = method.dimensions.iter().map(|d| d.weight).collect();

    // Draws run in batches: a batch's ranks (draw-major, as each draw produces them) are then
    // transposed into region-major storage, so that reading one region's ranks is one
    // contiguous run instead of a thousand cache misses.
    let draws = s.draws;
    let mut store = vec![0u8; n * draws * RANK_BYTES];
    let mut batch = vec![0u32; RANK_BATCH.min(draws) * n];
    for first in (0..draws).step_by(RANK_BATCH) {
        let size = RANK_BATCH.min(draws - first);
        batch[..size * n]
            .par_chunks_mut(n)
            .enumerate()
            .for_each_init(
                || (vec![0f32; n], vec![0u64; n], vec![0u64; n]),
                |(scores, keys, spare), (offset, draw_ranks)| {
                    let draw = (first + offset) as u64;
                    let mut rng = SplitMix64::for_draw(s.seed, draw);
                    let mut jitter =
                        |w: f64| w * (1.0 + s.weight_spread * (2.0 * rng.unit() - 1.0));
                    let w_ind: Vec<f64> = base_ind.iter().map(|&w| jitter(w)).collect();
                    let w_dim: Vec<f64> = base_dim.iter().map(|&w| jitter(w)).collect();
                    let pick = rng.next_u64();
                    let how = normalisations[(pick % normalisations.len() as u64) as usize];
                    let agg = aggregations[((pick >> 32) % aggregations.len() as u64) as usize];
                    let values = &variants
                        .iter()
                        .find(|(h, a, _)| *h == how && *a == agg)
                        .expect("every combination is prepared")
                        .2;
                    let geometric = agg == Aggregation::Geometric;
                    let mut scratch = vec![(0.0, 0.0); w_dim.len()];
                    for (r, score) in scores.iter_mut().enumerate() {
                        let row = values[r * k..(r + 1) * k].iter().map(|&v| v as f64);
                        *score =
                            aggregate_region(row, &dim_of, &w_ind, &w_dim, geometric, &mut scratch)
                                as f32;
                    }
                    rank_f32_into(scores, keys, spare, draw_ranks);
                },
            );
        let batch = &batch;
        store
            .par_chunks_mut(draws * RANK_BYTES)
            .enumerate()
            .for_each(|(r, region)| {
                for offset in 0..size {
                    let at = (first + offset) * RANK_BYTES;
                    region[at..at + RANK_BYTES]
                        .copy_from_slice(&batch[offset * n + r].to_le_bytes()[..RANK_BYTES]);
                }
            });
    }
    drop(batch);

    let limit = s.unstable_share * n as f64;
    Ok(store
        .par_chunks(draws * RANK_BYTES)
        .map_init(
            || vec![0u32; draws],
            |buf, region| {
                for (slot, bytes) in buf.iter_mut().zip(region.chunks_exact(RANK_BYTES)) {
                    let mut b = [0u8; 4];
                    b[..RANK_BYTES].copy_from_slice(bytes);
                    *slot = u32::from_le_bytes(b);
                }
                let median = nearest_rank(buf, 0.5);
                let p5 = nearest_rank(buf, 0.05);
                let p95 = nearest_rank(buf, 0.95);
                RankRange {
                    median,
                    p5,
                    p95,
                    unstable: (p95 - p5) as f64 > limit,
                }
            },
        )
        .collect())
}

/// Draws computed together before their ranks are moved into region-major storage.
const RANK_BATCH: usize = 16;

/// Ranks (1 = highest) of f32 scores for the sensitivity draws: the key is the score's
/// order-preserving bits (inverted for descending, NaN last) above the region index, sorted
/// by a stable LSD radix sort over the score bytes only — the index bytes start in order.
fn rank_f32_into(scores: &[f32], keys: &mut [u64], spare: &mut [u64], ranks: &mut [u32]) {
    for (i, (key, s)) in keys.iter_mut().zip(scores).enumerate() {
        let descending = if s.is_nan() {
            u32::MAX
        } else {
            let bits = s.to_bits();
            let ascending = if bits >> 31 == 1 {
                !bits
            } else {
                bits | (1 << 31)
            };
            !ascending
        };
        *key = (u64::from(descending) << 32) | i as u64;
    }
    let (mut from, mut to) = (keys, spare);
    for byte in 4..8 {
        let shift = byte * 8;
        let mut counts = [0usize; 256];
        for k in from.iter() {
            counts[((k >> shift) & 0xFF) as usize] += 1;
        }
        let mut start = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = start;
            start += n;
        }
        for &k in from.iter() {
            let b = ((k >> shift) & 0xFF) as usize;
            to[counts[b]] = k;
            counts[b] += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    // Four passes: the sorted keys are back in `keys`.
    for (pos, k) in from.iter().enumerate() {
        ranks[(k & 0xFFFF_FFFF) as usize] = pos as u32 + 1;
    }
}

/// The nearest-rank percentile (the ⌈p·N⌉-th smallest value).
fn nearest_rank(values: &mut [u32], p: f64) -> u32 {
    let at = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1;
    *values.select_nth_unstable(at).1
}

fn other_normalisation(n: Normalisation) -> Normalisation {
    match n {
        Normalisation::MinMax => Normalisation::Rank,
        Normalisation::Rank => Normalisation::MinMax,
    }
}

fn other_aggregation(a: Aggregation) -> Aggregation {
    match a {
        Aggregation::Arithmetic => Aggregation::Geometric,
        Aggregation::Geometric => Aggregation::Arithmetic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|x| Some(*x)).collect()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-6, "{a} != {b}");
    }

    #[test]
    fn skew_and_kurtosis_match_excel() {
        // Excel: SKEW(1,2,3,4,100) = 2.23240, KURT(1,2,3,4,100) = 4.98687
        let (s, k) = skew_kurtosis(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        close(s, 2.232_395_911_6);
        close(k, 4.986_865_957_2);
        assert!(skew_kurtosis(&[1.0, 1.0, 1.0, 1.0]).is_none());
        assert!(skew_kurtosis(&[1.0, 2.0, 3.0]).is_none());
    }

    #[test]
    fn winsorises_the_extreme_value_to_the_next_one() {
        let mut c = col(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        let report = winsorise("x", &mut c, &Treatment::default());
        assert_eq!(report.winsorised, 1);
        assert_eq!(c, col(&[1.0, 2.0, 3.0, 4.0, 4.0]));
        assert!(!report.still_outside);
        // Not heavy-tailed: left alone.
        let mut c = col(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(winsorise("x", &mut c, &Treatment::default()).winsorised, 0);
    }

    #[test]
    fn min_max_and_rank_respect_direction() {
        let c = vec![Some(10.0), Some(20.0), None, Some(30.0)];
        let up = normalise(&c, Direction::HigherIsPriority, Normalisation::MinMax);
        assert_eq!(up[0], 0.0);
        assert_eq!(up[1], 50.0);
        assert!(up[2].is_nan());
        assert_eq!(up[3], 100.0);
        let down = normalise(&c, Direction::LowerIsPriority, Normalisation::MinMax);
        assert_eq!((down[0], down[3]), (100.0, 0.0));
        let rank = normalise(
            &col(&[5.0, 1.0, 5.0]),
            Direction::HigherIsPriority,
            Normalisation::Rank,
        );
        // 1 → rank 0; the two 5s share ranks 1 and 2 → 1.5 / 2 × 100.
        assert_eq!(rank, vec![75.0, 0.0, 75.0]);
    }

    fn two_dimensions() -> Method {
        let mut m = Method::equal(&[
            ("desil12", "poverty", Direction::HigherIsPriority),
            ("ppks", "poverty", Direction::HigherIsPriority),
            ("lks_capacity", "services", Direction::LowerIsPriority),
        ]);
        m.treatment.max_points = 0;
        m
    }

    #[test]
    fn arithmetic_index_by_hand() {
        // Region 0: desil 0, ppks 0, capacity 10 (lowest → 100).
        // Region 1: desil 100, ppks 50, capacity 20 → 0.
        // Region 2: desil 50, ppks 100, capacity 15 → 50.
        let cols = vec![
            col(&[0.0, 1.0, 0.5]),
            col(&[2.0, 3.0, 4.0]),
            col(&[10.0, 20.0, 15.0]),
        ];
        let idx = index(&two_dimensions(), &cols).unwrap();
        // poverty = mean of the two, index = mean of the two dimensions.
        let s: Vec<f64> = idx.regions.iter().map(|r| r.score.unwrap()).collect();
        close(s[0], (0.0 + 100.0) / 2.0); // poverty 0, services 100
        close(s[1], (75.0 + 0.0) / 2.0);
        close(s[2], (75.0 + 50.0) / 2.0);
        assert_eq!(idx.ranked(), vec![2, 0, 1]);
        for r in &idx.regions {
            close(r.contributions.iter().sum(), r.score.unwrap());
        }
        // Region 2: desil 50 × ¼, ppks 100 × ¼, capacity 50 × ½.
        close(idx.regions[2].contributions[0], 12.5);
        close(idx.regions[2].contributions[1], 25.0);
        close(idx.regions[2].contributions[2], 25.0);
    }

    #[test]
    fn weights_and_missing_values_by_hand() {
        let mut m = two_dimensions();
        m.dimensions[0].weight = 3.0; // poverty 3 : services 1
        let cols = vec![
            col(&[0.0, 1.0, 0.5]),
            vec![Some(2.0), None, Some(4.0)],
            vec![None, None, None],
        ];
        let idx = index(&m, &cols).unwrap();
        // No services figure anywhere: the index is the poverty dimension alone.
        close(idx.regions[0].score.unwrap(), 0.0);
        // Region 1 has only desil (100).
        close(idx.regions[1].score.unwrap(), 100.0);
        close(idx.regions[2].score.unwrap(), (50.0 + 100.0) / 2.0);
        assert_eq!(idx.regions[1].contributions, vec![100.0, 0.0, 0.0]);
        let empty = index(&m, &[vec![None], vec![None], vec![None]]).unwrap();
        assert_eq!(empty.regions[0].score, None);
    }

    #[test]
    fn geometric_index_by_hand() {
        let mut m = Method::equal(&[
            ("a", "d", Direction::HigherIsPriority),
            ("b", "d", Direction::HigherIsPriority),
        ]);
        m.aggregation = Aggregation::Geometric;
        let cols = vec![col(&[0.0, 1.0]), col(&[1.0, 0.0])];
        let idx = index(&m, &cols).unwrap();
        // Region 0: scores 0 and 100 shifted to 1 and 100 → √100 = 10.
        close(idx.regions[0].score.unwrap(), 10.0);
        close(idx.regions[1].score.unwrap(), 10.0);
        close(idx.regions[0].contributions.iter().sum(), 10.0);
        // Arithmetic would give 50: the geometric mean penalises imbalance.
    }

    #[test]
    fn rejects_a_malformed_method() {
        let m = two_dimensions();
        assert_eq!(index(&m, &[col(&[1.0])]), Err(MethodError::ColumnCount));
        let mut bad = m.clone();
        bad.indicators[0].dimension = "nowhere".into();
        let cols = vec![col(&[1.0]), col(&[1.0]), col(&[1.0])];
        assert!(matches!(
            index(&bad, &cols),
            Err(MethodError::UnknownDimension(_))
        ));
        let mut neg = m;
        neg.indicators[0].weight = -1.0;
        assert!(matches!(index(&neg, &cols), Err(MethodError::Weight(_))));
    }

    #[test]
    fn method_round_trips_as_json() {
        let m = two_dimensions();
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains("\"lower_is_priority\""));
        assert_eq!(serde_json::from_str::<Method>(&json).unwrap(), m);
    }

    #[test]
    fn sensitivity_is_seeded_and_finds_unstable_ranks() {
        // Region 0 leads on every indicator: its rank never moves. Regions 1 and 2 trade
        // places depending on the weights.
        let cols = vec![
            col(&[10.0, 6.0, 4.0, 0.0]),
            col(&[10.0, 4.0, 6.0, 0.0]),
            col(&[10.0, 5.0, 5.0, 0.0]),
        ];
        let m = Method::equal(&[
            ("a", "d1", Direction::HigherIsPriority),
            ("b", "d2", Direction::HigherIsPriority),
            ("c", "d3", Direction::HigherIsPriority),
        ]);
        let s = Sensitivity {
            draws: 200,
            unstable_share: 0.2,
            ..Sensitivity::default()
        };
        let a = sensitivity(&m, &cols, &s).unwrap();
        assert_eq!(a, sensitivity(&m, &cols, &s).unwrap());
        assert_eq!(
            a[0],
            RankRange {
                median: 1,
                p5: 1,
                p95: 1,
                unstable: false
            }
        );
        assert_eq!(
            a[3],
            RankRange {
                median: 4,
                p5: 4,
                p95: 4,
                unstable: false
            }
        );
        for r in &a[1..3] {
            assert_eq!((r.p5, r.p95), (2, 3));
            assert!(r.unstable);
        }
        let other = sensitivity(&m, &cols, &Sensitivity { seed: 7, ..s }).unwrap();
        assert_eq!(other[0].median, 1);
    }

    #[test]
    fn radix_ranks_match_a_sort() {
        let scores = [3.5f32, -1.0, f32::NAN, 3.5, 100.0, 0.0, -0.0, 7.25];
        let n = scores.len();
        let (mut keys, mut spare, mut ranks) = (vec![0; n], vec![0; n], vec![0; n]);
        rank_f32_into(&scores, &mut keys, &mut spare, &mut ranks);
        // 100 first, 7.25, the two 3.5 in region order, 0.0 and −0.0 (−0 below +0), −1, NaN.
        assert_eq!(ranks, vec![3, 7, 8, 4, 1, 5, 6, 2]);
        let wide: Vec<f64> = scores.iter().map(|&s| s as f64).collect();
        let mut by_sort = vec![0; n];
        rank_into(&wide, &mut Vec::new(), &mut by_sort);
        assert_eq!(ranks, by_sort);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<u32> = (1..=100).rev().collect();
        assert_eq!(nearest_rank(&mut v, 0.05), 5);
        assert_eq!(nearest_rank(&mut v, 0.5), 50);
        assert_eq!(nearest_rank(&mut v, 0.95), 95);
    }
}
