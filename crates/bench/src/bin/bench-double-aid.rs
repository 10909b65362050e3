//! The double-aid benchmark (issue 19): accuracy of double-aid pairs found on encoded lists
//! against the exact-NIK baseline, and the speed of encoding, of an encoded round and of Dice.
//!
//! `bench-double-aid DIR` reads DIR/p0.csv, p1.csv, p2.csv (partner lists with an `id`
//! column and the intake's columns) and DIR/truth.csv (`id,person_id`), as written by
//! `scripts/bench-double-aid.sh`. Held lists (cleartext) go through the server's own path,
//! `sinergi_activity::double_aid::run_held` (the linkage engine), timed with the process's
//! peak memory after it; then encoded lists (`sinergi sandi`'s encoding and the encoded
//! round). Targets (issue 19): a 100k/50k/20k round in ≤ 10 s and ≤ 500 MB on 2 cores;
//! cleartext F1 ≥ 0.95; encoded F1 within 0.02 of cleartext.

use std::collections::HashMap;
use std::time::Instant;

use rand::SeedableRng as _;
use sinergi_activity::double_aid::{Side, run_held};
use sinergi_core::{RegionCode, RegionPrefixes};
use sinergi_link::encoded::{
    EncodedModel, PlainRecord, Secret, dice_all, encode_list, link_encoded,
};
use sinergi_store::HeldRecord;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn prf(
    found: &std::collections::HashSet<(String, String)>,
    truth: &std::collections::HashSet<(String, String)>,
) -> (f64, f64, f64) {
    let tp = found.intersection(truth).count() as f64;
    let p = if found.is_empty() {
        0.0
    } else {
        tp / found.len() as f64
    };
    let r = if truth.is_empty() {
        0.0
    } else {
        tp / truth.len() as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.into(), b.into())
    } else {
        (b.into(), a.into())
    }
}

