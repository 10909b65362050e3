//! The catalogue against the code: every message key the code builds exists in both
//! languages, and no user-visible detail bypasses the catalogue.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sinergi_i18n::{Lang, keys};

fn workspace_sources() -> Vec<(PathBuf, String)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    let mut stack = vec![crates];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                // Library and binary code; tests and benchmarks may say what they like.
                if !["target", "tests", "bench", "testkit", "synth"].contains(&name.as_str()) {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Unit tests sit at the foot of a file and use made-up keys.
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                out.push((path, code));
            }
        }
    }
    out
}

/// The string literals passed as the first argument of `Msg::new(`.
fn msg_keys(text: &str) -> Vec<String> {
    text.split("Msg::new(")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('"')?;
            Some(rest.split('"').next()?.to_string())
        })
        .collect()
}

#[test]
fn every_message_key_the_code_builds_exists_in_both_languages() {
    let id: BTreeSet<String> = keys(Lang::Id).into_iter().collect();
    let en: BTreeSet<String> = keys(Lang::En).into_iter().collect();
    let mut used = 0;
    let mut missing = Vec::new();
    for (path, text) in workspace_sources() {
        for key in msg_keys(&text) {
            used += 1;
            if !id.contains(&key) || !en.contains(&key) {
                missing.push(format!("{}: {key}", path.display()));
            }
        }
    }
    assert!(
        used > 40,
        "only {used} message keys found: is the scan looking in the right place?"
    );
    assert!(
        missing.is_empty(),
        "keys missing from the catalogue:\n{}",
        missing.join("\n")
    );
}

#[test]
fn key_scanner_reads_keys_across_line_breaks() {
    let text =
        "let m = Msg::new(\n    \"a.b\",\n).arg(\"x\", 1); Msg::new(\"c.d\"); Msg::new(key);";
    assert_eq!(msg_keys(text), vec!["a.b".to_string(), "c.d".to_string()]);
}
