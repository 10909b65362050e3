//! Columns prepared once for comparison: names normalised, NIKs reduced to digits, dates
//! split into parts, values interned. Comparing a pair then only reads these arrays.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use sinergi_core::{Nik, NoKk, Sex, TextColumn};

use crate::names;
use crate::settings::{ComparisonSpec, KeyFn, Kind};

/// Keys and interned values are hashed often and never exposed: FxHash, not SipHash.
pub(crate) fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    v.hash(&mut h);
    h.finish()
}

/// Values as ids (0 = missing) with how often each occurs, for exact agreement and
/// term-frequency adjustment.
#[derive(Debug, Default)]
pub(crate) struct Interned {
    pub ids: Vec<u32>,
    pub counts: Vec<u32>,
    pub present: u64,
}

impl Interned {
    fn build<'a>(values: impl Iterator<Item = &'a str>) -> Interned {
        let mut index: rustc_hash::FxHashMap<u64, u32> = Default::default();
        let mut counts = vec![0u32];
        let mut ids = Vec::new();
        let mut present = 0;
        for v in values {
            if v.is_empty() {
                ids.push(0);
                continue;
            }
            present += 1;
            let next = counts.len() as u32;
            let id = *index.entry(hash_of(v)).or_insert(next);
            if id == next {
                counts.push(0);
            }
            counts[id as usize] += 1;
            ids.push(id);
        }
        Interned {
            ids,
            counts,
            present,
        }
    }

    /// Share of records holding this value: the chance a random record agrees with it.
    pub fn frequency(&self, id: u32) -> f64 {
        f64::from(self.counts[id as usize]) / self.present.max(1) as f64
    }
}

pub(crate) enum Feature {
    Text {
        folded: TextColumn,
        values: Interned,
    },
    Name {
        canonical: TextColumn,
        sorted: TextColumn,
        values: Interned,
        sorted_ids: Vec<u32>,
        already_sorted: Vec<bool>,
    },
    Digits {
        value: Vec<u64>,
        /// 0 = missing, 15 = Excel-truncated, 16 = whole.
        len: Vec<u8>,
        valid: Vec<bool>,
    },
    /// y·10000 + m·100 + d as written (a swapped 1985-25-03 is kept); m = d = 0 for a year
    /// alone; 0 = missing.
    Date {
        packed: Vec<u32>,
    },
    Number {
        value: Vec<f64>,
    },
    Sex {
        code: Vec<u8>,
    },
}

