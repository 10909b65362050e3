//! The clerical-review file the linkage engine writes (`tinjauan.csv`): per pair the two ids,
//! probability and weight, then for each compared column the left value, the right value and
//! that column's weight, and a `keputusan` column.

pub use sinergi_core::review::ReviewPair;

use crate::table::{RowError, RowErrors, read_rows};
use sinergi_core::Msg;

#[derive(Debug, Clone, PartialEq)]
pub struct ReviewFile {
    pub columns: Vec<String>,
    pub pairs: Vec<ReviewPair>,
}

const FIXED: [&str; 4] = ["id_kiri", "id_kanan", "probabilitas", "bobot"];

fn header_error(reason: Msg) -> RowErrors {
    RowErrors(vec![RowError {
        line: 1,
        column: None,
        reason,
    }])
}

/// Reads a review file; any malformed row refuses the file (a queue with holes would hide
/// pairs from the reviewer).
pub fn read_review_file(bytes: &[u8]) -> Result<ReviewFile, RowErrors> {
    let (header, rows) = read_rows(bytes)?;
    let names = header.names();
    if names.len() < 5
        || names[..4] != FIXED
        || names.last().map(String::as_str) != Some("keputusan")
    {
        return Err(header_error(Msg::new("intake.review_not_review_file")));
    }
    let middle = &names[4..names.len() - 1];
    if middle.len() % 3 != 0 {
        return Err(header_error(Msg::new("intake.review_triples")));
    }
    let mut columns = Vec::new();
    for triple in middle.chunks(3) {
        let Some(col) = triple[0].strip_suffix("_kiri") else {
            return Err(header_error(
                Msg::new("intake.review_no_left").arg("column", &triple[0]),
            ));
        };
        if triple[1] != format!("{col}_kanan") || triple[2] != format!("bobot_{col}") {
            return Err(header_error(
                Msg::new("intake.review_triple_order")
                    .arg("column", &triple[0])
                    .arg("right", format!("{col}_kanan"))
                    .arg("weight", format!("bobot_{col}")),
            ));
        }
        columns.push(col.to_string());
    }
    let mut pairs = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for (line, fields) in rows {
        let get = |i: usize| fields.get(i).map(|s| s.trim()).unwrap_or("");
        let number = |i: usize, name: &str, errors: &mut Vec<RowError>| -> f64 {
            get(i).parse::<f64>().unwrap_or_else(|_| {
                errors.push(RowError {
                    line,
                    column: Some(name.to_string()),
                    reason: Msg::new("intake.not_a_number").arg("value", get(i)),
                });
                f64::NAN
            })
        };
        if get(0).is_empty() || get(1).is_empty() {
            errors.push(RowError {
                line,
                column: Some("id_kiri/id_kanan".into()),
                reason: Msg::new("intake.review_id_required"),
            });
            continue;
        }
        let probability = number(2, "probabilitas", &mut errors);
        if !(0.0..=1.0).contains(&probability) && !probability.is_nan() {
            errors.push(RowError {
                line,
                column: Some("probabilitas".into()),
                reason: Msg::new("intake.probability_range"),
            });
        }
        let weight = number(3, "bobot", &mut errors);
        let mut values = Vec::with_capacity(columns.len());
        for (k, col) in columns.iter().enumerate() {
            let base = 4 + 3 * k;
            let w = number(base + 2, &format!("bobot_{col}"), &mut errors);
            values.push((get(base).to_string(), get(base + 1).to_string(), w));
        }
        pairs.push(ReviewPair {
            line,
            left_id: get(0).to_string(),
            right_id: get(1).to_string(),
            probability,
            weight,
            fields: values,
        });
    }
    if errors.is_empty() {
        Ok(ReviewFile { columns, pairs })
    } else {
        Err(RowErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "id_kiri,id_kanan,probabilitas,bobot,nama_kiri,nama_kanan,bobot_nama,nik_kiri,nik_kanan,bobot_nik,keputusan\n\
                        a1,b7,0.71,1.3,Siti Aminah,Siti Aminah,4.2,5203054507900001,,0,\n\
                        a2,b9,0.55,0.2,Lalu Ahmad,L. Ahmad,2.1,5203051203850002,5203051203850020,-1.5,\n";

    #[test]
    fn reads_pairs_with_their_field_weights() {
        let f = read_review_file(FILE.as_bytes()).unwrap();
        assert_eq!(f.columns, vec!["nama", "nik"]);
        assert_eq!(f.pairs.len(), 2);
        assert_eq!(f.pairs[1].left_id, "a2");
        assert_eq!(f.pairs[1].fields[1].2, -1.5);
        assert_eq!(f.pairs[0].fields[1].1, "");
    }

    #[test]
    fn refuses_other_files_and_names_bad_rows() {
        let e = read_review_file(b"nama,kode_desa\nA,52\n").unwrap_err();
        assert_eq!(e.0[0].line, 1);
        assert_eq!(e.0[0].reason.key, "intake.review_not_review_file");
        let e = read_review_file(
            b"id_kiri,id_kanan,probabilitas,bobot,nama_kiri,bobot_nama,nama_kanan,keputusan\n",
        )
        .unwrap_err();
        assert_eq!(e.0[0].reason.key, "intake.review_triple_order");
        assert_eq!(
            e.0[0].reason.get("right"),
            Some(&sinergi_core::MsgArg::Text("nama_kanan".into()))
        );
        let bad = FILE.replace("0.55", "kira-kira");
        let e = read_review_file(bad.as_bytes()).unwrap_err();
        assert_eq!(e.0[0].line, 3);
        assert_eq!(e.0[0].column.as_deref(), Some("probabilitas"));
        assert_eq!(e.0[0].reason.key, "intake.not_a_number");
        let bad = FILE.replace("0.55", "1.5");
        let e = read_review_file(bad.as_bytes()).unwrap_err();
        assert_eq!(e.0[0].reason.key, "intake.probability_range");
    }
}
