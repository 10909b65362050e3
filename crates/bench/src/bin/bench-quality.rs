//! Issue 22: the data-quality scorecard's server time, through the use case the pages call,
//! for a province (10 kab/kota × 30 indicators × 20 quarters, with `--rows` person-list rows;
//! 1,000,000 for the figure) and for 514 kab/kota, on SQLite and PostgreSQL: the
//! recomputation (gathering and grading, then keeping it) and the read of the kept scorecard
//! (fingerprint check, kept rows, follow-ups) p50/p99.
//!
//!   bench-quality [--rows N] [--reads N] [--postgres URL|skip]

#[allow(dead_code)]
#[path = "../machine.rs"]
mod machine;
#[allow(dead_code)]
#[path = "../pg.rs"]
mod pg;
#[allow(dead_code)]
#[path = "../stats.rs"]
mod stats;

use std::time::{Duration, Instant};

use anyhow::Context;
use sinergi_activity::quality::{ScorecardAsk, scorecard};
use sinergi_core::strategy::Direction;
use sinergi_core::{
    LegalBasis, Level, Nik, Period, PersonInput, Principal, RegionCode, Role, Scope, Viewer,
};
use sinergi_store::{
    DatabaseTarget, EntryMethod, IndicatorFields, NATIONAL, NewPersonList, NewRealisation, NewUser,
    OrganisationKind, PiiKey, SourceType, Store, Target,
};
use stats::{Summary, XorShift, ms};

const PASSWORD: &str = "kata-sandi-benchmark";
const INDICATORS: usize = 30;
const QUARTERS: usize = 20;
const LIST_CHUNK: usize = 50_000;

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-quality: {e:#}");
        std::process::exit(1);
    }
}