/// One compared column, prepared.
pub(crate) struct Prepared {
    pub spec: ComparisonSpec,
    pub feature: Feature,
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
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn text_column(values: &[String]) -> TextColumn {
    let bytes = values.iter().map(String::len).sum();
    let mut c = TextColumn::with_capacity(values.len(), bytes);
    for v in values {
        // Prepared values are shorter than the file that held them (< 4 GiB).
        let _ = c.push(v);
    }
    c
}

/// Digits of a NIK or No. KK: 16, or 15 when Excel dropped the last one.
fn parse_digits(raw: &str) -> Option<(u64, u8)> {
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
    let t = raw.trim();
    let t = t.split([' ', 'T']).next().unwrap_or_default();
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = match parts.as_slice() {
        [y] if y.len() == 4 => (num(y)?, 0, 0),
        [s] if s.len() == 8 => (num(&s[..4])?, num(&s[4..6])?, num(&s[6..])?),
        [a, b, c] if a.len() == 4 => (num(a)?, num(b)?, num(c)?),
        [a, b, c] if c.len() == 4 => (num(c)?, num(b)?, num(a)?),
        _ => return None,
    };
    ((1000..=2999).contains(&y) && m <= 99 && d <= 99 && (m == 0) == (d == 0))
        .then_some(y * 10000 + m * 100 + d)
}

fn parse_number(raw: &str) -> Option<f64> {
    let t = raw.trim().replace(',', ".");
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

impl Prepared {
    /// Prepares `column` (all records of all files, in order) for `spec`.
    pub fn new(spec: &ComparisonSpec, raw: &[&TextColumn]) -> Prepared {
        let nulls = &spec.null_values;
        let rows: Vec<&str> = raw.iter().flat_map(|c| c.iter()).collect();
        let mut unreadable = 0u64;
        let feature = match spec.kind {
            Kind::Persis | Kind::Teks => {
                let folded: Vec<String> = rows
                    .par_iter()
                    .map(|r| {
                        if is_null(r, nulls) {
                            String::new()
                        } else if spec.kind == Kind::Persis {
                            compact(r)
                        } else {
                            sinergi_core::fold_text(r)
                        }
                    })
                    .collect();
                let values = Interned::build(folded.iter().map(String::as_str));
                Feature::Text {
                    folded: text_column(&folded),
                    values,
                }
            }
            Kind::Nama => {
                let canonical: Vec<String> = rows
                    .par_iter()
                    .map(|r| {
                        if is_null(r, nulls) {
                            String::new()
                        } else {
                            names::normalize_name(r)
                        }
                    })
                    .collect();
                let sorted: Vec<String> = canonical
                    .par_iter()
                    .map(|c| names::sorted_name(c))
                    .collect();
                let values = Interned::build(canonical.iter().map(String::as_str));
                let sorted_ids = Interned::build(sorted.iter().map(String::as_str)).ids;
                let already_sorted = canonical.iter().zip(&sorted).map(|(c, s)| c == s).collect();
                Feature::Name {
                    already_sorted,
                    canonical: text_column(&canonical),
                    sorted: text_column(&sorted),
                    values,
                    sorted_ids,
                }
            }
            Kind::Nik | Kind::Kk => {
                let parsed: Vec<(u64, u8, bool, bool)> = rows
                    .par_iter()
                    .map(|r| {
                        if is_null(r, nulls) {
                            return (0, 0, false, false);
                        }
                        match parse_digits(r) {
                            None => (0, 0, false, true),
                            Some((v, l)) => {
                                let valid = l == 16
                                    && if spec.kind == Kind::Nik {
                                        Nik::parse(*r, None).is_ok()
                                    } else {
                                        NoKk::parse(*r, None).is_ok()
                                    };
                                (v, l, valid, false)
                            }
                        }
                    })
                    .collect();
                unreadable = parsed.iter().filter(|p| p.3).count() as u64;
                Feature::Digits {
                    value: parsed.iter().map(|p| p.0).collect(),
                    len: parsed.iter().map(|p| p.1).collect(),
                    valid: parsed.iter().map(|p| p.2).collect(),
                }
            }
            Kind::Tanggal => {
                let packed: Vec<u32> = rows
                    .par_iter()
                    .map(|r| {
                        if is_null(r, nulls) {
                            0
                        } else {
                            parse_date(r).unwrap_or(u32::MAX)
                        }
                    })
                    .collect();
                unreadable = packed.iter().filter(|p| **p == u32::MAX).count() as u64;
                Feature::Date {
                    packed: packed
                        .into_iter()
                        .map(|p| if p == u32::MAX { 0 } else { p })
                        .collect(),
                }
            }
            Kind::Angka => {
                let value: Vec<f64> = rows
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
                    })
                    .collect();
                Feature::Number { value }
            }
            Kind::JenisKelamin => {
                let code = rows
                    .iter()
                    .map(|r| {
                        if is_null(r, nulls) {
                            return 0;
                        }
                        match Sex::parse(r) {
                            Some(Sex::Male) => 1,
                            Some(Sex::Female) => 2,
                            None => {
                                unreadable += 1;
                                0
                            }
                        }
                    })
                    .collect();
                Feature::Sex { code }
            }
        };
        Prepared {
            jw: spec.jw_thresholds(),
            lev: spec.lev_thresholds(),
            spec: spec.clone(),
            feature,
            unreadable,
        }
    }

