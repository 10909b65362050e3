//! The language the CLI speaks: Bahasa Indonesia, unless `SINERGI_BAHASA=en` asks for
//! English or (without `SINERGI_BAHASA`) the system's `LANG` starts with `en`.

use sinergi_i18n::{Lang, Localized, Messages, Msg};
use sinergi_intake::RowError;
use sinergi_intake::geo::GeoError;

/// The messages of the CLI's language.
pub fn messages() -> Messages {
    Messages::new(lang_of(
        std::env::var("SINERGI_BAHASA").ok().as_deref(),
        std::env::var("LANG").ok().as_deref(),
    ))
}

fn lang_of(bahasa: Option<&str>, lang: Option<&str>) -> Lang {
    match bahasa.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => Lang::from_code(&b.to_lowercase()).unwrap_or(Lang::Id),
        None if lang.is_some_and(|l| l.starts_with("en")) => Lang::En,
        None => Lang::Id,
    }
}

/// Refused rows one per line under their count ("2 baris ditolak:\n  baris 3, kolom …"),
/// and how many more were refused beyond those listed.
pub fn row_errors(t: &Messages, rows: &[RowError], more: usize) -> String {
    let mut out = t.render(&Msg::new("intake.rows_refused_count").arg("n", rows.len() + more));
    for row in rows {
        out.push_str("\n  ");
        out.push_str(&t.render(&row.msg()));
    }
    if more > 0 {
        out.push_str("\n  ");
        out.push_str(&t.render(&Msg::new("intake.rows_more").arg("more", more)));
    }
    out
}

/// A table that could not be read, refused rows one per line.
pub fn table_error(t: &Messages, e: &sinergi_intake::TableError) -> String {
    match e {
        sinergi_intake::TableError::Rows { errors, more } => row_errors(t, &errors.0, *more),
        other => t.render(&other.msg()),
    }
}

/// A boundary file that could not be read, refused features one per line.
pub fn geo_error(t: &Messages, e: &GeoError) -> String {
    match e {
        GeoError::Features(features) => {
            let mut out = t.render(&Msg::new("intake.geo_features_count").arg("n", features.len()));
            for f in features {
                out.push_str("\n  ");
                out.push_str(&t.render(f));
            }
            out
        }
        other => t.render(&other.msg()),
    }
}

/// A library error in the chain, as a catalogue message, when one says itself.
pub fn localized(e: &anyhow::Error) -> Option<Msg> {
    e.chain().find_map(|cause| {
        if let Some(x) = cause.downcast_ref::<sinergi_store::StoreError>() {
            return Some(x.msg());
        }
        if let Some(x) = cause.downcast_ref::<sinergi_activity::ActivityError>() {
            return Some(x.msg());
        }
        None
    })
}

/// The error as the user reads it: the command's own context, then the library's reason
/// rendered in the user's language.
pub fn explain(e: &anyhow::Error) -> String {
    let Some(msg) = localized(e) else {
        return format!("{e:#}");
    };
    let reason = messages().render(&msg);
    // Contexts added by the command sit above the library error in the chain.
    let contexts: Vec<String> = e
        .chain()
        .take_while(|c| {
            c.downcast_ref::<sinergi_store::StoreError>().is_none()
                && c.downcast_ref::<sinergi_activity::ActivityError>()
                    .is_none()
        })
        .map(|c| c.to_string())
        .collect();
    if contexts.is_empty() {
        reason
    } else {
        format!("{}: {reason}", contexts.join(": "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_unless_english_is_asked_for() {
        assert_eq!(lang_of(None, None), Lang::Id);
        assert_eq!(lang_of(None, Some("C.UTF-8")), Lang::Id);
        assert_eq!(lang_of(None, Some("id_ID.UTF-8")), Lang::Id);
        assert_eq!(lang_of(None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(lang_of(Some("en"), None), Lang::En);
        assert_eq!(lang_of(Some(" EN "), Some("id_ID.UTF-8")), Lang::En);
        assert_eq!(lang_of(Some("id"), Some("en_GB.UTF-8")), Lang::Id);
        assert_eq!(lang_of(Some("xx"), Some("en_GB.UTF-8")), Lang::Id);
        assert_eq!(lang_of(Some(""), Some("en_GB.UTF-8")), Lang::En);
    }

    #[test]
    fn refused_rows_are_listed_one_per_line_in_the_language() {
        let rows = vec![
            RowError {
                line: 3,
                column: Some("kode".into()),
                reason: Msg::new("intake.code_repeated")
                    .arg("code", "52")
                    .arg("first", 2),
            },
            RowError {
                line: 4,
                column: None,
                reason: Msg::new("intake.not_utf8"),
            },
        ];
        let id = row_errors(&Messages::new(Lang::Id), &rows, 5);
        assert_eq!(
            id,
            "7 baris ditolak:\n  baris 3, kolom kode: kode 52 sudah muncul di baris 2\n  \
             baris 4: bukan teks UTF-8 (simpan berkas sebagai \"CSV UTF-8\")\n  \
             … dan 5 baris lain ditolak"
        );
        let en = row_errors(&Messages::new(Lang::En), &rows, 0);
        assert!(en.starts_with("2 rows refused:\n  row 3"), "{en}");
    }
}
