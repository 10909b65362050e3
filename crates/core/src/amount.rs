//! Rupiah amounts as lists write them: `1.500.000`, `1.500.000,00`, `Rp 1.500.000,-`,
//! `1,500,000.00`, `1500000`. A lone separator followed by exactly three digits groups
//! thousands (rupiah are rarely written with cents); otherwise it marks the decimals.

use thiserror::Error;

use crate::msg::{Localized, Msg};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AmountError {
    #[error("\"{value}\" bukan jumlah rupiah; tulis mis. 1.500.000 atau Rp 1.500.000,00")]
    Unrecognized { value: String },
    #[error("\"{value}\": jumlah rupiah tidak boleh negatif")]
    Negative { value: String },
    #[error("\"{value}\": rupiah tidak punya sen; tulis jumlah bulat")]
    Fraction { value: String },
    #[error("\"{value}\": jumlah terlalu besar")]
    TooLarge { value: String },
}

impl AmountError {
    pub fn code(&self) -> &'static str {
        match self {
            AmountError::Unrecognized { .. } => "amount.unrecognized",
            AmountError::Negative { .. } => "amount.negative",
            AmountError::Fraction { .. } => "amount.fraction",
            AmountError::TooLarge { .. } => "amount.too_large",
        }
    }
}

impl Localized for AmountError {
    fn msg(&self) -> Msg {
        let (AmountError::Unrecognized { value }
        | AmountError::Negative { value }
        | AmountError::Fraction { value }
        | AmountError::TooLarge { value }) = self;
        Msg::new(self.code()).arg("value", value)
    }
}

/// Whole rupiah from `input` (see the module documentation). Empty input is the caller's
/// business (it is usually simply absent).
pub fn parse_rupiah(input: &str) -> Result<i64, AmountError> {
    let value = input.trim();
    let unrecognized = || AmountError::Unrecognized {
        value: value.to_string(),
    };
    let mut t: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = t.to_lowercase();
    if let Some(rest) = lower.strip_prefix("rp") {
        t = rest.trim_start_matches('.').to_string();
    }
    // "1.500.000,-" and "1.500.000.-": the dash says "no cents".
    for end in [",-", ".-", ",--"] {
        if let Some(rest) = t.strip_suffix(end) {
            t = rest.to_string();
        }
    }
    if let Some(rest) = t.strip_prefix('-') {
        if !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        {
            return Err(AmountError::Negative {
                value: value.to_string(),
            });
        }
        return Err(unrecognized());
    }
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return Err(unrecognized());
    }
    let last_dot = t.rfind('.');
    let last_comma = t.rfind(',');
    let decimal_at = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(i), None) | (None, Some(i)) => {
            let sep = t.as_bytes()[i];
            let count = t.bytes().filter(|b| *b == sep).count();
            let after = t.len() - i - 1;
            if count > 1 || after == 3 {
                None
            } else {
                Some(i)
            }
        }
        (None, None) => None,
    };
    let (whole, fraction) = match decimal_at {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t.as_str(), ""),
    };
    // Thousands groups: every group after the first has three digits.
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    if groups.len() > 1 {
        let sep_kinds = whole
            .bytes()
            .filter(|b| !b.is_ascii_digit())
            .collect::<Vec<_>>();
        if groups[0].is_empty()
            || groups[0].len() > 3
            || groups[1..].iter().any(|g| g.len() != 3)
            || sep_kinds.windows(2).any(|w| w[0] != w[1])
        {
            return Err(unrecognized());
        }
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(unrecognized());
    }
    if fraction.bytes().any(|b| b != b'0') {
        return Err(AmountError::Fraction {
            value: value.to_string(),
        });
    }
    let digits: String = groups.concat();
    if digits.is_empty() {
        return Err(unrecognized());
    }
    digits.parse::<i64>().map_err(|_| AmountError::TooLarge {
        value: value.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_locales_people_use() {
        for (s, v) in [
            ("1500000", 1_500_000),
            ("1.500.000", 1_500_000),
            ("1.500.000,00", 1_500_000),
            ("Rp 1.500.000", 1_500_000),
            ("Rp. 1.500.000,-", 1_500_000),
            ("rp1.500.000", 1_500_000),
            ("1,500,000.00", 1_500_000),
            ("1,500,000", 1_500_000),
            ("300.000", 300_000),
            ("600000.0", 600_000),
            ("0", 0),
            (" 250 000 ", 250_000),
        ] {
            assert_eq!(parse_rupiah(s), Ok(v), "{s}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_whole_rupiah_amount() {
        let code = |s: &str| parse_rupiah(s).unwrap_err().code();
        assert_eq!(code("1500000,50"), "amount.fraction");
        assert_eq!(code("1.5"), "amount.fraction");
        assert_eq!(code("-50.000"), "amount.negative");
        assert_eq!(code("satu juta"), "amount.unrecognized");
        assert_eq!(code("1.50.000"), "amount.unrecognized");
        assert_eq!(code("1.500,000.00,0"), "amount.unrecognized");
        assert_eq!(code(""), "amount.unrecognized");
        assert_eq!(code("99999999999999999999"), "amount.too_large");
    }
}
