//! NIK (*Nomor Induk Kependudukan*), the 16-digit personal ID: `PP KK CC DDMMYY SSSS`.
//!
//! - `PP KK CC`: the kecamatan where the NIK was *first* registered. It never changes when the
//!   person moves, so it says nothing about where they live now.
//! - `DD`: birth day, +40 for women; `MM`: month; `YY`: the last two digits of the year.
//! - `SSSS`: serial from 0001. There is no check digit: a well-formed NIK may still not exist.
//!
//! Structural defects are errors; facts that merely disagree with other data (an old region
//! code, a corrected birth date) are warnings, because Dukcapil does not reissue the NIK.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::idnum::{self, CleanProblem, ExcelDamage, IdInput, StructProblem};
use crate::msg::{Localized, Msg};
use crate::region::{Level, RegionCode};

/// Whether a 6-digit kecamatan prefix appears in the region lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrefixStatus {
    /// In the current Kemendagri list.
    Current,
    /// Only in an older list (e.g. 91.xx before the 2022 Papua split).
    Historical,
    /// In no list known to the caller.
    Unknown,
}

/// Source of truth for kecamatan prefixes, implemented by whoever holds the reference data.
pub trait RegionPrefixes {
    fn prefix_status(&self, kecamatan: &RegionCode) -> PrefixStatus;
}

impl<F: Fn(&RegionCode) -> PrefixStatus> RegionPrefixes for F {
    fn prefix_status(&self, kecamatan: &RegionCode) -> PrefixStatus {
        self(kecamatan)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn key(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// Indonesian label as on forms.
    pub fn label_id(self) -> &'static str {
        match self {
            Sex::Male => "Laki-laki",
            Sex::Female => "Perempuan",
        }
    }

    /// Reads the usual spellings in Indonesian data: `L`/`P`, `Laki-laki`, `Pria`, `Perempuan`,
    /// `Wanita`, and the English keys. Numeric codes differ per source, so they are not guessed.
    pub fn parse(s: &str) -> Option<Sex> {
        // Letters and digits, lowercased, in a small buffer: every spelling read is short
        // ASCII, so anything longer or other cannot match (no allocation per value).
        let mut folded = [0u8; 12];
        let mut len = 0;
        for c in s.chars().flat_map(char::to_lowercase) {
            if !c.is_alphanumeric() {
                continue;
            }
            if !c.is_ascii() || len == folded.len() {
                return None;
            }
            folded[len] = c as u8;
            len += 1;
        }
        match &folded[..len] {
            b"l" | b"lk" | b"lakilaki" | b"laki" | b"pria" | b"male" | b"m" => Some(Sex::Male),
            b"p" | b"pr" | b"perempuan" | b"wanita" | b"female" | b"f" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// The sex as a word inside a sentence (lower case: "laki-laki", "perempuan").
impl Localized for Sex {
    fn msg(&self) -> Msg {
        Msg::new(match self {
            Sex::Male => "sex.male",
            Sex::Female => "sex.female",
        })
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_id())
    }
}

/// Why a NIK is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NikError {
    #[error("NIK kosong")]
    Empty,
    #[error(
        "NIK \"{value}\" {damage}, tanda bahwa Excel menyimpannya sebagai angka, bukan teks. \
         Excel hanya menyimpan 15 digit, sehingga digit terakhir NIK bisa berubah atau hilang. \
         Format kolom NIK sebagai Teks lalu isi ulang dari sumber aslinya"
    )]
    StoredAsNumber { value: String, damage: ExcelDamage },
    #[error(
        "NIK \"{value}\" berisi karakter '{found}' yang bukan angka; NIK hanya terdiri atas 16 angka"
    )]
    NotDigits { value: String, found: char },
    #[error("NIK \"{value}\" berisi {digits} digit, seharusnya 16 digit")]
    Length { value: String, digits: usize },
    #[error("NIK \"{value}\": kode {} bernilai 00, padahal kode wilayah tidak pernah 00", idnum::part_label(.part))]
    ZeroRegionPart { value: String, part: Level },
    #[error(
        "NIK \"{value}\": angka tanggal lahir {day:02} tidak mungkin \
         (laki-laki 01–31, perempuan 41–71 karena tanggal ditambah 40)"
    )]
    Day { value: String, day: u8 },
    #[error("NIK \"{value}\": bulan lahir {month:02} tidak mungkin (harus 01–12)")]
    Month { value: String, month: u8 },
    #[error(
        "NIK \"{value}\": tanggal lahir {day:02}-{month:02}-{yy:02} tidak ada di kalender, \
         baik untuk tahun 19{yy:02} maupun 20{yy:02}"
    )]
    NoSuchDate {
        value: String,
        day: u8,
        month: u8,
        yy: u8,
    },
    #[error("NIK \"{value}\": nomor urut 0000 tidak sah; Dukcapil memberi nomor urut mulai 0001")]
    ZeroSerial { value: String },
    /// A prefix in no region list, current or old (DOMAIN.md: an unknown region is an error).
    #[error(
        "kode kecamatan {kecamatan} pada NIK tidak ada di daftar wilayah mana pun, baik yang \
         berlaku maupun yang lama; periksa kembali NIK ini"
    )]
    PrefixUnknown { kecamatan: RegionCode },
}

