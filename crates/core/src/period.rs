//! Reporting periods: a year, a quarter (*triwulan*, the DTSEN and e-Monev rhythm) or a month.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::msg::{Localized, Msg};

/// Years are kept to four digits so the canonical text sorts and reads the same everywhere.
pub const MIN_YEAR: i32 = 1000;
pub const MAX_YEAR: i32 = 9999;

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// Accepted month spellings (Indonesian, English, common abbreviations), index + 1 = month.
pub(crate) const MONTH_ALIASES: [&[&str]; 12] = [
    &["januari", "january", "jan"],
    &["februari", "pebruari", "february", "feb", "peb"],
    &["maret", "march", "mar"],
    &["april", "apr"],
    &["mei", "may"],
    &["juni", "june", "jun"],
    &["juli", "july", "jul"],
    &["agustus", "august", "agu", "agt", "ags", "aug"],
    &["september", "sept", "sep"],
    &["oktober", "october", "okt", "oct"],
    &["november", "nopember", "nov", "nop"],
    &["desember", "december", "des", "dec"],
];

const QUARTER_MARKERS: [&str; 6] = ["q", "tw", "trw", "triwulan", "kuartal", "quarter"];

/// Words that carry no information: "Triwulan ke-3 Tahun 2025".
const FILLERS: [&str; 5] = ["ke", "tahun", "th", "thn", "ta"];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    #[error("periode kosong")]
    Empty,
    #[error(
        "periode \"{value}\" tidak dikenali; gunakan bentuk seperti 2025, 2025-Q3, \
         Triwulan III 2025, 2025-03 atau Maret 2025"
    )]
    Unrecognized { value: String },
    #[error("periode \"{value}\": tahun {year} di luar rentang 1000–9999")]
    YearOutOfRange { value: String, year: i32 },
    #[error("periode \"{value}\": triwulan {quarter} tidak ada, hanya ada triwulan I sampai IV")]
    QuarterOutOfRange { value: String, quarter: String },
    #[error("periode \"{value}\": bulan {month} tidak ada, hanya ada bulan 1 sampai 12")]
    MonthOutOfRange { value: String, month: u32 },
    #[error("periode \"{value}\" bukan triwulan; yang diminta triwulan, mis. 2025-Q3")]
    NotQuarter { value: String },
}

impl PeriodError {
    pub fn code(&self) -> &'static str {
        match self {
            PeriodError::Empty => "period.empty",
            PeriodError::Unrecognized { .. } => "period.unrecognized",
            PeriodError::YearOutOfRange { .. } => "period.year_range",
            PeriodError::QuarterOutOfRange { .. } => "period.quarter_range",
            PeriodError::MonthOutOfRange { .. } => "period.month_range",
            PeriodError::NotQuarter { .. } => "period.not_quarter",
        }
    }
}

impl Localized for PeriodError {
    fn msg(&self) -> Msg {
        let m = Msg::new(self.code());
        match self {
            PeriodError::Empty => m,
            PeriodError::Unrecognized { value } | PeriodError::NotQuarter { value } => {
                m.arg("value", value)
            }
            PeriodError::YearOutOfRange { value, year } => m.arg("value", value).arg("year", year),
            PeriodError::QuarterOutOfRange { value, quarter } => {
                m.arg("value", value).arg("quarter", quarter)
            }
            PeriodError::MonthOutOfRange { value, month } => {
                m.arg("value", value).arg("month", month)
            }
        }
    }
}

/// A calendar year, quarter (1–4) or month (1–12).
///
/// Build values with [`Period::year`], [`Period::quarter`], [`Period::month`] or by parsing;
/// the variants are public for matching. Ordering is chronological by start date, and a longer
/// period sorts before the shorter ones starting on the same day (2025, 2025-Q1, 2025-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
    Month(i32, u8),
}

fn check_year(value: impl Fn() -> String, year: i32) -> Result<i32, PeriodError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(year)
    } else {
        Err(PeriodError::YearOutOfRange {
            value: value(),
            year,
        })
    }
}

fn first_of_month(year: i32, month: u8) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, u32::from(month), 1)
        .unwrap_or_else(|| panic!("invalid period fields: {year}-{month}"))
}

fn last_of_month(year: i32, month: u8) -> NaiveDate {
    let next = if month == 12 {
        first_of_month(year + 1, 1)
    } else {
        first_of_month(year, month + 1)
    };
    next.pred_opt()
        .expect("a first of month has a day before it")
}

