//! Issue 7: overlap and gap analysis over every desa of Indonesia (83,762) × 10,000 programs,
//! in memory (`sinergi-insight`); and the 4W page for a province with 2,000 programs (HTML
//! size, server time p50/p99) on SQLite and PostgreSQL through the real web stack.
//!
//!   bench-4w [--runs N] [--requests N] [--postgres URL|skip]

#[allow(dead_code)]
#[path = "../machine.rs"]
mod machine;
#[allow(dead_code)]
#[path = "../pg.rs"]
mod pg;
#[allow(dead_code)]
#[path = "../stats.rs"]
mod stats;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    TargetGroup,
};
use sinergi_core::{Level, RegionCode, Role, Scope};
use sinergi_insight::{Columns, DesaColumns, GapRules, ProgramFacts, analyse};
use sinergi_store::{DatabaseTarget, NewUser, OrganisationKind, Store, ThrottlePolicy};
use stats::{Summary, XorShift, ms};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn date(rng: &mut XorShift) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(rng.below(720) as i64)
}

/// Desa codes grouped by kab/kota, from the embedded register.
fn desa_by_kabkota() -> (Vec<String>, Vec<std::ops::Range<usize>>) {
    let mut codes: Vec<String> = sinergi_refdata::wilayah()
        .expect("embedded regions")
        .into_iter()
        .filter(|e| e.code.level() == Level::Desa)
        .map(|e| e.code.to_string())
        .collect();
    codes.sort();
    let mut ranges = Vec::new();
    let mut start = 0;
    for i in 1..=codes.len() {
        if i == codes.len() || codes[i][..5] != codes[start][..5] {
            ranges.push(start..i);
            start = i;
        }
    }
    (codes, ranges)
}

fn analysis_bench(runs: usize) {
    let (codes, kabkota) = desa_by_kabkota();
    let n = codes.len();
    let mut rng = XorShift::new(2025);
    let families: Vec<f32> = (0..n).map(|_| 50.0 + rng.below(950) as f32).collect();
    let desil1: Vec<f32> = families
        .iter()
        .map(|f| f * rng.below(45) as f32 / 100.0)
        .collect();
    let extreme: Vec<bool> = (0..n).map(|_| rng.below(20) == 0).collect();
    let ppks: Vec<f32> = (0..n).map(|_| rng.below(120) as f32).collect();
    let mut programs = Vec::with_capacity(10_000);
    let mut locations = Vec::new();
    let mut planned_by_kabkota: HashMap<String, u64> = HashMap::new();
    for i in 0..10_000 {
        let start = date(&mut rng);
        let from = 1 + rng.below(3) as u8;
        programs.push(ProgramFacts {
            id: i as i64,
            organisation: rng.below(400) as i64,
            sector: Sector::ALL[rng.below(Sector::ALL.len())],
            start,
            end: start + chrono::Duration::days(90 + rng.below(600) as i64),
            target: TargetGroup {
                desil_from: from,
                desil_to: from + rng.below(4) as u8,
                ..TargetGroup::default()
            },
        });
        // Programs cluster in a kab/kota: 3–40 desa each (about 215,000 locations).
        let k = &kabkota[rng.below(kabkota.len())];
        let places = 3 + rng.below(38);
        for _ in 0..places {
            let d = k.start + rng.below(k.len());
            locations.push((i as u32, d as u32));
            *planned_by_kabkota
                .entry(codes[d][..5].to_string())
                .or_default() += 50;
        }
    }
    locations.sort_unstable();
    locations.dedup();
    let cols = Columns {
        desa: DesaColumns {
            codes,
            families,
            desil1,
            extreme_target: extreme,
            ppks,
        },
        programs,
        locations,
        planned_by_kabkota,
    };
    let rules = GapRules::default();
    let _ = analyse(&cols, &rules);
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let a = analyse(&cols, &rules);
        times.push(t.elapsed());
        last = Some(a);
    }
    let a = last.unwrap();
    let s = Summary::of(&times).unwrap();
    println!("### Overlap and gap analysis, all of Indonesia\n");
    println!(
        "{} desa × {} programs with {} desa-level locations (3–40 desa per program, clustered in one kab/kota; 9 sectors; 400 partners), in memory, `rayon` on {} threads; {} runs after one warm-up.\n",
        cols.desa.len(),
        cols.programs.len(),
        cols.locations.len(),
        rayon::current_num_threads(),
        runs
    );
    println!(
        "| p50 (ms) | p99 (ms) | min (ms) | max (ms) | desa with overlap | partner pairs | unreached desa in need | target |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---|");
    println!(
        "| {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} | ≤ 1,000 ms: {} |\n",
        ms(s.p50),
        ms(s.p99),
        ms(s.min),
        ms(s.max),
        a.overlaps.len(),
        a.introductions.len(),
        a.gaps.len(),
        if s.p99 <= Duration::from_secs(1) {
            "met"
        } else {
            "NOT MET"
        }
    );
}

fn http_get(addr: &str, path: &str, cookie: &str) -> (u16, usize) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf);
    let status = text[9..12].parse().unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or(0, |(_, b)| b.len());
    (status, body)
}

