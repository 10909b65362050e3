//! DTSEN welfare decile (*desil*): 1 = poorest 10 % of families, 10 = richest.
//!
//! Program thresholds (PKH desil 1–4, Sembako 1–4 or 1–5 depending on the reading) are data
//! kept elsewhere; this module only gives the vocabulary.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::msg::{Localized, Msg};

use crate::period::Quarter;

const ROMAN: [&str; 10] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];

/// Range separators, most specific first so "s.d." is not read as "s" + "d".
const RANGE_SEPARATORS: [&str; 11] = [
    "s.d.", "s/d", "s.d", "sampai", "hingga", "sd", "..", "–", "—", "-", "to",
];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DesilError {
    #[error("desil kosong")]
    Empty,
    #[error("desil \"{value}\" di luar rentang: desil hanya 1 sampai 10 (I sampai X)")]
    OutOfRange { value: String },
    #[error(
        "desil \"{value}\" tidak dikenali; tulis angka 1–10 atau angka Romawi I–X, \
         mis. 3, 03, III, Desil III atau D3"
    )]
    Unrecognized { value: String },
    #[error("rentang desil \"{value}\" tidak dikenali; tulis mis. 1-4, I–V atau Desil 1 s.d. 4")]
    RangeUnrecognized { value: String },
    #[error("rentang desil \"{value}\" terbalik: awal ({from}) lebih besar dari akhir ({to})")]
    RangeReversed {
        value: String,
        from: Desil,
        to: Desil,
    },
}

impl DesilError {
    pub fn code(&self) -> &'static str {
        match self {
            DesilError::Empty => "desil.empty",
            DesilError::OutOfRange { .. } => "desil.out_of_range",
            DesilError::Unrecognized { .. } => "desil.unrecognized",
            DesilError::RangeUnrecognized { .. } => "desil.range_unrecognized",
            DesilError::RangeReversed { .. } => "desil.range_reversed",
        }
    }
}

impl Localized for DesilError {
    fn msg(&self) -> Msg {
        let m = Msg::new(self.code());
        match self {
            DesilError::Empty => m,
            DesilError::OutOfRange { value }
            | DesilError::Unrecognized { value }
            | DesilError::RangeUnrecognized { value } => m.arg("value", value),
            DesilError::RangeReversed { value, from, to } => {
                m.arg("value", value).arg("from", from).arg("to", to)
            }
        }
    }
}

/// A decile 1..=10. Serialised as its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Desil(u8);

impl Desil {
    pub const MIN: Desil = Desil(1);
    pub const MAX: Desil = Desil(10);

    pub fn new(n: u8) -> Result<Desil, DesilError> {
        if (1..=10).contains(&n) {
            Ok(Desil(n))
        } else {
            Err(DesilError::OutOfRange {
                value: n.to_string(),
            })
        }
    }

    /// All ten, poorest first.
    pub fn all() -> impl Iterator<Item = Desil> {
        (1..=10).map(Desil)
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn roman(self) -> &'static str {
        ROMAN[usize::from(self.0 - 1)]
    }

    /// Reads `1`, `01`, `I`, `Desil I`, `desil 1`, `D1`, `D-01`.
    pub fn parse(input: &str) -> Result<Desil, DesilError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(DesilError::Empty);
        }
        let unrecognized = || DesilError::Unrecognized {
            value: value.to_string(),
        };
        let lower = value.to_lowercase();
        let seps: &[char] = &[' ', '.', '-', ':', '_'];
        let rest = match lower.strip_prefix("desil") {
            Some(rest) => rest.trim_start_matches(seps),
            None => {
                // "D" only before digits, so a lone "DI" is not taken as Desil I.
                let after_d = lower.strip_prefix('d').map(|r| r.trim_start_matches(seps));
                match after_d {
                    Some(r) if !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()) => r,
                    Some(_) => return Err(unrecognized()),
                    None => lower.as_str(),
                }
            }
        };
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            let n: u32 = rest.parse().map_err(|_| DesilError::OutOfRange {
                value: value.to_string(),
            })?;
            return u8::try_from(n)
                .ok()
                .filter(|n| (1..=10).contains(n))
                .map(Desil)
                .ok_or_else(|| DesilError::OutOfRange {
                    value: value.to_string(),
                });
        }
        ROMAN
            .iter()
            .position(|r| r.eq_ignore_ascii_case(rest))
            .map(|i| Desil(i as u8 + 1))
            .ok_or_else(unrecognized)
    }
}

