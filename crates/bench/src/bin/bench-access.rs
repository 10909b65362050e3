//! The cost of security: argon2id logins, and what the access-scope filter adds to a list
//! query over 1,000,000 person rows, on SQLite and PostgreSQL.
//!
//!   bench-access [--rows N] [--postgres URL|skip]

// The harness's shared helpers; this binary uses part of each.
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
use sinergi_core::{LegalBasis, Level, Nik, PersonInput, Principal, RegionCode, Role, Scope};
use sinergi_store::{
    DatabaseTarget, NewPersonList, NewUser, OrganisationKind, Page, PersonFilter, PiiKey, Store,
    ThrottlePolicy,
};
use sqlx::Connection;
use stats::{Summary, XorShift, ms};

const PASSWORD: &str = "kata-sandi-benchmark";
const LIST_CHUNK: usize = 50_000;
const ORGANISATIONS: usize = 10;
const NAMES: [&str; 12] = [
    "Siti Aminah",
    "Lalu Ahmad",
    "Baiq Nurul",
    "Muhammad Saleh",
    "Nur Hidayah",
    "Ahmad Fauzi",
    "Sri Wahyuni",
    "Ni Made Sari",
    "Abdul Rahman",
    "Dewi Lestari",
    "Hj. Maryam",
    "Zainal Abidin",
];

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-access: {e:#}");
        std::process::exit(1);
    }
}