async fn page_bench(label: &str, target: DatabaseTarget, requests: usize) -> anyhow::Result<()> {
    let store = Store::open(target).await?;
    let list = sinergi_refdata::wilayah()?;
    store
        .apply_region_list(
            &list,
            sinergi_refdata::wilayah_effective_date(),
            sinergi_refdata::WILAYAH_SOURCE,
        )
        .await?;
    let ntb = RegionCode::parse("52")?;
    let desa: Vec<RegionCode> = list
        .iter()
        .filter(|e| e.code.level() == Level::Desa && ntb.contains(&e.code))
        .map(|e| e.code.clone())
        .collect();
    let mut orgs = Vec::new();
    for i in 0..40 {
        orgs.push(
            store
                .as_system("cli")
                .create_organisation(OrganisationKind::Mitra, &format!("Mitra {i:02}"), &ntb)
                .await?,
        );
    }
    let mut rng = XorShift::new(7);
    let mut inputs = Vec::new();
    for i in 0..2_000 {
        let start = date(&mut rng);
        let first = rng.below(desa.len().saturating_sub(40));
        let mut locations: Vec<ProgramLocation> = (0..3 + rng.below(10))
            .map(|_| ProgramLocation {
                region: desa[first + rng.below(40)].clone(),
                planned: 10 + rng.below(200) as u64,
                reached: 0,
            })
            .collect();
        locations.sort_by(|a, b| a.region.cmp(&b.region));
        locations.dedup_by(|a, b| a.region == b.region);
        inputs.push(ProgramInput {
            organisation_id: orgs[rng.below(orgs.len())],
            code: format!("P{i:04}"),
            name: format!("Program {i}"),
            sector: Sector::ALL[rng.below(Sector::ALL.len())],
            ppks: vec![],
            aid_type: AidType::Barang,
            funding: FundingSource::ALL[rng.below(FundingSource::ALL.len())],
            budget_rp: 1_000_000 * (1 + rng.below(500) as u64),
            start,
            end: start + chrono::Duration::days(180),
            status: ProgramStatus::Berjalan,
            target: TargetGroup::default(),
            planned: 0,
            reached: Reached::default(),
            locations,
        });
    }
    store.as_system("bench").save_programs(&inputs).await?;
    store
        .as_system("cli")
        .create_user(NewUser {
            username: "admin.bench".into(),
            display_name: "admin".into(),
            password: "kata-sandi-bench-1".into(),
            role: Role::AdminProvinsi,
            scope: Scope {
                regions: vec![ntb],
                organisation: None,
            },
        })
        .await?;
    let session = store
        .login(
            "admin.bench",
            "kata-sandi-bench-1",
            "127.0.0.1",
            &ThrottlePolicy::default(),
        )
        .await?
        .map_err(|e| anyhow::anyhow!("login: {e:?}"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let state = sinergi_web::AppState::new(store.clone());
    tokio::spawn(sinergi_web::serve(listener, state, std::future::pending()));
    let cookie = format!("sinergi_sesi={}", session.token);
    println!("### The 4W page, NTB with 2,000 programs ({label})\n");
    println!(
        "2,000 programs of 40 partners over {} NTB desa (3–12 desa each), signed in as the provincial admin; one request at a time over HTTP/1.1 after 3 warm-ups, {} requests per page. Server time = request to last byte, measured at the client on the same machine. CSS is served separately ({} bytes, cached).\n",
        desa.len(),
        requests,
        sinergi_web::css_len()
    );
    println!("| page | HTML (bytes) | p50 (ms) | p99 (ms) | max (ms) |");
    println!("|---|---:|---:|---:|---:|");
    for path in [
        "/4w",
        "/4w?tingkat=kecamatan",
        "/4w?tingkat=desa",
        "/4w?tingkat=desa&hal=15",
        "/4w?tingkat=desa&kolom=mitra&nilai=anggaran",
        "/4w/analisis",
    ] {
        let (a, p) = (addr.clone(), path.to_string());
        let c = cookie.clone();
        let results = tokio::task::spawn_blocking(move || {
            for _ in 0..3 {
                http_get(&a, &p, &c);
            }
            (0..requests)
                .map(|_| {
                    let t = Instant::now();
                    let (status, size) = http_get(&a, &p, &c);
                    assert_eq!(status, 200, "{p}");
                    (t.elapsed(), size)
                })
                .collect::<Vec<_>>()
        })
        .await?;
        let times: Vec<Duration> = results.iter().map(|r| r.0).collect();
        let s = Summary::of(&times).unwrap();
        println!(
            "| `{path}` | {} | {:.1} | {:.1} | {:.1} |",
            results[0].1,
            ms(s.p50),
            ms(s.p99),
            ms(s.max)
        );
    }
    println!();
    Ok(())
}

fn postgres_arg() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--postgres") {
        Some(i) => args.get(i + 1).filter(|v| *v != "skip").cloned(),
        None => Some("postgres://postgres@127.0.0.1:5432/test".into()),
    }
}

fn main() -> anyhow::Result<()> {
    let m = machine::Machine::describe("bundled by sqlx".into());
    println!(
        "## Issue 7 — programs and the 4W map ({}, {} cores, {})\n",
        m.date, m.nproc, m.cpu
    );
    println!(
        "Commit {}; load average at start {}. Other helpers were compiling on the same 2 cores: timings are noisy.\n",
        m.commit, m.load_start
    );
    analysis_bench(arg("--runs", 10));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let requests = arg("--requests", 200);
    let dir = tempfile::tempdir()?;
    rt.block_on(page_bench(
        "SQLite",
        DatabaseTarget::Sqlite(dir.path().join("b.db")),
        requests,
    ))?;
    match postgres_arg() {
        None => println!("PostgreSQL: NOT MEASURED (--postgres skip)\n"),
        Some(url) => match rt.block_on(pg::server_version(&url)) {
            Err(e) => println!("PostgreSQL: NOT MEASURED ({url} unreachable: {e})\n"),
            Ok(version) => {
                let mut dbs = pg::PgDatabases::new(&rt, &url);
                let db = dbs.fresh()?;
                println!("PostgreSQL {version}, local server on the same machine.\n");
                rt.block_on(page_bench(
                    "PostgreSQL",
                    DatabaseTarget::Postgres(db),
                    requests,
                ))?;
            }
        },
    }
    println!("Load average at end {}.", machine::load_average());
    Ok(())
}