impl NikError {
    pub fn code(&self) -> &'static str {
        match self {
            NikError::Empty => "nik.empty",
            NikError::StoredAsNumber { .. } => "nik.stored_as_number",
            NikError::NotDigits { .. } => "nik.not_digits",
            NikError::Length { .. } => "nik.length",
            NikError::ZeroRegionPart { .. } => "nik.region_zero",
            NikError::Day { .. } => "nik.day",
            NikError::Month { .. } => "nik.month",
            NikError::NoSuchDate { .. } => "nik.no_such_date",
            NikError::ZeroSerial { .. } => "nik.serial_zero",
            NikError::PrefixUnknown { .. } => "nik.prefix_unknown",
        }
    }

    fn from_clean(value: String, p: CleanProblem) -> NikError {
        match p {
            CleanProblem::Empty => NikError::Empty,
            CleanProblem::Excel(damage) => NikError::StoredAsNumber { value, damage },
            CleanProblem::NotDigit(found) => NikError::NotDigits { value, found },
            CleanProblem::Length(digits) => NikError::Length { value, digits },
        }
    }

    fn from_struct(value: &str, p: StructProblem) -> NikError {
        let value = value.to_string();
        match p {
            StructProblem::ZeroPart(part) => NikError::ZeroRegionPart { value, part },
            StructProblem::Day(day) => NikError::Day { value, day },
            StructProblem::Month(month) => NikError::Month { value, month },
            StructProblem::NoSuchDate { day, month, yy } => NikError::NoSuchDate {
                value,
                day,
                month,
                yy,
            },
            StructProblem::ZeroSerial => NikError::ZeroSerial { value },
        }
    }
}

/// Something worth showing about a valid NIK. Never a reason to reject it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NikWarning {
    #[error(
        "kode kecamatan {kecamatan} pada NIK hanya ada di daftar wilayah lama (wilayah sudah \
         dimekarkan atau dikode ulang); NIK tetap berlaku karena NIK tidak berubah"
    )]
    PrefixHistorical { kecamatan: RegionCode },
    #[error(
        "tanggal dan bulan lahir pada NIK ({nik_day:02}-{nik_month:02}) berbeda dengan tanggal \
         lahir tercatat ({}); NIK tidak ikut berubah saat tanggal lahir dikoreksi, jadi periksa \
         data mana yang benar", .recorded.format("%d-%m-%Y")
    )]
    BirthDayMonthMismatch {
        nik_day: u8,
        nik_month: u8,
        recorded: NaiveDate,
    },
    #[error(
        "tahun lahir pada NIK ({nik_yy:02}, yaitu 19{nik_yy:02} atau 20{nik_yy:02}) berbeda \
         dengan tahun lahir tercatat ({})", .recorded.year()
    )]
    BirthYearMismatch { nik_yy: u8, recorded: NaiveDate },
    #[error(
        "jenis kelamin pada NIK ({}) berbeda dengan jenis kelamin tercatat ({})",
        .nik.label_id().to_lowercase(), .recorded.label_id().to_lowercase()
    )]
    SexMismatch { nik: Sex, recorded: Sex },
}

