//! Columns prepared once for comparison: names normalised, NIKs reduced to digits, dates
//! split into parts, values interned. Comparing a pair then only reads these arrays.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use sinergi_core::{Nik, NoKk, Sex, TextColumn};

use crate::names;
use crate::settings::{ComparisonSpec, KeyFn, Kind};

/// Keys and interned values are hashed often and never exposed: FxHash, not SipHash.
pub(crate) fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    v.hash(&mut h);
    h.finish()
}

/// Distinct prepared values of a column: id 0 is "missing", ids 1.. in order of first
/// occurrence. Names and codes repeat heavily (1 M records hold ~70 k distinct names), so
/// each distinct raw value is prepared once and comparisons read these small tables.
#[derive(Debug, Default)]
pub(crate) struct Interned {
    /// Per record.
    pub ids: Vec<u32>,
    /// Per id: how many records hold it.
    pub counts: Vec<u32>,
    pub present: u64,
    /// Per id: the prepared text ("" for id 0).
    pub text: TextColumn,
}

impl Interned {
    /// Interns `rows` after `prepare` (applied once per distinct raw value; "" = missing).
    fn build(rows: &[&str], prepare: impl Fn(&str) -> String + Sync) -> Interned {
        // Distinct raw values in order of first occurrence: each chunk of rows is interned on
        // its own, side by side, then the chunks' (few) distinct values are merged in order.
        let chunk = rows
            .len()
            .div_ceil(rayon::current_num_threads() * 2)
            .max(1 << 14);
        let chunks: Vec<(Vec<u32>, FirstSeen)> = rows
            .par_chunks(chunk)
            .map(|rows| {
                let mut seen = FirstSeen::with_capacity(rows.len() / 8);
                let ids = rows.iter().map(|r| seen.add(r, 1)).collect();
                (ids, seen)
            })
            .collect();
        let mut all = FirstSeen::with_capacity(0);
        let global: Vec<Vec<u32>> = chunks
            .iter()
            .map(|(_, seen)| {
                seen.values
                    .iter()
                    .zip(&seen.counts)
                    .map(|(v, c)| all.add(v, *c))
                    .collect()
            })
            .collect();
        let FirstSeen {
            values: raw_values,
            counts: raw_counts,
            ..
        } = all;
        let raw_ids: Vec<u32> = chunks
            .par_iter()
            .zip(&global)
            .flat_map_iter(|((ids, _), global)| ids.iter().map(|i| global[*i as usize]))
            .collect();
        drop(chunks);
        let prepared: Vec<String> = raw_values.par_iter().map(|r| prepare(r)).collect();
        // Prepared values in order of first occurrence, as if interned record by record.
        let mut index: FxHashMap<&str, u32> = Default::default();
        let mut counts = vec![0u32];
        let mut text = TextColumn::default();
        let _ = text.push("");
        let mut present = 0u64;
        let id_of_raw: Vec<u32> = prepared
            .iter()
            .zip(&raw_counts)
            .map(|(v, c)| {
                if v.is_empty() {
                    return 0;
                }
                present += u64::from(*c);
                let next = counts.len() as u32;
                let id = *index.entry(v.as_str()).or_insert(next);
                if id == next {
                    counts.push(0);
                    // Prepared values are shorter than the file that held them (< 4 GiB).
                    let _ = text.push(v);
                }
                counts[id as usize] += c;
                id
            })
            .collect();
        Interned {
            ids: raw_ids.par_iter().map(|r| id_of_raw[*r as usize]).collect(),
            counts,
            present,
            text,
        }
    }

    /// Share of records holding this value: the chance a random record agrees with it.
    pub fn frequency(&self, id: u32) -> f64 {
        f64::from(self.counts[id as usize]) / self.present.max(1) as f64
    }

    fn len(&self) -> usize {
        self.counts.len()
    }
}

/// Distinct values numbered in order of first occurrence, with how many times each was added.
struct FirstSeen<'a> {
    index: FxHashMap<&'a str, u32>,
    values: Vec<&'a str>,
    counts: Vec<u32>,
}

impl<'a> FirstSeen<'a> {
    fn with_capacity(n: usize) -> FirstSeen<'a> {
        FirstSeen {
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            values: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// The number of `value`, counted `count` more times.
    fn add(&mut self, value: &'a str, count: u32) -> u32 {
        let next = self.values.len() as u32;
        let id = *self.index.entry(value).or_insert(next);
        if id == next {
            self.values.push(value);
            self.counts.push(0);
        }
        self.counts[id as usize] += count;
        id
    }
}

/// Letter counts of a short ASCII name (bins: a–z, space, others folded into 5), for an upper
/// bound on Jaro–Winkler: two strings cannot match more characters than they share.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Letters([u8; 32]);

impl Letters {
    /// None when the fast Jaro–Winkler does not apply (non-ASCII or over 64 bytes).
    fn of(s: &str) -> Option<Letters> {
        if s.len() > JW_MAX || !s.is_ascii() {
            return None;
        }
        let mut h = [0u8; 32];
        for b in s.bytes() {
            let bin = match b {
                b'a'..=b'z' => b - b'a',
                b' ' => 26,
                _ => 27 + b % 5,
            };
            h[usize::from(bin)] += 1;
        }
        Some(Letters(h))
    }

    fn shared(&self, other: &Letters) -> u32 {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| u32::from(*a.min(b)))
            .sum()
    }
}

/// An upper bound on the Jaro–Winkler similarity of two strings of these lengths sharing at
/// most `shared` characters (no transpositions, the longest Winkler prefix).
fn jaro_winkler_bound(shared: u32, la: usize, lb: usize) -> f64 {
    if la == 0 || lb == 0 {
        // Two empty strings score 1; no bound is claimed.
        return 1.0;
    }
    if shared == 0 {
        return 0.0;
    }
    let m = f64::from(shared);
    let jaro = (m / la as f64 + m / lb as f64 + 1.0) / 3.0;
    if jaro > 0.7 {
        jaro + 0.4 * (1.0 - jaro)
    } else {
        jaro
    }
}

/// Per distinct name: what the comparison and blocking of names need.
pub(crate) struct Names {
    pub values: Interned,
    /// Per id: the words sorted, its id among sorted forms, whether it was already sorted.
    pub sorted: TextColumn,
    pub sorted_ids: Vec<u32>,
    pub already_sorted: Vec<bool>,
    pub letters: Vec<Option<Letters>>,
    /// Per id: the first letters of its words (a–z as bits 0–25, anything else bit 26). A name
    /// contains another only if every word of one meets a word of the other with the same
    /// first letter, so names whose initials are not a subset never need the word check.
    pub initials: Vec<u32>,
    /// Per id: the blocking keys of its words of two or more letters (`token_ends[id]` ends
    /// them in `token_keys`), hashed once instead of per record.
    pub token_keys: Vec<u64>,
    pub token_ends: Vec<u32>,
}

/// The first letters of the words of `name` as a bit set (see [`Names::initials`]).
fn initials_of(name: &str) -> u32 {
    name.split(' ')
        .filter_map(|t| t.bytes().next())
        .fold(0, |m, b| {
            m | if b.is_ascii_lowercase() {
                1 << (b - b'a')
            } else {
                1 << 26
            }
        })
}

/// Distinct hashes of the words of two or more letters of `name`, in order.
fn token_keys(name: &str, out: &mut Vec<u64>) {
    let start = out.len();
    // Initials would join everyone sharing a letter; they are not keys.
    for t in name.split(' ').filter(|t| t.len() > 1) {
        let h = hash_of(t);
        if !out[start..].contains(&h) {
            out.push(h);
        }
    }
}

pub(crate) struct Texts {
    pub values: Interned,
    /// Per prefix length of `awalan`, per id: the id of its first N bytes (0 = shorter).
    pub prefix_ids: Vec<Vec<u32>>,
}

pub(crate) enum Feature {
    Text(Texts),
    Name(Names),
    /// Cells hold the digits' value, their count (0 = missing, 15 = Excel-truncated, 16 =
    /// whole) in bits 56..63 and validity in bit 63.
    Digits,
    /// y·10000 + m·100 + d as written (a swapped 1985-25-03 is kept); m = d = 0 for a year
    /// alone; a span of dates (`1979-10-01/1980-09-30`, what an age says) as its first date
    /// in bits 32..63 and its last in bits 0..31; 0 = missing.
    Date,
    /// f64 bits; NaN = missing.
    Number,
    /// 0 missing, 1 male, 2 female.
    Sex,
}

/// The digits' value (16 digits need 54 bits); bit 55 is [`NIK_OF_ANOTHER`].
const DIGITS_MASK: u64 = (1 << 55) - 1;

fn digits_cell(value: u64, len: u8, valid: bool) -> u64 {
    value | (u64::from(len) << 56) | (u64::from(valid) << 63)
}

fn digits_parts(cell: u64) -> (u64, u8, bool) {
    (
        cell & DIGITS_MASK,
        ((cell >> 56) & 0x1f) as u8,
        cell >> 63 == 1,
    )
}

