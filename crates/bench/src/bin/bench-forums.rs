//! Forums (issue 21): the actions overview and a forum's history with 10,000 meetings and
//! 100,000 actions, read through the scoped store as a province admin and a kab/kota
//! operator see them, on SQLite and PostgreSQL (p50/p99 of the server-side read).
//!
//! The bulk rows are written with plain multi-row INSERTs (an audited write per row would
//! measure the loader, not the reads); one forum and one meeting go through the store first.
//!
//!   bench-forums [--meetings N] [--runs N] [--postgres URL|skip]

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
use chrono::{NaiveDate, NaiveTime, TimeDelta};
use sinergi_core::forum::MeetingKind;
use sinergi_core::institution::{FormationStatus, LkksInput};
use sinergi_core::{RegionCode, RegionEntry, Role, Scope, Viewer};
use sinergi_store::{ActionFilter, DatabaseTarget, NewForum, NewMeeting, NewUser, Page, Store};
use stats::{Summary, ms};

const ACTIONS_PER_MEETING: usize = 10;
const CHUNK: usize = 1_000;

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-forums: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let mut meetings = 10_000usize;
    let mut runs = 200usize;
    let mut postgres = Some("postgres://postgres@127.0.0.1:5432/test".to_string());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--meetings" => meetings = args.next().context("--meetings N")?.parse()?,
            "--runs" => runs = args.next().context("--runs N")?.parse()?,
            "--postgres" => {
                let v = args.next().context("--postgres URL|skip")?;
                postgres = (v != "skip").then_some(v);
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let m = machine::Machine::describe(String::new());
    let mut out = format!(
        "## Issue 21 — forums: actions overview and forum history, {} meetings, {} actions\n\n\
         {} · {} · build: {} · load at start {}\n\n\
         Target (issue 21): p99 ≤ 100 ms server time for each read, at 10,000 meetings and \
         100,000 actions (the default size), in a release build.\n\n\
         | backend | read | viewer | rows on page | total | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|\n",
        meetings,
        meetings * ACTIONS_PER_MEETING,
        m.date,
        m.short(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        m.load_start
    );
    let mut databases = postgres
        .as_deref()
        .map(|url| pg::PgDatabases::new(&rt, url));
    let dir = std::env::temp_dir().join(format!("sinergi-bench-forums-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut targets = vec![("SQLite", DatabaseTarget::Sqlite(dir.join("forums.db")))];
    if let Some(dbs) = databases.as_mut() {
        targets.push(("PostgreSQL", DatabaseTarget::Postgres(dbs.fresh()?)));
    }
    for (label, target) in targets {
        eprintln!("bench-forums: {label}: loading {meetings} meetings…");
        out.push_str(&rt.block_on(measure(label, target, meetings, runs))?);
    }
    if postgres.is_none() {
        out.push_str("\n**PostgreSQL NOT MEASURED** (--postgres skip)\n");
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{out}");
    Ok(())
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("a bench region")
}

async fn bulk(target: &DatabaseTarget, statements: &[String]) -> anyhow::Result<()> {
    match target {
        DatabaseTarget::Sqlite(path) => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await?;
            let mut tx = pool.begin().await?;
            for s in statements {
                sqlx::query(sqlx::AssertSqlSafe(s.clone()))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            pool.close().await;
        }
        DatabaseTarget::Postgres(url) => {
            let pool = sqlx::PgPool::connect(url).await?;
            let mut tx = pool.begin().await?;
            for s in statements {
                sqlx::query(sqlx::AssertSqlSafe(s.clone()))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            sqlx::query("ANALYZE").execute(&pool).await?;
            pool.close().await;
        }
    }
    Ok(())
}

async fn measure(
    label: &str,
    target: DatabaseTarget,
    meetings: usize,
    runs: usize,
) -> anyhow::Result<String> {
    let store = Store::open(target.clone()).await?;
    let regions: Vec<RegionEntry> = [
        ("52", "Nusa Tenggara Barat"),
        ("52.03", "Kabupaten Lombok Timur"),
    ]
    .into_iter()
    .map(|(c, n)| RegionEntry {
        code: code(c),
        name: n.into(),
        latitude: None,
        longitude: None,
    })
    .collect();
    store
        .apply_region_list(
            &regions,
            NaiveDate::from_ymd_opt(2025, 4, 25).unwrap(),
            "bench",
        )
        .await?;
    let system = store.as_system("bench");
    let (lkks, _) = system
        .save_lkks(
            &LkksInput {
                region: Some(code("52.03")),
                name: "LKKS Kabupaten Lombok Timur".into(),
                status: Some(FormationStatus::DalamPembentukan),
                ..LkksInput::default()
            },
            None,
        )
        .await?;
    let forum = system
        .create_forum(&NewForum {
            lkks_id: lkks,
            name: "Rapat Koordinasi".into(),
            kind: MeetingKind::Koordinasi,
            description: None,
        })
        .await?;
    system
        .create_meeting(&NewMeeting {
            forum_id: forum,
            title: "Rapat pertama".into(),
            kind: MeetingKind::Koordinasi,
            date: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            place: None,
            online_link: None,
            organiser: None,
            commissions: vec![],
            topics: vec![],
            agenda: vec![],
        })
        .await?;
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 2)
        .unwrap()
        .and_hms_opt(1, 0, 0)
        .unwrap();
    let mut statements = Vec::new();
    // Meetings get ids 2..=meetings+1 (the store's own is 1).
    for chunk in (0..meetings).collect::<Vec<_>>().chunks(CHUNK) {
        let values: Vec<String> = chunk
            .iter()
            .map(|i| {
                let at = start + TimeDelta::days(*i as i64 / 2);
                format!(
                    "({forum}, {lkks}, '52.03', 'Rapat {i}', 'koordinasi', '{}', 'ditutup', '', '', 'x')",
                    at.format("%Y-%m-%d %H:%M:%S")
                )
            })
            .collect();
        statements.push(format!(
            "INSERT INTO meeting (forum_id, lkks_id, region_code, title, kind, starts_at, status, \
             commissions, topics, created_at) VALUES {}",
            values.join(", ")
        ));
    }
    let statuses = ["terbuka", "berjalan", "selesai", "dibatalkan"];
    let actions: Vec<usize> = (0..meetings * ACTIONS_PER_MEETING).collect();
    for chunk in actions.chunks(CHUNK) {
        let values: Vec<String> = chunk
            .iter()
            .map(|a| {
                let meeting = 2 + a / ACTIONS_PER_MEETING;
                let deadline = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
                    + TimeDelta::days((*a as i64 * 7) % 2900);
                format!(
                    "({meeting}, {forum}, {lkks}, '52.03', 'Tindak lanjut {a}', 'Sekretaris', '{}', '{}', 'x')",
                    deadline.format("%Y-%m-%d"),
                    statuses[a % statuses.len()]
                )
            })
            .collect();
        statements.push(format!(
            "INSERT INTO action_item (meeting_id, forum_id, lkks_id, region_code, title, \
             owner_person, deadline, status, updated_at) VALUES {}",
            values.join(", ")
        ));
    }
    let loading = Instant::now();
    bulk(&target, &statements).await?;
    eprintln!(
        "bench-forums: {label}: loaded in {:.1} s",
        loading.elapsed().as_secs_f64()
    );

    let mut viewers = Vec::new();
    for (name, role, region) in [
        ("admin52", Role::AdminProvinsi, "52"),
        ("op5203", Role::OperatorKabKota, "52.03"),
    ] {
        system
            .create_user(NewUser {
                username: name.into(),
                display_name: name.into(),
                password: "kata-sandi-benchmark".into(),
                role,
                scope: Scope {
                    regions: vec![code(region)],
                    organisation: None,
                },
            })
            .await?;
        let p = store
            .principal_by_username(name)
            .await?
            .context("bench user")?;
        viewers.push((name, Viewer::User(p)));
    }
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let mut out = String::new();
    for (name, viewer) in &viewers {
        let scoped = store.scoped(viewer);
        let reads: [(&str, ActionFilter); 2] = [
            ("actions overview, page 1", ActionFilter::default()),
            (
                "actions overview, overdue",
                ActionFilter {
                    overdue_on: Some(today),
                    ..ActionFilter::default()
                },
            ),
        ];
        for (what, filter) in reads {
            let mut samples: Vec<Duration> = Vec::with_capacity(runs);
            let mut shown = (0, 0);
            for _ in 0..runs {
                let t = Instant::now();
                let page = scoped.actions(&filter, Page::new(None, None, 50)).await?;
                samples.push(t.elapsed());
                shown = (page.items.len(), page.total);
            }
            let s = Summary::of(&samples).context("samples")?;
            out.push_str(&format!(
                "| {label} | {what} | {name} | {} | {} | {:.2} | {:.2} |\n",
                shown.0,
                shown.1,
                ms(s.p50),
                ms(s.p99)
            ));
        }
        // Page 100 as the page's "next" link reads it: after the last meeting of page 99.
        let before_100 = scoped
            .forum_history(forum, Page::new(Some(99), None, 50), None)
            .await?
            .items
            .last()
            .map(|m| sinergi_store::HistoryCursor::Before(m.id));
        for (what, page_no, cursor) in [
            ("forum history, page 1", 1u32, None),
            ("forum history, page 100 (offset)", 100, None),
            ("forum history, page 100 (keyset)", 100, before_100),
        ] {
            let mut samples: Vec<Duration> = Vec::with_capacity(runs);
            let mut shown = (0, 0);
            for _ in 0..runs {
                let t = Instant::now();
                let page = scoped
                    .forum_history(forum, Page::new(Some(page_no), None, 50), cursor)
                    .await?;
                samples.push(t.elapsed());
                shown = (page.items.len(), page.total);
            }
            let s = Summary::of(&samples).context("samples")?;
            out.push_str(&format!(
                "| {label} | {what} | {name} | {} | {} | {:.2} | {:.2} |\n",
                shown.0,
                shown.1,
                ms(s.p50),
                ms(s.p99)
            ));
        }
    }
    store.close().await;
    Ok(out)
}
