//! Clerical review of uncertain record pairs: what a reviewer sees and decides.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::msg::{Localized, Msg};

/// A reviewer's verdict on a pair, written `terima` / `tolak` in files and forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The same person: link them.
    Accept,
    /// Different people: never link them.
    Reject,
}

impl Decision {
    /// Reads a verdict; empty means undecided. Understands Indonesian and English words.
    pub fn parse(s: &str) -> Result<Option<Decision>, DecisionError> {
        match s.trim().to_lowercase().as_str() {
            "" => Ok(None),
            "terima" | "ya" | "y" | "sama" | "1" | "cocok" | "accept" | "match" => {
                Ok(Some(Decision::Accept))
            }
            "tolak" | "tidak" | "t" | "n" | "beda" | "0" | "bukan" | "reject" | "nonmatch" => {
                Ok(Some(Decision::Reject))
            }
            other => Err(DecisionError {
                value: other.to_string(),
            }),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Accept => "terima",
            Decision::Reject => "tolak",
        }
    }
}

/// A verdict word that is neither accept nor reject.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("keputusan \"{value}\" tidak dikenal (tulis \"terima\" atau \"tolak\")")]
pub struct DecisionError {
    pub value: String,
}

impl Localized for DecisionError {
    fn msg(&self) -> Msg {
        Msg::new("decision.unknown").arg("value", &self.value)
    }
}

/// Transitional, for callers that still show the text as it is (logs).
impl From<DecisionError> for String {
    fn from(e: DecisionError) -> String {
        e.to_string()
    }
}

/// One uncertain pair as the engine wrote it for review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPair {
    pub line: u64,
    pub left_id: String,
    pub right_id: String,
    pub probability: f64,
    pub weight: f64,
    /// Per compared column: (left value, right value, that column's weight).
    pub fields: Vec<(String, String, f64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_parse_in_both_languages() {
        assert_eq!(Decision::parse(" Terima "), Ok(Some(Decision::Accept)));
        assert_eq!(Decision::parse("reject"), Ok(Some(Decision::Reject)));
        assert_eq!(Decision::parse(""), Ok(None));
        let e = Decision::parse("Mungkin").unwrap_err().msg();
        assert_eq!(e.key, "decision.unknown");
        assert_eq!(e.get("value"), Some(&crate::MsgArg::Text("mungkin".into())));
        for d in [Decision::Accept, Decision::Reject] {
            assert_eq!(Decision::parse(d.label()), Ok(Some(d)));
        }
    }
}
