//! Calendar dates as people write them in Indonesian lists: ISO (`1985-05-12`), day first
//! with `-`, `/` or `.` (`12-05-1985`, `12/05/1985`, `12.05.1985`), or with the month's name
//! in Indonesian or English, abbreviated or not (`12 Mei 1985`, `3 Agt. 1990`,
//! `17 Agustus 1945`, `May 12, 1985`). A two-digit year is refused: its century is a guess.

use chrono::NaiveDate;
use thiserror::Error;

use crate::msg::{Localized, Msg};
use crate::period::MONTH_ALIASES;

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("tanggal kosong")]
    Empty,
    #[error(
        "\"{value}\" bukan tanggal; tulis TTTT-BB-HH, HH-BB-TTTT, HH/BB/TTTT atau mis. 17 Agustus 1945"
    )]
    Unrecognized { value: String },
    #[error(
        "\"{value}\": tahun hanya dua angka, abadnya tidak jelas; tulis tahun lengkap empat angka (mis. 1985)"
    )]
    TwoDigitYear { value: String },
    #[error("\"{value}\": tanggal itu tidak ada di kalender")]
    NoSuchDate { value: String },
    #[error("\"{value}\": bulan \"{month}\" tidak dikenal")]
    UnknownMonth { value: String, month: String },
}

impl DateError {
    pub fn code(&self) -> &'static str {
        match self {
            DateError::Empty => "date.empty",
            DateError::Unrecognized { .. } => "date.unrecognized",
            DateError::TwoDigitYear { .. } => "date.two_digit_year",
            DateError::NoSuchDate { .. } => "date.no_such_date",
            DateError::UnknownMonth { .. } => "date.unknown_month",
        }
    }
}

impl Localized for DateError {
    fn msg(&self) -> Msg {
        let m = Msg::new(self.code());
        match self {
            DateError::Empty => m,
            DateError::Unrecognized { value }
            | DateError::TwoDigitYear { value }
            | DateError::NoSuchDate { value } => m.arg("value", value),
            DateError::UnknownMonth { value, month } => m.arg("value", value).arg("month", month),
        }
    }
}

/// Reads a date (see the module documentation for the forms).
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let value = input.trim();
    if value.is_empty() {
        return Err(DateError::Empty);
    }
    // Exports often add a midnight time ("1985-05-12 00:00:00"); the date is what counts.
    let value = strip_time(value);
    let unrecognized = || DateError::Unrecognized {
        value: value.to_string(),
    };
    let tokens: Vec<&str> = value
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | '.' | ','))
        .filter(|t| !t.is_empty())
        .collect();
    let [a, b, c] = tokens[..] else {
        return Err(unrecognized());
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let (day, month, year) = if [a, b, c].into_iter().all(digits) {
        // All numbers: one separator only, used twice ("12-05/1985" is not a date).
        let separators: Vec<char> = value.chars().filter(|c| !c.is_ascii_digit()).collect();
        let sep = separators.iter().find(|c| !c.is_whitespace());
        if sep.is_none_or(|s| separators.iter().any(|c| !c.is_whitespace() && c != s)) {
            return Err(unrecognized());
        }
        if a.len() == 4 {
            (c, month_number(b).ok_or_else(unrecognized)?, a)
        } else {
            (a, month_number(b).ok_or_else(unrecognized)?, c)
        }
    } else if digits(a) && digits(c) {
        (a, month_name(value, b)?, c) // 12 Mei 1985
    } else if digits(b) && digits(c) {
        (b, month_name(value, a)?, c) // May 12, 1985
    } else {
        return Err(unrecognized());
    };
    if !(1..=2).contains(&day.len()) {
        return Err(unrecognized());
    }
    let year: i32 = match year.len() {
        4 => year.parse().map_err(|_| unrecognized())?,
        1 | 2 => {
            return Err(DateError::TwoDigitYear {
                value: value.to_string(),
            });
        }
        _ => return Err(unrecognized()),
    };
    let day: u32 = day.parse().map_err(|_| unrecognized())?;
    NaiveDate::from_ymd_opt(year, month, day)
        .filter(|_| year >= 1000)
        .ok_or_else(|| DateError::NoSuchDate {
            value: value.to_string(),
        })
}

