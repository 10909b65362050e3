//! What the numbers were measured on.

use std::process::Command;

pub struct Machine {
    pub date: String,
    pub nproc: String,
    pub cpu: String,
    pub memory: String,
    pub kernel: String,
    pub rustc: String,
    pub sqlite: String,
    pub wrk: String,
    pub commit: String,
    pub load_start: String,
}

impl Machine {
    pub fn describe(sqlite_version: String) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown CPU".to_string(), |(_, v)| v.trim().to_string());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or_else(
                || "unknown".to_string(),
                |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0),
            );
        let nproc = run("nproc", &[]).unwrap_or_else(|| {
            std::thread::available_parallelism().map_or("?".to_string(), |n| n.to_string())
        });
        let commit = match run("git", &["rev-parse", "--short", "HEAD"]) {
            Some(hash) => {
                let dirty = run("git", &["status", "--porcelain", "--untracked-files=no"])
                    .is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{hash} (with uncommitted changes)")
                } else {
                    hash
                }
            }
            None => "unknown".to_string(),
        };
        Machine {
            date: chrono::Local::now().format("%Y-%m-%d").to_string(),
            nproc,
            cpu,
            memory,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".to_string(), |s| s.trim().to_string()),
            rustc: run("rustc", &["--version"]).unwrap_or_else(|| "unknown".to_string()),
            sqlite: sqlite_version,
            wrk: run_any("wrk", &["-v"])
                .and_then(|s| s.lines().next().map(str::to_string))
                .map(|s| match s.split_once(" Copyright") {
                    Some((v, _)) => v.trim().to_string(),
                    None => s,
                })
                .unwrap_or_else(|| "not found".to_string()),
            commit,
            load_start: load_average(),
        }
    }

    /// "AMD EPYC, 2 cores, 23.4 GiB RAM": for headings.
    pub fn short(&self) -> String {
        format!("{}, {} cores, {} RAM", self.cpu, self.nproc, self.memory)
    }
}

/// Trimmed stdout of a successful command.
fn run(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Trimmed stdout of a command whatever its exit status (`wrk -v` exits 1).
fn run_any(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// The first three fields of /proc/loadavg: other work on the machine skews the numbers.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" / "))
        .unwrap_or_else(|| "unknown".to_string())
}
