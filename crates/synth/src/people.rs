//! People and families, generated one kecamatan at a time from its own random streams.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use rand::RngExt;
use sinergi_core::Sex;

use crate::names::{Culture, cultures_of, person_name};
use crate::rng::{Rng, stream};
use crate::world::{World, family_sizes, normal};

/// The date the world describes (end of DTSEN period 2025-Q3); ages are counted to it.
pub fn reference_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 9, 30).expect("valid date")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    Head,
    Wife,
    Husband,
    Child,
    Grandchild,
    Parent,
    ParentInLaw,
    OtherRelative,
}

impl Relationship {
    /// The CSV value.
    pub fn key(self) -> &'static str {
        match self {
            Relationship::Head => "kepala_keluarga",
            Relationship::Wife => "istri",
            Relationship::Husband => "suami",
            Relationship::Child => "anak",
            Relationship::Grandchild => "cucu",
            Relationship::Parent => "orang_tua",
            Relationship::ParentInLaw => "mertua",
            Relationship::OtherRelative => "famili_lain",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marital {
    Single,
    Married,
    Divorced,
    Widowed,
}

impl Marital {
    pub fn key(self) -> &'static str {
        match self {
            Marital::Single => "belum_kawin",
            Marital::Married => "kawin",
            Marital::Divorced => "cerai_hidup",
            Marital::Widowed => "cerai_mati",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum School {
    NotYet,
    Attending,
    Left,
    Never,
}

impl School {
    pub fn key(self) -> &'static str {
        match self {
            School::NotYet => "belum_sekolah",
            School::Attending => "masih_sekolah",
            School::Left => "tidak_sekolah_lagi",
            School::Never => "tidak_pernah_sekolah",
        }
    }
}

/// Washington Group short set, in CSV order: seeing, hearing, walking, remembering, self-care,
/// communicating. Each item 1 (no difficulty) … 4 (cannot do at all).
pub const WG_ITEMS: [&str; 6] = [
    "wg_melihat",
    "wg_mendengar",
    "wg_berjalan",
    "wg_mengingat",
    "wg_merawat_diri",
    "wg_berkomunikasi",
];

#[derive(Debug, Clone)]
pub struct Person {
    /// `id_orang`: stable within a world (seed, province, scale), 1-based, in code order.
    pub id: u64,
    pub nik: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub relationship: Relationship,
    pub marital: Marital,
    pub age_first_marriage: Option<u8>,
    /// For ages 5–24 only.
    pub school: Option<School>,
    /// Washington Group answers, for ages 5 and over.
    pub wg: Option<[u8; 6]>,
}

impl Person {
    pub fn age(&self) -> u32 {
        age_at(self.birth_date, reference_date())
    }

    /// A disability in the Washington Group sense: "a lot of difficulty" or worse in any item.
    pub fn has_disability(&self) -> bool {
        self.wg.is_some_and(|w| w.iter().any(|&x| x >= 3))
    }
}

#[derive(Debug, Clone)]
pub struct Family {
    pub no_kk: String,
    /// The family's previous card, when it had one (moved, split, head died).
    pub old_no_kk: Option<String>,
    pub kk_issued: NaiveDate,
    /// Index into [`World::desa`].
    pub desa: usize,
    pub desil: u8,
    /// DTSEN period of the desil (e.g. `2025-Q3`).
    pub dtsen_period: &'static str,
    pub culture: Culture,
    /// Head first, then spouse, children, others.
    pub members: Vec<Person>,
}

/// One kecamatan's families, in desa code order.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Index into [`World::kecamatan`].
    pub kecamatan: usize,
    pub families: Vec<Family>,
}

impl Batch {
    /// The batch's families grouped by desa, in order: (desa index, its families).
    pub fn by_desa(&self) -> impl Iterator<Item = (usize, &[Family])> {
        self.families
            .chunk_by(|a, b| a.desa == b.desa)
            .map(|families| (families[0].desa, families))
    }
}

pub fn age_at(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

/// A birth date for someone `age` years old on the reference date.
fn birth_for_age(rng: &mut Rng, age: u32) -> NaiveDate {
    let reference = reference_date();
    let year_start = reference
        .with_year(reference.year() - age as i32)
        .unwrap_or(reference);
    let back = rng.random_range(0..365);
    let d = year_start - Duration::days(back);
    // Keep the exact age: one day after the previous birthday at the earliest.
    if age_at(d, reference) == age {
        d
    } else {
        year_start
    }
}

fn weighted(rng: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut r = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if r < *w {
            return i;
        }
        r -= w;
    }
    weights.len() - 1
}

/// Where a NIK was first registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NikOrigin {
    Here,
    /// Index into the province's kecamatan list.
    Province(usize),
    /// Index into the other provinces' kecamatan list.
    Elsewhere(usize),
}

struct Draft {
    sex: Sex,
    age: u32,
    birth: NaiveDate,
    rel: Relationship,
    marital: Marital,
    afm: Option<u8>,
    origin: NikOrigin,
    name: String,
    school: Option<School>,
    wg: Option<[u8; 6]>,
}

struct FamilyDraft {
    members: Vec<Draft>,
    culture: Culture,
    /// Higher = poorer; ranks families for the desil.
    poverty: f64,
    kk_issued: NaiveDate,
    old_kk_issued: Option<NaiveDate>,
    dtsen_period: &'static str,
}

struct Ctx<'a> {
    world: &'a World,
    town: bool,
    cultures: &'static [(Culture, u32)],
    own_kecamatan: usize,
}

