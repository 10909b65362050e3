//! Person records as partners' lists hold them, with the recording errors real lists have, and
//! the ground truth saying which records are the same person.
//!
//! `linkage/records.csv` holds N records: about 80 % distinct people drawn from the world and
//! 20 % further copies of some of them. Every record may carry errors; copies carry more.

use chrono::{Datelike, NaiveDate};
use rand::RngExt;
use sinergi_core::Sex;

use crate::SynthError;
use crate::names::MUHAMMAD_SPELLINGS;
use crate::people::{Batch, Family, Person};
use crate::rng::{Rng, apportion, stream};
use crate::world::{Config, World};

/// Header of `linkage/records.csv` and the core columns of every beneficiary list.
pub const RECORD_COLUMNS: [&str; 7] = [
    "id",
    "nik",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "no_kk",
    "kode_desa",
];

/// Share of records that are further copies of a person already in the list.
pub const DUPLICATE_SHARE: f64 = 0.2;
/// At most this share of a world's people is drawn, so copies stay a minority.
const MAX_DRAW: f64 = 0.8;

/// One person as a list records them; empty string = missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRecord {
    pub nik: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub no_kk: String,
    pub desa: String,
}

impl ListRecord {
    /// The record as the register holds it, before any error.
    pub fn exact(person: &Person, family: &Family, world: &World) -> ListRecord {
        ListRecord {
            nik: person.nik.clone(),
            name: person.name.clone(),
            sex: sex_code(person.sex).to_string(),
            birth_date: person.birth_date.format("%Y-%m-%d").to_string(),
            no_kk: family.no_kk.clone(),
            desa: world.desa[family.desa].code.clone(),
        }
    }

    pub fn fields(&self) -> [&str; 6] {
        [
            &self.nik,
            &self.name,
            &self.sex,
            &self.birth_date,
            &self.no_kk,
            &self.desa,
        ]
    }
}

pub fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "L",
        Sex::Female => "P",
    }
}

/// How often each error occurs; copies of a person use `heavy`.
#[derive(Debug, Clone, Copy)]
pub struct ErrorRates {
    pub typo: f64,
    pub variant: f64,
    pub swapped_order: f64,
    pub nik_missing: f64,
    pub nik_transposed: f64,
    pub nik_excel: f64,
    pub day_month_swapped: f64,
    pub birth_missing: f64,
    pub sex_missing: f64,
    pub old_kk: f64,
    pub kk_missing: f64,
    pub desa_missing: f64,
}

pub const LIGHT: ErrorRates = ErrorRates {
    typo: 0.08,
    variant: 0.10,
    swapped_order: 0.02,
    nik_missing: 0.04,
    nik_transposed: 0.02,
    nik_excel: 0.02,
    day_month_swapped: 0.02,
    birth_missing: 0.01,
    sex_missing: 0.02,
    old_kk: 0.04,
    kk_missing: 0.08,
    desa_missing: 0.01,
};

pub const HEAVY: ErrorRates = ErrorRates {
    typo: 0.25,
    variant: 0.25,
    swapped_order: 0.07,
    nik_missing: 0.10,
    nik_transposed: 0.06,
    nik_excel: 0.04,
    day_month_swapped: 0.06,
    birth_missing: 0.02,
    sex_missing: 0.03,
    old_kk: 0.15,
    kk_missing: 0.12,
    desa_missing: 0.03,
};

/// Applies errors to `rec` (made from `person` of `family`), as drawn from `rng`.
pub fn corrupt(
    rng: &mut Rng,
    rec: &mut ListRecord,
    person: &Person,
    family: &Family,
    rates: &ErrorRates,
) {
    if rng.random_bool(rates.variant) {
        rec.name = name_variant(rng, &rec.name, person);
    }
    if rng.random_bool(rates.swapped_order) {
        rec.name = swap_order(&rec.name);
    }
    if rng.random_bool(rates.typo) {
        rec.name = typo(rng, &rec.name);
    }
    if rng.random_bool(rates.nik_missing) {
        rec.nik.clear();
    } else if rng.random_bool(rates.nik_transposed) {
        rec.nik = transpose(rng, &rec.nik);
    } else if rng.random_bool(rates.nik_excel) {
        rec.nik = excel_damage(rng, &rec.nik);
    }
    let birth = person.birth_date;
    if rng.random_bool(rates.birth_missing) {
        rec.birth_date.clear();
    } else if birth.day() <= 12
        && birth.day() != birth.month()
        && rng.random_bool(rates.day_month_swapped)
        && let Some(swapped) = NaiveDate::from_ymd_opt(birth.year(), birth.day(), birth.month())
    {
        rec.birth_date = swapped.format("%Y-%m-%d").to_string();
    }
    if rng.random_bool(rates.sex_missing) {
        rec.sex.clear();
    }
    if rng.random_bool(rates.kk_missing) {
        rec.no_kk.clear();
    } else if let Some(old) = &family.old_no_kk
        && rng.random_bool(rates.old_kk)
    {
        rec.no_kk = old.clone();
    }
    if rng.random_bool(rates.desa_missing) {
        rec.desa.clear();
    }
}

