//! Which current region took over a retired code. Kemendagri publishes new lists, not a
//! mapping, so the successor is inferred: same level, same name, under the parent's
//! successor (or the same parent when that did not change).

use std::collections::HashMap;

use crate::region::{Level, RegionCode, RegionKind};
use crate::text::normalize_region_name;

/// Name key for matching: at kab/kota level "Kabupaten Sorong" and "Kota Sorong" differ, so
/// the kind is part of the key. Below that a desa may become a kelurahan, so it is not.
fn match_key(code: &RegionCode, name: &str) -> String {
    let base = normalize_region_name(name);
    match code.level() {
        Level::KabKota => format!("{}:{base}", RegionKind::infer(code, name).key()),
        _ => base,
    }
}

/// `retired` and `current` are (code, name) pairs. Returns retired code → successor, only
/// where exactly one candidate matches.
pub fn infer_successors(
    retired: &[(RegionCode, String)],
    current: &[(RegionCode, String)],
) -> HashMap<RegionCode, RegionCode> {
    // Current codes grouped by (parent, level, normalized name).
    let mut by_parent: HashMap<(Option<RegionCode>, String), Vec<&RegionCode>> = HashMap::new();
    let mut by_level: HashMap<(Level, String), Vec<&RegionCode>> = HashMap::new();
    for (code, name) in current {
        let key = match_key(code, name);
        by_parent
            .entry((code.parent(), key.clone()))
            .or_default()
            .push(code);
        by_level.entry((code.level(), key)).or_default().push(code);
    }
    let mut sorted: Vec<&(RegionCode, String)> = retired.iter().collect();
    sorted.sort_by_key(|(code, _)| code.level());
    let mut out: HashMap<RegionCode, RegionCode> = HashMap::new();
    for (code, name) in sorted {
        let key = match_key(code, name);
        let under_parent = code.parent().and_then(|parent| {
            // A retired parent hands its children to its successor.
            let parent = out.get(&parent).cloned().unwrap_or(parent);
            by_parent.get(&(Some(parent), key.clone()))
        });
        // A unit moved to a new province (the 2022 Papua split) keeps its name but not its
        // parent: accept a name that is unique at its level across the country.
        let candidates = under_parent.or_else(|| by_level.get(&(code.level(), key)));
        if let Some([only]) = candidates.map(Vec::as_slice) {
            out.insert(code.clone(), (*only).clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn follows_a_papua_split_down_the_tree() {
        let retired = vec![
            (c("91.01"), "KAB. MERAUKE".to_string()),
            (c("91.01.01"), "Merauke".to_string()),
            (c("92.01"), "KAB. SORONG".to_string()),
            (c("92.71"), "KOTA SORONG".to_string()),
        ];
        let current = vec![
            (c("93.01"), "Kabupaten Merauke".to_string()),
            (c("93.01.01"), "Merauke".to_string()),
            (c("94.01.01"), "Merauke".to_string()), // same name elsewhere: not a candidate
            (c("96.01"), "Kabupaten Sorong".to_string()),
            (c("96.71"), "Kota Sorong".to_string()),
        ];
        let s = infer_successors(&retired, &current);
        assert_eq!(s.get(&c("91.01")), Some(&c("93.01")));
        assert_eq!(s.get(&c("91.01.01")), Some(&c("93.01.01")));
        assert_eq!(s.get(&c("92.01")), Some(&c("96.01")));
        assert_eq!(s.get(&c("92.71")), Some(&c("96.71")));
    }

    #[test]
    fn ambiguous_or_missing_names_give_no_successor() {
        let retired = vec![
            (c("91.09"), "Kab. Baru".to_string()),
            (c("91.10"), "Hilang".to_string()),
        ];
        let current = vec![
            (c("93.02"), "Kabupaten Baru".to_string()),
            (c("94.03"), "Kabupaten Baru".to_string()),
        ];
        assert!(infer_successors(&retired, &current).is_empty());
    }
}
