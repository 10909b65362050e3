//! Any table (CSV or XLSX) read into columns, for engines that work on whole columns such as
//! record linkage. Unlike the typed readers, nothing is validated here except the shape of the
//! file: text encoding, a header, and the same number of fields on every row.

use std::path::Path;

use sinergi_core::{Table, TextColumn};
use thiserror::Error;

use crate::table::{LineCounter, RowError, RowErrors, csv_reader, fold_header};

/// Refusals listed in full; beyond this only their number is given.
const LISTED_ERRORS: usize = 20;

#[derive(Debug, Error)]
pub enum TableError {
    #[error("berkas tidak bisa dibaca: {0}")]
    Io(#[from] std::io::Error),
    #[error("berkas lebih besar dari 4 GiB; pecah menjadi beberapa berkas")]
    TooLarge,
    #[error("berkas Excel tidak bisa dibaca: {0}")]
    Excel(String),
    #[error("{errors}{}", if *.more > 0 { format!("\n  … dan {} baris lain ditolak", .more) } else { String::new() })]
    Rows { errors: RowErrors, more: usize },
}

/// Collects refusals, keeping the first few whole and counting the rest.
#[derive(Default)]
struct Refusals {
    listed: Vec<RowError>,
    more: usize,
}

impl Refusals {
    fn push(&mut self, line: u64, column: Option<String>, reason: String) {
        if self.listed.len() < LISTED_ERRORS {
            self.listed.push(RowError {
                line,
                column,
                reason,
            });
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    fn into_error(self) -> TableError {
        TableError::Rows {
            errors: RowErrors(self.listed),
            more: self.more,
        }
    }
}

/// Reads `path` as XLSX/XLSM/XLS (first sheet) by its extension, otherwise as CSV.
pub fn read_table_file(path: &Path) -> Result<Table, TableError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods") {
        return read_spreadsheet(path);
    }
    let bytes = std::fs::read(path)?;
    read_csv_table(&bytes)
}

/// Starts a table from its header row, refusing duplicate or empty names.
fn start_table(names: Vec<String>, refusals: &mut Refusals) -> Table {
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            refusals.push(1, None, format!("judul kolom ke-{} kosong", i + 1));
        } else if let Some(first) = names[..i]
            .iter()
            .position(|n| fold_header(n) == fold_header(name))
        {
            refusals.push(
                1,
                Some(name.clone()),
                format!("judul kolom ganda (sama dengan kolom ke-{})", first + 1),
            );
        }
    }
    Table {
        columns: names.iter().map(|_| TextColumn::default()).collect(),
        header: names,
        lines: Vec::new(),
    }
}

/// Comma or semicolon separated UTF-8 text. Lines that are not UTF-8 (a file saved partly in
/// another encoding) are named, not guessed.
pub fn read_csv_table(bytes: &[u8]) -> Result<Table, TableError> {
    if bytes.len() > u32::MAX as usize {
        return Err(TableError::TooLarge);
    }
    let (bytes, mut reader) = csv_reader(bytes);
    let mut refusals = Refusals::default();
    let mut table: Option<Table> = None;
    let mut lines = LineCounter::new(bytes);
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                refusals.push(line, None, format!("tidak bisa dibaca sebagai CSV: {e}"));
                continue;
            }
        }
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        let Some(fields) = utf8_fields(&record) else {
            refusals.push(
                line,
                None,
                "bukan teks UTF-8 (berkas bercampur pengodean; simpan ulang sebagai \"CSV UTF-8\")"
                    .into(),
            );
            continue;
        };
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(t) = table.as_mut() else {
            let names = fields.iter().map(|f| f.trim().to_string()).collect();
            table = Some(start_table(names, &mut refusals));
            continue;
        };
        push_row(t, line, &fields, &mut refusals);
    }
    finish(table, refusals)
}

fn utf8_fields(record: &csv::ByteRecord) -> Option<Vec<&str>> {
    record.iter().map(|f| std::str::from_utf8(f).ok()).collect()
}

fn push_row<S: AsRef<str>>(t: &mut Table, line: u64, fields: &[S], refusals: &mut Refusals) {
    if fields.len() != t.header.len() {
        refusals.push(
            line,
            None,
            format!(
                "berisi {} kolom, padahal baris judul berisi {} kolom",
                fields.len(),
                t.header.len()
            ),
        );
        return;
    }
    if !refusals.is_empty() {
        // The file will be refused anyway; only keep looking for further problems.
        return;
    }
    for (column, field) in t.columns.iter_mut().zip(fields) {
        // Cannot fail: the whole file is below 4 GiB.
        let _ = column.push(field.as_ref().trim());
    }
    t.lines.push(line.min(u32::MAX as u64) as u32);
}

