//! Kemendagri region codes (*kode wilayah*): `PP`, `PP.KK`, `PP.KK.CC`, `PP.KK.CC.DDDD`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::msg::{Localized, Msg};

/// The four administrative levels, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Provinsi = 1,
    KabKota = 2,
    Kecamatan = 3,
    Desa = 4,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Provinsi,
        Level::KabKota,
        Level::Kecamatan,
        Level::Desa,
    ];

    pub fn from_number(n: i64) -> Option<Level> {
        Level::ALL.into_iter().find(|l| *l as i64 == n)
    }

    pub fn number(self) -> i64 {
        self as i64
    }

    pub fn child(self) -> Option<Level> {
        Level::from_number(self.number() + 1)
    }

    /// Length of the dotted code at this level.
    pub fn dotted_len(self) -> usize {
        match self {
            Level::Provinsi => 2,
            Level::KabKota => 5,
            Level::Kecamatan => 8,
            Level::Desa => 13,
        }
    }

    /// Stable key for messages and URLs.
    pub fn key(self) -> &'static str {
        match self {
            Level::Provinsi => "provinsi",
            Level::KabKota => "kabkota",
            Level::Kecamatan => "kecamatan",
            Level::Desa => "desa",
        }
    }
}

/// What kind of unit a region is, where the level alone does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    Provinsi,
    Kabupaten,
    Kota,
    Kecamatan,
    Desa,
    Kelurahan,
    DesaAdat,
}

impl RegionKind {
    pub fn key(self) -> &'static str {
        match self {
            RegionKind::Provinsi => "provinsi",
            RegionKind::Kabupaten => "kabupaten",
            RegionKind::Kota => "kota",
            RegionKind::Kecamatan => "kecamatan",
            RegionKind::Desa => "desa",
            RegionKind::Kelurahan => "kelurahan",
            RegionKind::DesaAdat => "desa_adat",
        }
    }

    pub fn from_key(key: &str) -> Option<RegionKind> {
        [
            RegionKind::Provinsi,
            RegionKind::Kabupaten,
            RegionKind::Kota,
            RegionKind::Kecamatan,
            RegionKind::Desa,
            RegionKind::Kelurahan,
            RegionKind::DesaAdat,
        ]
        .into_iter()
        .find(|k| k.key() == key)
    }

    /// The kind implied by a code and, for kab/kota, the official name.
    /// Kab/kota numbers 71–99 are kota; a desa's first serial digit is 1 for kelurahan,
    /// 2 for desa and 3 for desa adat.
    pub fn infer(code: &RegionCode, name: &str) -> RegionKind {
        match code.level() {
            Level::Provinsi => RegionKind::Provinsi,
            Level::KabKota => {
                let lower = name.trim().to_lowercase();
                if lower.starts_with("kota") || lower.starts_with("kota.") {
                    RegionKind::Kota
                } else if lower.starts_with("kab") {
                    RegionKind::Kabupaten
                } else if code.digits()[2..4] >= *"71" {
                    RegionKind::Kota
                } else {
                    RegionKind::Kabupaten
                }
            }
            Level::Kecamatan => RegionKind::Kecamatan,
            Level::Desa => match code.digits().as_bytes()[6] {
                b'1' => RegionKind::Kelurahan,
                b'3' => RegionKind::DesaAdat,
                _ => RegionKind::Desa,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegionCodeError {
    #[error("kode wilayah kosong")]
    Empty,
    #[error("kode wilayah \"{0}\" hanya boleh berisi angka dan titik")]
    NotDigits(String),
    #[error(
        "kode wilayah \"{0}\" harus 2, 4, 6 atau 10 digit (mis. 52, 52.01, 52.01.01, 52.01.01.2001)"
    )]
    BadLength(String),
    #[error(
        "kode wilayah \"{0}\" memakai titik di tempat yang salah (bentuk yang benar: 52.01.01.2001)"
    )]
    BadDots(String),
    #[error("kode wilayah \"{0}\" berisi bagian 00, yang tidak dipakai Kemendagri")]
    ZeroPart(String),
}

impl RegionCodeError {
    pub fn code(&self) -> &'static str {
        match self {
            RegionCodeError::Empty => "region_code.empty",
            RegionCodeError::NotDigits(_) => "region_code.not_digits",
            RegionCodeError::BadLength(_) => "region_code.bad_length",
            RegionCodeError::BadDots(_) => "region_code.bad_dots",
            RegionCodeError::ZeroPart(_) => "region_code.zero_part",
        }
    }
}