impl NikWarning {
    pub fn code(&self) -> &'static str {
        match self {
            NikWarning::PrefixHistorical { .. } => "nik.prefix_historical",
            NikWarning::BirthDayMonthMismatch { .. } => "nik.birth_day_month_mismatch",
            NikWarning::BirthYearMismatch { .. } => "nik.birth_year_mismatch",
            NikWarning::SexMismatch { .. } => "nik.sex_mismatch",
        }
    }
}

impl Localized for NikError {
    fn msg(&self) -> Msg {
        let m = Msg::new(self.code());
        match self {
            NikError::Empty => m,
            NikError::StoredAsNumber { value, damage } => {
                m.arg("value", value).arg_msg("damage", damage.msg())
            }
            NikError::NotDigits { value, found } => m.arg("value", value).arg("found", found),
            NikError::Length { value, digits } => m.arg("value", value).arg("digits", digits),
            NikError::ZeroRegionPart { value, part } => {
                m.arg("value", value).arg_msg("part", idnum::part_msg(part))
            }
            NikError::Day { value, day } => m.arg("value", value).arg("day", format!("{day:02}")),
            NikError::Month { value, month } => {
                m.arg("value", value).arg("month", format!("{month:02}"))
            }
            NikError::NoSuchDate {
                value,
                day,
                month,
                yy,
            } => m
                .arg("value", value)
                .arg("day", format!("{day:02}"))
                .arg("month", format!("{month:02}"))
                .arg("yy", format!("{yy:02}")),
            NikError::ZeroSerial { value } => m.arg("value", value),
            NikError::PrefixUnknown { kecamatan } => m.arg("kecamatan", kecamatan),
        }
    }
}

impl Localized for NikWarning {
    fn msg(&self) -> Msg {
        let m = Msg::new(self.code());
        match self {
            NikWarning::PrefixHistorical { kecamatan } => m.arg("kecamatan", kecamatan),
            NikWarning::BirthDayMonthMismatch {
                nik_day,
                nik_month,
                recorded,
            } => m
                .arg("nik_day", format!("{nik_day:02}"))
                .arg("nik_month", format!("{nik_month:02}"))
                .arg("recorded", recorded.format("%d-%m-%Y")),
            NikWarning::BirthYearMismatch { nik_yy, recorded } => m
                .arg("nik_yy", format!("{nik_yy:02}"))
                .arg("recorded", recorded.year()),
            NikWarning::SexMismatch { nik, recorded } => m
                .arg_msg("nik", nik.msg())
                .arg_msg("recorded", recorded.msg()),
        }
    }
}

/// A structurally valid NIK, held as its canonical 16 digits.
///
/// `Debug` shows the masked form so NIKs do not end up whole in logs; `Display` and
/// [`Nik::as_str`] give the full number.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nik(String);

/// A valid NIK with the warnings found while parsing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NikParsed {
    pub nik: Nik,
    pub warnings: Vec<NikWarning>,
}

