//! Benchmark: evaluating the Tunas Negeri rule over N synthetic people in memory, N from
//! SINERGI_BENCH_PEOPLE. The test suite runs it small (10,000 people) so the path stays
//! checked; `scripts/bench-cycles.sh` runs 5,750,000 (full-scale NTB) and measures the
//! peak memory.

use std::time::Instant;

use chrono::NaiveDate;
use sinergi_core::cycle::SchoolLevel;
use sinergi_core::eligibility::{Facts, Outcome, Rule};

#[test]
fn bench_rule_over_many_people() {
    let n: usize = std::env::var("SINERGI_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rule = Rule::parse(
        r#"desil <= 2 && umur(tanggal_mulai) >= 6 && umur(tanggal_mulai) <= 18 && sekolah == "ya""#,
    )
    .unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 7, 13).unwrap();
    let bound = rule.at(start);
    // One reusable person, varied per index (the registry is read in chunks the same way).
    let mut facts = Facts {
        region: "52.03.05.2001".into(),
        sex: Some("P".into()),
        level: Some(SchoolLevel::Sd),
        ..Facts::default()
    };
    let t = Instant::now();
    let (mut matched, mut undecided) = (0usize, 0usize);
    for i in 0..n {
        // One person in ten has no desil (undecided), as in the registry.
        facts.desil = (i % 10 != 9).then_some((i % 10) as u8 + 1);
        facts.birth_date = NaiveDate::from_ymd_opt(1950 + (i % 75) as i32, 1 + (i % 12) as u32, 1);
        facts.in_school = Some(i % 3 != 0);
        match bound.outcome(&facts) {
            Outcome::Eligible => matched += 1,
            Outcome::Undecided => undecided += 1,
            Outcome::NotEligible => {}
        }
    }
    let secs = t.elapsed().as_secs_f64();
    assert!(matched > 0 && matched < n && undecided > 0);
    println!(
        "BENCH rule_eval people={n} matched={matched} undecided={undecided} seconds={secs:.2} per_second={:.0}",
        n as f64 / secs
    );
}
