//! The double-aid check (bantuan ganda), run on encoded lists: who receives the same kind of
//! help from two partners, and what each viewer may see of it.
//!
//! The in-memory part of a round ([`run_encoded`], [`view_for`]: encoded files in, overlaps
//! out, shaped per viewer by `core::double_aid`) and the stored rounds' use cases: open,
//! invite, join (a held list, or an encoded file uploaded and checked here), run and close
//! (frozen), results per viewer and the partners' verdicts on uncertain pairs. The store
//! applies the access rules and audits every step.

use std::collections::BTreeMap;

use sinergi_core::double_aid::{
    JoinMode, ResultsView, RoundStatus, disclose_count, may_open_round, results_view,
};
use sinergi_core::{Disclosed, Msg, RegionCode, Viewer};
use sinergi_link::encoded::{
    EncodedError, EncodedModel, EncodedRecord, link_encoded, read_file, write_file,
};
use sinergi_store::{
    HeldRecord, JoinWith, JoinableList, NewPair, NewRound, RoundRecord, RoundResults, Store,
};

use crate::ActivityError;

/// A pair at or above this probability is an overlap; between [`REVIEW_FLOOR`] and this it is
/// uncertain (for review).
pub const MATCH_PROBABILITY: f64 = 0.5;
pub const REVIEW_FLOOR: f64 = 0.05;

/// One partner in a round, with its encoded list.
#[derive(Debug, Clone)]
pub struct Member {
    pub organisation: i64,
    pub name: String,
    pub contact: String,
    pub records: Vec<EncodedRecord>,
}

/// One side of an overlap: member index and line of its encoded file (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Side {
    pub member: usize,
    pub line: u32,
}

/// A person found in two members' lists, both for aid that counts as the same help.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    pub a: Side,
    pub b: Side,
    pub probability: f64,
    /// NIK, KK and filter weights (the evidence).
    pub field_weights: [f64; 3],
    pub kecamatan: String,
    pub aid_type: String,
}

#[derive(Debug, Clone, Default)]
pub struct RoundResult {
    pub overlaps: Vec<Overlap>,
    pub uncertain: Vec<Overlap>,
    pub candidate_pairs: u64,
}

/// Links the members' encoded lists. `aid_types` are the aid types that count as the same
/// help (lower case); empty means every type counts.
pub fn run_encoded(members: &[Member], aid_types: &[String], seed: u64) -> RoundResult {
    use rand::SeedableRng as _;
    let counts = |r: &EncodedRecord| aid_types.is_empty() || aid_types.contains(&r.aid_type);
    let sets: Vec<&[EncodedRecord]> = members.iter().map(|m| m.records.as_slice()).collect();
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
    let model = EncodedModel::estimate(&sets, 200_000, &mut rng);
    let outcome = link_encoded(&sets, &model, REVIEW_FLOOR);
    let mut result = RoundResult {
        candidate_pairs: outcome.candidate_pairs,
        ..RoundResult::default()
    };
    for p in outcome.pairs {
        let ra = &members[p.a.0].records[p.a.1 as usize];
        let rb = &members[p.b.0].records[p.b.1 as usize];
        if !counts(ra) || !counts(rb) {
            continue;
        }
        let overlap = Overlap {
            a: Side {
                member: p.a.0,
                line: p.a.1,
            },
            b: Side {
                member: p.b.0,
                line: p.b.1,
            },
            probability: p.probability,
            field_weights: p.field_weights,
            kecamatan: ra.kecamatan.clone(),
            aid_type: ra.aid_type.clone(),
        };
        if p.probability >= MATCH_PROBABILITY {
            result.overlaps.push(overlap);
        } else {
            result.uncertain.push(overlap);
        }
    }
    result
}

/// A pair of people found by [`link_people`]: indexes into its input, `a < b`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedPair {
    pub a: usize,
    pub b: usize,
    pub probability: f64,
    /// NIK, KK and the other fields' (name, sex, birth date, desa) weights.
    pub field_weights: [f64; 3],
}

/// What [`link_people`] found: every pair at or above `floor`, and the preset's threshold
/// (a pair at or above it is the same person; below it, a pair for review).
#[derive(Debug, Clone, Default)]
pub struct Linked {
    pub pairs: Vec<LinkedPair>,
    pub threshold: f64,
    pub candidate_pairs: u64,
}

