//! Shared parsing for the two 16-digit population numbers, NIK and No. KK.
//! Both are `PP KK CC DDMMYY SSSS`; they differ only in what the date means.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::msg::{Localized, Msg};
use crate::region::{Level, RegionCode};

/// Raw text of a NIK or No. KK as it came in, plus whether the source cell was numeric.
///
/// Excel keeps only 15 significant digits, so a 16-digit number typed into a numeric cell has
/// already lost its last digit (it becomes 0). The text alone cannot show that, because a real
/// serial may end in 0; only the cell type tells, so importers pass it here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdInput<'a> {
    pub text: &'a str,
    pub from_numeric_cell: bool,
}

impl<'a> IdInput<'a> {
    /// Text typed by a person or read from a text cell.
    pub fn text(text: &'a str) -> Self {
        IdInput {
            text,
            from_numeric_cell: false,
        }
    }

    /// Value read from a spreadsheet cell stored as a number: always rejected.
    pub fn numeric_cell(text: &'a str) -> Self {
        IdInput {
            text,
            from_numeric_cell: true,
        }
    }
}

impl<'a> From<&'a str> for IdInput<'a> {
    fn from(text: &'a str) -> Self {
        IdInput::text(text)
    }
}

impl<'a> From<&'a String> for IdInput<'a> {
    fn from(text: &'a String) -> Self {
        IdInput::text(text)
    }
}

/// How we can tell that a spreadsheet stored the number as a number instead of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExcelDamage {
    /// The caller says the cell was numeric.
    NumericCell,
    /// `5.2E+15`, `5,20302E+15`.
    ScientificNotation,
    /// `5203025205900001.0`.
    DecimalPart,
    /// `5.203.025.205.900.001` or `5,203,025,205,900,001`.
    ThousandsSeparators,
}

impl ExcelDamage {
    pub fn code(&self) -> &'static str {
        match self {
            ExcelDamage::NumericCell => "excel.numeric_cell",
            ExcelDamage::ScientificNotation => "excel.scientific_notation",
            ExcelDamage::DecimalPart => "excel.decimal_part",
            ExcelDamage::ThousandsSeparators => "excel.thousands_separators",
        }
    }
}

impl Localized for ExcelDamage {
    /// A phrase inside the NIK/KK message ("… tertulis dalam notasi ilmiah …").
    fn msg(&self) -> Msg {
        Msg::new(self.code())
    }
}

impl fmt::Display for ExcelDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExcelDamage::NumericCell => "berasal dari sel berformat angka",
            ExcelDamage::ScientificNotation => "tertulis dalam notasi ilmiah (seperti 5,2E+15)",
            ExcelDamage::DecimalPart => "memiliki angka desimal di belakang koma",
            ExcelDamage::ThousandsSeparators => "memakai pemisah ribuan",
        })
    }
}

/// Why the raw text could not even be reduced to digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CleanProblem {
    Empty,
    Excel(ExcelDamage),
    NotDigit(char),
    Length(usize),
}

/// The input with surrounding whitespace and a leading apostrophe removed, for messages.
pub(crate) fn shown(input: &IdInput<'_>) -> String {
    strip_apostrophe(input.text.trim()).to_string()
}

fn strip_apostrophe(s: &str) -> &str {
    // Excel's text marker; the curly forms come from word processors.
    s.trim_start_matches(['\'', '\u{2018}', '\u{2019}', '`'])
        .trim_start()
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}'
    )
}

