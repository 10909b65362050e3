//! Name normalisation for region search: case-insensitive, and "Kab."/"Kabupaten"/"Kota" aware.

use crate::region::RegionKind;

/// Lowercases, folds punctuation to spaces and drops the administrative prefix, so that
/// "KAB. LOMBOK TIMUR", "Kabupaten Lombok Timur" and "lombok  timur" all become "lombok timur".
/// The kind (kabupaten or kota) is kept separately by the caller.
pub fn normalize_region_name(name: &str) -> String {
    let folded = fold_text(name);
    let mut words: Vec<&str> = folded.split(' ').collect();
    const PREFIXES: [&str; 6] = ["kabupaten", "kab", "kota", "kotamadya", "kodya", "adm"];
    while words.len() > 1 && PREFIXES.contains(&words[0]) {
        words.remove(0);
    }
    words.join(" ")
}

/// Lowercases and folds punctuation to single spaces, keeping every word.
pub fn fold_text(text: &str) -> String {
    let lower = text.to_lowercase();
    let cleaned: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A region name search as typed by a user ("Kab. Lombok Timur", "kota bima", "gerung").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionQuery {
    /// The whole query, folded: matches names that contain every word as typed ("kota baru").
    pub full: String,
    /// The query without its administrative prefix ("lombok timur").
    pub stripped: String,
    /// The kab/kota kind the prefix asked for, if any.
    pub kind: Option<RegionKind>,
}

impl RegionQuery {
    pub fn parse(input: &str) -> Option<RegionQuery> {
        let full = fold_text(input);
        if full.is_empty() {
            return None;
        }
        let first = full.split(' ').next().unwrap_or_default();
        let kind = match first {
            "kab" | "kabupaten" => Some(RegionKind::Kabupaten),
            "kota" | "kotamadya" | "kodya" => Some(RegionKind::Kota),
            _ => None,
        };
        let stripped = normalize_region_name(input);
        let kind = kind.filter(|_| stripped != full);
        Some(RegionQuery {
            full,
            stripped,
            kind,
        })
    }
}

/// The longest free-text search term accepted, in characters. Longer terms are refused with
/// `security.search_too_long` (a 400 on the web) before they reach the database.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A free-text search term, trimmed, if it is within [`MAX_SEARCH_CHARS`].
pub fn bounded_search(term: &str) -> Result<&str, crate::Msg> {
    let term = term.trim();
    if term.chars().count() > MAX_SEARCH_CHARS {
        Err(crate::Msg::new("security.search_too_long").arg("max", MAX_SEARCH_CHARS as u64))
    } else {
        Ok(term)
    }
}

/// `text` with the LIKE wildcards `%` and `_` and the escape character `\` escaped, for use
/// in a pattern with `ESCAPE '\'`.
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A LIKE pattern matching values that contain `text` literally (use with `ESCAPE '\'`).
pub fn like_contains(text: &str) -> String {
    format!("%{}%", like_escape(text))
}

#[cfg(test)]
mod tests {
    use super::normalize_region_name as n;
    use super::{RegionKind, RegionQuery, fold_text};

    #[test]
    fn queries_understand_kab_and_kota() {
        let q = RegionQuery::parse("Kab. Lombok Timur").unwrap();
        assert_eq!(q.stripped, "lombok timur");
        assert_eq!(q.full, "kab lombok timur");
        assert_eq!(q.kind, Some(RegionKind::Kabupaten));
        let q = RegionQuery::parse("KOTA bima").unwrap();
        assert_eq!(
            (q.stripped.as_str(), q.kind),
            ("bima", Some(RegionKind::Kota))
        );
        let q = RegionQuery::parse("gerung").unwrap();
        assert_eq!((q.full.as_str(), q.kind), ("gerung", None));
        // "Kota" alone is a word to look for, not a prefix.
        assert_eq!(RegionQuery::parse("kota").unwrap().kind, None);
        assert_eq!(RegionQuery::parse("  .. "), None);
        assert_eq!(fold_text("Sumbawa  Barat."), "sumbawa barat");
    }

    #[test]
    fn folds_prefixes_case_and_punctuation() {
        assert_eq!(n("KAB. LOMBOK TIMUR"), "lombok timur");
        assert_eq!(n("Kabupaten Lombok Timur"), "lombok timur");
        assert_eq!(n("Kota Mataram"), "mataram");
        assert_eq!(n("kab lombok  timur"), "lombok timur");
        assert_eq!(n("Kota Adm. Jakarta Pusat"), "jakarta pusat");
        // A single word that happens to be a prefix stays.
        assert_eq!(n("Kota"), "kota");
        assert_eq!(n("Pulau-Pulau Terluar"), "pulau pulau terluar");
    }
}