struct Options {
    postgres: Option<String>,
    rows: usize,
    reads: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        postgres: Some("postgres://postgres@127.0.0.1:5432/test".into()),
        rows: 1_000_000,
        reads: 200,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => o.rows = args.next().context("--rows N")?.parse()?,
            "--reads" => o.reads = args.next().context("--reads N")?.parse()?,
            "--postgres" => {
                let v = args.next().context("--postgres URL|skip")?;
                o.postgres = (v != "skip").then_some(v);
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(o)
}

/// An administrative indicator (the scorecard judges those entered, not surveys).
fn indicator(i: usize) -> IndicatorFields {
    IndicatorFields {
        code: format!("IK{:02}", i + 1),
        name: format!("Indikator benchmark {}", i + 1),
        definition: "Jumlah".into(),
        formula: "a".into(),
        unit: "orang".into(),
        direction: Direction::Higher,
        reference_code: None,
        data_source: "Dinas Sosial".into(),
        source_type: SourceType::Administrative,
        concept: format!("konsep{i}"),
        disaggregations: vec![],
        baseline_year: Some(2020),
        baseline_value: Some(20.0),
        baseline_source: None,
        pic: "LKKS".into(),
        pic_organisation_id: None,
        computation: None,
    }
}

/// A strategy over `top` with targets for every kab/kota and 20 quarters of realisation
/// (2021-Q1 to 2025-Q4), a few values missing and a few outlying.
async fn seed_strategy(store: &Store, top: &str, kabkota: &[String]) -> anyhow::Result<usize> {
    let store = &store.as_system("bench");
    let (sid, vid) = store
        .create_strategy(top, "Strategi benchmark", (2021, 2025), "Visi", &[])
        .await?;
    let o = store.add_objective(vid, "SS1", "Sasaran").await?;
    let mut areas = vec![sinergi_core::strategy::StrategyArea::parse(top)?];
    for k in kabkota {
        areas.push(sinergi_core::strategy::StrategyArea::parse(k)?);
    }
    for i in 0..INDICATORS {
        let id = store.add_indicator(o, &indicator(i)).await?;
        let targets: Vec<Target> = areas
            .iter()
            .flat_map(|a| {
                (2021..=2025).map(move |y| Target {
                    region: a.clone(),
                    year: y,
                    value: 100.0,
                })
            })
            .collect();
        store.set_targets(id, &targets).await?;
    }
    store.publish_version(vid).await?;
    let mut period = Period::quarter(2021, 1)?;
    let mut rng = XorShift::new(22);
    let mut count = 0;
    for _ in 0..QUARTERS {
        let mut rows = Vec::with_capacity(kabkota.len() * INDICATORS);
        for region in kabkota {
            for i in 0..INDICATORS {
                if rng.below(50) == 0 {
                    continue;
                }
                let outlier = rng.below(200) == 0;
                rows.push(NewRealisation {
                    line: 0,
                    indicator_code: format!("IK{:02}", i + 1),
                    disaggregation: String::new(),
                    region: region.clone(),
                    period,
                    source: "Dinas Sosial".into(),
                    value: if outlier {
                        900.0
                    } else {
                        90.0 + rng.below(20) as f64
                    },
                    drivers: String::new(),
                    obstacles: String::new(),
                    follow_up: String::new(),
                });
            }
        }
        count += rows.len();
        match store
            .save_realisations(sid, EntryMethod::Form, &rows)
            .await?
        {
            Ok(_) => {}
            Err(refused) => anyhow::bail!("seed refused: {:?}", &refused[..1]),
        }
        period = period.next().context("period")?;
    }
    Ok(count)
}

async fn user(store: &Store, name: &str, regions: Vec<RegionCode>) -> anyhow::Result<Principal> {
    store
        .as_system("cli")
        .create_user(NewUser {
            username: name.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            role: Role::Pimpinan,
            scope: Scope {
                regions,
                organisation: None,
            },
        })
        .await?;
    store.principal_by_username(name).await?.context("user")
}

/// `rows` person-list rows over NTB's desa, a tenth without birth date and sex.
async fn seed_lists(store: &Store, admin: &Principal, rows: usize) -> anyhow::Result<()> {
    let ntb = RegionCode::parse("52")?;
    let desa: Vec<RegionCode> = sinergi_refdata::wilayah()?
        .into_iter()
        .filter(|e| e.code.level() == Level::Desa && ntb.contains(&e.code))
        .map(|e| e.code)
        .collect();
    let mut orgs = Vec::new();
    for i in 0..10 {
        orgs.push(
            store
                .as_system("cli")
                .create_organisation(OrganisationKind::Mitra, &format!("Mitra {i}"), &ntb)
                .await?,
        );
    }
    let mut rng = XorShift::new(0x22);
    let mut done = 0;
    let mut serial = 0u32;
    while done < rows {
        let n = LIST_CHUNK.min(rows - done);
        let batch: Vec<PersonInput> = (0..n)
            .map(|i| {
                let region = desa[rng.below(desa.len())].clone();
                serial += 1;
                let kec = region.as_str()[..8].replace('.', "");
                let day = 1 + rng.below(28);
                let month = 1 + rng.below(12);
                let year = rng.below(100);
                let nik = format!("{kec}{day:02}{month:02}{year:02}{:04}", serial % 9999 + 1);
                let filled = rng.below(10) != 0;
                PersonInput {
                    line: i as u64 + 2,
                    name: "Warga".into(),
                    sex: filled.then_some(sinergi_core::Sex::Male),
                    birth_date: filled
                        .then(|| {
                            chrono::NaiveDate::from_ymd_opt(
                                1900 + year as i32 + if year < 26 { 100 } else { 0 },
                                month as u32,
                                day as u32,
                            )
                        })
                        .flatten(),
                    nik: Nik::parse(nik.as_str(), None).ok().map(|p| p.nik),
                    kk: None,
                    region,
                    extra: Default::default(),
                }
            })
            .collect();
        let new = NewPersonList {
            organisation_id: orgs[(done / LIST_CHUNK) % orgs.len()],
            name: format!("daftar {done}"),
            legal_basis: Some(LegalBasis::TugasPublik),
            reference: "benchmark".into(),
            source_file: None,
            content_hash: None,
            replaces: None,
        };
        store
            .as_user(admin)
            .import_person_list(&new, &batch, &|_| {})
            .await?
            .map_err(|_| anyhow::anyhow!("rows outside scope"))?;
        done += n;
    }
    Ok(())
}

/// Recomputations (each gathers, grades and keeps) and reads of the kept scorecard.
async fn measure(
    store: &Store,
    viewer: &Viewer,
    within: Option<RegionCode>,
    reads: usize,
) -> anyhow::Result<(Summary, Summary, usize)> {
    let ask = |recompute| ScorecardAsk {
        level: Level::KabKota,
        within: within.clone(),
        year: Some(2025),
        today: chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
        detail: false,
        recompute,
    };
    let mut recomputes = Vec::new();
    let mut regions = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let view = scorecard(store, viewer, &ask(true)).await?;
        recomputes.push(t.elapsed());
        regions = view.rows.len();
    }
    let mut samples: Vec<Duration> = Vec::with_capacity(reads);
    for i in 0..reads + 5 {
        let t = Instant::now();
        let view = scorecard(store, viewer, &ask(false)).await?;
        let took = t.elapsed();
        let kept = view.provenance.as_ref().is_some_and(|p| p.kept);
        anyhow::ensure!(kept, "read {i} was not served from the kept scorecard");
        if i >= 5 {
            samples.push(took);
        }
    }
    Ok((
        Summary::of(&recomputes).context("recomputes")?,
        Summary::of(&samples).context("reads")?,
        regions,
    ))
}