/// Reduces raw input to exactly 16 ASCII digits, or says why it cannot.
pub(crate) fn clean<'a>(input: &IdInput<'a>) -> Result<Cow<'a, str>, CleanProblem> {
    let s = strip_apostrophe(input.text.trim());
    if s.is_empty() {
        return Err(CleanProblem::Empty);
    }
    if input.from_numeric_cell {
        return Err(CleanProblem::Excel(ExcelDamage::NumericCell));
    }
    // The usual case, already clean: nothing below would change or refuse it.
    if s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Cow::Borrowed(s));
    }
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(damage) = excel_damage(&compact) {
        return Err(CleanProblem::Excel(damage));
    }
    let digits: String = compact
        .chars()
        .filter(|c| *c != '.' && !is_dash(*c))
        .collect();
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(CleanProblem::NotDigit(bad));
    }
    if digits.len() != 16 {
        return Err(CleanProblem::Length(digits.len()));
    }
    Ok(Cow::Owned(digits))
}

/// Whether `input` cleans to a number of sound structure: what `parse(..).is_ok()` of NIK
/// and No. KK say, without building the value (linkage asks it of every record).
pub(crate) fn is_valid(input: &IdInput<'_>, female_offset: bool) -> bool {
    clean(input).is_ok_and(|digits| check_structure(&digits, female_offset).is_empty())
}

/// Recognises the shapes Excel gives a long number. Run before dots are stripped, since
/// `5.2E+15` without its dot would just look like a typo.
fn excel_damage(s: &str) -> Option<ExcelDamage> {
    if is_scientific(s) {
        return Some(ExcelDamage::ScientificNotation);
    }
    if let Some((int, frac)) = s.split_once(['.', ',']) {
        let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        // A NIK written with separators never has 15+ digits before the first one.
        if int.len() >= 15 && all_digits(int) && all_digits(frac) {
            return Some(ExcelDamage::DecimalPart);
        }
    }
    if is_thousands_grouped(s) {
        return Some(ExcelDamage::ThousandsSeparators);
    }
    None
}

fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let (int, frac) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    // Excel always writes one integer digit and a short exponent: 5,20302E+15.
    int.len() == 1 && digits(int) && digits(frac) && (1..=2).contains(&exp.len()) && digits(exp)
}

fn is_thousands_grouped(s: &str) -> bool {
    let Some(sep) = s.chars().find(|c| *c == '.' || *c == ',') else {
        return false;
    };
    let groups: Vec<&str> = s.split(sep).collect();
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let total: usize = groups.iter().map(|g| g.len()).sum();
    groups.len() >= 5
        && (1..=3).contains(&groups[0].len())
        && groups.iter().all(|g| digits(g))
        && groups[1..].iter().all(|g| g.len() == 3)
        && (15..=16).contains(&total)
}

/// A structural defect in 16 well-formed digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StructProblem {
    ZeroPart(Level),
    Day(u8),
    Month(u8),
    NoSuchDate { day: u8, month: u8, yy: u8 },
    ZeroSerial,
}

/// The fields of `PP KK CC DDMMYY SSSS`, with the day as written (NIK women: +40).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fields {
    pub day_raw: u8,
    pub month: u8,
    pub yy: u8,
    pub serial: u16,
}

fn two(d: &str, at: usize) -> u8 {
    d[at..at + 2]
        .parse()
        .expect("cleaned input is ASCII digits")
}

pub(crate) fn fields(digits: &str) -> Fields {
    Fields {
        day_raw: two(digits, 6),
        month: two(digits, 8),
        yy: two(digits, 10),
        serial: digits[12..16]
            .parse()
            .expect("cleaned input is ASCII digits"),
    }
}

/// Checks everything that makes 16 digits structurally impossible. `female_offset` is true for
/// NIK (women's birth day + 40) and false for No. KK.
pub(crate) fn check_structure(digits: &str, female_offset: bool) -> Vec<StructProblem> {
    let mut out = Vec::new();
    for (level, at) in [
        (Level::Provinsi, 0),
        (Level::KabKota, 2),
        (Level::Kecamatan, 4),
    ] {
        if two(digits, at) == 0 {
            out.push(StructProblem::ZeroPart(level));
        }
    }
    let f = fields(digits);
    let day = match f.day_raw {
        d @ 1..=31 => Some(d),
        d @ 41..=71 if female_offset => Some(d - 40),
        d => {
            out.push(StructProblem::Day(d));
            None
        }
    };
    if !(1..=12).contains(&f.month) {
        out.push(StructProblem::Month(f.month));
    }
    if let Some(day) = day
        && (1..=12).contains(&f.month)
        && !date_exists(day, f.month, f.yy)
    {
        out.push(StructProblem::NoSuchDate {
            day,
            month: f.month,
            yy: f.yy,
        });
    }
    if f.serial == 0 {
        out.push(StructProblem::ZeroSerial);
    }
    out
}

