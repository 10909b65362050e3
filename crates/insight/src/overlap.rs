//! Overlap and gaps over columns.
//!
//! *Overlap*: in a desa, two programs of different partners in the same sector, running at the
//! same time for target groups that can hold the same people. Each such pair weighs
//! (shared days / the shorter program's days) × (shared part of the narrower target band);
//! a desa's score is the sum over its pairs, and desa are ranked by it. Pairs of partners are
//! summed over desa into introductions: who should talk to whom, about which sector.
//!
//! *Gaps*: desa in need (a high Desil I share, an extreme-poverty target village, or many PPKS)
//! that no program reaches at desa level, ranked extreme-poverty targets first, then by Desil I
//! families; and per kab/kota the ratio of need (Desil I families) to reach (planned
//! beneficiaries of programs located there at any level).
//!
//! Only desa-level locations count as reaching a desa: a program listed for a whole kecamatan
//! or kab/kota does not show which village it reached, so it counts in the kab/kota reach only.

use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use sinergi_core::program::{Sector, TargetGroup};

/// One program's facts the analysis needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgramFacts {
    /// Caller's program id (returned in results).
    pub id: i64,
    /// Owning organisation (the partner).
    pub organisation: i64,
    pub sector: Sector,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub target: TargetGroup,
}

/// Desa, in code order, with their need figures (absent figures as NaN / false).
#[derive(Debug, Clone, Default)]
pub struct DesaColumns {
    /// Dotted desa codes (`52.03.05.2003`), sorted.
    pub codes: Vec<String>,
    pub families: Vec<f32>,
    pub desil1: Vec<f32>,
    pub extreme_target: Vec<bool>,
    pub ppks: Vec<f32>,
}

impl DesaColumns {
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Index of a desa code.
    pub fn find(&self, code: &str) -> Option<usize> {
        self.codes.binary_search_by(|c| c.as_str().cmp(code)).ok()
    }
}

/// Everything the analysis reads.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    pub desa: DesaColumns,
    pub programs: Vec<ProgramFacts>,
    /// Desa-level locations: (program index, desa index).
    pub locations: Vec<(u32, u32)>,
    /// Planned beneficiaries per kab/kota code (`52.03`), from locations at every level.
    pub planned_by_kabkota: HashMap<String, u64>,
}

/// When a desa counts as in need.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GapRules {
    /// Desil I families over all families, at or above which a desa is in need.
    pub desil1_share: f32,
    /// PPKS counted in the desa, at or above which it is in need.
    pub ppks: f32,
}

impl Default for GapRules {
    fn default() -> GapRules {
        GapRules {
            desil1_share: 0.25,
            ppks: 50.0,
        }
    }
}

/// Two programs overlapping in one desa.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OverlapPair {
    pub a: i64,
    pub b: i64,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesaOverlap {
    pub code: String,
    pub score: f64,
    /// Partners involved in at least one overlapping pair here.
    pub partners: Vec<i64>,
    pub sectors: Vec<Sector>,
    pub pairs: Vec<OverlapPair>,
}

/// Two partners to introduce: where and in which sector their programs overlap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerIntroduction {
    pub a: i64,
    pub b: i64,
    pub sector: Sector,
    pub desa: u32,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesaGap {
    pub code: String,
    pub desil1: f32,
    pub share: f32,
    pub extreme_target: bool,
    pub ppks: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KabKotaGap {
    pub code: String,
    pub desil1: f64,
    pub planned: u64,
    /// Desil I families per planned beneficiary (None when nothing is planned there).
    pub need_per_reach: Option<f64>,
    pub desa_in_need: u32,
    pub desa_in_need_reached: u32,
}

/// The results, ranked.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Analysis {
    pub overlaps: Vec<DesaOverlap>,
    pub introductions: Vec<PartnerIntroduction>,
    pub gaps: Vec<DesaGap>,
    pub kabkota: Vec<KabKotaGap>,
    pub desa_reached: u32,
    pub desa_in_need: u32,
}

fn pair_weight(a: &ProgramFacts, b: &ProgramFacts) -> f64 {
    if a.organisation == b.organisation || a.sector != b.sector {
        return 0.0;
    }
    let shared = sinergi_core::program::shared_days((a.start, a.end), (b.start, b.end));
    if shared == 0 {
        return 0.0;
    }
    let shorter = ((a.end - a.start).num_days() + 1).min((b.end - b.start).num_days() + 1);
    shared as f64 / shorter.max(1) as f64 * a.target.overlap(&b.target)
}