/// One compared column, prepared.
pub(crate) struct Prepared {
    pub spec: ComparisonSpec,
    pub feature: Feature,
    /// One u64 per record: an interned id, packed digits, a packed date, f64 bits or a code.
    /// Comparing two records reads two cells and, for text, the small per-value tables.
    pub cells: Vec<u64>,
    /// A second cell per record for NIK/KK: the digits as BCD nibbles.
    pub bcd: Vec<u64>,
    pub jw: Vec<f64>,
    pub lev: Vec<u32>,
    /// Non-empty values that could not be read (treated as missing, reported).
    pub unreadable: u64,
}

fn is_null(raw: &str, nulls: &[String]) -> bool {
    let t = raw.trim();
    t.is_empty() || nulls.iter().any(|n| n.eq_ignore_ascii_case(t))
}

/// Lowercase letters and digits only: "52.03.01.2001" and "5203012001" agree.
fn compact(raw: &str) -> String {
    if raw.is_ascii() {
        return raw
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Digits of a NIK or No. KK: 16, or 15 when Excel dropped the last one.
fn parse_digits(raw: &str) -> Option<(u64, u8)> {
    // The usual cell, digits alone: nothing below would change or refuse it.
    if matches!(raw.len(), 15 | 16) && raw.bytes().all(|b| b.is_ascii_digit()) {
        let value = raw.bytes().fold(0, |v, b| v * 10 + u64::from(b - b'0'));
        return Some((value, raw.len() as u8));
    }
    let t = raw
        .trim()
        .trim_start_matches(['\'', '`', '\u{2018}', '\u{2019}']);
    // A number exported as a float ("5203014506890000.0") keeps its digits before the point.
    let t = match t.rsplit_once(['.', ',']) {
        Some((whole, zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => whole,
        _ => t,
    };
    let mut value: u64 = 0;
    let mut len = 0u8;
    for c in t.chars() {
        match c {
            '0'..='9' => {
                if len == 16 {
                    return None;
                }
                value = value * 10 + u64::from(c as u8 - b'0');
                len += 1;
            }
            ' ' | '-' | '.' => {}
            _ => return None,
        }
    }
    matches!(len, 15 | 16).then_some((value, len))
}

/// A date as written: YYYY-MM-DD, YYYY/MM/DD, DD-MM-YYYY, DD/MM/YYYY, YYYYMMDD or a year.
/// The parts are kept unchecked so that a day/month swap stays visible.
pub(crate) fn parse_date(raw: &str) -> Option<u32> {
    // The usual cell, YYYY-MM-DD: read directly, checked as below.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *raw.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |ds: &[u8]| ds.iter().fold(0, |v, d| v * 10 + u32::from(d - b'0'));
            let (y, m, d) = (n(&digits[..4]), n(&digits[4..6]), n(&digits[6..]));
            return ((1000..=2999).contains(&y) && (m == 0) == (d == 0))
                .then_some(y * 10000 + m * 100 + d);
        }
    }
    let t = raw.trim();
    let t = t.split([' ', 'T']).next().unwrap_or_default();
    // At most three parts; a fourth means it is not a date.
    let mut parts = [""; 3];
    let mut count = 0;
    for p in t.split(['-', '/', '.']) {
        if count == 3 {
            return None;
        }
        parts[count] = p;
        count += 1;
    }
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = match &parts[..count] {
        [y] if y.len() == 4 => (num(y)?, 0, 0),
        [s] if s.len() == 8 => (num(s.get(..4)?)?, num(s.get(4..6)?)?, num(s.get(6..)?)?),
        [a, b, c] if a.len() == 4 => (num(a)?, num(b)?, num(c)?),
        [a, b, c] if c.len() == 4 => (num(c)?, num(b)?, num(a)?),
        _ => return None,
    };
    ((1000..=2999).contains(&y) && m <= 99 && d <= 99 && (m == 0) == (d == 0))
        .then_some(y * 10000 + m * 100 + d)
}

/// A date cell ([`Feature::Date`]): a date or year as [`parse_date`] reads it, or a span of
/// two full dates written `YYYY-MM-DD/YYYY-MM-DD` (ISO 8601), the first not after the second.
pub(crate) fn parse_date_cell(raw: &str) -> Option<u64> {
    let t = raw.trim();
    if let Some((a, b)) = t.split_once('/')
        && a.len() == 10
        && b.len() == 10
        && a.as_bytes()[4] == b'-'
    {
        let (lo, hi) = (parse_date(a)?, parse_date(b)?);
        let full = |d: u32| !d.is_multiple_of(10000);
        return (full(lo) && full(hi) && lo <= hi).then_some((u64::from(lo) << 32) | u64::from(hi));
    }
    parse_date(t).map(u64::from)
}

/// First and last date a date cell allows, as y·10000 + m·100 + d: a full date is itself, a
/// year alone any day of it (months and days as written, so a swapped date stays inside).
fn date_span(cell: u64) -> (u64, u64) {
    if cell >> 32 != 0 {
        (cell >> 32, cell & 0xffff_ffff)
    } else if cell.is_multiple_of(10000) {
        (cell, cell + 9999)
    } else {
        (cell, cell)
    }
}

/// Whether a date cell is one full date (not a year alone, not a span).
fn full_date(cell: u64) -> bool {
    cell != 0 && cell >> 32 == 0 && !cell.is_multiple_of(10000)
}

/// Whether two date cells' spans overlap once one is widened by `years` on each side.
fn spans_meet(a: u64, b: u64, years: u64) -> bool {
    let ((la, ha), (lb, hb)) = (date_span(a), date_span(b));
    la.saturating_sub(years * 10000) <= hb && lb <= ha + years * 10000
}

fn parse_number(raw: &str) -> Option<f64> {
    let t = raw.trim().replace(',', ".");
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Interns the first `n` bytes of every value of at least `n` bytes.
fn prefix_ids(values: &Interned, n: usize) -> Vec<u32> {
    let mut index: FxHashMap<&[u8], u32> = Default::default();
    (0..values.len())
        .map(|id| {
            let s = values.text.get(id).as_bytes();
            if id == 0 || s.len() < n {
                return 0;
            }
            let next = index.len() as u32 + 1;
            *index.entry(&s[..n]).or_insert(next)
        })
        .collect()
}

impl Prepared {
    /// Prepares `column` (all records of all files, in order) for `spec`.
    pub fn new(spec: &ComparisonSpec, raw: &[&TextColumn]) -> Prepared {
        let nulls = &spec.null_values;
        let mut rows: Vec<&str> = Vec::with_capacity(raw.iter().map(|c| c.len()).sum());
        for c in raw {
            rows.par_extend((0..c.len()).into_par_iter().map(|r| c.get(r)));
        }
        let mut unreadable = 0u64;
        let (feature, cells): (Feature, Vec<u64>) = match spec.kind {
            Kind::Persis | Kind::Teks => {
                let values = Interned::build(&rows, |r| {
                    if is_null(r, nulls) {
                        String::new()
                    } else if spec.kind == Kind::Persis {
                        compact(r)
                    } else {
                        sinergi_core::fold_text(r)
                    }
                });
                let prefix_ids = spec
                    .prefixes
                    .iter()
                    .map(|n| prefix_ids(&values, *n))
                    .collect();
                let cells = values.ids.par_iter().map(|i| u64::from(*i)).collect();
                (Feature::Text(Texts { values, prefix_ids }), cells)
            }
            Kind::Nama => {
                let values = Interned::build(&rows, |r| {
                    if is_null(r, nulls) {
                        String::new()
                    } else {
                        names::normalize_name(r)
                    }
                });
                let ids: Vec<u32> = (0..values.len() as u32).collect();
                let sorted_text: Vec<String> = ids
                    .par_iter()
                    .map(|id| names::sorted_name(values.text.get(*id as usize)))
                    .collect();
                // Sorted forms numbered in order of first occurrence (ids are in that order).
                let mut index: FxHashMap<&str, u32> = Default::default();
                let sorted_ids = sorted_text
                    .iter()
                    .map(|s| {
                        if s.is_empty() {
                            return 0;
                        }
                        let next = index.len() as u32 + 1;
                        *index.entry(s.as_str()).or_insert(next)
                    })
                    .collect();
                drop(index);
                let already_sorted = sorted_text
                    .iter()
                    .enumerate()
                    .map(|(id, s)| values.text.get(id) == s)
                    .collect();
                let letters = (0..values.len())
                    .map(|id| Letters::of(values.text.get(id)))
                    .collect();
                let initials = (0..values.len())
                    .map(|id| initials_of(values.text.get(id)))
                    .collect();
                let mut sorted = TextColumn::default();
                for s in &sorted_text {
                    let _ = sorted.push(s);
                }
                let (mut token_keys_all, mut token_ends) = (Vec::new(), Vec::new());
                for id in 0..values.len() {
                    token_keys(values.text.get(id), &mut token_keys_all);
                    token_ends.push(token_keys_all.len() as u32);
                }
                let cells = values.ids.par_iter().map(|i| u64::from(*i)).collect();
                (
                    Feature::Name(Names {
                        values,
                        sorted,
                        sorted_ids,
                        already_sorted,
                        letters,
                        initials,
                        token_keys: token_keys_all,
                        token_ends,
                    }),
                    cells,
                )
            }
            Kind::Nik | Kind::Kk => {
                let parsed: Vec<(u64, bool)> = rows
                    .par_iter()
                    .map(|r| {
                        if is_null(r, nulls) {
                            return (0, false);
                        }
                        match parse_digits(r) {
                            None => (0, true),
                            Some((v, l)) => {
                                // Validity only matters for the person key (cluster constraint).
                                let valid = l == 16
                                    && spec.person_key
                                    && if spec.kind == Kind::Nik {
                                        Nik::is_valid(*r)
                                    } else {
                                        NoKk::is_valid(*r)
                                    };
                                (digits_cell(v, l, valid), false)
                            }
                        }
                    })
                    .collect();
                unreadable = parsed.iter().filter(|p| p.1).count() as u64;
                (Feature::Digits, parsed.into_iter().map(|p| p.0).collect())
            }
            Kind::Tanggal => {
                let packed: Vec<u64> = rows
                    .par_iter()
                    .map(|r| {
                        if is_null(r, nulls) {
                            0
                        } else {
                            parse_date_cell(r).unwrap_or(u64::MAX)
                        }
                    })
                    .collect();
                unreadable = packed.iter().filter(|p| **p == u64::MAX).count() as u64;
                let cells = packed
                    .into_iter()
                    .map(|p| if p == u64::MAX { 0 } else { p })
                    .collect();
                (Feature::Date, cells)
            }
            Kind::Angka => {
                let cells = rows
                    .iter()
                    .map(|r| {
                        if is_null(r, nulls) {
                            f64::NAN
                        } else {
                            parse_number(r).unwrap_or_else(|| {
                                unreadable += 1;
                                f64::NAN
                            })
                        }
                        .to_bits()
                    })
                    .collect();
                (Feature::Number, cells)
            }
            Kind::JenisKelamin => {
                let code: Vec<u8> = rows
                    .par_iter()
                    .map(|r| {
                        if is_null(r, nulls) {
                            return 0;
                        }
                        match Sex::parse(r) {
                            Some(Sex::Male) => 1,
                            Some(Sex::Female) => 2,
                            None => 3,
                        }
                    })
                    .collect();
                unreadable = code.iter().filter(|c| **c == 3).count() as u64;
                let cells = code
                    .into_iter()
                    .map(|c| if c == 3 { 0 } else { u64::from(c) })
                    .collect();
                (Feature::Sex, cells)
            }
        };
        Prepared {
            jw: spec.jw_thresholds(),
            lev: spec.lev_thresholds(),
            spec: spec.clone(),
            bcd: match feature {
                Feature::Digits => cells
                    .par_iter()
                    .map(|c| bcd16(digits_parts(*c).0))
                    .collect(),
                _ => Vec::new(),
            },
            feature,
            cells,
            unreadable,
        }
    }

    /// The comparison level of records `a` and `b`: 0 missing, 1 exact, … last = different.
    #[cfg(test)]
    pub fn level(&self, a: usize, b: usize) -> u8 {
        let second = |r: usize| self.bcd.get(r).copied().unwrap_or(0);
        self.level_of_cells([self.cells[a], second(a)], [self.cells[b], second(b)])
    }

    /// Cells per record: two for NIK/KK (value and BCD), one otherwise.
    pub fn width(&self) -> usize {
        if self.bcd.is_empty() { 1 } else { 2 }
    }

    /// The comparison level of two records' cells.
    #[inline]
    pub fn level_of_cells(&self, [x, x2]: [u64; 2], [y, y2]: [u64; 2]) -> u8 {
        match &self.feature {
            Feature::Text(t) => {
                let (ia, ib) = (x as u32, y as u32);
                if ia == 0 || ib == 0 {
                    return 0;
                }
                if ia == ib {
                    return 1;
                }
                self.text_level(t, ia as usize, ib as usize)
            }
            Feature::Name(n) => {
                let (ia, ib) = (x as usize, y as usize);
                if ia == 0 || ib == 0 {
                    return 0;
                }
                if ia == ib {
                    return 1;
                }
                if n.sorted_ids[ia] == n.sorted_ids[ib] {
                    return 2;
                }
                self.name_level(n, ia, ib)
            }
            Feature::Digits => {
                let (va, la, _) = digits_parts(x);
                let (vb, lb, _) = digits_parts(y);
                if self.spec.kind == Kind::Nik {
                    nik_level_with(va, la, vb, lb, || (x2, y2))
                } else {
                    digits_level_with(va, la, vb, lb, || (x2, y2))
                }
            }
            Feature::Date => self.date_level(x, y),
            Feature::Number => {
                let (va, vb) = (f64::from_bits(x), f64::from_bits(y));
                if va.is_nan() || vb.is_nan() {
                    return 0;
                }
                if va == vb {
                    return 1;
                }
                let mut level = 2u8;
                for d in &self.spec.differences {
                    if (va - vb).abs() <= *d {
                        return level;
                    }
                    level += 1;
                }
                level
            }
            Feature::Sex => {
                if x == 0 || y == 0 {
                    0
                } else if x == y {
                    1
                } else {
                    2
                }
            }
        }
    }

    /// Levels below "exact" of two different, present text values.
    fn text_level(&self, t: &Texts, ia: usize, ib: usize) -> u8 {
        let mut level = 2u8;
        if self.spec.kind == Kind::Teks {
            let (sa, sb) = (t.values.text.get(ia), t.values.text.get(ib));
            if !self.lev.is_empty() {
                let d = strsim::levenshtein(sa, sb) as u32;
                for k in &self.lev {
                    if d <= *k {
                        return level;
                    }
                    level += 1;
                }
            }
            if !self.jw.is_empty() {
                let s = jaro_winkler(sa, sb);
                for t in &self.jw {
                    if s >= *t {
                        return level;
                    }
                    level += 1;
                }
            }
        }
        for p in &t.prefix_ids {
            if p[ia] != 0 && p[ia] == p[ib] {
                return level;
            }
            level += 1;
        }
        level
    }

    /// Levels below "same words in another order" of two different, present names.
    fn name_level(&self, n: &Names, ia: usize, ib: usize) -> u8 {
        let (ca, cb) = (n.values.text.get(ia), n.values.text.get(ib));
        // Only how the score compares with the thresholds matters; when even the best score
        // the shared letters allow is below all of them, neither score is computed.
        // The bound holds for the sorted forms too: the same letters, the same lengths.
        let bound = match (&n.letters[ia], &n.letters[ib]) {
            (Some(la), Some(lb)) => jaro_winkler_bound(la.shared(lb), ca.len(), cb.len()) + 1e-9,
            _ => f64::INFINITY,
        };
        let lowest = self.jw.iter().copied().fold(f64::INFINITY, f64::min);
        let mut s = 0.0;
        if bound >= lowest {
            s = jaro_winkler(ca, cb);
            // The order-insensitive score only differs when a name is not already sorted, and
            // only matters if it could reach a threshold the score missed.
            let best = self.jw.first().copied().unwrap_or(1.0);
            let next = self
                .jw
                .iter()
                .copied()
                .filter(|t| *t > s)
                .fold(f64::INFINITY, f64::min);
            if s < best && bound >= next && !(n.already_sorted[ia] && n.already_sorted[ib]) {
                s = s.max(jaro_winkler(n.sorted.get(ia), n.sorted.get(ib)));
            }
        }
        let mut level = 3u8;
        let contained = || {
            // The shorter name's initials must all be initials of the longer one.
            let (short, long) = if ca.len() <= cb.len() {
                (n.initials[ia], n.initials[ib])
            } else {
                (n.initials[ib], n.initials[ia])
            };
            short & !long == 0 && names::tokens_contained(ca, cb)
        };
        for (i, t) in self.jw.iter().enumerate() {
            if s >= *t {
                return level;
            }
            level += 1;
            if i == 0 {
                if contained() {
                    return level;
                }
                level += 1;
            }
        }
        if self.jw.is_empty() {
            if contained() {
                return level;
            }
            level += 1;
        }
        level
    }

    fn date_level(&self, a: u64, b: u64) -> u8 {
        if a == 0 || b == 0 {
            return 0;
        }
        let full = full_date(a) && full_date(b);
        let (da, db) = (a as u32, b as u32);
        if full && da == db {
            return 1;
        }
        let mut level = 2u8;
        if self.spec.day_month_swap {
            let (ma, dda) = (da / 100 % 100, da % 100);
            let (mb, ddb) = (db / 100 % 100, db % 100);
            if full && da / 10000 == db / 10000 && ma == ddb && dda == mb {
                return level;
            }
            level += 1;
        }
        if self.spec.one_digit {
            if full && differing_digits(u64::from(da), u64::from(db), 8) == 1 {
                return level;
            }
            level += 1;
        }
        // A year alone or a span (an age) against anything: whether the days each allows
        // meet, or meet a year further on either side.
        if self.spec.same_year {
            if (full && da / 10000 == db / 10000)
                || (!full && !self.spec.year_only && spans_meet(a, b, 0))
            {
                return level;
            }
            level += 1;
        }
        if self.spec.year_only {
            if !full && spans_meet(a, b, 0) {
                return level;
            }
            if !full && spans_meet(a, b, 1) {
                return level + 1;
            }
            level += 2;
        }
        if !full && !self.spec.same_year && !self.spec.year_only {
            return 0;
        }
        level
    }

    /// The interned values of a text or name column.
    fn interned(&self) -> Option<&Interned> {
        match &self.feature {
            Feature::Text(t) => Some(&t.values),
            Feature::Name(n) => Some(&n.values),
            _ => None,
        }
    }

    /// The value frequency behind an exact agreement of record `a`, when adjusted.
    pub fn exact_frequency(&self, a: usize) -> Option<f64> {
        if !self.spec.term_frequency {
            return None;
        }
        self.interned().map(|v| v.frequency(v.ids[a]))
    }

    /// Per interned id, the weight of an exact agreement on it when term frequency adjusts
    /// this column (`m_exact` is m of the exact level): computed once instead of per pair.
    pub fn exact_weights(&self, m_exact: f64) -> Option<Vec<f64>> {
        if !self.spec.term_frequency {
            return None;
        }
        let v = self.interned()?;
        Some(
            (0..v.len() as u32)
                .map(|id| (m_exact / v.frequency(id).max(1e-12)).log2())
                .collect(),
        )
    }

    /// The valid person key of record `a` (a structurally valid NIK), for cluster constraints.
    pub fn person_key(&self, a: usize) -> Option<u64> {
        match &self.feature {
            Feature::Digits => {
                let (value, _, valid) = digits_parts(self.cells[a]);
                valid.then_some(value)
            }
            Feature::Text(t) => (t.values.ids[a] != 0).then_some(u64::from(t.values.ids[a])),
            _ => None,
        }
    }

    /// Whether two person keys may belong to one person.
    pub fn keys_compatible(&self, a: u64, b: u64, strict: bool) -> bool {
        if a == b {
            return true;
        }
        if strict {
            return false;
        }
        match &self.feature {
            // A typo outside the date part, or Excel's lost last digit: possibly one person's
            // NIK. A different date part or serial is another person (siblings born on one
            // day share region, often the serial too; twins differ in the serial only).
            Feature::Digits if self.spec.kind == Kind::Nik => {
                (1..=nik_levels::REGION_DIGIT).contains(&nik_level(a, 16, b, 16))
            }
            Feature::Digits => digits_level(a, 16, b, 16) <= 3,
            _ => false,
        }
    }

    /// Blocking keys of record `r` for one key part (several for name tokens).
    pub fn keys(&self, f: KeyFn, r: usize, out: &mut Vec<u64>) {
        let cell = self.cells[r];
        match (&self.feature, f) {
            (Feature::Text(_) | Feature::Name(_), KeyFn::Value) if cell != 0 => {
                out.push(cell);
            }
            (Feature::Text(Texts { values, .. }), KeyFn::Prefix(n))
            | (Feature::Name(Names { values, .. }), KeyFn::Prefix(n)) => {
                let s = values.text.get(cell as usize);
                if !s.is_empty() {
                    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
                    out.push(hash_of(&s[..end]));
                }
            }
            (Feature::Name(n), KeyFn::NameSorted) if n.sorted_ids[cell as usize] != 0 => {
                out.push(u64::from(n.sorted_ids[cell as usize]));
            }
            (Feature::Name(n), KeyFn::NameFirst) => {
                let s = n.values.text.get(cell as usize);
                if let Some(t) = s.split(' ').find(|t| !t.is_empty()) {
                    out.push(hash_of(t));
                }
            }
            (Feature::Name(n), KeyFn::NameLast) => {
                let s = n.values.text.get(cell as usize);
                if let Some(t) = s.split(' ').rfind(|t| !t.is_empty()) {
                    out.push(hash_of(t));
                }
            }
            (Feature::Name(n), KeyFn::NameToken) => {
                let id = cell as usize;
                let start = if id == 0 {
                    0
                } else {
                    n.token_ends[id - 1] as usize
                };
                out.extend_from_slice(&n.token_keys[start..n.token_ends[id] as usize]);
            }
            (Feature::Digits, KeyFn::Value) => {
                let (value, len, _) = digits_parts(cell);
                if len != 0 {
                    out.push(value * 100 + u64::from(len));
                }
            }
            (Feature::Digits, KeyFn::Prefix(n)) => {
                let (value, len, _) = digits_parts(cell);
                let l = usize::from(len);
                if l >= n {
                    out.push(value / 10u64.pow((l - n) as u32));
                }
            }
            (Feature::Date, KeyFn::Value) if cell != 0 => {
                out.push(cell);
            }
            (Feature::Date, KeyFn::Year) if full_date(cell) => {
                out.push(cell / 10000);
            }
            (Feature::Date, KeyFn::Year) if cell != 0 => {
                // A year alone, or the years of a span (an age: the year-long span of birth
                // dates it allows), and the year on either side: the year may be off, the age
                // counted or written on another day. Spans over more years give no key.
                let (lo, hi) = date_span(cell);
                let (first, last) = (lo / 10000, hi / 10000);
                if last - first <= 2 {
                    out.extend(first - 1..=last + 1);
                }
            }
            (Feature::Date, KeyFn::DateSwapTolerant) => {
                let p = cell as u32;
                if full_date(cell) {
                    let (m, d) = (p / 100 % 100, p % 100);
                    out.push(u64::from(p / 10000 * 10000 + m.min(d) * 100 + m.max(d)));
                }
            }
            (Feature::Number, KeyFn::Value) if !f64::from_bits(cell).is_nan() => {
                out.push(cell);
            }
            (Feature::Sex, KeyFn::Value) if cell != 0 => {
                out.push(cell);
            }
            // Combinations refused when the settings were read.
            _ => {}
        }
    }
}

/// One cache line of cells.
#[repr(align(64))]
#[derive(Clone, Copy, Default)]
struct Line([u64; 8]);

/// Every column's cell of a record side by side (record-major, cache-line aligned): comparing
/// a pair then touches one line per record instead of one scattered array per column.
pub(crate) struct Rows {
    lines: Vec<Line>,
    per_record: usize,
    /// Per column: where its cells start in a record, and whether it has a second one.
    slots: Vec<(usize, bool)>,
    joint: Option<Joint>,
    /// The No. KK column and the region-code column: one family's card says where it
    /// lives, so a No. KK that agrees makes an agreeing region code the same fact again.
    family: Option<(usize, usize)>,
}

impl Rows {
    /// `region`: the column holding region codes (the target of a `wilayah` source), if any.
    pub fn new(columns: &[Prepared], n: usize, region: Option<usize>) -> Rows {
        let mut slots = Vec::with_capacity(columns.len());
        let mut width = 0;
        for c in columns {
            slots.push((width, c.width() == 2));
            width += c.width();
        }
        let per_record = width.div_ceil(8).max(1);
        let joint = Joint::of(columns);
        let mut lines = vec![Line::default(); n * per_record];
        lines
            .par_chunks_mut(per_record)
            .enumerate()
            .for_each(|(r, record)| {
                for (k, (c, (at, wide))) in columns.iter().zip(&slots).enumerate() {
                    let mut cell = c.cells[r];
                    if let Some(j) = joint
                        && j.nik == k
                    {
                        cell |= Joint::agreement(
                            cell,
                            j.date.map(|d| columns[d].cells[r]),
                            j.sex.map(|s| columns[s].cells[r]),
                        );
                    }
                    record[at / 8].0[at % 8] = cell;
                    if *wide {
                        record[(at + 1) / 8].0[(at + 1) % 8] = c.bcd[r];
                    }
                }
            });
        let family = columns
            .iter()
            .position(|c| c.spec.kind == Kind::Kk)
            .zip(region);
        Rows {
            lines,
            per_record,
            slots,
            joint,
            family,
        }
    }

    #[inline]
    fn at(&self, r: usize, i: usize) -> u64 {
        self.lines[r * self.per_record + i / 8].0[i % 8]
    }

    /// Starts loading record `r`'s cells into the cache (a hint: no effect on results, and
    /// nothing on other architectures).
    #[inline]
    pub fn prefetch(&self, r: usize) {
        #[cfg(target_arch = "x86_64")]
        if let Some(line) = self.lines.get(r * self.per_record) {
            // SAFETY: prefetching only hints the cache; the pointer is that of a live element.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    (line as *const Line).cast::<i8>(),
                )
            };
        }
    }

    /// `g` (records `a` and `b`) with the NIK's date and sex counted once (see [`Joint`]),
    /// a NIK that is not its record's own left out, and a region code counted once with an
    /// agreeing No. KK. Applied when pairs are scored, not to the levels m, u and λ are
    /// estimated from: each column's m stays learnt from every pair it was compared on.
    #[inline]
    pub fn counted_once(&self, g: u64, a: usize, b: usize) -> u64 {
        let mut g = match &self.joint {
            Some(j) => j.adjust(g, self.cell(a, j.nik), self.cell(b, j.nik)),
            None => g,
        };
        if let Some((kk, region)) = self.family
            && (1..=3).contains(&((g >> (4 * kk)) & 0xf))
        {
            // The same card: the region it was issued in is part of that agreement (family
            // members share both; only the names and dates tell them apart).
            g &= !(0xf << (4 * region));
        }
        g
    }

    /// The main cell of column `k` for record `r`.
    #[inline]
    pub fn cell(&self, r: usize, k: usize) -> u64 {
        self.at(r, self.slots[k].0)
    }

    /// Both cells of column `k` for record `r` (the second is 0 for one-cell columns).
    #[inline]
    pub fn cells(&self, r: usize, k: usize) -> [u64; 2] {
        let (at, wide) = self.slots[k];
        [self.at(r, at), if wide { self.at(r, at + 1) } else { 0 }]
    }
}

/// The packed gamma vector of records `a` and `b`: 4 bits of level per comparison.
#[inline]
pub(crate) fn gamma(columns: &[Prepared], rows: &Rows, a: usize, b: usize) -> u64 {
    columns.iter().enumerate().fold(0u64, |g, (k, c)| {
        g | (u64::from(c.level_of_cells(rows.cells(a, k), rows.cells(b, k))) << (4 * k))
    })
}

/// How many pairs ahead [`gammas`] asks for the second record's cells.
const PREFETCH_AHEAD: usize = 12;

/// The gamma vectors of packed candidate pairs (see [`crate::blocking::pack`]), in order.
/// Pairs come sorted by their first record, so its cells stay in cache while the second
/// record's are a miss each (1 M records span 64 MB); they are requested a few pairs ahead,
/// which keeps the comparisons from waiting on memory.
pub(crate) fn gammas(columns: &[Prepared], rows: &Rows, pairs: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; pairs.len()];
    out.par_chunks_mut(4096)
        .zip(pairs.par_chunks(4096))
        .for_each(|(out, pairs)| {
            for (i, p) in pairs.iter().enumerate() {
                if let Some(next) = pairs.get(i + PREFETCH_AHEAD) {
                    rows.prefetch(crate::blocking::unpack(*next).1 as usize);
                }
                let (a, b, _) = crate::blocking::unpack(*p);
                out[i] = gamma(columns, rows, a as usize, b as usize);
            }
        });
    out
}

