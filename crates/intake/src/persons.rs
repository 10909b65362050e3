//! Person-level lists (beneficiaries, registers) in CSV: each row becomes a validated
//! [`PersonInput`] or a rejection naming its line, column and reason.

use chrono::NaiveDate;
use sinergi_core::{Nik, NoKk, PersonInput, RegionCode, RegionPrefixes, Sex};

use crate::table::{RowError, RowErrors, read_rows};

const NIK: &[&str] = &["nik", "no_nik", "nomor_induk_kependudukan"];
const KK: &[&str] = &["no_kk", "kk", "nomor_kk", "nokk", "nomor_kartu_keluarga"];
const NAME: &[&str] = &["nama", "nama_lengkap", "name"];
const SEX: &[&str] = &["jenis_kelamin", "jk", "sex", "kelamin"];
const BIRTH: &[&str] = &[
    "tanggal_lahir",
    "tgl_lahir",
    "birth_date",
    "tanggal_lahir_yyyy_mm_dd",
];
const REGION: &[&str] = &[
    "kode_desa",
    "kode_wilayah",
    "kode_kelurahan",
    "desa_kode",
    "wilayah",
];

/// What a list produced: accepted rows and the rows refused, both with their lines.
#[derive(Debug, Default)]
pub struct PersonList {
    pub rows: Vec<PersonInput>,
    pub rejected: Vec<RowError>,
}

/// Reads a person list. `region_exists` says whether a region code is known; `prefixes`
/// checks NIK/KK region prefixes (a historical prefix is fine, it is only a warning).
/// A file whose header lacks the name or region column is refused as a whole.
pub fn read_person_list(
    bytes: &[u8],
    region_exists: &dyn Fn(&RegionCode) -> bool,
    prefixes: Option<&dyn RegionPrefixes>,
) -> Result<PersonList, RowErrors> {
    let (header, rows) = read_rows(bytes)?;
    let (Some(name_col), Some(region_col)) = (header.find(NAME), header.find(REGION)) else {
        return Err(RowErrors(vec![RowError {
            line: 1,
            column: None,
            reason:
                "baris judul harus punya kolom \"nama\" dan \"kode_desa\" (atau \"kode_wilayah\")"
                    .into(),
        }]));
    };
    let nik_col = header.find(NIK);
    let kk_col = header.find(KK);
    let sex_col = header.find(SEX);
    let birth_col = header.find(BIRTH);
    let mut out = PersonList::default();
    for (line, fields) in rows {
        let field = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let mut errors = Vec::new();
        let mut err = |column: &str, reason: String| {
            errors.push(RowError {
                line,
                column: Some(column.into()),
                reason: reason.into(),
            })
        };
        let name = field(Some(name_col)).to_string();
        if name.is_empty() {
            err("nama", "wajib diisi".into());
        }
        let region = match RegionCode::parse(field(Some(region_col))) {
            Ok(r) if region_exists(&r) => Some(r),
            Ok(r) => {
                err("kode_desa", format!("kode wilayah {r} tidak dikenal"));
                None
            }
            Err(e) => {
                err("kode_desa", e.to_string());
                None
            }
        };
        let nik = match field(nik_col) {
            "" => None,
            s => match Nik::parse(s, prefixes) {
                Ok(p) => Some(p.nik),
                Err(es) => {
                    let reasons: Vec<String> = es.iter().map(|e| e.to_string()).collect();
                    err("nik", reasons.join("; "));
                    None
                }
            },
        };
        let kk = match field(kk_col) {
            "" => None,
            s => match NoKk::parse(s, prefixes) {
                Ok(p) => Some(p.no_kk),
                Err(es) => {
                    let reasons: Vec<String> = es.iter().map(|e| e.to_string()).collect();
                    err("no_kk", reasons.join("; "));
                    None
                }
            },
        };
        let sex = match field(sex_col).to_lowercase().as_str() {
            "" => None,
            "l" | "lk" | "laki-laki" | "laki laki" | "pria" | "m" | "male" | "1" => Some(Sex::Male),
            "p" | "pr" | "perempuan" | "wanita" | "f" | "female" | "2" => Some(Sex::Female),
            other => {
                err(
                    "jenis_kelamin",
                    format!("\"{other}\" tidak dikenal; pakai L atau P"),
                );
                None
            }
        };
        let birth_date = match field(birth_col) {
            "" => None,
            s => match parse_date(s) {
                Some(d) => Some(d),
                None => {
                    err(
                        "tanggal_lahir",
                        format!("\"{s}\" bukan tanggal; pakai TTTT-BB-HH atau HH-BB-TTTT"),
                    );
                    None
                }
            },
        };
        match region {
            Some(region) if errors.is_empty() => out.rows.push(PersonInput {
                line,
                name,
                sex,
                birth_date,
                nik,
                kk,
                region,
            }),
            _ => out.rejected.extend(errors),
        }
    }
    Ok(out)
}

/// ISO dates, or day-first dates with `-`, `/` or `.` as Indonesian lists write them.
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(r: &RegionCode) -> bool {
        !r.as_str().starts_with("99")
    }

    #[test]
    fn accepts_good_rows_and_names_every_bad_one() {
        let csv = "nama;nik;no_kk;jk;tgl_lahir;kode_desa\n\
                   Baiq Nurul;5203014507900001;5203011201150003;P;05-07-1990;52.03.05.2001\n\
                   ;5203014507900002;;L;1990-07-05;52.03.05.2001\n\
                   Lalu Ahmad;5.2E+15;;X;31-02-1990;52.03.05.2001\n\
                   Siti;;;P;;99.99\n";
        let list = read_person_list(csv.as_bytes(), &known, None).unwrap();
        assert_eq!(list.rows.len(), 1);
        assert_eq!(list.rows[0].line, 2);
        assert_eq!(list.rows[0].sex, Some(Sex::Female));
        assert_eq!(list.rows[0].birth_date, NaiveDate::from_ymd_opt(1990, 7, 5));
        let at = |line: u64, col: &str| {
            list.rejected
                .iter()
                .any(|e| e.line == line && e.column.as_deref() == Some(col))
        };
        assert!(at(3, "nama"));
        assert!(at(4, "nik"), "{:?}", list.rejected);
        assert!(at(4, "jenis_kelamin"));
        assert!(at(4, "tanggal_lahir"));
        assert!(at(5, "kode_desa"));
        // Every input row is either stored or rejected.
        let rejected_lines: std::collections::BTreeSet<u64> =
            list.rejected.iter().map(|e| e.line).collect();
        assert_eq!(list.rows.len() + rejected_lines.len(), 4);
    }

    #[test]
    fn unknown_regions_are_rejected_and_a_header_without_names_refuses_the_file() {
        let none = |_: &RegionCode| false;
        let list = read_person_list(b"nama,kode_desa\nA,52.03.05.2001\n", &none, None).unwrap();
        assert!(list.rows.is_empty());
        assert!(
            list.rejected[0]
                .reason
                .to_string()
                .contains("tidak dikenal")
        );
        let err = read_person_list(b"nik,kode_desa\n1,52\n", &known, None).unwrap_err();
        assert_eq!(err.0[0].line, 1);
    }
}