/// Both readings of a two-digit year, keeping only dates that exist. 29-02-00 exists only as
/// 2000-02-29, since 1900 was not a leap year.
pub(crate) fn century_candidates(day: u8, month: u8, yy: u8) -> Vec<NaiveDate> {
    centuries(day, month, yy).collect()
}

/// Whether [`century_candidates`] is not empty, without collecting them.
fn date_exists(day: u8, month: u8, yy: u8) -> bool {
    centuries(day, month, yy).next().is_some()
}

fn centuries(day: u8, month: u8, yy: u8) -> impl Iterator<Item = NaiveDate> {
    [1900, 2000].into_iter().filter_map(move |c| {
        NaiveDate::from_ymd_opt(c + i32::from(yy), u32::from(month), u32::from(day))
    })
}

/// The kecamatan-level prefix. Only call after `check_structure` found no zero part.
pub(crate) fn prefix_region(digits: &str) -> RegionCode {
    RegionCode::parse(&digits[..6]).expect("prefix parts checked non-zero")
}

/// First four and last four digits, the form shown in the UI.
pub(crate) fn mask(digits: &str) -> String {
    format!("{}********{}", &digits[..4], &digits[12..])
}

/// `kode provinsi` etc., for messages.
/// [`part_label`] as a catalogue message.
pub(crate) fn part_msg(level: &Level) -> Msg {
    Msg::new(match level {
        Level::Provinsi => "idnum.part.provinsi",
        Level::KabKota => "idnum.part.kabkota",
        Level::Kecamatan => "idnum.part.kecamatan",
        Level::Desa => "idnum.part.desa",
    })
}