impl Localized for RegionCodeError {
    fn msg(&self) -> Msg {
        let m = Msg::new(self.code());
        match self {
            RegionCodeError::Empty => m,
            RegionCodeError::NotDigits(value)
            | RegionCodeError::BadLength(value)
            | RegionCodeError::BadDots(value)
            | RegionCodeError::ZeroPart(value) => m.arg("value", value),
        }
    }
}

/// A validated Kemendagri region code, held in canonical dotted form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses a dotted (`52.01.01.2001`) or undotted (`5201012001`) code.
    pub fn parse(input: &str) -> Result<RegionCode, RegionCodeError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(RegionCodeError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(RegionCodeError::NotDigits(s.to_string()));
        }
        let digits: String = s.chars().filter(|c| *c != '.').collect();
        let level = match digits.len() {
            2 => Level::Provinsi,
            4 => Level::KabKota,
            6 => Level::Kecamatan,
            10 => Level::Desa,
            _ => return Err(RegionCodeError::BadLength(s.to_string())),
        };
        let dotted = dot(&digits);
        if s.contains('.') && s != dotted {
            return Err(RegionCodeError::BadDots(s.to_string()));
        }
        let zero_part = dotted
            .split('.')
            .any(|part| part.bytes().all(|b| b == b'0'));
        if zero_part {
            return Err(RegionCodeError::ZeroPart(s.to_string()));
        }
        debug_assert_eq!(dotted.len(), level.dotted_len());
        Ok(RegionCode(dotted))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The dotted code as an owned string, without copying it.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The code without dots, as it appears inside a NIK or in BPS-style files.
    pub fn digits(&self) -> String {
        self.0.replace('.', "")
    }

    pub fn level(&self) -> Level {
        match self.0.len() {
            2 => Level::Provinsi,
            5 => Level::KabKota,
            8 => Level::Kecamatan,
            _ => Level::Desa,
        }
    }

    pub fn parent(&self) -> Option<RegionCode> {
        let cut = match self.level() {
            Level::Provinsi => return None,
            Level::KabKota => 2,
            Level::Kecamatan => 5,
            Level::Desa => 8,
        };
        Some(RegionCode(self.0[..cut].to_string()))
    }

    /// Ancestors from the province down to the direct parent.
    pub fn ancestors(&self) -> Vec<RegionCode> {
        let mut out = Vec::new();
        let mut cur = self.parent();
        while let Some(code) = cur {
            cur = code.parent();
            out.push(code);
        }
        out.reverse();
        out
    }

    /// The ancestor (or self) at `level`, if `level` is not below this code's level.
    pub fn at_level(&self, level: Level) -> Option<RegionCode> {
        (level <= self.level()).then(|| RegionCode(self.0[..level.dotted_len()].to_string()))
    }

    pub fn province(&self) -> RegionCode {
        RegionCode(self.0[..2].to_string())
    }

    /// True when `other` lies strictly below this region.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.len() > self.0.len()
            && other.0.starts_with(&self.0)
            && other.0.as_bytes()[self.0.len()] == b'.'
    }

    /// Half-open range of dotted codes strictly below this one: `[lo, hi)`.
    /// Lets the store select a whole subtree with an index range scan.
    pub fn descendant_range(&self) -> (String, String) {
        (format!("{}.", self.0), format!("{}/", self.0))
    }
}

fn dot(digits: &str) -> String {
    let cuts = [2, 4, 6];
    let mut out = String::with_capacity(digits.len() + 3);
    for (i, ch) in digits.chars().enumerate() {
        if cuts.contains(&i) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}

/// One row of an official region list: what an import or the embedded data provides.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionEntry {
    pub code: RegionCode,
    pub name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// A region as the platform knows it, with its validity. A code retired by *pemekaran*
/// keeps resolving: `valid_to` is set and `replaced_by` names its successor when known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub kind: RegionKind,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: Option<chrono::NaiveDate>,
    pub replaced_by: Option<RegionCode>,
}

impl Region {
    pub fn level(&self) -> Level {
        self.code.level()
    }

    pub fn is_current(&self) -> bool {
        self.valid_to.is_none()
    }
}

/// Indonesia's three civil time zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZone {
    Wib,
    Wita,
    Wit,
}

