//! No. KK (*Nomor Kartu Keluarga*), the 16-digit family card number:
//! issuing kecamatan (6) + issue date `DDMMYY` (no +40) + family serial (4).
//!
//! Cleaning, Excel detection and the date rules are shared with [`crate::nik`].

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::idnum::{self, CleanProblem, ExcelDamage, IdInput, StructProblem};
use crate::msg::{Localized, Msg};
use crate::nik::{PrefixStatus, RegionPrefixes};
use crate::region::{Level, RegionCode};

/// Why a No. KK is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KkError {
    #[error("No. KK kosong")]
    Empty,
    #[error(
        "No. KK \"{value}\" {damage}, tanda bahwa Excel menyimpannya sebagai angka, bukan teks. \
         Excel hanya menyimpan 15 digit, sehingga digit terakhir No. KK bisa berubah atau hilang. \
         Format kolom No. KK sebagai Teks lalu isi ulang dari sumber aslinya"
    )]
    StoredAsNumber { value: String, damage: ExcelDamage },
    #[error(
        "No. KK \"{value}\" berisi karakter '{found}' yang bukan angka; No. KK hanya terdiri atas 16 angka"
    )]
    NotDigits { value: String, found: char },
    #[error("No. KK \"{value}\" berisi {digits} digit, seharusnya 16 digit")]
    Length { value: String, digits: usize },
    #[error("No. KK \"{value}\": kode {} bernilai 00, padahal kode wilayah tidak pernah 00", idnum::part_label(.part))]
    ZeroRegionPart { value: String, part: Level },
    #[error("No. KK \"{value}\": tanggal penerbitan {day:02} tidak mungkin (harus 01–31)")]
    Day { value: String, day: u8 },
    #[error("No. KK \"{value}\": bulan penerbitan {month:02} tidak mungkin (harus 01–12)")]
    Month { value: String, month: u8 },
    #[error(
        "No. KK \"{value}\": tanggal penerbitan {day:02}-{month:02}-{yy:02} tidak ada di kalender, \
         baik untuk tahun 19{yy:02} maupun 20{yy:02}"
    )]
    NoSuchDate {
        value: String,
        day: u8,
        month: u8,
        yy: u8,
    },
    #[error("No. KK \"{value}\": nomor seri keluarga 0000 tidak sah; nomor seri dimulai dari 0001")]
    ZeroSerial { value: String },
    /// A prefix in no region list, current or old (DOMAIN.md: an unknown region is an error).
    #[error(
        "kode kecamatan {region} pada No. KK tidak ada di daftar wilayah mana pun, baik yang \
         berlaku maupun yang lama; periksa kembali No. KK ini"
    )]
    PrefixUnknown { region: RegionCode },
}

impl KkError {
    pub fn code(&self) -> &'static str {
        match self {
            KkError::Empty => "kk.empty",
            KkError::StoredAsNumber { .. } => "kk.stored_as_number",
            KkError::NotDigits { .. } => "kk.not_digits",
            KkError::Length { .. } => "kk.length",
            KkError::ZeroRegionPart { .. } => "kk.region_zero",
            KkError::Day { .. } => "kk.day",
            KkError::Month { .. } => "kk.month",
            KkError::NoSuchDate { .. } => "kk.no_such_date",
            KkError::ZeroSerial { .. } => "kk.serial_zero",
            KkError::PrefixUnknown { .. } => "kk.prefix_unknown",
        }
    }

    fn from_clean(value: String, p: CleanProblem) -> KkError {
        match p {
            CleanProblem::Empty => KkError::Empty,
            CleanProblem::Excel(damage) => KkError::StoredAsNumber { value, damage },
            CleanProblem::NotDigit(found) => KkError::NotDigits { value, found },
            CleanProblem::Length(digits) => KkError::Length { value, digits },
        }
    }

    fn from_struct(value: &str, p: StructProblem) -> KkError {
        let value = value.to_string();
        match p {
            StructProblem::ZeroPart(part) => KkError::ZeroRegionPart { value, part },
            StructProblem::Day(day) => KkError::Day { value, day },
            StructProblem::Month(month) => KkError::Month { value, month },
            StructProblem::NoSuchDate { day, month, yy } => KkError::NoSuchDate {
                value,
                day,
                month,
                yy,
            },
            StructProblem::ZeroSerial => KkError::ZeroSerial { value },
        }
    }
}

/// Something worth showing about a valid No. KK. Never a reason to reject it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KkWarning {
    #[error(
        "kode kecamatan {region} pada No. KK hanya ada di daftar wilayah lama (wilayah sudah \
         dimekarkan atau dikode ulang)"
    )]
    PrefixHistorical { region: RegionCode },
}

impl KkWarning {
    pub fn code(&self) -> &'static str {
        match self {
            KkWarning::PrefixHistorical { .. } => "kk.prefix_historical",
        }
    }
}

