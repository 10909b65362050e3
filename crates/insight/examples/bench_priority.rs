//! Issue 22 benchmark: the Indeks Prioritas with its sensitivity draws over all 83,762 desa
//! (target ≤ 5 s, ≤ 300 MB peak), and the data-quality scorecard recomputed for a province
//! (10 kab/kota) and for all 514 kab/kota, each with 30 indicators × 20 quarters.
//! Synthetic columns, seeded; run through `scripts/bench-priority.sh`.
//!
//!   bench_priority [--desa N] [--draws N]

use std::time::Instant;

use sinergi_insight::priority::{Direction, Method, Sensitivity, index, sensitivity};
use sinergi_insight::quality::{QualityRules, RegionCounts, Series, scorecard};

/// A tiny seeded generator (xorshift64*), enough for synthetic columns.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU seconds (user + system) this process has used: on a shared machine the wall time
/// depends on the neighbours, the CPU time does not.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<f64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    (fields.get(11).unwrap_or(&0.0) + fields.get(12).unwrap_or(&0.0)) / 100.0
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let desa = arg("--desa", 83_762);
    let draws = arg("--draws", 1_000);
    let mut rng = Rng(0x5EED_2022);
    let method = Method::equal(&[
        ("desil_1_2_share", "kemiskinan", Direction::HigherIsPriority),
        (
            "extreme_poverty_share",
            "kemiskinan",
            Direction::HigherIsPriority,
        ),
        ("ppks_per_1000", "kerentanan", Direction::HigherIsPriority),
        ("stunting_rate", "kerentanan", Direction::HigherIsPriority),
        ("reach_gap", "layanan", Direction::HigherIsPriority),
        (
            "lks_capacity_per_need",
            "layanan",
            Direction::LowerIsPriority,
        ),
    ]);
    // A latent need per desa drives every indicator (as real poverty figures move together),
    // plus noise; one heavy-tailed count per population (Pareto) and 5 % missing figures.
    let need: Vec<f64> = (0..desa).map(|_| rng.unit()).collect();
    let columns: Vec<Vec<Option<f64>>> = (0..method.indicators.len())
        .map(|i| {
            need.iter()
                .map(|&latent| {
                    let u = 0.7 * latent + 0.3 * rng.unit();
                    let u = if i == 5 { 1.0 - u } else { u };
                    if rng.unit() < 0.05 {
                        None
                    } else if i == 2 {
                        Some(10.0 * (1.0 - 0.99 * u).powf(-1.0 / 2.5))
                    } else {
                        Some(u)
                    }
                })
                .collect()
        })
        .collect();
    let rss_data = peak_rss_mb();

    let (t, cpu) = (Instant::now(), cpu_seconds());
    let idx = index(&method, &columns).expect("valid method");
    let index_s = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let s = Sensitivity {
        draws,
        ..Sensitivity::default()
    };
    let ranges = sensitivity(&method, &columns, &s).expect("valid method");
    let sens_s = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let unstable = ranges.iter().filter(|r| r.unstable).count();
    let rss = peak_rss_mb();

    println!("## Issue 22 — Indeks Prioritas and the data-quality scorecard\n");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "Load average at the end: {}\n",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "Build: {}; threads: {}\n",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        rayon::current_num_threads()
    );
    println!("| step | regions | figure |\n|---|---|---|");
    println!(
        "| index (treatment, normalisation, aggregation, contributions) | {desa} | {:.3} s wall, {:.2} s CPU |",
        index_s.0, index_s.1
    );
    println!(
        "| sensitivity, {draws} draws (weights ±20 %, min–max/rank, arithmetic/geometric) | {desa} | {:.3} s wall, {:.2} s CPU |",
        sens_s.0, sens_s.1
    );
    println!(
        "| peak RSS (VmHWM), whole run | {desa} | {:.0} MB (input columns alone {:.0} MB) |",
        rss, rss_data
    );
    println!("| unstable ranks (5–95 % range > 10 % of regions) | {desa} | {unstable} |");
    println!(
        "| winsorised points (ppks_per_1000) | {desa} | {} |",
        idx.treatment[2].winsorised
    );

    for (label, regions) in [("province (10 kab/kota)", 10usize), ("all kab/kota", 514)] {
        let counts: Vec<RegionCounts> = (0..regions)
            .map(|_| RegionCounts {
                realisation_expected: 600,
                realisation_entered: 500 + (rng.unit() * 100.0) as u64,
                realisation_on_time: 400 + (rng.unit() * 100.0) as u64,
                lks_reports_due: 240,
                lks_reports_received: 200 + (rng.unit() * 40.0) as u64,
                lks_reports_on_time: 150 + (rng.unit() * 50.0) as u64,
                list_rows: 100_000,
                list_rows_complete: 95_000 + (rng.unit() * 5_000.0) as u64,
                list_rows_read: 103_000,
                nik_refused: (rng.unit() * 3_000.0) as u64,
                nik_warned: (rng.unit() * 8_000.0) as u64,
                duplicates: (rng.unit() * 2_000.0) as u64,
            })
            .collect();
        let periods: Vec<String> = (0..20)
            .map(|q| format!("{}-Q{}", 2022 + q / 4, q % 4 + 1))
            .collect();
        let series: Vec<Series> = (0..regions)
            .flat_map(|r| (0..30).map(move |i| (r, i)))
            .map(|(r, i)| Series {
                region: r,
                indicator: format!("IND-{i:02}"),
                periods: periods.clone(),
                values: (0..20)
                    .map(|_| {
                        let v = 100.0 + rng.unit() * 20.0;
                        if rng.unit() < 0.01 { v * 10.0 } else { v }
                    })
                    .collect(),
            })
            .collect();
        let rules = QualityRules::default();
        let mut times = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let card = scorecard(&rules, &counts, &series, &[]);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(card);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| scorecard recomputation, {label}, 30 indicators × 20 quarters (median of 20 / max) | {regions} | {:.2} ms / {:.2} ms |",
            times[10], times[19]
        );
    }
}
