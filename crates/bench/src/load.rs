//! Load runs with `wrk`, and reading its report.

use std::process::Command;

use anyhow::{Context, bail};

/// What one `wrk --latency` run reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WrkResult {
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    /// "Non-2xx or 3xx responses", 0 when wrk printed none.
    pub non_2xx: u64,
    /// wrk's "Socket errors" line, if any.
    pub socket_errors: Option<String>,
}

/// `wrk -t{threads} -c{connections} -d{secs}s --latency URL`.
pub fn wrk(url: &str, threads: u32, connections: u32, secs: u32) -> anyhow::Result<WrkResult> {
    let output = Command::new("wrk")
        .arg(format!("-t{threads}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{secs}s"))
        .arg("--latency")
        .arg(url)
        .output()
        .context("cannot run wrk (is it installed?)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed ({}): {}{}",
            output.status,
            text,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse_wrk(&text).with_context(|| format!("unexpected wrk output:\n{text}"))
}

pub fn parse_wrk(text: &str) -> Option<WrkResult> {
    let mut out = WrkResult::default();
    let mut rps = None;
    let mut p99 = None;
    for line in text.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            rps = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("99%") {
            p99 = duration_ms(v.trim());
        } else if let Some(v) = line.strip_prefix("50%") {
            out.p50_ms = duration_ms(v.trim()).unwrap_or_default();
        } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            out.non_2xx = v.trim().parse().unwrap_or_default();
        } else if line.starts_with("Socket errors:") {
            out.socket_errors = Some(line.to_string());
        } else if let Some((n, _)) = line.split_once(" requests in ") {
            out.requests = n.trim().parse().unwrap_or_default();
        }
    }
    out.requests_per_sec = rps?;
    out.p99_ms = p99?;
    Some(out)
}

/// wrk prints durations as `850.00us`, `12.34ms`, `1.02s` or `1.50m`.
fn duration_ms(s: &str) -> Option<f64> {
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, unit) = s.split_at(split);
    let value: f64 = num.parse().ok()?;
    let factor = match unit {
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 60e3,
        "h" => 3600e3,
        _ => return None,
    };
    Some(value * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 15s test @ http://127.0.0.1:8080/wilayah/52
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.12ms    1.23ms  30.00ms   80.00%
    Req/Sec     3.12k   200.00     3.50k    70.00%
  Latency Distribution
     50%  850.00us
     75%    5.50ms
     90%    6.50ms
     99%    1.02s
  93456 requests in 15.00s, 1.23GB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 12
Requests/sec:   6230.40
Transfer/sec:     82.00MB
";

    #[test]
    fn reads_wrk_output() {
        let r = parse_wrk(SAMPLE).unwrap();
        assert_eq!(r.requests_per_sec, 6230.40);
        assert!((r.p99_ms - 1020.0).abs() < 1e-9);
        assert!((r.p50_ms - 0.85).abs() < 1e-9);
        assert_eq!(r.requests, 93456);
        assert_eq!(r.non_2xx, 12);
        assert!(r.socket_errors.unwrap().contains("timeout 3"));
        assert!(parse_wrk("nothing here").is_none());
    }
}