    /// The comparison level of records `a` and `b`: 0 missing, 1 exact, … last = different.
    pub fn level(&self, a: usize, b: usize) -> u8 {
        match &self.feature {
            Feature::Text { folded, values } => {
                let (ia, ib) = (values.ids[a], values.ids[b]);
                if ia == 0 || ib == 0 {
                    return 0;
                }
                if ia == ib {
                    return 1;
                }
                let (sa, sb) = (folded.get(a), folded.get(b));
                let mut level = 2u8;
                if self.spec.kind == Kind::Teks {
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
                for p in &self.spec.prefixes {
                    if sa.len() >= *p
                        && sb.len() >= *p
                        && sa.as_bytes()[..*p] == sb.as_bytes()[..*p]
                    {
                        return level;
                    }
                    level += 1;
                }
                level
            }
            Feature::Name {
                canonical,
                sorted,
                values,
                sorted_ids,
                already_sorted,
            } => {
                let (ia, ib) = (values.ids[a], values.ids[b]);
                if ia == 0 || ib == 0 {
                    return 0;
                }
                if ia == ib {
                    return 1;
                }
                if sorted_ids[a] == sorted_ids[b] {
                    return 2;
                }
                let (ca, cb) = (canonical.get(a), canonical.get(b));
                let mut s = jaro_winkler(ca, cb);
                // The order-insensitive score only differs when a name is not already sorted.
                let best = self.jw.first().copied().unwrap_or(1.0);
                if s < best && !(already_sorted[a] && already_sorted[b]) {
                    s = s.max(jaro_winkler(sorted.get(a), sorted.get(b)));
                }
                let mut level = 3u8;
                let contained = || names::tokens_contained(ca, cb);
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
            Feature::Digits { value, len, .. } => digits_level(value[a], len[a], value[b], len[b]),
            Feature::Date { packed } => {
                let (da, db) = (packed[a], packed[b]);
                if da == 0 || db == 0 {
                    return 0;
                }
                let full = da % 10000 != 0 && db % 10000 != 0;
                if full && da == db {
                    return 1;
                }
                let mut level = 2u8;
                if self.spec.day_month_swap {
                    let (ya, ma, dda) = (da / 10000, da / 100 % 100, da % 100);
                    let (yb, mb, ddb) = (db / 10000, db / 100 % 100, db % 100);
                    if full && ya == yb && ma == ddb && dda == mb {
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
                if self.spec.same_year {
                    if da / 10000 == db / 10000 {
                        return level;
                    }
                    level += 1;
                } else if !full {
                    return 0;
                }
                level
            }
            Feature::Number { value } => {
                let (va, vb) = (value[a], value[b]);
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
            Feature::Sex { code } => {
                if code[a] == 0 || code[b] == 0 {
                    0
                } else if code[a] == code[b] {
                    1
                } else {
                    2
                }
            }
        }
    }

    /// The value frequency behind an exact agreement of record `a`, when adjusted.
    pub fn exact_frequency(&self, a: usize) -> Option<f64> {
        if !self.spec.term_frequency {
            return None;
        }
        match &self.feature {
            Feature::Text { values, .. } | Feature::Name { values, .. } => {
                Some(values.frequency(values.ids[a]))
            }
            _ => None,
        }
    }

    /// The valid person key of record `a` (a structurally valid NIK), for cluster constraints.
    pub fn person_key(&self, a: usize) -> Option<u64> {
        match &self.feature {
            Feature::Digits { value, valid, .. } => valid[a].then_some(value[a]),
            Feature::Text { values, .. } => {
                (values.ids[a] != 0).then_some(u64::from(values.ids[a]))
            }
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
            // Exact, transposition or Excel's lost last digit: possibly one person's NIK.
            Feature::Digits { .. } => digits_level(a, 16, b, 16) <= 3,
            _ => false,
        }
    }

    /// Blocking keys of record `r` for one key part (several for name tokens).
    pub fn keys(&self, f: KeyFn, r: usize, out: &mut Vec<u64>) {
        match (&self.feature, f) {
            (Feature::Text { values, .. }, KeyFn::Value)
            | (Feature::Name { values, .. }, KeyFn::Value)
                if values.ids[r] != 0 =>
            {
                out.push(u64::from(values.ids[r]));
            }
            (Feature::Text { folded: t, .. }, KeyFn::Prefix(n))
            | (Feature::Name { canonical: t, .. }, KeyFn::Prefix(n)) => {
                let s = t.get(r);
                if !s.is_empty() {
                    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
                    out.push(hash_of(&s[..end]));
                }
            }
            (Feature::Name { sorted_ids, .. }, KeyFn::NameSorted) if sorted_ids[r] != 0 => {
                out.push(u64::from(sorted_ids[r]));
            }
            (Feature::Name { canonical, .. }, KeyFn::NameFirst) => {
                if let Some(t) = canonical.get(r).split(' ').find(|t| !t.is_empty()) {
                    out.push(hash_of(t));
                }
            }
            (Feature::Name { canonical, .. }, KeyFn::NameLast) => {
                if let Some(t) = canonical.get(r).split(' ').rfind(|t| !t.is_empty()) {
                    out.push(hash_of(t));
                }
            }
            (Feature::Name { canonical, .. }, KeyFn::NameToken) => {
                let start = out.len();
                // Initials would join everyone sharing a letter; they are not keys.
                for t in canonical.get(r).split(' ').filter(|t| t.len() > 1) {
                    let h = hash_of(t);
                    if !out[start..].contains(&h) {
                        out.push(h);
                    }
                }
            }
            (Feature::Digits { value, len, .. }, KeyFn::Value) if len[r] != 0 => {
                out.push(value[r] * 100 + u64::from(len[r]));
            }
            (Feature::Digits { value, len, .. }, KeyFn::Prefix(n)) => {
                let l = usize::from(len[r]);
                if l >= n {
                    out.push(value[r] / 10u64.pow((l - n) as u32));
                }
            }
            (Feature::Date { packed }, KeyFn::Value) if packed[r] != 0 => {
                out.push(u64::from(packed[r]));
            }
            (Feature::Date { packed }, KeyFn::Year) if packed[r] != 0 => {
                out.push(u64::from(packed[r] / 10000));
            }
            (Feature::Date { packed }, KeyFn::DateSwapTolerant) => {
                let p = packed[r];
                if p != 0 && p % 10000 != 0 {
                    let (m, d) = (p / 100 % 100, p % 100);
                    out.push(u64::from(p / 10000 * 10000 + m.min(d) * 100 + m.max(d)));
                }
            }
            (Feature::Number { value }, KeyFn::Value) if !value[r].is_nan() => {
                out.push(value[r].to_bits());
            }
            (Feature::Sex { code }, KeyFn::Value) if code[r] != 0 => {
                out.push(u64::from(code[r]));
            }
            // Combinations refused when the settings were read.
            _ => {}
        }
    }
}

/// Jaro–Winkler as strsim computes it, for ASCII names up to 64 bytes without allocating or
/// decoding (the comparison stage spends most of its time here); strsim for anything else.
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    const MAX: usize = 64;
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > MAX || y.len() > MAX || !a.is_ascii() || !b.is_ascii() {
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
    let (mut xf, mut yf) = ([false; MAX], [false; MAX]);
    let mut matches = 0usize;
    for (i, c) in x.iter().enumerate() {
        let hi = (i + range + 1).min(y.len());
        for j in i.saturating_sub(range)..hi {
            if !yf[j] && y[j] == *c {
                xf[i] = true;
                yf[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0;
    for (i, c) in x.iter().enumerate() {
        if xf[i] {
            while !yf[k] {
                k += 1;
            }
            if y[k] != *c {
                transpositions += 1;
            }
            k += 1;
        }
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

fn digits_of(v: u64, len: u8) -> [u8; 16] {
    let mut d = [0u8; 16];
    let mut v = v;
    for i in (0..usize::from(len)).rev() {
        d[i] = (v % 10) as u8;
        v /= 10;
    }
    d
}

fn differing_digits(a: u64, b: u64, len: u8) -> usize {
    let (da, db) = (digits_of(a, len), digits_of(b, len));
    da.iter().zip(db.iter()).filter(|(x, y)| x != y).count()
}

/// NIK/KK levels: 1 exact, 2 one adjacent transposition, 3 the first 15 digits equal where
/// Excel damage explains the 16th (missing, or zeroed in one of them), 4 different; 0 when
/// either is missing. Serials are handed out in order (0001, 0002 … for people born the same
/// day in the same kecamatan), so NIKs one serial apart are different people, not a typo.
pub(crate) fn digits_level(a: u64, la: u8, b: u64, lb: u8) -> u8 {
    if la == 0 || lb == 0 {
        return 0;
    }
    match (la, lb) {
        (16, 16) => {
            if a == b {
                return 1;
            }
            let (da, db) = (digits_of(a, 16), digits_of(b, 16));
            // Positions that differ; more than two means different either way.
            let mut diff = [0usize; 3];
            let mut n = 0;
            for i in 0..16 {
                if da[i] != db[i] {
                    if n == 2 {
                        return 4;
                    }
                    diff[n] = i;
                    n += 1;
                }
            }
            match &diff[..n] {
                [i, j] if *j == i + 1 && da[*i] == db[*j] && da[*j] == db[*i] => 2,
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
        assert_eq!(p.level(0, 5), 4);
        assert_eq!(p.level(0, 6), 4);
        assert_eq!(p.level(0, 7), 0);
        assert_eq!(p.level(0, 8), 0);
        assert_eq!(p.level(0, 9), 3);
        assert_eq!(p.unreadable, 1);
        assert!(p.person_key(0).is_some() && p.person_key(3).is_none());
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
            ],
        );
        assert_eq!(p.level(0, 1), 1, "DD/MM/YYYY reads the same date");
        assert_eq!(p.level(0, 2), 2, "day and month swapped");
        assert_eq!(p.level(0, 3), 3, "one digit off");
        assert_eq!(p.level(0, 4), 4, "a year alone agrees on the year");
        assert_eq!(p.level(0, 5), 5);
        assert_eq!(p.level(0, 6), 0);
        assert_eq!(p.unreadable, 1);
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