/// Links people held in cleartext (in server memory) with the linkage engine
/// (`sinergi_link::Linker`, the person preset: NIK with its Excel and typing errors, names
/// with the Indonesian name rules, dates with day–month swaps, KK, desa), the same engine
/// and settings as `sinergi link`, as one list: the pairs at or above `floor`. The one way
/// the double-aid check (held lists) and a cycle's enrolment find the same person.
pub fn link_people(records: &[&HeldRecord], floor: f64) -> Linked {
    use sinergi_core::Table;
    use sinergi_link::{Input, Linker, Settings};
    let mut settings = Settings::person_preset();
    let threshold = settings.threshold;
    if records.len() < 2 {
        return Linked {
            threshold,
            ..Linked::default()
        };
    }
    let header = [
        "id",
        "nik",
        "nama",
        "jenis_kelamin",
        "tanggal_lahir",
        "no_kk",
        "kode_desa",
    ];
    let n = records.len();
    let ids: Vec<String> = (0..n).map(|k| k.to_string()).collect();
    let dates: Vec<String> = records
        .iter()
        .map(|r| {
            r.birth_date
                .map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
        })
        .collect();
    let sexes: Vec<String> = records
        .iter()
        .map(|r| r.sex.map_or_else(String::new, |c| c.to_string()))
        .collect();
    fn column<'a>(n: usize, f: impl Fn(usize) -> &'a str) -> sinergi_core::TextColumn {
        (0..n).map(f).collect()
    }
    let table = Table {
        header: header.iter().map(|h| h.to_string()).collect(),
        columns: vec![
            column(n, |k| ids[k].as_str()),
            column(n, |k| records[k].nik.as_deref().unwrap_or("")),
            column(n, |k| records[k].name.as_str()),
            column(n, |k| sexes[k].as_str()),
            column(n, |k| dates[k].as_str()),
            column(n, |k| records[k].kk.as_deref().unwrap_or("")),
            column(n, |k| records[k].region.as_str()),
        ],
        lines: (0..n as u32).map(|r| r + 2).collect(),
    };
    settings.review_floor = floor.min(threshold);
    let linker = match Linker::new(
        settings,
        vec![Input {
            name: "daftar".into(),
            table: &table,
        }],
    ) {
        Ok(l) => l,
        // The table is built here with the preset's columns and unique ids.
        Err(e) => unreachable!("held records as a linkage table: {e}"),
    };
    let outcome = linker.run(None, &[], None);
    let weights = outcome.model.weights();
    // The preset's comparisons: nik, nama, jenis_kelamin, tanggal_lahir, no_kk, kode_desa.
    let (nik_col, kk_col) = (0, 4);
    let pairs = outcome
        .pairs
        .iter()
        .filter(|p| p.probability >= floor)
        .map(|p| {
            let fw = linker.field_weights(&outcome.model, &weights, p);
            let rest: f64 = fw
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != nik_col && *k != kk_col)
                .map(|(_, w)| w)
                .sum();
            let (a, b) = (p.a as usize, p.b as usize);
            LinkedPair {
                a: a.min(b),
                b: a.max(b),
                probability: p.probability,
                field_weights: [fw[nik_col], fw[kk_col], rest],
            }
        })
        .collect();
    Linked {
        pairs,
        threshold,
        candidate_pairs: outcome.stats.candidate_pairs,
    }
}

/// Links the members' held lists with [`link_people`]. The lists are linked together and
/// only pairs across two members are kept: a pair at or above the preset's threshold is an
/// overlap, one between [`REVIEW_FLOOR`] and the threshold is uncertain. `Side::line` is the
/// index in `lists[member]`; the evidence is the NIK, KK and the other fields' (name, sex,
/// birth date, desa) weights.
pub fn run_held(lists: &[Vec<HeldRecord>], aid_types: &[String]) -> RoundResult {
    let counts = |r: &HeldRecord| {
        aid_types.is_empty()
            || r.aid_type
                .as_deref()
                .is_some_and(|t| aid_types.contains(&t.trim().to_lowercase()))
    };
    // Only records whose aid counts are linked; `index[k]` = (member, index in its list).
    let mut index: Vec<(usize, usize)> = Vec::new();
    for (m, list) in lists.iter().enumerate() {
        for (i, r) in list.iter().enumerate() {
            if counts(r) {
                index.push((m, i));
            }
        }
    }
    let members_present = {
        let mut seen: Vec<usize> = index.iter().map(|(m, _)| *m).collect();
        seen.dedup();
        seen.len()
    };
    if members_present < 2 {
        return RoundResult::default();
    }
    let records: Vec<&HeldRecord> = index.iter().map(|&(m, i)| &lists[m][i]).collect();
    // The partners review down to the same floor as encoded pairs: a double-aid pair is a
    // prompt to coordinate, worth a look well below a merge.
    let linked = link_people(&records, REVIEW_FLOOR);
    let mut result = RoundResult {
        candidate_pairs: linked.candidate_pairs,
        ..RoundResult::default()
    };
    for p in &linked.pairs {
        let (a, b) = (index[p.a], index[p.b]);
        if a.0 == b.0 {
            continue;
        }
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let ra = &lists[a.0][a.1];
        let overlap = Overlap {
            a: Side {
                member: a.0,
                line: a.1 as u32,
            },
            b: Side {
                member: b.0,
                line: b.1 as u32,
            },
            probability: p.probability,
            field_weights: p.field_weights,
            kecamatan: kecamatan_of(&ra.region),
            aid_type: ra.aid_type.as_deref().unwrap_or("").trim().to_lowercase(),
        };
        if p.probability >= linked.threshold {
            result.overlaps.push(overlap);
        } else {
            result.uncertain.push(overlap);
        }
    }
    result.overlaps.sort_by_key(|o| (o.a, o.b));
    result.uncertain.sort_by_key(|o| (o.a, o.b));
    result
}

