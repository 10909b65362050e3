//! The official region list in its common CSV shape: `kode,nama` with dotted codes
//! (`52.01.01.2001`); extra columns such as `level` or `parent` are ignored, optional
//! `lat`/`lng` columns are read.

use sinergi_core::{Localized, Msg, RegionCode, RegionEntry};

use crate::table::{RowError, RowErrors, read_rows};

const CODE: &[&str] = &["kode", "code", "kode_wilayah", "kode_kemendagri", "id"];
const NAME: &[&str] = &["nama", "name", "nama_wilayah"];
const LAT: &[&str] = &["lat", "latitude", "lintang"];
const LON: &[&str] = &["lng", "lon", "long", "longitude", "bujur"];

/// A parsed list: each entry with the line it came from.
pub type RegionList = Vec<(u64, RegionEntry)>;

/// Reads and checks a region list. Any refused row refuses the file: a half-applied
/// official list would be worse than none.
pub fn read_region_list(bytes: &[u8]) -> Result<RegionList, RowErrors> {
    let (header, rows) = read_rows(bytes)?;
    let (Some(code_col), Some(name_col)) = (header.find(CODE), header.find(NAME)) else {
        return Err(RowErrors(vec![RowError {
            line: 1,
            column: None,
            reason: Msg::new("intake.region_list_header"),
        }]));
    };
    let (lat_col, lon_col) = (header.find(LAT), header.find(LON));
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut first_line_of = std::collections::HashMap::new();
    for (line, fields) in rows {
        let field = |i: usize| fields.get(i).map(|s| s.trim()).unwrap_or("");
        let err = |column: &str, reason: Msg| RowError {
            line,
            column: Some(column.into()),
            reason,
        };
        let code = match RegionCode::parse(field(code_col)) {
            Ok(c) => c,
            Err(e) => {
                errors.push(err("kode", e.msg()));
                continue;
            }
        };
        let name = field(name_col);
        if name.is_empty() {
            errors.push(err(
                "nama",
                Msg::new("intake.region_name_empty").arg("code", &code),
            ));
            continue;
        }
        let mut coord = |col: Option<usize>, label: &str, range: f64| -> Option<f64> {
            let raw = field(col?);
            if raw.is_empty() {
                return None;
            }
            match raw.replace(',', ".").parse::<f64>() {
                Ok(v) if v.abs() <= range => Some(v),
                _ => {
                    errors.push(err(
                        label,
                        Msg::new("intake.coordinate_invalid").arg("value", raw),
                    ));
                    None
                }
            }
        };
        let latitude = coord(lat_col, "lat", 90.0);
        let longitude = coord(lon_col, "lng", 180.0);
        if let Some(first) = first_line_of.insert(code.clone(), line) {
            errors.push(err(
                "kode",
                Msg::new("intake.code_repeated")
                    .arg("code", &code)
                    .arg("first", first),
            ));
            continue;
        }
        out.push((
            line,
            RegionEntry {
                code,
                name: name.to_string(),
                latitude,
                longitude,
            },
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(RowErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sinergi_i18n::{Lang, Messages};

    fn id(m: &Msg) -> String {
        Messages::new(Lang::Id).render(m)
    }

    #[test]
    fn reads_the_common_shape_with_bom_and_extra_columns() {
        let csv = "\u{feff}kode,nama,level,parent\n52,Nusa Tenggara Barat,provinsi,\n52.01,Kabupaten Lombok Barat,kabkota,52\n\n5201012001,Desa X,desakel,52.01.01\n";
        let list = read_region_list(csv.as_bytes()).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[2].0, 5);
        assert_eq!(list[2].1.code.as_str(), "52.01.01.2001");
    }

    #[test]
    fn reads_semicolons_and_coordinates() {
        let csv = "KODE;NAMA;LAT;LNG\n52;NTB;-8,5;116,1\n";
        let list = read_region_list(csv.as_bytes()).unwrap();
        assert_eq!(list[0].1.latitude, Some(-8.5));
        assert_eq!(list[0].1.longitude, Some(116.1));
    }

    #[test]
    fn names_every_bad_row_and_why() {
        let csv = "kode,nama,lat\n52,NTB,\n52.0X,Salah,\n52.01,,\n52,NTB lagi,\n52.02,Lombok Tengah,-200\n";
        let errs = read_region_list(csv.as_bytes()).unwrap_err().0;
        let text: Vec<String> = errs.iter().map(|e| id(&e.msg())).collect();
        assert_eq!(errs.len(), 4, "{text:?}");
        assert!(text[0].starts_with("baris 3, kolom kode:"), "{}", text[0]);
        assert!(text[1].contains("baris 4, kolom nama") && text[1].contains("kosong"));
        assert!(text[2].contains("sudah muncul di baris 2"));
        assert!(text[3].contains("baris 6, kolom lat") && text[3].contains("-200"));
    }

    #[test]
    fn refuses_missing_columns_and_reads_windows_1252() {
        let errs = read_region_list(b"code_x,nama\n52,NTB\n").unwrap_err();
        assert!(id(&errs.msg()).contains("\"kode\" dan \"nama\""));
        // A whole file in Windows-1252 (Excel's "CSV" on Windows) is read as such…
        let list =
            read_region_list(b"kode,nama\n52,Nusa Tenggara Barat\n52.01,Kab. \xe9\n").unwrap();
        assert_eq!(list[1].1.name, "Kab. é");
        // … but a file mixing UTF-8 with it is refused once, naming the cause.
        let errs = read_region_list(b"kode,nama\n52,N\xc3\xa9\n52.01,Kab. \xe9\n")
            .unwrap_err()
            .0;
        assert_eq!(errs.len(), 1);
        assert!(
            id(&errs[0].msg()).contains("UTF-8"),
            "{}",
            id(&errs[0].msg())
        );
        assert!(read_region_list(b"").is_err());
    }
}