impl Ctx<'_> {
    fn origin(&self, rng: &mut Rng, chance: f64) -> NikOrigin {
        let chance = if self.town { chance * 2.0 } else { chance };
        if !rng.random_bool(chance.min(0.9)) {
            return NikOrigin::Here;
        }
        let w = self.world;
        if rng.random_bool(0.7) || w.other_kecamatan_digits.is_empty() {
            let i = rng.random_range(0..w.province_kecamatan_digits.len());
            if i == self.own_kecamatan {
                NikOrigin::Here
            } else {
                NikOrigin::Province(i)
            }
        } else {
            NikOrigin::Elsewhere(rng.random_range(0..w.other_kecamatan_digits.len()))
        }
    }
}

fn draft(
    rng: &mut Rng,
    ctx: &Ctx,
    lineage: (Culture, bool),
    sex: Sex,
    age: u32,
    rel: Relationship,
    origin_chance: f64,
) -> Draft {
    let (culture, noble) = lineage;
    let birth = birth_for_age(rng, age);
    let name = person_name(rng, culture, sex, birth.year(), noble);
    Draft {
        sex,
        age,
        birth,
        rel,
        marital: Marital::Single,
        afm: None,
        origin: ctx.origin(rng, origin_chance),
        name,
        school: None,
        wg: None,
    }
}

fn random_sex(rng: &mut Rng) -> Sex {
    // Slightly more boys, which also offsets the widows living alone.
    if rng.random_bool(0.52) {
        Sex::Male
    } else {
        Sex::Female
    }
}