/// The kecamatan (`52.01.02`) of a dotted desa code.
fn kecamatan_of(region: &str) -> String {
    match region.match_indices('.').nth(2) {
        Some((i, _)) => region[..i].to_string(),
        None => region.to_string(),
    }
}

/// A partner's own encoded line flagged: also receives aid from `other` (name, contact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub line: u32,
    pub aid_type: String,
    pub other: String,
    pub other_contact: String,
}

/// A count cell: kecamatan × partner pair × aid type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountCell {
    pub kecamatan: String,
    pub partners: (String, String),
    pub aid_type: String,
    pub count: Disclosed,
}

/// What one viewer sees of a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundView {
    OwnRows(Vec<Flag>),
    Counts(Vec<CountCell>),
    ProvinceTotal(Disclosed),
    Nothing,
}

/// Shapes a round's result for `viewer` following `core::double_aid::results_view`.
pub fn view_for(
    viewer: &Viewer,
    region: &RegionCode,
    threshold: u64,
    members: &[Member],
    result: &RoundResult,
) -> RoundView {
    let view = results_view(viewer, region, threshold);
    match view {
        ResultsView::OwnRows { organisation } => {
            let mut flags = Vec::new();
            for o in &result.overlaps {
                for (own, other) in [(o.a, o.b), (o.b, o.a)] {
                    if members[own.member].organisation == organisation {
                        let other = &members[other.member];
                        flags.push(Flag {
                            line: own.line,
                            aid_type: o.aid_type.clone(),
                            other: other.name.clone(),
                            other_contact: other.contact.clone(),
                        });
                    }
                }
            }
            flags.sort_by(|x, y| (x.line, &x.other).cmp(&(y.line, &y.other)));
            RoundView::OwnRows(flags)
        }
        ResultsView::Counts { .. } => {
            let mut cells: BTreeMap<(String, String, String, String), u64> = BTreeMap::new();
            for o in &result.overlaps {
                let (x, y) = (&members[o.a.member].name, &members[o.b.member].name);
                let pair = if x <= y { (x, y) } else { (y, x) };
                *cells
                    .entry((
                        o.kecamatan.clone(),
                        pair.0.clone(),
                        pair.1.clone(),
                        o.aid_type.clone(),
                    ))
                    .or_default() += 1;
            }
            RoundView::Counts(
                cells
                    .into_iter()
                    .map(|((kecamatan, a, b, aid_type), n)| CountCell {
                        kecamatan,
                        partners: (a, b),
                        aid_type,
                        count: disclose_count(&view, n),
                    })
                    .collect(),
            )
        }
        ResultsView::ProvinceTotals { .. } => {
            RoundView::ProvinceTotal(disclose_count(&view, result.overlaps.len() as u64))
        }
        ResultsView::Nothing => RoundView::Nothing,
    }
}

/// An uploaded encoded file larger than this is refused (a 100,000-row file is ~30 MB).
pub const MAX_ENCODED_BYTES: usize = 64 * 1024 * 1024;

/// Opens a round; returns its id.
pub async fn open_round(
    store: &Store,
    viewer: &Viewer,
    input: &NewRound,
) -> Result<i64, ActivityError> {
    Ok(store.scoped(viewer).open_double_aid_round(input).await?)
}

