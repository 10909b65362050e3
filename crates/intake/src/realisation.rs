//! Reading a realisation file (CSV or XLSX, one value per row) into core's
//! [`NewRealisation`] rows, which core then checks against the strategy; every row is either
//! read or listed with its line, column and reason (a catalogue message).

use sinergi_core::Msg;
use sinergi_core::strategy::NewRealisation;
use sinergi_core::{Period, Table};

use crate::table::RowError;

/// The columns of the realisation template, in order; the first six are required.
pub const COLUMNS: [&str; 9] = [
    "kode_indikator",
    "rincian",
    "kode_wilayah",
    "periode",
    "sumber",
    "nilai",
    "faktor_pendorong",
    "faktor_penghambat",
    "tindak_lanjut",
];
const REQUIRED: [&str; 5] = [
    "kode_indikator",
    "kode_wilayah",
    "periode",
    "sumber",
    "nilai",
];

/// A row as read from the file: core's input row.
pub type RealisationRow = NewRealisation;

/// A figure as partners write it: `12,91` or `12.91`; with both marks the dot groups
/// thousands (`233.849,5`). Spaces and a trailing `%` are ignored.
pub fn parse_figure(s: &str) -> Option<f64> {
    let t: String = s
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if t.is_empty() {
        return None;
    }
    let normal = if t.contains(',') && t.contains('.') {
        t.replace('.', "").replace(',', ".")
    } else {
        t.replace(',', ".")
    };
    normal.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Reads every row; missing required columns refuse the whole file (line 1).
pub fn read_realisations(table: &Table) -> (Vec<RealisationRow>, Vec<RowError>) {
    let mut errors = Vec::new();
    for c in REQUIRED {
        if table.column_index(c).is_none() {
            errors.push(RowError {
                line: 1,
                column: Some(c.to_string()),
                reason: Msg::new("strategy.refuse.column_missing")
                    .arg("columns", COLUMNS.join(", ")),
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
        let mut bad = false;
        for c in REQUIRED {
            if get(c, i).is_empty() {
                errors.push(err(c, Msg::new("strategy.refuse.required")));
                bad = true;
            }
        }
        if bad {
            continue;
        }
        let period = match Period::parse(&get("periode", i)) {
            Ok(p) => p,
            Err(_) => {
                errors.push(err(
                    "periode",
                    Msg::new("strategy.refuse.period_bad").arg("period", get("periode", i)),
                ));
                continue;
            }
        };
        let Some(value) = parse_figure(&get("nilai", i)) else {
            errors.push(err(
                "nilai",
                Msg::new("strategy.refuse.figure").arg("value", get("nilai", i)),
            ));
            continue;
        };
        rows.push(NewRealisation {
            line,
            indicator_code: get("kode_indikator", i),
            disaggregation: get("rincian", i),
            region: get("kode_wilayah", i),
            period,
            source: get("sumber", i),
            value,
            drivers: get("faktor_pendorong", i),
            obstacles: get("faktor_penghambat", i),
            follow_up: get("tindak_lanjut", i),
        });
    }
    (rows, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_in_both_notations() {
        assert_eq!(parse_figure("12,91"), Some(12.91));
        assert_eq!(parse_figure("12.91 %"), Some(12.91));
        assert_eq!(parse_figure("233.849,5"), Some(233_849.5));
        assert_eq!(parse_figure("1 200"), Some(1200.0));
        assert_eq!(parse_figure("dua"), None);
        assert_eq!(parse_figure(""), None);
    }

    #[test]
    fn rows_are_read_or_refused_with_line_and_column() {
        let t = Table::from_rows(
            &[
                "kode_indikator",
                "kode_wilayah",
                "periode",
                "sumber",
                "nilai",
            ],
            &[
                &["IK1.1", "52", "Triwulan III 2025", "BPS", "12,5"],
                &["IK1.1", "52.03", "2025-Q5", "BPS", "1"],
                &["IK1.1", "52.03", "2025-Q3", "BPS", "banyak"],
                &["", "", "", "", ""],
                &["IK1.1", "", "2025-Q3", "BPS", "1"],
            ],
        );
        let (rows, errors) = read_realisations(&t);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].period.to_string(), "2025-Q3");
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.line, e.column.clone().unwrap()))
                .collect::<Vec<_>>(),
            vec![
                (3, "periode".to_string()),
                (4, "nilai".to_string()),
                (6, "kode_wilayah".to_string())
            ]
        );
        let (_, missing) = read_realisations(&Table::from_rows(&["nilai"], &[]));
        assert_eq!(missing.len(), 4);
    }
}
