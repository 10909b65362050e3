//! Reading a meeting's attendance sheet (CSV or XLSX, one attendee a row) into core's
//! [`SheetRow`]s. Headers are matched as secretaries write them ("Nama Peserta", "Instansi",
//! "L/P", "Tanda Tangan"); every row is either read or named with its line, column and reason.
//!
//! Presence: without a presence column every listed row came (a sign-in sheet); with one
//! (`hadir`, `kehadiran`, `tanda tangan`, …) a yes word or any signature mark is present, a no
//! word or an empty cell is absent (an invitee who did not sign).

use sinergi_core::forum::{MAX_SHEET_ROWS, SheetRow};
use sinergi_core::institution::Helix;
use sinergi_core::{Msg, Sex, Table};

use crate::header::{FieldSpec, fold_key, resolve};
use crate::table::RowError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetField {
    Code,
    Person,
    Organisation,
    Helix,
    Sex,
    Disability,
    Present,
    RepresentedBy,
}

const fn spec(
    field: SheetField,
    name: &'static str,
    aliases: &'static [&'static str],
) -> FieldSpec<SheetField> {
    FieldSpec {
        field,
        name,
        aliases,
        many: false,
    }
}

/// The columns a sheet may have, by their folded aliases (see [`crate::header::fold_key`]).
pub const SHEET_FIELDS: &[FieldSpec<SheetField>] = &[
    spec(
        SheetField::Code,
        "kode",
        &[
            "kode",
            "kodehadir",
            "kodeundangan",
            "kodecheckin",
            "checkin",
        ],
    ),
    spec(
        SheetField::Person,
        "nama",
        &[
            "nama",
            "namalengkap",
            "namapeserta",
            "peserta",
            "namaundangan",
            "name",
        ],
    ),
    spec(
        SheetField::Organisation,
        "organisasi",
        &[
            "organisasi",
            "instansi",
            "lembaga",
            "asalinstansi",
            "asallembaga",
            "asal",
            "unitkerja",
            "organisation",
            "organization",
        ],
    ),
    spec(
        SheetField::Helix,
        "peran",
        &["peran", "pentahelix", "unsur", "kategori", "role"],
    ),
    spec(
        SheetField::Sex,
        "jenis_kelamin",
        &["jeniskelamin", "jk", "lp", "kelamin", "sex", "gender"],
    ),
    spec(
        SheetField::Disability,
        "disabilitas",
        &[
            "disabilitas",
            "penyandangdisabilitas",
            "difabel",
            "disability",
        ],
    ),
    spec(
        SheetField::Present,
        "hadir",
        &[
            "hadir",
            "kehadiran",
            "statushadir",
            "tandatangan",
            "ttd",
            "paraf",
            "present",
        ],
    ),
    spec(
        SheetField::RepresentedBy,
        "diwakili",
        &["diwakili", "diwakilioleh", "wakil", "representedby"],
    ),
];

/// A penta-helix role as secretaries write it: the key, or a usual word for it.
pub fn parse_helix(s: &str) -> Option<Helix> {
    let k = fold_key(s);
    if k.is_empty() {
        return None;
    }
    if let Some(h) = Helix::ALL.iter().find(|h| fold_key(h.key()) == k) {
        return Some(*h);
    }
    Some(match k.as_str() {
        "pemerintahan" | "government" | "opd" | "dinas" | "pemda" => Helix::Pemerintah,
        "swasta" | "bisnis" | "business" | "perusahaan" | "privat" | "private" => Helix::DuniaUsaha,
        "akademik" | "perguruantinggi" | "universitas" | "kampus" | "academia" => Helix::Akademisi,
        "oms" | "lsm" | "ormas" | "komunitas" | "community" | "civilsociety" => Helix::Masyarakat,
        "pers" | "press" => Helix::Media,
        "philanthropy" | "zakat" | "lembagazakat" => Helix::Filantropi,
        _ => return None,
    })
}

/// Yes, no, or neither (a word not read).
fn yes_no(s: &str) -> Option<bool> {
    match fold_key(s).as_str() {
        "ya" | "y" | "yes" | "1" | "true" | "benar" | "hadir" | "v" | "x" => Some(true),
        "tidak" | "t" | "tdk" | "no" | "n" | "0" | "false" | "absen" | "tidakhadir" | "izin"
        | "ijin" | "sakit" | "bukan" => Some(false),
        _ => None,
    }
}