fn draft_family(rng: &mut Rng, ctx: &Ctx, size: u8) -> FamilyDraft {
    let culture =
        ctx.cultures[weighted(rng, &ctx.cultures.iter().map(|c| c.1).collect::<Vec<_>>())].0;
    let noble = culture == Culture::Sasak && rng.random_bool(0.07);
    let mut members: Vec<Draft> = Vec::with_capacity(size as usize);
    let size = u32::from(size);
    let mut poverty = normal(rng);

    if size == 1 {
        let kind = weighted(rng, &[30, 45, 25]);
        let (age, sex, marital) = match kind {
            0 => (rng.random_range(19..36), random_sex(rng), Marital::Single),
            1 => {
                let sex = if rng.random_bool(0.65) {
                    Sex::Female
                } else {
                    Sex::Male
                };
                (rng.random_range(58..92), sex, Marital::Widowed)
            }
            _ => (rng.random_range(30..60), random_sex(rng), Marital::Divorced),
        };
        let mut head = draft(
            rng,
            ctx,
            (culture, noble && sex == Sex::Male),
            sex,
            age,
            Relationship::Head,
            0.15,
        );
        head.marital = marital;
        if marital != Marital::Single {
            head.afm = Some(first_marriage_age(rng, sex, age));
        }
        if kind == 1 {
            poverty += 0.6;
        }
        members.push(head);
    } else {
        // Couple (or a single parent) with children, and maybe a grandparent or grandchild.
        let couple = if size == 2 {
            rng.random_bool(0.75)
        } else {
            rng.random_bool(0.86)
        };
        let adults = if couple { 2 } else { 1 };
        let mut extras = 0;
        let mut extra_kind = Relationship::OtherRelative;
        if size >= 4 && rng.random_bool(0.18) {
            extras = 1;
            extra_kind = match weighted(rng, &[45, 25, 20, 10]) {
                0 => Relationship::Parent,
                1 => Relationship::ParentInLaw,
                2 => Relationship::Grandchild,
                _ => Relationship::OtherRelative,
            };
        }
        let kids = size - adults - extras;
        // Mother's age: first birth at 19–30, children 1–5 years apart, youngest 0–25.
        let first_birth = 19 + weighted(rng, &[6, 9, 11, 12, 12, 11, 10, 8, 7, 6, 5, 3]) as u32;
        let gaps: Vec<u32> = (1..kids.max(1)).map(|_| rng.random_range(1..6)).collect();
        let span: u32 = gaps.iter().sum();
        let youngest = if kids == 0 {
            0
        } else {
            weighted(
                rng,
                &[
                    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 3, 2, 2,
                    2, 2, 1, 1,
                ],
            ) as u32
        };
        let mother_age = if kids == 0 {
            // Young couples before children, and old couples whose children have left.
            if rng.random_bool(0.4) {
                16 + weighted(rng, &[1, 2, 6, 9, 11, 11, 10, 9, 8, 7, 6, 5, 4, 3, 3]) as u32
            } else {
                rng.random_range(48..82)
            }
        } else {
            (first_birth + span + youngest).min(78)
        };
        let eldest = if kids == 0 {
            0
        } else {
            (youngest + span).min(mother_age - 17)
        };
        let poor_bonus = if kids >= 4 { 0.4 } else { 0.0 };
        poverty += poor_bonus;

        let (head_sex, head_age) = if couple {
            let husband = (mother_age as f64 + 4.0 + 3.0 * normal(rng))
                .round()
                .clamp((mother_age.max(19) - 2) as f64, (mother_age + 18) as f64)
                as u32;
            (Sex::Male, husband.max(18))
        } else if rng.random_bool(0.78) {
            (Sex::Female, mother_age.max(20))
        } else {
            (Sex::Male, (mother_age + 4).max(22))
        };
        if head_sex == Sex::Female {
            poverty += 0.5;
        }
        if head_age >= 65 {
            poverty += 0.3;
        }
        let mut head = draft(
            rng,
            ctx,
            (culture, noble && head_sex == Sex::Male),
            head_sex,
            head_age,
            Relationship::Head,
            0.12,
        );
        let wife_age = if head_sex == Sex::Female {
            head_age
        } else {
            mother_age
        };
        // Age at first marriage of the wife; her husband's follows from the age gap.
        let wife_afm = wife_first_marriage(
            rng,
            wife_age,
            if kids == 0 {
                wife_age
            } else {
                wife_age - eldest
            },
        );
        if couple {
            head.marital = Marital::Married;
            let gap = head_age as i32 - wife_age as i32;
            head.afm = Some((i32::from(wife_afm) + gap).clamp(15, head_age as i32) as u8);
            members.push(head);
            let wife_noble = noble && rng.random_bool(0.5);
            let mut wife = draft(
                rng,
                ctx,
                (culture, wife_noble),
                Sex::Female,
                wife_age,
                Relationship::Wife,
                0.18,
            );
            wife.marital = Marital::Married;
            wife.afm = Some(wife_afm);
            members.push(wife);
        } else {
            head.marital = if rng.random_bool(0.55) {
                Marital::Widowed
            } else {
                Marital::Divorced
            };
            head.afm = Some(if head_sex == Sex::Female {
                wife_afm
            } else {
                first_marriage_age(rng, head_sex, head_age)
            });
            members.push(head);
        }
        let mut ages = Vec::with_capacity(kids as usize);
        let mut a = youngest;
        ages.push(a);
        for g in &gaps {
            a += g;
            ages.push(a);
        }
        ages.truncate(kids as usize);
        ages.reverse();
        for age in ages {
            let age = age.min(eldest);
            let sex = random_sex(rng);
            let mut child = draft(
                rng,
                ctx,
                (culture, noble),
                sex,
                age,
                Relationship::Child,
                0.03,
            );
            if age >= 22 && rng.random_bool(0.06) {
                child.marital = Marital::Divorced;
                child.afm = Some(first_marriage_age(rng, sex, age));
            }
            members.push(child);
        }
        if extras == 1 {
            let (age, sex) = match extra_kind {
                Relationship::Parent | Relationship::ParentInLaw => (
                    (members[0].age + rng.random_range(20..34)).min(98),
                    if rng.random_bool(0.7) {
                        Sex::Female
                    } else {
                        Sex::Male
                    },
                ),
                Relationship::Grandchild => (rng.random_range(0..8), random_sex(rng)),
                _ => (rng.random_range(8..40), random_sex(rng)),
            };
            let noble_extra = noble && extra_kind != Relationship::ParentInLaw;
            let mut x = draft(rng, ctx, (culture, noble_extra), sex, age, extra_kind, 0.2);
            if age >= 55 {
                x.marital = Marital::Widowed;
                x.afm = Some(first_marriage_age(rng, sex, age));
            }
            members.push(x);
        }
    }

    for m in &mut members {
        m.school = school(rng, m.age, poverty);
        m.wg = washington_group(rng, m.age);
        if m.wg.is_some_and(|w| w.iter().any(|&x| x >= 3)) {
            poverty += 0.25;
        }
    }
    let reference = reference_date();
    let start = NaiveDate::from_ymd_opt(2008, 1, 1).expect("valid date");
    let days = (reference - start).num_days();
    let kk_issued = start + Duration::days(rng.random_range(0..days));
    let old_kk_issued = if rng.random_bool(0.25) {
        let old_start = NaiveDate::from_ymd_opt(1998, 1, 1).expect("valid date");
        let span = (kk_issued - old_start).num_days().max(1);
        Some(old_start + Duration::days(rng.random_range(0..span)))
    } else {
        None
    };
    let dtsen_period = match weighted(rng, &[85, 10, 5]) {
        0 => "2025-Q3",
        1 => "2025-Q2",
        _ => "2025-Q1",
    };
    FamilyDraft {
        members,
        culture,
        poverty,
        kk_issued,
        old_kk_issued,
        dtsen_period,
    }
}