fn run() -> anyhow::Result<()> {
    let o = options()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let m = machine::Machine::describe(String::new());
    let mut out = format!(
        "### Data-quality scorecard, server time in the use case (issue 22)\n\n{} · {} · load at start {}\n\n\
         | backend | case | kab/kota | realisation rows | list rows | recompute p50 / max ms | kept read n | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|---|---|\n",
        m.date,
        m.short(),
        m.load_start
    );
    let mut pgs = o.postgres.as_deref().map(|u| pg::PgDatabases::new(&rt, u));
    let dir = tempfile::tempdir()?;
    let mut targets = vec![(
        "SQLite",
        DatabaseTarget::Sqlite(dir.path().join("bench.db")),
    )];
    if let Some(p) = pgs.as_mut() {
        targets.push(("PostgreSQL", DatabaseTarget::Postgres(p.fresh()?)));
    }
    for (label, target) in targets {
        let result: anyhow::Result<()> = rt.block_on(async {
            eprintln!("{label}: seeding…");
            let (key, _) = PiiKey::generate();
            let store = Store::open(target.clone()).await?.with_key(key).await?;
            let list = sinergi_refdata::wilayah().context("embedded regions")?;
            store
                .apply_region_list(
                    &list,
                    sinergi_refdata::wilayah_effective_date(),
                    sinergi_refdata::WILAYAH_SOURCE,
                )
                .await?;
            let kab_of = |p: &str| -> Vec<String> {
                list.iter()
                    .filter(|e| e.code.level() == Level::KabKota && e.code.as_str().starts_with(p))
                    .map(|e| e.code.to_string())
                    .collect()
            };
            let ntb_kab = kab_of("52.");
            let all_kab = kab_of("");
            let t = Instant::now();
            let ntb_rows = seed_strategy(&store, "52", &ntb_kab).await?;
            let national_rows = seed_strategy(&store, NATIONAL, &all_kab).await?;
            let provinces: Vec<RegionCode> = list
                .iter()
                .filter(|e| e.code.level() == Level::Provinsi)
                .map(|e| e.code.clone())
                .collect();
            let admin = {
                store
                    .as_system("cli")
                    .create_user(NewUser {
                        username: "admin".into(),
                        display_name: "admin".into(),
                        password: PASSWORD.into(),
                        role: Role::AdminProvinsi,
                        scope: Scope {
                            regions: vec![RegionCode::parse("52")?],
                            organisation: None,
                        },
                    })
                    .await?;
                store.principal_by_username("admin").await?.context("admin")?
            };
            seed_lists(&store, &admin, o.rows).await?;
            eprintln!("  seeded in {:.1} s", t.elapsed().as_secs_f64());
            let ntb_board = user(&store, "pimpinan.ntb", vec![RegionCode::parse("52")?]).await?;
            let national_board = user(&store, "pimpinan.nasional", provinces).await?;
            for (case, who, within, kab, rows) in [
                (
                    "NTB",
                    &ntb_board,
                    Some(RegionCode::parse("52")?),
                    ntb_kab.len(),
                    ntb_rows,
                ),
                ("Indonesia", &national_board, None, all_kab.len(), national_rows),
            ] {
                let viewer = Viewer::User(who.clone());
                let (re, read, regions) = measure(&store, &viewer, within, o.reads).await?;
                anyhow::ensure!(regions == kab, "{case}: {regions} regions, {kab} expected");
                out.push_str(&format!(
                    "| {label} | {case} | {kab} | {rows} | {} | {:.0} / {:.0} | {} | {:.1} | {:.1} |\n",
                    o.rows,
                    ms(re.p50),
                    ms(re.max),
                    read.n,
                    ms(read.p50),
                    ms(read.p99)
                ));
            }
            Ok(())
        });
        result.with_context(|| label.to_string())?;
    }
    println!("{out}");
    Ok(())
}