impl Nik {
    /// Whether [`Self::parse`] (without prefixes) would accept `input`, without building it.
    pub fn is_valid<'a>(input: impl Into<IdInput<'a>>) -> bool {
        idnum::is_valid(&input.into(), true)
    }

    /// Cleans and validates `input`, collecting every structural error. With `prefixes`, the
    /// kecamatan prefix is also looked up: a historical one becomes a warning, one in no list an
    /// error.
    pub fn parse<'a>(
        input: impl Into<IdInput<'a>>,
        prefixes: Option<&dyn RegionPrefixes>,
    ) -> Result<NikParsed, Vec<NikError>> {
        let input = input.into();
        let digits = idnum::clean(&input)
            .map_err(|p| vec![NikError::from_clean(idnum::shown(&input), p)])?;
        let errors: Vec<NikError> = idnum::check_structure(&digits, true)
            .into_iter()
            .map(|p| NikError::from_struct(&digits, p))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let nik = Nik(digits.into_owned());
        let mut warnings = Vec::new();
        if let Some(prefixes) = prefixes {
            let kecamatan = nik.kecamatan();
            match prefixes.prefix_status(&kecamatan) {
                PrefixStatus::Current => {}
                PrefixStatus::Historical => {
                    warnings.push(NikWarning::PrefixHistorical { kecamatan })
                }
                PrefixStatus::Unknown => return Err(vec![NikError::PrefixUnknown { kecamatan }]),
            }
        }
        Ok(NikParsed { nik, warnings })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Kecamatan of first registration (not of current residence).
    pub fn kecamatan(&self) -> RegionCode {
        idnum::prefix_region(&self.0)
    }

    fn fields(&self) -> idnum::Fields {
        idnum::fields(&self.0)
    }

    pub fn sex(&self) -> Sex {
        if self.fields().day_raw > 40 {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// Birth day (with the +40 removed) and month.
    pub fn birth_day_month(&self) -> (u8, u8) {
        let f = self.fields();
        let day = if f.day_raw > 40 {
            f.day_raw - 40
        } else {
            f.day_raw
        };
        (day, f.month)
    }

    /// The two-digit birth year as written.
    pub fn birth_year_yy(&self) -> u8 {
        self.fields().yy
    }

    /// 19YY and 20YY readings that exist on the calendar, oldest first. The NIK cannot say
    /// which is right; take age from the recorded birth date instead.
    pub fn birth_date_candidates(&self) -> Vec<NaiveDate> {
        let (day, month) = self.birth_day_month();
        idnum::century_candidates(day, month, self.birth_year_yy())
    }

    /// Candidates not after `today` (a 20YY date in the future cannot be a birth date).
    pub fn birth_date_candidates_as_of(&self, today: NaiveDate) -> Vec<NaiveDate> {
        self.birth_date_candidates()
            .into_iter()
            .filter(|d| *d <= today)
            .collect()
    }

    pub fn serial(&self) -> u16 {
        self.fields().serial
    }

    /// `5203********0001`: the form to show on screen.
    pub fn mask(&self) -> String {
        idnum::mask(&self.0)
    }

    /// Compares the NIK with a recorded birth date and sex. Mismatches are warnings: a birth
    /// date corrected later does not change the NIK.
    pub fn check_recorded(
        &self,
        birth_date: Option<NaiveDate>,
        sex: Option<Sex>,
    ) -> Vec<NikWarning> {
        let mut out = Vec::new();
        if let Some(recorded) = birth_date {
            let (nik_day, nik_month) = self.birth_day_month();
            if (u32::from(nik_day), u32::from(nik_month)) != (recorded.day(), recorded.month()) {
                out.push(NikWarning::BirthDayMonthMismatch {
                    nik_day,
                    nik_month,
                    recorded,
                });
            }
            let nik_yy = self.birth_year_yy();
            let yy = i32::from(nik_yy);
            if recorded.year() != 1900 + yy && recorded.year() != 2000 + yy {
                out.push(NikWarning::BirthYearMismatch { nik_yy, recorded });
            }
        }
        if let Some(recorded) = sex
            && recorded != self.sex()
        {
            out.push(NikWarning::SexMismatch {
                nik: self.sex(),
                recorded,
            });
        }
        out
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.mask())
    }
}

/// Structural parse without a prefix lookup; reports the first error.
impl FromStr for Nik {
    type Err = NikError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nik::parse(s, None)
            .map(|p| p.nik)
            .map_err(|mut e| e.remove(0))
    }
}

impl TryFrom<String> for Nik {
    type Error = NikError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Nik> for String {
    fn from(n: Nik) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn ok(s: &str) -> Nik {
        Nik::parse(s, None)
            .unwrap_or_else(|e| panic!("{s}: {e:?}"))
            .nik
    }

    fn errs(s: &str) -> Vec<&'static str> {
        Nik::parse(s, None)
            .unwrap_err()
            .iter()
            .map(NikError::code)
            .collect()
    }