fn name_variant(rng: &mut Rng, name: &str, person: &Person) -> String {
    let tokens: Vec<&str> = name.split(' ').collect();
    // Each variant only where it applies; otherwise fall through to the next one.
    for _ in 0..4 {
        match rng.random_range(0..7) {
            0 => {
                if let Some(i) = tokens.iter().position(|t| MUHAMMAD_SPELLINGS.contains(t)) {
                    let mut t = tokens.clone();
                    let current = MUHAMMAD_SPELLINGS
                        .iter()
                        .position(|s| *s == tokens[i])
                        .unwrap_or(0);
                    let n = MUHAMMAD_SPELLINGS.len();
                    t[i] = MUHAMMAD_SPELLINGS[(current + rng.random_range(1..n)) % n];
                    return t.join(" ");
                }
            }
            1 => {
                // Pilgrimage titles are written on lists but not in the register.
                if person.age() >= 35 {
                    let title = if person.sex == Sex::Male { "H." } else { "Hj." };
                    return format!("{title} {name}");
                }
            }
            2 => {
                if matches!(tokens.first(), Some(&"Lalu") | Some(&"Baiq")) && tokens.len() > 1 {
                    return tokens[1..].join(" ");
                }
            }
            3 => {
                let swaps = [
                    ("Nur", "Noor"),
                    ("Siti", "Sitti"),
                    ("Abdul", "Abd."),
                    ("Ahmad", "Achmad"),
                    ("Noor", "Nor"),
                    ("Sri", "Sry"),
                ];
                for (a, b) in swaps {
                    if let Some(i) = tokens.iter().position(|t| *t == a || *t == b) {
                        let mut t = tokens.clone();
                        t[i] = if t[i] == a { b } else { a };
                        return t.join(" ");
                    }
                }
            }
            4 => return name.to_uppercase(),
            5 => {
                // First name only, as on a quick hand-written list.
                if tokens.len() > 1 && !matches!(tokens[0], "Lalu" | "Baiq" | "I" | "Ni") {
                    return tokens[..tokens.len() - 1].join(" ");
                }
            }
            _ => {
                // Vowel spellings of old orthography: u → oe, j → dj.
                if let Some(pos) = name.find('u') {
                    let mut s = name.to_string();
                    s.replace_range(pos..pos + 1, "oe");
                    return s;
                }
            }
        }
    }
    name.to_string()
}

fn swap_order(name: &str) -> String {
    let tokens: Vec<&str> = name.split(' ').collect();
    if tokens.len() < 2 {
        return name.to_string();
    }
    let mut t = tokens.clone();
    t.rotate_left(1);
    t.join(" ")
}

fn typo(rng: &mut Rng, name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.len() < 3 {
        return name.to_string();
    }
    let i = letters[rng.random_range(1..letters.len())];
    match rng.random_range(0..4) {
        0 => {
            chars.remove(i);
        }
        1 => {
            let c = chars[i];
            chars.insert(i, c);
        }
        2 if i + 1 < chars.len() && chars[i + 1].is_alphabetic() => chars.swap(i, i + 1),
        _ => {
            const NEAR: &str = "aeiouyhnmrlkst";
            let repl = NEAR
                .chars()
                .nth(rng.random_range(0..NEAR.len()))
                .unwrap_or('a');
            chars[i] = if chars[i].is_uppercase() {
                repl.to_ascii_uppercase()
            } else {
                repl
            };
        }
    }
    chars.into_iter().collect()
}

fn transpose(rng: &mut Rng, nik: &str) -> String {
    let mut b = nik.as_bytes().to_vec();
    // Two adjacent differing digits, anywhere after the province code.
    for _ in 0..8 {
        let i = rng.random_range(2..b.len() - 1);
        if b[i] != b[i + 1] {
            b.swap(i, i + 1);
            return String::from_utf8(b).unwrap_or_else(|_| nik.to_string());
        }
    }
    nik.to_string()
}

/// What Excel does to a 16-digit number typed into a numeric cell.
fn excel_damage(rng: &mut Rng, nik: &str) -> String {
    match rng.random_range(0..3) {
        // 15 significant digits: the last one becomes 0.
        0 => format!("{}0", &nik[..15]),
        // Shown in scientific notation.
        1 => format!("{}.{}E+15", &nik[..1], nik[1..6].trim_end_matches('0')),
        // Exported as a float.
        _ => format!("{}0.0", &nik[..15]),
    }
}

/// Where each desa's records sit in the list: distinct people drawn, and further copies.
#[derive(Debug, Clone)]
pub struct LinkagePlan {
    pub records: u64,
    pub distinct: u64,
    pub copies: u64,
    drawn: Vec<u64>,
    copied: Vec<u64>,
    drawn_offset: Vec<u64>,
    copied_offset: Vec<u64>,
    mult: u64,
}

