//! Any table (CSV or XLSX) read into columns, for engines that work on whole columns such as
//! record linkage. Unlike the typed readers, nothing is validated here except the shape of the
//! file: text encoding, a header, and the same number of fields on every row.

use std::path::Path;

use rayon::prelude::*;
use sinergi_core::{Localized, Msg, Table, TextColumn};
use thiserror::Error;

use std::cell::RefCell;

use crate::decode::{Decoded, FileRefusal, Limits, decode};
use crate::source::{Cell, RawRow, TableInfo, read_table};
use crate::table::{LineCounter, RowError, RowErrors, csv_reader, detect_delimiter, fold_header};

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
    #[error("berkas Excel tidak bisa dibaca: berkas tidak berisi lembar kerja")]
    NoSheet,
    #[error("{0}")]
    File(FileRefusal),
    #[error("{errors}{}", if *.more > 0 { format!("\n  … dan {} baris lain ditolak", .more) } else { String::new() })]
    Rows { errors: RowErrors, more: usize },
}

impl Localized for TableError {
    fn msg(&self) -> Msg {
        match self {
            TableError::Io(e) => Msg::new("intake.io").arg("detail", e),
            TableError::TooLarge => Msg::new("intake.too_large"),
            TableError::Excel(detail) => Msg::new("intake.excel").arg("detail", detail),
            TableError::NoSheet => Msg::new("intake.excel_no_sheet"),
            TableError::File(f) => f.msg(),
            TableError::Rows { errors, more: 0 } => errors.msg(),
            TableError::Rows { errors, more } => Msg::new("intake.rows_refused_more")
                .arg("n", errors.0.len() + more)
                .arg_list("rows", errors.0.iter().map(RowError::msg).collect())
                .arg("more", more),
        }
    }
}

/// Collects refusals, keeping the first few whole and counting the rest.
#[derive(Default)]
struct Refusals {
    listed: Vec<RowError>,
    more: usize,
}