/// `value` without a trailing ` HH:MM` or ` HH:MM:SS` (any other text is left whole).
fn strip_time(value: &str) -> &str {
    let Some((date, time)) = value.rsplit_once(' ') else {
        return value;
    };
    let parts: Vec<&str> = time.split(':').collect();
    let is_time = (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    if is_time { date.trim_end() } else { value }
}

/// `05` or `5`; 0 and 13.. are not months (named as an impossible date by the caller).
fn month_number(t: &str) -> Option<u32> {
    if (1..=2).contains(&t.len()) {
        t.parse().ok()
    } else {
        None
    }
}

fn month_name(value: &str, t: &str) -> Result<u32, DateError> {
    let folded = t.to_lowercase();
    MONTH_ALIASES
        .iter()
        .position(|aliases| aliases.contains(&folded.as_str()))
        .map(|i| i as u32 + 1)
        .ok_or_else(|| DateError::UnknownMonth {
            value: value.to_string(),
            month: t.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn code(s: &str) -> &'static str {
        parse_date(s).unwrap_err().code()
    }

    #[test]
    fn reads_the_numeric_forms() {
        assert_eq!(parse_date("1985-05-12"), Ok(d(1985, 5, 12)));
        assert_eq!(parse_date("12-05-1985"), Ok(d(1985, 5, 12)));
        assert_eq!(parse_date("12/05/1985"), Ok(d(1985, 5, 12)));
        assert_eq!(parse_date("12.05.1985"), Ok(d(1985, 5, 12)));
        assert_eq!(parse_date("5/7/1990"), Ok(d(1990, 7, 5)));
        assert_eq!(parse_date("  05-07-1990\t"), Ok(d(1990, 7, 5)));
        assert_eq!(parse_date("2025-1-9"), Ok(d(2025, 1, 9)));
        assert_eq!(parse_date("1985-05-12 00:00:00"), Ok(d(1985, 5, 12)));
        assert_eq!(parse_date("12/05/1985 0:00"), Ok(d(1985, 5, 12)));
    }

    #[test]
    fn reads_month_names_in_indonesian_and_english() {
        assert_eq!(parse_date("12 Mei 1985"), Ok(d(1985, 5, 12)));
        assert_eq!(parse_date("3 Agt 1990"), Ok(d(1990, 8, 3)));
        assert_eq!(parse_date("3 Agt. 1990"), Ok(d(1990, 8, 3)));
        assert_eq!(parse_date("17 Agustus 1945"), Ok(d(1945, 8, 17)));
        assert_eq!(parse_date("17-AGUSTUS-1945"), Ok(d(1945, 8, 17)));
        assert_eq!(parse_date("1 Nop 2001"), Ok(d(2001, 11, 1)));
        assert_eq!(parse_date("12 May 1985"), Ok(d(1985, 5, 12)));
        assert_eq!(parse_date("May 12, 1985"), Ok(d(1985, 5, 12)));
        assert_eq!(parse_date("30 Sept. 2024"), Ok(d(2024, 9, 30)));
        assert_eq!(parse_date("1 Desember 2024"), Ok(d(2024, 12, 1)));
        assert_eq!(code("12 Mai 1985"), "date.unknown_month");
        let e = parse_date("12 Mai 1985").unwrap_err().msg();
        assert_eq!(e.get("month"), Some(&crate::MsgArg::Text("Mai".into())));
    }

    #[test]
    fn leap_days_and_impossible_dates() {
        assert_eq!(parse_date("29-02-2024"), Ok(d(2024, 2, 29)));
        assert_eq!(parse_date("29-02-2000"), Ok(d(2000, 2, 29)));
        assert_eq!(code("29-02-2023"), "date.no_such_date");
        assert_eq!(code("29-02-1900"), "date.no_such_date");
        assert_eq!(code("31-04-2024"), "date.no_such_date");
        assert_eq!(code("31 April 2024"), "date.no_such_date");
        assert_eq!(code("00-05-1985"), "date.no_such_date");
        assert_eq!(code("12-00-1985"), "date.no_such_date");
        assert_eq!(code("12-13-1985"), "date.no_such_date");
        assert_eq!(code("1985-02-30"), "date.no_such_date");
        assert_eq!(code("01-01-0000"), "date.no_such_date");
    }

    #[test]
    fn two_digit_years_are_refused_with_their_reason() {
        assert_eq!(code("12-05-85"), "date.two_digit_year");
        assert_eq!(code("12/05/85"), "date.two_digit_year");
        assert_eq!(code("3 Agt 90"), "date.two_digit_year");
        let e = parse_date(" 12.05.85 ").unwrap_err();
        assert_eq!(e.msg().key, "date.two_digit_year");
        assert_eq!(
            e.msg().get("value"),
            Some(&crate::MsgArg::Text("12.05.85".into()))
        );
    }

    #[test]
    fn other_text_is_not_a_date() {
        assert_eq!(parse_date("   "), Err(DateError::Empty));
        for s in [
            "kemarin",
            "12-05",
            "12-05/1985",
            "1985-05-12-01",
            "123-05-1985",
            "12-005-1985",
            "12-05-19850",
            "12 1985",
            "Mei Juni 1985",
            "1985.05.12 x",
        ] {
            assert_eq!(code(s), "date.unrecognized", "{s}");
        }
    }
}
