//! Reading a file of published figures per region (CSV or XLSX, one figure per row: the
//! `indikator_wilayah.csv` layout `sinergi generate` writes) — PPKS counts per desa from
//! Dinas Sosial, extreme-poverty target desa, poverty, stunting, child marriage. Every row is
//! either read or listed with its line, column and reason.

use sinergi_core::groups::{GROUP_COLUMNS, Group};
use sinergi_core::{Msg, Period, RegionCode, Table};

use crate::realisation::parse_figure;
use crate::table::RowError;

/// The columns, in order; `nama_wilayah`, `estimasi`, `catatan` and the three group columns
/// may be left out. `kode_wilayah` `ID` (or `nasional`) is Indonesia as a whole; a row with
/// `jenis_kelamin`, `kelompok_umur` or `disabilitas` is one cell of a cross-table.
pub const COLUMNS: [&str; 13] = [
    "kode_wilayah",
    "nama_wilayah",
    "indikator",
    "periode",
    "nilai",
    "satuan",
    "sumber",
    "jenis",
    "estimasi",
    "catatan",
    "jenis_kelamin",
    "kelompok_umur",
    "disabilitas",
];
const REQUIRED: [&str; 7] = [
    "kode_wilayah",
    "indikator",
    "periode",
    "nilai",
    "satuan",
    "sumber",
    "jenis",
];

/// One figure as read.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateRow {
    pub line: u64,
    /// `None`: Indonesia as a whole.
    pub region: Option<RegionCode>,
    /// All `""` for a figure of the whole population.
    pub group: Group,
    /// Data element key: lower-case letters, digits and `_` (`ppks_lanjut_usia_terlantar`).
    pub element: String,
    /// As written by [`Period`]: `2025`, `2025-Q3`, `2024-03`.
    pub period: String,
    pub value: f64,
    pub unit: String,
    pub source: String,
    /// A survey (`survei`) rather than administrative records (`administratif`).
    pub survey: bool,
    pub estimated: bool,
    pub note: Option<String>,
}