/// Reads every row of an attendance sheet. A header that names neither a person nor an
/// organisation nor a code, or more than [`MAX_SHEET_ROWS`] rows, refuses the file (line 1).
pub fn read_attendance_sheet(table: &Table) -> (Vec<SheetRow>, Vec<RowError>) {
    let header = match resolve(&table.header, SHEET_FIELDS) {
        Ok(h) => h,
        Err(refusal) => {
            use sinergi_core::Localized;
            return (Vec::new(), vec![RowError::file(refusal.msg())]);
        }
    };
    if !(header.has(SheetField::Person)
        || header.has(SheetField::Organisation)
        || header.has(SheetField::Code))
    {
        return (
            Vec::new(),
            vec![RowError {
                line: 1,
                column: None,
                reason: Msg::new("forum.sheet.columns")
                    .arg("found", header.found())
                    .arg("columns", "kode, nama, organisasi"),
            }],
        );
    }
    if table.rows() > MAX_SHEET_ROWS {
        return (
            Vec::new(),
            vec![RowError::file(
                Msg::new("forum.sheet.too_many")
                    .arg("n", table.rows())
                    .arg("max", MAX_SHEET_ROWS),
            )],
        );
    }
    let cell = |field: SheetField, row: usize| -> &str {
        header
            .position(field)
            .map(|c| table.columns[c].get(row).trim())
            .unwrap_or("")
    };
    let text = |field: SheetField, row: usize| -> Option<String> {
        Some(cell(field, row).to_string()).filter(|s| !s.is_empty())
    };
    let mut rows = Vec::with_capacity(table.rows());
    let mut errors = Vec::new();
    for i in 0..table.rows() {
        let line = u64::from(table.lines[i]);
        if (0..table.columns.len()).all(|c| table.columns[c].get(i).trim().is_empty()) {
            continue;
        }
        let mut row_errors: Vec<RowError> = Vec::new();
        let mut err = |field: SheetField, reason: Msg| {
            let name = SHEET_FIELDS
                .iter()
                .find(|s| s.field == field)
                .map_or("", |s| s.name);
            row_errors.push(RowError {
                line,
                column: Some(name.to_string()),
                reason,
            });
        };
        let helix = match text(SheetField::Helix, i) {
            None => None,
            Some(v) => match parse_helix(&v) {
                Some(h) => Some(h),
                None => {
                    err(
                        SheetField::Helix,
                        Msg::new("forum.sheet.helix_unknown").arg("value", v),
                    );
                    None
                }
            },
        };
        let sex = match text(SheetField::Sex, i) {
            None => None,
            Some(v) => match Sex::parse(&v) {
                Some(Sex::Male) => Some("L".to_string()),
                Some(Sex::Female) => Some("P".to_string()),
                None => {
                    err(
                        SheetField::Sex,
                        Msg::new("forum.sex_unknown").arg("value", v),
                    );
                    None
                }
            },
        };
        let disability = match text(SheetField::Disability, i) {
            None => false,
            Some(v) => yes_no(&v).unwrap_or_else(|| {
                err(
                    SheetField::Disability,
                    Msg::new("forum.sheet.yes_no").arg("value", v),
                );
                false
            }),
        };
        let present = if header.has(SheetField::Present) {
            match text(SheetField::Present, i) {
                None => false,
                // A signature, a tick, a time: anything not a "no" is a mark of presence.
                Some(v) => yes_no(&v).unwrap_or(true),
            }
        } else {
            true
        };
        let code = text(SheetField::Code, i);
        let person_name = text(SheetField::Person, i);
        let organisation_name = text(SheetField::Organisation, i);
        if code.is_none() && person_name.is_none() && organisation_name.is_none() {
            err(SheetField::Person, Msg::new("forum.sheet.who_required"));
        }
        if !row_errors.is_empty() {
            errors.extend(row_errors);
            continue;
        }
        rows.push(SheetRow {
            line,
            code,
            person_name,
            organisation_name,
            helix,
            sex,
            disability,
            present,
            represented_by: text(SheetField::RepresentedBy, i),
        });
    }
    (rows, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_sheet_is_read_with_its_usual_headers() {
        let t = Table::from_rows(
            &[
                "No",
                "Nama Peserta",
                "Instansi",
                "Unsur",
                "L/P",
                "Difabel",
                "Tanda Tangan",
            ],
            &[
                &[
                    "1",
                    "Siti Aminah",
                    "Baznas NTB",
                    "filantropi",
                    "P",
                    "",
                    "ttd",
                ],
                &[
                    "2",
                    "Lalu Ahmad",
                    "Dinas Sosial",
                    "OPD",
                    "laki-laki",
                    "ya",
                    "",
                ],
                &["", "", "", "", "", "", ""],
                &[
                    "4",
                    "",
                    "Universitas Mataram",
                    "Perguruan Tinggi",
                    "",
                    "",
                    "✓",
                ],
            ],
        );
        let (rows, errors) = read_attendance_sheet(&t);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 3, "the blank line is skipped");
        assert_eq!(rows[0].helix, Some(Helix::Filantropi));
        assert_eq!(rows[0].sex.as_deref(), Some("P"));
        assert!(rows[0].present);
        assert_eq!(rows[1].helix, Some(Helix::Pemerintah));
        assert!(rows[1].disability);
        assert!(!rows[1].present, "no signature: invited, not present");
        assert_eq!(rows[2].line, 5);
        assert_eq!(rows[2].person_name, None);
        assert_eq!(rows[2].helix, Some(Helix::Akademisi));
    }

    #[test]
    fn bad_rows_are_named_and_other_files_refused() {
        let t = Table::from_rows(
            &["nama", "jk", "peran", "disabilitas"],
            &[
                &["Siti", "X", "", ""],
                &["Ahmad", "L", "pedagang", "mungkin"],
                &["", "P", "", ""],
            ],
        );
        let (rows, errors) = read_attendance_sheet(&t);
        assert!(rows.is_empty());
        let got: Vec<(u64, String, &str)> = errors
            .iter()
            .map(|e| (e.line, e.column.clone().unwrap(), e.reason.key))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "jenis_kelamin".into(), "forum.sex_unknown"),
                (3, "peran".into(), "forum.sheet.helix_unknown"),
                (3, "disabilitas".into(), "forum.sheet.yes_no"),
                (4, "nama".into(), "forum.sheet.who_required"),
            ]
        );
        let (_, e) = read_attendance_sheet(&Table::from_rows(&["tanggal", "nilai"], &[]));
        assert_eq!(e[0].reason.key, "forum.sheet.columns");
        let (_, e) = read_attendance_sheet(&Table::from_rows(&["Nama", "Nama Lengkap"], &[]));
        assert_eq!(
            e[0].line, 0,
            "two name columns: which one is meant is a guess"
        );
    }
}