/// Invites one more partner to an open round.
pub async fn invite(
    store: &Store,
    viewer: &Viewer,
    round_id: i64,
    organisation: i64,
    contact: Option<&str>,
) -> Result<(), ActivityError> {
    Ok(store
        .scoped(viewer)
        .invite_to_double_aid_round(round_id, organisation, contact)
        .await?)
}

/// How a partner joins, as a face received it.
#[derive(Debug, Clone)]
pub enum Join {
    Held {
        list_id: i64,
    },
    /// The bytes of an encoded file made by `sinergi sandi`.
    Encoded {
        bytes: Vec<u8>,
    },
}

/// Reads an uploaded encoded file: its size, text and rows checked, each kecamatan inside
/// the round's region. A refusal names the line and the reason; nothing is stored then.
pub fn read_encoded(bytes: &[u8], region: &RegionCode) -> Result<Vec<EncodedRecord>, Msg> {
    if bytes.len() > MAX_ENCODED_BYTES {
        return Err(Msg::new("double_aid.file_too_large").arg("mb", MAX_ENCODED_BYTES >> 20));
    }
    let text = std::str::from_utf8(bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes))
        .map_err(|_| Msg::new("double_aid.file_not_text"))?;
    let records = read_file(text).map_err(|e| match e {
        EncodedError::BadFile { line, reason } => Msg::new("double_aid.file_bad_line")
            .arg("line", line)
            .arg("reason", reason),
        EncodedError::SecretTooShort { .. } => Msg::new("double_aid.file_not_text"),
    })?;
    if records.is_empty() {
        return Err(Msg::new("double_aid.empty_list"));
    }
    for (i, r) in records.iter().enumerate() {
        let inside =
            RegionCode::parse(&r.kecamatan).is_ok_and(|k| region.contains(&k) || *region == k);
        if !inside {
            return Err(Msg::new("double_aid.file_outside_region")
                .arg("line", i + 2)
                .arg("kecamatan", r.kecamatan.clone())
                .arg("region", region.to_string()));
        }
    }
    Ok(records)
}

/// Joins `organisation` to a round with a held list or an encoded file; returns the number
/// of records taken.
pub async fn join(
    store: &Store,
    viewer: &Viewer,
    round_id: i64,
    organisation: i64,
    input: Join,
) -> Result<i64, ActivityError> {
    let scoped = store.scoped(viewer);
    let round = scoped
        .double_aid_round(round_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let with = match input {
        Join::Held { list_id } => JoinWith::Held { list_id },
        Join::Encoded { bytes } => {
            let region = RegionCode::parse(&round.region).map_err(|e| {
                ActivityError::Store(sinergi_store::StoreError::Corrupt(e.to_string()))
            })?;
            let records = read_encoded(&bytes, &region).map_err(ActivityError::Refused)?;
            // Stored as written by Sinergi itself: nothing of the upload beyond its rows.
            JoinWith::Encoded {
                text: write_file(&records),
                records: records.len() as i64,
            }
        }
    };
    scoped
        .join_double_aid_round(round_id, organisation, &with)
        .await?;
    Ok(match with {
        JoinWith::Held { .. } => scoped
            .double_aid_round(round_id)
            .await?
            .and_then(|r| {
                r.members
                    .into_iter()
                    .find(|m| m.organisation_id == organisation)
            })
            .map_or(0, |m| m.record_count),
        JoinWith::Encoded { records, .. } => records,
    })
}

/// What a run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub members: usize,
    pub records: usize,
    pub overlaps: usize,
    pub uncertain: usize,
    pub candidate_pairs: u64,
}