/// "Desil I".
impl fmt::Display for Desil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Desil {}", self.roman())
    }
}

impl FromStr for Desil {
    type Err = DesilError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Desil::parse(s)
    }
}

impl TryFrom<u8> for Desil {
    type Error = DesilError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Desil::new(n)
    }
}

impl From<Desil> for u8 {
    fn from(d: Desil) -> u8 {
        d.0
    }
}

/// An inclusive range such as a program's eligibility band (e.g. PKH: desil 1–4).
/// Build with [`DesilRange::new`] or [`DesilRange::parse`]; a reversed range contains nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DesilRange {
    pub from: Desil,
    pub to: Desil,
}

impl DesilRange {
    pub fn new(from: Desil, to: Desil) -> Result<DesilRange, DesilError> {
        if from > to {
            return Err(DesilError::RangeReversed {
                value: format!("{}-{}", from.0, to.0),
                from,
                to,
            });
        }
        Ok(DesilRange { from, to })
    }

    pub fn contains(&self, desil: Desil) -> bool {
        self.from <= desil && desil <= self.to
    }

    pub fn iter(&self) -> impl Iterator<Item = Desil> + use<> {
        (self.from.0..=self.to.0).map(Desil)
    }

    /// Reads `1-4`, `I–V`, `1 - 4`, `D1-D4`, `Desil 1 s.d. 4`, `desil I sampai V`, or one
    /// desil as a single-value range.
    pub fn parse(input: &str) -> Result<DesilRange, DesilError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(DesilError::Empty);
        }
        let unrecognized = || DesilError::RangeUnrecognized {
            value: value.to_string(),
        };
        let lower = value.to_lowercase();
        let body = lower.strip_prefix("desil").unwrap_or(&lower).trim();
        let split = RANGE_SEPARATORS.iter().find_map(|sep| body.split_once(sep));
        let (from, to) = match split {
            Some((a, b)) => (
                Desil::parse(a).map_err(|_| unrecognized())?,
                Desil::parse(b).map_err(|_| unrecognized())?,
            ),
            None => {
                let one = Desil::parse(body).map_err(|_| unrecognized())?;
                (one, one)
            }
        };
        if from > to {
            return Err(DesilError::RangeReversed {
                value: value.to_string(),
                from,
                to,
            });
        }
        Ok(DesilRange { from, to })
    }
}

/// "Desil I–IV", or "Desil III" for a single value.
impl fmt::Display for DesilRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            self.from.fmt(f)
        } else {
            write!(f, "Desil {}–{}", self.from.roman(), self.to.roman())
        }
    }
}

impl FromStr for DesilRange {
    type Err = DesilError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DesilRange::parse(s)
    }
}

/// A desil as DTSEN gave it in one quarterly release. A family's desil moves between
/// releases, so the value is meaningless without its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DesilReading {
    pub desil: Desil,
    pub period: Quarter,
}

