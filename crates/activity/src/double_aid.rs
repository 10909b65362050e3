//! The double-aid check (bantuan ganda), run on encoded lists: who receives the same kind of
//! help from two partners, and what each viewer may see of it.
//!
//! This is the in-memory part of a round: members' encoded files in, overlaps out, shaped per
//! viewer by `core::double_aid`. Storing rounds (a later migration), joining held lists and
//! freezing results are not built yet (see docs/double-aid.md).

use std::collections::BTreeMap;

use sinergi_core::double_aid::{ResultsView, disclose_count, results_view};
use sinergi_core::{Disclosed, RegionCode, Viewer};
use sinergi_link::encoded::{EncodedModel, EncodedRecord, link_encoded};

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

#[cfg(test)]
mod tests {
    use super::*;
    use sinergi_core::{Principal, Role, Scope};
    use sinergi_link::encoded::{PlainRecord, Secret, encode};

    fn person<'a>(name: &'a str, nik: &'a str, aid: &'a str) -> PlainRecord<'a> {
        PlainRecord {
            nik: Some(nik),
            kk: None,
            name,
            birth_date: Some((1980, 3, 14)),
            sex: Some('P'),
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
