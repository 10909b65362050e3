//! docs/linkage.md says what the code does: its settings example is valid and states the
//! defaults, every NIK/KK level it names is a level of the code, and the preset is as
//! described.

use sinergi_link::Settings;
use sinergi_link::settings::Kind;

fn docs() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/linkage.md"
    ))
    .expect("docs/linkage.md")
}

/// The first ```toml block after `heading`.
fn toml_block(docs: &str, heading: &str) -> String {
    let from = docs.find(heading).expect("heading");
    let start = from + docs[from..].find("```toml\n").expect("toml block") + 8;
    let end = start + docs[start..].find("```").expect("block end");
    docs[start..end].to_string()
}

#[test]
fn settings_example_is_valid_and_states_the_defaults() {
    let docs = docs();
    let example = Settings::from_toml(&toml_block(&docs, "## The settings file")).unwrap();
    let minimal = Settings::from_toml(
        "[[perbandingan]]\nkolom = \"nama\"\njenis = \"nama\"\n[[blok]]\nkunci = [\"nama\"]\n",
    )
    .unwrap();
    assert_eq!(example.id_column, minimal.id_column);
    assert_eq!(example.threshold, minimal.threshold);
    assert_eq!(example.review_floor, minimal.review_floor);
    assert_eq!(example.max_cluster_size, minimal.max_cluster_size);
    assert_eq!(example.max_block_size, minimal.max_block_size);
    assert_eq!(example.u_sample, minimal.u_sample);
    assert_eq!(example.seed, minimal.seed);
    assert_eq!(example.strict_person_key, minimal.strict_person_key);
    // The organisation example too.
    Settings::from_toml(&toml_block(&docs, "## Organisation lists")).unwrap();
}

#[test]
fn every_nik_kk_and_date_level_is_documented_as_coded() {
    let docs = docs();
    let preset = Settings::person_preset();
    for kind in [Kind::Nik, Kind::Kk, Kind::Tanggal] {
        let spec = preset.comparisons.iter().find(|c| c.kind == kind).unwrap();
        let row = docs
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", kind.key())))
            .expect("a table row per kind");
        let documented: Vec<&str> = row.split(" | ").nth(1).unwrap().split(" · ").collect();
        let coded = spec.levels();
        for (i, level) in coded.iter().enumerate() {
            assert!(
                documented[i].starts_with(level.as_str()),
                "{}: level {} is \"{level}\", docs say \"{}\"",
                kind.key(),
                i + 1,
                documented[i]
            );
        }
        assert_eq!(documented.len(), coded.len(), "{row}");
    }
}

#[test]
fn preset_is_as_described() {
    let docs = docs();
    let preset = Settings::person_preset();
    assert_eq!(preset.blocking.len(), 8);
    assert!(docs.contains("The preset uses eight\nrules"));
    assert!(
        preset
            .blocking
            .iter()
            .any(|b| b.keys == ["kode_desa:awal6", "tanggal_lahir:tahun", "nama:depan"])
    );
    let sources: Vec<&str> = preset.sources.iter().map(|s| s.transform.key()).collect();
    assert_eq!(sources, ["tempat_tanggal", "umur", "wilayah"]);
    for s in &sources {
        assert!(docs.contains(&format!("| `{s}` |")), "{s} undocumented");
    }
}