impl Period {
    pub fn year(year: i32) -> Result<Period, PeriodError> {
        check_year(|| year.to_string(), year).map(Period::Year)
    }

    pub fn quarter(year: i32, quarter: u8) -> Result<Period, PeriodError> {
        let value = || format!("{year}-Q{quarter}");
        check_year(value, year)?;
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::QuarterOutOfRange {
                value: value(),
                quarter: quarter.to_string(),
            });
        }
        Ok(Period::Quarter(year, quarter))
    }

    pub fn month(year: i32, month: u8) -> Result<Period, PeriodError> {
        let value = || format!("{year}-{month:02}");
        check_year(value, year)?;
        if !(1..=12).contains(&month) {
            return Err(PeriodError::MonthOutOfRange {
                value: value(),
                month: u32::from(month),
            });
        }
        Ok(Period::Month(year, month))
    }

    pub fn year_of(date: NaiveDate) -> Period {
        Period::Year(date.year())
    }

    pub fn quarter_of(date: NaiveDate) -> Period {
        Period::Quarter(date.year(), quarter_of_month(date.month()))
    }

    pub fn month_of(date: NaiveDate) -> Period {
        Period::Month(date.year(), date.month() as u8)
    }

    /// Reads `2025`, `2025-Q3`, `2025Q3`, `Q3 2025`, `TW III 2025`, `Triwulan III 2025`,
    /// `Triwulan ke-3 Tahun 2025`, `2025-03`, `03/2025`, `Maret 2025`, `Mar 2025`.
    pub fn parse(input: &str) -> Result<Period, PeriodError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(PeriodError::Empty);
        }
        let unrecognized = || PeriodError::Unrecognized {
            value: value.to_string(),
        };
        let tokens: Vec<String> = tokenize(value)
            .into_iter()
            .filter(|t| !FILLERS.contains(&t.as_str()))
            .collect();
        let toks: Vec<&str> = tokens.iter().map(String::as_str).collect();
        let year = |t: &str| -> Result<i32, PeriodError> {
            let y = parse_year_token(t).ok_or_else(unrecognized)?;
            check_year(|| value.to_string(), y)
        };
        let quarter = |t: &str| -> Result<u8, PeriodError> {
            let out_of_range = || PeriodError::QuarterOutOfRange {
                value: value.to_string(),
                quarter: t.to_uppercase(),
            };
            match roman_or_number(t) {
                Some(q @ 1..=4) => Ok(q as u8),
                Some(_) => Err(out_of_range()),
                None => Err(unrecognized()),
            }
        };
        let numeric_month = |t: &str| -> Result<u8, PeriodError> {
            let m: u32 = t.parse().map_err(|_| unrecognized())?;
            if (1..=12).contains(&m) {
                Ok(m as u8)
            } else {
                Err(PeriodError::MonthOutOfRange {
                    value: value.to_string(),
                    month: m,
                })
            }
        };
        let is_year = |t: &str| parse_year_token(t).is_some();
        let is_qmark = |t: &str| QUARTER_MARKERS.contains(&t);
        let is_short_num =
            |t: &str| (1..=2).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
        match toks.as_slice() {
            [y] if is_year(y) => Ok(Period::Year(year(y)?)),
            [y, m, q] | [m, q, y] if is_year(y) && is_qmark(m) => {
                Ok(Period::Quarter(year(y)?, quarter(q)?))
            }
            [y, name] | [name, y] if is_year(y) && month_by_name(name).is_some() => Ok(
                Period::Month(year(y)?, month_by_name(name).expect("checked")),
            ),
            [y, m] if is_year(y) && is_short_num(m) => {
                Ok(Period::Month(year(y)?, numeric_month(m)?))
            }
            [m, y] if is_year(y) && is_short_num(m) => {
                Ok(Period::Month(year(y)?, numeric_month(m)?))
            }
            _ => Err(unrecognized()),
        }
    }

    /// The calendar year the period lies in.
    pub fn calendar_year(&self) -> i32 {
        match *self {
            Period::Year(y) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    fn first_month(&self) -> u8 {
        match *self {
            Period::Year(_) => 1,
            Period::Quarter(_, q) => (q - 1) * 3 + 1,
            Period::Month(_, m) => m,
        }
    }

    fn last_month(&self) -> u8 {
        match *self {
            Period::Year(_) => 12,
            Period::Quarter(_, q) => q * 3,
            Period::Month(_, m) => m,
        }
    }

    /// First day.
    ///
    /// # Panics
    /// If the period was built directly with an out-of-range quarter or month.
    pub fn start(&self) -> NaiveDate {
        first_of_month(self.calendar_year(), self.first_month())
    }

    /// Last day, inclusive.
    ///
    /// # Panics
    /// If the period was built directly with an out-of-range quarter or month.
    pub fn end(&self) -> NaiveDate {
        last_of_month(self.calendar_year(), self.last_month())
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        let m = date.month() as u8;
        date.year() == self.calendar_year() && (self.first_month()..=self.last_month()).contains(&m)
    }

    /// True when `other` lies inside this period (or is it).
    pub fn covers(&self, other: &Period) -> bool {
        self.calendar_year() == other.calendar_year()
            && self.first_month() <= other.first_month()
            && other.last_month() <= self.last_month()
    }

    /// Month → quarter → year → none.
    pub fn parent(&self) -> Option<Period> {
        match *self {
            Period::Year(_) => None,
            Period::Quarter(y, _) => Some(Period::Year(y)),
            Period::Month(y, m) => Some(Period::Quarter(y, quarter_of_month(u32::from(m)))),
        }
    }

    pub fn quarters_of_year(year: i32) -> [Period; 4] {
        [1, 2, 3, 4].map(|q| Period::Quarter(year, q))
    }

    /// The months this period spans.
    pub fn months(&self) -> Vec<Period> {
        (self.first_month()..=self.last_month())
            .map(|m| Period::Month(self.calendar_year(), m))
            .collect()
    }

    /// The following period of the same length; `None` past year 9999.
    pub fn next(&self) -> Option<Period> {
        let p = match *self {
            Period::Year(y) => Period::Year(y + 1),
            Period::Quarter(y, 4) => Period::Quarter(y + 1, 1),
            Period::Quarter(y, q) => Period::Quarter(y, q + 1),
            Period::Month(y, 12) => Period::Month(y + 1, 1),
            Period::Month(y, m) => Period::Month(y, m + 1),
        };
        (p.calendar_year() <= MAX_YEAR).then_some(p)
    }

    /// The preceding period of the same length; `None` before year 1000.
    pub fn prev(&self) -> Option<Period> {
        let p = match *self {
            Period::Year(y) => Period::Year(y - 1),
            Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
            Period::Quarter(y, q) => Period::Quarter(y, q - 1),
            Period::Month(y, 1) => Period::Month(y - 1, 12),
            Period::Month(y, m) => Period::Month(y, m - 1),
        };
        (p.calendar_year() >= MIN_YEAR).then_some(p)
    }

    /// Indonesian label for reports: "Tahun 2025", "Triwulan III 2025", "Maret 2025".
    pub fn label_id(&self) -> String {
        match *self {
            Period::Year(y) => format!("Tahun {y}"),
            Period::Quarter(y, q) => format!("Triwulan {} {y}", ROMAN[usize::from(q - 1)]),
            Period::Month(y, m) => format!("{} {y}", MONTHS_ID[usize::from(m - 1)]),
        }
    }

    fn sort_key(&self) -> (i32, u8, u8) {
        let rank = match self {
            Period::Year(_) => 0,
            Period::Quarter(..) => 1,
            Period::Month(..) => 2,
        };
        (self.calendar_year(), self.first_month(), rank)
    }
}

fn quarter_of_month(month: u32) -> u8 {
    ((month - 1) / 3 + 1) as u8
}

/// Lowercase alphanumeric runs, also split where digits meet letters ("2025q3" → 2025, q, 3).
fn tokenize(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.to_lowercase().chars() {
        let boundary = cur
            .chars()
            .last()
            .is_some_and(|p| p.is_ascii_digit() != c.is_ascii_digit());
        if (!c.is_alphanumeric() || boundary) && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if c.is_alphanumeric() {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse_year_token(t: &str) -> Option<i32> {
    (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().expect("four digits"))
}

fn roman_or_number(t: &str) -> Option<u32> {
    match t {
        "i" => Some(1),
        "ii" => Some(2),
        "iii" => Some(3),
        "iv" => Some(4),
        "v" => Some(5),
        _ if t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()) => t.parse().ok(),
        _ => None,
    }
}

fn month_by_name(t: &str) -> Option<u8> {
    MONTH_ALIASES
        .iter()
        .position(|names| names.contains(&t))
        .map(|i| i as u8 + 1)
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Canonical text: `2025`, `2025-Q3`, `2025-03`.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Period::parse(&s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// A quarter and nothing else, for data that is only ever quarterly (DTSEN updates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quarter {
    year: i32,
    quarter: u8,
}

impl Quarter {
    pub fn new(year: i32, quarter: u8) -> Result<Quarter, PeriodError> {
        Period::quarter(year, quarter).map(|_| Quarter { year, quarter })
    }

    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            quarter: quarter_of_month(date.month()),
        }
    }

    /// Any quarter form [`Period::parse`] reads; a year or month is an error.
    pub fn parse(input: &str) -> Result<Quarter, PeriodError> {
        Quarter::try_from(Period::parse(input)?)
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// 1–4.
    pub fn number(&self) -> u8 {
        self.quarter
    }

    pub fn period(&self) -> Period {
        Period::Quarter(self.year, self.quarter)
    }

    pub fn start(&self) -> NaiveDate {
        self.period().start()
    }

    pub fn end(&self) -> NaiveDate {
        self.period().end()
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.period().contains(date)
    }

    pub fn label_id(&self) -> String {
        self.period().label_id()
    }

    pub fn next(&self) -> Option<Quarter> {
        self.period()
            .next()
            .map(|p| Quarter::try_from(p).expect("next of a quarter is a quarter"))
    }

    pub fn prev(&self) -> Option<Quarter> {
        self.period()
            .prev()
            .map(|p| Quarter::try_from(p).expect("prev of a quarter is a quarter"))
    }
}

impl From<Quarter> for Period {
    fn from(q: Quarter) -> Period {
        q.period()
    }
}

impl TryFrom<Period> for Quarter {
    type Error = PeriodError;
    fn try_from(p: Period) -> Result<Quarter, PeriodError> {
        match p {
            Period::Quarter(y, q) => Quarter::new(y, q),
            other => Err(PeriodError::NotQuarter {
                value: other.to_string(),
            }),
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.period().fmt(f)
    }
}

impl FromStr for Quarter {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quarter::parse(s)
    }
}

impl TryFrom<String> for Quarter {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Quarter::parse(&s)
    }
}

impl From<Quarter> for String {
    fn from(q: Quarter) -> String {
        q.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_all_forms() {
        assert_eq!(p("2025"), Period::Year(2025));
        assert_eq!(p(" Tahun 2025 "), Period::Year(2025));
        for s in [
            "2025-Q3",
            "2025Q3",
            "2025 q3",
            "Q3 2025",
            "q3-2025",
            "Q3/2025",
            "TW III 2025",
            "TW3 2025",
            "tw.iii/2025",
            "Triwulan III 2025",
            "TRIWULAN 3 2025",
            "Triwulan ke-3 Tahun 2025",
            "Kuartal III 2025",
            "2025 Triwulan III",
        ] {
            assert_eq!(p(s), Period::Quarter(2025, 3), "{s}");
        }
        for s in [
            "2025-03",
            "2025-3",
            "03/2025",
            "3-2025",
            "Maret 2025",
            "MARET 2025",
            "Mar 2025",
            "March 2025",
        ] {
            assert_eq!(p(s), Period::Month(2025, 3), "{s}");
        }
        assert_eq!(p("Agustus 2024"), Period::Month(2024, 8));
        assert_eq!(p("Agt 2024"), Period::Month(2024, 8));
        assert_eq!(p("Mei 2024"), Period::Month(2024, 5));
        assert_eq!(p("Desember 2024"), Period::Month(2024, 12));
        assert_eq!(p("2024-12"), Period::Month(2024, 12));
        assert_eq!(p("TW IV 2024"), Period::Quarter(2024, 4));
        assert_eq!(p("Q1 2024"), Period::Quarter(2024, 1));
    }

    #[test]
    fn parse_errors() {
        let code = |s: &str| Period::parse(s).unwrap_err().code();
        assert_eq!(code(""), "period.empty");
        assert_eq!(code("   "), "period.empty");
        assert_eq!(code("kemarin"), "period.unrecognized");
        assert_eq!(code("25"), "period.unrecognized");
        assert_eq!(code("20255"), "period.unrecognized");
        assert_eq!(code("2025-Q5"), "period.quarter_range");
        assert_eq!(code("TW V 2025"), "period.quarter_range");
        assert_eq!(code("Q0 2025"), "period.quarter_range");
        assert_eq!(code("2025-13"), "period.month_range");
        assert_eq!(code("2025-00"), "period.month_range");
        assert_eq!(code("0999"), "period.year_range");
        assert_eq!(code("Maret"), "period.unrecognized");
        assert_eq!(code("2025 2026"), "period.unrecognized");
        let e = Period::parse("TW V 2025").unwrap_err();
        assert_eq!(
            e.to_string(),
            "periode \"TW V 2025\": triwulan V tidak ada, hanya ada triwulan I sampai IV"
        );
        let e = Period::parse("2025-13").unwrap_err();
        assert_eq!(
            e.to_string(),
            "periode \"2025-13\": bulan 13 tidak ada, hanya ada bulan 1 sampai 12"
        );
        assert!(
            Period::parse("besok")
                .unwrap_err()
                .to_string()
                .contains("\"besok\"")
        );
    }

    #[test]
    fn constructors_validate() {
        assert_eq!(Period::quarter(2025, 3), Ok(Period::Quarter(2025, 3)));
        assert_eq!(
            Period::quarter(2025, 5).unwrap_err().code(),
            "period.quarter_range"
        );
        assert_eq!(
            Period::month(2025, 0).unwrap_err().code(),
            "period.month_range"
        );
        assert_eq!(Period::year(99).unwrap_err().code(), "period.year_range");
        assert_eq!(Period::month(2025, 12), Ok(Period::Month(2025, 12)));
    }

    #[test]
    fn display_and_labels() {
        assert_eq!(Period::Year(2025).to_string(), "2025");
        assert_eq!(Period::Quarter(2025, 3).to_string(), "2025-Q3");
        assert_eq!(Period::Month(2025, 3).to_string(), "2025-03");
        assert_eq!(Period::Year(2025).label_id(), "Tahun 2025");
        assert_eq!(Period::Quarter(2025, 3).label_id(), "Triwulan III 2025");
        assert_eq!(Period::Quarter(2025, 4).label_id(), "Triwulan IV 2025");
        assert_eq!(Period::Month(2025, 3).label_id(), "Maret 2025");
        // Canonical text and labels round-trip.
        for period in [
            Period::Year(2025),
            Period::Quarter(2025, 1),
            Period::Month(2025, 11),
        ] {
            assert_eq!(p(&period.to_string()), period);
            assert_eq!(p(&period.label_id()), period);
        }
    }

    #[test]
    fn bounds_and_contains() {
        let q1 = Period::Quarter(2024, 1);
        assert_eq!((q1.start(), q1.end()), (ymd(2024, 1, 1), ymd(2024, 3, 31)));
        let feb = Period::Month(2024, 2);
        assert_eq!(feb.end(), ymd(2024, 2, 29));
        assert_eq!(Period::Month(2025, 2).end(), ymd(2025, 2, 28));
        assert_eq!(Period::Quarter(2025, 4).end(), ymd(2025, 12, 31));
        assert_eq!(Period::Year(2025).start(), ymd(2025, 1, 1));
        assert!(q1.contains(ymd(2024, 3, 31)));
        assert!(!q1.contains(ymd(2024, 4, 1)));
        assert!(!q1.contains(ymd(2025, 1, 15)));
        assert!(Period::Year(2024).covers(&feb));
        assert!(q1.covers(&feb));
        assert!(!Period::Quarter(2024, 2).covers(&feb));
        assert!(!feb.covers(&q1));
        assert_eq!(
            Period::quarter_of(ymd(2025, 9, 30)),
            Period::Quarter(2025, 3)
        );
        assert_eq!(
            Period::quarter_of(ymd(2025, 10, 1)),
            Period::Quarter(2025, 4)
        );
        assert_eq!(Period::month_of(ymd(2025, 10, 1)), Period::Month(2025, 10));
        assert_eq!(Period::year_of(ymd(2025, 10, 1)), Period::Year(2025));
    }

    #[test]
    fn hierarchy_and_stepping() {
        assert_eq!(
            Period::Month(2025, 3).parent(),
            Some(Period::Quarter(2025, 1))
        );
        assert_eq!(
            Period::Month(2025, 4).parent(),
            Some(Period::Quarter(2025, 2))
        );
        assert_eq!(
            Period::Month(2025, 12).parent(),
            Some(Period::Quarter(2025, 4))
        );
        assert_eq!(Period::Quarter(2025, 3).parent(), Some(Period::Year(2025)));
        assert_eq!(Period::Year(2025).parent(), None);
        assert_eq!(
            Period::quarters_of_year(2025).map(|q| q.to_string()),
            ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
        );
        assert_eq!(
            Period::Quarter(2025, 2).months(),
            vec![
                Period::Month(2025, 4),
                Period::Month(2025, 5),
                Period::Month(2025, 6)
            ]
        );
        assert_eq!(Period::Year(2025).months().len(), 12);
        assert_eq!(
            Period::Quarter(2025, 4).next(),
            Some(Period::Quarter(2026, 1))
        );
        assert_eq!(
            Period::Quarter(2025, 1).prev(),
            Some(Period::Quarter(2024, 4))
        );
        assert_eq!(Period::Month(2025, 12).next(), Some(Period::Month(2026, 1)));
        assert_eq!(Period::Month(2025, 1).prev(), Some(Period::Month(2024, 12)));
        assert_eq!(Period::Year(2025).next(), Some(Period::Year(2026)));
        assert_eq!(Period::Year(MAX_YEAR).next(), None);
        assert_eq!(Period::Month(MIN_YEAR, 1).prev(), None);
    }

    #[test]
    fn ordering_is_chronological() {
        let mut v = [
            Period::Month(2025, 4),
            Period::Quarter(2025, 2),
            Period::Month(2025, 3),
            Period::Year(2026),
            Period::Month(2024, 12),
            Period::Quarter(2025, 1),
            Period::Year(2025),
            Period::Month(2025, 1),
        ];
        v.sort();
        let s: Vec<String> = v.iter().map(Period::to_string).collect();
        assert_eq!(
            s,
            [
                "2024-12", "2025", "2025-Q1", "2025-01", "2025-03", "2025-Q2", "2025-04", "2026"
            ]
        );
        assert!(Period::Quarter(2025, 4) < Period::Quarter(2026, 1));
        assert_ne!(
            Period::Year(2025).cmp(&Period::Quarter(2025, 1)),
            Ordering::Equal
        );
    }

    #[test]
    fn quarter_type() {
        let q = Quarter::parse("TW III 2025").unwrap();
        assert_eq!((q.year(), q.number()), (2025, 3));
        assert_eq!(q.to_string(), "2025-Q3");
        assert_eq!(q.label_id(), "Triwulan III 2025");
        assert_eq!(Period::from(q), Period::Quarter(2025, 3));
        assert_eq!(q.start(), ymd(2025, 7, 1));
        assert_eq!(q.end(), ymd(2025, 9, 30));
        assert!(q.contains(ymd(2025, 8, 17)));
        assert_eq!(q.next().unwrap().to_string(), "2025-Q4");
        assert_eq!(q.next().unwrap().next().unwrap().to_string(), "2026-Q1");
        assert_eq!(
            Quarter::parse("2025Q1")
                .unwrap()
                .prev()
                .unwrap()
                .to_string(),
            "2024-Q4"
        );
        assert_eq!(Quarter::of(ymd(2025, 12, 31)).to_string(), "2025-Q4");
        let e = Quarter::parse("Maret 2025").unwrap_err();
        assert_eq!(e.code(), "period.not_quarter");
        assert!(e.to_string().contains("\"2025-03\" bukan triwulan"));
        assert_eq!(
            Quarter::new(2025, 0).unwrap_err().code(),
            "period.quarter_range"
        );
        assert!(Quarter::parse("2024-Q4").unwrap() < q);
    }

    #[test]
    fn serde_uses_canonical_text() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, StrDeserializer};
        let de: StrDeserializer<DeError> = "Triwulan III 2025".into_deserializer();
        assert_eq!(Period::deserialize(de).unwrap(), Period::Quarter(2025, 3));
        let de: StrDeserializer<DeError> = "2025-03".into_deserializer();
        assert!(Quarter::deserialize(de).is_err());
        assert_eq!(String::from(Period::Month(2025, 3)), "2025-03");
    }
}
