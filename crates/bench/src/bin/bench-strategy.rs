//! Issue 6: the quarter dashboard's server time for a province (10 kab/kota × 30 indicators ×
//! 20 quarters) and for the national case (514 kab/kota), on SQLite and PostgreSQL, through
//! the real HTTP server; and the time to make the NTB quarterly report as PDF and XLSX.
//!
//!   bench-strategy [--postgres URL|skip] [--requests N]

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
use sinergi_core::strategy::Direction;
use sinergi_core::{Period, RegionCode, Role, Scope};
use sinergi_store::{
    DatabaseTarget, EntryMethod, IndicatorFields, NATIONAL, NewRealisation, NewUser, SourceType,
    Store, Target,
};
use stats::{Summary, ms};

const PASSWORD: &str = "kata-sandi-benchmark";
const INDICATORS: usize = 30;
const QUARTERS: usize = 20;

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-strategy: {e:#}");
        std::process::exit(1);
    }
}

struct Options {
    postgres: Option<String>,
    requests: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        postgres: Some("postgres://postgres@127.0.0.1:5432/test".into()),
        requests: 200,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--requests" => o.requests = args.next().context("--requests N")?.parse()?,
            "--postgres" => {
                let v = args.next().context("--postgres URL|skip")?;
                o.postgres = (v != "skip").then_some(v);
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(o)
}

fn indicator(i: usize) -> IndicatorFields {
    let lower = i.is_multiple_of(2);
    IndicatorFields {
        code: format!("IK{:02}", i + 1),
        name: format!(
            "Indikator benchmark nomor {} tentang kesejahteraan sosial",
            i + 1
        ),
        definition: "Pembilang dibagi penyebut × 100".into(),
        formula: "a / b × 100".into(),
        unit: "persen".into(),
        direction: if lower {
            Direction::Lower
        } else {
            Direction::Higher
        },
        reference_code: None,
        data_source: "BPS".into(),
        source_type: if i.is_multiple_of(5) {
            SourceType::Administrative
        } else {
            SourceType::Survey
        },
        concept: format!("konsep{}", i / 2),
        disaggregations: vec![],
        baseline_year: Some(2024),
        baseline_value: Some(20.0),
        baseline_source: None,
        pic: "LKKS".into(),
        pic_organisation_id: None,
        computation: None,
    }
}

/// A strategy over `top` (a province or NATIONAL) with realisation for every kab/kota.
async fn seed(store: &Store, top: &str, kabkota: &[String]) -> anyhow::Result<i64> {
    let store = &store.as_system("bench");
    let (sid, vid) = store
        .create_strategy(top, "Strategi benchmark", (2025, 2030), "Visi", &[])
        .await?;
    let o = store.add_objective(vid, "SS1", "Sasaran").await?;
    for i in 0..INDICATORS {
        let id = store.add_indicator(o, &indicator(i)).await?;
        let area = sinergi_core::strategy::StrategyArea::parse(top)?;
        let targets: Vec<Target> = (2025..=2030)
            .map(|y| Target {
                region: area.clone(),
                year: y,
                value: 18.0 - f64::from(y - 2025),
            })
            .collect();
        store.set_targets(id, &targets).await?;
    }
    store.publish_version(vid).await?;
    let mut regions = vec![top.to_string()];
    regions.extend(kabkota.iter().cloned());
    let mut period = Period::quarter(2025, 1)?;
    for _ in 0..QUARTERS {
        let mut rows = Vec::with_capacity(regions.len() * INDICATORS);
        for (r, region) in regions.iter().enumerate() {
            for i in 0..INDICATORS {
                rows.push(NewRealisation {
                    line: 0,
                    indicator_code: format!("IK{:02}", i + 1),
                    disaggregation: String::new(),
                    region: region.clone(),
                    period,
                    source: "BPS".into(),
                    value: 10.0 + ((r * 7 + i * 3) % 23) as f64,
                    drivers: String::new(),
                    obstacles: String::new(),
                    follow_up: String::new(),
                });
            }
        }
        match store
            .save_realisations(sid, EntryMethod::Import, &rows)
            .await?
        {
            Ok(_) => {}
            Err(refused) => anyhow::bail!("seed refused: {:?}", &refused[..1]),
        }
        period = period.next().context("period")?;
    }
    Ok(sid)
}

/// Signs in over HTTP and returns the cookie header.
fn sign_in(base: &str, username: &str) -> anyhow::Result<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let resp = agent.get(&format!("{base}/masuk")).call()?;
    let csrf = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("sinergi_csrf="))
        .and_then(|v| v.split(';').next())
        .context("csrf cookie")?
        .to_string();
    let resp = agent
        .post(&format!("{base}/masuk"))
        .header("Cookie", &format!("sinergi_csrf={csrf}"))
        .send_form([
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])?;
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("sinergi_sesi="))
        .and_then(|v| v.split(';').next())
        .context("session cookie (login failed?)")?
        .to_string();
    Ok(format!("sinergi_csrf={csrf}; sinergi_sesi={session}"))
}

fn time_gets(url: &str, cookie: &str, n: usize) -> anyhow::Result<(Summary, usize)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut samples = Vec::with_capacity(n);
    let mut size = 0;
    for i in 0..n + 5 {
        let t = Instant::now();
        let mut resp = agent.get(url).header("Cookie", cookie).call()?;
        let body = resp.body_mut().read_to_string()?;
        let took = t.elapsed();
        anyhow::ensure!(resp.status() == 200, "{url}: {}", resp.status());
        size = body.len();
        if i >= 5 {
            samples.push(took);
        }
    }
    Ok((Summary::of(&samples).context("samples")?, size))
}

