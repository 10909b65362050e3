//! Every catalogue key the shared intake readers name exists in both languages.

use std::path::PathBuf;

#[test]
fn every_key_named_in_the_readers_exists_in_both_languages() {
    let id = sinergi_i18n::keys(sinergi_i18n::Lang::Id);
    let en = sinergi_i18n::keys(sinergi_i18n::Lang::En);
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut used = 0;
    for file in [
        "lib.rs",
        "table.rs",
        "columns.rs",
        "persons.rs",
        "review.rs",
        "wilayah.rs",
        "geo.rs",
    ] {
        let text = std::fs::read_to_string(src.join(file)).unwrap();
        assert!(
            !text.contains("Msg::untranslated") && !text.contains("reason: format!"),
            "{file} still writes an untranslated reason"
        );
        for (i, _) in text.match_indices("Msg::new(\"") {
            let rest = &text[i + "Msg::new(\"".len()..];
            let key = &rest[..rest.find('"').unwrap()];
            used += 1;
            assert!(
                id.iter().any(|k| k == key) && en.iter().any(|k| k == key),
                "{file} names {key}, which is not in both catalogues"
            );
        }
    }
    assert!(
        used > 30,
        "only {used} keys found; is the scan still right?"
    );
}