fn finish(table: Option<Table>, refusals: Refusals) -> Result<Table, TableError> {
    let Some(mut table) = table else {
        let mut r = Refusals::default();
        r.push(1, None, "berkas kosong: tidak ada baris judul".into());
        return Err(r.into_error());
    };
    if !refusals.is_empty() {
        return Err(refusals.into_error());
    }
    for c in &mut table.columns {
        c.shrink_to_fit();
    }
    Ok(table)
}

/// The first sheet of a spreadsheet. Numbers become their plain decimal text (a NIK typed as
/// a number stays recognisable as Excel damage downstream); dates become YYYY-MM-DD.
fn read_spreadsheet(path: &Path) -> Result<Table, TableError> {
    let book = calamine::open_workbook_auto(path).map_err(|e| TableError::Excel(e.to_string()))?;
    read_sheets(book)
}

/// A table from an uploaded file's bytes: XLSX/XLSM/XLS/ODS by the file name's extension,
/// otherwise CSV.
pub fn read_table_bytes(filename: &str, bytes: &[u8]) -> Result<Table, TableError> {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods") {
        let book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| TableError::Excel(e.to_string()))?;
        return read_sheets(book);
    }
    read_csv_table(bytes)
}

fn read_sheets<RS: std::io::Read + std::io::Seek>(
    mut book: calamine::Sheets<RS>,
) -> Result<Table, TableError> {
    use calamine::{Data, Reader};
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| TableError::Excel("berkas tidak berisi lembar kerja".into()))?
        .map_err(|e| TableError::Excel(e.to_string()))?;
    let first_row = range.start().map_or(0, |(r, _)| r as u64);
    let mut refusals = Refusals::default();
    let mut table: Option<Table> = None;
    for (i, row) in range.rows().enumerate() {
        let line = first_row + i as u64 + 1;
        let fields: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) => number_text(*f),
                Data::Int(n) => n.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => excel_date_text(d.as_f64()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            })
            .collect();
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        match table.as_mut() {
            None => {
                let names = trim_trailing_empty(fields);
                table = Some(start_table(names, &mut refusals));
            }
            Some(t) => {
                let mut fields = fields;
                // Sheets are rectangular; cells past the header are empty padding or data.
                if fields.len() > t.header.len()
                    && fields[t.header.len()..].iter().all(|f| f.is_empty())
                {
                    fields.truncate(t.header.len());
                }
                fields.resize(fields.len().max(t.header.len()), String::new());
                push_row(t, line, &fields, &mut refusals);
            }
        }
    }
    finish(table, refusals)
}

fn trim_trailing_empty(mut names: Vec<String>) -> Vec<String> {
    while names.last().is_some_and(|n| n.trim().is_empty()) {
        names.pop();
    }
    names.into_iter().map(|n| n.trim().to_string()).collect()
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// Excel serial day (1900 system) to YYYY-MM-DD.
fn excel_date_text(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    base.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
        .map_or_else(|| serial.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(bytes: &[u8]) -> String {
        read_csv_table(bytes).unwrap_err().to_string()
    }

    #[test]
    fn reads_columns_with_lines() {
        let t = read_csv_table(b"\xef\xbb\xbfid;nama\n\n1;Ani \n2;\"Budi, S.Pd\"\n").unwrap();
        assert_eq!(t.header, ["id", "nama"]);
        assert_eq!(t.columns[1].get(0), "Ani");
        assert_eq!(t.columns[1].get(1), "Budi, S.Pd");
        assert_eq!(t.lines, [3, 4]);
    }

    #[test]
    fn names_lines_in_another_encoding() {
        let e = err(b"id,nama\n1,Ani\n2,Jos\xe9\n3,Budi\n");
        assert!(e.contains("baris 3") && e.contains("UTF-8"), "{e}");
        assert!(!e.contains("baris 4"), "{e}");
    }

    #[test]
    fn refuses_ragged_rows_duplicate_headers_and_empty_files() {
        let e = err(b"id,nama\n1,Ani,x\n");
        assert!(e.contains("baris 2") && e.contains("3 kolom"), "{e}");
        let e = err(b"id,Nama,nama\n1,a,b\n");
        assert!(e.contains("judul kolom ganda"), "{e}");
        assert!(err(b"\n\n").contains("berkas kosong"));
    }

    #[test]
    fn long_error_lists_are_counted_not_printed() {
        let mut f = b"id,nama\n".to_vec();
        for i in 0..30 {
            f.extend_from_slice(format!("{i},a,b\n").as_bytes());
        }
        let e = err(&f);
        assert!(e.contains("dan 10 baris lain"), "{e}");
    }

    #[test]
    fn spreadsheet_numbers_and_dates_become_text() {
        assert_eq!(number_text(5203014506890001.0), "5203014506890001");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(excel_date_text(45000.0), "2023-03-15");
    }
}