    #[test]
    fn ntb_woman_born_12_05_1990() {
        // Lombok Tengah (52.03), kecamatan 02; woman: day 12 + 40 = 52.
        let nik = ok("5203025205900001");
        assert_eq!(nik.as_str(), "5203025205900001");
        assert_eq!(nik.kecamatan().as_str(), "52.03.02");
        assert_eq!(nik.kecamatan().level(), Level::Kecamatan);
        assert_eq!(nik.sex(), Sex::Female);
        assert_eq!(nik.birth_day_month(), (12, 5));
        assert_eq!(nik.birth_year_yy(), 90);
        assert_eq!(
            nik.birth_date_candidates(),
            vec![ymd(1990, 5, 12), ymd(2090, 5, 12)]
        );
        assert_eq!(
            nik.birth_date_candidates_as_of(ymd(2025, 7, 1)),
            vec![ymd(1990, 5, 12)]
        );
        assert_eq!(nik.serial(), 1);
        assert_eq!(nik.mask(), "5203********0001");
        assert_eq!(format!("{nik:?}"), "Nik(5203********0001)");
        assert_eq!(nik.to_string(), "5203025205900001");
    }

    #[test]
    fn man_and_both_centuries() {
        // Kota Mataram (52.71), man born 01-07-15: 1915 or 2015, never guessed.
        let nik = ok("5271010107150123");
        assert_eq!(nik.sex(), Sex::Male);
        assert_eq!(nik.birth_day_month(), (1, 7));
        assert_eq!(
            nik.birth_date_candidates(),
            vec![ymd(1915, 7, 1), ymd(2015, 7, 1)]
        );
        assert_eq!(nik.serial(), 123);
        // Woman born on the 31st: raw day 71 is the upper bound.
        let nik = ok("5201017112850002");
        assert_eq!((nik.sex(), nik.birth_day_month()), (Sex::Female, (31, 12)));
        // Man born on the 31st.
        assert_eq!(ok("5201013112850002").birth_day_month(), (31, 12));
    }

    #[test]
    fn formatting_is_cleaned() {
        let want = ok("5203025205900001");
        for s in [
            "'5203025205900001",
            " 5203 0252 0590 0001 ",
            "52.03.02.520590.0001",
            "520302-520590-0001",
        ] {
            assert_eq!(ok(s), want, "{s}");
        }
    }

    #[test]
    fn is_valid_says_what_parse_says() {
        for s in [
            "5203025205900001",
            " '5203025205900001",
            "52.03.02.520590.0001",
            "5203023102900001",
            "5203025205190042",
            "0003025205900001",
            "5203025205900000",
            "520302520590000",
            "5203025205900010.0",
            "5.20302E+15",
            "52030252O5900001",
            "",
        ] {
            assert_eq!(Nik::is_valid(s), Nik::parse(s, None).is_ok(), "NIK {s:?}");
            assert_eq!(
                crate::NoKk::is_valid(s),
                crate::NoKk::parse(s, None).is_ok(),
                "KK {s:?}"
            );
        }
        assert!(Nik::is_valid("5203025205900001"));
        assert!(!Nik::is_valid("5203023102900001"));
        assert!(!crate::NoKk::is_valid("5203025205190042"));
    }

    #[test]
    fn leap_day_with_two_centuries() {
        // 29-02-00: 1900 was not a leap year but 2000 was, so the NIK is valid.
        let nik = ok("5203022902000001");
        assert_eq!(nik.birth_date_candidates(), vec![ymd(2000, 2, 29)]);
        // Woman, 29-02-04: both 1904 and 2004 are leap years.
        assert_eq!(ok("5203026902040001").birth_date_candidates().len(), 2);
        // 29-02-01: neither 1901 nor 2001.
        assert_eq!(errs("5203022902010001"), ["nik.no_such_date"]);
    }

    #[test]
    fn structural_errors() {
        assert_eq!(errs("5203023102900001"), ["nik.no_such_date"]); // 31 Feb
        assert_eq!(errs("5203023104900001"), ["nik.no_such_date"]); // 31 Apr
        assert_eq!(errs("5203027104900001"), ["nik.no_such_date"]); // woman, 31 Apr
        assert_eq!(errs("5203021205900000"), ["nik.serial_zero"]);
        for day in ["00", "32", "40", "72", "99"] {
            assert_eq!(
                errs(&format!("520302{day}05900001")),
                ["nik.day"],
                "day {day}"
            );
        }
        assert_eq!(errs("5203021200900001"), ["nik.month"]);
        assert_eq!(errs("5203021213900001"), ["nik.month"]);
        assert_eq!(errs("0003021205900001"), ["nik.region_zero"]);
        assert_eq!(errs("5200021205900001"), ["nik.region_zero"]);
        assert_eq!(errs("5203001205900001"), ["nik.region_zero"]);
        // Every defect is reported at once.
        assert_eq!(
            errs("5200003513900000"),
            [
                "nik.region_zero",
                "nik.region_zero",
                "nik.day",
                "nik.month",
                "nik.serial_zero"
            ]
        );
    }