impl Localized for KkError {
    fn msg(&self) -> Msg {
        let m = Msg::new(self.code());
        match self {
            KkError::Empty => m,
            KkError::StoredAsNumber { value, damage } => {
                m.arg("value", value).arg_msg("damage", damage.msg())
            }
            KkError::NotDigits { value, found } => m.arg("value", value).arg("found", found),
            KkError::Length { value, digits } => m.arg("value", value).arg("digits", digits),
            KkError::ZeroRegionPart { value, part } => {
                m.arg("value", value).arg_msg("part", idnum::part_msg(part))
            }
            KkError::Day { value, day } => m.arg("value", value).arg("day", format!("{day:02}")),
            KkError::Month { value, month } => {
                m.arg("value", value).arg("month", format!("{month:02}"))
            }
            KkError::NoSuchDate {
                value,
                day,
                month,
                yy,
            } => m
                .arg("value", value)
                .arg("day", format!("{day:02}"))
                .arg("month", format!("{month:02}"))
                .arg("yy", format!("{yy:02}")),
            KkError::ZeroSerial { value } => m.arg("value", value),
            KkError::PrefixUnknown { region } => m.arg("region", region),
        }
    }
}

impl Localized for KkWarning {
    fn msg(&self) -> Msg {
        match self {
            KkWarning::PrefixHistorical { region } => Msg::new(self.code()).arg("region", region),
        }
    }
}

/// A structurally valid No. KK, held as its canonical 16 digits.
///
/// A family gets a new number when it moves to another kecamatan or kab/kota, splits
/// (*pecah KK*), its head dies, or the couple divorces. Store it versioned
/// (`no_kk`, `valid_from`, `valid_to`) and never use it as a permanent household key.
///
/// `Debug` shows the masked form so numbers do not end up whole in logs.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NoKk(String);

/// A valid No. KK with the warnings found while parsing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KkParsed {
    pub no_kk: NoKk,
    pub warnings: Vec<KkWarning>,
}

impl NoKk {
    /// Whether [`Self::parse`] (without prefixes) would accept `input`, without building it.
    pub fn is_valid<'a>(input: impl Into<IdInput<'a>>) -> bool {
        idnum::is_valid(&input.into(), false)
    }

    /// Cleans and validates `input`, collecting every structural error. With `prefixes`, the
    /// issuing kecamatan is also looked up: a historical one becomes a warning, one in no list an
    /// error.
    pub fn parse<'a>(
        input: impl Into<IdInput<'a>>,
        prefixes: Option<&dyn RegionPrefixes>,
    ) -> Result<KkParsed, Vec<KkError>> {
        let input = input.into();
        let digits =
            idnum::clean(&input).map_err(|p| vec![KkError::from_clean(idnum::shown(&input), p)])?;
        let errors: Vec<KkError> = idnum::check_structure(&digits, false)
            .into_iter()
            .map(|p| KkError::from_struct(&digits, p))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let no_kk = NoKk(digits.into_owned());
        let mut warnings = Vec::new();
        if let Some(prefixes) = prefixes {
            let region = no_kk.region();
            match prefixes.prefix_status(&region) {
                PrefixStatus::Current => {}
                PrefixStatus::Historical => warnings.push(KkWarning::PrefixHistorical { region }),
                PrefixStatus::Unknown => return Err(vec![KkError::PrefixUnknown { region }]),
            }
        }
        Ok(KkParsed { no_kk, warnings })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Kecamatan where this card was issued (the family may have moved since).
    pub fn region(&self) -> RegionCode {
        idnum::prefix_region(&self.0)
    }

    /// Issue day and month.
    pub fn issue_day_month(&self) -> (u8, u8) {
        let f = idnum::fields(&self.0);
        (f.day_raw, f.month)
    }

    pub fn issue_year_yy(&self) -> u8 {
        idnum::fields(&self.0).yy
    }

    /// 19YY and 20YY readings of the issue date that exist on the calendar, oldest first.
    pub fn issue_date_candidates(&self) -> Vec<NaiveDate> {
        let f = idnum::fields(&self.0);
        idnum::century_candidates(f.day_raw, f.month, f.yy)
    }

    /// Candidates not after `today`.
    pub fn issue_date_candidates_as_of(&self, today: NaiveDate) -> Vec<NaiveDate> {
        self.issue_date_candidates()
            .into_iter()
            .filter(|d| *d <= today)
            .collect()
    }

    pub fn serial(&self) -> u16 {
        idnum::fields(&self.0).serial
    }

    /// `5203********0042`: the form to show on screen.
    pub fn mask(&self) -> String {
        idnum::mask(&self.0)
    }
}

impl fmt::Display for NoKk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NoKk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoKk({})", self.mask())
    }
}