struct Options {
    rows: usize,
    postgres: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        rows: 1_000_000,
        postgres: Some("postgres://postgres@127.0.0.1:5432/test".into()),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => o.rows = args.next().context("--rows N")?.parse()?,
            "--postgres" => {
                let v = args.next().context("--postgres URL|skip")?;
                o.postgres = (v != "skip").then_some(v);
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(o)
}

fn timed<T>(n: usize, mut f: impl FnMut() -> T) -> Summary {
    let samples: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    Summary::of(&samples).unwrap()
}

fn row(label: &str, s: &Summary) -> String {
    format!(
        "| {label} | {} | {:.2} | {:.2} |\n",
        s.n,
        ms(s.p50),
        ms(s.p99)
    )
}

fn run() -> anyhow::Result<()> {
    let o = options()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let m = machine::Machine::describe(String::new());
    let mut out = format!(
        "## Access: login cost and scope-filter overhead\n\n{} · {} · load at start {}\n\n",
        m.date,
        m.short(),
        m.load_start
    );

    // --- argon2id -------------------------------------------------------------------
    out.push_str(&format!(
        "### Login cost (argon2id m = {} KiB, t = {}, p = {})\n\n| operation | n | p50 ms | p99 ms |\n|---|---|---|---|\n",
        sinergi_store::ARGON2_MEMORY_KIB,
        sinergi_store::ARGON2_PASSES,
        sinergi_store::ARGON2_LANES
    ));
    let hash = sinergi_store::hash_password(PASSWORD);
    out.push_str(&row(
        "hash a password (1 thread)",
        &timed(30, || sinergi_store::hash_password(PASSWORD)),
    ));
    out.push_str(&row(
        "verify a password (1 thread)",
        &timed(30, || sinergi_store::verify_password(PASSWORD, &hash)),
    ));
    let started = Instant::now();
    let per_thread = 30;
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..per_thread {
                    assert!(sinergi_store::verify_password(PASSWORD, &hash));
                }
            });
        }
    });
    let rate = (2 * per_thread) as f64 / started.elapsed().as_secs_f64();
    out.push_str(&format!(
        "\nBoth cores verifying: **{rate:.0} logins/s**.\n\n"
    ));

    // --- scope filter on 1 M rows ---------------------------------------------------------
    let mut databases = o
        .postgres
        .as_deref()
        .map(|url| pg::PgDatabases::new(&rt, url));
    let dir = tempfile_dir()?;
    let mut targets = vec![("SQLite", DatabaseTarget::Sqlite(dir.join("access.db")))];
    if let Some(dbs) = databases.as_mut() {
        targets.push(("PostgreSQL", DatabaseTarget::Postgres(dbs.fresh()?)));
    } else {
        out.push_str("**PostgreSQL NOT MEASURED** (--postgres skip)\n\n");
    }
    for (label, target) in targets {
        eprintln!("bench-access: {label}: loading {} rows…", o.rows);
        out.push_str(&rt.block_on(scope_overhead(label, target, o.rows))?);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{out}");
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("sinergi-bench-access-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn user(
    store: &Store,
    name: &str,
    role: Role,
    regions: &[RegionCode],
    org: Option<i64>,
) -> anyhow::Result<Principal> {
    store
        .as_system("cli")
        .create_user(NewUser {
            username: name.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            role,
            scope: Scope {
                regions: regions.to_vec(),
                organisation: org,
            },
        })
        .await?;
    store.principal_by_username(name).await?.context("user")
}

async fn scope_overhead(
    label: &str,
    target: DatabaseTarget,
    rows: usize,
) -> anyhow::Result<String> {
    let (key, _) = PiiKey::generate();
    let raw_url = match &target {
        DatabaseTarget::Sqlite(p) => format!("sqlite://{}", p.display()),
        DatabaseTarget::Postgres(u) => u.clone(),
    };
    let store = Store::open(target).await?.with_key(key).await?;
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
    for i in 0..ORGANISATIONS {
        orgs.push(
            store
                .as_system("cli")
                .create_organisation(OrganisationKind::Mitra, &format!("Mitra {i}"), &ntb)
                .await?,
        );
    }
    let admin = user(
        &store,
        "admin",
        Role::AdminProvinsi,
        std::slice::from_ref(&ntb),
        None,
    )
    .await?;
    let lotim = user(
        &store,
        "op.lotim",
        Role::OperatorKabKota,
        &[RegionCode::parse("52.03")?],
        None,
    )
    .await?;
    let mitra = user(&store, "mitra.0", Role::Mitra, &[], Some(orgs[0])).await?;

    let mut rng = XorShift::new(0x0005_C09E);
    let load_started = Instant::now();
    let mut serial = 0u32;
    let mut done = 0;
    while done < rows {
        let n = LIST_CHUNK.min(rows - done);
        let org = orgs[(done / LIST_CHUNK) % ORGANISATIONS];
        let batch: Vec<PersonInput> = (0..n)
            .map(|i| {
                let region = desa[rng.below(desa.len())].clone();
                serial += 1;
                let kec = region.as_str()[..8].replace('.', "");
                let day = 1 + rng.below(28);
                let nik = format!(
                    "{kec}{day:02}{:02}{:02}{:04}",
                    1 + rng.below(12),
                    rng.below(100),
                    serial % 9999 + 1
                );
                PersonInput {
                    line: i as u64 + 2,
                    name: NAMES[rng.below(NAMES.len())].to_string(),
                    sex: None,
                    birth_date: None,
                    nik: Nik::parse(nik.as_str(), None).ok().map(|p| p.nik),
                    kk: None,
                    region,
                    extra: Default::default(),
                }
            })
            .collect();
        let new = NewPersonList {
            organisation_id: org,
            name: format!("daftar {done}"),
            legal_basis: Some(LegalBasis::TugasPublik),
            reference: "benchmark".into(),
            source_file: None,
            content_hash: None,
            replaces: None,
        };
        store
            .as_user(&admin)
            .import_person_list(&new, &batch, &|_| {})
            .await?
            .map_err(|_| anyhow::anyhow!("rows outside scope"))?;
        done += n;
    }
    let load = load_started.elapsed();
    if let DatabaseTarget::Postgres(_) = store_target_kind(&raw_url) {
        // Fresh statistics, as autovacuum would give a real server.
        let mut c = sqlx::PgConnection::connect(&raw_url).await?;
        sqlx::query("ANALYZE").execute(&mut c).await?;
    }

    // Baseline: the same page query with no scope condition, straight on a connection.
    let joins = "FROM person_record r JOIN person_list l ON l.id = r.list_id \
                 JOIN organisation o ON o.id = r.organisation_id LEFT JOIN region g ON g.code = r.region_code";
    let cols = "r.id, l.name, o.name, r.region_code, g.name, r.name, r.nik_masked";
    let unscoped_count = "SELECT COUNT(*) FROM person_record r".to_string();
    let unscoped_page = format!("SELECT {cols} {joins} ORDER BY r.region_code, r.id LIMIT 50");
    let scoped_count = "SELECT COUNT(*) FROM person_record r WHERE (r.region_code >= '52' AND r.region_code < '52/')".to_string();
    let scoped_page = format!(
        "SELECT {cols} {joins} WHERE (r.region_code >= '52' AND r.region_code < '52/') ORDER BY r.region_code, r.id LIMIT 50"
    );
    let n = 20;
    let raw_unscoped = raw_timed(&raw_url, &unscoped_count, &unscoped_page, n).await?;
    let raw_scoped = raw_timed(&raw_url, &scoped_count, &scoped_page, n).await?;
    let page = Page::new(Some(1), Some(50), 50);
    let all = PersonFilter::default();
    let mut s = Vec::new();
    for (name, p, f) in [
        (
            "store: admin provinsi (scope = all rows)",
            &admin,
            all.clone(),
        ),
        ("store: operator kab/kota (52.03)", &lotim, all.clone()),
        ("store: mitra (own organisation)", &mitra, all.clone()),
        (
            "store: operator, name search \"siti\"",
            &lotim,
            PersonFilter {
                query: Some("siti".into()),
                ..Default::default()
            },
        ),
    ] {
        let mut samples = Vec::new();
        let mut total = 0;
        for _ in 0..n {
            let t = Instant::now();
            total = store.as_user(p).persons(&f, page).await?.total;
            samples.push(t.elapsed());
        }
        s.push((
            format!("{name} — {} rows match", total),
            Summary::of(&samples).unwrap(),
        ));
    }
    let mut detail = Vec::new();
    for _ in 0..200 {
        let id = 1 + rng.below(rows) as i64;
        let t = Instant::now();
        store.as_user(&lotim).person(id).await?;
        detail.push(t.elapsed());
    }
    let overhead = ms(raw_scoped.p50) / ms(raw_unscoped.p50);
    let mut out = format!(
        "### {label}: {rows} person rows\n\nLoaded in {:.1} s ({:.0} rows/s, NIK sealed and hashed, audited per list).\n\n\
         | query (page of 50 + total count) | n | p50 ms | p99 ms |\n|---|---|---|---|\n",
        load.as_secs_f64(),
        rows as f64 / load.as_secs_f64()
    );
    out.push_str(&row("raw SQL, no scope condition", &raw_unscoped));
    out.push_str(&row(
        "raw SQL, the scope condition of a province admin",
        &raw_scoped,
    ));
    for (name, sum) in &s {
        out.push_str(&row(name, sum));
    }
    out.push_str(&row(
        "store: one person by id, operator (scoped + audited)",
        &Summary::of(&detail).unwrap(),
    ));
    out.push_str(&format!(
        "\nScope-filter overhead on the unfiltered page query: **×{overhead:.2}** (p50 scoped / p50 unscoped). \
         The store rows add the audit-log append each by-name view makes.\n\n"
    ));
    let _ = store
        .login("admin", PASSWORD, "127.0.0.1", &ThrottlePolicy::default())
        .await?;
    store.close().await;
    Ok(out)
}

fn store_target_kind(url: &str) -> DatabaseTarget {
    if url.starts_with("postgres") {
        DatabaseTarget::Postgres(url.into())
    } else {
        DatabaseTarget::Sqlite(url.trim_start_matches("sqlite://").into())
    }
}

async fn raw_timed(url: &str, count: &str, page: &str, n: usize) -> anyhow::Result<Summary> {
    let mut samples = Vec::new();
    macro_rules! measure {
        ($conn:expr) => {{
            let mut c = $conn;
            for _ in 0..n {
                let t = Instant::now();
                let _: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.to_string()))
                    .fetch_one(&mut c)
                    .await?;
                let _ = sqlx::query(sqlx::AssertSqlSafe(page.to_string()))
                    .fetch_all(&mut c)
                    .await?;
                samples.push(t.elapsed());
            }
        }};
    }
    if url.starts_with("postgres") {
        measure!(sqlx::PgConnection::connect(url).await?);
    } else {
        measure!(sqlx::SqliteConnection::connect(url).await?);
    }
    Ok(Summary::of(&samples).unwrap())
}