/// Age at first marriage of a man, or of a woman not placed by [`wife_first_marriage`].
fn first_marriage_age(rng: &mut Rng, sex: Sex, age: u32) -> u8 {
    let (lo, hi) = match sex {
        Sex::Male => (19, 32),
        Sex::Female => (17, 27),
    };
    rng.random_range(lo..hi).min(age) as u8
}

/// A wife's age at first marriage, at most `latest` (her age at the first birth). Child
/// marriage among women aged 20–24 is set afterwards, per desa, to hit the provincial rate;
/// older women carry the higher rates of their cohorts.
fn wife_first_marriage(rng: &mut Rng, age: u32, latest: u32) -> u8 {
    if age < 18 {
        return age.saturating_sub(rng.random_range(0..2)) as u8;
    }
    if age >= 25 && latest >= 16 && rng.random_bool(0.22) {
        return rng.random_range(15..18).min(latest) as u8;
    }
    let hi = latest.clamp(18, 30);
    rng.random_range(18..=hi) as u8
}

fn school(rng: &mut Rng, age: u32, poverty: f64) -> Option<School> {
    let dropout = (poverty * 0.04).clamp(-0.03, 0.15);
    let attending = match age {
        5..=6 => {
            return Some(if rng.random_bool(0.55) {
                School::Attending
            } else {
                School::NotYet
            });
        }
        7..=12 => 0.985,
        13..=15 => 0.93 - dropout,
        16..=18 => 0.74 - 2.0 * dropout,
        19..=24 => 0.27 - dropout,
        _ => return None,
    };
    Some(if rng.random_bool(attending.clamp(0.0, 1.0)) {
        School::Attending
    } else if rng.random_bool(0.12) {
        School::Never
    } else {
        School::Left
    })
}

fn washington_group(rng: &mut Rng, age: u32) -> Option<[u8; 6]> {
    if age < 5 {
        return None;
    }
    let (severe, some) = match age {
        5..=17 => (0.018, 0.05),
        18..=44 => (0.025, 0.08),
        45..=59 => (0.06, 0.2),
        60..=74 => (0.16, 0.4),
        _ => (0.33, 0.6),
    };
    let mut items = [1u8; 6];
    if rng.random_bool(some) {
        items[rng.random_range(0..6)] = 2;
    }
    if rng.random_bool(severe) {
        // Older people mostly lose sight and mobility; children communication and self-care.
        let weights: &[u32] = if age >= 45 {
            &[35, 20, 30, 8, 4, 3]
        } else {
            &[15, 15, 20, 20, 10, 20]
        };
        let n = if rng.random_bool(0.3) { 2 } else { 1 };
        for _ in 0..n {
            items[weighted(rng, weights)] = if rng.random_bool(0.8) { 3 } else { 4 };
        }
    }
    Some(items)
}