/// Structural parse without a prefix lookup; reports the first error.
impl FromStr for NoKk {
    type Err = KkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NoKk::parse(s, None)
            .map(|p| p.no_kk)
            .map_err(|mut e| e.remove(0))
    }
}

impl TryFrom<String> for NoKk {
    type Error = KkError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<NoKk> for String {
    fn from(n: NoKk) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn errs(s: &str) -> Vec<&'static str> {
        NoKk::parse(s, None)
            .unwrap_err()
            .iter()
            .map(KkError::code)
            .collect()
    }

    #[test]
    fn parses_ntb_card() {
        // Issued in 52.03.02 on 15-08-2019, family serial 0042.
        let kk = NoKk::parse("'5203.02.150819.0042", None).unwrap().no_kk;
        assert_eq!(kk.as_str(), "5203021508190042");
        assert_eq!(kk.region().as_str(), "52.03.02");
        assert_eq!(kk.issue_day_month(), (15, 8));
        assert_eq!(kk.issue_year_yy(), 19);
        assert_eq!(
            kk.issue_date_candidates(),
            vec![ymd(1919, 8, 15), ymd(2019, 8, 15)]
        );
        assert_eq!(
            kk.issue_date_candidates_as_of(ymd(2010, 1, 1)),
            vec![ymd(1919, 8, 15)]
        );
        assert_eq!(kk.serial(), 42);
        assert_eq!(kk.mask(), "5203********0042");
        assert_eq!(format!("{kk:?}"), "NoKk(5203********0042)");
    }

    #[test]
    fn no_plus_forty_in_kk_dates() {
        // Day 52 is fine in a woman's NIK but not as an issue date.
        assert_eq!(errs("5203025205190042"), ["kk.day"]);
        assert_eq!(errs("5203020005190042"), ["kk.day"]);
        assert_eq!(errs("5203021513190042"), ["kk.month"]);
        assert!(NoKk::parse("5203023006190042", None).is_ok());
    }

    #[test]
    fn date_and_serial_errors() {
        assert_eq!(errs("5203023106190042"), ["kk.no_such_date"]); // 31 June
        assert!(NoKk::parse("5203022902000042", None).is_ok()); // 29-02-2000
        assert_eq!(errs("5203022902190042"), ["kk.no_such_date"]);
        assert_eq!(errs("5203021508190000"), ["kk.serial_zero"]);
        assert_eq!(
            errs("5200001508190042"),
            ["kk.region_zero", "kk.region_zero"]
        );
        let e = NoKk::parse("5203021508190000", None).unwrap_err();
        assert!(
            e[0].to_string().starts_with("No. KK \"5203021508190000\""),
            "{}",
            e[0]
        );
    }

    #[test]
    fn excel_and_input_errors() {
        let e = NoKk::parse("5,20302E+15", None).unwrap_err();
        assert_eq!(
            e,
            [KkError::StoredAsNumber {
                value: "5,20302E+15".into(),
                damage: ExcelDamage::ScientificNotation
            }]
        );
        assert_eq!(e[0].code(), "kk.stored_as_number");
        assert!(e[0].to_string().contains("kolom No. KK sebagai Teks"));
        let e = NoKk::parse(IdInput::numeric_cell("5203021508190040"), None).unwrap_err();
        assert!(matches!(
            e[0],
            KkError::StoredAsNumber {
                damage: ExcelDamage::NumericCell,
                ..
            }
        ));
        assert_eq!(errs("520302150819004"), ["kk.length"]);
        assert_eq!(errs("52030215081900A2"), ["kk.not_digits"]);
        assert_eq!(errs(""), ["kk.empty"]);
    }

    #[test]
    fn prefix_warnings() {
        let lists = |k: &RegionCode| {
            if k.as_str().starts_with("91.") {
                PrefixStatus::Historical
            } else {
                PrefixStatus::Current
            }
        };
        let p = NoKk::parse("9171011508190042", Some(&lists)).unwrap();
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.warnings[0].code(), "kk.prefix_historical");
        assert!(p.warnings[0].to_string().contains("91.71.01"));
        assert!(
            NoKk::parse("5203021508190042", Some(&lists))
                .unwrap()
                .warnings
                .is_empty()
        );
        let unknown = |_: &RegionCode| PrefixStatus::Unknown;
        let e = NoKk::parse("5203021508190042", Some(&unknown)).unwrap_err();
        assert_eq!(e[0].code(), "kk.prefix_unknown");
    }

    #[test]
    fn string_conversions() {
        let kk: NoKk = "5203021508190042".parse().unwrap();
        assert_eq!(kk.to_string(), "5203021508190042");
        assert_eq!(String::from(kk), "5203021508190042");
        assert_eq!(
            "5203021508190000".parse::<NoKk>().unwrap_err().code(),
            "kk.serial_zero"
        );
    }
}
