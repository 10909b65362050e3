//! Downloads, in one place: a table becomes a CSV file (with a UTF-8 BOM so Excel reads the
//! Indonesian text right) or an XLSX workbook, with a download name. Import templates are the
//! same tables with no rows and a sheet of instructions.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The two tabular formats partners work in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

impl TableFormat {
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            TableFormat::Csv => "text/csv; charset=utf-8",
            TableFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// One sheet of a download: a header row and text cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Sheet name in XLSX (cut to Excel's 31 characters).
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Instructions, one `(column, explanation)` per line, written as a second sheet
    /// "Petunjuk" in XLSX; CSV has no room for them.
    pub notes: Vec<(String, String)>,
}

impl Table {
    pub fn new(name: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Table {
        Table {
            name: name.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
            notes: Vec::new(),
        }
    }

    /// An import template's notes: each column explained by the catalogue entry named by
    /// `key_pattern` with `{}` replaced by the column (e.g. `"lks.col.{}"`), in the user's
    /// language.
    pub fn with_column_notes(mut self, t: &crate::i18n::Messages, key_pattern: &str) -> Table {
        self.notes = self
            .headers
            .iter()
            .map(|c| (c.clone(), t.get(&key_pattern.replace("{}", c)).to_string()))
            .collect();
        self
    }
}

/// A cell as it may reach a spreadsheet: text that a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return — OWASP's CSV injection rule)
/// gets a leading apostrophe, so it is shown as the text it is. Every cell of every download,
/// CSV and XLSX, headers included, passes through here.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{cell}")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

/// CSV bytes with a BOM; every value is quoted where needed by the csv writer and
/// [`neutralise`]d.
pub fn csv_bytes(table: &Table) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + table.rows.len() * 96);
    out.extend_from_slice("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        // Writing to memory cannot fail.
        let _ = w.write_record(table.headers.iter().map(|h| neutralise(h).into_owned()));
        for row in &table.rows {
            let _ = w.write_record(row.iter().map(|v| neutralise(v).into_owned()));
        }
        let _ = w.flush();
    }
    out
}

/// What a column holds in XLSX: numbers and dates are typed so a spreadsheet can sum and
/// sort them; everything else (NIK, No. KK, region codes, names) stays text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Text,
    Integer,
    Decimal,
    Date,
    DateTime,
}

/// Headers of columns that hold codes: text even when every value is digits (a province
/// code "52", an id, a phone number), so no digit or leading zero is lost.
fn is_code_column(header: &str) -> bool {
    let h = header.to_lowercase();
    [
        "kode", "code", "nik", "kk", "telepon", "phone", "hp", "npwp", "id",
    ]
    .iter()
    .any(|k| h.split(|c: char| !c.is_alphanumeric()).any(|w| w == *k))
        || h.starts_with("kode")
        || h.starts_with("no_")
}

fn kind_of(value: &str) -> CellKind {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if all_digits(digits) && digits.len() <= 15 && (digits == "0" || !digits.starts_with('0')) {
        return CellKind::Integer;
    }
    if let Some((whole, fraction)) = digits.split_once('.')
        && all_digits(whole)
        && all_digits(fraction)
        && whole.len() <= 15
    {
        return CellKind::Decimal;
    }
    if chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() {
        return CellKind::Date;
    }
    if datetime(value).is_some() {
        return CellKind::DateTime;
    }
    CellKind::Text
}

fn datetime(value: &str) -> Option<chrono::NaiveDateTime> {
    let v = value.trim_end_matches('Z');
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(v, f).ok())
}

fn excel_date(value: &str) -> Option<rust_xlsxwriter::ExcelDateTime> {
    use chrono::Datelike;
    let d = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    rust_xlsxwriter::ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        d.month() as u8,
        d.day() as u8,
    )
    .ok()
}

fn excel_datetime(d: &chrono::NaiveDateTime) -> Option<rust_xlsxwriter::ExcelDateTime> {
    use chrono::{Datelike, Timelike};
    rust_xlsxwriter::ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        d.month() as u8,
        d.day() as u8,
    )
    .ok()?
    .and_hms(d.hour() as u16, d.minute() as u8, d.second())
    .ok()
}

