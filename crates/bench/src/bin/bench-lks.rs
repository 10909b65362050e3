//! The LKS list for a national registry (issue 8): 30,000 LKS spread over every desa of
//! Indonesia, loaded through the registry import, then filter + page through the store as
//! several principals see it, on SQLite and PostgreSQL (p50/p99).
//!
//!   bench-lks [--lks N] [--runs N] [--postgres URL|skip]

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
use chrono::NaiveDate;
use sinergi_core::institution::{Disaggregation, Grade, LksInput};
use sinergi_core::{Level, Ppks, Principal, RegionCode, Role, Scope, Viewer};
use sinergi_store::{
    DatabaseTarget, GradeFilter, LKS_SORTS, LksFilter, NewUser, Page, Sort, Store,
};
use stats::{Summary, XorShift, ms};

const PASSWORD: &str = "kata-sandi-benchmark";
const IMPORT_CHUNK: usize = 5_000;
const KINDS: [&str; 7] = [
    "LKSA Panti Asuhan",
    "Panti Sosial Lanjut Usia",
    "LKS Disabilitas",
    "Rumah Singgah",
    "LKS Pemberdayaan Perempuan",
    "IPWL Rehabilitasi",
    "Yayasan Kesejahteraan Keluarga",
];
const NAMES: [&str; 10] = [
    "Al-Ikhlas",
    "Nurul Huda",
    "Kasih Ibu",
    "Harapan Bangsa",
    "Mutiara Hati",
    "Bina Sejahtera",
    "Insan Mandiri",
    "Tunas Harapan",
    "Budi Mulia",
    "Amanah",
];

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-lks: {e:#}");
        std::process::exit(1);
    }
}