/// "Desil I (2025-Q3)".
impl fmt::Display for DesilReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.desil, self.period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: u8) -> Desil {
        Desil::new(n).unwrap()
    }

    #[test]
    fn parses_spellings() {
        for s in [
            "1",
            "01",
            "I",
            "i",
            "Desil I",
            "desil 1",
            "DESIL 01",
            "D1",
            "d-01",
            "Desil-I",
            " desil:1 ",
        ] {
            assert_eq!(Desil::parse(s), Ok(d(1)), "{s}");
        }
        assert_eq!(Desil::parse("X"), Ok(d(10)));
        assert_eq!(Desil::parse("Desil VIII"), Ok(d(8)));
        assert_eq!(Desil::parse("d10"), Ok(d(10)));
        assert_eq!(Desil::parse("Desil 4"), Ok(d(4)));
        assert_eq!(Desil::parse("IV"), Ok(d(4)));
        assert_eq!(Desil::parse("IX"), Ok(d(9)));
    }

    #[test]
    fn rejects_bad_values() {
        let code = |s: &str| Desil::parse(s).unwrap_err().code();
        assert_eq!(code(""), "desil.empty");
        assert_eq!(code("0"), "desil.out_of_range");
        assert_eq!(code("11"), "desil.out_of_range");
        assert_eq!(code("99999999999999999999"), "desil.out_of_range");
        assert_eq!(code("D0"), "desil.out_of_range");
        assert_eq!(code("XI"), "desil.unrecognized");
        assert_eq!(code("DI"), "desil.unrecognized");
        assert_eq!(code("miskin"), "desil.unrecognized");
        assert_eq!(code("-1"), "desil.unrecognized");
        assert_eq!(Desil::new(11).unwrap_err().code(), "desil.out_of_range");
        assert_eq!(
            Desil::parse("11").unwrap_err().to_string(),
            "desil \"11\" di luar rentang: desil hanya 1 sampai 10 (I sampai X)"
        );
    }

    #[test]
    fn display_and_conversions() {
        assert_eq!(d(1).to_string(), "Desil I");
        assert_eq!(d(4).to_string(), "Desil IV");
        assert_eq!(d(10).to_string(), "Desil X");
        assert_eq!(d(7).roman(), "VII");
        assert_eq!(u8::from(d(7)), 7);
        assert_eq!(
            Desil::try_from(0u8).unwrap_err().code(),
            "desil.out_of_range"
        );
        assert_eq!(Desil::all().count(), 10);
        assert!(Desil::all().all(|x| Desil::parse(&x.to_string()) == Ok(x)));
        assert!(d(1) < d(2) && Desil::MIN < Desil::MAX);
    }

    #[test]
    fn ranges() {
        let pkh = DesilRange::parse("1-4").unwrap();
        assert_eq!(
            pkh,
            DesilRange {
                from: d(1),
                to: d(4)
            }
        );
        assert!(pkh.contains(d(1)) && pkh.contains(d(4)));
        assert!(!pkh.contains(d(5)));
        assert_eq!(
            pkh.iter().map(Desil::number).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert_eq!(pkh.to_string(), "Desil I–IV");
        for s in [
            "I–V",
            "i-v",
            "1 - 5",
            "D1-D5",
            "Desil 1 s.d. 5",
            "desil I sampai V",
            "1 s/d 5",
            "Desil I—V",
            "1..5",
        ] {
            assert_eq!(
                DesilRange::parse(s),
                Ok(DesilRange {
                    from: d(1),
                    to: d(5)
                }),
                "{s}"
            );
        }
        assert_eq!(DesilRange::parse("3").unwrap().to_string(), "Desil III");
        assert_eq!(
            DesilRange::parse("5-1").unwrap_err().code(),
            "desil.range_reversed"
        );
        assert!(
            DesilRange::parse("5-1")
                .unwrap_err()
                .to_string()
                .contains("awal (Desil V)")
        );
        assert_eq!(
            DesilRange::parse("1-11").unwrap_err().code(),
            "desil.range_unrecognized"
        );
        assert_eq!(
            DesilRange::parse("a-b").unwrap_err().code(),
            "desil.range_unrecognized"
        );
        assert_eq!(
            DesilRange::new(d(2), d(1)).unwrap_err().code(),
            "desil.range_reversed"
        );
        assert!(DesilRange::new(d(2), d(2)).unwrap().contains(d(2)));
        // A hand-built reversed range contains nothing rather than everything.
        assert!(
            !DesilRange {
                from: d(5),
                to: d(1)
            }
            .contains(d(3))
        );
    }

    #[test]
    fn reading_keeps_its_period() {
        let r = DesilReading {
            desil: d(1),
            period: Quarter::parse("2025-Q3").unwrap(),
        };
        assert_eq!(r.to_string(), "Desil I (2025-Q3)");
        assert_eq!(r.period.label_id(), "Triwulan III 2025");
    }

    #[test]
    fn serde_as_number() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, U8Deserializer};
        let de: U8Deserializer<DeError> = 3u8.into_deserializer();
        assert_eq!(Desil::deserialize(de).unwrap(), d(3));
        let de: U8Deserializer<DeError> = 0u8.into_deserializer();
        assert!(Desil::deserialize(de).is_err());
    }
}