fn in_need(c: &DesaColumns, d: usize, rules: &GapRules) -> bool {
    let share = c.desil1[d] / c.families[d];
    c.extreme_target[d]
        || (share.is_finite() && share >= rules.desil1_share)
        || c.ppks[d] >= rules.ppks
}

/// Runs overlap and gap analysis.
pub fn analyse(cols: &Columns, rules: &GapRules) -> Analysis {
    let n = cols.desa.len();
    // Programs per desa, as one flat array sliced by offsets (counting sort by desa).
    let mut offsets = vec![0u32; n + 1];
    for &(_, d) in &cols.locations {
        offsets[d as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut by_desa = vec![0u32; cols.locations.len()];
    for &(p, d) in &cols.locations {
        by_desa[fill[d as usize] as usize] = p;
        fill[d as usize] += 1;
    }
    let programs_in = |d: usize| &by_desa[offsets[d] as usize..offsets[d + 1] as usize];

    let mut overlaps: Vec<DesaOverlap> = (0..n)
        .into_par_iter()
        .filter_map(|d| {
            let here = programs_in(d);
            if here.len() < 2 {
                return None;
            }
            let mut pairs = Vec::new();
            for (i, &pa) in here.iter().enumerate() {
                for &pb in &here[i + 1..] {
                    let (a, b) = (&cols.programs[pa as usize], &cols.programs[pb as usize]);
                    let weight = pair_weight(a, b);
                    if weight > 0.0 {
                        pairs.push(OverlapPair {
                            a: a.id.min(b.id),
                            b: a.id.max(b.id),
                            weight,
                        });
                    }
                }
            }
            if pairs.is_empty() {
                return None;
            }
            let mut partners = Vec::new();
            let mut sectors = Vec::new();
            for &p in here {
                let facts = &cols.programs[p as usize];
                if pairs.iter().any(|x| x.a == facts.id || x.b == facts.id) {
                    partners.push(facts.organisation);
                    sectors.push(facts.sector);
                }
            }
            partners.sort_unstable();
            partners.dedup();
            sectors.sort_unstable();
            sectors.dedup();
            pairs.sort_by(|x, y| {
                y.weight
                    .total_cmp(&x.weight)
                    .then(x.a.cmp(&y.a))
                    .then(x.b.cmp(&y.b))
            });
            Some(DesaOverlap {
                code: cols.desa.codes[d].clone(),
                score: pairs.iter().map(|p| p.weight).sum(),
                partners,
                sectors,
                pairs,
            })
        })
        .collect();
    overlaps.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(y.partners.len().cmp(&x.partners.len()))
            .then(x.code.cmp(&y.code))
    });

    // Introductions: per (partner, partner, sector), the desa and summed weight.
    let by_id: HashMap<i64, &ProgramFacts> = cols.programs.iter().map(|p| (p.id, p)).collect();
    let mut intro: HashMap<(i64, i64, Sector), (u32, f64, String)> = HashMap::new();
    for o in &overlaps {
        let mut seen_here: Vec<(i64, i64, Sector)> = Vec::new();
        for p in &o.pairs {
            let (a, b) = (by_id[&p.a], by_id[&p.b]);
            let key = (
                a.organisation.min(b.organisation),
                a.organisation.max(b.organisation),
                a.sector,
            );
            let e = intro.entry(key).or_insert((0, 0.0, String::new()));
            if !seen_here.contains(&key) {
                e.0 += 1;
                seen_here.push(key);
            }
            e.1 += p.weight;
        }
    }
    let mut introductions: Vec<PartnerIntroduction> = intro
        .into_iter()
        .map(|((a, b, sector), (desa, score, _))| PartnerIntroduction {
            a,
            b,
            sector,
            desa,
            score,
        })
        .collect();
    introductions.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(y.desa.cmp(&x.desa))
            .then((x.a, x.b, x.sector).cmp(&(y.a, y.b, y.sector)))
    });

    // Gaps.
    let c = &cols.desa;
    let need: Vec<bool> = (0..n)
        .into_par_iter()
        .map(|d| in_need(c, d, rules))
        .collect();
    let reached = |d: usize| offsets[d + 1] > offsets[d];
    let mut gaps: Vec<DesaGap> = (0..n)
        .into_par_iter()
        .filter(|&d| need[d] && !reached(d))
        .map(|d| DesaGap {
            code: c.codes[d].clone(),
            desil1: if c.desil1[d].is_nan() {
                0.0
            } else {
                c.desil1[d]
            },
            share: {
                let s = c.desil1[d] / c.families[d];
                if s.is_finite() { s } else { 0.0 }
            },
            extreme_target: c.extreme_target[d],
            ppks: if c.ppks[d].is_nan() { 0.0 } else { c.ppks[d] },
        })
        .collect();
    gaps.sort_by(|x, y| {
        y.extreme_target
            .cmp(&x.extreme_target)
            .then(y.desil1.total_cmp(&x.desil1))
            .then(y.ppks.total_cmp(&x.ppks))
            .then(x.code.cmp(&y.code))
    });

    let mut kab: HashMap<&str, KabKotaGap> = HashMap::new();
    #[allow(clippy::needless_range_loop)] // d indexes five parallel columns
    for d in 0..n {
        let code = &c.codes[d][..5.min(c.codes[d].len())];
        let k = kab.entry(code).or_insert_with(|| KabKotaGap {
            code: code.to_string(),
            desil1: 0.0,
            planned: 0,
            need_per_reach: None,
            desa_in_need: 0,
            desa_in_need_reached: 0,
        });
        if !c.desil1[d].is_nan() {
            k.desil1 += f64::from(c.desil1[d]);
        }
        if need[d] {
            k.desa_in_need += 1;
            if reached(d) {
                k.desa_in_need_reached += 1;
            }
        }
    }
    let mut kabkota: Vec<KabKotaGap> = kab
        .into_values()
        .map(|mut k| {
            k.planned = cols.planned_by_kabkota.get(&k.code).copied().unwrap_or(0);
            k.need_per_reach = (k.planned > 0).then(|| k.desil1 / k.planned as f64);
            k
        })
        .collect();
    // Worst first: nothing planned, then the most need per beneficiary reached.
    kabkota.sort_by(|x, y| {
        let key = |k: &KabKotaGap| k.need_per_reach.unwrap_or(f64::INFINITY);
        key(y).total_cmp(&key(x)).then(x.code.cmp(&y.code))
    });

    Analysis {
        desa_reached: (0..n).filter(|&d| reached(d)).count() as u32,
        desa_in_need: need.iter().filter(|x| **x).count() as u32,
        overlaps,
        introductions,
        gaps,
        kabkota,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sinergi_core::program::SexTarget;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn facts(
        id: i64,
        org: i64,
        sector: Sector,
        start: &str,
        end: &str,
        desil: (u8, u8),
    ) -> ProgramFacts {
        ProgramFacts {
            id,
            organisation: org,
            sector,
            start: d(start),
            end: d(end),
            target: TargetGroup {
                desil_from: desil.0,
                desil_to: desil.1,
                ..TargetGroup::default()
            },
        }
    }

    /// Five desa in two kab/kota; four partners.
    fn world() -> Columns {
        let codes = [
            "52.01.01.2001",
            "52.01.01.2002",
            "52.01.01.2003",
            "52.03.05.2003",
            "52.03.05.2004",
        ];
        let s = Sector::PerlindunganSosial;
        let programs = vec![
            // 0: partner 1, all of 2025, desil 1-2.
            facts(10, 1, s, "2025-01-01", "2025-12-31", (1, 2)),
            // 1: partner 2, same sector, first half of 2025, desil 1-4: overlaps 0 fully in
            // target, half of its own time.
            facts(20, 2, s, "2025-01-01", "2025-06-30", (1, 4)),
            // 2: partner 3, another sector: never overlaps 0 or 1.
            facts(
                30,
                3,
                Sector::Pendidikan,
                "2025-01-01",
                "2025-12-31",
                (1, 10),
            ),
            // 3: partner 1 again, same sector as 0: the same partner does not overlap itself.
            facts(40, 1, s, "2025-01-01", "2025-12-31", (1, 2)),
            // 4: partner 4, same sector, 2023 only: no shared time.
            facts(50, 4, s, "2023-01-01", "2023-12-31", (1, 2)),
            // 5: partner 4, same sector, women only, desil 2-3: half the narrower band.
            ProgramFacts {
                target: TargetGroup {
                    desil_from: 2,
                    desil_to: 3,
                    sex: SexTarget::Perempuan,
                    ..TargetGroup::default()
                },
                ..facts(60, 4, s, "2025-01-01", "2025-12-31", (2, 3))
            },
        ];
        let locations = vec![
            // desa 0: programs 0, 1, 2, 3 → pairs (0,1) weight 1.0 and (3,1) weight 1.0.
            (0, 0),
            (1, 0),
            (2, 0),
            (3, 0),
            // desa 1: programs 0 and 5 → weight 0.5; and 4 (no shared time).
            (0, 1),
            (5, 1),
            (4, 1),
            // desa 3: program 2 only.
            (2, 3),
        ];
        Columns {
            desa: DesaColumns {
                codes: codes.iter().map(|c| c.to_string()).collect(),
                families: vec![100.0, 100.0, 100.0, 100.0, f32::NAN],
                desil1: vec![50.0, 10.0, 40.0, 30.0, f32::NAN],
                extreme_target: vec![false, false, false, false, true],
                ppks: vec![f32::NAN, f32::NAN, 70.0, f32::NAN, f32::NAN],
            },
            programs,
            locations,
            planned_by_kabkota: HashMap::from([
                ("52.01".to_string(), 200),
                ("52.03".to_string(), 10),
            ]),
        }
    }

    #[test]
    fn overlaps_are_ranked_by_weight_with_partners_to_introduce() {
        let a = analyse(&world(), &GapRules::default());
        assert_eq!(a.overlaps.len(), 2);
        let first = &a.overlaps[0];
        assert_eq!(first.code, "52.01.01.2001");
        assert_eq!(first.score, 2.0);
        assert_eq!(first.partners, [1, 2]);
        assert_eq!(first.sectors, [Sector::PerlindunganSosial]);
        assert_eq!(
            first.pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
            [(10, 20), (20, 40)]
        );
        let second = &a.overlaps[1];
        assert_eq!(second.code, "52.01.01.2002");
        assert_eq!(second.score, 0.5);
        assert_eq!(second.partners, [1, 4]);
        // Partners 1 and 2 meet in one desa through two pairs; 1 and 4 in another.
        assert_eq!(a.introductions.len(), 2);
        assert_eq!((a.introductions[0].a, a.introductions[0].b), (1, 2));
        assert_eq!(a.introductions[0].desa, 1);
        assert_eq!(a.introductions[0].score, 2.0);
        assert_eq!((a.introductions[1].a, a.introductions[1].b), (1, 4));
    }

    #[test]
    fn gaps_are_needy_desa_no_program_reaches() {
        let a = analyse(&world(), &GapRules::default());
        // In need: desa 0 (50 %), 2 (40 %, and 70 PPKS), 3 (30 %), 4 (extreme target).
        assert_eq!(a.desa_in_need, 4);
        assert_eq!(a.desa_reached, 3);
        let codes: Vec<&str> = a.gaps.iter().map(|g| g.code.as_str()).collect();
        // The extreme-poverty target first, then by Desil I families.
        assert_eq!(codes, ["52.03.05.2004", "52.01.01.2003"]);
        assert_eq!(a.gaps[1].share, 0.4);
        assert_eq!(a.gaps[1].ppks, 70.0);
        // Kab/kota: 52.03 has 30 Desil I families for 10 planned; 52.01 has 100 for 200.
        assert_eq!(a.kabkota[0].code, "52.03");
        assert_eq!(a.kabkota[0].need_per_reach, Some(3.0));
        assert_eq!(a.kabkota[0].desa_in_need, 2);
        assert_eq!(a.kabkota[0].desa_in_need_reached, 1);
        assert_eq!(a.kabkota[1].need_per_reach, Some(0.5));
        // A stricter rule finds fewer desa in need.
        let strict = analyse(
            &world(),
            &GapRules {
                desil1_share: 0.45,
                ppks: 1000.0,
            },
        );
        assert_eq!(strict.desa_in_need, 2);
    }

    #[test]
    fn empty_worlds_give_empty_results() {
        let a = analyse(&Columns::default(), &GapRules::default());
        assert!(a.overlaps.is_empty() && a.gaps.is_empty() && a.kabkota.is_empty());
    }
}
