//! Person-level lists (beneficiaries, registers) in CSV: each row becomes a validated
//! [`PersonInput`] or a rejection naming its line, column and reason.

use sinergi_core::{
    Localized, Msg, Nik, NoKk, PersonInput, RegionCode, RegionPrefixes, Sex, parse_date,
};

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
            reason: Msg::new("intake.persons_header"),
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
        let mut err = |column: &str, reason: Msg| {
            errors.push(RowError {
                line,
                column: Some(column.into()),
                reason,
            })
        };
        let name = field(Some(name_col)).to_string();
        if name.is_empty() {
            err("nama", Msg::new("intake.required"));
        }
        let region = match RegionCode::parse(field(Some(region_col))) {
            Ok(r) if region_exists(&r) => Some(r),
            Ok(r) => {
                err(
                    "kode_desa",
                    Msg::new("intake.region_unknown").arg("code", r),
                );
                None
            }
            Err(e) => {
                err("kode_desa", e.msg());
                None
            }
        };
        let nik = match field(nik_col) {
            "" => None,
            s => match Nik::parse(s, prefixes) {
                Ok(p) => Some(p.nik),
                Err(es) => {
                    err("nik", reasons(&es));
                    None
                }
            },
        };
        let kk = match field(kk_col) {
            "" => None,
            s => match NoKk::parse(s, prefixes) {
                Ok(p) => Some(p.no_kk),
                Err(es) => {
                    err("no_kk", reasons(&es));
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
                    Msg::new("intake.sex_unknown").arg("value", other),
                );
                None
            }
        };
        let birth_date = match field(birth_col) {
            "" => None,
            s => match parse_date(s) {
                Ok(d) => Some(d),
                Err(e) => {
                    err("tanggal_lahir", e.msg());
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
                extra: Default::default(),
            }),
            _ => out.rejected.extend(errors),
        }
    }
    Ok(out)
}

/// Every reason a number was refused, as one message.
fn reasons<E: Localized>(errors: &[E]) -> Msg {
    Msg::new("intake.reasons").arg_list("reasons", errors.iter().map(Localized::msg).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
        let reason = |line: u64, col: &str| {
            let e = list
                .rejected
                .iter()
                .find(|e| e.line == line && e.column.as_deref() == Some(col))
                .unwrap();
            sinergi_i18n::Messages::new(sinergi_i18n::Lang::Id).render(&e.reason)
        };
        assert_eq!(reason(3, "nama"), "wajib diisi");
        assert!(
            reason(4, "nik").contains("notasi ilmiah"),
            "{}",
            reason(4, "nik")
        );
        assert_eq!(
            reason(4, "jenis_kelamin"),
            "\"x\" tidak dikenal; pakai L atau P"
        );
        assert_eq!(
            reason(4, "tanggal_lahir"),
            "\"31-02-1990\": tanggal itu tidak ada di kalender"
        );
        assert_eq!(reason(5, "kode_desa"), "kode wilayah 99.99 tidak dikenal");
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
        assert_eq!(list.rejected[0].reason.key, "intake.region_unknown");
        assert_eq!(
            list.rejected[0].reason.get("code"),
            Some(&sinergi_core::MsgArg::Text("52.03.05.2001".into()))
        );
        let err = read_person_list(b"nik,kode_desa\n1,52\n", &known, None).unwrap_err();
        assert_eq!(err.0[0].line, 1);
    }
}
