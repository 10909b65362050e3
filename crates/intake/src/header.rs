//! Header names as real registers write them (`NO. KK`, `Nama Lengkap`, `Tempat, Tgl Lahir`),
//! matched to the fields a reader knows ignoring case, spaces, dots and underscores. A
//! duplicated or colliding column refuses the file: which of the two was meant is a guess.

use crate::decode::FileRefusal;

/// A header folded for matching: letters and digits only, lower case.
pub fn fold_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// One field a reader knows: its name in messages and its folded aliases.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec<F> {
    pub field: F,
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// Several columns may hold it (e.g. sensitive columns, all left out).
    pub many: bool,
}

/// A header resolved against a reader's fields.
#[derive(Debug, Clone)]
pub struct ResolvedHeader<F> {
    /// The field each column holds, by position; None for a column not read.
    pub fields: Vec<Option<F>>,
    /// The header cells as written (empty ones named by position).
    pub names: Vec<String>,
}

impl<F: Copy + PartialEq> ResolvedHeader<F> {
    pub fn position(&self, field: F) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(field))
    }

    pub fn has(&self, field: F) -> bool {
        self.position(field).is_some()
    }

    /// The columns found, as written, for messages.
    pub fn found(&self) -> String {
        self.names.join(", ")
    }
}

/// The field `name` means, if any.
pub fn field_of<F: Copy>(specs: &[FieldSpec<F>], name: &str) -> Option<F> {
    let key = fold_key(name);
    specs
        .iter()
        .find(|s| s.aliases.contains(&key.as_str()))
        .map(|s| s.field)
}

/// Resolves `header` (trailing empty cells already trimmed). Two columns with the same folded
/// name, or two columns meaning the same field, refuse the file.
pub fn resolve<F: Copy + PartialEq>(
    header: &[String],
    specs: &[FieldSpec<F>],
) -> Result<ResolvedHeader<F>, FileRefusal> {
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h.trim().trim_start_matches('\u{feff}');
            if h.is_empty() {
                format!("({})", i + 1)
            } else {
                h.to_string()
            }
        })
        .collect();
    let keys: Vec<String> = header.iter().map(|h| fold_key(h)).collect();
    for (i, k) in keys.iter().enumerate() {
        if k.is_empty() {
            continue;
        }
        if let Some(first) = keys[..i].iter().position(|x| x == k) {
            return Err(FileRefusal::DuplicateColumn {
                name: names[i].clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    let fields: Vec<Option<F>> = header.iter().map(|h| field_of(specs, h)).collect();
    for (i, f) in fields.iter().enumerate() {
        let Some(f) = f else { continue };
        let spec = specs.iter().find(|s| s.field == *f).expect("from specs");
        if spec.many {
            continue;
        }
        if let Some(first) = fields[..i].iter().position(|x| x == &Some(*f)) {
            return Err(FileRefusal::CollidingColumns {
                field: spec.name,
                first: names[first].clone(),
                second: names[i].clone(),
            });
        }
    }
    Ok(ResolvedHeader { fields, names })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum F {
        Nik,
        Kk,
    }

    const SPECS: &[FieldSpec<F>] = &[
        FieldSpec {
            field: F::Nik,
            name: "nik",
            aliases: &["nik", "nikktp"],
            many: false,
        },
        FieldSpec {
            field: F::Kk,
            name: "no_kk",
            aliases: &["nokk", "nomorkk"],
            many: false,
        },
    ];

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_match_whatever_their_spelling() {
        let r = resolve(&h(&["\u{feff}NIK KTP", "No. KK", "Alamat"]), SPECS).unwrap();
        assert_eq!(r.fields, [Some(F::Nik), Some(F::Kk), None]);
        assert_eq!(r.found(), "NIK KTP, No. KK, Alamat");
        assert_eq!(fold_key(" Tempat, Tgl_Lahir "), "tempattgllahir");
    }

    #[test]
    fn duplicates_and_collisions_refuse() {
        assert!(matches!(
            resolve(&h(&["nama", "Nama "]), SPECS),
            Err(FileRefusal::DuplicateColumn {
                first: 1,
                second: 2,
                ..
            })
        ));
        assert!(matches!(
            resolve(&h(&["nik", "NIK KTP"]), SPECS),
            Err(FileRefusal::CollidingColumns { field: "nik", .. })
        ));
    }
}