/// Serial counters per (6-digit region, date): NIK serials per (prefix, birth date) and KK
/// serials per (kecamatan, issue date), unique by construction. Natives of the kecamatan get
/// 1–4999; NIKs first registered elsewhere get the block 5000 + 8 × kecamatan index, so no two
/// kecamatan of the province can hand out the same number.
struct Serials {
    block: u32,
    native: HashMap<(u32, NaiveDate), u32>,
    foreign: HashMap<(u32, NaiveDate), u32>,
    kk: HashMap<NaiveDate, u32>,
}

impl Serials {
    fn nik(&mut self, prefix: &str, own: bool, date: NaiveDate) -> Option<u32> {
        let key = (prefix.parse::<u32>().unwrap_or(0), date);
        if own {
            let c = self.native.entry(key).or_insert(0);
            *c += 1;
            (*c < 5000).then_some(*c)
        } else {
            let c = self.foreign.entry(key).or_insert(0);
            *c += 1;
            (*c <= 8 && self.block + 8 <= 9999).then(|| self.block + *c - 1)
        }
    }

    fn kk(&mut self, date: NaiveDate) -> Option<u32> {
        let c = self.kk.entry(date).or_insert(0);
        *c += 1;
        (*c <= 9999).then_some(*c)
    }
}

fn ddmmyy(date: NaiveDate, plus: u32) -> String {
    format!(
        "{:02}{:02}{:02}",
        date.day() + plus,
        date.month(),
        date.year().rem_euclid(100)
    )
}

impl World {
    /// Generates all families of one kecamatan (index into [`World::kecamatan`]).
    pub fn generate_kecamatan(&self, kec_index: usize) -> Batch {
        let kec = &self.kecamatan[kec_index];
        let kk_code = self.kabkota[kec.kabkota].facts.code;
        let seed = self.config.seed;
        let own_digits = &self.province_kecamatan_digits[kec.index as usize];
        let ctx = Ctx {
            world: self,
            town: kk_code[3..].starts_with('7'),
            cultures: cultures_of(kk_code),
            own_kecamatan: kec.index as usize,
        };
        let mut serials = Serials {
            block: 5000 + 8 * kec.index,
            native: HashMap::new(),
            foreign: HashMap::new(),
            kk: HashMap::new(),
        };
        let mut desa_drafts: Vec<(usize, Vec<FamilyDraft>)> = kec
            .desa
            .clone()
            .map(|desa_index| {
                let plan = &self.desa[desa_index];
                let mut rng = stream(seed, &plan.code, "keluarga");
                let sizes = family_sizes(seed, &plan.code, plan.people);
                (
                    desa_index,
                    sizes
                        .iter()
                        .map(|&s| draft_family(&mut rng, &ctx, s))
                        .collect(),
                )
            })
            .collect();
        self.calibrate_child_marriage(&kec.code, &mut desa_drafts);
        let mut families = Vec::new();
        for (desa_index, drafts) in desa_drafts {
            let plan = &self.desa[desa_index];
            // Desil: the poorest-ranked families fill the desa's Desil I quota; the rest spread
            // over Desil II–X, skewed to the lower deciles where poverty is higher.
            let mut order: Vec<usize> = (0..drafts.len()).collect();
            order.sort_by(|&a, &b| {
                drafts[b]
                    .poverty
                    .total_cmp(&drafts[a].poverty)
                    .then(a.cmp(&b))
            });
            let mut desil = vec![10u8; drafts.len()];
            let q1 = (plan.desil1 as usize).min(order.len());
            let lambda =
                0.02 * self.kabkota[kec.kabkota].facts.poverty_pct * plan.poverty_factor.sqrt();
            let weights: Vec<f64> = (2..=10)
                .map(|d| (-lambda * f64::from(d - 2)).exp())
                .collect();
            let rest = crate::rng::apportion((order.len() - q1) as u64, &weights, None);
            let mut pos = 0;
            for &fi in &order[..q1] {
                desil[fi] = 1;
                pos += 1;
            }
            for (d, count) in (2u8..=10).zip(rest) {
                for &fi in &order[pos..pos + count as usize] {
                    desil[fi] = d;
                }
                pos += count as usize;
            }

            let mut next_id = plan.first_person_id;
            for (fi, f) in drafts.into_iter().enumerate() {
                let mut kk_date = f.kk_issued;
                let kk_serial = loop {
                    if let Some(s) = serials.kk(kk_date) {
                        break s;
                    }
                    kk_date += Duration::days(1);
                };
                let no_kk = format!("{own_digits}{}{kk_serial:04}", ddmmyy(kk_date, 0));
                let old_no_kk = f.old_kk_issued.map(|mut d| {
                    let s = loop {
                        if let Some(s) = serials.kk(d) {
                            break s;
                        }
                        d += Duration::days(1);
                    };
                    format!("{own_digits}{}{s:04}", ddmmyy(d, 0))
                });
                let mut members = Vec::with_capacity(f.members.len());
                for m in f.members {
                    let (prefix, own) = match m.origin {
                        NikOrigin::Here => (own_digits.as_str(), true),
                        NikOrigin::Province(i) => {
                            (self.province_kecamatan_digits[i].as_str(), false)
                        }
                        NikOrigin::Elsewhere(i) => (self.other_kecamatan_digits[i].as_str(), false),
                    };
                    // The serial space of a date is full (never at real scales): the next day.
                    let mut birth = m.birth;
                    let serial = loop {
                        if let Some(s) = serials.nik(prefix, own, birth) {
                            break s;
                        }
                        birth -= Duration::days(1);
                    };
                    let plus = if m.sex == Sex::Female { 40 } else { 0 };
                    let nik = format!("{prefix}{}{serial:04}", ddmmyy(birth, plus));
                    members.push(Person {
                        id: next_id,
                        nik,
                        name: m.name,
                        sex: m.sex,
                        birth_date: birth,
                        relationship: m.rel,
                        marital: m.marital,
                        age_first_marriage: m.afm,
                        school: m.school,
                        wg: m.wg,
                    });
                    next_id += 1;
                }
                families.push(Family {
                    no_kk,
                    old_no_kk,
                    kk_issued: kk_date,
                    desa: desa_index,
                    desil: desil[fi],
                    dtsen_period: f.dtsen_period,
                    culture: f.culture,
                    members,
                });
            }
        }
        Batch {
            kecamatan: kec_index,
            families,
        }
    }

