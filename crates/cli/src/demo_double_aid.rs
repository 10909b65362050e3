//! Demo double-aid rounds (issue 19): NTB's partners holding beneficiary lists are checked
//! for 2025 — a first round closed (results frozen), and a second one run but still open,
//! compared with the first, so the pages show both states, each viewer's share and the
//! comparison. Joined with their held lists, linked in memory on the server.

use std::collections::BTreeMap;

use anyhow::Context;
use sinergi_activity::double_aid::{Join, join, open_round, round_page, run_round};
use sinergi_core::{Period, RegionCode, Viewer};
use sinergi_store::{NewRound, Store};
use sinergi_synth::institutions::{Beneficiary, Program};

/// Persons on two partners' lists, so the demo rounds find double aid: from each partner's
/// largest list, about one row in ten (8 to 16) is also put on every other partner's largest
/// list, as that partner would have recorded the person: exactly, with a shortened name,
/// without NIK and No. KK and a typo or a wrong day, with another NIK (a family member's,
/// or mistyped), or with its NIK under another name (uncertain pairs, for the partners'
/// review). Returns (program index, beneficiary) to add.
pub fn shared_beneficiaries(
    programs: &[Program],
    by_program: &[Vec<&Beneficiary>],
) -> Vec<(usize, Beneficiary)> {
    // Each partner's largest program (ties: the first).
    let mut largest: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in programs.iter().enumerate() {
        let best = largest.entry(p.partner.as_str()).or_insert(i);
        if by_program[i].len() > by_program[*best].len() {
            *best = i;
        }
    }
    let lists: Vec<usize> = largest
        .into_values()
        .filter(|i| !by_program[*i].is_empty())
        .collect();
    let mut out = Vec::new();
    for &from in &lists {
        let rows = &by_program[from];
        let k = (rows.len() / 10).clamp(8, 16).min(rows.len());
        let step = rows.len() / k;
        for &to in lists.iter().filter(|t| **t != from) {
            for c in 0..k {
                // Different rows for each receiving list.
                let b = rows[(c * step + to) % rows.len()];
                let mut record = b.record.clone();
                // The last of each list pair is the uncertain kind; the others cycle.
                let case = if c + 1 == k { 8 } else { c % 8 };
                match case {
                    0 => {}
                    1 => record.name = shortened(&record.name),
                    // Neither NIK nor No. KK, the rest a little off: still an overlap.
                    2 => {
                        record.nik.clear();
                        record.no_kk.clear();
                        record.name = typo(&record.name);
                    }
                    3 => {
                        record.nik.clear();
                        record.no_kk.clear();
                        record.birth_date = other_day(&record.birth_date, 1);
                    }
                    // Another NIK (a family member's, or mistyped beyond one digit).
                    4 => record.nik = other_nik(&record.nik),
                    5 => {
                        record.nik = other_nik(&record.nik);
                        record.no_kk.clear();
                    }
                    6 => {
                        record.nik = other_nik(&record.nik);
                        record.name = typo(&record.name);
                    }
                    7 => {
                        record.nik = other_nik(&record.nik);
                        record.birth_date = other_day(&record.birth_date, 1);
                    }
                    // The NIK under another name (a relative's name, or a copying error) and
                    // no KK: the engine cannot be sure, so the pair goes to both partners'
                    // review.
                    _ => {
                        record.name = rows[(c * step + to + 1) % rows.len()].record.name.clone();
                        record.no_kk.clear();
                    }
                }
                out.push((
                    to,
                    Beneficiary {
                        program: to,
                        person_id: b.person_id,
                        record,
                        received: b.received,
                    },
                ));
            }
        }
    }
    out
}

fn shortened(name: &str) -> String {
    name.rsplit_once(' ')
        .map_or_else(|| name.to_string(), |(short, _)| short.to_string())
}

/// Two letters swapped after the first.
fn typo(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.len() > 3 {
        chars.swap(1, 2);
    }
    chars.into_iter().collect()
}

/// The same birth year, `days` later within it (a wrongly copied date); other text as is.
fn other_day(date: &str, days: i64) -> String {
    use chrono::Datelike as _;
    match chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        Ok(d) => {
            let moved = d + chrono::Duration::days(days);
            let moved = if moved.year() == d.year() {
                moved
            } else {
                d - chrono::Duration::days(days)
            };
            moved.format("%Y-%m-%d").to_string()
        }
        Err(_) => date.to_string(),
    }
}

/// The same NIK with another sequence number (its last four digits).
fn other_nik(nik: &str) -> String {
    match nik.get(12..).and_then(|s| s.parse::<u32>().ok()) {
        Some(seq) if nik.len() == 16 => format!("{}{:04}", &nik[..12], (seq + 4321) % 9000 + 1),
        _ => nik.to_string(),
    }
}

/// Opens, joins and runs the demo rounds; `preferred` are the partners with demo accounts
/// (invited first), `skip` the register's owner (its list is the population, not aid).
pub async fn load(store: &Store, preferred: &[i64], skip: i64) -> anyhow::Result<()> {
    let demo = Viewer::System("demo");
    let holding = store.as_system("demo").double_aid_invitable().await?;
    let holds = |id: i64| holding.iter().any(|(o, _)| *o == id);
    let mut invite: Vec<i64> = preferred.iter().copied().filter(|o| holds(*o)).collect();
    for (o, _) in &holding {
        if invite.len() >= 4 {
            break;
        }
        if *o != skip && !invite.contains(o) {
            invite.push(*o);
        }
    }
    if invite.len() < 2 {
        tracing::info!(
            "bantuan ganda: kurang dari dua mitra memegang daftar; tidak ada putaran demo"
        );
        return Ok(());
    }
    let input = NewRound {
        region: RegionCode::parse("52")?,
        period: Period::parse("2025")?,
        aid_types: Vec::new(),
        invite: invite.iter().map(|o| (*o, None)).collect(),
    };
    for close in [true, false] {
        let round = open_round(store, &demo, &input).await?;
        let page = round_page(store, &demo, round)
            .await?
            .context("putaran demo tidak terbaca")?;
        let mut joined = 0;
        for m in &page.round.members {
            // The largest list of each partner.
            if let Some(list) = page
                .joinable
                .iter()
                .filter(|l| l.organisation_id == m.organisation_id)
                .max_by_key(|l| (l.row_count, l.id))
            {
                join(
                    store,
                    &demo,
                    round,
                    m.organisation_id,
                    Join::Held { list_id: list.id },
                )
                .await?;
                joined += 1;
            }
        }
        if joined < 2 {
            continue;
        }
        let summary = run_round(store, &demo, round, close).await?;
        tracing::info!(
            "putaran bantuan ganda {round}: {} mitra, {} rekaman, {} penerima ganda",
            summary.members,
            summary.records,
            summary.overlaps
        );
    }
    Ok(())
}