/// A column is a number or date column when it is not a code column and every filled cell
/// reads as one (integers and decimals together make a decimal column).
fn column_kinds(table: &Table) -> Vec<CellKind> {
    (0..table.headers.len())
        .map(|c| {
            if is_code_column(&table.headers[c]) {
                return CellKind::Text;
            }
            let mut kind = None;
            for v in table.rows.iter().filter_map(|r| r.get(c)) {
                if v.is_empty() {
                    continue;
                }
                let k = match (kind, kind_of(v)) {
                    (Some(CellKind::Integer), CellKind::Decimal)
                    | (Some(CellKind::Decimal), CellKind::Integer) => CellKind::Decimal,
                    (Some(a), b) if a != b => return CellKind::Text,
                    (_, b) => b,
                };
                if k == CellKind::Text {
                    return CellKind::Text;
                }
                kind = Some(k);
            }
            kind.unwrap_or(CellKind::Text)
        })
        .collect()
}

/// `[$-421]` is Excel's Indonesian locale, so dates show as "7 Des 2026" and numbers with
/// the reader's separators.
fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    kind: CellKind,
    value: &str,
) -> Result<(), XlsxError> {
    let number = |format: &str| Format::new().set_num_format(format);
    match kind {
        _ if value.is_empty() => {}
        CellKind::Integer | CellKind::Decimal => match value.parse::<f64>() {
            Ok(n) if kind == CellKind::Integer => {
                sheet.write_number_with_format(row, col, n, &number("#,##0"))?;
            }
            Ok(n) => {
                sheet.write_number_with_format(row, col, n, &number("#,##0.0##"))?;
            }
            Err(_) => {
                sheet.write_string(row, col, &*neutralise(value))?;
            }
        },
        CellKind::Date => match excel_date(value) {
            Some(d) => {
                sheet.write_datetime_with_format(row, col, &d, &number("[$-421]d mmm yyyy"))?;
            }
            None => {
                sheet.write_string(row, col, &*neutralise(value))?;
            }
        },
        CellKind::DateTime => match datetime(value).and_then(|d| excel_datetime(&d)) {
            Some(d) => {
                sheet.write_datetime_with_format(
                    row,
                    col,
                    &d,
                    &number("[$-421]d mmm yyyy hh:mm"),
                )?;
            }
            None => {
                sheet.write_string(row, col, &*neutralise(value))?;
            }
        },
        CellKind::Text => {
            sheet.write_string(row, col, &*neutralise(value))?;
        }
    }
    Ok(())
}

/// An XLSX workbook with one sheet per table (plus "Petunjuk" where a table has notes).
/// Numbers and dates are typed cells (see [`column_kinds`]); codes such as NIK, No. KK and
/// region codes stay text, so they keep their digits and dots.
pub fn xlsx_bytes(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&table.name))?;
        for (c, h) in table.headers.iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(0, c, &*neutralise(h), &bold)?;
            sheet.set_column_format(c, &text)?;
            sheet.set_column_width(c, (h.chars().count() as f64 + 4.0).clamp(10.0, 40.0))?;
        }
        let kinds = column_kinds(table);
        for (c, kind) in kinds.iter().enumerate() {
            if *kind != CellKind::Text {
                sheet.set_column_format(c as u16, &Format::new())?;
            }
        }
        for (r, row) in table.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let kind = kinds.get(c).copied().unwrap_or(CellKind::Text);
                write_cell(sheet, (r + 1) as u32, c as u16, kind, v)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        if !table.notes.is_empty() {
            let notes = workbook.add_worksheet();
            notes.set_name(sheet_name(&format!("Petunjuk {}", table.name)))?;
            notes.write_string_with_format(0, 0, "Kolom", &bold)?;
            notes.write_string_with_format(0, 1, "Keterangan", &bold)?;
            notes.set_column_width(0, 28.0)?;
            notes.set_column_width(1, 90.0)?;
            for (i, (column, note)) in table.notes.iter().enumerate() {
                notes.write_string((i + 1) as u32, 0, &*neutralise(column))?;
                notes.write_string((i + 1) as u32, 1, &*neutralise(note))?;
            }
        }
    }
    workbook.save_to_buffer()
}

fn sheet_name(name: &str) -> String {
    // Excel forbids these characters in sheet names and caps them at 31 characters.
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(31)
        .collect();
    if cleaned.trim().is_empty() {
        "data".into()
    } else {
        cleaned
    }
}