/// Strings up to this many bytes take the bit-parallel Jaro–Winkler.
const JW_MAX: usize = 64;

/// Jaro–Winkler as strsim computes it, for ASCII strings up to 64 bytes without allocating
/// or decoding; strsim for anything else. Bit-parallel: each byte of `b` is a bit in a mask
/// per letter, so the first free matching position in the window is one `trailing_zeros`.
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > JW_MAX || y.len() > JW_MAX || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    if x.is_empty() || y.is_empty() {
        return if x.is_empty() && y.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    let range = (x.len().max(y.len()) / 2).saturating_sub(1);
    let mut positions = [0u64; 128];
    for (j, c) in y.iter().enumerate() {
        positions[usize::from(*c)] |= 1 << j;
    }
    let below = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    let (mut x_matched, mut y_matched) = (0u64, 0u64);
    for (i, c) in x.iter().enumerate() {
        let window = below((i + range + 1).min(y.len())) & !below(i.saturating_sub(range));
        let free = positions[usize::from(*c)] & window & !y_matched;
        if free != 0 {
            y_matched |= free & free.wrapping_neg();
            x_matched |= 1 << i;
        }
    }
    let matches = x_matched.count_ones() as usize;
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let (mut xs, mut ys) = (x_matched, y_matched);
    while xs != 0 {
        let (i, j) = (xs.trailing_zeros() as usize, ys.trailing_zeros() as usize);
        if x[i] != y[j] {
            transpositions += 1;
        }
        xs &= xs - 1;
        ys &= ys - 1;
    }
    let m = matches as f64;
    let jaro =
        (m / x.len() as f64 + m / y.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    if jaro > 0.7 {
        let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
        jaro + 0.1 * prefix as f64 * (1.0 - jaro)
    } else {
        jaro
    }
}

/// The decimal digits of `v < 10^16` as 16 nibbles (BCD), most significant first: digits
/// compared with one XOR instead of 16 divisions each.
fn bcd16(v: u64) -> u64 {
    (bcd8(v / 100_000_000) << 32) | bcd8(v % 100_000_000)
}

/// The last 8 decimal digits of `x` as nibbles.
fn bcd8(x: u64) -> u64 {
    fn bcd2(x: u64) -> u64 {
        ((x / 10) << 4) | (x % 10)
    }
    fn bcd4(x: u64) -> u64 {
        (bcd2(x / 100) << 8) | bcd2(x % 100)
    }
    let x = x % 100_000_000;
    (bcd4(x / 10_000) << 16) | bcd4(x % 10_000)
}

/// One bit (the lowest of its nibble) for each nibble that differs.
fn differing_nibbles(a: u64, b: u64) -> u64 {
    let x = a ^ b;
    (x | x >> 1 | x >> 2 | x >> 3) & 0x1111_1111_1111_1111
}

/// How many of the last `len` decimal digits of `a` and `b` differ.
fn differing_digits(a: u64, b: u64, len: u8) -> usize {
    let keep = if len >= 16 {
        u64::MAX
    } else {
        (1u64 << (4 * len)) - 1
    };
    let (na, nb) = if len <= 8 {
        (bcd8(a), bcd8(b))
    } else {
        (
            bcd16(a % 10_000_000_000_000_000),
            bcd16(b % 10_000_000_000_000_000),
        )
    };
    (differing_nibbles(na & keep, nb & keep)).count_ones() as usize
}

/// Whether `a` and `b` (`len` digits) differ by two adjacent digits swapped.
fn adjacent_swap(a: u64, b: u64, len: u32) -> bool {
    let digit = |v: u64, i: u32| v / 10u64.pow(len - 1 - i) % 10;
    let diff: Vec<u32> = (0..len).filter(|i| digit(a, *i) != digit(b, *i)).collect();
    matches!(diff.as_slice(), [i, j] if *j == i + 1
        && digit(a, *i) == digit(b, *j)
        && digit(a, *j) == digit(b, *i))
}

/// NIK/KK levels: 1 exact, 2 one adjacent transposition, 3 the first 15 digits equal where
/// Excel damage explains the 16th (missing, or zeroed in one of them), 4 different; 0 when
/// either is missing. Serials are handed out in order (0001, 0002 … for people born the same
/// day in the same kecamatan), so NIKs one serial apart are different people, not a typo.
pub(crate) fn digits_level(a: u64, la: u8, b: u64, lb: u8) -> u8 {
    digits_level_with(a, la, b, lb, || (bcd16(a), bcd16(b)))
}

/// [`digits_level`] with the BCD forms of two 16-digit values given (prepared once).
#[inline]
fn digits_level_with(a: u64, la: u8, b: u64, lb: u8, bcd: impl FnOnce() -> (u64, u64)) -> u8 {
    if la == 0 || lb == 0 {
        return 0;
    }
    match (la, lb) {
        (16, 16) => {
            if a == b {
                return 1;
            }
            let (da, db) = bcd();
            let diff = differing_nibbles(da, db);
            // Digit i (0 = first) is nibble 15 - i.
            let digit = |v: u64, i: u32| (v >> (4 * (15 - i))) & 0xf;
            match diff.count_ones() {
                2 => {
                    let i = 15 - (63 - diff.leading_zeros()) / 4;
                    let j = 15 - diff.trailing_zeros() / 4;
                    if j == i + 1 && digit(da, i) == digit(db, j) && digit(da, j) == digit(db, i) {
                        2
                    } else {
                        4
                    }
                }
                1 => {
                    let i = 15 - diff.trailing_zeros() / 4;
                    if i == 15 && (digit(da, 15) == 0 || digit(db, 15) == 0) {
                        3
                    } else {
                        4
                    }
                }
                _ => 4,
            }
        }
        (15, 16) if b / 10 == a => 3,
        (16, 15) if a / 10 == b => 3,
        (15, 15) if a == b => 3,
        _ => 4,
    }
}

/// NIK levels (`jenis = "nik"`): the NIK's parts (region 1–6, date 7–12 with +40 for women,
/// serial 13–16) compared separately, so a difference in the date part is not taken for a
/// typo of one person's number.
pub(crate) mod nik_levels {
    pub const EXACT: u8 = 1;
    /// Two adjacent digits swapped, outside the date part.
    pub const TRANSPOSED: u8 = 2;
    /// The first 15 digits equal where Excel explains the 16th (dropped or zeroed).
    pub const EXCEL: u8 = 3;
    /// One digit of the region part different.
    pub const REGION_DIGIT: u8 = 4;
    /// Region and date equal, serial different: a twin, or another person born that day.
    pub const SERIAL: u8 = 5;
    /// Only the date part differs, by one digit or two adjacent digits swapped.
    pub const DATE_TYPO: u8 = 6;
    pub const DIFFERENT: u8 = 7;
}

/// The NIK level of two values (see [`nik_levels`]); 0 when either is missing.
pub(crate) fn nik_level(a: u64, la: u8, b: u64, lb: u8) -> u8 {
    nik_level_with(a, la, b, lb, || (bcd16(a), bcd16(b)))
}

#[inline]
fn nik_level_with(a: u64, la: u8, b: u64, lb: u8, bcd: impl FnOnce() -> (u64, u64)) -> u8 {
    use nik_levels::*;
    if la == 0 || lb == 0 {
        return 0;
    }
    match (la, lb) {
        (16, 16) => {
            if a == b {
                return EXACT;
            }
            let (da, db) = bcd();
            let diff = differing_nibbles(da, db);
            // Digit i (0 = first) is nibble 15 - i; digits 6..12 are the date part.
            let digit = |v: u64, i: u32| (v >> (4 * (15 - i))) & 0xf;
            let first = 15 - (63 - diff.leading_zeros()) / 4;
            let last = 15 - diff.trailing_zeros() / 4;
            let in_date = |i: u32| (6..12).contains(&i);
            match diff.count_ones() {
                1 if last == 15 && (digit(da, 15) == 0 || digit(db, 15) == 0) => EXCEL,
                1 if first < 6 => REGION_DIGIT,
                1 if in_date(first) => DATE_TYPO,
                1 => SERIAL,
                2 if last == first + 1
                    && digit(da, first) == digit(db, last)
                    && digit(da, last) == digit(db, first) =>
                {
                    if in_date(first) || in_date(last) {
                        DATE_TYPO
                    } else {
                        TRANSPOSED
                    }
                }
                _ if first >= 12 => SERIAL,
                _ => DIFFERENT,
            }
        }
        (15, 16) if b / 10 == a => EXCEL,
        (16, 15) if a / 10 == b => EXCEL,
        (15, 15) if a == b => EXCEL,
        _ => DIFFERENT,
    }
}

/// Lists write the family's No. KK where the person's NIK belongs; such a NIK says nothing
/// about the person (and would keep the family's members apart in clusters), so it is made
/// missing. Returns how many records had it.
pub(crate) fn clear_kk_in_nik_field(columns: &mut [Prepared]) -> u64 {
    let nik = columns
        .iter()
        .position(|c| c.spec.kind == Kind::Nik && c.spec.person_key);
    let kk = columns.iter().position(|c| c.spec.kind == Kind::Kk);
    let (Some(nik), Some(kk)) = (nik, kk) else {
        return 0;
    };
    let kk_cells = std::mem::take(&mut columns[kk].cells);
    let column = &mut columns[nik];
    let mut cleared = 0;
    for (r, kk_cell) in kk_cells.iter().enumerate() {
        let (value, len, _) = digits_parts(column.cells[r]);
        let (kk_value, kk_len, _) = digits_parts(*kk_cell);
        if len == 16 && kk_len == 16 && value == kk_value {
            column.cells[r] = 0;
            column.bcd[r] = 0;
            cleared += 1;
        }
    }
    columns[kk].cells = kk_cells;
    cleared
}

/// Set in a record's NIK cell (in [`Rows`] only) when the NIK's date part is the record's
/// own birth date.
const NIK_DATE_AGREES: u64 = 1 << 61;
/// Set when the NIK's +40 rule gives the record's own sex.
const NIK_SEX_AGREES: u64 = 1 << 62;
/// In a NIK cell: the record has a full birth date that the NIK's date part is not, even
/// allowing for a typo (a family member's NIK written in the field).
const NIK_OF_ANOTHER: u64 = 1 << 55;

/// The NIK, birth-date and sex columns, compared jointly so that one fact votes once: the
/// NIK's date part and sex are the birth date and sex again.
#[derive(Clone, Copy)]
pub(crate) struct Joint {
    nik: usize,
    date: Option<usize>,
    sex: Option<usize>,
}

impl Joint {
    /// The joint columns of a settings file: its `nik` person key, the first `tanggal` and
    /// `jenis_kelamin` columns.
    fn of(columns: &[Prepared]) -> Option<Joint> {
        let nik = columns
            .iter()
            .position(|c| c.spec.kind == Kind::Nik && c.spec.person_key)?;
        let date = columns.iter().position(|c| c.spec.kind == Kind::Tanggal);
        let sex = columns
            .iter()
            .position(|c| c.spec.kind == Kind::JenisKelamin);
        (date.is_some() || sex.is_some()).then_some(Joint { nik, date, sex })
    }

    /// The NIK cell's agreement bits for one record's birth date and sex cells.
    fn agreement(nik_cell: u64, date_cell: Option<u64>, sex_cell: Option<u64>) -> u64 {
        let (value, len, _) = digits_parts(nik_cell);
        if len != 16 {
            return 0;
        }
        // Digits 7–12 of 16: DDMMYY.
        let day_field = value / 100_000_000 % 100;
        let month = value / 1_000_000 % 100;
        let year2 = value / 10_000 % 100;
        let (day, female) = if day_field > 40 {
            (day_field - 40, true)
        } else {
            (day_field, false)
        };
        let mut bits = 0;
        if let Some(d) = date_cell.filter(|d| full_date(*d)) {
            let own = (d % 100, d / 100 % 100, d / 10000 % 100);
            if own == (day, month, year2) {
                bits |= NIK_DATE_AGREES;
            } else {
                // DDMMYY of the NIK and of the record's own date: a swapped day and month,
                // one digit or two adjacent digits apart is a typo of one of them; anything
                // else is another person's NIK (the head of the family's, a child's).
                let written = day * 10_000 + month * 100 + year2;
                let own_ddmmyy = own.0 * 10_000 + own.1 * 100 + own.2;
                let swapped = (own.1, own.0, own.2) == (day, month, year2);
                let near = differing_digits(written, own_ddmmyy, 6) == 1
                    || adjacent_swap(written, own_ddmmyy, 6);
                if !swapped && !near {
                    bits |= NIK_OF_ANOTHER;
                }
            }
        }
        // Sex cells: 1 male, 2 female.
        if let Some(s) = sex_cell.filter(|s| *s != 0)
            && (s == 2) == female
        {
            bits |= NIK_SEX_AGREES;
        }
        bits
    }

    /// Rewrites the levels of `g` so that the NIK's date and sex are counted once.
    #[inline]
    fn adjust(&self, mut g: u64, na: u64, nb: u64) -> u64 {
        use nik_levels::*;
        let level = |g: u64, k: usize| ((g >> (4 * k)) & 0xf) as u8;
        let set = |g: u64, k: usize, l: u8| (g & !(0xf << (4 * k))) | (u64::from(l) << (4 * k));
        let both = |bit: u64| na & nb & bit != 0;
        let nik = level(g, self.nik);
        let same_date_part = (EXACT..=SERIAL).contains(&nik);
        if (EXACT..=DATE_TYPO).contains(&nik) && (na | nb) & NIK_OF_ANOTHER != 0 {
            // One record's NIK is not its own (its date part is not the record's birth
            // date, nor a typo of it): agreeing on it says nothing about this person.
            g = set(g, self.nik, 0);
        } else if nik == DATE_TYPO && both(NIK_DATE_AGREES) {
            // Each NIK carries its own record's birth date: two people born on different
            // days (siblings 2018-10-21 and 2018-01-21), not one NIK mistyped. The birth
            // dates' difference is that same fact.
            g = set(g, self.nik, DIFFERENT);
            if let Some(d) = self.date {
                g = set(g, d, 0);
            }
        } else if same_date_part {
            // Equal date parts: birth dates and sexes that agree with them say nothing more.
            if let Some(d) = self.date
                && both(NIK_DATE_AGREES)
            {
                g = set(g, d, 0);
            }
            if let Some(s) = self.sex
                && both(NIK_SEX_AGREES)
            {
                g = set(g, s, 0);
            }
        }
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    fn prepared(column: &str, values: &[&str]) -> Prepared {
        let s = Settings::person_preset();
        let spec = s.comparisons.iter().find(|c| c.column == column).unwrap();
        let c: TextColumn = values.iter().copied().collect();
        Prepared::new(spec, &[&c])
    }

    #[test]
    fn jaro_winkler_agrees_with_strsim() {
        let pairs = [
            ("muhammad rizki", "muhammad riski"),
            ("siti aminah", "aminah siti"),
            ("martha", "marhta"),
            ("dixon", "dicksonx"),
            ("a", "b"),
            ("", ""),
            ("", "abc"),
            ("baiq nur aini", "nur aini"),
            ("zulkarnain", "sulkarnaen"),
            ("josé", "jose"),
        ];
        for (a, b) in pairs {
            let (ours, theirs) = (jaro_winkler(a, b), strsim::jaro_winkler(a, b));
            assert!((ours - theirs).abs() < 1e-12, "{a}/{b}: {ours} vs {theirs}");
        }
    }

    #[test]
    fn bit_parallel_jaro_winkler_and_its_bound_hold_on_many_strings() {
        // Deterministic pseudo-random names over a small alphabet (many shared letters),
        // lengths 0..=64: the bit-parallel score equals strsim's, and the letter bound is
        // never below it (it may only skip scores that cannot reach a threshold).
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"aiueoskmnr .";
        let word = |next: &mut dyn FnMut() -> u64| {
            let len = (next() % 65) as usize;
            (0..len)
                .map(|_| char::from(alphabet[(next() % alphabet.len() as u64) as usize]))
                .collect::<String>()
        };
        for _ in 0..20_000 {
            let (a, b) = (word(&mut next), word(&mut next));
            let (ours, theirs) = (jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b));
            assert!(
                (ours - theirs).abs() < 1e-12,
                "{a:?}/{b:?}: {ours} vs {theirs}"
            );
            let (la, lb) = (Letters::of(&a).unwrap(), Letters::of(&b).unwrap());
            let bound = jaro_winkler_bound(la.shared(&lb), a.len(), b.len());
            assert!(bound + 1e-9 >= ours, "{a:?}/{b:?}: bound {bound} < {ours}");
        }
    }

    /// The digit-by-digit definition `digits_level` must keep.
    fn digits_level_reference(a: u64, la: u8, b: u64, lb: u8) -> u8 {
        let digits = |v: u64| {
            let mut d = [0u8; 16];
            let mut v = v;
            for x in d.iter_mut().rev() {
                *x = (v % 10) as u8;
                v /= 10;
            }
            d
        };
        if la == 0 || lb == 0 {
            return 0;
        }
        match (la, lb) {
            (16, 16) => {
                if a == b {
                    return 1;
                }
                let (da, db) = (digits(a), digits(b));
                let diff: Vec<usize> = (0..16).filter(|i| da[*i] != db[*i]).collect();
                match diff[..] {
                    [i, j] if j == i + 1 && da[i] == db[j] && da[j] == db[i] => 2,
                    [15] if da[15] == 0 || db[15] == 0 => 3,
                    _ => 4,
                }
            }
            (15, 16) if b / 10 == a => 3,
            (16, 15) if a / 10 == b => 3,
            (15, 15) if a == b => 3,
            _ => 4,
        }
    }

    #[test]
    fn digit_levels_match_the_digit_by_digit_definition() {
        let base = 5203014506890001u64;
        let mut cases = vec![base, 5203014506890010, 5203014506890000, 5203014506890002];
        // Every single-digit change and every adjacent swap of the base, plus random ones.
        let d: Vec<u64> = base
            .to_string()
            .bytes()
            .map(|b| u64::from(b - b'0'))
            .collect();
        let num = |d: &[u64]| d.iter().fold(0u64, |v, x| v * 10 + x);
        for i in 0..16 {
            let mut e = d.clone();
            e[i] = (e[i] + 3) % 10;
            cases.push(num(&e));
            if i < 15 {
                let mut e = d.clone();
                e.swap(i, i + 1);
                cases.push(num(&e));
            }
        }
        let mut state = 12345u64;
        for _ in 0..200 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            cases.push(1_000_000_000_000_000 + state % 9_000_000_000_000_000);
        }
        for a in &cases {
            for b in &cases {
                assert_eq!(
                    digits_level(*a, 16, *b, 16),
                    digits_level_reference(*a, 16, *b, 16),
                    "{a} {b}"
                );
            }
        }
        for (x, y) in [
            (20010203u64, 20010213u64),
            (19850312, 19851203),
            (19850312, 19850312),
        ] {
            let by_digit = x
                .to_string()
                .bytes()
                .zip(y.to_string().bytes())
                .filter(|(p, q)| p != q)
                .count();
            assert_eq!(differing_digits(x, y, 8), by_digit);
        }
    }

    #[test]
    fn nik_levels() {
        let p = prepared(
            "nik",
            &[
                "5203014506890001",
                "5203014506890001",
                "5203014506890010", // last two digits swapped
                "520301450689000",  // Excel dropped the last digit
                "5203014506890000", // Excel zeroed the last digit
                "5203014506890002", // the next serial: someone else
                "3174011203950002", // someone else
                "",
                "5,20301E+15",
                "5203014506890000.0", // exported as a float after Excel zeroed the last digit
            ],
        );
        assert_eq!(p.level(0, 1), 1);
        assert_eq!(p.level(0, 2), 2);
        assert_eq!(p.level(0, 3), 3);
        assert_eq!(p.level(3, 0), 3);
        assert_eq!(p.level(0, 4), 3);
        assert_eq!(p.level(0, 5), nik_levels::SERIAL);
        assert_eq!(p.level(0, 6), nik_levels::DIFFERENT);
        assert_eq!(p.level(0, 7), 0);
        assert_eq!(p.level(0, 8), 0);
        assert_eq!(p.level(0, 9), 3);
        assert_eq!(p.unreadable, 1);
        assert!(p.person_key(0).is_some() && p.person_key(3).is_none());
    }

    #[test]
    fn nik_parts_are_compared_separately() {
        use nik_levels::*;
        let base = 5203012110180001;
        assert_eq!(nik_level(base, 16, 5203102110180001, 16), TRANSPOSED);
        assert_eq!(nik_level(base, 16, 5203072110180001, 16), REGION_DIGIT);
        // 21-10-18 and 21-01-18: the date part's month digits swapped.
        assert_eq!(nik_level(base, 16, 5203012101180001, 16), DATE_TYPO);
        assert_eq!(nik_level(base, 16, 5203012110190001, 16), DATE_TYPO);
        assert_eq!(nik_level(base, 16, 5203012110180011, 16), SERIAL);
        assert_eq!(nik_level(base, 16, 5203012110181100, 16), SERIAL);
        assert_eq!(nik_level(base, 16, 5203012210190001, 16), DIFFERENT);
        // A typo outside the date part may be one person's; the date part never.
        let s = Settings::person_preset();
        let spec = s.comparisons.iter().find(|c| c.kind == Kind::Nik).unwrap();
        let c: TextColumn = ["5203012110180001"].into_iter().collect();
        let p = Prepared::new(spec, &[&c]);
        assert!(p.keys_compatible(base, 5203102110180001, false));
        assert!(p.keys_compatible(base, 5203072110180001, false));
        assert!(!p.keys_compatible(base, 5203012101180001, false));
        assert!(!p.keys_compatible(base, 5203012110180002, false));
        assert!(!p.keys_compatible(base, 5203102110180001, true));
    }

    #[test]
    fn a_no_kk_in_the_nik_field_is_missing() {
        let s = Settings::person_preset();
        let spec = |kind: Kind| s.comparisons.iter().find(|c| c.kind == kind).unwrap();
        let niks: TextColumn = ["5203010101100001", "5203012110180001"]
            .into_iter()
            .collect();
        let kks: TextColumn = ["5203010101100001", "5203010101100001"]
            .into_iter()
            .collect();
        let mut columns = vec![
            Prepared::new(spec(Kind::Nik), &[&niks]),
            Prepared::new(spec(Kind::Kk), &[&kks]),
        ];
        assert_eq!(clear_kk_in_nik_field(&mut columns), 1);
        assert_eq!(columns[0].level(0, 1), 0);
        assert_eq!(columns[0].person_key(0), None);
        assert_eq!(columns[1].level(0, 1), 1);
    }

    /// Two siblings of one family, born 2018-10-21 and 2018-01-21: their NIKs differ only in
    /// the date part's swapped month digits, and their birth dates in the same digits. That
    /// is one fact, and it says "two people".
    #[test]
    fn nik_date_and_birth_date_vote_once() {
        let s = Settings::person_preset();
        let spec = |kind: Kind| s.comparisons.iter().find(|c| c.kind == kind).unwrap();
        let column = |v: &[&str]| -> TextColumn { v.iter().copied().collect() };
        let niks = column(&[
            "5203012110180001",
            "5203012101180001",
            "5203012110180001",
            "5203016110180001",
            "5203012101180001",
        ]);
        let dates = column(&["2018-10-21", "2018-01-21", "2018-10-21", "2018-10-21", ""]);
        let sexes = column(&["L", "L", "L", "P", "L"]);
        let columns = vec![
            Prepared::new(spec(Kind::Nik), &[&niks]),
            Prepared::new(spec(Kind::Tanggal), &[&dates]),
            Prepared::new(spec(Kind::JenisKelamin), &[&sexes]),
        ];
        let rows = Rows::new(&columns, 5, None);
        let levels = |a, b| {
            let g = rows.counted_once(gamma(&columns, &rows, a, b), a, b);
            [g & 0xf, g >> 4 & 0xf, g >> 8 & 0xf].map(|l| l as u8)
        };
        // Siblings: NIK "different", the birth dates' swap not counted again.
        assert_eq!(levels(0, 1), [nik_levels::DIFFERENT, 0, 1]);
        // The same NIK: birth date and sex agreeing with it add nothing.
        assert_eq!(levels(0, 2), [nik_levels::EXACT, 0, 0]);
        // Without a birth date the date-part difference may still be a typo.
        assert_eq!(levels(0, 4), [nik_levels::DATE_TYPO, 0, 1]);
        // Without birth date and sex columns the NIK's level is its own.
        let alone = Rows::new(&columns[..1], 5, None);
        assert_eq!(
            gamma(&columns[..1], &alone, 0, 1),
            u64::from(nik_levels::DATE_TYPO)
        );
        // A woman's date part (+40) differs from a man's; the sex level stays counted.
        assert_eq!(levels(0, 3)[2], 2);
    }

    #[test]
    fn a_nik_not_the_records_own_and_a_shared_card_vote_once() {
        let s = Settings::person_preset();
        let spec = |kind: Kind| s.comparisons.iter().find(|c| c.kind == kind).unwrap();
        let column = |v: &[&str]| -> TextColumn { v.iter().copied().collect() };
        // 0: the father; 1: his child with the father's NIK; 2: the father again, his NIK's
        // date part mistyped (two digits swapped); 3: the child with the card and desa.
        let niks = column(&[
            "5203011506730001",
            "5203011506730001",
            "5203015106730001",
            "",
        ]);
        let dates = column(&["1973-06-15", "2010-11-12", "1973-06-15", "2010-11-12"]);
        let kks = column(&["5203011505210001"; 4]);
        let desa = column(&["5203012010"; 4]);
        let columns = vec![
            Prepared::new(spec(Kind::Nik), &[&niks]),
            Prepared::new(spec(Kind::Tanggal), &[&dates]),
            Prepared::new(spec(Kind::Kk), &[&kks]),
            Prepared::new(&s.comparisons[5], &[&desa]),
        ];
        let rows = Rows::new(&columns, 4, Some(3));
        let levels = |a, b| {
            let g = rows.counted_once(gamma(&columns, &rows, a, b), a, b);
            [0, 1, 2, 3].map(|k| (g >> (4 * k) & 0xf) as u8)
        };
        // The child's NIK is the father's: it says nothing; the card is counted, the desa
        // not again.
        let father_child = levels(0, 1);
        assert_eq!(father_child[0], 0);
        assert_eq!(father_child[2], 1);
        assert_eq!(father_child[3], 0);
        assert!(father_child[1] > 1, "different birth dates");
        // A typo of one's own NIK still counts (a near level, not left out).
        assert_eq!(levels(0, 2)[0], nik_levels::DATE_TYPO);
        // Without a card column the desa counts.
        let no_card = Rows::new(&columns, 4, None);
        let g = no_card.counted_once(gamma(&columns, &no_card, 1, 3), 1, 3);
        assert_eq!(g >> 12 & 0xf, 1);
    }

    #[test]
    fn usual_cells_read_as_the_general_path_reads_them() {
        // A leading space sends a cell down the general path.
        for date in [
            "1985-03-12",
            "1985-25-03",
            "0985-03-12",
            "1985-00-12",
            "1985-00-00",
            "1985-3-12",
            "19a5-03-12",
            "3085-03-12",
        ] {
            assert_eq!(parse_date(date), parse_date(&format!(" {date}")), "{date}");
        }
        assert_eq!(parse_date("1985-25-03"), Some(19852503));
        assert_eq!(parse_date("1985-00-12"), None);
        for digits in [
            "5203025205900001",
            "520302520590000",
            "52030252059000012",
            "5203x25205900001",
        ] {
            assert_eq!(
                parse_digits(digits),
                parse_digits(&format!(" {digits}")),
                "{digits}"
            );
        }
        assert_eq!(parse_digits("520302520590000"), Some((520302520590000, 15)));
    }

    #[test]
    fn date_levels() {
        let p = prepared(
            "tanggal_lahir",
            &[
                "1985-03-12",
                "12/03/1985",
                "1985-12-03",
                "1985-03-13",
                "1985",
                "1986-07-01",
                "kemarin",
                "1985-07-30",
                "1985-06-30",
            ],
        );
        assert_eq!(p.level(0, 1), 1, "DD/MM/YYYY reads the same date");
        assert_eq!(p.level(0, 2), 2, "day and month swapped");
        assert_eq!(p.level(0, 3), 3, "one digit off");
        assert_eq!(p.level(0, 4), 5, "a year alone agrees on the year");
        assert_eq!(p.level(0, 5), 7, "different");
        assert_eq!(p.level(0, 6), 0);
        assert_eq!(p.level(4, 5), 6, "a year alone one year from the other");
        assert_eq!(p.level(4, 4), 5, "two years alone");
        assert_eq!(p.level(0, 7), 4, "two full dates in one year");
        assert_eq!(
            p.level(8, 5),
            7,
            "a full date one year off is a different date"
        );
        assert_eq!(p.unreadable, 1);
    }

    #[test]
    fn an_age_span_meets_the_birth_dates_it_allows() {
        // 45 on 2025-09-30 (mapping's `umur`): born 1979-10-01 … 1980-09-30.
        let p = prepared(
            "tanggal_lahir",
            &[
                "1979-10-01/1980-09-30",
                "1979-10-24",
                "1980-09-30",
                "1979-09-30",
                "1980",
                "1978",
                "1977-10-24",
                "1980-10-01/1979-09-30",
                "1979-10-01/1980-09-30",
                "1976-10-01/1977-09-30",
            ],
        );
        assert_eq!(p.unreadable, 1, "a span that ends before it starts");
        assert_eq!(p.level(0, 1), 5, "late in the year before: inside the span");
        assert_eq!(p.level(0, 2), 5, "its last day");
        assert_eq!(p.level(0, 3), 6, "a day before it: an age a year off");
        assert_eq!(p.level(0, 4), 5, "a year alone that meets the span");
        assert_eq!(p.level(0, 5), 6, "a year alone one year before the span");
        assert_eq!(p.level(0, 6), 7, "more than a year before: different");
        assert_eq!(p.level(0, 8), 5, "the same age");
        assert_eq!(p.level(0, 9), 7, "three years apart");
        let (mut a, mut b) = (Vec::new(), Vec::new());
        p.keys(KeyFn::Year, 0, &mut a);
        p.keys(KeyFn::Year, 1, &mut b);
        assert_eq!(a, vec![1978, 1979, 1980, 1981]);
        assert!(b.iter().all(|y| a.contains(y)));
        a.clear();
        p.keys(KeyFn::DateSwapTolerant, 0, &mut a);
        assert!(a.is_empty(), "a span is no day and month");
    }

    #[test]
    fn name_levels() {
        let p = prepared(
            "nama",
            &[
                "Muhammad Rizki",
                "H. Moh. Rizki",
                "Rizki Muhammad",
                "Muhammad Riski",
                "Baiq Siti Aminah",
                "Siti Aminah",
                "Wayan Sudirta",
                "",
            ],
        );
        assert_eq!(p.level(0, 1), 1, "title and variant");
        assert_eq!(p.level(0, 2), 2, "swapped order");
        assert_eq!(p.level(0, 3), 3, "one letter typo");
        assert_eq!(p.level(4, 5), 4, "prefix missing");
        assert_eq!(p.level(0, 6), 6);
        assert_eq!(p.level(0, 7), 0);
        let f = p.exact_frequency(0).unwrap();
        assert!((f - 2.0 / 7.0).abs() < 1e-9, "{f}");
    }

    #[test]
    fn sex_desa_and_kk_levels() {
        let sex = prepared("jenis_kelamin", &["L", "Laki-laki", "P", "?"]);
        assert_eq!(
            (sex.level(0, 1), sex.level(0, 2), sex.level(0, 3)),
            (1, 2, 0)
        );
        let desa = prepared(
            "kode_desa",
            &["52.03.01.2001", "5203012001", "5203012002", "5204012001"],
        );
        assert_eq!(
            (desa.level(0, 1), desa.level(0, 2), desa.level(0, 3)),
            (1, 2, 3)
        );
    }

    #[test]
    fn blocking_keys_tolerate_errors() {
        let p = prepared("tanggal_lahir", &["1985-03-12", "1985-12-03"]);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        p.keys(KeyFn::DateSwapTolerant, 0, &mut a);
        p.keys(KeyFn::DateSwapTolerant, 1, &mut b);
        assert_eq!(a, b);
        let n = prepared("nik", &["5203014506890001", "520301450689000"]);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        n.keys(KeyFn::Prefix(15), 0, &mut a);
        n.keys(KeyFn::Prefix(15), 1, &mut b);
        assert_eq!(a, b);
        let names = prepared("nama", &["Siti Aminah", "Aminah Sitti"]);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        names.keys(KeyFn::NameToken, 0, &mut a);
        names.keys(KeyFn::NameToken, 1, &mut b);
        assert_eq!(a.len(), 2);
        assert!(a.iter().all(|k| b.contains(k)));
    }
}