/// Runs a round on its joined members and stores the pairs; `close` freezes them. Held
/// lists are opened in memory and linked in cleartext with the linkage engine
/// ([`run_held`]); encoded files are scored with each other by the encoded scorer
/// ([`run_encoded`]). A held list and an encoded file cannot be compared: the encoded
/// files' secret is the partners', which the server never has.
pub async fn run_round(
    store: &Store,
    viewer: &Viewer,
    round_id: i64,
    close: bool,
) -> Result<RunSummary, ActivityError> {
    let scoped = store.scoped(viewer);
    let round = scoped
        .double_aid_round(round_id)
        .await?
        .ok_or(ActivityError::Forbidden)?;
    let joined = scoped.double_aid_run_members(round_id).await?;
    if joined.len() < 2 {
        return Err(ActivityError::Refused(Msg::new("double_aid.two_joined")));
    }
    // (organisation, held records) and (member, encoded lines of its file).
    let mut held: Vec<(i64, Vec<HeldRecord>)> = Vec::new();
    let mut encoded: Vec<Member> = Vec::new();
    for m in &joined {
        match (m.mode, m.list_id, &m.encoded_file) {
            (JoinMode::Held, Some(list), _) => {
                held.push((
                    m.organisation_id,
                    scoped.double_aid_held_records(round_id, list).await?,
                ));
            }
            (JoinMode::Encoded, _, Some(text)) => {
                let records = read_file(text).map_err(|e| {
                    ActivityError::Store(sinergi_store::StoreError::Corrupt(e.to_string()))
                })?;
                encoded.push(Member {
                    organisation: m.organisation_id,
                    name: m.name.clone(),
                    contact: m.contact.clone(),
                    records,
                });
            }
            _ => {}
        }
    }
    let mut pairs = Vec::new();
    let mut candidate_pairs = 0;
    let records = held.iter().map(|h| h.1.len()).sum::<usize>()
        + encoded.iter().map(|m| m.records.len()).sum::<usize>();
    let pair_of = |o: &Overlap,
                   certain: bool,
                   org: &dyn Fn(usize) -> i64,
                   line: &dyn Fn(Side) -> i64,
                   key: Option<String>| NewPair {
        org_a: org(o.a.member),
        line_a: line(o.a),
        org_b: org(o.b.member),
        line_b: line(o.b),
        kecamatan: o.kecamatan.clone(),
        aid_type: o.aid_type.clone(),
        probability: o.probability,
        weights: o.field_weights,
        certain,
        person_key: key,
    };
    if held.len() >= 2 {
        let (orgs, lists): (Vec<i64>, Vec<Vec<HeldRecord>>) = held.into_iter().unzip();
        let result = run_held(&lists, &round.aid_types);
        candidate_pairs += result.candidate_pairs;
        for (certain, list) in [(true, &result.overlaps), (false, &result.uncertain)] {
            for o in list {
                let rec = |s: Side| &lists[s.member][s.line as usize];
                let key = rec(o.a)
                    .person_key
                    .clone()
                    .or_else(|| rec(o.b).person_key.clone());
                pairs.push(pair_of(o, certain, &|m| orgs[m], &|s| rec(s).line, key));
            }
        }
    }
    if encoded.len() >= 2 {
        let result = run_encoded(&encoded, &round.aid_types, round_id as u64);
        candidate_pairs += result.candidate_pairs;
        for (certain, list) in [(true, &result.overlaps), (false, &result.uncertain)] {
            for o in list {
                // The line of the partner's encoded file: header first, 1-based.
                pairs.push(pair_of(
                    o,
                    certain,
                    &|m| encoded[m].organisation,
                    &|s| i64::from(s.line) + 2,
                    None,
                ));
            }
        }
    }
    scoped
        .save_double_aid_results(round_id, &pairs, candidate_pairs, close)
        .await?;
    let overlaps = pairs.iter().filter(|p| p.certain).count();
    Ok(RunSummary {
        members: joined.len(),
        records,
        overlaps,
        uncertain: pairs.len() - overlaps,
        candidate_pairs,
    })
}

/// The rounds the viewer has a part in.
pub async fn rounds(store: &Store, viewer: &Viewer) -> Result<Vec<RoundRecord>, ActivityError> {
    Ok(store.scoped(viewer).double_aid_rounds().await?)
}

/// One round with what this viewer sees of its results and the lists it may join with;
/// `None` when the viewer has no part in it.
#[derive(Debug, Clone)]
pub struct RoundPage {
    pub round: RoundRecord,
    pub results: RoundResults,
    pub joinable: Vec<JoinableList>,
    /// Whether the viewer runs and closes it.
    pub may_run: bool,
}

pub async fn round_page(
    store: &Store,
    viewer: &Viewer,
    round_id: i64,
) -> Result<Option<RoundPage>, ActivityError> {
    let scoped = store.scoped(viewer);
    let Some(round) = scoped.double_aid_round(round_id).await? else {
        return Ok(None);
    };
    let results = scoped
        .double_aid_results(round_id)
        .await?
        .unwrap_or(RoundResults::Nothing);
    let joinable = scoped.double_aid_joinable_lists(round_id).await?;
    let may_run = RegionCode::parse(&round.region).is_ok_and(|r| may_open_round(viewer, &r))
        && round.status == RoundStatus::Open;
    Ok(Some(RoundPage {
        round,
        results,
        joinable,
        may_run,
    }))
}