    #[test]
    fn input_errors_and_messages() {
        assert_eq!(Nik::parse("  ", None).unwrap_err(), [NikError::Empty]);
        let e = Nik::parse("52030252059000", None).unwrap_err();
        assert_eq!(
            e,
            [NikError::Length {
                value: "52030252059000".into(),
                digits: 14
            }]
        );
        assert_eq!(
            e[0].to_string(),
            "NIK \"52030252059000\" berisi 14 digit, seharusnya 16 digit"
        );
        let e = Nik::parse("52030252O5900001", None).unwrap_err();
        assert_eq!(e[0].code(), "nik.not_digits");
        assert!(e[0].to_string().contains("'O'"), "{}", e[0]);
        let e = Nik::parse("5203021205900000", None).unwrap_err();
        assert!(e[0].to_string().contains("0000"));
        let e = Nik::parse("5203023102900001", None).unwrap_err();
        assert!(e[0].to_string().contains("31-02-90"), "{}", e[0]);
        assert!(e[0].to_string().contains("1990 maupun 2090"), "{}", e[0]);
        let e = Nik::parse("5200021205900001", None).unwrap_err();
        assert!(
            e[0].to_string().contains("kode kabupaten/kota bernilai 00"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn excel_corruption() {
        let e = Nik::parse("5.20302E+15", None).unwrap_err();
        assert_eq!(
            e,
            [NikError::StoredAsNumber {
                value: "5.20302E+15".into(),
                damage: ExcelDamage::ScientificNotation
            }]
        );
        assert_eq!(e[0].code(), "nik.stored_as_number");
        let msg = e[0].to_string();
        assert!(
            msg.contains("5.20302E+15") && msg.contains("notasi ilmiah") && msg.contains("Teks"),
            "{msg}"
        );
        let e = Nik::parse("5203025205900001.0", None).unwrap_err();
        assert!(matches!(
            e[0],
            NikError::StoredAsNumber {
                damage: ExcelDamage::DecimalPart,
                ..
            }
        ));
        // Looks fine as text, but the caller knows the cell was numeric.
        let e = Nik::parse(IdInput::numeric_cell("5203025205900010"), None).unwrap_err();
        assert!(matches!(
            e[0],
            NikError::StoredAsNumber {
                damage: ExcelDamage::NumericCell,
                ..
            }
        ));
        assert!(e[0].to_string().contains("sel berformat angka"));
    }

    #[test]
    fn prefix_warnings_via_closure() {
        // 91.01 became 95.xx etc. after the 2022 Papua split: old NIKs keep the old code.
        let lists = |k: &RegionCode| match k.as_str() {
            "91.01.01" => PrefixStatus::Historical,
            "52.03.02" => PrefixStatus::Current,
            _ => PrefixStatus::Unknown,
        };
        let p = Nik::parse("9101015506880003", Some(&lists)).unwrap();
        assert_eq!(
            p.warnings,
            [NikWarning::PrefixHistorical {
                kecamatan: RegionCode::parse("91.01.01").unwrap()
            }]
        );
        assert_eq!(p.warnings[0].code(), "nik.prefix_historical");
        assert!(p.warnings[0].to_string().contains("91.01.01"));
        assert!(
            Nik::parse("5203025205900001", Some(&lists))
                .unwrap()
                .warnings
                .is_empty()
        );
        // A prefix in no list is an error, not a warning.
        let e = Nik::parse("5203995205900001", Some(&lists)).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code(), "nik.prefix_unknown");
        assert!(e[0].to_string().contains("52.03.99"));
        // Without a list, no prefix check at all.
        assert!(
            Nik::parse("5203995205900001", None)
                .unwrap()
                .warnings
                .is_empty()
        );
    }

    #[test]
    fn prefix_warnings_via_struct() {
        struct OnlyNtb;
        impl RegionPrefixes for OnlyNtb {
            fn prefix_status(&self, k: &RegionCode) -> PrefixStatus {
                if k.province().as_str() == "52" {
                    PrefixStatus::Current
                } else {
                    PrefixStatus::Unknown
                }
            }
        }
        let e = Nik::parse("3374014101000001", Some(&OnlyNtb)).unwrap_err();
        assert_eq!(
            e.iter().map(NikError::code).collect::<Vec<_>>(),
            ["nik.prefix_unknown"]
        );
        assert!(Nik::parse("5203014101000001", Some(&OnlyNtb)).is_ok());
    }

    #[test]
    fn recorded_data_mismatches() {
        let nik = ok("5203025205900001"); // woman, 12-05-90
        assert!(
            nik.check_recorded(Some(ymd(1990, 5, 12)), Some(Sex::Female))
                .is_empty()
        );
        assert!(nik.check_recorded(None, None).is_empty());
        // Both centuries count as a match for the year.
        assert!(nik.check_recorded(Some(ymd(2090, 5, 12)), None).is_empty());
        let codes = |w: Vec<NikWarning>| w.iter().map(NikWarning::code).collect::<Vec<_>>();
        assert_eq!(
            codes(nik.check_recorded(Some(ymd(1990, 6, 12)), None)),
            ["nik.birth_day_month_mismatch"]
        );
        assert_eq!(
            codes(nik.check_recorded(Some(ymd(1991, 5, 12)), None)),
            ["nik.birth_year_mismatch"]
        );
        // Same last two digits but a different century is still a mismatch: 1890 ≠ 19/2090.
        assert_eq!(
            codes(nik.check_recorded(Some(ymd(1890, 5, 12)), None)),
            ["nik.birth_year_mismatch"]
        );
        let w = nik.check_recorded(Some(ymd(1989, 12, 1)), Some(Sex::Male));
        assert_eq!(
            codes(w.clone()),
            [
                "nik.birth_day_month_mismatch",
                "nik.birth_year_mismatch",
                "nik.sex_mismatch"
            ]
        );
        assert!(
            w[0].to_string().contains("(12-05)") && w[0].to_string().contains("01-12-1989"),
            "{}",
            w[0]
        );
        assert!(w[1].to_string().contains("1990 atau 2090"), "{}", w[1]);
        assert_eq!(
            w[2].to_string(),
            "jenis kelamin pada NIK (perempuan) berbeda dengan jenis kelamin tercatat (laki-laki)"
        );
    }

    #[test]
    fn sex_parsing() {
        assert_eq!(Sex::parse("L"), Some(Sex::Male));
        assert_eq!(Sex::parse("Laki-Laki"), Some(Sex::Male));
        assert_eq!(Sex::parse(" perempuan "), Some(Sex::Female));
        assert_eq!(Sex::parse("P"), Some(Sex::Female));
        assert_eq!(Sex::parse("1"), None);
        assert_eq!(Sex::parse("LAKI - LAKI\u{a0}"), Some(Sex::Male));
        assert_eq!(Sex::parse("Wanita."), Some(Sex::Female));
        assert_eq!(Sex::parse("perempuanperempuan"), None);
        assert_eq!(Sex::parse("Pérempuan"), None);
        assert_eq!(Sex::parse(""), None);
        assert_eq!(Sex::Female.to_string(), "Perempuan");
    }

    #[test]
    fn from_str_and_serde_strings() {
        let nik: Nik = "52.03.02.520590.0001".parse().unwrap();
        assert_eq!(String::from(nik.clone()), "5203025205900001");
        assert_eq!(Nik::try_from("5203025205900001".to_string()).unwrap(), nik);
        assert_eq!(
            "5203023102900001".parse::<Nik>().unwrap_err().code(),
            "nik.no_such_date"
        );
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, StringDeserializer};
        let de: StringDeserializer<DeError> = "5203025205900001".to_string().into_deserializer();
        assert_eq!(Nik::deserialize(de).unwrap(), nik);
        let de: StringDeserializer<DeError> = "5203025205900000".to_string().into_deserializer();
        assert!(Nik::deserialize(de).is_err());
    }
}