impl Refusals {
    fn push(&mut self, line: u64, column: Option<String>, reason: Msg) {
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

/// Reads `path` as whatever its content is (see [`read_table_bytes`]).
pub fn read_table_file(path: &Path) -> Result<Table, TableError> {
    let bytes = std::fs::read(path)?;
    // Files given on the command line may be as large as a table can hold.
    let limits = Limits {
        max_file_bytes: u64::from(u32::MAX),
        ..Limits::default()
    };
    read_table_with(&bytes, &limits)
}

/// Starts a table from its header row, refusing duplicate or empty names.
fn start_table(names: Vec<String>, refusals: &mut Refusals) -> Table {
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            refusals.push(1, None, Msg::new("intake.header_empty").arg("n", i + 1));
        } else if let Some(first) = names[..i]
            .iter()
            .position(|n| fold_header(n) == fold_header(name))
        {
            refusals.push(
                1,
                Some(name.clone()),
                Msg::new("intake.header_duplicate").arg("first", first + 1),
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
    let pieces = if bytes.len() < PLAIN_PIECE_BYTES {
        1
    } else {
        rayon::current_num_threads()
    };
    if let Some(t) = read_plain_csv(bytes, pieces) {
        return Ok(t);
    }
    read_csv_by_record(bytes)
}

/// Below this size a plain file is read as one piece.
const PLAIN_PIECE_BYTES: usize = 1 << 20;

/// Record by record with the CSV parser: quotes, and every refusal with its line.
fn read_csv_by_record(bytes: &[u8]) -> Result<Table, TableError> {
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
                refusals.push(
                    line,
                    None,
                    Msg::new("intake.csv_unreadable").arg("detail", e),
                );
                continue;
            }
        }
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        let Some(fields) = utf8_fields(&record) else {
            refusals.push(line, None, Msg::new("intake.not_utf8_mixed"));
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

/// A file without a single quote character ends a record at every line end, so it is cut at
/// line ends into `pieces` read side by side, each cut at its delimiters and line ends in one
/// pass instead of by the CSV state machine. It gives exactly what [`read_csv_by_record`]
/// gives; anything out of the ordinary — a quote, a carriage return inside a line, a blank
/// first line, a ragged row, bytes that are not UTF-8, a header refusal — returns None, and
/// the file is read record by record so that messages name the right lines. The caller has
/// checked the size (< 4 GiB).
fn read_plain_csv(bytes: &[u8], pieces: usize) -> Option<Table> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.contains(&b'"') {
        return None;
    }
    let delimiter = detect_delimiter(bytes);
    let header_end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    let header_line = std::str::from_utf8(&bytes[..header_end]).ok()?;
    let header_line = header_line.strip_suffix('\n').unwrap_or(header_line);
    let header_line = header_line.strip_suffix('\r').unwrap_or(header_line);
    if header_line.contains('\r') {
        return None;
    }
    let names: Vec<String> = header_line
        .split(char::from(delimiter))
        .map(|f| f.trim().to_string())
        .collect();
    if names.iter().all(String::is_empty) {
        return None;
    }
    let mut refusals = Refusals::default();
    let mut table = start_table(names, &mut refusals);
    if !refusals.is_empty() {
        return None;
    }
    let body = &bytes[header_end..];
    let mut cuts = vec![0];
    for k in 1..pieces.max(1) {
        let target = (body.len() * k / pieces).max(*cuts.last()?);
        match body[target..].iter().position(|b| *b == b'\n') {
            Some(i) => cuts.push(target + i + 1),
            None => break,
        }
    }
    cuts.push(body.len());
    cuts.dedup();
    let width = table.header.len();
    let read: Vec<PlainPiece> = cuts
        .par_windows(2)
        .map(|w| read_plain_piece(&body[w[0]..w[1]], delimiter, width))
        .collect::<Option<_>>()?;
    // The body's first line is line 2; each piece starts after the line ends before it.
    let mut first_line = 2u64;
    let mut starts = Vec::with_capacity(read.len());
    for p in &read {
        starts.push(first_line);
        first_line += p.line_ends;
    }
    table.lines = read
        .iter()
        .zip(&starts)
        .flat_map(|(p, start)| {
            p.lines
                .iter()
                .map(move |l| (start + u64::from(*l)).min(u64::from(u32::MAX)) as u32)
        })
        .collect();
    table.columns = (0..width)
        .into_par_iter()
        .map(|k| {
            let text = read.iter().map(|p| p.columns[k].text_len()).sum();
            let mut c = TextColumn::with_capacity(table.lines.len(), text);
            for p in &read {
                // Cannot fail: the whole file is below 4 GiB.
                let _ = c.append(&p.columns[k]);
            }
            c
        })
        .collect();
    Some(table)
}

/// One piece of a plain file: its rows' columns, each row's line counted from the piece's
/// first line (0), and the line ends it holds.
struct PlainPiece {
    columns: Vec<TextColumn>,
    lines: Vec<u32>,
    line_ends: u64,
}

fn read_plain_piece(piece: &[u8], delimiter: u8, width: usize) -> Option<PlainPiece> {
    let text = std::str::from_utf8(piece).ok()?;
    // Fields of person lists average about 11 bytes; too many rows beats growing twice.
    let rows_guess = piece.len() / (width * 8).max(1);
    let mut columns: Vec<TextColumn> = (0..width)
        .map(|_| TextColumn::with_capacity(rows_guess, piece.len() / width))
        .collect();
    let mut lines = Vec::with_capacity(rows_guess);
    let mut fields: Vec<&str> = Vec::with_capacity(width);
    // The delimiter, CR and LF are ASCII, so cutting at them keeps every field valid UTF-8;
    // memchr finds them many bytes at a time. The end of the text acts as one more line end.
    let bytes = text.as_bytes();
    let (mut line, mut field_start) = (0u32, 0usize);
    let cuts = memchr::memchr3_iter(delimiter, b'\n', b'\r', bytes).chain([bytes.len()]);
    for at in cuts {
        let b = bytes.get(at).copied().unwrap_or(b'\n');
        if b == delimiter {
            fields.push(trim_field(&text[field_start..at]));
            field_start = at + 1;
        } else if b == b'\r' {
            // Only as the last byte of a line (CRLF); anywhere else the file is not plain.
            if at + 1 < bytes.len() && bytes[at + 1] != b'\n' {
                return None;
            }
        } else {
            // A CRLF's CR ends the last field (it cannot start it: a delimiter or LF would).
            let end = if at > field_start && bytes[at - 1] == b'\r' {
                at - 1
            } else {
                at
            };
            fields.push(trim_field(&text[field_start..end]));
            if !fields.iter().all(|f| f.is_empty()) {
                if fields.len() != width {
                    return None;
                }
                for (c, f) in columns.iter_mut().zip(&fields) {
                    let _ = c.push(f);
                }
                lines.push(line);
            }
            fields.clear();
            line += 1;
            field_start = at + 1;
        }
    }
    Some(PlainPiece {
        columns,
        lines,
        // The pass counted the end of the text as one more line end.
        line_ends: u64::from(line) - 1,
    })
}

/// `str::trim`, skipped when the field starts and ends with a visible ASCII byte (nearly
/// always), since only then can nothing be trimmed without looking further.
fn trim_field(f: &str) -> &str {
    let visible = |b: &u8| b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ');
    match (f.as_bytes().first(), f.as_bytes().last()) {
        (Some(first), Some(last)) if visible(first) && visible(last) => f,
        _ => f.trim(),
    }
}

fn utf8_fields(record: &csv::ByteRecord) -> Option<Vec<&str>> {
    record.iter().map(|f| std::str::from_utf8(f).ok()).collect()
}

fn push_row<S: AsRef<str>>(t: &mut Table, line: u64, fields: &[S], refusals: &mut Refusals) {
    if fields.len() != t.header.len() {
        refusals.push(
            line,
            None,
            Msg::new("intake.field_count")
                .arg("found", fields.len())
                .arg("expected", t.header.len()),
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
        r.push(1, None, Msg::new("intake.empty_file"));
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

/// A table from an uploaded file's bytes, sniffed by content (the name is not trusted):
/// XLSX/XLS/ODS (the first visible sheet with content), gzip, or delimited text in any
/// encoding partners use. Files that cannot be read are refused once, naming the cause.
pub fn read_table_bytes(_filename: &str, bytes: &[u8]) -> Result<Table, TableError> {
    read_table_with(bytes, &Limits::default())
}

fn read_table_with(bytes: &[u8], limits: &Limits) -> Result<Table, TableError> {
    let decoded = decode(bytes, limits).map_err(TableError::File)?;
    match &decoded {
        Decoded::Text { text, .. } => read_csv_table(text.as_bytes()),
        Decoded::Book { .. } => read_book(&decoded, limits),
    }
}

/// A workbook's first visible sheet with content, its first non-blank row the header.
/// Numbers become their plain decimal text (a NIK typed as a number stays recognisable as
/// Excel damage downstream); dates become YYYY-MM-DD.
fn read_book(decoded: &Decoded<'_>, limits: &Limits) -> Result<Table, TableError> {
    let refusals = RefCell::new(Refusals::default());
    let table = RefCell::new(None::<Table>);
    let is_header = |cells: &[Cell]| cells.iter().any(|c| !c.text.trim().is_empty());
    let mut on_header = |info: &TableInfo| {
        let names = info.header.iter().map(|n| n.trim().to_string()).collect();
        *table.borrow_mut() = Some(start_table(names, &mut refusals.borrow_mut()));
        Ok(())
    };
    let mut on_row = |row: RawRow| {
        let mut t = table.borrow_mut();
        let Some(t) = t.as_mut() else { return };
        let mut fields: Vec<String> = row.cells.into_iter().map(|c| c.text).collect();
        // Sheets leave empty cells out; cells past the header are empty padding or data.
        if fields.len() > t.header.len() && fields[t.header.len()..].iter().all(|f| f.is_empty()) {
            fields.truncate(t.header.len());
        }
        fields.resize(fields.len().max(t.header.len()), String::new());
        push_row(t, row.line, &fields, &mut refusals.borrow_mut());
    };
    match read_table(decoded, limits, &is_header, &mut on_header, &mut on_row) {
        Ok(_) => {}
        Err(FileRefusal::NoHeaderInSheets { .. }) if table.borrow().is_none() => {
            return Err(TableError::NoSheet);
        }
        Err(e) => return Err(TableError::File(e)),
    }
    finish(table.into_inner(), refusals.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The refusal as an Indonesian user reads it.
    fn err(bytes: &[u8]) -> String {
        let msg = read_csv_table(bytes).unwrap_err().msg();
        sinergi_i18n::Messages::new(sinergi_i18n::Lang::Id).render(&msg)
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
    fn a_plain_file_read_in_pieces_is_the_file_read_record_by_record() {
        let mut csv = String::from("\u{feff}id;nama;tgl\r\n");
        for i in 0..5000 {
            if i % 7 == 0 {
                csv.push_str("\r\n;;\n  \n"); // blank lines are skipped, yet counted
            }
            csv.push_str(&format!("R{i}; Siti Ä{i} ;{}\n", 1950 + i % 60));
            if i % 11 == 0 {
                // Unicode and ASCII control whitespace at the edges, an empty last field.
                csv.push_str(&format!(
                    "S{i};\u{a0}Budi\u{2003};\x0b{i}\x0c\r\nT{i}; ;\r\n"
                ));
            }
        }
        csv.push_str("R-last;Ani;2000\r"); // no line end after the last row
        let whole = read_csv_by_record(csv.as_bytes()).unwrap();
        assert_eq!(whole.rows(), 5001 + 2 * 455);
        assert_eq!(whole.columns[1].get(1), "Budi");
        for pieces in [1, 2, 3, 7, 64] {
            let t = read_plain_csv(csv.as_bytes(), pieces).expect("plain");
            assert_eq!(t.header, whole.header);
            assert_eq!(t.lines, whole.lines, "{pieces} pieces");
            assert_eq!(t.columns, whole.columns, "{pieces} pieces");
        }
        assert_eq!(read_csv_table(csv.as_bytes()).unwrap().lines, whole.lines);
    }

    #[test]
    fn anything_but_a_plain_file_is_read_record_by_record() {
        for bytes in [
            &b"id,nama\n1,\"a\"\n2,b\n"[..], // quotes
            b"id,nama\n1,a\n2,b,c\n3,d\n",   // a ragged row, to be named
            b"id,nama\n1,a\r2,b\n",          // a lone carriage return ends a record
            b"id,nama\n1,a\r\r\n2,b\n",      // so does one before a CRLF
            b"\nid,nama\n1,a\n",             // the header is not on line 1
            b"id,nama\n1,Jos\xe9\n",         // not UTF-8, to be named
            b"id,id\n1,a\n",                 // a header refusal
        ] {
            assert!(read_plain_csv(bytes, 2).is_none(), "{bytes:?}");
        }
        // Which the record reader still reads or names.
        assert_eq!(read_csv_table(b"id,nama\n1,a\r2,b\n").unwrap().rows(), 2);
        assert_eq!(read_csv_table(b"\nid,nama\n1,a\n").unwrap().lines, [3]);
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
        use crate::source::{excel_date_text, number_text};
        assert_eq!(number_text(5203014506890001.0), "5203014506890001");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(excel_date_text(45000.0), "2023-03-15");
    }
}