/// A file download with the right type and name.
pub fn file_download(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// A table as a download named `<stem>.csv` or `<stem>.xlsx`.
pub fn table_download(
    format: TableFormat,
    stem: &str,
    table: Table,
) -> Result<Response, crate::AppError> {
    let filename = format!("{stem}.{}", format.extension());
    let bytes = match format {
        TableFormat::Csv => csv_bytes(&table),
        TableFormat::Xlsx => xlsx_bytes(std::slice::from_ref(&table))
            .map_err(|e| crate::AppError::internal(format!("xlsx: {e}")))?,
    };
    Ok(file_download(&filename, format.content_type(), bytes))
}

/// A CSV download (the shape the older pages use).
pub fn csv_download(filename: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Response {
    let table = Table::new(filename.trim_end_matches(".csv"), headers, rows);
    file_download(filename, TableFormat::Csv.content_type(), csv_bytes(&table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_round_trips_text_cells_through_calamine_reader() {
        let table = Table {
            notes: vec![("kode".into(), "Kode Kemendagri".into())],
            ..Table::new(
                "lks",
                &["kode", "nik"],
                vec![vec!["52.03.05.2003".into(), "5203054107950001".into()]],
            )
        };
        let bytes = xlsx_bytes(&[table]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        let read = sinergi_intake::columns::read_table_file(&path).unwrap();
        assert_eq!(read.header, vec!["kode", "nik"]);
        assert_eq!(read.column("nik").unwrap().get(0), "5203054107950001");
        assert_eq!(read.column("kode").unwrap().get(0), "52.03.05.2003");
    }

    #[test]
    fn xlsx_types_numbers_and_dates_and_keeps_codes_text() {
        use calamine::{Data, Reader};
        let table = Table::new(
            "ringkas",
            &["kode_wilayah", "nama", "jumlah", "persen", "tanggal", "nik"],
            vec![
                vec![
                    "52".into(),
                    "NTB".into(),
                    "1166".into(),
                    "12.5".into(),
                    "2026-12-07".into(),
                    "5203054107950001".into(),
                ],
                vec![
                    "52.01".into(),
                    "Lombok Barat".into(),
                    "-3".into(),
                    "7".into(),
                    String::new(),
                    "52030541**950001".into(),
                ],
            ],
        );
        let bytes = xlsx_bytes(&[table]).unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("ringkas").unwrap();
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap();
        assert_eq!(cell(1, 0), Data::String("52".into()), "a code stays text");
        assert_eq!(cell(1, 2), Data::Float(1166.0));
        assert_eq!(
            cell(2, 2),
            Data::Float(-3.0),
            "a negative number is a number"
        );
        assert_eq!(cell(1, 3), Data::Float(12.5));
        assert_eq!(cell(2, 3), Data::Float(7.0));
        assert!(matches!(cell(1, 4), Data::DateTime(_)), "{:?}", cell(1, 4));
        assert_eq!(cell(1, 5), Data::String("5203054107950001".into()));
    }

    #[test]
    fn csv_starts_with_bom_and_quotes() {
        let t = Table::new("x", &["a"], vec![vec!["b,c".into()]]);
        assert_eq!(csv_bytes(&t), "\u{feff}a\n\"b,c\"\n".as_bytes());
    }

    #[test]
    fn formulas_are_neutralised_in_csv_and_xlsx() {
        let evil = [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ];
        let rows: Vec<Vec<String>> = evil
            .iter()
            .map(|e| vec![e.to_string(), "Siti - Aminah".into()])
            .collect();
        let t = Table::new("x", &["nama", "=kolom"], rows);
        let csv = String::from_utf8(csv_bytes(&t)).unwrap();
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(reader.headers().unwrap().get(1), Some("'=kolom"));
        let read: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(read.len(), evil.len());
        for (rec, e) in read.iter().zip(evil) {
            assert_eq!(rec.get(0).unwrap(), format!("'{e}"));
            // A dash inside a value is harmless and stays as it is.
            assert_eq!(rec.get(1).unwrap(), "Siti - Aminah");
        }
        let bytes = xlsx_bytes(&[t]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        let table = sinergi_intake::columns::read_table_file(&path).unwrap();
        let col = table.column("nama").unwrap();
        for (i, e) in evil.iter().enumerate() {
            assert!(
                col.get(i).starts_with('\''),
                "{e:?} became {:?}",
                col.get(i)
            );
        }
        assert_eq!(col.get(2), "'-2+3");
        assert_eq!(neutralise("Siti"), "Siti");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn sheet_names_are_cleaned() {
        assert_eq!(sheet_name("a/b"), "a b");
        assert_eq!(sheet_name(""), "data");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