impl LinkagePlan {
    pub fn new(world: &World, records: u64) -> LinkagePlan {
        let copies = (records as f64 * DUPLICATE_SHARE).round() as u64;
        let distinct = records - copies;
        let weights: Vec<f64> = world.desa.iter().map(|d| f64::from(d.people)).collect();
        let caps: Vec<u64> = world.desa.iter().map(|d| u64::from(d.people)).collect();
        let drawn = apportion(distinct, &weights, Some(&caps));
        let copy_weights: Vec<f64> = drawn.iter().map(|&d| d as f64).collect();
        let copied = apportion(copies, &copy_weights, None);
        let mut drawn_offset = Vec::with_capacity(drawn.len());
        let mut copied_offset = Vec::with_capacity(drawn.len());
        let (mut a, mut b) = (0, distinct);
        for (d, c) in drawn.iter().zip(&copied) {
            drawn_offset.push(a);
            copied_offset.push(b);
            a += d;
            b += c;
        }
        // An affine bijection on 0..N hides a record's position in its id.
        let mut mult = ((records as f64) * 0.618_033_988_7) as u64 | 1;
        while records > 1 && gcd(mult, records) != 1 {
            mult += 2;
        }
        LinkagePlan {
            records,
            distinct,
            copies,
            drawn,
            copied,
            drawn_offset,
            copied_offset,
            mult: mult.max(1),
        }
    }

    /// The public id (1..=N) of the record at `position`.
    pub fn id(&self, position: u64) -> u64 {
        ((u128::from(self.mult) * u128::from(position) + 7) % u128::from(self.records.max(1)))
            as u64
            + 1
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The scale of the world the records are drawn from: the requested one, or bigger when the
/// requested world has too few people (rounded up to a thousandth, plus one).
pub fn linkage_scale(config: &Config, world_people: u64, records: u64) -> Result<f64, SynthError> {
    let distinct = records - (records as f64 * DUPLICATE_SHARE).round() as u64;
    if distinct as f64 <= world_people as f64 * MAX_DRAW {
        return Ok(config.scale);
    }
    let full = crate::facts::province(&config.province).map_or(1, |p| p.population());
    let needed = (distinct as f64 / MAX_DRAW / full as f64 * 1000.0).ceil() / 1000.0 + 0.001;
    if needed > 2.0 {
        let max = (full as f64 * 2.0 * MAX_DRAW / (1.0 - DUPLICATE_SHARE)) as u64;
        return Err(SynthError::LinkageTooLarge {
            wanted: records,
            max,
        });
    }
    Ok(needed.max(config.scale))
}

/// A record with its ground truth, at its position in the list.
pub struct Drawn {
    pub position: u64,
    pub person_id: u64,
    pub record: ListRecord,
}

/// The linkage records of one batch: the distinct people first, then the copies.
pub fn draw_batch(world: &World, plan: &LinkagePlan, batch: &Batch) -> (Vec<Drawn>, Vec<Drawn>) {
    let mut originals = Vec::new();
    let mut copies = Vec::new();
    for (desa, families) in batch.by_desa() {
        let want = plan.drawn[desa] as usize;
        if want == 0 {
            continue;
        }
        let mut rng = stream(world.config.seed, &world.desa[desa].code, "linkage");
        let people: Vec<(usize, usize)> = families
            .iter()
            .enumerate()
            .flat_map(|(fi, f)| (0..f.members.len()).map(move |mi| (fi, mi)))
            .collect();
        // Selection sampling: exactly `want` people, in order.
        let mut picked = Vec::with_capacity(want);
        let n = people.len();
        for (seen, &pm) in people.iter().enumerate() {
            let need = want - picked.len();
            if need == 0 {
                break;
            }
            if rng.random_range(0..(n - seen)) < need {
                picked.push(pm);
            }
        }
        for (k, &(fi, mi)) in picked.iter().enumerate() {
            let (f, p) = (&families[fi], &families[fi].members[mi]);
            let mut record = ListRecord::exact(p, f, world);
            corrupt(&mut rng, &mut record, p, f, &LIGHT);
            originals.push(Drawn {
                position: plan.drawn_offset[desa] + k as u64,
                person_id: p.id,
                record,
            });
        }
        for k in 0..plan.copied[desa] {
            let (fi, mi) = picked[rng.random_range(0..picked.len())];
            let (f, p) = (&families[fi], &families[fi].members[mi]);
            let mut record = ListRecord::exact(p, f, world);
            corrupt(&mut rng, &mut record, p, f, &HEAVY);
            copies.push(Drawn {
                position: plan.copied_offset[desa] + k,
                person_id: p.id,
                record,
            });
        }
    }
    (originals, copies)
}