struct Options {
    lks: usize,
    runs: usize,
    postgres: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        lks: 30_000,
        runs: 200,
        postgres: Some("postgres://postgres@127.0.0.1:5432/test".into()),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--lks" => o.lks = args.next().context("--lks N")?.parse()?,
            "--runs" => o.runs = args.next().context("--runs N")?.parse()?,
            "--postgres" => {
                let v = args.next().context("--postgres URL|skip")?;
                o.postgres = (v != "skip").then_some(v);
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(o)
}

fn run() -> anyhow::Result<()> {
    let o = options()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let m = machine::Machine::describe(String::new());
    let mut out = format!(
        "## Issue 8 — LKS list over a national registry of {} LKS\n\n{} · {} · load at start {}\n\n",
        o.lks,
        m.date,
        m.short(),
        m.load_start
    );
    let mut databases = o
        .postgres
        .as_deref()
        .map(|url| pg::PgDatabases::new(&rt, url));
    let dir = std::env::temp_dir().join(format!("sinergi-bench-lks-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut targets = vec![("SQLite", DatabaseTarget::Sqlite(dir.join("lks.db")))];
    if let Some(dbs) = databases.as_mut() {
        targets.push(("PostgreSQL", DatabaseTarget::Postgres(dbs.fresh()?)));
    } else {
        out.push_str("**PostgreSQL NOT MEASURED** (--postgres skip)\n\n");
    }
    for (label, target) in targets {
        eprintln!("bench-lks: {label}: loading {} LKS…", o.lks);
        out.push_str(&rt.block_on(measure(label, target, o.lks, o.runs))?);
    }
    let _ = std::fs::remove_dir_all(&dir);
    out.push_str(&format!(
        "\nload at end {}\n",
        machine::Machine::describe(String::new()).load_start
    ));
    println!("{out}");
    Ok(())
}

async fn user(
    store: &Store,
    name: &str,
    role: Role,
    regions: &[&str],
) -> anyhow::Result<Principal> {
    store
        .as_system("cli")
        .create_user(NewUser {
            username: name.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            role,
            scope: Scope {
                regions: regions
                    .iter()
                    .map(|r| RegionCode::parse(r))
                    .collect::<Result<_, _>>()?,
                organisation: None,
            },
        })
        .await?;
    store.principal_by_username(name).await?.context("user")
}

fn lks_row(i: usize, desa: &RegionCode, rng: &mut XorShift) -> LksInput {
    let kind = rng.below(KINDS.len());
    let services: Vec<Ppks> = (0..1 + rng.below(2))
        .filter_map(|_| Ppks::from_number(1 + rng.below(26) as u8))
        .collect();
    let capacity = 10 + rng.below(70) as u32;
    let clients = capacity / 2 + rng.below(capacity as usize / 2 + 1) as u32;
    let grade = [
        Some(Grade::A),
        Some(Grade::B),
        Some(Grade::B),
        Some(Grade::C),
        None,
    ][rng.below(5)];
    let on = NaiveDate::from_ymd_opt(
        2019 + rng.below(7) as i32,
        1 + rng.below(12) as u32,
        1 + rng.below(28) as u32,
    )
    .expect("valid date");
    LksInput {
        key: format!("LKS-{i:06}"),
        name: format!("{} {} {}", KINDS[kind], NAMES[rng.below(NAMES.len())], i),
        region: Some(desa.clone()),
        services,
        capacity,
        clients: Disaggregation {
            male: clients / 2,
            female: clients - clients / 2,
            child: 0,
            adult: clients,
            elderly: 0,
            disability: 0,
        },
        registration_number: (rng.below(10) > 0).then(|| format!("{i}/460/2024")),
        accreditation: grade.map(|g| (g, on)),
        ..LksInput::default()
    }
}

fn row(label: &str, total: u64, s: &Summary) -> String {
    format!(
        "| {label} | {total} | {} | {:.2} | {:.2} |\n",
        s.n,
        ms(s.p50),
        ms(s.p99)
    )
}

async fn measure(
    label: &str,
    target: DatabaseTarget,
    lks: usize,
    runs: usize,
) -> anyhow::Result<String> {
    let pg_url = match &target {
        DatabaseTarget::Postgres(u) => Some(u.clone()),
        DatabaseTarget::Sqlite(_) => None,
    };
    let store = Store::open(target).await?;
    let list = sinergi_refdata::wilayah()?;
    store
        .apply_region_list(
            &list,
            sinergi_refdata::wilayah_effective_date(),
            sinergi_refdata::WILAYAH_SOURCE,
        )
        .await?;
    let desa: Vec<RegionCode> = list
        .iter()
        .filter(|e| e.code.level() == Level::Desa)
        .map(|e| e.code.clone())
        .collect();
    eprintln!("bench-lks: {label}: regions loaded");
    let mut rng = XorShift::new(0x0008_15C5);
    let started = Instant::now();
    let mut loaded = 0;
    while loaded < lks {
        let n = IMPORT_CHUNK.min(lks - loaded);
        let rows: Vec<(u64, LksInput)> = (loaded..loaded + n)
            .map(|i| {
                let d = desa[rng.below(desa.len())].clone();
                (i as u64 + 2, lks_row(i, &d, &mut rng))
            })
            .collect();
        let outcome = store.as_system("bench").import_lks(&rows).await?;
        anyhow::ensure!(
            outcome.rejected.is_empty(),
            "rejected: {:?}",
            &outcome.rejected[..1]
        );
        loaded += n;
        eprintln!(
            "bench-lks: {label}: {loaded} LKS in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let load = started.elapsed();
    if let Some(url) = &pg_url {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(url).await?;
        sqlx::query("ANALYZE").execute(&mut c).await?;
    }
    let provinces: Vec<String> = list
        .iter()
        .filter(|e| e.code.level() == Level::Provinsi)
        .map(|e| e.code.to_string())
        .collect();
    let national = user(
        &store,
        "pimpinan.nasional",
        Role::Pimpinan,
        &provinces.iter().map(String::as_str).collect::<Vec<_>>(),
    )
    .await?;
    let jateng = user(&store, "admin.jateng", Role::AdminProvinsi, &["33"]).await?;
    let kab = user(&store, "op.semarang", Role::OperatorKabKota, &["33.74"]).await?;

    let mut out = format!(
        "### {label}\n\nLoaded {lks} LKS through `import_lks` (validation, services, accreditation history, one audit entry each) in {:.1} s ({:.0} LKS/s).\n\n\
         | list (50 per page) | matching | n | p50 ms | p99 ms |\n|---|---|---|---|---|\n",
        load.as_secs_f64(),
        lks as f64 / load.as_secs_f64()
    );
    let by_name = Sort::parse(Some("nama"), &LKS_SORTS);
    let by_capacity = Sort::parse(Some("-kapasitas"), &LKS_SORTS);
    let cases: Vec<(&str, Viewer, LksFilter, Sort)> = vec![
        (
            "national board, all, by name",
            Viewer::User(national.clone()),
            LksFilter::default(),
            by_name,
        ),
        (
            "national board, PPKS = Lanjut Usia Terlantar",
            Viewer::User(national.clone()),
            LksFilter {
                ppks: Some(Ppks::LanjutUsiaTerlantar),
                ..LksFilter::default()
            },
            by_name,
        ),
        (
            "national board, grade A, by capacity",
            Viewer::User(national.clone()),
            LksFilter {
                grade: Some(GradeFilter::Grade(Grade::A)),
                ..LksFilter::default()
            },
            by_capacity,
        ),
        (
            "national board, search \"harapan\"",
            Viewer::User(national.clone()),
            LksFilter {
                query: Some("harapan".into()),
                ..LksFilter::default()
            },
            by_name,
        ),
        (
            "admin Jawa Tengah, all",
            Viewer::User(jateng.clone()),
            LksFilter::default(),
            by_name,
        ),
        (
            "admin Jawa Tengah, PPKS + not accredited",
            Viewer::User(jateng.clone()),
            LksFilter {
                ppks: Some(Ppks::AnakTerlantar),
                grade: Some(GradeFilter::None),
                ..LksFilter::default()
            },
            by_name,
        ),
        (
            "operator Kota Semarang, all",
            Viewer::User(kab.clone()),
            LksFilter::default(),
            by_name,
        ),
        (
            "public directory, all registered",
            Viewer::Public,
            LksFilter::default(),
            by_name,
        ),
        (
            "public directory, region 52 + PPKS",
            Viewer::Public,
            LksFilter {
                region: Some(RegionCode::parse("52")?),
                ppks: Some(Ppks::PenyandangDisabilitas),
                ..LksFilter::default()
            },
            by_name,
        ),
    ];
    for (name, who, filter, sort) in cases {
        // Warm once, then pages spread over the first 20 (deep pages cost the offset).
        let first = store
            .scoped(&who)
            .lks_list(&filter, sort, Page::new(Some(1), Some(50), 50))
            .await?;
        let pages = first.pages().min(20);
        let mut samples = Vec::with_capacity(runs);
        for r in 0..runs {
            let page = Page::new(Some(1 + (r as u32 % pages)), Some(50), 50);
            let t = Instant::now();
            let got = store.scoped(&who).lks_list(&filter, sort, page).await?;
            samples.push(t.elapsed());
            std::hint::black_box(got);
        }
        out.push_str(&row(
            name,
            first.total,
            &Summary::of(&samples).context("samples")?,
        ));
    }
    let deep = {
        let mut samples: Vec<Duration> = Vec::new();
        let who = store.as_user(&national);
        let pages = (lks / 50) as u32;
        for r in 0..runs.min(50) {
            let page = Page::new(Some(pages - (r as u32 % 10)), Some(50), 50);
            let t = Instant::now();
            std::hint::black_box(who.lks_list(&LksFilter::default(), by_name, page).await?);
            samples.push(t.elapsed());
        }
        Summary::of(&samples).context("samples")?
    };
    out.push_str(&row(
        "national board, last pages (offset ≈ 30,000)",
        lks as u64,
        &deep,
    ));
    out.push('\n');
    store.close().await;
    Ok(out)
}