pub(crate) fn part_label(level: &Level) -> &'static str {
    match level {
        Level::Provinsi => "provinsi",
        Level::KabKota => "kabupaten/kota",
        Level::Kecamatan => "kecamatan",
        Level::Desa => "desa/kelurahan",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Result<String, CleanProblem> {
        clean(&IdInput::text(s)).map(Cow::into_owned)
    }

    #[test]
    fn cleaning_strips_separators_and_apostrophe() {
        let want = Ok("5203145205900001".to_string());
        assert_eq!(c("5203145205900001"), want);
        assert_eq!(c(" '5203145205900001 "), want);
        assert_eq!(c("\u{2019}5203145205900001"), want);
        assert_eq!(c("52.03.14.520590.0001"), want);
        assert_eq!(c("5203 1452 0590 0001"), want);
        assert_eq!(c("520314-520590-0001"), want);
        assert_eq!(c("5203\u{a0}1452\u{2013}05900001"), want);
    }

    #[test]
    fn cleaning_problems() {
        assert_eq!(c(""), Err(CleanProblem::Empty));
        assert_eq!(c("  ' "), Err(CleanProblem::Empty));
        assert_eq!(c("52031452059OOO01"), Err(CleanProblem::NotDigit('O')));
        assert_eq!(c("520314520590001"), Err(CleanProblem::Length(15)));
        assert_eq!(c("52031452059000011"), Err(CleanProblem::Length(17)));
        assert_eq!(
            clean(&IdInput::numeric_cell("5203145205900010")),
            Err(CleanProblem::Excel(ExcelDamage::NumericCell))
        );
        // An empty numeric cell is simply empty.
        assert_eq!(clean(&IdInput::numeric_cell(" ")), Err(CleanProblem::Empty));
    }

    #[test]
    fn excel_shapes() {
        let sci = Err(CleanProblem::Excel(ExcelDamage::ScientificNotation));
        for s in [
            "5.2e+15",
            "5,20101E+15",
            "5.20101410900001E15",
            "5.20302E+15",
            "5E15",
            "'5.2E+15",
            "5.2 E+15",
        ] {
            assert_eq!(c(s), sci, "{s}");
        }
        let dec = Err(CleanProblem::Excel(ExcelDamage::DecimalPart));
        for s in [
            "5201014101900001.0",
            "5201014101900001,00",
            "520101410190000.5",
        ] {
            assert_eq!(c(s), dec, "{s}");
        }
        let grouped = Err(CleanProblem::Excel(ExcelDamage::ThousandsSeparators));
        for s in ["5.203.145.205.900.010", "5,203,145,205,900,010"] {
            assert_eq!(c(s), grouped, "{s}");
        }
        // Ordinary separators are not mistaken for Excel damage.
        assert!(c("520314.520590.0001").is_ok());
        assert!(c("5203.1452.0590.0001").is_ok());
        // Letters that only look like an exponent stay a non-digit problem.
        assert_eq!(c("52031452059E0001"), Err(CleanProblem::NotDigit('E')));
    }

    #[test]
    fn structure_and_centuries() {
        assert!(check_structure("5203145205900001", true).is_empty());
        assert_eq!(
            check_structure("0000001359900000", true),
            vec![
                StructProblem::ZeroPart(Level::Provinsi),
                StructProblem::ZeroPart(Level::KabKota),
                StructProblem::ZeroPart(Level::Kecamatan),
                StructProblem::Month(59),
                StructProblem::ZeroSerial,
            ]
        );
        // Day 52 is a woman's day 12 in a NIK but impossible in a KK.
        assert_eq!(
            check_structure("5203145205900001", false),
            vec![StructProblem::Day(52)]
        );
        assert_eq!(century_candidates(29, 2, 0).len(), 1);
        assert_eq!(century_candidates(29, 2, 4).len(), 2);
        assert!(century_candidates(29, 2, 1).is_empty());
        assert!(date_exists(29, 2, 0) && !date_exists(29, 2, 1) && !date_exists(31, 4, 90));
        assert_eq!(mask("5203145205900001"), "5203********0001");
    }
}

/// Whether a NIK or No. KK cell says "none" rather than giving a number: `-`, `0`, all
/// zeros, `belum ada`, `tidak ada`, `n/a`… Such a cell is treated as empty, not as an error.
pub fn is_id_placeholder(text: &str) -> bool {
    let folded: String = strip_apostrophe(text.trim())
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if folded.is_empty() {
        // "-", "--", "–", "/", ".": punctuation only.
        return true;
    }
    if folded.bytes().all(|b| b == b'0') {
        return true;
    }
    matches!(
        folded.as_str(),
        "belumada"
            | "blmada"
            | "belumpunya"
            | "tidakada"
            | "tdkada"
            | "gakada"
            | "tidakpunya"
            | "na"
            | "null"
            | "none"
            | "nihil"
            | "kosong"
            | "x"
            | "xx"
            | "xxx"
    )
}

#[cfg(test)]
mod placeholder_tests {
    use super::is_id_placeholder;

    #[test]
    fn placeholders_are_recognised_and_numbers_are_not() {
        for s in [
            "-",
            " -- ",
            "0",
            "0000000000000000",
            "Belum Ada",
            "tidak ada",
            "N/A",
            "n.a",
            "'-",
        ] {
            assert!(is_id_placeholder(s), "{s}");
        }
        for s in ["5203014507900001", "5.2E+15", "52030", "abc"] {
            assert!(!is_id_placeholder(s), "{s}");
        }
    }
}