    /// Child marriage among women 20–24: exactly the provincial rate in every kecamatan
    /// (rounded), chosen at random among the women of that age who have married.
    fn calibrate_child_marriage(
        &self,
        kec_code: &str,
        desa_drafts: &mut [(usize, Vec<FamilyDraft>)],
    ) {
        let rate = self.facts.child_marriage_pct / 100.0;
        let mut rng = stream(self.config.seed, kec_code, "perkawinan_anak");
        let mut married: Vec<(usize, usize, usize)> = Vec::new();
        let mut women = 0usize;
        for (di, (_, drafts)) in desa_drafts.iter().enumerate() {
            for (fi, f) in drafts.iter().enumerate() {
                for (mi, m) in f.members.iter().enumerate() {
                    if m.sex == Sex::Female && (20..=24).contains(&m.age) {
                        women += 1;
                        if m.marital != Marital::Single {
                            married.push((di, fi, mi));
                        }
                    }
                }
            }
        }
        let chosen = ((rate * women as f64).round() as usize).min(married.len());
        for k in 0..married.len() {
            let j = rng.random_range(k..married.len());
            married.swap(k, j);
        }
        for (k, &(di, fi, mi)) in married.iter().enumerate() {
            let family = &mut desa_drafts[di].1[fi];
            let m = &mut family.members[mi];
            let afm = if k < chosen {
                rng.random_range(15..18)
            } else {
                m.afm.unwrap_or(18).max(18).min(m.age as u8)
            };
            let shift = i32::from(afm) - i32::from(m.afm.unwrap_or(afm));
            m.afm = Some(afm);
            // Her husband married on the same day.
            if mi == 1 && family.members[0].marital == Marital::Married {
                let h = &mut family.members[0];
                let new = (i32::from(h.afm.unwrap_or(20)) + shift).clamp(15, h.age as i32);
                h.afm = Some(new as u8);
            }
        }
    }

    /// Generates every kecamatan, in parallel, and hands each batch's result to `consume` in
    /// code order. `map` runs on worker threads; at most a few batches are held at once.
    pub fn for_each_batch<T: Send>(
        &self,
        map: impl Fn(Batch) -> T + Sync,
        mut consume: impl FnMut(T),
    ) {
        use rayon::prelude::*;
        let window = rayon::current_num_threads().max(1) * 2;
        let all: Vec<usize> = (0..self.kecamatan.len()).collect();
        for chunk in all.chunks(window) {
            let results: Vec<T> = chunk
                .par_iter()
                .map(|&k| map(self.generate_kecamatan(k)))
                .collect();
            for r in results {
                consume(r);
            }
        }
    }
}
