//! `sinergi-bench`: measures start-up, store calls and pages under load on SQLite and
//! PostgreSQL, and prints the results as a Markdown section for BENCHMARKS.md.
//!
//! Progress goes to stderr; the Markdown goes to stdout.

mod inproc;
mod load;
mod machine;
mod pg;
mod server;
mod stats;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use sinergi_store::{DatabaseTarget, Store};
use sqlx::Connection;
use tokio::runtime::Runtime;

use inproc::{OpResult, Sizes, Workload};
use load::WrkResult;
use machine::Machine;
use server::Server;
use stats::{Summary, ms, us};

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";
const USAGE: &str = "\
Usage: sinergi-bench [--postgres URL|skip] [--quick]

  --postgres URL   PostgreSQL server to create sinergi_bench_* databases on
                   (default postgres://postgres@127.0.0.1:5432/test); `skip` skips it
  --quick          fewer iterations and 5 s wrk runs, for smoke tests

Needs the release `sinergi` binary next to this one (scripts/bench.sh builds both) and wrk.";

const LOAD_PATHS: [&str; 2] = ["/wilayah/52", "/wilayah/cari?q=lombok"];
const WRK_THREADS: u32 = 2;
const WRK_CONNECTIONS: u32 = 32;
/// Generous: a cold start on a slow disk loads 91,599 regions.
const START_TIMEOUT: Duration = Duration::from_secs(600);

struct Options {
    postgres: Option<String>,
    quick: bool,
}

struct Plan {
    cold_runs: usize,
    warm_runs: usize,
    sizes: Sizes,
    wrk_secs: u32,
    warmup_secs: u32,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                cold_runs: 1,
                warm_runs: 2,
                sizes: Sizes {
                    lookups: 1_000,
                    children: 100,
                    searches: 100,
                },
                wrk_secs: 5,
                warmup_secs: 1,
            }
        } else {
            Plan {
                cold_runs: 3,
                warm_runs: 5,
                sizes: Sizes {
                    lookups: 10_000,
                    children: 1_000,
                    searches: 1_000,
                },
                wrk_secs: 15,
                warmup_secs: 3,
            }
        }
    }
}