impl TimeZone {
    /// The zone of a region, by its province: Bali, Nusa Tenggara, Kalimantan Selatan,
    /// Timur and Utara and Sulawesi keep WITA; Maluku and Papua WIT; the rest WIB.
    pub fn of(code: &RegionCode) -> TimeZone {
        let province: u32 = code.province().as_str().parse().unwrap_or(0);
        match province {
            51..=53 | 63..=65 | 71..=76 => TimeZone::Wita,
            81..=99 => TimeZone::Wit,
            _ => TimeZone::Wib,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TimeZone::Wib => "WIB",
            TimeZone::Wita => "WITA",
            TimeZone::Wit => "WIT",
        }
    }

    /// Hours ahead of UTC.
    pub fn offset_hours(self) -> i32 {
        match self {
            TimeZone::Wib => 7,
            TimeZone::Wita => 8,
            TimeZone::Wit => 9,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_province_keeps_its_clock() {
        let zone = |c: &str| TimeZone::of(&RegionCode::parse(c).unwrap()).name();
        assert_eq!(zone("52.03"), "WITA");
        assert_eq!(zone("33"), "WIB");
        assert_eq!(zone("63.71"), "WITA");
        assert_eq!(zone("94"), "WIT");
        assert_eq!(zone("81.01"), "WIT");
        assert_eq!(zone("62"), "WIB");
    }

    #[test]
    fn parses_dotted_and_undotted() {
        let a = RegionCode::parse("52.01.01.2001").unwrap();
        let b = RegionCode::parse("5201012001").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.level(), Level::Desa);
        assert_eq!(a.digits(), "5201012001");
        assert_eq!(RegionCode::parse(" 52.03 ").unwrap().as_str(), "52.03");
        assert_eq!(RegionCode::parse("5203").unwrap().level(), Level::KabKota);
    }

    #[test]
    fn rejects_malformed_codes() {
        assert_eq!(RegionCode::parse(""), Err(RegionCodeError::Empty));
        assert!(matches!(
            RegionCode::parse("52.0A"),
            Err(RegionCodeError::NotDigits(_))
        ));
        assert!(matches!(
            RegionCode::parse("520"),
            Err(RegionCodeError::BadLength(_))
        ));
        assert!(matches!(
            RegionCode::parse("5.201"),
            Err(RegionCodeError::BadDots(_))
        ));
        assert!(matches!(
            RegionCode::parse("52.00"),
            Err(RegionCodeError::ZeroPart(_))
        ));
        assert!(matches!(
            RegionCode::parse("52.01.01.0000"),
            Err(RegionCodeError::ZeroPart(_))
        ));
    }

    #[test]
    fn hierarchy() {
        let desa = RegionCode::parse("52.03.14.2005").unwrap();
        let chain: Vec<String> = desa.ancestors().into_iter().map(String::from).collect();
        assert_eq!(chain, ["52", "52.03", "52.03.14"]);
        assert_eq!(desa.parent().unwrap().as_str(), "52.03.14");
        assert_eq!(desa.province().as_str(), "52");
        assert_eq!(desa.at_level(Level::KabKota).unwrap().as_str(), "52.03");
        let kab = RegionCode::parse("52.03").unwrap();
        assert!(kab.contains(&desa));
        assert!(!desa.contains(&kab));
        assert!(!RegionCode::parse("52.0").is_ok_and(|c| c.contains(&desa)));
        assert_eq!(Level::KabKota.child(), Some(Level::Kecamatan));
        assert_eq!(Level::Desa.child(), None);
        let (lo, hi) = kab.descendant_range();
        assert!(lo.as_str() < desa.as_str() && desa.as_str() < hi.as_str());
        assert!(!("52.04" > lo.as_str() && "52.04" < hi.as_str()));
    }

    #[test]
    fn kinds() {
        let k = |c: &str, n: &str| RegionKind::infer(&RegionCode::parse(c).unwrap(), n);
        assert_eq!(k("52.71", "Kota Mataram"), RegionKind::Kota);
        assert_eq!(k("52.71", "KOTA MATARAM"), RegionKind::Kota);
        assert_eq!(k("52.01", "Kabupaten Lombok Barat"), RegionKind::Kabupaten);
        assert_eq!(k("52.01", "KAB. LOMBOK BARAT"), RegionKind::Kabupaten);
        assert_eq!(k("52.72", "Bima"), RegionKind::Kota);
        assert_eq!(k("52.71.01.1001", "Ampenan Selatan"), RegionKind::Kelurahan);
        assert_eq!(k("52.01.01.2001", "Gerung Utara"), RegionKind::Desa);
        assert_eq!(k("91.03.01.3001", "Adat"), RegionKind::DesaAdat);
    }
}