fn run() -> anyhow::Result<()> {
    let o = options()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let m = machine::Machine::describe(String::new());
    let mut out = format!(
        "### Quarter dashboard, server time through HTTP on 127.0.0.1\n\n{} · {} · load at start {}\n\n\
         | backend | case | realisation rows | n | p50 ms | p99 ms | page KB |\n|---|---|---|---|---|---|---|\n",
        m.date,
        m.short(),
        m.load_start
    );
    let mut reports = String::new();
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
        eprintln!("{label}: seeding regions and strategies…");
        let store = rt.block_on(async {
            let store = Store::open(target.clone()).await?;
            let list = sinergi_refdata::wilayah().context("embedded regions")?;
            store
                .apply_region_list(
                    &list,
                    sinergi_refdata::wilayah_effective_date(),
                    sinergi_refdata::WILAYAH_SOURCE,
                )
                .await?;
            anyhow::Ok(store)
        })?;
        let (ntb, national, ntb_rows, national_rows) = rt.block_on(async {
            let kab = |p: Option<&str>| {
                let store = store.clone();
                let p = p.map(str::to_string);
                async move {
                    let provinces: Vec<RegionCode> = match p {
                        Some(p) => vec![RegionCode::parse(&p)?],
                        None => store
                            .region_children(None)
                            .await?
                            .into_iter()
                            .map(|c| c.region.code)
                            .collect(),
                    };
                    let mut out = Vec::new();
                    for pr in provinces {
                        for c in store.region_children(Some(&pr)).await? {
                            out.push(c.region.code.to_string());
                        }
                    }
                    anyhow::Ok(out)
                }
            };
            let ntb_kab = kab(Some("52")).await?;
            let all_kab = kab(None).await?;
            eprintln!(
                "  {} kab/kota in NTB, {} in Indonesia",
                ntb_kab.len(),
                all_kab.len()
            );
            let t = Instant::now();
            let ntb = seed(&store, "52", &ntb_kab).await?;
            eprintln!("  NTB seeded in {:.1} s", t.elapsed().as_secs_f64());
            let t = Instant::now();
            let national = seed(&store, NATIONAL, &all_kab).await?;
            eprintln!("  national seeded in {:.1} s", t.elapsed().as_secs_f64());
            for (name, role, regions) in [
                ("pimpinan.ntb", Role::Pimpinan, vec!["52".to_string()]),
                (
                    "pimpinan.nasional",
                    Role::Pimpinan,
                    store
                        .region_children(None)
                        .await?
                        .into_iter()
                        .map(|c| c.region.code.to_string())
                        .collect(),
                ),
            ] {
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
            }
            anyhow::Ok((
                ntb,
                national,
                (ntb_kab.len() + 1) * INDICATORS * QUARTERS,
                (all_kab.len() + 1) * INDICATORS * QUARTERS,
            ))
        })?;
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = rt.spawn(sinergi_web::serve(
            listener,
            sinergi_web::AppState::new(store.clone()),
            async move {
                let _ = stopped.await;
            },
        ));
        std::thread::sleep(Duration::from_millis(200));
        for (case, sid, user, rows, n) in [
            (
                "NTB: 10 kab/kota × 30 indicators × 20 quarters",
                ntb,
                "pimpinan.ntb",
                ntb_rows,
                o.requests,
            ),
            (
                "national: 514 kab/kota × 30 × 20",
                national,
                "pimpinan.nasional",
                national_rows,
                (o.requests / 4).max(20),
            ),
        ] {
            let cookie = sign_in(&base, user)?;
            let url = format!("{base}/strategi/{sid}/dasbor?periode=2027-Q2");
            let (s, size) = time_gets(&url, &cookie, n)?;
            eprintln!("  {case}: p50 {:.1} ms", ms(s.p50));
            out.push_str(&format!(
                "| {label} | {case} | {rows} | {} | {:.1} | {:.1} | {:.1} |\n",
                s.n,
                ms(s.p50),
                ms(s.p99),
                size as f64 / 1024.0
            ));
        }
        let _ = stop.send(());
        let _ = rt.block_on(server);

        // The NTB quarterly report, made in-process as the background job does.
        for (format, pdf) in [("PDF", true), ("XLSX", false)] {
            let mut samples = Vec::new();
            let mut size = 0;
            for _ in 0..10 {
                let t = Instant::now();
                let bytes = rt
                    .block_on(sinergi_web::report_bytes(
                        &store,
                        sinergi_core::Viewer::public(),
                        ntb,
                        Some("2027-Q2"),
                        pdf,
                        sinergi_web::i18n::Lang::Id,
                    ))
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                samples.push(t.elapsed());
                size = bytes.len();
            }
            let s = Summary::of(&samples).context("samples")?;
            reports.push_str(&format!(
                "| {label} | {format} | {} | {:.1} | {:.1} | {:.0} |\n",
                s.n,
                ms(s.p50),
                ms(s.p99),
                size as f64 / 1024.0
            ));
        }
        rt.block_on(store.close());
        if let (Some(p), DatabaseTarget::Postgres(url)) = (pgs.as_mut(), &target) {
            p.discard(url);
        }
    }
    out.push_str(&format!(
        "\n### NTB quarterly report (30 indicators, province + 10 kab/kota), made in-process\n\n\
         | backend | format | n | p50 ms | p99 ms | size KB |\n|---|---|---|---|---|---|\n{reports}\n\
         Load at end {}.\n",
        machine::Machine::describe(String::new()).load_start
    ));
    println!("{out}");
    Ok(())
}
