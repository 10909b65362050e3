//! Region look-ups, children with counts, and name search, in-process through the Store API.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use sinergi_core::{Level, RegionCode, RegionEntry, RegionQuery, normalize_region_name};
use sinergi_store::{Page, Store};

use crate::stats::{Summary, XorShift};

/// Fixed searches a user of the NTB pilot would type, mixed into the random ones.
pub const FIXED_QUERIES: [&str; 5] = [
    "Kota Bima",
    "Kab. Lombok Timur",
    "masbagik",
    "lombok",
    "Kabupaten Aceh Selatan",
];
pub const SEARCH_PAGE_SIZE: u32 = 20;
const SEED: u64 = 0x5EED_2026_1122;

/// The calls to make, drawn once so both backends answer exactly the same ones.
pub struct Workload {
    pub codes: Vec<RegionCode>,
    pub kabkota: Vec<RegionCode>,
    pub queries: Vec<String>,
}

pub struct Sizes {
    pub lookups: usize,
    pub children: usize,
    pub searches: usize,
}

impl Workload {
    pub fn new(list: &[RegionEntry], sizes: &Sizes) -> Workload {
        let mut rng = XorShift::new(SEED);
        let codes = (0..sizes.lookups)
            .map(|_| list[rng.below(list.len())].code.clone())
            .collect();
        let kk: Vec<&RegionEntry> = list
            .iter()
            .filter(|e| e.code.level() == Level::KabKota)
            .collect();
        let kabkota = (0..sizes.children)
            .map(|_| kk[rng.below(kk.len())].code.clone())
            .collect();
        let queries = (0..sizes.searches)
            .map(|i| {
                if i % 10 == 0 {
                    FIXED_QUERIES[(i / 10) % FIXED_QUERIES.len()].to_string()
                } else {
                    let name = normalize_region_name(&list[rng.below(list.len())].name);
                    name.split(' ').next().unwrap_or_default().to_string()
                }
            })
            .collect();
        Workload {
            codes,
            kabkota,
            queries,
        }
    }
}

/// One measured operation.
pub struct OpResult {
    pub name: &'static str,
    pub summary: Summary,
    pub note: String,
}

/// Times every call of the workload, one at a time, after a short untimed warm-up.
pub async fn run(
    store: &Store,
    w: &Workload,
    expected_regions: u64,
) -> anyhow::Result<Vec<OpResult>> {
    let count = store.region_count().await?;
    ensure!(
        count == expected_regions,
        "{}: {count} regions, expected {expected_regions}",
        store.describe()
    );

    // Warm-up: fill caches and the connection pool, untimed.
    for code in w.codes.iter().take(500) {
        store.region(code).await?;
    }
    for code in w.kabkota.iter().take(50) {
        store.region_children(Some(code)).await?;
        store.region_counts_below(Some(code)).await?;
    }
    for q in w.queries.iter().take(20) {
        if let Some(q) = RegionQuery::parse(q) {
            store.search_regions(&q, page()).await?;
        }
    }

    let mut out = Vec::new();

    let mut times = Vec::with_capacity(w.codes.len());
    for code in &w.codes {
        let t = Instant::now();
        let found = store.region(code).await?;
        times.push(t.elapsed());
        ensure!(found.is_some(), "region {code} not found");
    }
    out.push(OpResult {
        name: "`region(code)`",
        summary: summary(&times)?,
        note: "random code, any level".to_string(),
    });

    let mut times = Vec::with_capacity(w.kabkota.len());
    let mut children = 0usize;
    for code in &w.kabkota {
        let t = Instant::now();
        let kids = store.region_children(Some(code)).await?;
        let below = store.region_counts_below(Some(code)).await?;
        times.push(t.elapsed());
        ensure!(
            !kids.is_empty() && below.kecamatan > 0,
            "kab/kota {code} has no children"
        );
        children += kids.len();
    }
    out.push(OpResult {
        name: "`region_children` + `region_counts_below`",
        summary: summary(&times)?,
        note: format!(
            "random kab/kota, {:.1} kecamatan each on average",
            children as f64 / w.kabkota.len().max(1) as f64
        ),
    });

    let mut times = Vec::with_capacity(w.queries.len());
    let mut hits = 0u64;
    for q in &w.queries {
        let parsed = RegionQuery::parse(q).with_context(|| format!("empty query {q:?}"))?;
        let t = Instant::now();
        let paged = store.search_regions(&parsed, page()).await?;
        times.push(t.elapsed());
        hits += paged.total;
    }
    out.push(OpResult {
        name: "`search_regions` (page of 20)",
        summary: summary(&times)?,
        note: format!(
            "first word of a random name, every 10th a fixed query; {:.0} matches on average",
            hits as f64 / w.queries.len().max(1) as f64
        ),
    });
    Ok(out)
}

fn page() -> Page {
    Page::new(Some(1), Some(SEARCH_PAGE_SIZE), SEARCH_PAGE_SIZE)
}

fn summary(times: &[Duration]) -> anyhow::Result<Summary> {
    Summary::of(times).context("no calls measured")
}