/// Everything measured on one backend.
struct BackendReport {
    label: &'static str,
    cold: Summary,
    warm: Summary,
    ops: Vec<OpResult>,
    load: Vec<(&'static str, WrkResult)>,
}

fn main() {
    match run() {
        Ok(markdown) => print!("{markdown}"),
        Err(e) => {
            eprintln!("sinergi-bench: {e:#}");
            std::process::exit(1);
        }
    }
}

fn parse_args() -> anyhow::Result<Options> {
    let mut opts = Options {
        postgres: Some(DEFAULT_POSTGRES.to_string()),
        quick: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let postgres = match arg.as_str() {
            "--quick" => {
                opts.quick = true;
                continue;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--postgres" => args.next().context("--postgres needs a URL or `skip`")?,
            other => match other.strip_prefix("--postgres=") {
                Some(v) => v.to_string(),
                None => bail!("unknown argument {other:?}\n\n{USAGE}"),
            },
        };
        opts.postgres = (postgres != "skip").then_some(postgres);
    }
    Ok(opts)
}

fn run() -> anyhow::Result<String> {
    let opts = parse_args()?;
    let plan = Plan::new(opts.quick);
    let binary = sinergi_binary()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;

    let list = sinergi_refdata::wilayah().context("embedded region list")?;
    let expected = list.len() as u64;
    let workload = Workload::new(&list, &plan.sizes);
    drop(list);

    let sqlite_version = rt
        .block_on(async {
            let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
            sqlx::query_scalar::<_, String>("SELECT sqlite_version()")
                .fetch_one(&mut conn)
                .await
        })
        .unwrap_or_else(|e| format!("unknown ({e})"));
    let machine = Machine::describe(sqlite_version);

    let work_dir = std::env::temp_dir().join(format!("sinergi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("cannot create {}", work_dir.display()))?;

    let mut reports = Vec::new();
    let mut postgres_line = String::new();
    let result = (|| -> anyhow::Result<()> {
        eprintln!("== SQLite ==");
        let mut n = 0;
        let mut fresh = || {
            n += 1;
            let path = work_dir.join(format!("cold-{n}.db"));
            Ok(path.display().to_string())
        };
        let mut discard = |db: &str| {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{db}{suffix}"));
            }
        };
        reports.push(measure_backend(
            "SQLite",
            &rt,
            &plan,
            &binary,
            &work_dir,
            &workload,
            expected,
            &mut fresh,
            &mut discard,
        )?);

        match &opts.postgres {
            None => {
                postgres_line = "**PostgreSQL: NOT MEASURED** (`--postgres skip`).".to_string();
            }
            Some(url) => match rt.block_on(pg::server_version(url)) {
                Err(e) => {
                    postgres_line = format!(
                        "**PostgreSQL: NOT MEASURED** — server unreachable at {}: {e}",
                        DatabaseTarget::parse(url)
                            .map_or_else(|_| "?".to_string(), |t| t.to_string())
                    );
                }
                Ok(version) => {
                    eprintln!("== PostgreSQL {version} ==");
                    postgres_line =
                        format!("PostgreSQL {version}, local server on the same machine");
                    let dbs = std::cell::RefCell::new(pg::PgDatabases::new(&rt, url));
                    let mut fresh = || dbs.borrow_mut().fresh();
                    let mut discard = |db: &str| dbs.borrow_mut().discard(db);
                    reports.push(measure_backend(
                        "PostgreSQL",
                        &rt,
                        &plan,
                        &binary,
                        &work_dir,
                        &workload,
                        expected,
                        &mut fresh,
                        &mut discard,
                    )?);
                }
            },
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&work_dir);
    result?;
    if postgres_line.starts_with("**PostgreSQL: NOT MEASURED**") {
        eprintln!("\n!!! {postgres_line} !!!\n");
    }
    Ok(markdown(
        &machine,
        &postgres_line,
        &plan,
        opts.quick,
        expected,
        &reports,
    ))
}

/// The release `sinergi` binary, expected next to this one.
fn sinergi_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("cannot find this program's path")?;
    let path = me
        .parent()
        .context("this program has no folder")?
        .join("sinergi");
    ensure!(
        path.is_file(),
        "{} is missing: run `cargo build --release -p sinergi` (scripts/bench.sh does)",
        path.display()
    );
    Ok(path)
}

#[allow(clippy::too_many_arguments)]
fn measure_backend(
    label: &'static str,
    rt: &Runtime,
    plan: &Plan,
    binary: &Path,
    work_dir: &Path,
    workload: &Workload,
    expected: u64,
    fresh: &mut dyn FnMut() -> anyhow::Result<String>,
    discard: &mut dyn FnMut(&str),
) -> anyhow::Result<BackendReport> {
    let log = work_dir.join(format!("{}-server.log", label.to_lowercase()));

    // (a) Start-up: cold runs each on a fresh database, the last one kept as the seeded one.
    let mut cold = Vec::new();
    let mut seeded: Option<String> = None;
    for i in 0..plan.cold_runs {
        let db = fresh()?;
        let (server, took) = Server::start(binary, &db, &log, START_TIMEOUT)?;
        server.stop();
        eprintln!("{label}: cold start {}: {:.1} ms", i + 1, ms(took));
        cold.push(took);
        if let Some(old) = seeded.replace(db) {
            discard(&old);
        }
    }
    let seeded = seeded.context("no cold run")?;
    let mut warm = Vec::new();
    for i in 0..plan.warm_runs {
        let (server, took) = Server::start(binary, &seeded, &log, START_TIMEOUT)?;
        server.stop();
        eprintln!("{label}: warm start {}: {:.1} ms", i + 1, ms(took));
        warm.push(took);
    }

    // (b) Store calls, in-process.
    eprintln!("{label}: store calls…");
    let ops = rt.block_on(async {
        let store = Store::open(DatabaseTarget::parse(&seeded)?).await?;
        let result = inproc::run(&store, workload, expected).await;
        store.close().await;
        result
    })?;

    // (c) Pages under load.
    let (server, _) = Server::start(binary, &seeded, &log, START_TIMEOUT)?;
    let mut load = Vec::new();
    for path in LOAD_PATHS {
        let status = server::get_status(server.port, path)?;
        ensure!(status == 200, "{label}: GET {path} answered {status}");
        let url = server.url(path);
        eprintln!("{label}: wrk {path} (warm-up {} s)…", plan.warmup_secs);
        load::wrk(&url, WRK_THREADS, WRK_CONNECTIONS, plan.warmup_secs)?;
        let result = load::wrk(&url, WRK_THREADS, WRK_CONNECTIONS, plan.wrk_secs)?;
        eprintln!(
            "{label}: {path}: {:.0} req/s, p99 {:.2} ms",
            result.requests_per_sec, result.p99_ms
        );
        load.push((path, result));
    }
    server.stop();
    discard(&seeded);

    Ok(BackendReport {
        label,
        cold: Summary::of(&cold).context("no cold run")?,
        warm: Summary::of(&warm).context("no warm run")?,
        ops,
        load,
    })
}

fn markdown(
    m: &Machine,
    postgres_line: &str,
    plan: &Plan,
    quick: bool,
    regions: u64,
    reports: &[BackendReport],
) -> String {
    let mut s = String::new();
    let regions = thousands(regions);
    let _ = writeln!(s, "## Issue 2 — foundation ({}, {})\n", m.date, m.short());
    if postgres_line.starts_with("**PostgreSQL: NOT MEASURED**") {
        let _ = writeln!(s, "> {postgres_line}\n");
    }
    if quick {
        let _ = writeln!(
            s,
            "> **Quick run** (`--quick`): few iterations, smoke test only — not for comparison.\n"
        );
    }
    let _ = writeln!(s, "| Machine | |\n|---|---|");
    let _ = writeln!(s, "| Date | {} |", m.date);
    let _ = writeln!(s, "| CPU | {} (`nproc` = {}) |", m.cpu, m.nproc);
    let _ = writeln!(s, "| Memory | {} |", m.memory);
    let _ = writeln!(s, "| Kernel | Linux {} |", m.kernel);
    let _ = writeln!(s, "| Rust | {} (release profile) |", m.rustc);
    let _ = writeln!(
        s,
        "| SQLite | {} (bundled by sqlx), WAL, synchronous=NORMAL |",
        m.sqlite
    );
    let _ = writeln!(s, "| PostgreSQL | {postgres_line} |");
    let _ = writeln!(s, "| Load generator | {} |", m.wrk);
    let _ = writeln!(s, "| Commit | {} |", m.commit);
    let _ = writeln!(
        s,
        "| Load average (1/5/15 min) | {} at start, {} at end |\n",
        m.load_start,
        machine::load_average()
    );

    let _ = writeln!(s, "### Start-up to first answered request\n");
    let _ = writeln!(
        s,
        "Release `sinergi serve` spawned; `GET /healthz` polled over raw TCP every 1 ms; \
         time from spawn to the first `ok`. Each cold run starts on a fresh file or database.\n"
    );
    let _ = writeln!(
        s,
        "| Backend | Case | Runs | Median (ms) | Min (ms) | Max (ms) |\n|---|---|---:|---:|---:|---:|"
    );
    for r in reports {
        let (empty, loaded) = match r.label {
            "SQLite" => ("empty file", "same file"),
            _ => ("empty database", "same database"),
        };
        for (case, sum) in [
            (
                format!("{empty}: create, migrate, load {regions} regions"),
                r.cold,
            ),
            (format!("{loaded}, regions loaded"), r.warm),
        ] {
            let _ = writeln!(
                s,
                "| {} | {case} | {} | {:.1} | {:.1} | {:.1} |",
                r.label,
                sum.n,
                ms(sum.p50),
                ms(sum.min),
                ms(sum.max)
            );
        }
    }

    let _ = writeln!(s, "\n### Region look-up and name search, per call\n");
    let _ = writeln!(
        s,
        "In-process through the Store API on the seeded database, one call at a time after an \
         untimed warm-up; both backends answer the same deterministic (xorshift) draws. \
         Fixed queries: {}.\n",
        inproc::FIXED_QUERIES
            .iter()
            .map(|q| format!("\"{q}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "| Backend | Call | Calls | p50 (µs) | p99 (µs) | Mean (µs) | Workload |\n|---|---|---:|---:|---:|---:|---|"
    );
    for r in reports {
        for op in &r.ops {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                r.label,
                op.name,
                thousands(op.summary.n as u64),
                thousands(us(op.summary.p50).round() as u64),
                thousands(us(op.summary.p99).round() as u64),
                thousands(us(op.summary.mean).round() as u64),
                op.note
            );
        }
    }

    let _ = writeln!(s, "\n### Pages under load\n");
    let _ = writeln!(
        s,
        "`wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{}s --latency` against the release server on the \
         seeded database, after a {} s warm-up per path. wrk runs on the same {} cores as the server.\n",
        plan.wrk_secs, plan.warmup_secs, m.nproc
    );
    let _ = writeln!(
        s,
        "| Backend | Path | Requests/s | p50 (ms) | p99 (ms) | Requests | Errors |\n|---|---|---:|---:|---:|---:|---|"
    );
    for r in reports {
        for (path, w) in &r.load {
            let mut errors = Vec::new();
            if w.non_2xx > 0 {
                errors.push(format!("{} non-2xx", w.non_2xx));
            }
            if let Some(e) = &w.socket_errors {
                errors.push(e.clone());
            }
            let errors = if errors.is_empty() {
                "none".to_string()
            } else {
                errors.join("; ")
            };
            let _ = writeln!(
                s,
                "| {} | `{path}` | {} | {:.2} | {:.2} | {} | {errors} |",
                r.label,
                thousands(w.requests_per_sec.round() as u64),
                w.p50_ms,
                w.p99_ms,
                thousands(w.requests)
            );
        }
    }
    s
}

/// 91599 → "91,599".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::thousands(91_599), "91,599");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