/// Reads every row; missing required columns refuse the whole file (line 1).
pub fn read_aggregates(table: &Table) -> (Vec<AggregateRow>, Vec<RowError>) {
    let mut errors = Vec::new();
    for c in REQUIRED {
        if table.column_index(c).is_none() {
            errors.push(RowError {
                line: 1,
                column: Some(c.to_string()),
                reason: Msg::new("aggregate.column_missing").arg("columns", REQUIRED.join(", ")),
            });
        }
    }
    if !errors.is_empty() {
        return (Vec::new(), errors);
    }
    let get = |name: &str, row: usize| -> String {
        table
            .column(name)
            .map(|c| c.get(row).trim().to_string())
            .unwrap_or_default()
    };
    let mut rows = Vec::with_capacity(table.rows());
    for i in 0..table.rows() {
        let line = u64::from(table.lines[i]);
        let err = |column: &str, reason: Msg| RowError {
            line,
            column: Some(column.to_string()),
            reason,
        };
        if COLUMNS.iter().all(|c| get(c, i).is_empty()) {
            continue;
        }
        let missing: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|c| get(c, i).is_empty())
            .collect();
        if let Some(c) = missing.first() {
            errors.push(err(c, Msg::new("aggregate.required")));
            continue;
        }
        let code = get("kode_wilayah", i);
        let national = ["id", "nasional", "indonesia"].contains(&code.to_lowercase().as_str());
        let region = match RegionCode::parse(&code) {
            _ if national => None,
            Ok(r) => Some(r),
            Err(_) => {
                errors.push(err(
                    "kode_wilayah",
                    Msg::new("aggregate.region_bad").arg("value", &code),
                ));
                continue;
            }
        };
        let element = get("indikator", i).to_lowercase();
        if !element
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            || element.len() > 64
        {
            errors.push(err(
                "indikator",
                Msg::new("aggregate.element_bad").arg("value", &element),
            ));
            continue;
        }
        let period = match Period::parse(&get("periode", i)) {
            Ok(p) => p.to_string(),
            Err(_) => {
                errors.push(err(
                    "periode",
                    Msg::new("aggregate.period_bad").arg("value", get("periode", i)),
                ));
                continue;
            }
        };
        let Some(value) = parse_figure(&get("nilai", i)) else {
            errors.push(err(
                "nilai",
                Msg::new("aggregate.figure_bad").arg("value", get("nilai", i)),
            ));
            continue;
        };
        let survey = match get("jenis", i).to_lowercase().as_str() {
            "survei" | "survey" => true,
            "administratif" | "administrative" => false,
            other => {
                errors.push(err(
                    "jenis",
                    Msg::new("aggregate.kind_bad").arg("value", other),
                ));
                continue;
            }
        };
        let estimated = match get("estimasi", i).to_lowercase().as_str() {
            "" | "tidak" | "no" | "0" => false,
            "ya" | "yes" | "1" => true,
            other => {
                errors.push(err(
                    "estimasi",
                    Msg::new("aggregate.estimated_bad").arg("value", other),
                ));
                continue;
            }
        };
        let group = match Group::parse(
            &get(GROUP_COLUMNS[0], i),
            &get(GROUP_COLUMNS[1], i),
            &get(GROUP_COLUMNS[2], i),
        ) {
            Ok(g) => g,
            Err((col, reason)) => {
                errors.push(err(GROUP_COLUMNS[col], reason));
                continue;
            }
        };
        let note = get("catatan", i);
        rows.push(AggregateRow {
            line,
            region,
            group,
            element,
            period,
            value,
            unit: get("satuan", i),
            source: get("sumber", i),
            survey,
            estimated,
            note: (!note.is_empty()).then_some(note),
        });
    }
    (rows, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Table {
        crate::read_table_bytes("agregat.csv", csv.as_bytes()).unwrap()
    }

    #[test]
    fn reads_figures_and_names_every_bad_row() {
        let t = table(
            "kode_wilayah;indikator;periode;nilai;satuan;sumber;jenis;estimasi\n\
             52.03.05.2003;jumlah_ppks;2025-Q3;41;orang;Dinsos NTB;administratif;tidak\n\
             52;perkawinan_anak;2024;14,96;persen;BPS Susenas 2024;survei;\n\
             ID;perkawinan_anak;2024;5,9;persen;BPS;survei;\n\
             5A;perkawinan_anak;2024;5,9;persen;BPS;survei;\n\
             52.03;Stunting %;2023;24,6;persen;SKI;survei;\n\
             52.03;stunting;kemarin;24,6;persen;SKI;survei;\n\
             52.03;stunting;2023;dua;persen;SKI;survei;\n\
             52.03;stunting;2023;24,6;persen;SKI;sensus;\n\
             52.03;stunting;2023;24,6;persen;;survei;\n",
        );
        let (rows, errors) = read_aggregates(&t);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].region, None);
        assert!(rows[2].group.is_total());
        assert_eq!(rows[0].element, "jumlah_ppks");
        assert_eq!(rows[0].period, "2025-Q3");
        assert!(!rows[0].survey && !rows[0].estimated);
        assert_eq!(rows[1].value, 14.96);
        assert!(rows[1].survey);
        let seen: Vec<(u64, &str, &str)> = errors
            .iter()
            .map(|e| (e.line, e.column.as_deref().unwrap(), e.reason.key))
            .collect();
        assert_eq!(
            seen,
            vec![
                (5, "kode_wilayah", "aggregate.region_bad"),
                (6, "indikator", "aggregate.element_bad"),
                (7, "periode", "aggregate.period_bad"),
                (8, "nilai", "aggregate.figure_bad"),
                (9, "jenis", "aggregate.kind_bad"),
                (10, "sumber", "aggregate.required"),
            ]
        );
    }

    #[test]
    fn group_columns_make_a_cell_of_a_cross_table() {
        let t = table(
            "kode_wilayah;indikator;periode;nilai;satuan;sumber;jenis;jenis_kelamin;kelompok_umur;disabilitas\n\
             52.03;klien_lks;2025;14;orang;Dinsos;administratif;P;0-17;ya\n\
             52.03;klien_lks;2025;140;orang;Dinsos;administratif;perempuan;;\n\
             52.03;klien_lks;2025;9;orang;Dinsos;administratif;P;balita;\n",
        );
        let (rows, errors) = read_aggregates(&t);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].group.is_full());
        assert_eq!(rows[1].group.sex, "perempuan");
        assert_eq!(rows[1].group.age_band, "");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 4);
        assert_eq!(errors[0].column.as_deref(), Some("kelompok_umur"));
        assert_eq!(errors[0].reason.key, "groups.value_bad");
    }

    #[test]
    fn a_file_without_the_value_column_is_refused_whole() {
        let (rows, errors) = read_aggregates(&table("kode_wilayah,indikator,periode\n52,x,2024\n"));
        assert!(rows.is_empty());
        assert!(errors.iter().any(|e| e.column.as_deref() == Some("nilai")));
        assert!(errors.iter().all(|e| e.line == 1));
    }
}