/// The organisations the viewer may invite to a round, as (id, name).
pub async fn invitable(
    store: &Store,
    viewer: &Viewer,
) -> Result<Vec<(i64, String)>, ActivityError> {
    Ok(store.scoped(viewer).double_aid_invitable().await?)
}

/// A partner's verdict on its side of an uncertain pair.
pub async fn decide(
    store: &Store,
    viewer: &Viewer,
    round_id: i64,
    pair_no: i64,
    accept: bool,
) -> Result<(), ActivityError> {
    Ok(store
        .scoped(viewer)
        .decide_double_aid_pair(round_id, pair_no, accept)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sinergi_core::{Principal, Role, Scope};
    use sinergi_link::encoded::{PlainRecord, Secret, encode};

    /// A person whose birth date and sex are those her NIK carries (a fixture at odds with
    /// its own NIK would test nothing real).
    fn person<'a>(name: &'a str, nik: &'a str, aid: &'a str) -> PlainRecord<'a> {
        let digits = |r: std::ops::Range<usize>| nik[r].parse::<u32>().unwrap();
        let (day, female) = match digits(6..8) {
            d if d > 40 => (d - 40, true),
            d => (d, false),
        };
        PlainRecord {
            nik: Some(nik),
            kk: None,
            name,
            birth_date: Some((1900 + digits(10..12) as i32, digits(8..10), day)),
            sex: Some(if female { 'P' } else { 'L' }),
            region: "52.01.02.2001",
            aid_type: Some(aid),
        }
    }

    fn members() -> Vec<Member> {
        let s = Secret::new(b"rahasia-putaran-uji-2026-12").unwrap();
        let list = |rows: &[PlainRecord<'_>]| rows.iter().map(|r| encode(&s, r)).collect();
        vec![
            Member {
                organisation: 1,
                name: "Baznas NTB".into(),
                contact: "baznas@example.id".into(),
                records: list(&[
                    person("Siti Aminah", "5201025403800002", "tunai"),
                    person("Ahmad Zaini", "5201020507750001", "beasiswa"),
                ]),
            },
            Member {
                organisation: 2,
                name: "Yayasan Sumbawa".into(),
                contact: "0812".into(),
                records: list(&[
                    person("Siti Aminah", "5201025403800002", "tunai"),
                    // Same person, but a scholarship does not count in a cash round.
                    person("Ahmad Zaini", "5201020507750001", "beasiswa"),
                ]),
            },
        ]
    }

    fn user(role: Role, regions: &[&str], organisation: Option<i64>) -> Viewer {
        Viewer::User(Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: Scope {
                regions: regions.iter().map(|r| r.parse().unwrap()).collect(),
                organisation,
            },
        })
    }

    #[test]
    fn a_cash_round_flags_only_cash_overlaps_and_each_viewer_sees_its_share() {
        let members = members();
        let result = run_encoded(&members, &["tunai".to_string()], 1);
        assert_eq!(result.overlaps.len(), 1);
        let ntb: RegionCode = "52".parse().unwrap();
        // The partner: its own line, the other's name and contact.
        let RoundView::OwnRows(flags) = view_for(
            &user(Role::Mitra, &[], Some(2)),
            &ntb,
            10,
            &members,
            &result,
        ) else {
            panic!("partner view");
        };
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].other, "Baznas NTB");
        assert_eq!(flags[0].other_contact, "baznas@example.id");
        // The admin: the count, unsuppressed; the board: suppressed; the public: a total.
        let admin = view_for(
            &user(Role::AdminProvinsi, &["52"], None),
            &ntb,
            10,
            &members,
            &result,
        );
        let RoundView::Counts(cells) = admin else {
            panic!("admin view")
        };
        assert_eq!(cells[0].count, Disclosed::Count(1));
        assert_eq!(cells[0].kecamatan, "52.01.02");
        let RoundView::Counts(cells) = view_for(
            &user(Role::Pimpinan, &["52"], None),
            &ntb,
            10,
            &members,
            &result,
        ) else {
            panic!("board view")
        };
        assert_eq!(cells[0].count, Disclosed::Suppressed);
        assert_eq!(
            view_for(Viewer::public(), &ntb, 10, &members, &result),
            RoundView::ProvinceTotal(Disclosed::Suppressed)
        );
        // Every aid type counting: the scholarship overlap appears too.
        assert_eq!(run_encoded(&members, &[], 1).overlaps.len(), 2);
    }
}