fn main() -> anyhow::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("DIR"));
    let truth_text = std::fs::read_to_string(dir.join("truth.csv"))?;
    let person: HashMap<&str, &str> = truth_text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .collect();
    let any_region = |_: &RegionCode| true;
    let ctx = sinergi_intake::PersonContext {
        region_exists: &any_region,
        prefixes: None::<&dyn RegionPrefixes>,
        region_names: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        limits: sinergi_intake::Limits::default(),
    };
    let secret = Secret::new(b"benchmark-secret-round-2026-12")?;
    let mut files = Vec::new();
    let mut lists = Vec::new();
    let read_started = Instant::now();
    for p in 0..3 {
        let bytes = std::fs::read(dir.join(format!("p{p}.csv")))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let list = sinergi_intake::read_person_list(&bytes, &ctx)
            .map_err(|e| anyhow::anyhow!("p{p}: {e}"))?;
        files.push(text);
        lists.push(list);
    }
    let read_secs = read_started.elapsed().as_secs_f64();
    // Record ids by line (the intake numbers lines from 1, the header being line 1).
    let ids: Vec<Vec<&str>> = files
        .iter()
        .map(|t| {
            t.lines()
                .map(|l| l.split(',').next().unwrap_or(""))
                .collect()
        })
        .collect();
    let id_of = |p: usize, line: u64| ids[p][(line - 1) as usize];
    // Truth: cross-partner pairs of records of the same person, over every record given.
    let mut by_person: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for (p, list) in ids.iter().enumerate() {
        for id in list.iter().skip(1) {
            if let Some(pid) = person.get(id) {
                by_person.entry(pid).or_default().push((p, id));
            }
        }
    }
    let mut truth = std::collections::HashSet::new();
    for recs in by_person.values() {
        for (i, (pa, a)) in recs.iter().enumerate() {
            for (pb, b) in &recs[i + 1..] {
                if pa != pb {
                    truth.insert(ordered(a, b));
                }
            }
        }
    }
    let sizes: Vec<usize> = lists.iter().map(|l| l.rows.len()).collect();
    let total: usize = sizes.iter().sum();

    // Baseline: exact NIK across partners.
    let mut by_nik: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for (p, list) in lists.iter().enumerate() {
        for r in &list.rows {
            if let Some(n) = &r.nik {
                by_nik
                    .entry(n.as_str())
                    .or_default()
                    .push((p, id_of(p, r.line)));
            }
        }
    }
    let mut exact = std::collections::HashSet::new();
    for recs in by_nik.values() {
        for (i, (pa, a)) in recs.iter().enumerate() {
            for (pb, b) in &recs[i + 1..] {
                if pa != pb {
                    exact.insert(ordered(a, b));
                }
            }
        }
    }

    // Held lists: what the server does with lists it holds (read in memory, linked in
    // cleartext by the linkage engine, overlaps across partners kept).
    let held_lists: Vec<Vec<HeldRecord>> = lists
        .iter()
        .map(|l| {
            l.rows
                .iter()
                .map(|r| HeldRecord {
                    line: r.line as i64,
                    nik: r.nik.as_ref().map(|n| n.as_str().to_string()),
                    kk: r.kk.as_ref().map(|k| k.as_str().to_string()),
                    name: r.name.clone(),
                    birth_date: r.birth_date,
                    sex: r.sex.map(|s| match s {
                        sinergi_core::Sex::Male => 'L',
                        sinergi_core::Sex::Female => 'P',
                    }),
                    region: r.region.as_str().to_string(),
                    aid_type: None,
                    person_key: None,
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    let held = run_held(&held_lists, &[]);
    let held_secs = started.elapsed().as_secs_f64();
    let held_rss = peak_rss_mb();
    let held_side = |s: Side| id_of(s.member, held_lists[s.member][s.line as usize].line as u64);
    let held_found: std::collections::HashSet<(String, String)> = held
        .overlaps
        .iter()
        .map(|o| ordered(held_side(o.a), held_side(o.b)))
        .collect();
    drop(held_lists);

    // Encoding (what `sinergi sandi` does after reading).
    let started = Instant::now();
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(19);
    let mut encoded = Vec::new();
    let mut placements = Vec::new();
    for list in &lists {
        let plain: Vec<PlainRecord<'_>> = list.rows.iter().map(PlainRecord::from_person).collect();
        let (e, placement) = encode_list(&secret, &plain, &mut rng);
        encoded.push(e);
        placements.push(placement);
    }
    let encode_secs = started.elapsed().as_secs_f64();

    // The encoded round.
    let started = Instant::now();
    let sets: Vec<&[_]> = encoded.iter().map(|e| e.as_slice()).collect();
    let model = EncodedModel::estimate(&sets, 200_000, &mut rng);
    let outcome = link_encoded(&sets, &model, 0.5);
    let round_secs = started.elapsed().as_secs_f64();
    // Back from encoded lines to ids, as each partner does with its row map.
    let line_to_id: Vec<Vec<&str>> = lists
        .iter()
        .zip(&placements)
        .enumerate()
        .map(|(p, (list, placement))| {
            let mut v = vec![""; placement.len()];
            for (row, &line) in placement.iter().enumerate() {
                v[line] = id_of(p, list.rows[row].line);
            }
            v
        })
        .collect();
    let found: std::collections::HashSet<(String, String)> = outcome
        .pairs
        .iter()
        .map(|p| {
            ordered(
                line_to_id[p.a.0][p.a.1 as usize],
                line_to_id[p.b.0][p.b.1 as usize],
            )
        })
        .collect();

    if std::env::var_os("DOUBLE_AID_SHOW_MISSED").is_some() {
        for (a, b) in truth.iter().take(3000) {
            if !found.contains(&(a.clone(), b.clone())) {
                println!("missed: {a} {b}");
            }
        }
    }
    if std::env::var_os("DOUBLE_AID_SHOW_FALSE").is_some() {
        for p in outcome.pairs.iter().take(4000) {
            let pair = ordered(
                line_to_id[p.a.0][p.a.1 as usize],
                line_to_id[p.b.0][p.b.1 as usize],
            );
            if !truth.contains(&pair) {
                println!(
                    "false: {pair:?} weights {:?} dice {:.3}",
                    p.field_weights, p.dice
                );
            }
        }
    }
    // Dice comparisons per second on one core.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let a = &encoded[0][..encoded[0].len().min(2_000)];
    let b = &encoded[1][..encoded[1].len().min(20_000)];
    let started = Instant::now();
    let checksum = pool.install(|| dice_all(a, b));
    let dice_secs = started.elapsed().as_secs_f64();
    let comparisons = (a.len() * b.len()) as f64;

    let (ep, er, ef) = prf(&exact, &truth);
    let (cp, cr, cf) = prf(&found, &truth);
    // The same figures over records the intake accepted (refused rows cannot be encoded).
    let accepted: std::collections::HashSet<&str> = lists
        .iter()
        .enumerate()
        .flat_map(|(p, l)| l.rows.iter().map(move |r| (p, r.line)))
        .map(|(p, line)| id_of(p, line))
        .collect();
    let truth_accepted: std::collections::HashSet<(String, String)> = truth
        .iter()
        .filter(|(a, b)| accepted.contains(a.as_str()) && accepted.contains(b.as_str()))
        .cloned()
        .collect();
    let (ap, ar, af) = prf(&found, &truth_accepted);
    let (hp, hr, hf) = prf(&held_found, &truth);
    let (hap, har, haf) = prf(&held_found, &truth_accepted);
    let (xp, xr, xf) = prf(&exact, &truth_accepted);
    println!(
        "partners: {} records ({sizes:?}), read in {read_secs:.2} s",
        total
    );
    println!("true double-aid pairs: {}", truth.len());
    println!(
        "exact NIK:  found {:>7}  precision {ep:.4}  recall {er:.4}  F1 {cf_:.4}",
        exact.len(),
        cf_ = ef
    );
    println!(
        "held:       found {:>7}  precision {hp:.4}  recall {hr:.4}  F1 {hf:.4}  ({} uncertain for review)",
        held_found.len(),
        held.uncertain.len()
    );
    println!(
        "encoded:    found {:>7}  precision {cp:.4}  recall {cr:.4}  F1 {cf:.4}",
        found.len()
    );
    println!(
        "held round (linkage engine, cleartext): {held_secs:.2} s, {} candidate pairs, peak RSS after it {held_rss:.0} MB (target ≤ 10 s, ≤ 500 MB)",
        held.candidate_pairs
    );
    println!(
        "encode: {:.2} s, {:.0} records/s ({} threads)",
        encode_secs,
        total as f64 / encode_secs,
        rayon::current_num_threads()
    );
    println!(
        "encoded round: {round_secs:.2} s, {} candidate pairs (target ≤ 10 s)",
        outcome.candidate_pairs
    );
    println!(
        "dice: {:.1} M comparisons/s on one core (checksum {checksum:.0})",
        comparisons / dice_secs / 1e6
    );
    println!(
        "over accepted rows ({} true pairs): exact NIK P {xp:.4} R {xr:.4} F1 {xf:.4}; held P {hap:.4} R {har:.4} F1 {haf:.4}; encoded P {ap:.4} R {ar:.4} F1 {af:.4}",
        truth_accepted.len()
    );
    println!(
        "peak RSS of the whole process (3 lists read, held round, encoding, encoded round): {:.0} MB (target ≤ 500 MB per round)",
        peak_rss_mb()
    );
    // For the script's held-list evaluation.
    std::fs::write(dir.join("truth_pairs.csv"), {
        let mut s = String::from("a,b\n");
        for (a, b) in &truth {
            s.push_str(&format!("{a},{b}\n"));
        }
        s
    })?;
    Ok(())
}
